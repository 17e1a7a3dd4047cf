/** SQL of the breach clock (migration 0020 breach_incidents) and of an incident's scope in the audit trail. */
import type { Queryable } from '../db/index.ts';

export interface IncidentRow {
  id: string;
  summary: string;
  detectedAt: Date;
  openedAt: Date;
  openedBy: string;
  notifiedAt: Date | null;
  closedAt: Date | null;
  alertsSent: string[];
  scope: unknown;
  measures: string | null;
}

const COLUMNS = `id, summary, detected_at AS "detectedAt", opened_at AS "openedAt", opened_by AS "openedBy", notified_at AS "notifiedAt",
  closed_at AS "closedAt", alerts_sent AS "alertsSent", scope, measures`;

export async function insertIncident(q: Queryable, i: { summary: string; detectedAt: Date; openedAt: Date; openedBy: string }): Promise<IncidentRow> {
  const { rows } = await q.query<IncidentRow>(
    `INSERT INTO breach_incidents (summary, detected_at, opened_at, opened_by) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [i.summary, i.detectedAt, i.openedAt, i.openedBy],
  );
  return rows[0]!;
}

/** One incident by id, or (no id) the newest one not yet notified or closed. */
export async function findIncident(q: Queryable, id: string | undefined): Promise<IncidentRow | undefined> {
  const { rows } = id
    ? await q.query<IncidentRow>(`SELECT ${COLUMNS} FROM breach_incidents WHERE id::text = $1`, [id])
    : await q.query<IncidentRow>(`SELECT ${COLUMNS} FROM breach_incidents WHERE notified_at IS NULL AND closed_at IS NULL ORDER BY opened_at DESC LIMIT 1`);
  return rows[0];
}

/** Incidents whose clock runs (not notified, not closed), oldest detection first. */
export async function runningIncidents(q: Queryable): Promise<IncidentRow[]> {
  const { rows } = await q.query<IncidentRow>(`SELECT ${COLUMNS} FROM breach_incidents WHERE notified_at IS NULL AND closed_at IS NULL ORDER BY detected_at`);
  return rows;
}

/** Marks an alert as sent; false when another instance (or an earlier round) already did. */
export async function claimAlert(q: Queryable, id: string, alert: string): Promise<boolean> {
  const { rowCount } = await q.query(`UPDATE breach_incidents SET alerts_sent = alerts_sent || $2::text WHERE id = $1 AND NOT ($2 = ANY (alerts_sent))`, [id, alert]);
  return rowCount > 0;
}

export async function saveScope(q: Queryable, id: string, scope: unknown): Promise<void> {
  await q.query('UPDATE breach_incidents SET scope = $2::jsonb WHERE id = $1', [id, JSON.stringify(scope)]);
}

export async function saveReportFacts(q: Queryable, id: string, measures: string | undefined, notifiedAt: Date | undefined): Promise<void> {
  await q.query('UPDATE breach_incidents SET measures = coalesce($2, measures), notified_at = coalesce($3, notified_at) WHERE id = $1', [id, measures ?? null, notifiedAt ?? null]);
}

export interface ScopeFilter {
  userId?: string;
  sessionId?: string;
  appId?: string;
  ip?: string;
  from: Date;
  to: Date;
}

export interface ScopedEvent {
  action: string;
  outcome: string;
  resourceType: string | null;
  resourceId: string | null;
  actorUserId: string | null;
}

/** The audit records of what was done with this user, session, app or address in the window (at most `limit`). */
export async function eventsInScope(q: Queryable, f: ScopeFilter, limit: number): Promise<ScopedEvent[]> {
  const { rows } = await q.query<ScopedEvent>(
    `SELECT e.action, e.outcome, e.resource_type AS "resourceType", e.resource_id AS "resourceId", e.actor ->> 'userId' AS "actorUserId"
       FROM audit_events e
      WHERE e.at >= $1 AND e.at < $2
        AND (e.actor ->> 'userId' = $3 OR e.actor ->> 'sessionId' = $4 OR e.actor ->> 'appId' = $5 OR e.actor ->> 'ip' = $6)
      ORDER BY e.at LIMIT $7`,
    [f.from, f.to, f.userId ?? null, f.sessionId ?? null, f.appId ?? null, f.ip ?? null, limit],
  );
  return rows;
}

/** The technicians assigned to these jobs (whose data a job read exposes). */
export async function assigneesOf(q: Queryable, jobIds: readonly string[]): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const { rows } = await q.query<{ id: string }>(
    `SELECT DISTINCT assigned_to::text AS id FROM fs_jobs WHERE id::text = ANY($1::text[]) AND assigned_to IS NOT NULL`,
    [jobIds],
  );
  return rows.map((r) => r.id);
}

/** The people among these ids, with what is needed to notify them (Art. 34). */
export async function peopleByIds(q: Queryable, ids: readonly string[]): Promise<{ id: string; name: string | null; email: string | null }[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query<{ id: string; name: string | null; email: string | null }>(
    `SELECT id::text AS id, name, email FROM users WHERE id::text = ANY($1::text[]) ORDER BY lower(coalesce(name, '')), id`,
    [ids],
  );
  return rows;
}
