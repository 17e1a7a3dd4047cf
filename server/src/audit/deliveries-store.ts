/** SQL of the webhook delivery log (migration 0027 alert_deliveries): bounded, newest kept. */
import type { Queryable } from '../db/index.ts';
import type { AlertSeverity } from './monitor.ts';

export interface DeliveryAttempt {
  at: Date;
  rule: string;
  severity: AlertSeverity;
  /** Position of the webhook in monitoring.webhooks (from 0). */
  webhook: number;
  /** The webhook's origin only (never its path, query or credentials). */
  origin: string;
  attempt: number;
  attempts: number;
  outcome: 'delivered' | 'retrying' | 'failed';
  reason: string | null;
}

export interface DeliveryRow extends DeliveryAttempt {
  id: string;
}

/** Adds one attempt and forgets all but the newest `keep` (ids only grow, so a range delete suffices). */
export async function insertDelivery(q: Queryable, a: DeliveryAttempt, keep: number): Promise<void> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO alert_deliveries (at, rule, severity, webhook, origin, attempt, attempts, outcome, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text AS id`,
    [a.at, a.rule.slice(0, 64), a.severity, a.webhook, a.origin.slice(0, 300), a.attempt, a.attempts, a.outcome, a.reason?.slice(0, 100) ?? null],
  );
  await q.query('DELETE FROM alert_deliveries WHERE id <= $1', [Number(rows[0]!.id) - keep]);
}

/** Newest first, keyset-paged by id; optionally only one outcome or one rule. */
export async function listDeliveries(q: Queryable, f: { before?: number; limit: number; outcome?: string; rule?: string }): Promise<DeliveryRow[]> {
  const { rows } = await q.query<DeliveryRow>(
    `SELECT id::text AS id, at, rule, severity, webhook, origin, attempt, attempts, outcome, reason
       FROM alert_deliveries
      WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR outcome = $2) AND ($3::text IS NULL OR rule = $3)
      ORDER BY id DESC LIMIT $4`,
    [f.before ?? null, f.outcome ?? null, f.rule ?? null, f.limit],
  );
  return rows;
}
