/**
 * Audit search for administrators (API and `palisade audit search`): filters by user, device,
 * app, action, resource, outcome and time, newest first, with keyset pagination (a cursor is the
 * last event id seen, so pages stay stable while new records arrive). Runs as the reader role;
 * the caller records the search itself as an audit event.
 */
import type { Database } from '../db/index.ts';
import type { AuditActor, AuditOutcome, StoredAuditEvent } from './event.ts';
import { asRole } from './sealer.ts';
import type { RecordRow } from './chain.ts';

export interface AuditFilter {
  userId?: string;
  deviceId?: string;
  appId?: string;
  /** Exact action, or a prefix ending in `.` (`auth.`). */
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
  /** Return events with ids below this (the previous page's `next`). */
  before?: number;
  limit?: number;
}

export interface AuditPage {
  events: (StoredAuditEvent & { seq: number | null })[];
  /** Pass as `before` for the next page; absent on the last page. */
  next?: number;
}

/** A stored record with its chain position (null until sealed). */
type Row = RecordRow & { seq: string | null };

const json = <T>(v: T | string | null): T | undefined => (v === null ? undefined : typeof v === 'string' ? (JSON.parse(v) as T) : v);

export async function searchAudit(db: Database, filter: AuditFilter): Promise<AuditPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.userId) add(`e.actor ->> 'userId' = ?`, filter.userId);
  if (filter.deviceId) add(`e.actor ->> 'deviceId' = ?`, filter.deviceId);
  if (filter.appId) add(`e.actor ->> 'appId' = ?`, filter.appId);
  if (filter.action?.endsWith('.')) add(`starts_with(e.action, ?)`, filter.action);
  else if (filter.action) add('e.action = ?', filter.action);
  if (filter.resourceType) add('e.resource_type = ?', filter.resourceType);
  if (filter.resourceId) add('e.resource_id = ?', filter.resourceId);
  if (filter.outcome) add('e.outcome = ?', filter.outcome);
  if (filter.from) add('e.at >= ?', filter.from);
  if (filter.to) add('e.at < ?', filter.to);
  if (filter.before !== undefined) add('e.id < ?', filter.before);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  params.push(limit + 1);
  const { rows } = await asRole(db, 'palisade_audit_reader', async (q) => {
    // A search over years of records with no selective filter must not tie up the database.
    await q.query(`SET LOCAL statement_timeout = '15s'`);
    return q.query<Row>(
      `SELECT e.id::text AS id, c.seq::text AS seq, e.at, e.action, e.outcome, e.reason, e.actor, e.resource_type AS "resourceType",
         e.resource_id AS "resourceId", e.request_id AS "requestId", e.changes, e.detail
       FROM audit_events e LEFT JOIN audit_chain c ON c.event_id = e.id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY e.id DESC LIMIT $${params.length}`,
      params,
    );
  });
  const page = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    seq: r.seq === null ? null : Number(r.seq),
    at: new Date(r.at).getTime(),
    action: r.action,
    outcome: r.outcome,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    actor: json<AuditActor>(r.actor) ?? {},
    ...(r.resourceType !== null ? { resource: { type: r.resourceType, ...(r.resourceId !== null ? { id: r.resourceId } : {}) } } : {}),
    ...(r.requestId !== null ? { requestId: r.requestId } : {}),
    ...(r.changes !== null ? { changes: json(r.changes) } : {}),
    ...(r.detail !== null ? { detail: json(r.detail) } : {}),
  }));
  return rows.length > limit ? { events: page, next: page[page.length - 1]!.id } : { events: page };
}
