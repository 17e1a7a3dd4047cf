/**
 * Archives and retention, in the manner of AWS CloudTrail's log-file integrity validation.
 *
 * `export` writes the sealed chain — only as far as the newest signed checkpoint, so every
 * archived record is covered by a signature — to one JSONL file per UTC day of sealing (a
 * later export of the same day adds a file; nothing is ever rewritten: files are created with
 * O_EXCL and made read-only). Beside each file a digest states its SHA-256, its seq range and the
 * chain hashes before and after it, signed with the trail's Ed25519 key. `verifyArchive` needs
 * nothing but the directory and the public keys.
 *
 * Digests form a chain of their own (the n-th signs the SHA-256 of the previous digest's JWS),
 * so a file dropped from the start, the middle or — given the newest digest as an anchor — the
 * end of an archive is found. Each range is claimed in `audit_exports` before its file is
 * written and completed after, so a crash or two exports at once cannot produce overlapping
 * files.
 *
 * `purge` removes a prefix of the chain that is both older than the retention period and
 * archived — checked against the archive files themselves, not only the bookkeeping — as the
 * retention role (the only one the write-once triggers let delete), and signs a purge
 * checkpoint saying up to where, how many and into which archive files, so the shortened chain
 * still verifies and nobody can purge quietly.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { canonical, type ChainRecord } from './chain.ts';
import { claimRange, completeClaim, completeOpenClaim, dropOpenClaim, lastExport, openClaims } from './archive-store.ts';
import { deletePrefix, firstSeq, firstSeqAtOrAfter, hashAt, linkHash, sealedThrough } from './chain-store.ts';
import { rangeRecords } from './range-store.ts';
import { chainedForms } from './subjects.ts';
import { DIGEST_TYP, jwsDigest, verifySigned, type CheckpointSigner, type CheckpointStatement, type PublicKeySet } from './keys.ts';
import { asRole, chainHead, insertCheckpoint } from './sealer.ts';
import { checkLinks, countedRecords, verifyChain, type SealedRecord, type VerifyReport } from './verify.ts';
import { PalisadeError } from '../errors/index.ts';

export interface ArchiveDigest {
  /** Position in the digest chain, from 1. */
  n: number;
  /** SHA-256 (hex) of digest n − 1's JWS; null for the first. */
  previousDigest: string | null;
  /** File name relative to the archive root. */
  file: string;
  sha256: string;
  count: number;
  firstSeq: number;
  lastSeq: number;
  /** The chain hash just before `firstSeq` (links this file to the previous one). */
  previousHash: string;
  lastHash: string;
  /** Sealing time of the first and last record. */
  from: string;
  to: string;
  exportedAt: string;
}

export interface ExportResult {
  files: ArchiveDigest[];
  /** Sealed records not exported because no checkpoint covers them yet. */
  waiting: number;
}

export class ExportConflictError extends PalisadeError<'ERR_AUDIT_EXPORT_CONFLICT'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_AUDIT_EXPORT_CONFLICT', message, options);
  }
}

const DIGEST_SUFFIX = '.digest.json';
const PAGE = 5000;

