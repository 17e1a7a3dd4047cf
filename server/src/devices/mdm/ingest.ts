/**
 * What Palisade does with the device changes an MDM announces, whether a notification or the
 * inventory sync brought them: store them (store.ts), then tell the rest of the server
 * (`onDeviceChange`: compliance re-evaluation, wipe ordering). Only the store write happens
 * before the vendor is answered; reading a device again (`refresh`) and the callbacks run
 * after, tracked so shutdown waits for them.
 */
import type { MdmAdapter, MdmDeviceChange, MdmDeviceState, MdmVendor } from './index.ts';
import type { MdmStore, MdmWrite } from './store.ts';

/** One stored change of a device the device policy may care about. */
export interface MdmDeviceChangeEvent {
  vendor: MdmVendor;
  mdmDeviceId: string;
  /** The device as stored now. */
  state: MdmDeviceState;
  /** As it was before (undefined: Palisade did not know it). */
  previous: MdmDeviceState | undefined;
  /** The device left management now (unenrolled, retired, wiped, deleted, or absent from a complete listing). */
  removed: boolean;
  /** What brought the change: a notification, the device read again after one, or the inventory sync. */
  source: 'notification' | 'refresh' | 'sync';
  /** The vendor's event name, for notifications (`MobileDeviceUnEnrolled`, `Device Wipe`, Graph `deleted`, …). */
  event?: string;
}

export type OnDeviceChange = (change: MdmDeviceChangeEvent) => void | Promise<void>;

export interface MdmIngestLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export class MdmIngest {
  private readonly store: MdmStore;
  private readonly onDeviceChange: OnDeviceChange;
  private readonly log: MdmIngestLog;
  private readonly pending = new Set<Promise<void>>();

  constructor(deps: { store: MdmStore; onDeviceChange: OnDeviceChange; log: MdmIngestLog }) {
    this.store = deps.store;
    this.onDeviceChange = deps.onDeviceChange;
    this.log = deps.log;
  }

  /**
   * Stores what each notification observed and returns the follow-up work (devices to read
   * again, callbacks) to start once the vendor has its answer. A change that observed nothing
   * and removed nothing (Graph: "read this device again") writes nothing now.
   */
  async applyNotification(adapter: MdmAdapter, changes: MdmDeviceChange[]): Promise<() => void> {
    const written: { change: MdmDeviceChange; write: MdmWrite }[] = [];
    for (const change of changes) {
      if (!change.removed && Object.keys(change.observed).length === 0) continue;
      written.push({ change, write: await this.store.applyChange(change) });
    }
    return () => {
      for (const { change, write } of written) {
        if (write.changed) this.notify(event(write, 'notification', change.removed, change.event));
      }
      const refresh = [...new Set(changes.filter((c) => c.refresh && !c.removed).map((c) => c.mdmDeviceId))];
      if (refresh.length > 0 && adapter.getDevice) this.track(this.refresh(adapter, refresh, changes));
    };
  }

  /** Reads devices a notification named without their state, one after the other. */
  private async refresh(adapter: MdmAdapter, ids: string[], changes: MdmDeviceChange[]): Promise<void> {
    for (const id of ids) {
      const name = changes.find((c) => c.mdmDeviceId === id)?.event;
      try {
        const state = await adapter.getDevice!(id);
        // The MDM no longer has the device (Graph 404): it left management.
        const write = state ? await this.store.storeInventory(state) : await this.store.markRemoved(adapter.vendor, id);
        if (write?.changed) this.notify(event(write, 'refresh', state === undefined, name));
      } catch (error) {
        // MdmError messages name the endpoint and status, never a token or body.
        this.log.warn({ event: 'mdm.refresh_failed', vendor: adapter.vendor, code: (error as { code?: string }).code, reason: (error as Error).message }, 'reading a notified MDM device failed; the next sync brings it');
      }
    }
  }

  /** Runs `work` once the current answer is on its way (after this turn of the event loop), tracked like the rest. */
  afterResponse(work: () => void): void {
    this.track(new Promise<void>((resolve) => setImmediate(() => {
      try {
        work();
      } finally {
        resolve();
      }
    })));
  }

  /** Calls `onDeviceChange` without letting its failure (or its time) reach the caller. */
  notify(change: MdmDeviceChangeEvent): void {
    this.track(
      (async () => {
        try {
          await this.onDeviceChange(change);
        } catch (error) {
          this.log.error({ event: 'mdm.device_change_failed', vendor: change.vendor, err: String(error) }, 'handling an MDM device change failed');
        }
      })(),
    );
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Waits for follow-up work started so far (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

export function event(write: MdmWrite, source: MdmDeviceChangeEvent['source'], removed: boolean, name?: string): MdmDeviceChangeEvent {
  const { state } = write.after;
  return { vendor: state.vendor, mdmDeviceId: state.mdmDeviceId, state, previous: write.before?.state, removed, source, ...(name ? { event: name } : {}) };
}
