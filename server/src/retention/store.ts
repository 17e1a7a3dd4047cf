/**
 * SQL of retention: one batch of each kind of expired record, deleted. Each statement picks at
 * most `$2` rows by an indexed condition and deletes exactly those, so a batch is short and holds
 * few locks however much has piled up. Like privacy, retention reaches into the tables of the
 * modules whose records expire; each query names the owner. The `devices` table's owner
 * deletes its own (sessions/index.ts `purgeEndedDevices`).
 */
import type { Queryable } from '../db/index.ts';

export const RETENTION_KINDS = ['endedSessions', 'endedDevices', 'jobEvents', 'locations', 'photos', 'replayState'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Only one instance purges at a time: each batch runs under this transaction-level advisory lock. */
export async function tryRetentionLock(q: Queryable, lock: number): Promise<boolean> {
  const { rows } = await q.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [lock]);
  return rows[0]?.locked === true;
}

/** sessions: ended (revoked or expired) before the cutoff; their grants' records go with them. */
export async function purgeEndedSessions(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  const { rows } = await q.query<{ id: string }>(
    `DELETE FROM sessions WHERE id IN (
       SELECT id FROM sessions WHERE revoked_at < $1 OR (revoked_at IS NULL AND expires_at < $1) LIMIT $2)
     RETURNING id`,
    [cutoff, limit],
  );
  if (rows.length > 0) await q.query('DELETE FROM oauth_payloads WHERE grant_id = ANY($1::text[])', [rows.map((r) => r.id)]);
  return rows.length;
}

/** fieldservice: the history of jobs closed (completed or cancelled) before the cutoff. */
export async function purgeJobEvents(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM fs_job_events WHERE id IN (
       SELECT e.id FROM fs_job_events e JOIN fs_jobs j ON j.id = e.job_id
        WHERE j.status IN ('completed', 'cancelled') AND j.status_changed_at < $1 AND e.at < $1 LIMIT $2)`,
    [cutoff, limit],
  );
  return rowCount;
}

/** fieldservice: positions older than the cutoff. */
export async function purgeLocations(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM fs_locations WHERE id IN (SELECT id FROM fs_locations WHERE at < $1 LIMIT $2)', [cutoff, limit]);
  return rowCount;
}

/** fieldservice: photos of jobs closed before the cutoff; returns the blob keys to delete. */
export async function purgePhotos(q: Queryable, cutoff: Date, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ blobKey: string }>(
    `DELETE FROM fs_photos WHERE id IN (
       SELECT p.id FROM fs_photos p JOIN fs_jobs j ON j.id = p.job_id
        WHERE j.status IN ('completed', 'cancelled') AND j.status_changed_at < $1 AND p.created_at < $1 LIMIT $2)
     RETURNING blob_key AS "blobKey"`,
    [cutoff, limit],
  );
  return rows.map((r) => r.blobKey);
}

/** oauth, sessions: replay and retry state (logout token ids, refresh retries, authorization server records) expired before the cutoff. */
export async function purgeReplayState(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  const jtis = await q.query('DELETE FROM logout_token_jtis WHERE (issuer, jti) IN (SELECT issuer, jti FROM logout_token_jtis WHERE expires_at < $1 LIMIT $2)', [cutoff, limit]);
  const retries = await q.query('DELETE FROM refresh_retries WHERE token_hash IN (SELECT token_hash FROM refresh_retries WHERE expires_at < $1 LIMIT $2)', [cutoff, limit]);
  const payloads = await q.query('DELETE FROM oauth_payloads WHERE (model, id) IN (SELECT model, id FROM oauth_payloads WHERE expires_at < $1 LIMIT $2)', [cutoff, limit]);
  return jtis.rowCount + retries.rowCount + payloads.rowCount;
}
