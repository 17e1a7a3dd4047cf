/**
 * What the audit trail costs, measured in this process without HTTP on the bench's
 * database once Palisade has stopped, so nothing else competes for it:
 *
 *   write cost   a representative audited write (a user's department changes) with C workers:
 *                bare, plus `record` in the same transaction, plus `emit`, and plus `record`
 *                with a sealer running, whose catching-up after the round is charged to it
 *   append load  C workers appending as fast as they can (half `record`, half `emit` batches)
 *                while a sealer runs: does the unsealed backlog stay bounded?
 *   sealing      a backlog inserted up front and linked by `drain()`: the sealer's own ceiling
 *   verify       the whole chain (Palisade's records from the earlier phases and ours)
 *                recomputed and every checkpoint signature checked: a bench that broke the
 *                chain must say so.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Database } from '../src/db/index.ts';
import { randomId, type MasterKey } from '../src/security/primitives.ts';
import { systemClock } from '../src/clock.ts';
import { AuditTrail, type AuditLog } from '../src/audit/trail.ts';
import { Sealer, asRole, chainHead, sealerLag, type SealerOptions } from '../src/audit/sealer.ts';
import { loadCheckpointSigner, publicAuditKeys, type CheckpointSigner } from '../src/audit/keys.ts';
import { verifyDatabase, type VerifyReport } from '../src/audit/verify.ts';
import type { AuditEvent } from '../src/audit/event.ts';

/** What the issue asks the sealer to run with; checkpointEvery caps a round at 1000 records. */
const SEALER: SealerOptions = { batchSize: 2000, checkpointEvery: 1000, checkpointIntervalMs: 60_000, pollIntervalMs: 50 };
/** The configuration default (audit.flushInterval). */
const FLUSH_INTERVAL_MS = 200;
/** Events an emitting worker queues before it waits for the flush, so the queue stays bounded. */
const EMIT_BATCH = 100;
/** Bulk insert for the sealing phase: recordMany per transaction. */
const INSERT_BATCH = 1000;

export interface AuditBenchSettings {
  /** Concurrent workers (closed loop: each starts its next transaction when the last one ends). */
  concurrency: number;
  /** Time per write-cost variant, split over alternating rounds. */
  writeMsPerVariant: number;
  rounds: number;
  /** Duration of the append load with the sealer running. */
  appendMs: number;
  /** Backlog the pure sealing phase links. */
  sealEvents: number;
}

export interface WriteCost {
  /** Transactions per second. */
  bare: number;
  recorded: number;
  emitted: number;
  recordedSealed: number;
}

export interface AppendLoad {
  seconds: number;
  recorded: number;
  emitted: number;
  /** Records linked into the chain during the load. */
  sealed: number;
  maxPending: number;
  endPending: number;
  /** From the end of the load until nothing was pending. */
  drainMs: number;
  /** Largest round a sealer takes (min of batchSize and checkpointEvery). */
  roundSize: number;
}

export interface SealThroughput {
  events: number;
  insertMs: number;
  sealMs: number;
  checkpoints: number;
}

export interface AuditBenchResult {
  write: WriteCost;
  append: AppendLoad;
  seal: SealThroughput;
  verify: VerifyReport;
  verifyMs: number;
  /** Errors the trail or sealer logged; any makes the numbers suspect. */
  errors: string[];
}

interface Writer {
  userId: string;
  sessionId: string;
  flip: boolean;
}

const DEPARTMENTS = ['field-east', 'field-west'] as const;

/** A mobile client behind the corporate gateway, as Palisade sees most requests. */
function actor(w: Writer): AuditEvent['actor'] {
  return {
    userId: w.userId,
    sessionId: w.sessionId,
    appId: 'field-app',
    ip: '10.42.17.203',
    userAgent: 'FieldApp/4.12.0 (iPhone15,3; iOS 17.5.1) CFNetwork/1496.0.7 Darwin/23.5.0',
  };
}

