/**
 * The console's overview in one read (`sessions.read`, audited as `admin.overview.read`):
 * open sessions and devices in use, devices by compliance state, the audit chain's head and
 * newest signed checkpoint, and the token signing keys' ages (public facts only: kid, alg and
 * dates, never key material). Alerts and app keys come from their own admin endpoints.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import { asRole, chainHead } from '../audit/index.ts';
import { listKeys } from '../oauth/index.ts';
import { NO_QUERY } from '../http/index.ts';
import { sessionOverview } from '../sessions/index.ts';

export interface AdminOverviewDeps {
  db: Database;
  audit: AuditSink;
  clock: Clock;
}

const count = { type: 'integer', minimum: 0 } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

const Overview = {
  type: 'object',
  additionalProperties: false,
  required: ['activeSessions', 'activeDevices', 'compliance', 'audit', 'signingKeys'],
  properties: {
    activeSessions: count,
    activeDevices: { ...count, description: 'Devices active or locked (not wiped, revoked or evicted).' },
    compliance: { type: 'object', additionalProperties: false, required: ['compliant', 'noncompliant', 'unknown'], properties: { compliant: count, noncompliant: count, unknown: count } },
    audit: {
      type: 'object',
      additionalProperties: false,
      required: ['sealedUpTo', 'checkpointN', 'checkpointSeq', 'checkpointAt'],
      description: 'The hash chain’s head: the newest sealed record, and the newest signed checkpoint (n 0: none yet). Verifying it is POST /admin/v1/audit/verify.',
      properties: { sealedUpTo: count, checkpointN: count, checkpointSeq: count, checkpointAt: nullableTime },
    },
    signingKeys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kid', 'alg', 'createdAt', 'activatedAt', 'retiredAt'],
        properties: { kid: { type: 'string' }, alg: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, activatedAt: nullableTime, retiredAt: nullableTime },
      },
    },
  },
} as const;

const iso = (at: Date | null) => (at ? new Date(at).toISOString() : null);

export async function adminOverviewRoutes(app: FastifyInstance, deps: AdminOverviewDeps): Promise<void> {
  app.get(
    '/admin/v1/overview',
    {
      onRequest: app.authenticate,
      config: { permission: 'sessions.read' },
      schema: { tags: ['admin'], summary: 'Counts and health for the console’s overview: sessions, devices by compliance, the audit chain’s head, signing key ages (admin)', security: [{ bearer: [] }], querystring: NO_QUERY, response: { 200: Overview } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      const now = new Date(deps.clock.now());
      const [counts, head, keys] = await Promise.all([sessionOverview(deps.db, now), asRole(deps.db, 'palisade_audit_reader', (q) => chainHead(q)), listKeys(deps.db)]);
      deps.audit.emit({ action: 'admin.overview.read', outcome: 'success', actor: {}, resource: { type: 'overview' } });
      return {
        ...counts,
        audit: { sealedUpTo: head.seq, checkpointN: head.checkpointN, checkpointSeq: head.checkpointSeq, checkpointAt: head.checkpointAt === null ? null : new Date(head.checkpointAt).toISOString() },
        signingKeys: keys.map((k) => ({ kid: k.kid, alg: k.alg, createdAt: new Date(k.createdAt).toISOString(), activatedAt: iso(k.activatedAt), retiredAt: iso(k.retiredAt) })),
      };
    },
  );
}
