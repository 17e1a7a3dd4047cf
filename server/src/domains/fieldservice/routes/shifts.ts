/** Shifts: list, plan and remove. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { problems, LATEST_INSTANT, NO_QUERY } from '../../../http/index.ts';
import * as store from '../store.ts';
import { DATE_TIME, IdParams, LIMIT, readLimit, security, ShiftView, fieldServiceProblems, type RouteContext, Uuid, NoContent } from './shared.ts';

export function shiftRoutes(server: FastifyInstance, { scoping, run, record }: RouteContext): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/shifts',
    {
      onRequest: app.authenticate,
      config: { permission: 'schedules.read' },
      schema: {
        tags: ['field service'],
        summary: 'Shifts overlapping a period (default: the next 7 days); technicians see their own',
        security,
        querystring: Type.Object(
          { technicianId: Type.Optional(Uuid), from: Type.Optional(DATE_TIME), to: Type.Optional(DATE_TIME), limit: Type.Optional(LIMIT) },
          { additionalProperties: false },
        ),
        response: { 200: { type: 'object', additionalProperties: false, required: ['shifts'], properties: { shifts: { type: 'array', items: ShiftView } } } },
      },
    },
    async (request) => {
      const from = request.query.from ? new Date(request.query.from) : new Date();
      // The default period ends a week on, or at the last instant a date-time may name.
      const to = request.query.to ? new Date(request.query.to) : new Date(Math.min(from.getTime() + 7 * 86_400_000, LATEST_INSTANT));
      if (!(to > from) || to.getTime() - from.getTime() > 92 * 86_400_000) throw problems.validation([{ path: '/to', message: 'must be after from, at most 92 days later' }]);
      const limit = readLimit(request.query.limit, 100, 200);
      return run(request, async (tx) => {
        const shifts = await store.listShifts(tx, scoping, { technicianId: request.query.technicianId, from, to, limit });
        await record(tx, 'shift.list', { type: 'shift' }, { detail: { count: shifts.length } });
        return { shifts };
      });
    },
  );

  app.post(
    '/api/v1/shifts',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      config: { permission: 'schedules.manage' },
      schema: {
        tags: ['field service'],
        summary: 'Plan a shift for a technician in scope',
        security,
        querystring: NO_QUERY,
        body: Type.Object({ technicianId: Uuid, startsAt: DATE_TIME, endsAt: DATE_TIME }, { additionalProperties: false }),
        response: { 201: ShiftView },
      },
    },
    async (request, reply) => {
      const { startsAt, endsAt } = request.body;
      const length = Date.parse(endsAt) - Date.parse(startsAt);
      if (!(length > 0 && length <= 24 * 3_600_000)) throw problems.validation([{ path: '/endsAt', message: 'must be after startsAt, at most 24 hours later' }]);
      const shift = await run(request, async (tx, who) => {
        const technician = await store.findTechnician(tx, scoping, request.body.technicianId);
        if (!technician) throw fieldServiceProblems.unknownReference('technicianId');
        const created = await store.insertShift(tx, request.body, who.userId);
        await record(tx, 'shift.create', { type: 'shift', id: created.id }, { changes: { after: { technicianId: created.technicianId, startsAt, endsAt } } });
        return created;
      });
      return reply.code(201).send(shift);
    },
  );

  app.delete(
    '/api/v1/shifts/:id',
    {
      onRequest: app.authenticate,
      config: { permission: 'schedules.remove' },
      schema: { tags: ['field service'], summary: 'Remove a planned shift (sensitive: step-up)', security, params: IdParams, querystring: NO_QUERY, response: { 204: NoContent } },
    },
    async (request, reply) => {
      await run(request, async (tx) => {
        if (!(await store.deleteShift(tx, scoping, request.params.id))) throw problems.notFound();
        await record(tx, 'shift.delete', { type: 'shift', id: request.params.id });
      });
      return reply.code(204).send();
    },
  );
}