async function writeOnce(file: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  let handle;
  try {
    handle = await open(file, 'wx', 0o444); // fails if the file exists: archives are never rewritten
  } catch (error) {
    // A crashed earlier export may have written exactly this file already: that is fine.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && createHash('sha256').update(await readFile(file)).digest('hex') === createHash('sha256').update(data).digest('hex')) return;
    throw error;
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(file, 0o444);
}

/**
 * Completes or abandons ranges a crashed export claimed: a digest on disk that verifies means the
 * files were written (the row is completed); otherwise the claim is dropped and the range is
 * exported again (a stray JSONL without its digest is ignored by verify).
 */
/** A claim younger than this without its files belongs to an export still running. */
const CLAIM_ABANDONED_AFTER_MS = 10 * 60_000;

async function settleClaims(db: Database, dir: string): Promise<void> {
  const claims = await asRole(db, 'palisade_audit_reader', (q) => openClaims(q));
  for (const claim of claims) {
    let written: { sha256: string; jws: string } | undefined;
    try {
      written = JSON.parse(await readFile(path.join(dir, claim.file + DIGEST_SUFFIX), 'utf8')) as { sha256: string; jws: string };
    } catch {
      written = undefined;
    }
    if (!written && Number(claim.ageMs) < CLAIM_ABANDONED_AFTER_MS) {
      throw new ExportConflictError(`records from seq ${claim.first} are being exported by another run (claimed ${Math.round(Number(claim.ageMs) / 1000)} s ago); try again when it has finished`);
    }
    await asRole(db, 'palisade_audit_reader', (q) =>
      written && written.jws === claim.jws
        ? completeOpenClaim(q, claim.first, written.sha256)
        : dropOpenClaim(q, claim.first),
    );
  }
}

export async function exportArchive(
  db: Database,
  signer: CheckpointSigner,
  clock: Clock,
  dir: string,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<ExportResult> {
  await settleClaims(db, dir);
  const start = await asRole(db, 'palisade_audit_reader', async (q) => {
    const last = await lastExport(q);
    const covered = await sealedThrough(q);
    const head = await chainHead(q);
    const from = Number(last?.last ?? 0);
    const prev = from === 0 ? '0'.repeat(64) : await hashAt(q, from);
    if (prev === undefined) throw new Error(`the chain has no record at seq ${from} to continue the archive from`);
    return { from, through: Number(covered ?? 0), previousHash: prev, head: head.seq, n: Number(last?.n ?? 0), previousJws: last?.jws ?? null };
  });

  const files: ArchiveDigest[] = [];
  let segment: { day: string; lines: string[]; first: ChainRecord & { hash: string }; last: ChainRecord & { hash: string }; sealedFrom: string; sealedTo: string } | undefined;
  let prev = start.previousHash;
  let n = start.n;
  let previousJws = start.previousJws;
  const close = async () => {
    if (!segment) return;
    const body = segment.lines.join('\n') + '\n';
    const [y, m, d] = segment.day.split('-');
    const name = `${y}/${m}/${d}/palisade-audit-${segment.day}-${String(segment.first.seq).padStart(12, '0')}-${String(segment.last.seq).padStart(12, '0')}.jsonl`;
    const digest: ArchiveDigest = {
      n: n + 1,
      previousDigest: previousJws ? jwsDigest(previousJws) : null,
      file: name,
      sha256: createHash('sha256').update(body).digest('hex'),
      count: segment.lines.length,
      firstSeq: segment.first.seq,
      lastSeq: segment.last.seq,
      previousHash: prev,
      lastHash: segment.last.hash,
      from: segment.sealedFrom,
      to: segment.sealedTo,
      exportedAt: new Date(clock.now()).toISOString(),
    };
    const jws = await signer.signAs(DIGEST_TYP, digest);
    // Claim the range first: a concurrent export fails here instead of writing an overlapping file.
    try {
      await asRole(db, 'palisade_audit_reader', (q) =>
        claimRange(q, { firstSeq: digest.firstSeq, lastSeq: digest.lastSeq, n: digest.n, file: name, jws }),
      );
    } catch (error) {
      throw new ExportConflictError(`records from seq ${digest.firstSeq} are being exported by another run (${(error as Error).message}); try again when it has finished`);
    }
    await writeOnce(path.join(dir, name), body);
    await writeOnce(path.join(dir, name + DIGEST_SUFFIX), JSON.stringify({ ...digest, jws }, null, 2) + '\n');
    await asRole(db, 'palisade_audit_reader', (q) => completeClaim(q, digest.firstSeq, digest.sha256));
    files.push(digest);
    prev = segment.last.hash;
    n = digest.n;
    previousJws = jws;
    segment = undefined;
  };

  let after = start.from;
  options.onProgress?.(0, start.through - start.from);
  while (after < start.through) {
    const rows = await asRole(db, 'palisade_audit_reader', (q) => rangeRecords(q, after, start.through, PAGE));
    if (rows.length === 0) break;
    // Archives hold records as chained: people under pseudonyms only (audit/subjects.ts), so a
    // write-once archive never has to forget anyone.
    const forms = await asRole(db, 'palisade_audit_reader', (q) => chainedForms(q, rows));
    for (const [i, r] of rows.entries()) {
      const record = { ...forms[i]!, hash: r.hash };
      const sealedAt = new Date(r.sealedAt).toISOString();
      const day = sealedAt.slice(0, 10);
      if (segment && segment.day !== day) await close();
      segment ??= { day, lines: [], first: record, last: record, sealedFrom: sealedAt, sealedTo: sealedAt };
      segment.lines.push(canonical(record));
      segment.last = record;
      segment.sealedTo = sealedAt;
    }
    after = Number(rows[rows.length - 1]!.seq);
    options.onProgress?.(after - start.from, start.through - start.from);
  }
  await close();
  return { files, waiting: start.head - start.through };
}

async function findDigests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith(DIGEST_SUFFIX)).map((e) => path.join(dir, e));
}

