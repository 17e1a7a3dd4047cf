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
 */
import type { Database, Queryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { AuditEvent } from './event.ts';
import { redact } from './redact.ts';
import { currentContext } from './context.ts';

export interface AuditLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
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

const INSERT = `INSERT INTO audit_events (at, action, outcome, reason, actor, resource_type, resource_id, request_id, changes, detail)
  SELECT x.at, x.action, x.outcome, x.reason, COALESCE(x.actor, '{}'), x."resourceType", x."resourceId", x."requestId", x.changes, x.detail
  FROM jsonb_to_recordset($1::jsonb) AS x(at timestamptz, action text, outcome text, reason text, actor jsonb, "resourceType" text,
    "resourceId" text, "requestId" text, changes jsonb, detail jsonb)`;

/** Fills who and which request from the request context where the event does not say. */
function attributed(event: AuditEvent): AuditEvent {
  const context = currentContext();
  if (!context) return event;
  return { ...event, actor: { ...context.actor, ...event.actor }, requestId: event.requestId ?? context.requestId };
}

function row(event: AuditEvent, at: number) {
  return {
    at: new Date(at).toISOString(),
    action: event.action,
    outcome: event.outcome,
    reason: event.reason ?? null,
    actor: redact({ ...event.actor }),
    resourceType: event.resource?.type ?? null,
    resourceId: event.resource?.id ?? null,
    requestId: event.requestId ?? null,
    changes: event.changes ? redact({ ...event.changes }) : null,
    detail: event.detail ? redact(event.detail) : null,
  };
}

export class AuditTrail implements AuditSink {
  private queue: ReturnType<typeof row>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly listeners: AuditListener[] = [];
  private readonly maxQueued: number;
  /** Events dropped because the database was unreachable for too long (exported as a metric). */
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
    await tx.query(INSERT, [JSON.stringify(events.map((e) => row(e, at)))]);
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
    // Flushes run one after another, so records keep their emit order.
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.db.query(INSERT, [JSON.stringify(batch)]);
      } catch (err) {
        // Keep them for the next flush (bounded by maxQueued): an outage must not lose the trail.
        this.log.warn({ err, event: 'audit.flush_failed', queued: batch.length }, 'writing queued audit events failed; retrying');
        this.queue = batch.concat(this.queue).slice(0, this.maxQueued);
        this.timer ??= setTimeout(() => void this.flush(), Math.max(this.options.flushIntervalMs, 1000));
      }
    });
    return this.flushing;
  }

  get queued(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
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
