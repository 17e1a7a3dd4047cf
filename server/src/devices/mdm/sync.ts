/**
 * The MDM inventory sync, in one file. `syncInventory` lists: every device the MDM lists goes
 * to the sink; a sink failure for one device is counted and the sync goes on; a listing failure (after the adapter's own
 * per-page retries, 429 `Retry-After` included) ends the sync and is reported, with
 * `complete: false`, so the caller never reads a cut-short listing as "these devices left".
 *
 * `MdmSync` schedules it, per configured MDM: every `syncInterval` (jittered, so
 * instances started together drift apart) an instance tries to claim the run
 * (store.ts `claimSync`: one instance at a time, and once per interval across all of them),
 * pages through the vendor's inventory into the store, and — only after a complete listing
 * with every device stored — marks the devices it no longer lists as gone. Devices whose
 * policy-relevant state changed go to `onDeviceChange`. Failures are logged and audited as
 * `mdm.sync.failed` with the adapter's error code and message, which never carry a secret.
 */
import type { MdmDeviceState, MdmVendor } from './types.ts';
import { MdmError, type MdmAdapter } from './types.ts';
import type { Clock } from '../../clock.ts';
import type { AuditSink } from '../../audit/index.ts';
import type { ConfiguredMdm } from './adapters.ts';
import type { MdmStore } from './store.ts';
import { event, type MdmIngest } from './ingest.ts';

export interface SyncReport {
  vendor: MdmVendor;
  /** The listing reached its last page. Only then may devices absent from it be marked gone. */
  complete: boolean;
  /** Devices listed. */
  seen: number;
  /** Devices the sink stored. */
  stored: number;
  /** Devices the sink failed on (their ids; the errors went to `onSinkError`). */
  sinkFailures: string[];
  /** Why the listing stopped early, when it did. */
  error?: MdmError;
}

export interface SyncOptions {
  signal?: AbortSignal;
  onSinkError?: (state: MdmDeviceState, error: unknown) => void;
}

export async function syncInventory(adapter: MdmAdapter, sink: (state: MdmDeviceState) => Promise<void>, options: SyncOptions = {}): Promise<SyncReport> {
  const report: SyncReport = { vendor: adapter.vendor, complete: false, seen: 0, stored: 0, sinkFailures: [] };
  try {
    for await (const state of adapter.listDevices(options.signal)) {
      report.seen++;
      try {
        await sink(state);
        report.stored++;
      } catch (error) {
        report.sinkFailures.push(state.mdmDeviceId);
        options.onSinkError?.(state, error);
      }
      if (options.signal?.aborted) throw new MdmError(adapter.vendor, 'aborted', 'inventory sync aborted');
    }
    report.complete = true;
  } catch (error) {
    report.error = error instanceof MdmError ? error : new MdmError(adapter.vendor, 'network', `inventory sync failed: ${(error as Error)?.name ?? 'error'}`);
  }
  return report;
}

export interface MdmSyncLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MdmSyncDeps {
  mdms: Map<MdmVendor, ConfiguredMdm>;
  store: MdmStore;
  ingest: MdmIngest;
  audit: AuditSink;
  clock: Clock;
  log: MdmSyncLog;
  /** In [0, 1): spreads the runs (tests pass a fixed one). */
  random?: () => number;
  /** The first run comes within this long of `start()` (default 10 s), so a fresh instance has an inventory soon. */
  firstRunWithinMs?: number;
}

/** What one run did: skipped (another instance claimed it, or it is not due) or the sync's report. */
export type SyncOutcome = { ran: false } | { ran: true; report: SyncReport; markedGone: number };

export class MdmSync {
  private readonly deps: MdmSyncDeps;
  private readonly timers = new Map<MdmVendor, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(deps: MdmSyncDeps) {
    this.deps = deps;
  }

  start(): void {
    const random = this.deps.random ?? Math.random;
    for (const [vendor, { syncIntervalMs }] of this.deps.mdms) {
      this.schedule(vendor, Math.floor(random() * Math.min(syncIntervalMs, this.deps.firstRunWithinMs ?? 10_000)));
    }
  }

