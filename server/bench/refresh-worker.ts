/**
 * Refresh-token load, run in a worker thread so the client's own work (TLS, JSON) does not
 * share the event loop with the server it measures — as autocannon's workers do for the GETs.
 *
 * Refresh tokens rotate: every grant consumes the token it was given, and presenting a consumed
 * one revokes the whole login. A fixed-body load generator would therefore measure the
 * revocation path after the first request. Each chain here is one login that always refreshes
 * with the newest token it got back, one request at a time; the chains run side by side.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';

export interface RefreshJob {
  tokenEndpoint: string;
  clientId: string;
  /** Palisade's certificate: this client verifies TLS like an app would. */
  ca: string;
  /** One refresh token per chain, each from its own login. */
  refreshTokens: string[];
  warmupMs: number;
  durationMs: number;
}

export type RefreshOutcome =
  | { ok: true; grants: number; seconds: number; latenciesMs: number[] }
  | { ok: false; error: string };

async function run(job: RefreshJob): Promise<RefreshOutcome> {
  const dispatcher = new Agent({ connect: { ca: job.ca } });
  const grant = async (refreshToken: string): Promise<string> => {
    const response = await request(job.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: job.clientId, refresh_token: refreshToken }).toString(),
      dispatcher,
    });
    const body = (await response.body.json()) as { refresh_token?: unknown; error?: unknown; error_description?: unknown };
    if (response.statusCode !== 200 || typeof body.refresh_token !== 'string') {
      throw new Error(`refresh answered ${response.statusCode}: ${String(body.error)} ${String(body.error_description ?? '')}`.trim());
    }
    return body.refresh_token;
  };
  // Runs every chain until `until`; returns each chain's newest token so the next phase continues it.
  const phase = (tokens: string[], until: number, record: (ms: number) => void) =>
    Promise.all(
      tokens.map(async (token) => {
        let current = token;
        while (performance.now() < until) {
          const started = performance.now();
          current = await grant(current);
          record(performance.now() - started);
        }
        return current;
      }),
    );

  try {
    const warm = await phase(job.refreshTokens, performance.now() + job.warmupMs, () => undefined);
    const latenciesMs: number[] = [];
    const started = performance.now();
    await phase(warm, started + job.durationMs, (ms) => latenciesMs.push(ms));
    // Chains finish their last request after the deadline, so divide by the time really taken.
    const seconds = (performance.now() - started) / 1000;
    return { ok: true, grants: latenciesMs.length, seconds, latenciesMs };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    await dispatcher.close();
  }
}

if (!isMainThread && parentPort) {
  parentPort.postMessage(await run(workerData as RefreshJob));
}
