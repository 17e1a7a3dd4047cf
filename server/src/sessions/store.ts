import type { Queryable } from '../db/index.ts';

export interface Session {
  id: string;
  userId: string;
  clientId: string;
  authTime: Date;
  acr: string | null;
  amr: string[];
  expiresAt: Date;
  createdAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** The company IdP's session id behind this sign-in, when its ID token named one. */
  upstreamSid?: string | null;
  /** The device (DPoP key) the session is bound to, for apps that use DPoP. */
  deviceId?: string | null;
  /** The public key that unlocks the session after an idle lock (registered at sign-in). */
  unlockJwk?: object | null;
  /** What the app said about its device; the device record is made once the key is proven. */
  deviceDescription?: object | null;
}

const COLUMNS = `id, user_id AS "userId", client_id AS "clientId", auth_time AS "authTime", acr, amr,
  expires_at AS "expiresAt", created_at AS "createdAt", revoked_at AS "revokedAt", revoked_reason AS "revokedReason", device_id AS "deviceId"`;

/** A session as its owner or an administrator sees it. */
export interface SessionView extends Session {
  lastSeenAt: Date;
  lockedAt: Date | null;
  lockReason: string | null;
}

const VIEW_COLUMNS = `${COLUMNS}, last_seen_at AS "lastSeenAt", locked_at AS "lockedAt", lock_reason AS "lockReason"`;

/** A user's sessions still within their lifetime (active, locked, or ended early and why), newest first. */
export async function listUserSessions(db: Queryable, userId: string, now: Date): Promise<SessionView[]> {
  const { rows } = await db.query<SessionView>(
    `SELECT ${VIEW_COLUMNS} FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id LIMIT 100`,
    [userId, now],
  );
  return rows;
}

export async function findSessionView(db: Queryable, id: string): Promise<SessionView | undefined> {
  const { rows } = await db.query<SessionView>(`SELECT ${VIEW_COLUMNS} FROM sessions WHERE id = $1`, [id]);
  return rows[0];
}

export async function insertSession(db: Queryable, s: Omit<Session, 'createdAt' | 'revokedAt' | 'revokedReason'>, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id, user_id, client_id, auth_time, acr, amr, expires_at, created_at, last_seen_at, upstream_sid, device_id, unlock_jwk, device_description)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12)`,
    [s.id, s.userId, s.clientId, s.authTime, s.acr, s.amr, s.expiresAt, now, s.upstreamSid ?? null, s.deviceId ?? null, s.unlockJwk ? JSON.stringify(s.unlockJwk) : null, s.deviceDescription ? JSON.stringify(s.deviceDescription) : null],
  );
}

export async function findSession(db: Queryable, id: string): Promise<Session | undefined> {
  const { rows } = await db.query<Session>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1`, [id]);
  return rows[0];
}

/** Marks the session revoked; returns false when it was already revoked or does not exist. */
export async function markRevoked(db: Queryable, id: string, reason: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL`,
    [id, at, reason],
  );
  return rowCount > 0;
}

/** Revoked sessions whose tokens could still be unexpired (the in-memory deny set is loaded from this). */
export async function recentlyRevoked(db: Queryable, since: Date): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM sessions WHERE revoked_at IS NOT NULL AND revoked_at > $1`, [since]);
  return rows.map((r) => r.id);
}

/** Active (not revoked, not expired) session ids of a user. */
export async function activeSessionIds(db: Queryable, userId: string, now: Date): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2`,
    [userId, now],
  );
  return rows.map((r) => r.id);
}

/** Deletes every refresh token, code and grant record of the session (its grant). */
export async function destroyGrantRecords(db: Queryable, sessionId: string): Promise<void> {
  await db.query(`DELETE FROM oauth_payloads WHERE grant_id = $1`, [sessionId]);
  // The request signing key dies with the session (apisec/signing-keys.ts).
  await db.query(`DELETE FROM session_signing_keys WHERE session_id = $1`, [sessionId]);
}

/**
 * Active sessions a company-IdP logout names: of the person `sub` at `issuer`, and/or of the
 * IdP session `sid` (OIDC Back-Channel Logout 1.0 §2.4: either or both).
 */
export async function sessionsForUpstreamLogout(db: Queryable, issuer: string, sub: string | undefined, sid: string | undefined): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE u.issuer = $1 AND s.revoked_at IS NULL
       AND ($2::text IS NULL OR u.subject = $2) AND ($3::text IS NULL OR s.upstream_sid = $3)`,
    [issuer, sub ?? null, sid ?? null],
  );
  return rows.map((r) => r.id);
}

/** Records a logout token's jti; false when it was seen before (a replay). */
export async function rememberLogoutToken(db: Queryable, issuer: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
  await db.query('DELETE FROM logout_token_jtis WHERE expires_at < $1', [now]);
  const { rowCount } = await db.query('INSERT INTO logout_token_jtis (issuer, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [issuer, jti, expiresAt]);
  return rowCount === 1;
}
