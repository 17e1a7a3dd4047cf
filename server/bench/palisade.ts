/**
 * Palisade as the benchmark runs it: in this process (so PGlite's single connection can be
 * shared with the baseline), federating to the same fake company IdP the end-to-end tests use,
 * with the apps as configured by default (the field app requires DPoP and a posture report).
 * Its users sign in from the load generator's process (loadgen.ts), as mobile apps do.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { startServer, type RunningServer } from '../src/main.ts';
import { generateMasterKey } from '../src/security/primitives.ts';
import { startUpstreamIdp, type UpstreamIdp } from '../test/helpers/upstream-idp.ts';
import { freePort, GENEROUS_RATE_LIMITS } from '../test/helpers/server.ts';
import { provisionInProcess } from '../test/helpers/app-keys.ts';
import type { BenchDatabase } from './database.ts';

export const CLIENT_ID = 'field-app';

export interface BenchPalisade {
  server: RunningServer;
  upstream: UpstreamIdp;
  /** Palisade's development certificate (PEM), the only one the sign-in client trusts. */
  ca: string;
  /** Palisade's master key (base64url): the audit bench signs with the trail's key once Palisade has stopped. */
  masterKey: string;
  /** The API key of the app (CLIENT_ID), made before the start as an operator would. */
  appKey: string;
  close(): Promise<void>;
}

export async function startBenchPalisade(database: BenchDatabase): Promise<BenchPalisade> {
  // The company IdP registers Palisade's redirect URI before Palisade listens, so the port
  // has to be known up front.
  const port = await freePort();
  const upstream = await startUpstreamIdp(() => `https://localhost:${port}/auth/callback`);
  const masterKey = generateMasterKey();
  let server: RunningServer;
  let appKey: string;
  try {
    // Only these settings: a developer's own PALISADE_* variables must not change what is measured.
    const config = loadConfig({
      env: {
        PALISADE_DATA_DIR: database.dataDir,
        PALISADE_SERVER_PORT: String(port),
        PALISADE_SERVER_HOST: '127.0.0.1',
        PALISADE_MASTER_KEY: masterKey,
        ...(database.url ? { DATABASE_URL: database.url } : {}),
        ...upstream.env,
        PALISADE_LOG_LEVEL: 'silent',
        // The limits are counted as in production, but set high enough that the bench's sign-ins
        // and its load are measured rather than refused (5 sign-ins a minute by default).
        ...GENEROUS_RATE_LIMITS,
        // Every bench sign-in is a new device of the same technician (a fresh DPoP key); the
        // default cap of 3 would end the sessions being measured.
        PALISADE_SESSIONS_MAX_DEVICES: '100',
      },
    });
    appKey = (await provisionInProcess(config))[CLIENT_ID]!;
    server = await startServer({ config, announce: () => undefined });
  } catch (error) {
    await upstream.close();
    throw error;
  }

  const ca = readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  return {
    server,
    upstream,
    ca,
    masterKey,
    appKey,
    async close() {
      await server.close();
      await upstream.close();
    },
  };
}
