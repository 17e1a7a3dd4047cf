/**
 * The table `session_signing_keys` (apisec owns it): one wrapped request-signing key per
 * session. The rules (wrapping, the per-instance cache, revoked sessions) are in signing-keys.ts.
 */
import type { Queryable } from '../db/index.ts';

/**
 * Stores a session's key unless the session already has one or has ended (then nothing is
 * written: the caller reads back whichever key won).
 */
export async function insertSigningKey(db: Queryable, sessionId: string, keyId: string, wrappedKey: string): Promise<void> {
  await db.query(
    `INSERT INTO session_signing_keys (session_id, key_id, wrapped_key)
     SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL)
     ON CONFLICT (session_id) DO NOTHING`,
    [sessionId, keyId, wrappedKey],
  );
}

/** The session's stored key (still wrapped), if it has one. */
export async function findSigningKey(db: Queryable, sessionId: string): Promise<{ keyId: string; wrappedKey: string } | undefined> {
  const { rows } = await db.query<{ key_id: string; wrapped_key: string }>('SELECT key_id, wrapped_key FROM session_signing_keys WHERE session_id = $1', [sessionId]);
  const row = rows[0];
  return row && { keyId: row.key_id, wrappedKey: row.wrapped_key };
}

/** The session's request signing key dies with the session (run in its revocation's transaction). */
export async function deleteSessionSigningKey(db: Queryable, sessionId: string): Promise<void> {
  await db.query('DELETE FROM session_signing_keys WHERE session_id = $1', [sessionId]);
}
