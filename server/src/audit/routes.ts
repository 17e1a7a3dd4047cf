/**
 * The audit trail over HTTP: the public keys that verify checkpoints and archive digests
 * (anyone may fetch them; they are what an auditor checks an archive against), and search for
 * administrators (`audit.read`) — itself recorded as `audit.search` — and the chain's check
 * (`audit.read`, recorded as `audit.verify`): what `palisade audit verify` does, for a console.
 * A signed archive of a time range (`audit.export`, step-up, recorded as `audit.export`: data
 * access) in the format `palisade audit verify --archive` checks offline (range-export.ts), and
 * the webhook delivery log of the monitor's alerts (`audit.read`).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import type { Database } from '../db/index.ts';
import { problems, NO_QUERY, StringEnum, untypedReply } from '../http/index.ts';
import { publicAuditKeys } from './keys.ts';
import { searchAudit, type AuditFilter } from './search.ts';
import { verifyDatabase, verifyDetail } from './verify.ts';
import { asRole, chainHead } from './sealer.ts';
import type { AuditSink } from './trail.ts';
import type { Clock } from '../clock.ts';
import type { CheckpointSigner } from './keys.ts';
import { BUNDLE_FORMAT, RangeTooLargeError, exportRange } from './range-export.ts';
import { listDeliveries } from './deliveries-store.ts';

export interface AuditRoutesDeps {
  db: Database;
  audit: AuditSink;
  signer: CheckpointSigner;
  clock: Clock;
}

/** RFC 3339 admits times neither JavaScript nor PostgreSQL can hold: refused, not a 500. */
function checkTimes(from: Date | undefined, to: Date | undefined): void {
  for (const [key, at] of [['from', from], ['to', to]] as const) {
    if (at && !(at.getUTCFullYear() >= 1 && at.getUTCFullYear() <= 9999)) throw problems.validation([{ path: `querystring.${key}`, message: 'must be a time between the years 1 and 9999' }]);
  }
  if (from && to && from > to) throw problems.validation([{ path: 'querystring.from', message: 'must not be after `to`' }]);
}

// The query strings are TypeBox schemas: the handlers' query types are inferred from them (the
// TypeBox type provider). Query parameters arrive as text and are not coerced (http/app.ts).
const ArchiveQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'First record: the first at or after this time (default: the oldest kept).' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Last record: the last before this time (default: the newest under a signed checkpoint).' })),
  },
  { additionalProperties: false },
);

const DeliveriesQuery = Type.Object(
  {
    outcome: Type.Optional(StringEnum(['delivered', 'retrying', 'failed'])),
    rule: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z0-9_]+$' })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'The `next` of the previous page.' })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'At most this many (1–200, default 50).' })),
  },
  { additionalProperties: false },
);

const DeliverySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'at', 'rule', 'severity', 'webhook', 'origin', 'attempt', 'attempts', 'outcome', 'reason'],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    rule: { type: 'string' },
    severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
    webhook: { type: 'integer', description: 'Position of the webhook in monitoring.webhooks, from 0.' },
    origin: { type: 'string', description: 'The webhook’s origin only: its path, query and credentials are never stored.' },
    attempt: { type: 'integer' },
    attempts: { type: 'integer', description: 'How many attempts are made at most.' },
    outcome: { type: 'string', enum: ['delivered', 'retrying', 'failed'], description: 'retrying: this attempt failed and another follows; failed: given up.' },
    reason: { type: ['string', 'null'], description: 'Why the attempt failed: HTTP status, timeout or error code.' },
  },
} as const;

const EventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'seq', 'at', 'action', 'outcome', 'actor'],
  properties: {
    id: { type: 'integer' },
    seq: { type: ['integer', 'null'], description: 'Position in the hash chain; null until sealed (normally under a second).' },
    at: { type: 'string', format: 'date-time' },
    action: { type: 'string' },
    outcome: { type: 'string', enum: ['success', 'failure', 'denied', 'error'] },
    reason: { type: 'string' },
    actor: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(['userId', 'sessionId', 'deviceId', 'appId', 'ip', 'userAgent'].map((k) => [k, { type: 'string' }])),
    },
    resource: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { type: 'string' }, id: { type: 'string' } } },
    requestId: { type: 'string' },
    // What changed and the event's details differ per action (audit.md's catalogue); they were
    // redacted when recorded (redact.ts), so they are passed on as stored.
    changes: { type: 'object', additionalProperties: true },
    detail: { type: 'object', additionalProperties: true },
  },
} as const;

