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
 * `purge` removes a prefix of the chain that is both older than the retention period and
 * archived, as the retention role (the only one the write-once triggers let delete), and signs a
 * purge checkpoint saying up to where, how many and into which archive files — so the
 * shortened chain still verifies and nobody can purge quietly.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { RECORD_COLUMNS, canonical, toChainRecord, type ChainRecord, type RecordRow } from './chain.ts';
import { DIGEST_TYP, verifySigned, type CheckpointSigner, type CheckpointStatement, type PublicKeySet } from './keys.ts';
import { asRole, insertCheckpoint } from './sealer.ts';
import { verifyChain, type SealedRecord, type VerifyReport } from './verify.ts';

export interface ArchiveDigest {
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

const DIGEST_SUFFIX = '.digest.json';
const PAGE = 5000;

async function writeOnce(file: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'wx', 0o444); // fails if the file exists: archives are never rewritten
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(file, 0o444);
}

export async function exportArchive(db: Database, signer: CheckpointSigner, clock: Clock, dir: string): Promise<ExportResult> {
  const { from, through, previousHash, head } = await asRole(db, 'palisade_audit_reader', async (q) => {
    const exported = await q.query<{ last: string | null }>('SELECT max(last_seq)::text AS last FROM audit_exports');
    const cp = await q.query<{ seq: string }>(`SELECT max(seq)::text AS seq FROM audit_checkpoints WHERE kind = 'seal'`);
    const chainHead = await q.query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM audit_chain');
    const first = await q.query<{ seq: string | null }>('SELECT min(seq)::text AS seq FROM audit_chain');
    const start = Math.max(Number(exported.rows[0]!.last ?? 0), Number(first.rows[0]!.seq ?? 1) - 1);
    const prev =
      start === 0
        ? '0'.repeat(64)
        : ((await q.query<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = $1', [start])).rows[0]?.hash ??
          (await q.query<{ hash: string }>(`SELECT hash FROM audit_checkpoints WHERE kind = 'purge' AND seq = $1`, [start])).rows[0]?.hash);
    if (prev === undefined) throw new Error(`the chain has no record at seq ${start} to continue the archive from`);
    return { from: start, through: Number(cp.rows[0]!.seq ?? 0), previousHash: prev, head: Number(chainHead.rows[0]!.seq ?? 0) };
  });

  const files: ArchiveDigest[] = [];
  let segment: { day: string; lines: string[]; first: ChainRecord & { hash: string }; last: ChainRecord & { hash: string }; sealedFrom: string; sealedTo: string } | undefined;
  let prev = previousHash;
  const close = async () => {
    if (!segment) return;
    const body = segment.lines.join('\n') + '\n';
    const [y, m, d] = segment.day.split('-');
    const name = `${y}/${m}/${d}/palisade-audit-${segment.day}-${String(segment.first.seq).padStart(12, '0')}-${String(segment.last.seq).padStart(12, '0')}.jsonl`;
    const digest: ArchiveDigest = {
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
    await writeOnce(path.join(dir, name), body);
    const jws = await signer.signAs(DIGEST_TYP, digest);
    await writeOnce(path.join(dir, name + DIGEST_SUFFIX), JSON.stringify({ ...digest, jws }, null, 2) + '\n');
    await asRole(db, 'palisade_audit_reader', (q) =>
      q.query('INSERT INTO audit_exports (first_seq, last_seq, file, sha256) VALUES ($1, $2, $3, $4)', [digest.firstSeq, digest.lastSeq, name, digest.sha256]),
    );
    files.push(digest);
    prev = segment.last.hash;
    segment = undefined;
  };

  let after = from;
  while (after < through) {
    const { rows } = await asRole(db, 'palisade_audit_reader', (q) =>
      q.query<RecordRow & { seq: string; hash: string; sealedAt: Date | string }>(
        `SELECT c.seq::text AS seq, c.hash, c.sealed_at AS "sealedAt", ${RECORD_COLUMNS} FROM audit_chain c JOIN audit_events e ON e.id = c.event_id
         WHERE c.seq > $1 AND c.seq <= $2 ORDER BY c.seq LIMIT $3`,
        [after, through, PAGE],
      ),
    );
    if (rows.length === 0) break;
    for (const r of rows) {
      const record = { ...toChainRecord(Number(r.seq), r), hash: r.hash };
      const sealedAt = new Date(r.sealedAt).toISOString();
      const day = sealedAt.slice(0, 10);
      if (segment && segment.day !== day) await close();
      segment ??= { day, lines: [], first: record, last: record, sealedFrom: sealedAt, sealedTo: sealedAt };
      segment.lines.push(canonical(record));
      segment.last = record;
      segment.sealedTo = sealedAt;
    }
    after = Number(rows[rows.length - 1]!.seq);
  }
  await close();
  return { files, waiting: head - through };
}

async function findDigests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith(DIGEST_SUFFIX)).map((e) => path.join(dir, e));
}

