/**
 * A signed archive of one time range of the audit trail, made on request (the console's audit
 * export) rather than by the write-once `audit export` run. It is the very format `audit export`
 * writes — one JSONL file per UTC day of sealing, each with a digest signed by the trail's
 * Ed25519 key stating its SHA-256, seq range and the chain hashes around it, the digests chained
 * to one another — carried in one JSON document (a "bundle": file name → file text), so a
 * browser can save it as one download. `palisade audit verify --archive <bundle.json> --keys …`
 * unpacks it and checks it exactly as it checks an archive folder.
 *
 * What a range archive proves: every record in it is the one the chain holds (the hashes link,
 * and the signatures cover the links). Being a range, it starts after seq 1 (verified as a
 * partial archive) and nothing in it proves that no file was dropped from its end; the
 * `lastSeq` the server answered with, kept apart, does (or an `--anchor` with its last digest).
 * A range is a contiguous run of the chain: a hash chain cannot prove a filtered selection, so
 * only a time range is offered, never an action or person filter.
 *
 * The digests carry `export: "range"`, so they are never mistaken for the write-once archive's
 * own digest chain (they are numbered from 1 within the bundle), and nothing is written to
 * `audit_exports`: a range archive does not count as archived for `audit purge`.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import { PalisadeError } from '../errors/index.ts';
import { canonical, type ChainRecord } from './chain.ts';
import { DIGEST_TYP, jwsDigest, type CheckpointSigner, type PublicKeySet } from './keys.ts';
import { asRole } from './sealer.ts';
import { chainedForms } from './subjects.ts';
import { verifyArchive, type ArchiveDigest, type ArchiveVerifyOptions } from './archive.ts';
import { hashBefore, rangeBounds, rangeRecords } from './range-store.ts';
import type { VerifyReport } from './verify.ts';

export const BUNDLE_FORMAT = 'palisade-audit-archive-bundle/1';
/** At most this many records in one range archive: the bundle is built in memory and sent at once. */
export const RANGE_MAX_RECORDS = 20_000;
const PAGE = 2000;
const DIGEST_SUFFIX = '.digest.json';
/** The only file names a bundle may carry (checked before anything is written to disk). */
const FILE_NAME = /^[0-9]{4}\/[0-9]{2}\/[0-9]{2}\/palisade-audit-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{12}-[0-9]{12}\.jsonl(\.digest\.json)?$/;

export interface ArchiveBundle {
  format: typeof BUNDLE_FORMAT;
  /** What was asked for and what it holds (informational: the signed facts are in the digests). */
  range: { from: string | null; to: string | null; firstSeq: number | null; lastSeq: number | null; records: number };
  exportedAt: string;
  /** File name (relative, as in an archive folder) → its exact text. */
  files: Record<string, string>;
}

export class RangeTooLargeError extends PalisadeError<'ERR_AUDIT_RANGE_TOO_LARGE'> {
  constructor(message: string) {
    super('ERR_AUDIT_RANGE_TOO_LARGE', message);
  }
}

export class BundleFormatError extends PalisadeError<'ERR_AUDIT_BUNDLE'> {
  constructor(message: string) {
    super('ERR_AUDIT_BUNDLE', message);
  }
}

