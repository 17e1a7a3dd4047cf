/**
 * Appending to the audit trail. Two ways in:
 *
 * - `record(tx, event)` writes inside the caller's transaction: a change and its record commit
 *   together or not at all. Every create/update/delete and every security decision that changes
 *   state (revocations, evictions, role changes) goes this way.
 * - `emit(event)` queues events that change nothing of their own — reads, denials, failed logins —
 *   and writes them in one multi-row INSERT every `flushInterval`. A crash loses at most the
 *   events of the last `flushInterval` (docs/audit.md states the bound; a test holds us to it).
 *
 * Both feed the monitor (brute force, reuse, error spikes …) as they happen.
 *
 * Events carry what requests sent (a `grant_type`, a user agent), so every string is made
 * storable before it is written: one NUL or lone surrogate would otherwise make PostgreSQL refuse
 * the whole batch — and, re-queued, every batch after it. A row the database still refuses is
 * dropped, counted and recorded as `audit.unwritable`; only an unreachable database keeps the
 * queue for retry.
 */
import type { Database, Queryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { AuditEvent } from './event.ts';
import { redact } from '../security/index.ts';
import { currentContext } from '../request-context.ts';
import { insertEvent, insertEvents } from './events-store.ts';

export interface AuditLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  /** Checkpoints are logged here, so a copy of each lives outside the database. */
  info?(obj: object, msg: string): void;
}

export interface AuditTrailOptions {
  /** Bound on how long an emitted event waits in memory before it is written. */
  flushIntervalMs: number;
  /** Beyond this many queued events, new ones are dropped (and counted) rather than exhaust memory. */
  maxQueued?: number;
}

/** What modules hold: write in my transaction, or queue. `noAudit` for tests that do not look. */
export interface AuditSink {
  record(tx: Queryable, event: AuditEvent): Promise<void>;
  emit(event: AuditEvent): void;
}

export const noAudit: AuditSink = { record: async () => undefined, emit: () => undefined };

export type AuditListener = (event: AuditEvent & { at: number }) => void;

/** Fills who and which request from the request context where the event does not say. */
function attributed(event: AuditEvent): AuditEvent {
  const context = currentContext();
  if (!context) return event;
  return { ...event, actor: { ...context.actor, ...event.actor }, requestId: event.requestId ?? context.requestId };
}

/**
 * Longest string kept, in UTF-16 code units. Values come from requests: without a cap one
 * request could make a record (and the batch it is in) megabytes long. Longer ones keep their
 * start and say how long they were, which is itself worth knowing in an investigation.
 */
export const MAX_TEXT = 2000;
/** Plain data deeper than this is not descended (redact stops at 8; class instances can cycle). */
const MAX_DEPTH = 10;

/**
 * What PostgreSQL accepts: no NUL (jsonb and text reject `\u0000`), no lone surrogate (invalid
 * JSON to jsonb), both replaced by U+FFFD so the record still shows something was there.
 */
export function storableText(value: string): string {
  let text = value;
  if (text.length > MAX_TEXT) {
    const high = text.charCodeAt(MAX_TEXT - 1);
    // Cut before a surrogate pair rather than through it.
    const end = high >= 0xd800 && high <= 0xdbff ? MAX_TEXT - 1 : MAX_TEXT;
    text = `${text.slice(0, end)}…[${value.length} chars]`;
  }
  return text.toWellFormed().replaceAll('\u0000', '\ufffd');
}

/**
 * A JSON-safe copy in which every key and string is storable. Never throws: `emit` must not,
 * and a value JSON.stringify would reject (BigInt, a throwing getter or toJSON) must not cost
 * the record — it becomes a string saying so.
 */
