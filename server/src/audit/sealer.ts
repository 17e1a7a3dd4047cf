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
import type { Database, OwnerQueryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { GENESIS_HASH, RECORD_COLUMNS, link, toChainRecord, type RecordRow } from './chain.ts';
import type { CheckpointSigner, CheckpointStatement } from './keys.ts';
import type { AuditLog } from './trail.ts';

/** Arbitrary but fixed: the advisory lock key that serializes sealing across instances. */
const SEAL_LOCK = 7_150_001;

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
  checkpointAt: number | null;
}

export async function asRole<T>(db: Database, role: 'palisade_audit_sealer' | 'palisade_audit_reader' | 'palisade_audit_retention', fn: (q: OwnerQueryable) => Promise<T>): Promise<T> {
  return db.asOwner(async (owner) => {
    await owner.query(`SET LOCAL ROLE ${role}`);
    return fn(owner);
  });
}

export async function chainHead(q: OwnerQueryable): Promise<ChainHead> {
  const { rows } = await q.query<{ seq: string; hash: string }>('SELECT c.seq::text AS seq, c.hash FROM audit_chain c ORDER BY c.seq DESC LIMIT 1');
  const { rows: cps } = await q.query<{ seq: string; hash: string; at: Date | string }>('SELECT k.seq::text AS seq, k.hash, k.at FROM audit_checkpoints k ORDER BY k.seq DESC, k.id DESC LIMIT 1');
  const cp = cps[0];
  // After a purge the chain may be empty; it then continues from the purge checkpoint's hash.
  const head = rows[0] ?? (cp ? { seq: cp.seq, hash: cp.hash } : { seq: '0', hash: GENESIS_HASH });
  return { seq: Number(head.seq), hash: head.hash, checkpointSeq: cp ? Number(cp.seq) : 0, checkpointAt: cp ? new Date(cp.at).getTime() : null };
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

  constructor(db: Database, signer: CheckpointSigner, clock: Clock, log: AuditLog, options: SealerOptions) {
    this.db = db;
    this.signer = signer;
    this.clock = clock;
    this.log = log;
    this.options = options;
  }

  /** One round: links up to `batchSize` pending records; signs a checkpoint when one is due. */
  async sealOnce(): Promise<SealRound> {
    return asRole(this.db, 'palisade_audit_sealer', async (q) => {
      const { rows: lock } = await q.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [SEAL_LOCK]);
      if (!lock[0]?.locked) return { sealed: 0, ran: false };
      const head = await chainHead(q);
      // A round stops at the next multiple of checkpointEvery, so checkpoints fall exactly every
      // N records however large the backlog is.
      const room = this.options.checkpointEvery - (head.seq - head.checkpointSeq);
      const { rows } = await q.query<RecordRow>(
        `SELECT ${RECORD_COLUMNS} FROM audit_pending p JOIN audit_events e ON e.id = p.event_id ORDER BY e.id LIMIT $1`,
        [Math.max(0, Math.min(this.options.batchSize, room))],
      );
      let { seq, hash } = head;
      const seqs: number[] = [];
      const ids: string[] = [];
      const hashes: string[] = [];
      for (const r of rows) {
        seq += 1;
        hash = link(hash, toChainRecord(seq, r));
        seqs.push(seq);
        ids.push(r.id);
        hashes.push(hash);
      }
      if (rows.length > 0) {
        await q.query(
          `INSERT INTO audit_chain (seq, event_id, hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])`,
          [seqs, ids, hashes],
        );
        await q.query('DELETE FROM audit_pending WHERE event_id = ANY($1::bigint[])', [ids]);
      }
      const now = this.clock.now();
      const due =
        seq > head.checkpointSeq &&
        (seq - head.checkpointSeq >= this.options.checkpointEvery || head.checkpointAt === null || now - head.checkpointAt >= this.options.checkpointIntervalMs);
      if (!due) return { sealed: rows.length, ran: true };
      const checkpoint: CheckpointStatement = { kind: 'seal', seq, hash, at: new Date(now).toISOString() };
      await insertCheckpoint(q, checkpoint, this.signer);
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

export async function insertCheckpoint(q: OwnerQueryable, statement: CheckpointStatement, signer: CheckpointSigner): Promise<void> {
  const jws = await signer.sign(statement);
  await q.query('INSERT INTO audit_checkpoints (kind, seq, hash, at, kid, jws) VALUES ($1, $2, $3, $4, $5, $6)', [
    statement.kind,
    statement.seq,
    statement.hash,
    statement.at,
    signer.kid,
    jws,
  ]);
}

/** How far sealing lags: pending records, the oldest one's age, and records not yet under a signature. */
export async function sealerLag(db: Database, clock: Clock): Promise<{ pending: number; oldestSeconds: number; uncovered: number }> {
  return asRole(db, 'palisade_audit_reader', async (q) => {
    const { rows } = await q.query<{ n: string; oldest: Date | string | null }>(
      'SELECT count(*)::text AS n, min(e.at) AS oldest FROM audit_pending p JOIN audit_events e ON e.id = p.event_id',
    );
    const head = await chainHead(q);
    const oldest = rows[0]!.oldest;
    return {
      pending: Number(rows[0]!.n),
      oldestSeconds: oldest ? Math.max(0, (clock.now() - new Date(oldest).getTime()) / 1000) : 0,
      uncovered: head.seq - head.checkpointSeq,
    };
  });
}
