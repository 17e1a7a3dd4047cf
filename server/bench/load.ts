/**
 * Load generation. Both kinds run off the main thread (autocannon's worker, the refresh worker)
 * because the servers under test run on it: a load generator sharing their event loop would
 * add its own cost to every request and flatten the ratios towards 1.
 */
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import type { RefreshJob, RefreshOutcome } from './refresh-worker.ts';
import type { SignedGetJob, SignedGetOutcome } from './signed-get-worker.ts';

export interface Measurement {
  name: string;
  /** Mean of per-second samples. */
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
}

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

/** GETs `url` over HTTPS; any error or non-2xx answer makes the numbers meaningless, so it throws. */
export async function measureGet(name: string, url: string, settings: LoadSettings, headers: Record<string, string> = {}): Promise<Measurement> {
  // autocannon always connects with rejectUnauthorized: false (it is a load tool, not a
  // client), so the certificate is not checked here; the sign-in and refresh clients check it.
  const result = await autocannon({
    url,
    headers,
    connections: settings.connections,
    duration: settings.durationSeconds,
    warmup: { connections: settings.connections, duration: settings.warmupSeconds },
    workers: 1,
  });
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${name}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers of ${result.requests.total}`);
  }
  return { name, perSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, total: result.requests.total };
}

/** GETs `url` with a fresh request signature each time (signed-get-worker.ts); throws like measureGet. */
export async function measureSignedGet(name: string, url: string, settings: LoadSettings, signing: SignedGetJob['signing']): Promise<Measurement> {
  const worker = new Worker(new URL('./signed-get-worker.ts', import.meta.url), { workerData: { url, settings, signing } satisfies SignedGetJob });
  const outcome = await new Promise<SignedGetOutcome>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the signed GET worker exited with ${code} before reporting`)));
  });
  await worker.terminate();
  if (!outcome.ok) throw new Error(`${name}: ${outcome.error}`);
  const r = outcome.result;
  if (r.errors > 0 || r.timeouts > 0 || r.non2xx > 0) throw new Error(`${name}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx answers of ${r.total}`);
  return { name, perSecond: r.perSecond, p50Ms: r.p50Ms, p99Ms: r.p99Ms, total: r.total };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Refresh-token grants per second over `job.refreshTokens.length` rotating chains. */
export async function measureRefresh(name: string, job: RefreshJob): Promise<Measurement> {
  const worker = new Worker(new URL('./refresh-worker.ts', import.meta.url), { workerData: job });
  const outcome = await new Promise<RefreshOutcome>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the refresh worker exited with ${code} before reporting`)));
  });
  if (!outcome.ok) throw new Error(`${name}: ${outcome.error}`);
  const sorted = outcome.latenciesMs.toSorted((a, b) => a - b);
  return { name, perSecond: outcome.grants / outcome.seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), total: outcome.grants };
}