function storable(value: unknown, depth = 0): unknown {
  try {
    switch (typeof value) {
      case 'string':
        return storableText(value);
      case 'number':
        return Number.isFinite(value) ? value : null;
      case 'bigint':
        return storableText(value.toString());
      case 'boolean':
        return value;
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined; // what JSON.stringify does with them
    }
    if (value === null) return null;
    if (depth >= MAX_DEPTH) return '[too deep]';
    if (Array.isArray(value)) return value.map((v) => storable(v, depth + 1) ?? null);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return storable(toJSON.call(value), depth + 1);
    // fromEntries defines properties: a key named `__proto__` stays a key.
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [storableText(k), storable(v, depth + 1)]));
  } catch {
    return '[unserializable]';
  }
}

function storableObject(value: Record<string, unknown>): Record<string, unknown> {
  const out = storable(value);
  return out && typeof out === 'object' && !Array.isArray(out) ? (out as Record<string, unknown>) : { value: out };
}

function text(value: string | undefined | null): string | null {
  return value === undefined || value === null ? null : storableText(String(value));
}

// Redaction sees the original names and values first: a cut or replaced name could hide that
// a field is secret.
function row(event: AuditEvent, at: number) {
  return {
    at: new Date(at).toISOString(),
    action: text(event.action),
    outcome: text(event.outcome),
    reason: text(event.reason),
    actor: storableObject(redact({ ...event.actor })),
    resourceType: text(event.resource?.type),
    resourceId: text(event.resource?.id),
    requestId: text(event.requestId),
    changes: event.changes ? storableObject(redact({ ...event.changes })) : null,
    detail: event.detail ? storableObject(redact(event.detail)) : null,
  };
}

type Row = ReturnType<typeof row>;

/**
 * SQLSTATE classes of a database that cannot take *any* write right now — connection lost,
 * shutting down, out of resources, read-only after a failover, wrong credentials or grants —
 * as opposed to refusing one row's data (22 data exception, 23 constraint, 54 too large …).
 */
const UNAVAILABLE_CLASSES = new Set(['08', '25', '28', '3D', '40', '42', '53', '55', '57', '58']);

/**
 * Whether `error` says the database is unavailable rather than that it refused the data.
 * Server errors (pg and PGlite alike) carry a SQLSTATE `code` and a `severity`; anything else —
 * ECONNREFUSED, "Connection terminated", a closed pool, "PGlite is closed" — never reached a
 * database that judged the row.
 */
