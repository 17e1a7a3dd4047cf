/**
 * Signed GETs (RFC 9421, as every API call is signed), run in a worker thread like the
 * other load. Every request needs a fresh nonce and `created`, so the headers are made per
 * request in autocannon's `setupRequest`; autocannon's own workers could only take it as a file
 * it `require`s, so this worker runs autocannon single-threaded instead.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import autocannon, { type Options } from 'autocannon';
import { signRequest } from '../src/apisec/index.ts';
import type { LoadSettings } from './load.ts';

export interface SignedGetJob {
  url: string;
  settings: LoadSettings;
  /** The URL as the app addresses it (the public origin), the Authorization value and the session key. */
  signing: { targetUri: string; authorization: string; keyId: string; key: string; headers?: Record<string, string> };
}

export type SignedGetOutcome =
  | { ok: true; result: { perSecond: number; p50Ms: number; p99Ms: number; total: number; errors: number; timeouts: number; non2xx: number } }
  | { ok: false; error: string };

async function run(job: SignedGetJob): Promise<SignedGetOutcome> {
  try {
    const { targetUri, authorization, keyId, key, headers } = job.signing;
    const options: Options = {
      url: job.url,
      connections: job.settings.connections,
      duration: job.settings.durationSeconds,
      warmup: { connections: job.settings.connections, duration: job.settings.warmupSeconds },
      requests: [
        {
          method: 'GET',
          setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...headers, authorization, ...signRequest({ method: 'GET', targetUri, authorization, keyId, key }) } }),
        },
      ],
    };
    // Off the main thread autocannon returns its raw per-thread result (it assumes it is one of its
    // own workers); aggregating it gives the same shape measureGet reads.
    const result = autocannon.aggregateResult([await autocannon(options)], options);
    return {
      ok: true,
      // Per-second samples are not aggregated off the main thread: requests over the measured time.
      result: { perSecond: result.requests.total / result.duration, p50Ms: result.latency.p50, p99Ms: result.latency.p99, total: result.requests.total, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx },
    };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

if (!isMainThread && parentPort) {
  parentPort.postMessage(await run(workerData as SignedGetJob));
}