  private schedule(vendor: MdmVendor, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      const run = this.runOnce(vendor).finally(() => {
        this.running.delete(run);
        const interval = this.deps.mdms.get(vendor)!.syncIntervalMs;
        // ±10 %: instances that started together do not stay in step.
        this.schedule(vendor, Math.round(interval * (0.9 + 0.2 * (this.deps.random ?? Math.random)())));
      });
      this.running.add(run);
    }, delayMs);
    timer.unref();
    this.timers.set(vendor, timer);
  }

  /** One run for `vendor`, if this instance can claim it. Never throws: failures are logged and audited. */
  async runOnce(vendor: MdmVendor): Promise<SyncOutcome> {
    const { store, ingest, audit, log } = this.deps;
    const configured = this.deps.mdms.get(vendor);
    if (!configured) return { ran: false };
    let since: Date | undefined;
    try {
      // The claim outlives an instance that dies mid-run by at most twice the interval.
      since = await store.claimSync(vendor, configured.syncIntervalMs, Math.max(2 * configured.syncIntervalMs, 10 * 60_000));
    } catch (error) {
      log.error({ event: 'mdm.sync.claim_failed', vendor, err: String(error) }, 'claiming the MDM inventory sync failed');
      return { ran: false };
    }
    if (!since) return { ran: false };
    const report = await syncInventory(
      configured.adapter,
      async (state) => {
        const write = await store.storeInventory(state);
        if (write.changed) ingest.notify(event(write, 'sync', false));
      },
      {
        signal: this.abort.signal,
        onSinkError: (state, error) => log.warn({ event: 'mdm.sync.store_failed', vendor, mdmDeviceId: state.mdmDeviceId, err: String(error) }, 'storing an MDM device failed'),
      },
    );
    let markedGone = 0;
    try {
      if (report.complete && report.sinkFailures.length === 0) {
        const gone = await store.markAbsent(vendor, since);
        markedGone = gone.length;
        for (const device of gone) ingest.notify({ vendor, mdmDeviceId: device.state.mdmDeviceId, state: device.state, previous: undefined, removed: true, source: 'sync' });
      }
      await store.finishSync(vendor, report);
    } catch (error) {
      log.error({ event: 'mdm.sync.finish_failed', vendor, err: String(error) }, 'recording the MDM inventory sync failed');
    }
    const detail = { vendor, complete: report.complete, seen: report.seen, stored: report.stored, sinkFailures: report.sinkFailures.length, markedGone };
    if (report.error?.reason === 'aborted' && this.stopped) {
      log.info({ event: 'mdm.sync.interrupted', ...detail }, 'MDM inventory sync interrupted by shutdown');
    } else if (report.error || report.sinkFailures.length > 0) {
      const reason = report.error?.reason ?? 'store-failed';
      // MdmError messages name the endpoint and status only (mdm/types.ts): no token, no body.
      log.error({ event: 'mdm.sync.failed', ...detail, reason, message: report.error?.message, status: report.error?.status }, 'MDM inventory sync failed');
      audit.emit({ action: 'mdm.sync.failed', outcome: 'failure', reason, actor: { userId: 'system' }, resource: { type: 'mdm', id: vendor }, detail: { ...detail, ...(report.error ? { message: report.error.message } : {}) } });
    } else {
      log.info({ event: 'mdm.sync.finished', ...detail }, 'MDM inventory sync finished');
      audit.emit({ action: 'mdm.sync', outcome: 'success', actor: { userId: 'system' }, resource: { type: 'mdm', id: vendor }, detail });
    }
    return { ran: true, report, markedGone };
  }

  /** Stops scheduling, aborts a sync in progress (its adapter stops between requests) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.abort.abort(new Error('shutting down'));
    await Promise.allSettled([...this.running]);
    await this.deps.ingest.drain();
  }
}
