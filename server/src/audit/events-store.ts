/**
 * The SQL of audit_events: the trail's writes (trail.ts), the administrators' search
 * (search.ts) and the newest recorded configuration (config-change.ts). Writes run on the
 * caller's transaction or the pool; reads as the audit reader role (sealer.ts `asRole`).
 */
import type { Queryable } from '../db/index.ts';
import type { RecordRow } from './chain.ts';

/** One record as written: every text already storable, objects already redacted. */
export interface EventRow {
  at: string;
  action: string | null;
  outcome: string | null;
  reason: string | null;
  actor: unknown;
  resourceType: string | null;
  resourceId: string | null;
  requestId: string | null;
  changes: unknown;
  detail: unknown;
}

const INSERT = `INSERT INTO audit_events (at, action, outcome, reason, actor, resource_type, resource_id, request_id, changes, detail)
  SELECT x.at, x.action, x.outcome, x.reason, COALESCE(x.actor, '{}'), x."resourceType", x."resourceId", x."requestId", x.changes, x.detail
  FROM jsonb_to_recordset($1::jsonb) AS x(at timestamptz, action text, outcome text, reason text, actor jsonb, "resourceType" text,
    "resourceId" text, "requestId" text, changes jsonb, detail jsonb)`;

const INSERT_ONE = `INSERT INTO audit_events (at, action, outcome, reason, actor, resource_type, resource_id, request_id, changes, detail)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9::jsonb, $10::jsonb)`;
const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Writes one record with plain parameters: on the write path of every audited change this skips
 * the JSON round trip of jsonb_to_recordset (about a fifth of the record's cost on PostgreSQL).
 */
export async function insertEvent(q: Queryable, r: EventRow): Promise<void> {
  await q.query(INSERT_ONE, [r.at, r.action, r.outcome, r.reason, JSON.stringify(r.actor ?? {}), r.resourceType, r.resourceId, r.requestId, json(r.changes), json(r.detail)]);
}

/** Writes several records in one multi-row statement. */
export async function insertEvents(q: Queryable, rows: readonly EventRow[]): Promise<void> {
  await q.query(INSERT, [JSON.stringify(rows)]);
}

/** The filters of a search, as conditions on audit_events `e` (search.ts builds them from AuditFilter). */
export interface EventConditions {
  userId?: string;
  deviceId?: string;
  appId?: string;
  /** Exact action, or a prefix ending in `.` (`auth.`). */
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  /** Return events with ids below this (the previous page's `next`). */
  before?: number;
}

/** A stored record with its chain position (null until sealed). */
export type SearchRow = RecordRow & { seq: string | null };

/** Up to `limit` records matching `filter`, newest first, with their chain position. */
export async function searchEvents(q: Queryable, filter: EventConditions, limit: number): Promise<SearchRow[]> {
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
  params.push(limit);
  // A search over years of records with no selective filter must not tie up the database.
  await q.query(`SET LOCAL statement_timeout = '15s'`);
  const { rows } = await q.query<SearchRow>(
    `SELECT e.id::text AS id, c.seq::text AS seq, e.at, e.action, e.outcome, e.reason, e.actor, e.resource_type AS "resourceType",
         e.resource_id AS "resourceId", e.request_id AS "requestId", e.changes, e.detail
       FROM audit_events e LEFT JOIN audit_chain c ON c.event_id = e.id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY e.id DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** The detail of the newest `config.change` record (its `config` is the configuration then in force). */
export async function lastConfigChangeDetail(q: Queryable): Promise<unknown> {
  const { rows } = await q.query<{ detail: unknown }>(`SELECT detail FROM audit_events WHERE action = 'config.change' ORDER BY id DESC LIMIT 1`);
  return rows[0]?.detail;
}
