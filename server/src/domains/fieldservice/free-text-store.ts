/**
 * The SQL of erasure's free-text rewrite (free-text.ts, decision 0029): only rows move here.
 * Run in the erasure's owner transaction; rows are locked until it ends.
 */
import type { Queryable } from '../../db/index.ts';

/** Jobs whose title or description holds one of the (lower-case) needles. */
export async function jobsNaming(q: Queryable, lowerNeedles: readonly string[]): Promise<{ id: string; title: string; description: string }[]> {
  const { rows } = await q.query<{ id: string; title: string; description: string }>(
    `SELECT id, title, description FROM fs_jobs
      WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS n(needle) WHERE strpos(lower(title), needle) > 0 OR strpos(lower(description), needle) > 0)
      FOR UPDATE`,
    [lowerNeedles],
  );
  return rows;
}

export async function updateJobText(q: Queryable, id: string, title: string, description: string): Promise<void> {
  await q.query('UPDATE fs_jobs SET title = $2, description = $3 WHERE id = $1', [id, title, description]);
}

/** Every site's encrypted access notes (they cannot be searched in SQL). */
export async function siteAccessNotes(q: Queryable): Promise<{ id: string; accessNotes: string }[]> {
  const { rows } = await q.query<{ id: string; accessNotes: string }>('SELECT id, access_notes AS "accessNotes" FROM fs_sites WHERE access_notes IS NOT NULL FOR UPDATE');
  return rows;
}

export async function updateSiteAccessNotes(q: Queryable, id: string, encrypted: string): Promise<void> {
  await q.query('UPDATE fs_sites SET access_notes = $2 WHERE id = $1', [id, encrypted]);
}
