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
/** A PostgreSQL notification sent when the transaction commits (and never if it rolls back). */
export async function notifyInTransaction(tx: Queryable, channel: string, message: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [channel, message]);
}

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

/** The keyset position after a row: its sort key exactly as the database compares it, and its id. */
export type ListPosition = readonly [sortKey: string, id: string];

/** A session's state as the lists show it: ended early, past its lifetime, idle-locked, or active. */
export type SessionListState = 'active' | 'locked' | 'ended' | 'expired';

export interface SessionListFilter {
  userId?: string;
  clientId?: string;
  state?: SessionListState;
}

export interface SessionListItem {
  id: string;
  userId: string;
  userName: string | null;
  userEmail: string | null;
  clientId: string;
  state: SessionListState;
  authTime: Date;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  lockedAt: Date | null;
  endedAt: Date | null;
  endedReason: string | null;
  deviceId: string | null;
  platform: string | null;
  model: string | null;
}

/** An instant as sort key: ISO 8601 in UTC to the microsecond, which is what PostgreSQL keeps (a JavaScript Date would drop the microseconds and skip or repeat rows). */
const SORT_INSTANT = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const SESSION_STATE = `CASE WHEN s.revoked_at IS NOT NULL THEN 'ended' WHEN s.expires_at <= $1 THEN 'expired' WHEN s.locked_at IS NOT NULL THEN 'locked' ELSE 'active' END`;

/**
 * A page of sessions, newest first (created, then id, descending), after `after`. Served by the
 * indexes sessions_list* (migration 0018); the WHERE clause is built from fixed fragments,
 * values are parameters.
 */
