/**
 * The table `oauth_payloads` (oauth owns it): oidc-provider's records, keyed by model and the
 * SHA-256 of their id (adapter.ts hashes ids before they reach these functions). The rules —
 * what is hashed, replay claims, single use — are in adapter.ts.
 */
import type { AdapterPayload } from 'oidc-provider';
import type { Queryable } from '../db/index.ts';

export interface StoredPayload {
  payload: AdapterPayload | string;
  consumed_at: Date | null;
}

/** Writes a record (`json` is its payload, already serialized), replacing one with the same model and id. */
export async function upsertPayload(db: Queryable, row: { model: string; id: string; json: string; grantId: string | null; uid: string | null; expiresAt: Date | null }): Promise<void> {
  await db.query(
    `INSERT INTO oauth_payloads (model, id, payload, grant_id, uid, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
       uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
    [row.model, row.id, row.json, row.grantId, row.uid, row.expiresAt],
  );
}

/** The live (unexpired at `now`) record of `model` whose `column` is `value`. */
export async function findPayload(db: Queryable, model: string, column: 'id' | 'uid', value: string, now: Date): Promise<StoredPayload | undefined> {
  const { rows } = await db.query<StoredPayload>(
    `SELECT payload, consumed_at FROM oauth_payloads
     WHERE model = $1 AND ${column === 'uid' ? 'uid' : 'id'} = $2 AND (expires_at IS NULL OR expires_at > $3)`,
    [model, value, now],
  );
  return rows[0];
}

/**
 * Claims a replay-detection id until `until`, in one statement: true when this call claimed it
 * (it was unknown, or its earlier hold had ended by `now`), false when it is held.
 */
export async function claimReplayId(db: Queryable, id: string, until: Date, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO oauth_payloads (model, id, payload, expires_at) VALUES ('ReplayDetection', $1, '{}', $2)
     ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at
       WHERE oauth_payloads.expires_at <= $3`,
    [id, until, now],
  );
  return rowCount === 1;
}

/** Marks a record consumed at `at` if it is not yet: true when this call consumed it. */
export async function consumePayload(db: Queryable, model: string, id: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE oauth_payloads SET consumed_at = $3 WHERE model = $1 AND id = $2 AND consumed_at IS NULL', [model, id, at]);
  return rowCount === 1;
}

/** The grant a record belongs to (null when it has none or does not exist). */
export async function grantOfPayload(db: Queryable, model: string, id: string): Promise<string | null> {
  const { rows } = await db.query<{ grant_id: string | null }>('SELECT grant_id FROM oauth_payloads WHERE model = $1 AND id = $2', [model, id]);
  return rows[0]?.grant_id ?? null;
}

export async function deletePayload(db: Queryable, model: string, id: string): Promise<void> {
  await db.query('DELETE FROM oauth_payloads WHERE model = $1 AND id = $2', [model, id]);
}

export async function deletePayloadsOfGrant(db: Queryable, model: string, grantId: string): Promise<void> {
  await db.query('DELETE FROM oauth_payloads WHERE model = $1 AND grant_id = $2', [model, grantId]);
}

/** Deletes the records that expired before `before`; how many. */
/** Deletes every refresh token, code and grant record of a grant (a Palisade session is one: decision 0002). */
export async function deleteGrantRecords(db: Queryable, grantId: string): Promise<void> {
  await db.query('DELETE FROM oauth_payloads WHERE grant_id = $1', [grantId]);
}

export async function deleteExpiredPayloads(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM oauth_payloads WHERE expires_at < $1', [before]);
  return rowCount ?? 0;
}

/*
 * The table `signing_keys`: the authorization server's token signing keys (keys.ts makes,
 * wraps and rotates them). The private JWK is stored wrapped under the master key.
 */

/** A signing key's row as keys.ts reads it (`publicJwk` may come back as JSON text). */
export interface StoredSigningKey {
  kid: string;
  alg: string;
  publicJwk: unknown;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  retireAfter: Date | null;
}

const KEY_COLUMNS = `kid, alg, public_jwk AS "publicJwk", created_at AS "createdAt", activated_at AS "activatedAt",
  retired_at AS "retiredAt", retire_after AS "retireAfter"`;

export async function insertSigningKeyRow(db: Queryable, key: { kid: string; alg: string; publicJwk: string; wrappedPrivateJwk: string; activateAt: Date }): Promise<void> {
  await db.query(`INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, activated_at) VALUES ($1, $2, $3, $4, $5)`, [key.kid, key.alg, key.publicJwk, key.wrappedPrivateJwk, key.activateAt]);
}

