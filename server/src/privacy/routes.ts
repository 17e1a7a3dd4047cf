/**
 * The data subject's rights on the admin API: the export of everything Palisade holds about a
 * person, and their erasure. Both are admin-only and need step-up (authz/matrix.ts); both are
 * audited by the service. The erasure names the person in its body, not its URL, so no access log
 * line written after the erasure carries the id it erased.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { problems } from '../http/index.ts';
import { UUID } from '../http/index.ts';
import { erasePerson, exportPerson, LegalHoldError, UnknownPersonError, type PrivacyDeps } from './service.ts';
import { openIncidents } from './breach.ts';

/** No query parameters at all: an unknown one is refused, not ignored. */
const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;
const Params = Type.Object({ id: Type.Unsafe<string>(UUID) }, { additionalProperties: false });
const ExportView = Type.Object(
  {
    manifest: Type.Object({}, { additionalProperties: true, description: 'format, person, generatedAt and each section’s name, record count and SHA-256' }),
    data: Type.Object({}, { additionalProperties: true, description: 'One member per section of the manifest' }),
  },
  { additionalProperties: false },
);
const ErasureRequest = Type.Object(
  {
    person: Type.Unsafe<string>({ ...UUID, description: 'The user id of the person to erase' }),
    reason: Type.String({ minLength: 3, maxLength: 500, description: 'Why (the request reference); recorded in the audit trail' }),
  },
  { additionalProperties: false },
);
const IncidentView = Type.Object(
  {
    id: Type.String(),
    summary: Type.String(),
    detectedAt: Type.String({ format: 'date-time' }),
    openedAt: Type.String({ format: 'date-time' }),
    openedBy: Type.String({ description: 'Who opened it (the operator’s name, or the admin’s user id)' }),
    notifyBy: Type.String({ format: 'date-time', description: 'Detection time + 72 h: when the supervisory authority must have been told (GDPR Art. 33)' }),
    secondsLeft: Type.Integer({ description: 'Until notifyBy; negative when overdue' }),
    alertsSent: Type.Array(Type.String(), { description: 'The breach-clock alerts raised so far (48h, 68h)' }),
  },
  { additionalProperties: false },
);
const ErasureView = Type.Object(
  {
    pseudonym: Type.String({ description: 'What the audit trail and the erasure register call the person now; it names nobody' }),
    sessionsEnded: Type.Integer(),
    counts: Type.Object({}, { additionalProperties: Type.Integer() }),
    audit: Type.Object({ sealed: Type.Integer(), pending: Type.Integer(), kept: Type.Integer() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

function asProblem(error: unknown): unknown {
  if (error instanceof UnknownPersonError) return problems.notFound();
  if (error instanceof LegalHoldError) return problems.legalHold(error.message);
  return error;
}

export async function privacyRoutes(server: FastifyInstance, deps: PrivacyDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/admin/v1/users/:id/export',
    {
      onRequest: app.authenticate,
      config: { permission: 'privacy.export' },
      schema: {
        tags: ['admin'],
        summary: 'Everything Palisade holds about a person, as a JSON archive with a manifest (GDPR Art. 15 and 20; admin, step-up)',
        security: [{ bearer: [] }],
        params: Params,
        querystring: NO_QUERY,
        response: { 200: ExportView },
      },
    },
    async (request, reply) => {
      try {
        const archive = await exportPerson(deps, request.params.id, 'admin_api');
        void reply.header('content-disposition', `attachment; filename="palisade-export-${request.params.id}.json"`);
        return archive;
      } catch (error) {
        throw asProblem(error);
      }
    },
  );

  app.get(
    '/admin/v1/incidents',
    {
      onRequest: app.authenticate,
      config: { permission: 'audit.read' },
      schema: {
        tags: ['admin'],
        summary: 'Open personal-data breach incidents and the time left on each one’s 72-hour notification clock, the nearest deadline first (admin; `palisade incident open` starts a clock, `incident report --notified-at` stops it)',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        response: { 200: Type.Object({ incidents: Type.Array(IncidentView) }, { additionalProperties: false }) },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      const incidents = await openIncidents(deps.db, deps.clock);
      return {
        incidents: incidents.map((i) => ({
          ...i,
          detectedAt: new Date(i.detectedAt).toISOString(),
          openedAt: new Date(i.openedAt).toISOString(),
          notifyBy: i.notifyBy.toISOString(),
        })),
      };
    },
  );

  app.post(
    '/admin/v1/privacy/erasures',
    {
      onRequest: app.authenticate,
      bodyLimit: 2048,
      config: { permission: 'privacy.erase' },
      schema: {
        tags: ['admin'],
        summary: 'Erase a person (GDPR Art. 17): personal records deleted, job history under a tombstone, the audit trail pseudonymised (admin, step-up)',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        body: ErasureRequest,
        response: { 200: ErasureView },
      },
    },
    async (request) => {
      try {
        const result = await erasePerson(deps, request.body.person, request.body.reason, request.auth!.sub);
        return { pseudonym: result.pseudonym, sessionsEnded: result.sessionsEnded, counts: { ...result.counts }, audit: result.audit };
      } catch (error) {
        throw asProblem(error);
      }
    },
  );
}
