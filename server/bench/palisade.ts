/**
 * Palisade as the benchmark runs it: in this process (so PGlite's single connection can be
 * shared with the baseline), federating to the same fake company IdP the end-to-end tests use,
 * and a sign-in driven the way a mobile app does it (openid-client, PKCE, loopback redirect).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { startServer, type RunningServer } from '../src/main.ts';
import { generateMasterKey } from '../src/security/primitives.ts';
import { startUpstreamIdp, type UpstreamIdp } from '../test/helpers/upstream-idp.ts';
import { freePort, GENEROUS_RATE_LIMITS } from '../test/helpers/server.ts';
import { provisionInProcess, rememberAppKeys } from '../test/helpers/app-keys.ts';
import { BEARER_FIELD_APP, MobileApp, relaxedPosture, signingKeyOf, type SigningKey } from '../test/helpers/mobile-app.ts';
import type { BenchDatabase } from './database.ts';

export const CLIENT_ID = 'field-app';

export interface BenchPalisade {
  server: RunningServer;
  upstream: UpstreamIdp;
  /** Palisade's development certificate (PEM), the only one the sign-in client trusts. */
  ca: string;
  /** Signs `person` in at the company IdP and returns the app's tokens. */
  login(person?: string): Promise<{ accessToken: string; refreshToken: string; signingKey: SigningKey }>;
  /** The app's view of Palisade (its HTTP client trusts Palisade's certificate). */
  app: MobileApp;
  /** The token endpoint as discovery advertises it. */
  tokenEndpoint: string;
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
        // The bench drives bearer tokens (its refresh workers and autocannon make no DPoP proofs).
        PALISADE_CLIENTS: BEARER_FIELD_APP,
        // A bearer sign-in has no device key to sign a posture report with.
        PALISADE_DEVICE_POLICY: relaxedPosture(CLIENT_ID),
        PALISADE_LOG_LEVEL: 'silent',
        // The limits are counted as in production, but set high enough that the bench's nine
        // sign-ins and its load are measured rather than refused (5 sign-ins a minute by default).
        ...GENEROUS_RATE_LIMITS,
      },
    });
    appKey = (await provisionInProcess(config))[CLIENT_ID]!;
    server = await startServer({ config, announce: () => undefined });
    rememberAppKeys(server.url, { [CLIENT_ID]: appKey });
  } catch (error) {
    await upstream.close();
    throw error;
  }

  const ca = readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  const app = new MobileApp(server.url, ca, CLIENT_ID);
  const tokenEndpoint = (await app.discover()).serverMetadata().token_endpoint!;

  return {
    server,
    upstream,
    ca,
    app,
    tokenEndpoint,
    masterKey,
    appKey,
    async login(person = 'u-tech') {
      const { tokens } = await app.signIn(person, { dpop: false });
      const signingKey = signingKeyOf(tokens);
      if (!tokens.refresh_token || !signingKey) throw new Error('no refresh token or no request signing key was issued');
      return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, signingKey };
    },
    async close() {
      await app.close();
      await server.close();
      await upstream.close();
    },
  };
}