/** Every key, newest first. */
export async function signingKeyRows(db: Queryable): Promise<StoredSigningKey[]> {
  const { rows } = await db.query<StoredSigningKey>(`SELECT ${KEY_COLUMNS} FROM signing_keys ORDER BY created_at DESC`);
  return rows;
}

/**
 * Locks the signing keys against a concurrent change until the transaction `tx` ends (several
 * instances starting or rotating at once), and tells whether a key is not retired.
 */
export async function lockSigningKeys(tx: Queryable): Promise<{ hasUnretired: boolean }> {
  await tx.query('LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await tx.query('SELECT 1 FROM signing_keys WHERE retired_at IS NULL LIMIT 1');
  return { hasUnretired: rows.length > 0 };
}

/** Retires every key not yet retired at `retiredAt`, published until `retireAfter`. */
export async function retireSigningKeys(tx: Queryable, retiredAt: Date, retireAfter: Date): Promise<void> {
  await tx.query(`UPDATE signing_keys SET retired_at = $1, retire_after = $2 WHERE retired_at IS NULL`, [retiredAt, retireAfter]);
}

/** The keys still published at `now` (with their wrapped private JWK), most recently activated first. */
export async function publishedSigningKeys(db: Queryable, now: Date): Promise<(StoredSigningKey & { privateJwk: string })[]> {
  const { rows } = await db.query<StoredSigningKey & { privateJwk: string }>(
    `SELECT ${KEY_COLUMNS}, private_jwk AS "privateJwk" FROM signing_keys
     WHERE retire_after IS NULL OR retire_after > $1 ORDER BY activated_at DESC`,
    [now],
  );
  return rows;
}

/** A refresh token's whole row (for the adapter's prefetch) and whether it was consumed. */
export async function findRefreshTokenRow(db: Queryable, tokenHash: string): Promise<{ id: string; payload: AdapterPayload | string; consumed_at: Date | null; expires_at: Date | null; grant_id: string | null; consumed: boolean } | undefined> {
  const { rows } = await db.query<{ id: string; payload: AdapterPayload | string; consumed_at: Date | null; expires_at: Date | null; grant_id: string | null; consumed: boolean }>(
    `SELECT grant_id, consumed_at IS NOT NULL AS consumed, id, payload, consumed_at, expires_at FROM oauth_payloads WHERE model = 'RefreshToken' AND id = $1`,
    [tokenHash],
  );
  return rows[0];
}

/*
 * The table `refresh_retries`: the refresh-token retry window (refresh-retry.ts), one row per
 * rotated token hash, `pending` while the first request runs, then `done` with its answer.
 */

export interface RefreshRetryRow {
  state: string;
  jkt: string | null;
  response: string | null;
  expires_at: Date;
}

/** Claims the token's retry row (`pending`) until `expiresAt`: true when this call claimed it. */
export async function claimRefreshRetry(db: Queryable, tokenHash: string, expiresAt: Date): Promise<boolean> {
  const { rowCount } = await db.query(`INSERT INTO refresh_retries (token_hash, state, expires_at) VALUES ($1, 'pending', $2) ON CONFLICT DO NOTHING`, [tokenHash, expiresAt]);
  return rowCount === 1;
}

export async function findRefreshRetry(db: Queryable, tokenHash: string): Promise<RefreshRetryRow | undefined> {
  const { rows } = await db.query<RefreshRetryRow>('SELECT state, jkt, response, expires_at FROM refresh_retries WHERE token_hash = $1', [tokenHash]);
  return rows[0];
}

/** Records the first request's answer (wrapped) for the device key `jkt` until `expiresAt`. */
export async function completeRefreshRetry(db: Queryable, tokenHash: string, jkt: string, wrappedResponse: string, expiresAt: Date): Promise<void> {
  await db.query(`UPDATE refresh_retries SET state = 'done', jkt = $2, response = $3, expires_at = $4 WHERE token_hash = $1`, [tokenHash, jkt, wrappedResponse, expiresAt]);
}

export async function deleteRefreshRetry(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM refresh_retries WHERE token_hash = $1', [tokenHash]);
}

/** Deletes the rows whose window ended before `before`; how many. */
export async function deleteExpiredRefreshRetries(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM refresh_retries WHERE expires_at < $1', [before]);
  return rowCount;
}