function unavailable(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (typeof code !== 'string' || typeof severity !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return UNAVAILABLE_CLASSES.has(code.slice(0, 2));
}

function sqlstate(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export class AuditTrail implements AuditSink {
  private queue: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly listeners: AuditListener[] = [];
  private readonly maxQueued: number;
  /**
   * Events lost (exported as a metric): the queue was full because the database was unreachable
   * for too long, the database refused the row, or it was still unreachable at shutdown.
   */
  dropped = 0;

  private readonly db: Database;
  private readonly clock: Clock;
  private readonly log: AuditLog;
  private readonly options: AuditTrailOptions;

  constructor(db: Database, clock: Clock, log: AuditLog, options: AuditTrailOptions) {
    this.db = db;
    this.clock = clock;
    this.log = log;
    this.options = options;
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  onEvent(listener: AuditListener): void {
    this.listeners.push(listener);
  }

  /** Writes `event` in the caller's transaction `tx`. */
  async record(tx: Queryable, event: AuditEvent): Promise<void> {
    await this.recordMany(tx, [event]);
  }

  async recordMany(tx: Queryable, given: AuditEvent[]): Promise<void> {
    if (given.length === 0) return;
    const events = given.map(attributed);
    const at = this.clock.now();
    if (events.length === 1) {
      // The common case, on the write path of every audited change: one row, plain parameters.
      await insertEvent(tx, row(events[0]!, at));
    } else {
      await insertEvents(tx, events.map((e) => row(e, at)));
    }
    this.notify(events, at);
  }

  /** Queues `event`; it is durable within `flushIntervalMs`. Never throws, never waits. */
  emit(given: AuditEvent): void {
    const event = attributed(given);
    const at = this.clock.now();
    if (this.queue.length >= this.maxQueued) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.log.error({ event: 'audit.dropped', dropped: this.dropped }, 'audit queue full: events are being dropped');
    } else {
      this.queue.push(row(event, at));
      this.timer ??= setTimeout(() => void this.flush(), this.options.flushIntervalMs);
    }
    this.notify([event], at);
  }

  /** Writes everything queued so far (also called at shutdown). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    // Flushes run one after another, so records keep their emit order. The chain must never
    // reject, or every later flush would be skipped.
    this.flushing = this.flushing
      .then(() => this.write(batch))
      .catch((err: unknown) => this.log.error({ err, event: 'audit.flush_failed' }, 'writing queued audit events failed unexpectedly'));
    return this.flushing;
  }

  private async write(batch: Row[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await insertEvents(this.db, batch);
      return;
    } catch (err) {
      if (unavailable(err)) return this.keep(batch, err);
    }
    // The database refused the batch's data. Re-queued whole, it would be refused at every flush
    // from now on, and with it everything emitted later: find the rows it refuses, once.
    const refused = new Map<string, number>();
    let code: string | undefined;
    for (const [i, one] of batch.entries()) {
      try {
        await insertEvents(this.db, [one]);
      } catch (err) {
        if (unavailable(err)) {
          this.keep(batch.slice(i), err);
          break;
        }
        code ??= sqlstate(err);
        this.dropped += 1;
        const action = one.action ?? '';
        refused.set(action, (refused.get(action) ?? 0) + 1);
        // Never the content or the database's message, which quotes it: that is what was refused.
        this.log.error({ event: 'audit.unwritable', action, code: sqlstate(err), dropped: this.dropped }, 'the database refused an audit event; it was dropped');
      }
    }
    if (refused.size > 0) await this.recordUnwritable(refused, code);
  }

  /** The loss shows in the trail itself, not only in logs and a metric. */
  private async recordUnwritable(refused: Map<string, number>, code: string | undefined): Promise<void> {
    const at = this.clock.now();
    // Not `attributed`: a flush runs in whatever request context its timer was created in.
    const events: AuditEvent[] = [...refused].map(([action, count]) => ({
      action: 'audit.unwritable',
      outcome: 'error',
      ...(code ? { reason: code } : {}),
      actor: { userId: 'system' },
      resource: { type: 'audit' },
      detail: { action, count },
    }));
    try {
      await insertEvents(this.db, events.map((e) => row(e, at)));
    } catch (err) {
      this.log.error({ event: 'audit.unwritable_not_recorded', code: sqlstate(err) }, 'recording that audit events were dropped failed');
    }
    this.notify(events, at);
  }

  /** Keeps `rows` for the next flush (bounded by maxQueued): an outage must not lose the trail. */
  private keep(rows: Row[], err: unknown): void {
    this.log.warn({ err, event: 'audit.flush_failed', queued: rows.length }, 'writing queued audit events failed; retrying');
    const all = rows.concat(this.queue);
    const overflow = all.length - this.maxQueued;
    if (overflow > 0) {
      this.dropped += overflow;
      this.log.error({ event: 'audit.dropped', dropped: this.dropped }, 'audit queue full: events are being dropped');
    }
    this.queue = overflow > 0 ? all.slice(0, this.maxQueued) : all;
    this.timer ??= setTimeout(() => void this.flush(), Math.max(this.options.flushIntervalMs, 1000));
  }

  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    // Still unreachable at shutdown: these are lost, and must at least be counted and said.
    if (this.queue.length > 0) {
      this.dropped += this.queue.length;
      this.log.error({ event: 'audit.dropped', lost: this.queue.length, dropped: this.dropped }, 'audit events still queued at shutdown were lost');
      this.queue = [];
    }
  }

  private notify(events: AuditEvent[], at: number): void {
    for (const listener of this.listeners) {
      for (const event of events) {
        try {
          listener({ ...event, at });
        } catch (err) {
          this.log.error({ err, event: 'audit.listener_failed' }, 'an audit listener failed');
        }
      }
    }
  }
}
