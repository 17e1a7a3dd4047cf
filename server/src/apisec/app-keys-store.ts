/** SQL for per-app API keys (migration 0010). Only keyed hashes are stored, never a key. */
import type { Queryable } from '../db/index.ts';

export interface AppKeyRow {
  id: string;
  appId: string;
  name: string;
  keyHash: string;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  replacedBy: string | null;
}

const COLUMNS = `id, app_id AS "appId", name, key_hash AS "keyHash", created_at AS "createdAt", created_by AS "createdBy",
  last_used_at AS "lastUsedAt", expires_at AS "expiresAt", revoked_at AS "revokedAt", replaced_by AS "replacedBy"`;

/** PGlite and pg both return timestamptz as Date; this keeps the row type honest either way. */
const dated = (row: AppKeyRow): AppKeyRow => ({
  ...row,
  createdAt: new Date(row.createdAt),
  lastUsedAt: row.lastUsedAt && new Date(row.lastUsedAt),
  expiresAt: row.expiresAt && new Date(row.expiresAt),
  revokedAt: row.revokedAt && new Date(row.revokedAt),
});

/** One key by its public id: the single indexed lookup behind a cache miss. `lock`: for update. */
export async function findAppKey(db: Queryable, id: string, lock = false): Promise<AppKeyRow | undefined> {
  const { rows } = await db.query<AppKeyRow>(`SELECT ${COLUMNS} FROM app_keys WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] && dated(rows[0]);
}

/** Inserts a key; false when the id is taken (the caller draws another). */
export async function insertAppKey(db: Queryable, row: Omit<AppKeyRow, 'lastUsedAt' | 'revokedAt' | 'replacedBy'>): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO app_keys (id, app_id, name, key_hash, created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [row.id, row.appId, row.name, row.keyHash, row.createdAt, row.createdBy, row.expiresAt],
  );
  return rows.length === 1;
}

export async function listAppKeys(db: Queryable, appId: string): Promise<AppKeyRow[]> {
  const { rows } = await db.query<AppKeyRow>(`SELECT ${COLUMNS} FROM app_keys WHERE app_id = $1 ORDER BY created_at, id`, [appId]);
  return rows.map(dated);
}

/** Ends the overlap of a rotated key: it expires at `expiresAt` and names its successor. */
export async function markAppKeyRotated(db: Queryable, id: string, expiresAt: Date, replacedBy: string): Promise<void> {
  await db.query('UPDATE app_keys SET expires_at = $2, replaced_by = $3 WHERE id = $1', [id, expiresAt, replacedBy]);
}

export async function markAppKeyRevoked(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE app_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, at]);
}

/** Never moves backwards: two instances may write out of order. */
export async function touchAppKey(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE app_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)', [id, at]);
}
