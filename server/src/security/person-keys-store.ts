/**
 * The SQL of per-person data keys (migration 0023). Only rows move here: wrapping, caching and
 * encryption are person-keys.ts's. The runtime role may read and add keys; deleting one — the
 * crypto-shredding of a person's data — is the owner's, inside the erasure's transaction.
 */
import type { Queryable } from '../db/index.ts';

export interface PersonKeyRow {
  id: string;
  personId: string;
  /** The key under the person-key wrapping key (JWE), context `palisade-person-key:<id>:<person>`. */
  wrappedKey: string;
  createdAt: Date;
}

const ROW = `id, person_id::text AS "personId", wrapped_key AS "wrappedKey", created_at AS "createdAt"`;

export async function selectPersonKeyById(q: Queryable, id: string): Promise<PersonKeyRow | undefined> {
  const { rows } = await q.query<PersonKeyRow>(`SELECT ${ROW} FROM person_keys WHERE id = $1`, [id]);
  return rows[0];
}

export async function selectPersonKeyOf(q: Queryable, personId: string): Promise<PersonKeyRow | undefined> {
  const { rows } = await q.query<PersonKeyRow>(`SELECT ${ROW} FROM person_keys WHERE person_id = $1`, [personId]);
  return rows[0];
}

/** Inserts the person's key unless they have one already (another instance won): true if inserted. */
export async function insertPersonKey(q: Queryable, row: { id: string; personId: string; wrappedKey: string; at: Date }): Promise<boolean> {
  const { rowCount } = await q.query(`INSERT INTO person_keys (id, person_id, wrapped_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO NOTHING`, [
    row.id,
    row.personId,
    row.wrappedKey,
    row.at,
  ]);
  return rowCount === 1;
}

/** Serializes a master-key re-wrap against first uses (which insert), without blocking reads. */
export async function lockPersonKeys(tx: Queryable): Promise<void> {
  await tx.query('LOCK TABLE person_keys IN SHARE ROW EXCLUSIVE MODE');
}

/** A key re-wrapped under another master key (owner only: the runtime role may not update keys). */
export async function updateWrappedPersonKey(tx: Queryable, id: string, wrappedKey: string): Promise<void> {
  await tx.query('UPDATE person_keys SET wrapped_key = $2 WHERE id = $1', [id, wrappedKey]);
}

/** Destroys the person's key (owner only); the ids destroyed. */
export async function deletePersonKeys(q: Queryable, personId: string): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>('DELETE FROM person_keys WHERE person_id = $1 RETURNING id', [personId]);
  return rows.map((r) => r.id);
}

/** Every key, for the key file of a backup (wrapped: no key material leaves in the clear). */
export async function selectAllPersonKeys(q: Queryable): Promise<PersonKeyRow[]> {
  const { rows } = await q.query<PersonKeyRow>(`SELECT ${ROW} FROM person_keys ORDER BY created_at, id`);
  return rows;
}

/** Replaces every key with `rows` (a restore from a key file), in the caller's transaction. */
export async function replaceAllPersonKeys(q: Queryable, rows: readonly PersonKeyRow[]): Promise<void> {
  await q.query('DELETE FROM person_keys');
  for (const row of rows) {
    await q.query('INSERT INTO person_keys (id, person_id, wrapped_key, created_at) VALUES ($1, $2, $3, $4)', [row.id, row.personId, row.wrappedKey, row.createdAt]);
  }
}

/**
 * How many people have sealed positions or photos (field service, migration 0023) but no key:
 * after a restore, the people erased since the backup — or, with a key file older than the data,
 * people whose key is newer than it. The one query here that reads another module's tables: it
 * only counts, for the restore's report.
 */
export async function countPeopleWithoutKeys(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT technician_id AS person FROM fs_locations WHERE sealed IS NOT NULL
       UNION SELECT uploaded_by FROM fs_photos WHERE sealed) p
      WHERE NOT EXISTS (SELECT 1 FROM person_keys k WHERE k.person_id = p.person)`,
  );
  return rows[0]!.n;
}