export interface ArchiveVerifyOptions {
  /**
   * The newest digest (its JWS) known from outside the archive: without it, files removed from
   * the end of the archive cannot be noticed.
   */
  anchor?: string;
  /** Accept an archive that does not start at seq 1 (older files deliberately removed). */
  partial?: boolean;
  /** Called as records are checked (a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** Verifies an archive directory offline: digest signatures and chain, file hashes, the record chain across files. */
export async function verifyArchive(dir: string, keys: PublicKeySet, options: ArchiveVerifyOptions = {}): Promise<VerifyReport & { files: number; digests: ArchiveDigest[] }> {
  const digests: (ArchiveDigest & { jws: string })[] = [];
  const empty = { ok: false, checked: 0, firstSeq: null, lastSeq: null, checkpointsVerified: 0, uncovered: 0, files: 0, digests: [] };
  for (const file of await findDigests(dir)) {
    const { jws } = JSON.parse(await readFile(file, 'utf8')) as { jws: string };
    try {
      digests.push({ ...(await verifySigned<ArchiveDigest>(jws, keys, DIGEST_TYP)), jws });
    } catch (error) {
      return { ...empty, broken: { seq: 0, problem: 'bad-signature', message: `${path.relative(dir, file)}: ${(error as Error).message}` } };
    }
  }
  digests.sort((a, b) => a.n - b.n);
  if (digests.length === 0) return { ...empty, ok: !options.anchor, ...(options.anchor ? { broken: { seq: 0, problem: 'anchor-missing' as const, message: 'the archive holds no digest at all' } } : {}) };
  const first = digests[0]!;
  if (!options.partial && (first.n !== 1 || first.firstSeq !== 1)) {
    return { ...empty, broken: { seq: 1, problem: 'missing', message: `the archive starts at digest ${first.n} (seq ${first.firstSeq}): earlier files are missing (use --partial if they were removed on purpose)` } };
  }
  const gap = checkLinks(digests.map((d) => ({ n: d.n, previous: d.previousDigest, jws: d.jws, seq: d.firstSeq })), 'digest', first.n);
  if (gap) return { ...empty, broken: gap };
  if (options.anchor) {
    let anchor: ArchiveDigest;
    try {
      anchor = await verifySigned<ArchiveDigest>(options.anchor, keys, DIGEST_TYP);
    } catch (error) {
      return { ...empty, broken: { seq: 0, problem: 'bad-signature', message: `the anchor: ${(error as Error).message}` } };
    }
    if (digests.find((d) => d.n === anchor.n)?.jws !== options.anchor) {
      return { ...empty, broken: { seq: anchor.firstSeq, problem: 'anchor-missing', message: `digest ${anchor.n} (${anchor.file}), known from outside, is not in the archive: files were removed from its end` } };
    }
  }

  // Each signed digest acts as a checkpoint at the end of its file: a file cut short shows up as
  // a truncation, a missing one as a gap in the chain.
  const checkpoints: CheckpointStatement[] = digests.map((d) => ({ n: d.n, previous: null, kind: 'seal', seq: d.lastSeq, hash: d.lastHash, at: d.exportedAt }));
  const fileProblems: string[] = [];
  async function* records(): AsyncIterable<SealedRecord> {
    for (const digest of digests) {
      const file = path.join(dir, digest.file);
      const hash = createHash('sha256');
      try {
        const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
        for await (const line of lines) {
          hash.update(line + '\n');
          if (line.trim() === '') continue;
          const { hash: linkHash, ...record } = JSON.parse(line) as ChainRecord & { hash: string };
          yield { record, hash: linkHash };
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // its records are missing: reported as a gap
        throw error;
      }
      if (hash.digest('hex') !== digest.sha256) fileProblems.push(digest.file);
    }
  }
  const total = digests.reduce((sum, d) => sum + d.count, 0);
  const report = await verifyChain({ records: countedRecords(records(), total, options.onProgress), checkpoints, start: { seq: first.firstSeq - 1, hash: first.previousHash } });
  const result = { ...report, checkpointsVerified: digests.length, files: digests.length, digests };
  if (report.ok && fileProblems.length > 0) {
    return { ...result, ok: false, broken: { seq: 0, problem: 'archive-digest', message: `${fileProblems[0]} does not match its signed digest (bytes changed outside any record)` } };
  }
  return result;
}

export interface PurgeResult {
  purged: number;
  throughSeq: number;
  archives: string[];
}

/**
 * Removes records sealed before `cutoff` that are archived, as one chain prefix, and signs a
 * purge checkpoint. "Archived" is checked against the archive itself: `archiveDir` must verify
 * (with `keys`) and hold the records to be purged with the very hashes the database has.
 */
export async function purgeArchived(
  db: Database,
  signer: CheckpointSigner,
  clock: Clock,
  cutoff: Date,
  archive: { dir: string; keys: PublicKeySet },
): Promise<PurgeResult> {
  const verified = await verifyArchive(archive.dir, archive.keys);
  if (!verified.ok) throw new Error(`the archive in ${archive.dir} does not verify, so nothing is purged: ${verified.broken?.message}`);
  const archivedHash = new Map(verified.digests.map((d) => [d.lastSeq, d] as const));
  return asRole(db, 'palisade_audit_retention', async (q) => {
    const first = await firstSeq(q);
    if (first === 0) return { purged: 0, throughSeq: 0, archives: [] };
    // Old enough: everything before the first record at or after the cutoff.
    const young = await firstSeqAtOrAfter(q, cutoff);
    const oldEnough = young === null ? Infinity : Number(young) - 1;
    // Purge up to the end of an archive file (whose last hash the digest signs) that is old enough.
    const ends = verified.digests.filter((d) => d.lastSeq >= first && d.lastSeq <= oldEnough).map((d) => d.lastSeq);
    if (ends.length === 0) return { purged: 0, throughSeq: first - 1, archives: [] };
    const through = Math.max(...ends);
    const hash = await linkHash(q, through);
    if (hash === undefined || hash !== archivedHash.get(through)!.lastHash) {
      throw new Error(`the database's record at seq ${through} differs from the archived one, so nothing is purged: run audit verify`);
    }
    const count = await deletePrefix(q, through);
    const used = verified.digests.filter((d) => d.lastSeq >= first && d.firstSeq <= through).map((d) => d.file);
    const head = await chainHead(q);
    await insertCheckpoint(q, { kind: 'purge', seq: through, hash, at: new Date(clock.now()).toISOString(), purged: { count, archives: used } }, signer, head);
    return { purged: count, throughSeq: through, archives: used };
  });
}
