/**
 * The scheduled inventory sync: every device the MDM lists goes to the sink; a sink failure
 * for one device is counted and the sync goes on; a listing failure (after the adapter's own
 * per-page retries, 429 `Retry-After` included) ends the sync and is reported, with
 * `complete: false`, so the caller never reads a cut-short listing as "these devices left".
 */
import type { MdmDeviceState, MdmVendor } from './types.ts';
import { MdmError, type MdmAdapter } from './types.ts';

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
