/**
 * The SQL of data keys (migration 0013). Only rows move here: wrapping, unwrapping and the
 * choice of which key encrypts are envelope.ts's. The runtime role may read, insert and update
 * these rows but never delete them, because a deleted key makes every value it wrote unreadable.
 */
import type { Queryable } from '../db/index.ts';

export interface DataKeyRow {
  id: string;
  /** The key under the master key (JWE), context `palisade-data-key:<id>`. */
  wrappedKey: string;
  createdAt: Date;
  activatedAt: Date;
  /** Null for the one key that encrypts new values. */
  retiredAt: Date | null;
}

const ROW = `id, wrapped_key AS "wrappedKey", created_at AS "createdAt", activated_at AS "activatedAt", retired_at AS "retiredAt"`;

export async function selectActiveDataKey(db: Queryable): Promise<DataKeyRow | undefined> {
  const { rows } = await db.query<DataKeyRow>(`SELECT ${ROW} FROM data_keys WHERE retired_at IS NULL`);
  return rows[0];
}

export async function selectDataKey(db: Queryable, id: string): Promise<DataKeyRow | undefined> {
  const { rows } = await db.query<DataKeyRow>(`SELECT ${ROW} FROM data_keys WHERE id = $1`, [id]);
  return rows[0];
}

export async function selectAllDataKeys(db: Queryable): Promise<DataKeyRow[]> {
  const { rows } = await db.query<DataKeyRow>(`SELECT ${ROW} FROM data_keys ORDER BY activated_at DESC, id`);
  return rows;
}

/**
 * Inserts `row` as the active key unless one is active already (another instance's first use
 * won the race): the partial unique index decides, so no lock is needed. True if inserted.
 */
export async function insertFirstDataKey(db: Queryable, row: { id: string; wrappedKey: string; at: Date }): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO data_keys (id, wrapped_key, created_at, activated_at) VALUES ($1, $2, $3, $3)
     ON CONFLICT ((true)) WHERE retired_at IS NULL DO NOTHING`,
    [row.id, row.wrappedKey, row.at],
  );
  return rowCount === 1;
}

/**
 * Serializes rotations and master-key re-wraps (and waits for first uses in flight) without
 * blocking reads: SHARE ROW EXCLUSIVE conflicts with writers only, not with SELECT.
 */
export async function lockDataKeys(tx: Queryable): Promise<void> {
  await tx.query('LOCK TABLE data_keys IN SHARE ROW EXCLUSIVE MODE');
}

/** Retires the active key (there is at most one); returns its id, if there was one. */
export async function retireActiveDataKey(tx: Queryable, at: Date): Promise<string | undefined> {
  const { rows } = await tx.query<{ id: string }>(`UPDATE data_keys SET retired_at = $1 WHERE retired_at IS NULL RETURNING id`, [at]);
  return rows[0]?.id;
}

export async function insertActiveDataKey(tx: Queryable, row: { id: string; wrappedKey: string; at: Date }): Promise<void> {
  await tx.query(`INSERT INTO data_keys (id, wrapped_key, created_at, activated_at) VALUES ($1, $2, $3, $3)`, [row.id, row.wrappedKey, row.at]);
}

export async function updateWrappedDataKey(tx: Queryable, id: string, wrappedKey: string): Promise<void> {
  await tx.query(`UPDATE data_keys SET wrapped_key = $2 WHERE id = $1`, [id, wrappedKey]);
}
