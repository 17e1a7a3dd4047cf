/**
 * The sealer links new audit records into the hash chain and signs checkpoints.
 *
 * Every instance runs one, but a round only proceeds under a transaction-scoped advisory lock,
 * so exactly one instance extends the chain at a time: no forks, and `seq` (primary key) is
 * assigned gap-free in the order events are taken from the queue. A round takes a batch of
 * pending events, links each to the previous hash, inserts the links, removes them from the
 * queue and — every `checkpointEvery` records or `checkpointInterval` — signs a checkpoint, all
 * in one transaction: a crash mid-round leaves the chain exactly as it was.
 */
import type { Database, OwnerQueryable, Queryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { GENESIS_HASH, link } from './chain.ts';
import { chainedForms, sealForms } from './subjects.ts';
import { jwsDigest, type CheckpointSigner, type CheckpointStatement } from './keys.ts';
import type { AuditLog } from './trail.ts';
import { CHECKPOINT_LOG_EVENT } from './anchor.ts';
import { headRow, insertCheckpointRow, linkAndDequeue, linksBetween, pendingBatch, pendingLag, tryTransactionLock } from './chain-store.ts';
import { PalisadeError } from '../errors/index.ts';

/** Arbitrary but fixed: the advisory lock key that serializes sealing across instances. */
export const SEAL_LOCK = 7_150_001;

/** The sealer's batch statement, kept in chain-store.ts; exported here as before (the plan test EXPLAINs it). */
export { PENDING_BATCH } from './chain-store.ts';

export interface SealerOptions {
  /** Records linked per round (one transaction). */
  batchSize: number;
  /** Sign a checkpoint after this many new records… */
  checkpointEvery: number;
  /** …or when this much time has passed since the last one and something new was sealed. */
  checkpointIntervalMs: number;
  /** How often an idle sealer looks for new events. */
  pollIntervalMs: number;
}

export interface SealRound {
  sealed: number;
  checkpoint?: CheckpointStatement;
  /** False when another instance held the lock. */
  ran: boolean;
}

/** The chain head and latest checkpoint, as the sealer and metrics see them. */
export interface ChainHead {
  seq: number;
  hash: string;
  checkpointSeq: number;
  checkpointHash: string;
  checkpointAt: number | null;
  /** The newest checkpoint's position in the checkpoint chain (0: none yet) and its JWS. */
  checkpointN: number;
  checkpointJws: string | null;
}

export async function asRole<T>(db: Database, role: 'palisade_audit_sealer' | 'palisade_audit_reader' | 'palisade_audit_retention', fn: (q: OwnerQueryable) => Promise<T>): Promise<T> {
  return db.asOwner(async (owner) => {
    await owner.query(`SET LOCAL ROLE ${role}`);
    return fn(owner);
  });
}

export async function chainHead(q: Queryable): Promise<ChainHead> {
  return (await readHead(q)).head;
}

/**
 * The newest link and the newest checkpoint in one statement (one snapshot, one round trip per
 * sealing round); each is a backward scan of its primary key, one row. With `mineSeq`, the hash
 * stored at that seq too (`mine`: null when the row is gone), so the sealer's check of its own
 * last link costs no statement of its own.
 */
async function readHead(q: Queryable, mineSeq?: number): Promise<{ head: ChainHead; mine: string | null }> {
  const row = await headRow(q, mineSeq);
  const cp = row?.cp_n != null ? { n: row.cp_n, seq: row.cp_seq!, hash: row.cp_hash!, at: row.cp_at!, jws: row.cp_jws! } : undefined;
  // After a purge the chain may be empty; it then continues from the purge checkpoint's hash.
  const head = row?.seq != null ? { seq: row.seq, hash: row.hash! } : cp ? { seq: cp.seq, hash: cp.hash } : { seq: '0', hash: GENESIS_HASH };
  return {
    head: {
      seq: Number(head.seq),
      hash: head.hash,
      checkpointSeq: cp ? Number(cp.seq) : 0,
      checkpointHash: cp?.hash ?? GENESIS_HASH,
      checkpointAt: cp ? new Date(cp.at).getTime() : null,
      checkpointN: cp ? Number(cp.n) : 0,
      checkpointJws: cp?.jws ?? null,
    },
    mine: row?.mine ?? null,
  };
}

/** The database holds a chain or checkpoints other than the ones this sealer built on. */
export class AuditTamperError extends PalisadeError<'ERR_AUDIT_TAMPERED'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_AUDIT_TAMPERED', message, options);
  }
}