function updateEvent(w: Writer, before: string, after: string): AuditEvent {
  return {
    action: 'user.update',
    outcome: 'success',
    actor: actor(w),
    resource: { type: 'user', id: w.userId },
    requestId: randomUUID(),
    changes: { before: { department: before }, after: { department: after } },
  };
}

function readEvent(w: Writer): AuditEvent {
  return {
    action: 'job.read',
    outcome: 'success',
    actor: actor(w),
    resource: { type: 'job', id: randomUUID() },
    requestId: randomUUID(),
    detail: { route: '/api/v1/jobs/:id', status: 200 },
  };
}

/** The write every variant makes: one row, its own per worker so PostgreSQL workers never wait on each other's row lock. */
const UPDATE = 'UPDATE users SET department = $2, updated_at = now() WHERE id = $1';

/**
 * Runs `workers` closed loops of `fn` for `ms`; returns how many calls completed. Each worker
 * yields to the event loop between calls, as a server does between requests: PGlite answers
 * without I/O, so a loop that only awaited it would starve every timer — the sealer's, the
 * trail's flush — and measure a system in which they never run.
 */
async function closedLoop<W>(workers: W[], ms: number, fn: (worker: W) => Promise<unknown>): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  await Promise.all(
    workers.map(async (w) => {
      while (performance.now() < end) {
        await fn(w);
        done += 1;
        await nextTurn();
      }
    }),
  );
  return done;
}

async function pending(db: Database): Promise<number> {
  return (await sealerLag(db, systemClock)).pending;
}

async function headSeq(db: Database): Promise<number> {
  return (await asRole(db, 'palisade_audit_reader', chainHead)).seq;
}

