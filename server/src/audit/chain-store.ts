/**
 * The SQL of the hash chain (audit_chain, audit_pending, audit_checkpoints) as the sealer and
 * `audit verify` use it: the queue's next batch, the chain head, the write of a round, the
 * checkpoints. Each function runs on the caller's transaction, under the role the caller set
 * (sealer.ts `asRole`).
 */
import type { Queryable } from '../db/index.ts';
import { RECORD_COLUMNS, type RecordRow } from './chain.ts';

/**
 * The next batch of pending records, oldest first. Written so that it can only be run one way:
 * the first `$1` ids from audit_pending's key, then each event fetched by its primary key
 * (a LATERAL subquery that refers to the outer row is a nested loop with an index lookup per
 * row). The plain join ("pending JOIN events ORDER BY id LIMIT n") leaves the join method to the
 * planner, which with statistics taken before the trail grew picks a merge join that walks
 * audit_events' whole key from the start to reach the pending ids at its end: seconds per round
 * at millions of rows, so the sealer fell behind however fast it hashed. This costs the same at
 * any size of the trail (a test EXPLAINs it on PostgreSQL with stale statistics).
 */
export const PENDING_BATCH = `SELECT ${RECORD_COLUMNS}
  FROM (SELECT event_id FROM audit_pending ORDER BY event_id LIMIT $1) p
  CROSS JOIN LATERAL (SELECT * FROM audit_events WHERE id = p.event_id) e
  ORDER BY p.event_id`;

/** Up to `limit` pending records, oldest first (PENDING_BATCH). */
export async function pendingBatch(q: Queryable, limit: number): Promise<RecordRow[]> {
  return (await q.query<RecordRow>(PENDING_BATCH, [limit])).rows;
}

/** Takes the transaction-scoped advisory lock `key` if no other transaction holds it. */
export async function tryTransactionLock(q: Queryable, key: number): Promise<boolean> {
  const { rows } = await q.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [key]);
  return !!rows[0]?.locked;
}

/** The newest link, the newest checkpoint and (with `mineSeq`) the hash stored at that seq, as one row. */
export interface HeadRow {
  seq: string | null;
  hash: string | null;
  cp_n: string | null;
  cp_seq: string | null;
  cp_hash: string | null;
  cp_at: Date | string | null;
  cp_jws: string | null;
  mine: string | null;
}

/**
 * The newest link and the newest checkpoint in one statement (one snapshot, one round trip per
 * sealing round); each is a backward scan of its primary key, one row. With `mineSeq`, the hash
 * stored at that seq too (`mine`: null when the row is gone).
 */
export async function headRow(q: Queryable, mineSeq?: number): Promise<HeadRow | undefined> {
  const { rows } = await q.query<HeadRow>(
    `SELECT c.seq::text AS seq, c.hash, k.n::text AS cp_n, k.seq::text AS cp_seq, k.hash AS cp_hash, k.at AS cp_at, k.jws AS cp_jws, w.hash AS mine
       FROM (SELECT 1) AS one
       LEFT JOIN LATERAL (SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1) c ON true
       LEFT JOIN LATERAL (SELECT n, seq, hash, at, jws FROM audit_checkpoints ORDER BY n DESC LIMIT 1) k ON true
       LEFT JOIN LATERAL (SELECT hash FROM audit_chain WHERE seq = $1) w ON true`,
    [mineSeq ?? null],
  );
  return rows[0];
}

export type LinkedRow = RecordRow & { seq: string; hash: string; subjects: string[] | null };

/**
 * The links after `after` up to `through` with their events, in chain order. Each chain row's
 * event is read by its primary key (LATERAL), as in PENDING_BATCH, so the read never turns into a
 * join over the whole trail.
 */
export async function linksBetween(q: Queryable, after: number, through: number): Promise<LinkedRow[]> {
  const { rows } = await q.query<LinkedRow>(
    `SELECT c.seq::text AS seq, c.hash, c.subjects::text[] AS subjects, ${RECORD_COLUMNS}
       FROM audit_chain c CROSS JOIN LATERAL (SELECT * FROM audit_events WHERE id = c.event_id) e
      WHERE c.seq > $1 AND c.seq <= $2 ORDER BY c.seq`,
    [after, through],
  );
  return rows;
}

/** Up to `limit` links after `after`, with their events, in chain order (a page of `audit verify`). */
export async function linksAfter(q: Queryable, after: number, limit: number): Promise<LinkedRow[]> {
  const { rows } = await q.query<LinkedRow>(
    `SELECT c.seq::text AS seq, c.hash, c.subjects::text[] AS subjects, ${RECORD_COLUMNS} FROM audit_chain c JOIN audit_events e ON e.id = c.event_id
         WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`,
    [after, limit],
  );
  return rows;
}

