/**
 * The key file of a backup (decision 0023): the person keys, still wrapped, in a file of their own.
 * `palisade backup` keeps `person_keys` out of the data backup and writes this beside it;
 * `palisade backup --keys-only` writes one alone, as often as wanted. Kept on a short retention
 * apart from the data backups, it is what makes an erasure reach the backups: a data backup
 * restored with a key file written after an erasure has no key for the erased person, so their
 * positions and photos in it do not open. The keys stay wrapped: without the master key the file
 * opens nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Queryable } from '../db/index.ts';
import { selectAllPersonKeys, type PersonKeyRow } from './person-keys-store.ts';

export const PERSON_KEY_FILE_FORMAT = 'palisade-person-keys/1';

export interface PersonKeyFile {
  format: typeof PERSON_KEY_FILE_FORMAT;
  takenAt: string;
  keys: { id: string; personId: string; wrappedKey: string; createdAt: string }[];
}

/** Writes every person key to `file` (owner-only, never over an existing file); returns how many. */
export async function writePersonKeyFile(q: Queryable, file: string, now: Date): Promise<number> {
  if (existsSync(file)) throw new Error(`${file} exists: choose a new file (a key file is never overwritten)`);
  const rows = await selectAllPersonKeys(q);
  const content: PersonKeyFile = {
    format: PERSON_KEY_FILE_FORMAT,
    takenAt: now.toISOString(),
    keys: rows.map((r) => ({ id: r.id, personId: r.personId, wrappedKey: r.wrappedKey, createdAt: new Date(r.createdAt).toISOString() })),
  };
  writeFileSync(file, `${JSON.stringify(content)}\n`, { mode: 0o600, flag: 'wx' });
  return rows.length;
}

/** Reads and checks a key file; throws with a reason when it is not one. */
export function readPersonKeyFile(file: string): { takenAt: Date; rows: PersonKeyRow[] } {
  let parsed: Partial<PersonKeyFile>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PersonKeyFile>;
  } catch (error) {
    throw new Error(`${file} is not a Palisade key file (${(error as Error).message})`, { cause: error });
  }
  if (parsed.format !== PERSON_KEY_FILE_FORMAT || !Array.isArray(parsed.keys) || typeof parsed.takenAt !== 'string') {
    throw new Error(`${file} is not a Palisade key file (expected format ${PERSON_KEY_FILE_FORMAT})`);
  }
  const rows = parsed.keys.map((k) => {
    if (!k || typeof k.id !== 'string' || typeof k.personId !== 'string' || typeof k.wrappedKey !== 'string' || typeof k.createdAt !== 'string') throw new Error(`${file} holds a malformed key entry`);
    return { id: k.id, personId: k.personId, wrappedKey: k.wrappedKey, createdAt: new Date(k.createdAt) };
  });
  return { takenAt: new Date(parsed.takenAt), rows };
}
