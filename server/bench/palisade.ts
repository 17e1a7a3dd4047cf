/**
 * Palisade as the benchmark runs it: in this process (so PGlite's single connection can be
 * shared with the baseline), federating to the same fake company IdP the end-to-end tests use,
 * and a sign-in driven the way a mobile app does it (openid-client, PKCE, loopback redirect).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as oidc from 'openid-client';
import { loadConfig } from '../src/config/load.ts';
import { startServer, type RunningServer } from '../src/main.ts';
import { generateMasterKey } from '../src/security/primitives.ts';
import { startUpstreamIdp, type UpstreamIdp } from '../test/helpers/upstream-idp.ts';
import { freePort } from '../test/helpers/server.ts';
import { Browser } from '../test/helpers/browser.ts';
import type { BenchDatabase } from './database.ts';

export const CLIENT_ID = 'field-app';
const SCOPE = 'openid profile email offline_access api';

export interface BenchPalisade {
  server: RunningServer;
  upstream: UpstreamIdp;
  /** Palisade's development certificate (PEM), the only one the sign-in client trusts. */
  ca: string;
  /** Signs `person` in at the company IdP and returns the app's tokens. */
  login(person?: string): Promise<{ accessToken: string; refreshToken: string }>;
  /** The token endpoint as discovery advertises it. */
  tokenEndpoint: string;
  close(): Promise<void>;
}

export async function startBenchPalisade(database: BenchDatabase): Promise<BenchPalisade> {
  // The company IdP registers Palisade's redirect URI before Palisade listens, so the port
  // has to be known up front.
  const port = await freePort();
  const upstream = await startUpstreamIdp(() => `https://localhost:${port}/auth/callback`);
  let server: RunningServer;
  try {
    // Only these settings: a developer's own PALISADE_* variables must not change what is measured.
    const config = loadConfig({
      env: {
        PALISADE_DATA_DIR: database.dataDir,
        PALISADE_SERVER_PORT: String(port),
        PALISADE_SERVER_HOST: '127.0.0.1',
        PALISADE_MASTER_KEY: generateMasterKey(),
        ...(database.url ? { DATABASE_URL: database.url } : {}),
        ...upstream.env,
        PALISADE_LOG_LEVEL: 'silent',
      },
    });
    server = await startServer({ config, announce: () => undefined });
  } catch (error) {
    await upstream.close();
    throw error;
  }

  const ca = readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
  const browsers: Browser[] = [];
  const discover = async () => {
    const browser = new Browser(ca);
    browsers.push(browser);
    const app = await oidc.discovery(new URL(server.url), CLIENT_ID, { token_endpoint_auth_method: 'none' }, oidc.None(), {
      [oidc.customFetch]: browser.fetch as oidc.CustomFetch,
    });
    return { browser, app };
  };

  const tokenEndpoint = (await discover()).app.serverMetadata().token_endpoint!;

  return {
    server,
    upstream,
    ca,
    tokenEndpoint,
    async login(person = 'u-tech') {
      // A fresh browser per sign-in: a shared cookie jar would reuse the SSO session.
      const { browser, app } = await discover();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      // Nothing listens there: the browser stops at the redirect, as the OS hands it to the app.
      const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
      const url = oidc.buildAuthorizationUrl(app, {
        redirect_uri: redirectUri,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const flow = await browser.follow(url.href, redirectUri, person);
      if (!flow.redirect) throw new Error(`sign-in as ${person} ended on a page (${flow.page?.status} at ${flow.page?.url}) instead of the app`);
      const tokens = await oidc.authorizationCodeGrant(app, flow.redirect, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
      if (!tokens.refresh_token) throw new Error('no refresh token was issued');
      return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
    },
    async close() {
      await Promise.allSettled(browsers.map((b) => b.close()));
      await server.close();
      await upstream.close();
    },
  };
}
