/**
 * SQL of the signed range archive (range-export.ts): which sealed, signed-over records a time
 * range holds, the link just before it, and the records themselves in chain order. Run as the
 * audit reader role (sealer.ts `asRole`).
 */
import type { Queryable } from '../db/index.ts';
import { RECORD_COLUMNS, GENESIS_HASH, type RecordRow } from './chain.ts';

export interface RangeBounds {
  /** First and last seq of the range; null when it holds no record. */
  first: number | null;
  last: number | null;
}

/**
 * The contiguous seq range from the first record at or after `from` to the last one before `to`
 * (either open), cut at the newest seal checkpoint: every record in it is under a signature.
 * Contiguous because a hash chain proves only an unbroken run; records of other times that lie
 * between (an event's time and its seal order may differ by a moment) come along.
 */
export async function rangeBounds(q: Queryable, from: Date | undefined, to: Date | undefined): Promise<RangeBounds> {
  const { rows } = await q.query<{ first: string | null; last: string | null; covered: string | null }>(
    `SELECT (SELECT min(c.seq) FROM audit_chain c JOIN audit_events e ON e.id = c.event_id WHERE $1::timestamptz IS NULL OR e.at >= $1)::text AS first,
            (SELECT max(c.seq) FROM audit_chain c JOIN audit_events e ON e.id = c.event_id WHERE $2::timestamptz IS NULL OR e.at < $2)::text AS last,
            (SELECT max(seq) FROM audit_checkpoints WHERE kind = 'seal')::text AS covered`,
    [from ?? null, to ?? null],
  );
  const row = rows[0]!;
  if (row.first === null || row.last === null || row.covered === null) return { first: null, last: null };
  const first = Number(row.first);
  const last = Math.min(Number(row.last), Number(row.covered));
  return last < first ? { first: null, last: null } : { first, last };
}

/** The chain hash just before `seq`: the previous record's, a purge checkpoint's, or the genesis link. */
export async function hashBefore(q: Queryable, seq: number): Promise<string | undefined> {
  if (seq <= 1) return GENESIS_HASH;
  const record = await q.query<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = $1', [seq - 1]);
  if (record.rows[0]) return record.rows[0].hash;
  const purged = await q.query<{ hash: string }>(`SELECT hash FROM audit_checkpoints WHERE kind = 'purge' AND seq = $1`, [seq - 1]);
  return purged.rows[0]?.hash;
}

export type RangeRow = RecordRow & { seq: string; hash: string; sealedAt: Date | string; subjects: string[] | null };

/** Up to `limit` sealed records after `after` and at most `through`, in chain order. */
export async function rangeRecords(q: Queryable, after: number, through: number, limit: number): Promise<RangeRow[]> {
  const { rows } = await q.query<RangeRow>(
    `SELECT c.seq::text AS seq, c.hash, c.sealed_at AS "sealedAt", c.subjects::text[] AS subjects, ${RECORD_COLUMNS} FROM audit_chain c JOIN audit_events e ON e.id = c.event_id
      WHERE c.seq > $1 AND c.seq <= $2 ORDER BY c.seq LIMIT $3`,
    [after, through, limit],
  );
  return rows;
}