export async function measureAudit(options: { db: Database; masterKey: MasterKey; settings: AuditBenchSettings; progress: (line: string) => void }): Promise<AuditBenchResult> {
  const { db, settings, progress } = options;
  const errors: string[] = [];
  const log: AuditLog = {
    error: (obj, msg) => errors.push(`${msg} ${JSON.stringify(obj)}`),
    warn: (obj, msg) => errors.push(`${msg} ${JSON.stringify(obj)}`),
  };
  // The key Palisade signed its checkpoints with: one chain, one key, as in production.
  const signer: CheckpointSigner = await loadCheckpointSigner(db, options.masterKey);
  const trail = new AuditTrail(db, systemClock, log, { flushIntervalMs: FLUSH_INTERVAL_MS });
  const newSealer = () => new Sealer(db, signer, systemClock, log, SEALER);
  // Start from an empty queue: Palisade sealed on its way out, but the numbers must not depend on it.
  await newSealer().drain();

  const writers: Writer[] = [];
  for (let i = 0; i < settings.concurrency; i += 1) {
    const { rows } = await db.query<{ id: string }>('INSERT INTO users (issuer, subject, department) VALUES ($1, $2, $3) RETURNING id', [
      'https://idp.bench.invalid',
      `bench-writer-${randomId(8)}`,
      DEPARTMENTS[0],
    ]);
    writers.push({ userId: rows[0]!.id, sessionId: randomId(16), flip: false });
  }
  const change = (w: Writer) => {
    w.flip = !w.flip;
    return w.flip ? { before: DEPARTMENTS[0], after: DEPARTMENTS[1] } : { before: DEPARTMENTS[1], after: DEPARTMENTS[0] };
  };

  progress('audit: write cost (bare, record, emit, record with the sealer running)');
  const variants: { name: keyof WriteCost; round(ms: number): Promise<number> }[] = [
    {
      name: 'bare',
      round: (ms) => closedLoop(writers, ms, (w) => db.transaction((tx) => tx.query(UPDATE, [w.userId, change(w).after]))),
    },
    {
      name: 'recorded',
      round: (ms) =>
        closedLoop(writers, ms, (w) =>
          db.transaction(async (tx) => {
            const { before, after } = change(w);
            await tx.query(UPDATE, [w.userId, after]);
            await trail.record(tx, updateEvent(w, before, after));
          }),
        ),
    },
    {
      name: 'emitted',
      round: async (ms) => {
        const count = await closedLoop(writers, ms, async (w) => {
          const { before, after } = change(w);
          await db.transaction((tx) => tx.query(UPDATE, [w.userId, after]));
          trail.emit(updateEvent(w, before, after));
        });
        // The batched writes the round caused belong to its time.
        await trail.flush();
        return count;
      },
    },
    {
      name: 'recordedSealed',
      round: async (ms) => {
        const sealer = newSealer();
        sealer.start();
        const count = await closedLoop(writers, ms, (w) =>
          db.transaction(async (tx) => {
            const { before, after } = change(w);
            await tx.query(UPDATE, [w.userId, after]);
            await trail.record(tx, updateEvent(w, before, after));
          }),
        );
        // What the sealer has not linked yet is work this round caused: it is charged here.
        await sealer.stop();
        await sealer.drain();
        return count;
      },
    },
  ];
  const totals = { bare: 0, recorded: 0, emitted: 0, recordedSealed: 0 };
  const roundMs = settings.writeMsPerVariant / settings.rounds;
  for (const v of variants) await v.round(Math.min(200, roundMs)); // warm-up
  // Alternating short rounds, so drift in machine load falls on every variant alike; each
  // starts from an empty queue (drained untimed).
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const v of variants) {
      await newSealer().drain();
      const started = performance.now();
      const count = await v.round(roundMs);
      totals[v.name] += count / ((performance.now() - started) / 1000);
    }
  }
  const write: WriteCost = {
    bare: totals.bare / settings.rounds,
    recorded: totals.recorded / settings.rounds,
    emitted: totals.emitted / settings.rounds,
    recordedSealed: totals.recordedSealed / settings.rounds,
  };

  progress('audit: appends with the sealer running');
  await newSealer().drain();
  const sealer = newSealer();
  const seqBefore = await headSeq(db);
  sealer.start();
  let recorded = 0;
  let emitted = 0;
  let maxPending = 0;
  let sampling = true;
  // The backlog, sampled while the load runs: bounded if the sealer keeps up, growing if not.
  const sampler = (async () => {
    while (sampling) {
      maxPending = Math.max(maxPending, await pending(db));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const half = Math.max(1, Math.floor(writers.length / 2));
  const loadStarted = performance.now();
  await Promise.all([
    closedLoop(writers.slice(0, half), settings.appendMs, async (w) => {
      const { before, after } = change(w);
      await db.transaction((tx) => trail.record(tx, updateEvent(w, before, after)));
      recorded += 1;
    }),
    closedLoop(writers.slice(half), settings.appendMs, async (w) => {
      for (let i = 0; i < EMIT_BATCH; i += 1) trail.emit(readEvent(w));
      await trail.flush();
      emitted += EMIT_BATCH;
    }),
  ]);
  const seconds = (performance.now() - loadStarted) / 1000;
  const loadEnded = performance.now();
  sampling = false;
  await sampler;
  const endPending = await pending(db);
  maxPending = Math.max(maxPending, endPending);
  const sealed = (await headSeq(db)) - seqBefore;
  await sealer.stop();
  await sealer.drain();
  const drainMs = performance.now() - loadEnded;
  const append: AppendLoad = { seconds, recorded, emitted, sealed, maxPending, endPending, drainMs, roundSize: Math.min(SEALER.batchSize, SEALER.checkpointEvery) };

  progress(`audit: sealing a backlog of ${settings.sealEvents} records`);
  const insertStarted = performance.now();
  for (let left = settings.sealEvents; left > 0; left -= INSERT_BATCH) {
    const batch = Array.from({ length: Math.min(INSERT_BATCH, left) }, (_, i) => readEvent(writers[i % writers.length]!));
    await db.transaction((tx) => trail.recordMany(tx, batch));
  }
  const insertMs = performance.now() - insertStarted;
  const checkpointsBefore = await countCheckpoints(db);
  const sealStarted = performance.now();
  const linked = await newSealer().drain();
  const sealMs = performance.now() - sealStarted;
  if (linked !== settings.sealEvents) errors.push(`the sealer linked ${linked} records, expected ${settings.sealEvents}`);
  const seal: SealThroughput = { events: linked, insertMs, sealMs, checkpoints: (await countCheckpoints(db)) - checkpointsBefore };

  await trail.close();
  progress('audit: verifying the chain');
  const verifyStarted = performance.now();
  const verify = await verifyDatabase(db, await publicAuditKeys(db));
  const verifyMs = performance.now() - verifyStarted;
  return { write, append, seal, verify, verifyMs, errors };
}

async function countCheckpoints(db: Database): Promise<number> {
  const { rows } = await asRole(db, 'palisade_audit_reader', (q) => q.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_checkpoints'));
  return Number(rows[0]!.n);
}

/** The report section; `ok` is false when the chain did not verify or something was logged. */
export function auditReport(r: AuditBenchResult, settings: AuditBenchSettings): { text: string; ok: boolean } {
  const { write, append, seal, verify } = r;
  const rows: [string, number][] = [
    ['write, no audit (bare)', write.bare],
    ['write + record (same transaction)', write.recorded],
    ['write + emit (batched, flush timed)', write.emitted],
    ['write + record + sealer (catch-up timed)', write.recordedSealed],
  ];
  const header = ['', 'tx/s', 'µs/tx', 'vs bare'];
  const body = rows.map(([name, perSecond]) => [name, perSecond.toFixed(0), (1e6 / perSecond).toFixed(0), `${(perSecond / write.bare).toFixed(3)}×`]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');

  const appends = append.recorded + append.emitted;
  const keepsUp = append.endPending <= append.roundSize;
  const lines = [
    `Audit trail: write = one transaction updating a user's department (a row per worker), the event a user.update with actor and diff;`,
    `${settings.concurrency} concurrent workers, ${settings.rounds} alternating rounds of ${(settings.writeMsPerVariant / settings.rounds).toFixed(0)} ms per variant`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    `appends with the sealer running (${append.seconds.toFixed(1)} s): ${(appends / append.seconds).toFixed(0)}/s ` +
      `(record ${(append.recorded / append.seconds).toFixed(0)}/s + emit ${(append.emitted / append.seconds).toFixed(0)}/s in batches of ${EMIT_BATCH}), ` +
      `sealed ${(append.sealed / append.seconds).toFixed(0)}/s`,
    `  unsealed backlog: max ${append.maxPending}, ${append.endPending} when the load stopped, drained ${append.drainMs.toFixed(0)} ms later — ` +
      (keepsUp ? `sealing keeps up (at most one round of ${append.roundSize} behind)` : `sealing falls behind (more than one round of ${append.roundSize} pending)`),
    `sealing alone: ${seal.events} records in ${(seal.sealMs / 1000).toFixed(2)} s = ${(seal.events / (seal.sealMs / 1000)).toFixed(0)} records/s, ` +
      `${seal.checkpoints} signed checkpoints (bulk insert beforehand: ${(seal.events / (seal.insertMs / 1000)).toFixed(0)} records/s)`,
    verify.ok
      ? `chain verified: ok — ${verify.checked} records, ${verify.checkpointsVerified} checkpoint signatures, ${verify.unsealed ?? 0} unsealed, ${verify.uncovered} not yet under a checkpoint (${(r.verifyMs / 1000).toFixed(1)} s)`
      : `chain verified: FAILED — ${verify.broken?.problem}: ${verify.broken?.message}`,
  ];
  if (r.errors.length > 0) lines.push(`audit errors logged during the bench (${r.errors.length}): ${r.errors.slice(0, 3).join('; ')}`);
  return { text: lines.join('\n'), ok: verify.ok && r.errors.length === 0 };
}

export interface SustainedSettings {
  /** Appends per second asked for (emitted in batches every tick, as requests' reads are). */
  rate: number;
  seconds: number;
  /** Writers recording one event per transaction alongside, as fast as they can (0: none). */
  recordWriters: number;
}

export interface SustainedResult {
  seconds: number;
  emitted: number;
  recorded: number;
  sealed: number;
  /** Unsealed records at the start, the most seen, and at the end of the window. */
  startPending: number;
  maxPending: number;
  endPending: number;
  /** Largest round a sealer takes (min of batchSize and checkpointEvery). */
  roundSize: number;
}

/**
 * Goal (c): appends at a set rate for a window with the sealer running — an open loop that emits
 * `rate × tick` events every tick (the trail batches them as it does for requests' reads), while
 * `recordWriters` closed loops record one event per transaction (the audited writes). The
 * backlog is sampled every second: the sealer keeps up when it ends within a round or two of
 * where it started, whatever the rate.
 */
export async function measureSustainedAppends(options: { db: Database; masterKey: MasterKey; settings: SustainedSettings; progress: (line: string) => void }): Promise<SustainedResult> {
  const { db, settings } = options;
  const errors: string[] = [];
  const log: AuditLog = { error: (obj, msg) => errors.push(`${msg} ${JSON.stringify(obj)}`), warn: (obj, msg) => errors.push(`${msg} ${JSON.stringify(obj)}`) };
  const signer = await loadCheckpointSigner(db, options.masterKey);
  const trail = new AuditTrail(db, systemClock, log, { flushIntervalMs: FLUSH_INTERVAL_MS });
  await new Sealer(db, signer, systemClock, log, SEALER).drain();
  const writer: Writer = { userId: randomUUID(), sessionId: randomId(16), flip: false };
  const sealer = new Sealer(db, signer, systemClock, log, SEALER);
  const seqBefore = await headSeq(db);
  const startPending = await pending(db);
  sealer.start();
  const load = [settings.rate > 0 ? `${settings.rate} appends/s` : '', settings.recordWriters > 0 ? `${settings.recordWriters} writers recording in transactions` : ''].filter(Boolean).join(' and ');
  options.progress(`audit: ${load} for ${settings.seconds} s with the sealer running`);
  const TICK_MS = 50;
  const started = performance.now();
  const end = started + settings.seconds * 1000;
  let emitted = 0;
  let recorded = 0;
  let maxPending = startPending;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await new Promise((r) => setTimeout(r, 1000));
      maxPending = Math.max(maxPending, await pending(db));
    }
  })();
  const emitter = (async () => {
    for (let tick = 1; ; tick += 1) {
      const due = started + tick * TICK_MS;
      if (due > end) return;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // Catch up on the schedule: the count due by now, whatever the timer's jitter.
      const target = Math.floor(((performance.now() - started) / 1000) * settings.rate);
      for (; emitted < target; emitted += 1) trail.emit(readEvent(writer));
    }
  })();
  const recorders = closedLoop(
    Array.from({ length: settings.recordWriters }, () => ({ userId: randomUUID(), sessionId: randomId(16), flip: false })),
    settings.seconds * 1000,
    async (w) => {
      await db.transaction((tx) => trail.record(tx, readEvent(w)));
      recorded += 1;
    },
  );
  await Promise.all([emitter, recorders]);
  await trail.flush();
  const seconds = (performance.now() - started) / 1000;
  sampling = false;
  await sampler;
  const endPending = await pending(db);
  maxPending = Math.max(maxPending, endPending);
  const sealed = (await headSeq(db)) - seqBefore;
  await sealer.stop();
  await sealer.drain();
  await trail.close();
  if (errors.length > 0) throw new Error(`the audit trail logged errors during the sustained appends: ${errors.slice(0, 3).join('; ')}`);
  return { seconds, emitted, recorded, sealed, startPending, maxPending, endPending, roundSize: Math.min(SEALER.batchSize, SEALER.checkpointEvery) };
}