/** Verifies an archive directory offline: digest signatures, file hashes, and the chain across files. */
export async function verifyArchive(dir: string, keys: PublicKeySet): Promise<VerifyReport & { files: number }> {
  const digests: ArchiveDigest[] = [];
  for (const file of await findDigests(dir)) {
    const { jws } = JSON.parse(await readFile(file, 'utf8')) as { jws: string };
    try {
      digests.push(await verifySigned<ArchiveDigest>(jws, keys, DIGEST_TYP));
    } catch (error) {
      return { ok: false, checked: 0, firstSeq: null, lastSeq: null, checkpointsVerified: 0, uncovered: 0, files: 0, broken: { seq: 0, problem: 'bad-signature', message: `${path.relative(dir, file)}: ${(error as Error).message}` } };
    }
  }
  digests.sort((a, b) => a.firstSeq - b.firstSeq);
  if (digests.length === 0) return { ok: true, checked: 0, firstSeq: null, lastSeq: null, checkpointsVerified: 0, uncovered: 0, files: 0 };

  // Each signed digest acts as a checkpoint at the end of its file: a file cut short, or a
  // missing file, shows up as a truncation or a gap in the chain.
  const checkpoints: CheckpointStatement[] = digests.map((d) => ({ kind: 'seal', seq: d.lastSeq, hash: d.lastHash, at: d.exportedAt }));
  const fileProblems: string[] = [];
  async function* records(): AsyncIterable<SealedRecord> {
    for (const digest of digests) {
      const file = path.join(dir, digest.file);
      const hash = createHash('sha256');
      let lines;
      try {
        lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      } catch {
        continue;
      }
      try {
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
  const report = await verifyChain({ records: records(), checkpoints, start: { seq: digests[0]!.firstSeq - 1, hash: digests[0]!.previousHash } });
  if (report.ok && fileProblems.length > 0) {
    return { ...report, ok: false, files: digests.length, broken: { seq: 0, problem: 'archive-digest', message: `${fileProblems[0]} does not match its signed digest (bytes changed outside any record)` } };
  }
  return { ...report, checkpointsVerified: digests.length, files: digests.length };
}

export interface PurgeResult {
  purged: number;
  throughSeq: number;
  archives: string[];
}

/**
 * Removes records sealed before `cutoff` that are archived, as one chain prefix, and signs a
 * purge checkpoint. Refuses nothing silently: the result says how far it got and why not further.
 */
export async function purgeArchived(db: Database, signer: CheckpointSigner, clock: Clock, cutoff: Date): Promise<PurgeResult> {
  return asRole(db, 'palisade_audit_retention', async (q) => {
    const first = Number((await q.query<{ seq: string | null }>('SELECT min(seq)::text AS seq FROM audit_chain')).rows[0]!.seq ?? 0);
    if (first === 0) return { purged: 0, throughSeq: 0, archives: [] };
    // The archived prefix: export ranges contiguous from the chain's first record.
    const ranges = (await q.query<{ first: string; last: string; file: string }>('SELECT first_seq::text AS first, last_seq::text AS last, file FROM audit_exports ORDER BY first_seq')).rows;
    let archivedThrough = first - 1;
    const archives: string[] = [];
    for (const r of ranges) {
      if (Number(r.last) <= archivedThrough) continue;
      if (Number(r.first) > archivedThrough + 1) break;
      archivedThrough = Number(r.last);
      archives.push(r.file);
    }
    // Old enough: everything before the first record at or after the cutoff.
    const young = (await q.query<{ seq: string | null }>('SELECT min(c.seq)::text AS seq FROM audit_chain c JOIN audit_events e ON e.id = c.event_id WHERE e.at >= $1', [cutoff])).rows[0]!.seq;
    const through = Math.min(archivedThrough, young === null ? Infinity : Number(young) - 1);
    if (through < first) return { purged: 0, throughSeq: first - 1, archives: [] };
    const { rows } = await q.query<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = $1', [through]);
    const ids = await q.query<{ event_id: string }>('DELETE FROM audit_chain WHERE seq <= $1 RETURNING event_id::text AS event_id', [through]);
    await q.query('DELETE FROM audit_events WHERE id = ANY($1::bigint[])', [ids.rows.map((r) => r.event_id)]);
    const used = archives.filter((_, i) => Number(ranges.find((r) => r.file === archives[i])!.first) <= through);
    await insertCheckpoint(q, { kind: 'purge', seq: through, hash: rows[0]!.hash, at: new Date(clock.now()).toISOString(), purged: { count: ids.rowCount, archives: used } }, signer);
    return { purged: ids.rowCount, throughSeq: through, archives: used };
  });
}