/**
 * Recomputes the links after the newest checkpoint up to `head.seq` and compares them with the
 * stored ones: a checkpoint must never put a signature on history someone rewrote since the last
 * one. Each chain row's event is read by its primary key (LATERAL), as in PENDING_BATCH, so the
 * check never turns into a join over the whole trail.
 */
async function checkSinceCheckpoint(q: Queryable, head: ChainHead): Promise<void> {
  if (head.seq === head.checkpointSeq) return;
  const rows = await linksBetween(q, head.checkpointSeq, head.seq);
  let hash = head.checkpointHash;
  let expected = head.checkpointSeq + 1;
  const forms = await chainedForms(q, rows);
  for (const [i, r] of rows.entries()) {
    if (Number(r.seq) !== expected) throw new AuditTamperError(`seq ${expected} is missing after checkpoint ${head.checkpointN}`);
    hash = link(hash, forms[i]!);
    // eslint-disable-next-line security/detect-possible-timing-attacks -- chain hashes are public, not secrets
    if (hash !== r.hash) throw new AuditTamperError(`record seq ${expected} does not match its link`);
    expected += 1;
  }
  if (expected - 1 !== head.seq) throw new AuditTamperError(`the chain head moved during the check`);
}

export class Sealer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly db: Database;
  private readonly signer: CheckpointSigner;
  private readonly clock: Clock;
  private readonly log: AuditLog;
  private readonly options: SealerOptions;
  /** The newest checkpoint this sealer has seen: the checkpoint chain never shrinks. */
  private highestN = 0;
  /** The last link this sealer wrote: it must still be there, unchanged, at the next round. */
  private lastWritten: { seq: number; hash: string } | undefined;
  /** Told when the database no longer holds what this sealer built on (it then seals nothing). */
  onTamper: (error: AuditTamperError) => void = () => undefined;

  constructor(db: Database, signer: CheckpointSigner, clock: Clock, log: AuditLog, options: SealerOptions) {
    this.db = db;
    this.signer = signer;
    this.clock = clock;
    this.log = log;
    this.options = options;
  }

  /** One round: links up to `batchSize` pending records; signs a checkpoint when one is due. */
  async sealOnce(): Promise<SealRound> {
    try {
      return await this.round();
    } catch (error) {
      if (error instanceof AuditTamperError) this.onTamper(error);
      throw error;
    }
  }

  private async round(): Promise<SealRound> {
    return asRole(this.db, 'palisade_audit_sealer', async (q) => {
      if (!(await tryTransactionLock(q, SEAL_LOCK))) return { sealed: 0, ran: false };
      const { head, mine } = await readHead(q, this.lastWritten?.seq);
      if (head.checkpointN < this.highestN) {
        throw new AuditTamperError(`checkpoints were removed: the newest is n ${head.checkpointN}, this sealer saw n ${this.highestN}`);
      }
      this.highestN = head.checkpointN;
      if (this.lastWritten) {
        // A rewrite that recomputed every later link is consistent in itself; only a memory of
        // what was written tells it apart (read with the head, in the same snapshot).
        const purged = mine === null && head.checkpointSeq >= this.lastWritten.seq;
        if (!purged && mine !== this.lastWritten.hash) {
          throw new AuditTamperError(`the link this sealer wrote at seq ${this.lastWritten.seq} was changed or removed`);
        }
      }
      // A round stops at the next multiple of checkpointEvery, so checkpoints fall exactly every
      // N records however large the backlog is.
      const room = this.options.checkpointEvery - (head.seq - head.checkpointSeq);
      const rows = await pendingBatch(q, Math.max(0, Math.min(this.options.batchSize, room)));
      let { seq, hash } = head;
      const seqs: number[] = [];
      const ids: string[] = [];
      const hashes: string[] = [];
      const subjects: string[] = [];
      // Chained under pseudonyms (audit/subjects.ts): each record's people replaced, and which
      // identifiers it held noted with its link.
      for (const [i, form] of (await sealForms(q, rows, seq + 1)).entries()) {
        seq += 1;
        hash = link(hash, form.record);
        seqs.push(seq);
        ids.push(rows[i]!.id);
        hashes.push(hash);
        subjects.push(`{${form.applied.join(',')}}`);
      }
      const written = rows.length > 0 ? { seq, hash } : this.lastWritten;
      if (rows.length > 0) {
        // The links in and the queue's entries out in one statement. Every id was read from the
        // queue under the lock, so each delete finds its row; a count that differs means the
        // queue changed under the sealer: the round rolls back, and the next one starts over.
        const moved = await linkAndDequeue(q, { seqs, ids, hashes, subjects });
        if (moved.linked !== rows.length || moved.dequeued !== rows.length) {
          throw new Error(`the audit queue changed while ${rows.length} records were linked`);
        }
      }
      const now = this.clock.now();
      const due =
        seq > head.checkpointSeq &&
        (seq - head.checkpointSeq >= this.options.checkpointEvery || head.checkpointAt === null || now - head.checkpointAt >= this.options.checkpointIntervalMs);
      if (!due) {
        this.lastWritten = written;
        return { sealed: rows.length, ran: true };
      }
      // Before signing: everything earlier rounds linked since the last checkpoint must still be
      // what the sealers wrote. This round's links need no second reading: they were computed in
      // this transaction, under the lock, from the head just checked and the events read above
      // (re-reading them cost a quarter of a round under load, when rounds end on checkpoints).
      // A mismatch rolls this round back.
      await checkSinceCheckpoint(q, head);
      const checkpoint = await insertCheckpoint(q, { kind: 'seal', seq, hash, at: new Date(now).toISOString() }, this.signer, head);
      this.highestN = checkpoint.n;
      this.lastWritten = written;
      // Logged whole: the log is the outside copy `audit verify --anchor` checks against (anchor.ts).
      // A checkpoint is a signed public statement; under a name the log's redaction of secrets
      // (`jws` and the like, audit/redact.ts) does not match.
      this.log.info?.({ event: CHECKPOINT_LOG_EVENT, n: checkpoint.n, seq, checkpoint: checkpoint.jws }, 'audit checkpoint signed');
      return { sealed: rows.length, checkpoint, ran: true };
    });
  }

  /** Seals until nothing is pending (tests, shutdown, `audit verify --seal`). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const round = await this.sealOnce();
      total += round.sealed;
      if (round.ran && round.sealed === 0 && !round.checkpoint) return total;
      if (!round.ran) await new Promise((r) => setTimeout(r, 20));
    }
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      let full = false;
      try {
        const round = await this.sealOnce();
        full = round.sealed > 0 || round.checkpoint !== undefined;
      } catch (err) {
        // Tampering stops the sealer for good (no signature over a changed trail, one alarm);
        // anything else (a database outage) is retried.
        if (err instanceof AuditTamperError) {
          this.stopped = true;
          return;
        }
        this.log.error({ err, event: 'audit.seal_failed' }, 'sealing audit records failed; retrying');
      }
      // Under sustained load the next round starts at once; idle, it waits for the poll interval.
      if (!this.stopped) this.timer = setTimeout(() => (this.running = tick()), full ? 0 : this.options.pollIntervalMs);
    };
    this.running = tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/** Signs and stores the next checkpoint, linked to the newest one in `head`. */
