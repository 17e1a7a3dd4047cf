/**
 * The bookkeeping of archive exports (archive.ts): each range is claimed in `audit_exports`
 * before its file is written and completed (its SHA-256 stored) after. Run as the audit reader
 * role (sealer.ts `asRole`).
 */
import type { Queryable } from '../db/index.ts';

export interface ExportRow {
  first: string;
  last: string;
  n: string;
  file: string;
  sha256: string | null;
  jws: string | null;
}

/** Claims not completed yet (a crashed or running export), oldest range first, with their age. */
export async function openClaims(q: Queryable): Promise<(ExportRow & { ageMs: number })[]> {
  const { rows } = await q.query<ExportRow & { ageMs: number }>(
    `SELECT first_seq::text AS first, last_seq::text AS last, n::text AS n, file, sha256, digest_jws AS jws,
         (extract(epoch FROM now() - exported_at) * 1000)::float8 AS "ageMs"
       FROM audit_exports WHERE sha256 IS NULL ORDER BY first_seq`,
  );
  return rows;
}

/** Completes the open claim of the range starting at `first` with its file's SHA-256. */
export async function completeOpenClaim(q: Queryable, first: string | number, sha256: string): Promise<void> {
  await q.query('UPDATE audit_exports SET sha256 = $2 WHERE first_seq = $1 AND sha256 IS NULL', [first, sha256]);
}

/** Drops the open claim of the range starting at `first` (it is exported again). */
export async function dropOpenClaim(q: Queryable, first: string | number): Promise<void> {
  await q.query('DELETE FROM audit_exports WHERE first_seq = $1 AND sha256 IS NULL', [first]);
}

/** The newest exported range (its end, digest position and JWS), if any. */
export async function lastExport(q: Queryable): Promise<Pick<ExportRow, 'last' | 'n' | 'jws'> | undefined> {
  return (await q.query<ExportRow>('SELECT last_seq::text AS last, n::text AS n, digest_jws AS jws FROM audit_exports ORDER BY first_seq DESC LIMIT 1')).rows[0];
}

/** Claims a range; fails when another export claimed the same one. */
export async function claimRange(q: Queryable, claim: { firstSeq: number; lastSeq: number; n: number; file: string; jws: string }): Promise<void> {
  await q.query('INSERT INTO audit_exports (first_seq, last_seq, n, file, digest_jws) VALUES ($1, $2, $3, $4, $5)', [claim.firstSeq, claim.lastSeq, claim.n, claim.file, claim.jws]);
}

/** Completes the claim of the range starting at `first` with its file's SHA-256. */
export async function completeClaim(q: Queryable, first: number, sha256: string): Promise<void> {
  await q.query('UPDATE audit_exports SET sha256 = $2 WHERE first_seq = $1', [first, sha256]);
}