export async function listSessions(db: Queryable, filter: SessionListFilter, after: ListPosition | undefined, limit: number, now: Date): Promise<{ rows: SessionListItem[]; last: ListPosition | undefined; more: boolean }> {
  const where: string[] = [];
  const values: unknown[] = [now];
  const param = (value: unknown) => `$${values.push(value)}`;
  if (filter.userId !== undefined) where.push(`s.user_id = ${param(filter.userId)}::uuid`);
  if (filter.clientId !== undefined) where.push(`s.client_id = ${param(filter.clientId)}::text`);
  switch (filter.state) {
    case 'active':
      where.push('s.revoked_at IS NULL AND s.expires_at > $1 AND s.locked_at IS NULL');
      break;
    case 'locked':
      where.push('s.revoked_at IS NULL AND s.expires_at > $1 AND s.locked_at IS NOT NULL');
      break;
    case 'expired':
      where.push('s.revoked_at IS NULL AND s.expires_at <= $1');
      break;
    case 'ended':
      where.push('s.revoked_at IS NOT NULL');
      break;
  }
  if (after) where.push(`(s.created_at, s.id) < (${param(after[0])}::timestamptz, ${param(after[1])}::text)`);
  const { rows } = await db.query<SessionListItem & { sortKey: string }>(
    `SELECT s.id, s.user_id AS "userId", u.name AS "userName", u.email AS "userEmail", s.client_id AS "clientId",
       ${SESSION_STATE} AS state, s.auth_time AS "authTime", s.created_at AS "createdAt", s.expires_at AS "expiresAt",
       s.last_seen_at AS "lastSeenAt", s.locked_at AS "lockedAt", s.revoked_at AS "endedAt", s.revoked_reason AS "endedReason",
       s.device_id AS "deviceId", d.platform, d.model, ${SORT_INSTANT('s.created_at')} AS "sortKey"
     FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN devices d ON d.id = s.device_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY s.created_at DESC, s.id DESC
     LIMIT ${param(limit + 1)}`,
    values,
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const tail = page.at(-1);
  return { rows: page.map(({ sortKey: _sortKey, ...row }) => row), last: tail ? [tail.sortKey, tail.id] : undefined, more };
}

export type DeviceListState = 'active' | 'locked' | 'evicted' | 'wiped' | 'revoked';

export interface DeviceListFilter {
  userId?: string;
  clientId?: string;
  state?: DeviceListState;
  /** Corporate only when an MDM said the device is managed; everything else is BYOD. */
  ownership?: 'corporate' | 'byod';
  compliance?: 'compliant' | 'noncompliant' | 'unknown';
  seenAfter?: Date;
  seenBefore?: Date;
}

export interface DeviceListItem {
  id: string;
  userId: string;
  userName: string | null;
  userEmail: string | null;
  clientId: string;
  platform: string | null;
  model: string | null;
  osVersion: string | null;
  appVersion: string | null;
  state: DeviceListState;
  stateReason: string | null;
  ownership: 'corporate' | 'byod';
  compliance: 'compliant' | 'noncompliant' | 'unknown';
  complianceReasons: string[];
  mdmDeviceId: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  openSessions: number;
}

/**
 * A page of devices, most recently seen first (then id, descending), after `after`. Served by
 * the indexes devices_list* (migration 0018).
 */
export async function listDevices(db: Queryable, filter: DeviceListFilter, after: ListPosition | undefined, limit: number, now: Date): Promise<{ rows: DeviceListItem[]; last: ListPosition | undefined; more: boolean }> {
  const where: string[] = [];
  const values: unknown[] = [now];
  const param = (value: unknown) => `$${values.push(value)}`;
  if (filter.userId !== undefined) where.push(`d.user_id = ${param(filter.userId)}::uuid`);
  if (filter.clientId !== undefined) where.push(`d.client_id = ${param(filter.clientId)}::text`);
  if (filter.state !== undefined) where.push(`d.state = ${param(filter.state)}::text`);
  if (filter.ownership !== undefined) where.push(filter.ownership === 'corporate' ? `d.ownership = 'corporate'` : `d.ownership IS DISTINCT FROM 'corporate'`);
  if (filter.compliance !== undefined) where.push(`d.compliance = ${param(filter.compliance)}::text`);
  if (filter.seenAfter !== undefined) where.push(`d.last_seen_at >= ${param(filter.seenAfter)}::timestamptz`);
  if (filter.seenBefore !== undefined) where.push(`d.last_seen_at < ${param(filter.seenBefore)}::timestamptz`);
  if (after) where.push(`(d.last_seen_at, d.id) < (${param(after[0])}::timestamptz, ${param(after[1])}::uuid)`);
  const { rows } = await db.query<DeviceListItem & { sortKey: string }>(
    `SELECT d.id, d.user_id AS "userId", u.name AS "userName", u.email AS "userEmail", d.client_id AS "clientId",
       d.platform, d.model, d.os_version AS "osVersion", d.app_version AS "appVersion", d.state, d.state_reason AS "stateReason",
       CASE WHEN d.ownership = 'corporate' THEN 'corporate' ELSE 'byod' END AS ownership,
       d.compliance, d.compliance_reasons AS "complianceReasons", d.mdm_device_id AS "mdmDeviceId",
       d.first_seen_at AS "firstSeenAt", d.last_seen_at AS "lastSeenAt", ${SORT_INSTANT('d.last_seen_at')} AS "sortKey",
       (SELECT count(*)::int FROM sessions s WHERE s.device_id = d.id AND s.revoked_at IS NULL AND s.expires_at > $1) AS "openSessions"
     FROM devices d JOIN users u ON u.id = d.user_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY d.last_seen_at DESC, d.id DESC
     LIMIT ${param(limit + 1)}`,
    values,
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const tail = page.at(-1);
  return { rows: page.map(({ sortKey: _sortKey, ...row }) => row), last: tail ? [tail.sortKey, tail.id] : undefined, more };
}

/** What the console's overview counts: open sessions, devices in use and those by compliance state. */
export interface SessionOverview {
  activeSessions: number;
  activeDevices: number;
  compliance: { compliant: number; noncompliant: number; unknown: number };
}

/**
 * Counts for the overview. One statement each; on 100 000 sessions they are index or sequential
 * scans of a few milliseconds, run only when an administrator opens the overview.
 */
export async function sessionOverview(db: Queryable, now: Date): Promise<SessionOverview> {
  const { rows: s } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE revoked_at IS NULL AND expires_at > $1', [now]);
  const { rows: d } = await db.query<{ compliance: string; n: number }>(
    `SELECT compliance, count(*)::int AS n FROM devices WHERE state IN ('active', 'locked') GROUP BY compliance`,
  );
  const compliance = { compliant: 0, noncompliant: 0, unknown: 0 };
  for (const row of d) if (row.compliance in compliance) compliance[row.compliance as keyof typeof compliance] = row.n;
  return { activeSessions: s[0]?.n ?? 0, activeDevices: d.reduce((sum, row) => sum + row.n, 0), compliance };
}

/*
 * Idle lock (activity.ts) and biometric unlock (unlock.ts): the statements on a session's lock
 * and unlock columns.
 */

/**
 * Records activity of the session at `now`, or locks it as idle when neither the row nor this
 * instance (`localSeenAt`) saw activity since `idleSince`. Undefined when there is no such
 * session; otherwise whether it is locked.
 */
export async function recordActivityOrIdleLock(db: Queryable, sessionId: string, localSeenAt: Date | null, now: Date, idleSince: Date): Promise<{ locked: boolean } | undefined> {
  // Idle when neither the row nor this instance saw activity since the threshold.
  const idle = `locked_at IS NULL AND GREATEST(last_seen_at, COALESCE($2, last_seen_at)) < $4`;
  const { rows } = await db.query<{ locked: boolean }>(
    `UPDATE sessions SET
       locked_at    = CASE WHEN ${idle} THEN $3 ELSE locked_at END,
       lock_reason  = CASE WHEN ${idle} THEN 'idle' ELSE lock_reason END,
       last_seen_at = CASE WHEN locked_at IS NULL AND NOT (${idle}) THEN $3 ELSE last_seen_at END
     WHERE id = $1
     RETURNING locked_at IS NOT NULL AS locked`,
    [sessionId, localSeenAt, now, idleSince],
  );
  return rows[0];
}

/** Moves the last use of the session's device forward to `now` (never back). */
export async function touchSessionDevice(db: Queryable, sessionId: string, now: Date): Promise<void> {
  await db.query('UPDATE devices SET last_seen_at = $2 FROM sessions WHERE sessions.id = $1 AND devices.id = sessions.device_id AND devices.last_seen_at < $2', [sessionId, now]);
}

/**
 * Stores a new unlock challenge (its hash) for the session when it has an unlock key and
 * unlocking is not blocked. Undefined when there is no such session.
 */
export async function storeUnlockChallenge(db: Queryable, sessionId: string, challengeHash: string, expiresAt: Date): Promise<{ blocked: boolean; has_key: boolean } | undefined> {
  const { rows } = await db.query<{ blocked: boolean; has_key: boolean }>(
    `UPDATE sessions SET
       unlock_challenge = CASE WHEN unlock_jwk IS NOT NULL AND unlock_blocked_at IS NULL THEN $2 ELSE NULL END,
       unlock_challenge_expires_at = $3
     WHERE id = $1 RETURNING unlock_blocked_at IS NOT NULL AS blocked, unlock_jwk IS NOT NULL AS has_key`,
    [sessionId, challengeHash, expiresAt],
  );
  return rows[0];
}

/**
 * Takes the outstanding unlock challenge in the same statement that reads it (single use, even
 * when two attempts race): the unlock key, the challenge and its expiry, and whether unlocking
 * is blocked.
 */
export async function takeUnlockChallenge(db: Queryable, sessionId: string): Promise<{ jwk: object | string | null; challenge: string | null; expires: Date | null; blocked: boolean } | undefined> {
  const { rows } = await db.query<{ jwk: object | string | null; challenge: string | null; expires: Date | null; blocked: boolean }>(
    `UPDATE sessions s SET unlock_challenge = NULL
     FROM (SELECT id, unlock_challenge, unlock_challenge_expires_at FROM sessions WHERE id = $1 FOR UPDATE) old
     WHERE s.id = old.id
     RETURNING s.unlock_jwk AS jwk, old.unlock_challenge AS challenge, old.unlock_challenge_expires_at AS expires, s.unlock_blocked_at IS NOT NULL AS blocked`,
    [sessionId],
  );
  return rows[0];
}

/** Unlocks the session (and counts it as used at `now`). */
export async function markUnlocked(db: Queryable, sessionId: string, now: Date): Promise<void> {
  await db.query(`UPDATE sessions SET locked_at = NULL, lock_reason = NULL, last_seen_at = $2, unlock_failures = 0 WHERE id = $1`, [sessionId, now]);
}

/** Counts a failed unlock; at `maxFailures` unlocking is blocked from `now`. */
export async function countUnlockFailure(db: Queryable, sessionId: string, maxFailures: number, now: Date): Promise<{ blocked: boolean; failures: number } | undefined> {
  const { rows } = await db.query<{ blocked: boolean; failures: number }>(
    `UPDATE sessions SET unlock_failures = unlock_failures + 1,
       unlock_blocked_at = CASE WHEN unlock_failures + 1 >= $2 THEN $3 ELSE unlock_blocked_at END
     WHERE id = $1 RETURNING unlock_blocked_at IS NOT NULL AS blocked, unlock_failures AS failures`,
    [sessionId, maxFailures, now],
  );
  return rows[0];
}

/** Every session neither ended nor expired at `now`. */
export async function liveSessionIds(db: Queryable, now: Date): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM sessions WHERE revoked_at IS NULL AND expires_at > $1', [now]);
  return rows.map((row) => row.id);
}