/** Builds the signed archive of the sealed, checkpointed records between `from` and `to`. */
export async function exportRange(
  db: Database,
  signer: CheckpointSigner,
  clock: Clock,
  range: { from?: Date; to?: Date; maxRecords?: number },
): Promise<ArchiveBundle> {
  const max = range.maxRecords ?? RANGE_MAX_RECORDS;
  const exportedAt = new Date(clock.now()).toISOString();
  const bounds = await asRole(db, 'palisade_audit_reader', (q) => rangeBounds(q, range.from, range.to));
  const asked = { from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null };
  const files: Record<string, string> = {};
  if (bounds.first === null || bounds.last === null) {
    return { format: BUNDLE_FORMAT, range: { ...asked, firstSeq: null, lastSeq: null, records: 0 }, exportedAt, files };
  }
  const { first, last } = bounds;
  if (last - first + 1 > max) {
    throw new RangeTooLargeError(`the range holds ${last - first + 1} records, more than the ${max} one archive may hold: choose a shorter time range`);
  }
  const start = await asRole(db, 'palisade_audit_reader', (q) => hashBefore(q, first));
  if (start === undefined) throw new Error(`the chain has no link before seq ${first}`);

  let previousHash = start;
  let previousJws: string | null = null;
  let n = 0;
  let segment: { day: string; lines: string[]; first: ChainRecord & { hash: string }; last: ChainRecord & { hash: string }; from: string; to: string } | undefined;
  const close = async () => {
    if (!segment) return;
    const body = segment.lines.join('\n') + '\n';
    const [y, m, d] = segment.day.split('-');
    const name = `${y}/${m}/${d}/palisade-audit-${segment.day}-${String(segment.first.seq).padStart(12, '0')}-${String(segment.last.seq).padStart(12, '0')}.jsonl`;
    const digest: ArchiveDigest & { export: 'range' } = {
      n: n + 1,
      previousDigest: previousJws ? jwsDigest(previousJws) : null,
      file: name,
      sha256: createHash('sha256').update(body).digest('hex'),
      count: segment.lines.length,
      firstSeq: segment.first.seq,
      lastSeq: segment.last.seq,
      previousHash,
      lastHash: segment.last.hash,
      from: segment.from,
      to: segment.to,
      exportedAt,
      export: 'range',
    };
    const jws = await signer.signAs(DIGEST_TYP, digest);
    files[name] = body;
    files[name + DIGEST_SUFFIX] = JSON.stringify({ ...digest, jws }, null, 2) + '\n';
    previousHash = segment.last.hash;
    previousJws = jws;
    n = digest.n;
    segment = undefined;
  };

  let after = first - 1;
  let records = 0;
  while (after < last) {
    const rows = await asRole(db, 'palisade_audit_reader', (q) => rangeRecords(q, after, last, PAGE));
    if (rows.length === 0) break;
    // As in the write-once archive: people under pseudonyms only (subjects.ts).
    const forms = await asRole(db, 'palisade_audit_reader', (q) => chainedForms(q, rows));
    for (const [i, r] of rows.entries()) {
      const record = { ...forms[i]!, hash: r.hash };
      const sealedAt = new Date(r.sealedAt).toISOString();
      const day = sealedAt.slice(0, 10);
      if (segment && segment.day !== day) await close();
      segment ??= { day, lines: [], first: record, last: record, from: sealedAt, to: sealedAt };
      segment.lines.push(canonical(record));
      segment.last = record;
      segment.to = sealedAt;
      records += 1;
    }
    after = Number(rows[rows.length - 1]!.seq);
  }
  await close();
  return { format: BUNDLE_FORMAT, range: { ...asked, firstSeq: first, lastSeq: after, records }, exportedAt, files };
}

/** Reads a bundle's text: the format and every file name are checked before anything is used. */
export function parseBundle(text: string): ArchiveBundle {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BundleFormatError('the archive bundle is not JSON');
  }
  const bundle = parsed as Partial<ArchiveBundle> | null;
  if (!bundle || typeof bundle !== 'object' || bundle.format !== BUNDLE_FORMAT || !bundle.files || typeof bundle.files !== 'object') {
    throw new BundleFormatError(`not an audit archive bundle (format ${BUNDLE_FORMAT})`);
  }
  for (const [name, content] of Object.entries(bundle.files)) {
    // Names become paths in a temporary folder: nothing but an archive's own names (no `..`).
    if (!FILE_NAME.test(name) || typeof content !== 'string') throw new BundleFormatError(`the bundle holds an unexpected file "${name.slice(0, 120)}"`);
  }
  return bundle as ArchiveBundle;
}

/**
 * Verifies a bundle offline as an archive folder is verified (verifyArchive), after writing its
 * files to a private temporary folder that is removed afterwards. A range starts after seq 1, so
 * it is checked as a partial archive.
 */
export async function verifyBundle(text: string, keys: PublicKeySet, options: ArchiveVerifyOptions = {}): Promise<VerifyReport & { files: number; digests: ArchiveDigest[] }> {
  const bundle = parseBundle(text);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'palisade-audit-bundle-'));
  try {
    for (const [name, content] of Object.entries(bundle.files)) {
      const file = path.join(dir, name);
      if (!file.startsWith(dir + path.sep)) throw new BundleFormatError(`the bundle holds an unexpected file "${name.slice(0, 120)}"`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content, { mode: 0o600 });
    }
    return await verifyArchive(dir, keys, { ...options, partial: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
