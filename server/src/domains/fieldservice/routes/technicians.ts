/** Technicians and their locations: list, change, position history and a technician’s own position report. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { problems, NO_QUERY } from '../../../http/index.ts';
import * as store from '../store.ts';
import { openPosition, sealPosition } from '../personal.ts';
import { PersonDataError } from '../../../security/index.ts';
import { CODE, DATE_TIME, IdParams, LIMIT, FLAG, readLimit, readFlag, security, TechnicianView, LocationView, NextCursor, fieldServiceProblems, type RouteContext, Uuid, NoContent } from './shared.ts';

export function technicianRoutes(server: FastifyInstance, { scoping, run, record, personKeys }: RouteContext): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/technicians',
    {
      onRequest: app.authenticate,
      config: { permission: 'technicians.read' },
      schema: {
        tags: ['field service'],
        summary: 'Technicians in the caller’s scope',
        security,
        querystring: Type.Object(
          { territory: Type.Optional(CODE), active: Type.Optional(FLAG), cursor: Type.Optional(Uuid), limit: Type.Optional(LIMIT) },
          { additionalProperties: false },
        ),
        response: { 200: { type: 'object', additionalProperties: false, required: ['technicians', 'next'], properties: { technicians: { type: 'array', items: TechnicianView }, next: NextCursor } } },
      },
    },
    async (request) =>
      run(request, async (tx) => {
        const { cursor, territory } = request.query;
        const limit = readLimit(request.query.limit, 50, 200);
        const rows = await store.listTechnicians(tx, scoping, { territory, active: readFlag(request.query.active), after: cursor, limit });
        await record(tx, 'technician.list', { type: 'technician' }, { detail: { count: rows.length } });
        return { technicians: rows.map(({ userId, ...rest }) => ({ id: userId, ...rest })), next: rows.length === limit ? rows.at(-1)!.userId : null };
      }),
  );

  app.patch(
    '/api/v1/technicians/:id',
    {
      onRequest: app.authenticate,
      bodyLimit: 4096,
      config: { permission: 'technicians.manage' },
      schema: {
        tags: ['field service'],
        summary: 'Change a technician’s territory, skills or active flag (managers, in scope)',
        security,
        params: IdParams,
        querystring: NO_QUERY,
        body: Type.Object(
          { territory: Type.Optional(CODE), skills: Type.Optional(Type.Array(CODE, { maxItems: 50, uniqueItems: true })), active: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: TechnicianView },
      },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const before = await store.findTechnician(tx, scoping, request.params.id, { forUpdate: true });
        if (!before) throw problems.notFound();
        if (request.body.territory !== undefined) {
          const visible = await store.technicianTerritoryVisible(tx, before.userId, request.body.territory, before.department);
          if (!(await store.territoryExists(tx, request.body.territory))) throw fieldServiceProblems.unknownReference('territory');
          if (!visible) throw fieldServiceProblems.outOfScope('That territory');
        }
        const after = (await store.updateTechnician(tx, before.userId, request.body, who.userId))!;
        const changed = (Object.keys(request.body) as (keyof typeof request.body)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        await record(tx, 'technician.update', { type: 'technician', id: before.userId }, {
          changes: { before: Object.fromEntries(changed.map((k) => [k, before[k]])), after: Object.fromEntries(changed.map((k) => [k, after[k]])) },
        });
        const { userId, ...rest } = after;
        return { id: userId, ...rest };
      }),
  );

  app.get(
    '/api/v1/technicians/:id/locations',
    {
      onRequest: app.authenticate,
      config: { permission: 'locations.read' },
      schema: {
        tags: ['field service'],
        summary: 'A technician’s latest position and short history (sensitive)',
        security,
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(LIMIT) }, { additionalProperties: false }),
        response: { 200: { type: 'object', additionalProperties: false, required: ['locations'], properties: { locations: { type: 'array', items: LocationView } } } },
      },
    },
    async (request) =>
      run(request, async (tx) => {
        const technician = await store.findTechnician(tx, scoping, request.params.id);
        if (!technician) throw problems.notFound();
        const rows = await store.locationsOf(tx, scoping, technician.userId, readLimit(request.query.limit, 10, store.LOCATION_HISTORY));
        const locations = [];
        // A position that does not open (altered at rest, or its key destroyed) answers a
        // problem, never a crash and never a guess.
        for (const row of rows) locations.push(await openPosition(personKeys, row, tx).catch(unreadable));
        await record(tx, 'location.read', { type: 'technician', id: technician.userId }, { detail: { count: locations.length } });
        return { locations };
      }),
  );

  app.post(
    '/api/v1/me/location',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      config: { permission: 'locations.report' },
      schema: {
        tags: ['field service'],
        summary: 'A technician reports their own position',
        security,
        querystring: NO_QUERY,
        body: Type.Object(
          {
            latitude: Type.Number({ minimum: -90, maximum: 90 }),
            longitude: Type.Number({ minimum: -180, maximum: 180 }),
            accuracyM: Type.Optional(Type.Number({ minimum: 0, maximum: 100000 })),
            at: Type.Optional(DATE_TIME),
          },
          { additionalProperties: false },
        ),
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const now = Date.now();
      const at = request.body.at ? Date.parse(request.body.at) : now;
      // A position from the future, or older than a day, is a broken clock or a replay.
      if (at > now + 60_000 || at < now - 86_400_000) throw problems.validation([{ path: '/at', message: 'must be within the last day' }]);
      const when = new Date(at);
      // Sealed before the transaction: the technician's first position creates their key, on
      // its own connection (embedded PGlite has one).
      const sealed = await sealPosition(personKeys, request.caller!.userId, when, { latitude: request.body.latitude, longitude: request.body.longitude, accuracyM: request.body.accuracyM ?? null });
      await run(request, async (tx, who) => {
        await store.ensureTechnician(tx, { id: who.userId, name: who.name, territory: who.claims.territory, department: who.claims.department });
        if (!(await store.technicianExists(tx, who.userId))) throw fieldServiceProblems.outOfScope('Reporting a position without a territory');
        await store.recordLocation(tx, who.userId, when, sealed);
        await record(tx, 'location.report', { type: 'technician', id: who.userId });
      });
      return reply.code(204).send();
    },
  );
}

/** Sealed personal data that does not open: 503 personal-data-unreadable (never the plaintext of a guess, never a crash). */
export function unreadable(error: unknown): never {
  if (error instanceof PersonDataError) throw fieldServiceProblems.personalDataUnreadable(error.code);
  throw error;
}
