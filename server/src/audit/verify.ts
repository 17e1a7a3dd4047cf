/**
 * `palisade audit verify`: recomputes the hash chain and checks every signed checkpoint, from
 * the database or from exported archives, and names the first broken record.
 *
 * What each kind of tampering looks like here:
 * - an edited, inserted or reordered record: its recomputed link differs from the stored one
 *   (or, when the attacker recomputed every later link too, the chain no longer matches the next
 *   signed checkpoint, and the report names the range since the previous checkpoint);
 * - a deleted record: `seq` jumps;
 * - a truncated chain: a signed checkpoint names a `seq` the chain no longer reaches.
 * Records sealed after the newest checkpoint are not yet covered by any signature; the report
 * says how many, and that bound (checkpointEvery / checkpointInterval) is documented.
 */
import type { Database } from '../db/index.ts';
import { GENESIS_HASH, link, type ChainRecord } from './chain.ts';
import { chainLength, checkpointRows, linksAfter, pendingCount, strayEvents } from './chain-store.ts';
import { chainedForms } from './subjects.ts';
import { jwsDigest, verifyCheckpoint, type CheckpointStatement, type PublicKeySet } from './keys.ts';
import { asRole } from './sealer.ts';

export interface SealedRecord {
  record: ChainRecord;
  /** The link as stored (database) or archived (file). */
  hash: string;
}

export interface Broken {
  seq: number;
  eventId?: number;
  problem: 'edited' | 'missing' | 'out-of-order' | 'checkpoint-mismatch' | 'truncated' | 'bad-signature' | 'archive-digest' | 'checkpoint-missing' | 'anchor-missing';
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  checked: number;
  firstSeq: number | null;
  lastSeq: number | null;
  checkpointsVerified: number;
  /** Sealed records after the newest checkpoint (not yet covered by a signature). */
  uncovered: number;
  /** Events written but not yet sealed (database verification only). */
  unsealed?: number;
  broken?: Broken;
}

export interface ChainInput {
  records: AsyncIterable<SealedRecord>;
  /** Checkpoints whose signatures were verified (`checkpointStatements`). Purges set where the chain starts. */
  checkpoints: CheckpointStatement[];
  /** Where the chain starts when no purge checkpoint says otherwise. */
  start?: { seq: number; hash: string };
}

export async function verifyChain(input: ChainInput): Promise<VerifyReport> {
  const report: VerifyReport = { ok: true, checked: 0, firstSeq: null, lastSeq: null, checkpointsVerified: 0, uncovered: 0 };
  const fail = (broken: Broken): VerifyReport => ({ ...report, ok: false, broken });

  const seals = new Map<number, CheckpointStatement>();
  let start = input.start ?? { seq: 0, hash: GENESIS_HASH };
  for (const statement of input.checkpoints) {
    report.checkpointsVerified += 1;
    if (statement.kind === 'purge') {
      if (statement.seq > start.seq) start = { seq: statement.seq, hash: statement.hash };
    } else {
      seals.set(statement.seq, statement);
    }
  }
  let lastSigned = 0;
  for (const seq of seals.keys()) if (seq > start.seq && seq > lastSigned) lastSigned = seq;

  let expected = start.seq + 1;
  let previous = start.hash;
  let previousCheckpoint = start.seq;
  for await (const { record, hash } of input.records) {
    if (record.seq < expected) {
      return fail({ seq: record.seq, eventId: record.id, problem: 'out-of-order', message: `record seq ${record.seq} appears after seq ${expected - 1}: the chain was reordered or duplicated` });
    }
    if (record.seq > expected) {
      const gap = expected === record.seq - 1 ? `seq ${expected} is missing` : `seq ${expected}–${record.seq - 1} are missing`;
      return fail({ seq: expected, problem: 'missing', message: `${gap}: records were deleted or moved` });
    }
    const computed = link(previous, record);
    // eslint-disable-next-line security/detect-possible-timing-attacks -- chain hashes are public, not secrets
    if (computed !== hash) {
      return fail({ seq: record.seq, eventId: record.id, problem: 'edited', message: `record seq ${record.seq} (event ${record.id}) does not match its link: it was edited, inserted or moved` });
    }
    const signed = seals.get(record.seq);
    if (signed && signed.hash !== computed) {
      return fail({
        seq: previousCheckpoint + 1,
        problem: 'checkpoint-mismatch',
        message: `the chain at seq ${record.seq} differs from its signed checkpoint: records seq ${previousCheckpoint + 1}–${record.seq} were rewritten`,
      });
    }
    if (signed) previousCheckpoint = record.seq;
    report.firstSeq ??= record.seq;
    report.lastSeq = record.seq;
    report.checked += 1;
    previous = computed;
    expected += 1;
  }
  const end = expected - 1;
  if (lastSigned > end) {
    return fail({ seq: end + 1, problem: 'truncated', message: `a checkpoint was signed at seq ${lastSigned}, but the chain ends at seq ${end}: records seq ${end + 1}–${lastSigned} were removed` });
  }
  report.uncovered = end - Math.max(lastSigned, start.seq);
  return report;
}

const PAGE = 5000;