/** Inserts the links and deletes their events from audit_pending; returns how many rows each touched. */
export async function linkAndDequeue(q: Queryable, links: { seqs: number[]; ids: string[]; hashes: string[]; subjects: string[] }): Promise<{ linked: number; dequeued: number }> {
  const { rows } = await q.query<{ linked: string; dequeued: string }>(
    `WITH dequeued AS (DELETE FROM audit_pending WHERE event_id = ANY($2::bigint[]) RETURNING 1),
          linked AS (INSERT INTO audit_chain (seq, event_id, hash, subjects)
            SELECT s, e, h, j::bigint[] FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS u (s, e, h, j) RETURNING 1)
     SELECT (SELECT count(*) FROM linked)::text AS linked, (SELECT count(*) FROM dequeued)::text AS dequeued`,
    [links.seqs, links.ids, links.hashes, links.subjects],
  );
  return { linked: Number(rows[0]?.linked), dequeued: Number(rows[0]?.dequeued) };
}

/** Stores a signed checkpoint. */
export async function insertCheckpointRow(q: Queryable, row: { n: number; kind: string; seq: number; hash: string; at: string; kid: string; jws: string }): Promise<void> {
  await q.query('INSERT INTO audit_checkpoints (n, kind, seq, hash, at, kid, jws) VALUES ($1, $2, $3, $4, $5, $6, $7)', [row.n, row.kind, row.seq, row.hash, row.at, row.kid, row.jws]);
}

/** Every checkpoint's JWS and position, in order. */
export async function checkpointRows(q: Queryable): Promise<{ jws: string; n: string }[]> {
  return (await q.query<{ jws: string; n: string }>('SELECT k.jws, k.n::text AS n FROM audit_checkpoints k ORDER BY k.n')).rows;
}

/** The seq the newest seal checkpoint covers (null: none yet). */
export async function sealedThrough(q: Queryable): Promise<string | null> {
  return (await q.query<{ seq: string | null }>(`SELECT max(seq)::text AS seq FROM audit_checkpoints WHERE kind = 'seal'`)).rows[0]!.seq;
}

/** The hash of the link at `seq`, or of the purge checkpoint that ended there; undefined when neither exists. */
export async function hashAt(q: Queryable, seq: number): Promise<string | undefined> {
  return (
    (await q.query<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = $1', [seq])).rows[0]?.hash ??
    (await q.query<{ hash: string }>(`SELECT hash FROM audit_checkpoints WHERE kind = 'purge' AND seq = $1`, [seq])).rows[0]?.hash
  );
}

/** The hash of the link at `seq` (not a purge checkpoint's). */
export async function linkHash(q: Queryable, seq: number): Promise<string | undefined> {
  return (await q.query<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = $1', [seq])).rows[0]?.hash;
}

/** How many records are queued for sealing, and the oldest one's time. */
export async function pendingLag(q: Queryable): Promise<{ n: string; oldest: Date | string | null }> {
  const { rows } = await q.query<{ n: string; oldest: Date | string | null }>(
    // Each pending event by its key, as in PENDING_BATCH: never a scan of the whole trail.
    'SELECT count(*)::text AS n, min(e.at) AS oldest FROM audit_pending p CROSS JOIN LATERAL (SELECT at FROM audit_events WHERE id = p.event_id) e',
  );
  return rows[0]!;
}

/** How many records wait in the queue. */
export async function pendingCount(q: Queryable): Promise<number> {
  return Number((await q.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_pending')).rows[0]!.n);
}

/** How many links the chain holds. */
export async function chainLength(q: Queryable): Promise<number> {
  return Number((await q.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_chain')).rows[0]!.n);
}

/** The first event that is neither chained nor queued (slipped in past the trigger), if any. */
export async function strayEvents(q: Queryable): Promise<{ id: string }[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT e.id::text AS id FROM audit_events e
       WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id) AND NOT EXISTS (SELECT 1 FROM audit_pending p WHERE p.event_id = e.id)
       ORDER BY e.id LIMIT 1`,
  );
  return rows;
}

/** The first seq still in the chain (0: empty). */
export async function firstSeq(q: Queryable): Promise<number> {
  return Number((await q.query<{ seq: string | null }>('SELECT min(seq)::text AS seq FROM audit_chain')).rows[0]!.seq ?? 0);
}

/** The first seq whose event happened at or after `at` (null: none). */
export async function firstSeqAtOrAfter(q: Queryable, at: Date): Promise<string | null> {
  return (await q.query<{ seq: string | null }>('SELECT min(c.seq)::text AS seq FROM audit_chain c JOIN audit_events e ON e.id = c.event_id WHERE e.at >= $1', [at])).rows[0]!.seq;
}

/** Removes the chain up to `through` and its events (as the retention role); returns how many links went. */
export async function deletePrefix(q: Queryable, through: number): Promise<number> {
  const ids = await q.query<{ event_id: string }>('DELETE FROM audit_chain WHERE seq <= $1 RETURNING event_id::text AS event_id', [through]);
  await q.query('DELETE FROM audit_events WHERE id = ANY($1::bigint[])', [ids.rows.map((r) => r.event_id)]);
  return ids.rowCount;
}