const SearchQuery = Type.Object(
  {
    user: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9._:@-]+$' })),
    device: Type.Optional(Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' })),
    app: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
    action: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z0-9_.]+$', description: 'Exact action, or a prefix ending in a dot (auth.).' })),
    resourceType: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z0-9_]+$' })),
    // Any text but control characters: PostgreSQL refuses a NUL in a text parameter (a 500, not a 400).
    resourceId: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' })),
    outcome: Type.Optional(StringEnum(['success', 'failure', 'denied', 'error'])),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'Cursor: the `next` of the previous page.' })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
  },
  { additionalProperties: false },
);

export function filterFromQuery(q: Static<typeof SearchQuery>): AuditFilter {
  return {
    ...(q.user ? { userId: q.user } : {}),
    ...(q.device ? { deviceId: q.device } : {}),
    ...(q.app ? { appId: q.app } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.resourceType ? { resourceType: q.resourceType } : {}),
    ...(q.resourceId ? { resourceId: q.resourceId } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
    ...(q.before ? { before: Number(q.before) } : {}),
    ...(q.limit ? { limit: Number(q.limit) } : {}),
  };
}

export async function auditRoutes(server: FastifyInstance, deps: AuditRoutesDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/.well-known/palisade-audit-keys',
    {
      schema: {
        tags: ['audit'],
        summary: 'Public keys (JWKS, Ed25519) that verify audit checkpoints and archive digests',
        querystring: NO_QUERY,
        // Public Ed25519 JWKs (RFC 8037): only these members are ever sent, so a private member
        // (`d`) that reached the stored row by mistake is dropped by the serializer.
        response: {
          200: untypedReply({
            type: 'object',
            additionalProperties: false,
            required: ['keys'],
            properties: {
              keys: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['kty', 'crv', 'x', 'kid'],
                  properties: { kty: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { type: 'string' } },
                },
              },
            },
          }),
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return publicAuditKeys(deps.db);
    },
  );

  app.get(
    '/admin/v1/audit/events',
    {
      onRequest: app.authenticate,
      config: { permission: 'audit.read' },
      schema: {
        tags: ['admin', 'audit'],
        summary: 'Search the audit trail (admin), newest first; reading it is itself audited',
        security: [{ bearer: [] }],
        querystring: SearchQuery,
        response: {
          200: untypedReply({ type: 'object', additionalProperties: false, required: ['events'], properties: { events: { type: 'array', items: EventSchema }, next: { type: 'string' } } }),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const filter = filterFromQuery(request.query);
      // RFC 3339 admits what neither JavaScript nor PostgreSQL can hold: a leap second
      // (`23:59:60Z`, an invalid Date), year 0000 (PostgreSQL has none). Refused, not a 500.
      checkTimes(filter.from, filter.to);
      const page = await searchAudit(deps.db, filter);
      deps.audit.emit({ action: 'audit.search', outcome: 'success', actor: {}, resource: { type: 'audit' }, detail: { filter: request.query, returned: page.events.length } });
      return {
        events: page.events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
        ...(page.next !== undefined ? { next: String(page.next) } : {}),
      };
    },
  );

  app.post(
    '/admin/v1/audit/verify',
    {
      onRequest: app.authenticate,
      bodyLimit: 64,
      config: { permission: 'audit.read' },
      schema: {
        tags: ['admin', 'audit'],
        summary: 'Verify the audit hash chain and its signed checkpoints in the database, as `palisade audit verify` does (admin). With the keys stored in the database: an auditor verifies an export with a copy of the keys kept elsewhere',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['ok', 'checked', 'firstSeq', 'lastSeq', 'checkpointsVerified', 'uncovered', 'checkpoint'],
            properties: {
              ok: { type: 'boolean' },
              checked: { type: 'integer' },
              firstSeq: { type: ['integer', 'null'] },
              lastSeq: { type: ['integer', 'null'] },
              checkpointsVerified: { type: 'integer' },
              uncovered: { type: 'integer', description: 'Sealed records after the newest checkpoint.' },
              unsealed: { type: 'integer', description: 'Records written but not yet sealed.' },
              broken: {
                type: 'object',
                additionalProperties: false,
                required: ['seq', 'problem', 'message'],
                properties: { seq: { type: 'integer' }, eventId: { type: 'integer' }, problem: { type: 'string' }, message: { type: 'string' } },
              },
              checkpoint: {
                type: 'object',
                additionalProperties: false,
                required: ['n', 'seq', 'at'],
                description: 'The newest signed checkpoint (n 0: none yet).',
                properties: { n: { type: 'integer' }, seq: { type: 'integer' }, at: { type: ['string', 'null'], format: 'date-time' } },
              },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      const report = await verifyDatabase(deps.db, await publicAuditKeys(deps.db));
      const head = await asRole(deps.db, 'palisade_audit_reader', (q) => chainHead(q));
      deps.audit.emit({ action: 'audit.verify', outcome: report.ok ? 'success' : 'failure', actor: {}, resource: { type: 'audit' }, detail: verifyDetail(report, { via: 'api' }) });
      return { ...report, checkpoint: { n: head.checkpointN, seq: head.checkpointSeq, at: head.checkpointAt === null ? null : new Date(head.checkpointAt).toISOString() } };
    },
  );

  app.get(
    '/admin/v1/audit/archive',
    {
      onRequest: app.authenticate,
      config: { permission: 'audit.export' },
      schema: {
        tags: ['admin', 'audit'],
        summary:
          'A signed archive of a time range of the audit trail (admin, step-up): the JSONL files and signed digests `palisade audit export` writes, in one JSON bundle that `palisade audit verify --archive <file> --keys <keys>` checks offline. Only sealed records under a signed checkpoint, people under pseudonyms; recorded as `audit.export`',
        security: [{ bearer: [] }],
        querystring: ArchiveQuery,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['format', 'range', 'exportedAt', 'files'],
            properties: {
              format: { type: 'string', enum: [BUNDLE_FORMAT] },
              range: {
                type: 'object',
                additionalProperties: false,
                required: ['from', 'to', 'firstSeq', 'lastSeq', 'records'],
                properties: {
                  from: { type: ['string', 'null'] },
                  to: { type: ['string', 'null'] },
                  firstSeq: { type: ['integer', 'null'] },
                  lastSeq: { type: ['integer', 'null'], description: 'Keep it apart from the file: verify proves the records, this proves none were cut off the end.' },
                  records: { type: 'integer' },
                },
              },
              exportedAt: { type: 'string', format: 'date-time' },
              files: { type: 'object', additionalProperties: { type: 'string' }, description: 'File name (as in an archive folder) → its exact text.' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const from = request.query.from ? new Date(request.query.from) : undefined;
      const to = request.query.to ? new Date(request.query.to) : undefined;
      checkTimes(from, to);
      let bundle;
      try {
        bundle = await exportRange(deps.db, deps.signer, deps.clock, { ...(from ? { from } : {}), ...(to ? { to } : {}) });
      } catch (error) {
        if (error instanceof RangeTooLargeError) throw problems.validation([{ path: 'querystring.from', message: error.message }]);
        throw error;
      }
      // Data access: who took which part of the trail away.
      deps.audit.emit({ action: 'audit.export', outcome: 'success', actor: {}, resource: { type: 'audit' }, detail: { via: 'admin_api', ...bundle.range, files: Object.keys(bundle.files).filter((f) => f.endsWith('.jsonl')) } });
      void reply.header('content-disposition', `attachment; filename="palisade-audit-${bundle.range.firstSeq ?? 0}-${bundle.range.lastSeq ?? 0}.json"`);
      return bundle;
    },
  );

  app.get(
    '/admin/v1/alerts/deliveries',
    {
      onRequest: app.authenticate,
      config: { permission: 'audit.read' },
      schema: {
        tags: ['admin', 'audit'],
        summary: 'Webhook delivery attempts of the monitor’s alerts, newest first (admin): delivered, retrying or failed, with the reason; the newest 1000 are kept',
        security: [{ bearer: [] }],
        querystring: DeliveriesQuery,
        response: {
          200: { type: 'object', additionalProperties: false, required: ['deliveries'], properties: { deliveries: { type: 'array', items: DeliverySchema }, next: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const q = request.query;
      const limit = Number(q.limit ?? 50);
      if (limit < 1 || limit > 200) throw problems.validation([{ path: 'querystring.limit', message: 'must be between 1 and 200' }]);
      const rows = await listDeliveries(deps.db, { limit: limit + 1, ...(q.cursor ? { before: Number(q.cursor) } : {}), ...(q.outcome ? { outcome: q.outcome } : {}), ...(q.rule ? { rule: q.rule } : {}) });
      const page = rows.slice(0, limit);
      return {
        deliveries: page.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
        ...(rows.length > limit ? { next: page[page.length - 1]!.id } : {}),
      };
    },
  );
}