/** Streams the sealed chain from the database in seq order, a page at a time. */
async function* databaseRecords(db: Database): AsyncIterable<SealedRecord> {
  let after = -1;
  for (;;) {
    const rows = await asRole(db, 'palisade_audit_reader', (q) => linksAfter(q, after, PAGE));
    // As chained: people under their pseudonyms (audit/subjects.ts).
    const forms = await asRole(db, 'palisade_audit_reader', (q) => chainedForms(q, rows));
    for (const [i, r] of rows.entries()) yield { record: forms[i]!, hash: r.hash };
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/**
 * Checks that signed statements form one unbroken chain: positions 1, 2, 3 … each naming the
 * SHA-256 of the previous one's JWS. Returns the first break, or undefined.
 */
export function checkLinks(items: { n: number; previous: string | null; jws: string; seq: number }[], what: string, from = 1): Broken | undefined {
  let previousJws: string | null = null;
  let expected = from;
  for (const item of items) {
    if (item.n !== expected) {
      return { seq: item.seq, problem: 'checkpoint-missing', message: `${what} ${expected}${item.n > expected + 1 ? `–${item.n - 1}` : ''} ${item.n > expected + 1 ? 'are' : 'is'} missing (the next one is ${item.n}): signed statements were removed` };
    }
    if (previousJws !== null && item.previous !== jwsDigest(previousJws)) {
      return { seq: item.seq, problem: 'checkpoint-missing', message: `${what} ${item.n} does not follow ${what} ${item.n - 1}: the sequence was replaced` };
    }
    previousJws = item.jws;
    expected += 1;
  }
  return undefined;
}

export interface DatabaseVerifyOptions {
  /**
   * The newest checkpoint known from outside the database (the server log, the last archive,
   * a copy kept by the auditor). Without it, checkpoints removed from the end of the checkpoint
   * chain — together with the records they covered — cannot be noticed.
   */
  anchor?: string;
  /** Called as records are checked (a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** Passes records through, reporting how many have gone by (one call per 500 and at the end). */
export async function* countedRecords(records: AsyncIterable<SealedRecord>, total: number, onProgress?: (done: number, total: number) => void): AsyncIterable<SealedRecord> {
  let done = 0;
  onProgress?.(0, total);
  for await (const record of records) {
    yield record;
    done += 1;
    if (done % 500 === 0) onProgress?.(done, Math.max(total, done));
  }
  onProgress?.(done, Math.max(total, done));
}

/** Verifies the trail in the database against its checkpoints and the given public keys. */
export async function verifyDatabase(db: Database, keys: PublicKeySet, options: DatabaseVerifyOptions = {}): Promise<VerifyReport> {
  const { checkpoints, unsealed, orphans, chained } = await asRole(db, 'palisade_audit_reader', async (q) => {
    const cps = await checkpointRows(q);
    const pending = await pendingCount(q);
    // An event that is neither chained nor queued was slipped in past the trigger.
    const stray = await strayEvents(q);
    const chained = options.onProgress ? await chainLength(q) : 0;
    return { checkpoints: cps, unsealed: pending, orphans: stray, chained };
  });
  const empty: VerifyReport = { ok: false, checked: 0, firstSeq: null, lastSeq: null, checkpointsVerified: 0, uncovered: 0 };
  const statements: (CheckpointStatement & { jws: string })[] = [];
  for (const { jws, n } of checkpoints) {
    try {
      const statement = await verifyCheckpoint(jws, keys);
      if (statement.n !== Number(n)) throw new Error(`it is stored as checkpoint ${n} but signed as ${statement.n}`);
      statements.push({ ...statement, jws });
    } catch (error) {
      return { ...empty, checkpointsVerified: statements.length, broken: { seq: 0, problem: 'bad-signature', message: `checkpoint ${n}: ${(error as Error).message}` } };
    }
  }
  const gap = checkLinks(statements, 'checkpoint');
  if (gap) return { ...empty, checkpointsVerified: statements.length, broken: gap };
  if (options.anchor) {
    let anchor: CheckpointStatement;
    try {
      anchor = await verifyCheckpoint(options.anchor, keys);
    } catch (error) {
      return { ...empty, broken: { seq: 0, problem: 'bad-signature', message: `the anchor: ${(error as Error).message}` } };
    }
    if (statements.find((s) => s.n === anchor.n)?.jws !== options.anchor) {
      return { ...empty, checkpointsVerified: statements.length, broken: { seq: anchor.seq, problem: 'anchor-missing', message: `checkpoint ${anchor.n} (seq ${anchor.seq}), known from outside, is not in the database: checkpoints and the records after them were removed` } };
    }
  }
  const report = await verifyChain({ records: countedRecords(databaseRecords(db), chained, options.onProgress), checkpoints: statements });
  report.unsealed = unsealed;
  if (report.ok && orphans[0]) {
    return { ...report, ok: false, broken: { seq: 0, eventId: Number(orphans[0].id), problem: 'edited', message: `event ${orphans[0].id} is in the trail but was never queued for sealing: it was inserted behind the trail's back` } };
  }
  return report;
}

/**
 * What an `audit.verify` record says about a verification of the database's chain, the same from
 * the admin API and the CLI: the range verified, how many checkpoints, what was not yet covered,
 * and the problem when it failed (never the message, which may quote a record). The compliance
 * report reads its evidence of the last verification from the newest such record.
 */
export function verifyDetail(report: VerifyReport, how: { via: 'api' | 'cli'; keys?: 'database' | 'file'; anchored?: boolean }): Record<string, unknown> {
  return {
    via: how.via,
    checked: report.checked,
    firstSeq: report.firstSeq,
    lastSeq: report.lastSeq,
    checkpointsVerified: report.checkpointsVerified,
    uncovered: report.uncovered,
    ...(report.unsealed !== undefined ? { unsealed: report.unsealed } : {}),
    keys: how.keys ?? 'database',
    ...(how.anchored ? { anchored: true } : {}),
    ...(report.broken ? { broken: report.broken.problem, brokenSeq: report.broken.seq } : {}),
  };
}
