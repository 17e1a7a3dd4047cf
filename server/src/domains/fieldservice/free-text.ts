/**
 * Free text people write that can name a person: a job's title and description (dispatchers
 * write them; classified `internal`) and a site's access notes (`sensitive`, envelope-encrypted
 * under the company's data keys). They are not sealed under a person key (decision 0029): the
 * text belongs to the company's job and site history, not to one person, and is usually about
 * several people or none. Erasure instead replaces every occurrence of the erased person's
 * name, display name, e-mail, user name and user id in them — whole values, any letter case —
 * with the pseudonym their job history now carries, in the erasure's transaction.
 */
import type { Queryable } from '../../db/index.ts';
import { encryptionContext } from './classification.ts';
import type { SensitiveCipher } from './routes/shared.ts';
import { jobsNaming, siteAccessNotes, updateJobText, updateSiteAccessNotes } from './free-text-store.ts';

/** The columns erasure searches, by table. */
export const FREE_TEXT_COLUMNS = ['fs_jobs.title', 'fs_jobs.description', 'fs_sites.access_notes'] as const;

/** Values shorter than this are not searched for (as audit identifiers, decision 0019): "Al" would match everywhere. */
const MIN_LENGTH = 4;

const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What to search for: distinct, long enough, longest first (an e-mail before the user name inside it). */
export function freeTextNeedles(values: readonly (string | null | undefined)[]): string[] {
  const seen = new Map<string, string>();
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed && trimmed.length >= MIN_LENGTH && !seen.has(trimmed.toLowerCase())) seen.set(trimmed.toLowerCase(), trimmed);
  }
  return [...seen.values()].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of a needle (any case) replaced; the same string when none occurs. */
export function redactText(text: string, needles: readonly string[], replacement: string): string {
  if (needles.length === 0) return text;
  // Built from escaped literals only: no pattern from input reaches the engine.
  // eslint-disable-next-line security/detect-non-literal-regexp -- every alternative is an escaped literal
  const pattern = new RegExp(needles.map(escape).join('|'), 'giu');
  return text.replace(pattern, () => replacement);
}

/**
 * Replaces the person's values in every free-text column (owner's transaction: row-level security
 * would hide most rows). Jobs are found in SQL; access notes are encrypted, so every site's notes
 * are opened and only those that change are written back (under the active data key). Returns how
 * many rows changed, and how many notes could not be opened.
 */
export async function redactPersonInFreeText(
  q: Queryable,
  cipher: SensitiveCipher,
  values: readonly (string | null | undefined)[],
  replacement: string,
): Promise<{ jobs: number; sites: number; unreadable: number }> {
  const needles = freeTextNeedles(values);
  if (needles.length === 0) return { jobs: 0, sites: 0, unreadable: 0 };
  let jobs = 0;
  for (const job of await jobsNaming(q, needles.map((n) => n.toLowerCase()))) {
    const title = redactText(job.title, needles, replacement);
    const description = redactText(job.description, needles, replacement);
    if (title === job.title && description === job.description) continue;
    await updateJobText(q, job.id, title, description);
    jobs++;
  }
  let sites = 0;
  let unreadable = 0;
  for (const site of await siteAccessNotes(q)) {
    const context = encryptionContext('fs_sites.access_notes', site.id);
    let plain: string;
    try {
      plain = await cipher.decrypt(site.accessNotes, context, q);
    } catch {
      // A note that does not open (altered at rest) cannot be searched: counted, not fatal,
      // so one damaged site does not block a person's erasure.
      unreadable++;
      continue;
    }
    const redacted = redactText(plain, needles, replacement);
    if (redacted === plain) continue;
    await updateSiteAccessNotes(q, site.id, await cipher.encrypt(redacted, context, q));
    sites++;
  }
  return { jobs, sites, unreadable };
}
