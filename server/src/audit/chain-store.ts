/**
 * The sealer's write of a round: the links into audit_chain and the same events out of the
 * queue, in one statement (a data-modifying WITH), on the sealer's transaction.
 */
import type { Queryable } from '../db/index.ts';

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