export async function insertCheckpoint(
  q: Queryable,
  statement: Omit<CheckpointStatement, 'n' | 'previous'>,
  signer: CheckpointSigner,
  head: Pick<ChainHead, 'checkpointN' | 'checkpointJws'>,
): Promise<CheckpointStatement & { jws: string }> {
  const full: CheckpointStatement = { n: head.checkpointN + 1, previous: head.checkpointJws ? jwsDigest(head.checkpointJws) : null, ...statement };
  const jws = await signer.sign(full);
  await insertCheckpointRow(q, { n: full.n, kind: full.kind, seq: full.seq, hash: full.hash, at: full.at, kid: signer.kid, jws });
  return { ...full, jws };
}

/** How far sealing lags: pending records, the oldest one's age, and records not yet under a signature. */
export async function sealerLag(db: Database, clock: Clock): Promise<{ pending: number; oldestSeconds: number; uncovered: number }> {
  return asRole(db, 'palisade_audit_reader', async (q) => {
    const lag = await pendingLag(q);
    const head = await chainHead(q);
    const oldest = lag.oldest;
    return {
      pending: Number(lag.n),
      oldestSeconds: oldest ? Math.max(0, (clock.now() - new Date(oldest).getTime()) / 1000) : 0,
      uncovered: head.seq - head.checkpointSeq,
    };
  });
}
