/**
 * The client SDK's own cost, in Node, with the network stubbed out: what `client.fetch()` adds
 * to each call (the DPoP proof, the RFC 9421 request signature, Content-Digest, the app key),
 * measured as CPU time of this process per call (WebCrypto signs on libuv's threads; their CPU
 * counts too, so the figure is what one core spends per call), and the single-flight refresh:
 * 100 concurrent calls made while the access token is expired must cause exactly one refresh.
 *
 * The stub answers discovery, the token endpoint and every API call at once with ready-made
 * responses, so nothing but the SDK runs between the calls.
 */
import { UnsecuredJWT } from 'jose';
import { PalisadeClient, memoryDeviceKey, memorySecureStore, type Platform } from '../../sdk/src/index.ts';

const ISSUER = 'https://palisade.bench';

export interface SdkSettings {
  /** Calls measured (after `warmup` unmeasured ones). */
  calls: number;
  warmup: number;
  /** Concurrent calls made while the token is expired. */
  concurrent: number;
}

export interface SdkResult {
  calls: number;
  /** CPU time of this process per call, ms (user + system, all threads). */
  cpuMsPerCall: number;
  /** Wall-clock time per call when made one after another, ms. */
  wallMsPerCall: number;
  concurrent: number;
  /** Token requests the concurrent calls caused. */
  refreshes: number;
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function tokens(n: number) {
  return {
    access_token: new UnsecuredJWT({ sid: 'session-1', n }).encode(),
    token_type: 'DPoP',
    expires_in: 900,
    refresh_token: `refresh-${n}`,
    signing_key: Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url'),
    signing_key_id: 'key-1',
  };
}

export async function measureSdk(settings: SdkSettings): Promise<SdkResult> {
  let tokenRequests = 0;
  const discovery = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/oauth2/auth`, token_endpoint: `${ISSUER}/oauth2/token`, jwks_uri: `${ISSUER}/oauth2/jwks` };
  const fetcher = (async (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.pathname === '/.well-known/openid-configuration') return json(200, discovery);
    if (url.pathname === '/oauth2/token') {
      tokenRequests += 1;
      // Let every concurrent caller reach the client before the answer arrives.
      await new Promise((resolve) => setTimeout(resolve, 5));
      return json(200, tokens(tokenRequests));
    }
    return json(200, { ok: true });
  }) as typeof fetch;
  const now = Date.now();
  const store = memorySecureStore();
  await store.set('palisade.session', JSON.stringify({ refreshToken: 'refresh-0', dpop: true, sessionId: 'session-1' }));
  const platform: Platform = { fetch: fetcher, deviceKey: memoryDeviceKey(), store, describe: () => ({ platform: 'node', model: 'bench', osVersion: '1', appVersion: '1.0.0' }) };
  const client = new PalisadeClient({ issuer: ISSUER, clientId: 'field-app', appKey: 'pk_bench', platform, idleTimeoutMs: 0, now: () => now });
  await client.restore();

  // Single flight: the restored session has no access token, so every one of these calls needs
  // a refresh; one token request must serve them all.
  const before = tokenRequests;
  await Promise.all(Array.from({ length: settings.concurrent }, () => client.fetch('/api/v1/me')));
  const refreshes = tokenRequests - before;

  // Per call: a POST with a JSON body, so the digest covers a body as most writes do.
  const body = { note: 'Replaced the trap; no leak after 10 minutes.', minutes: 45 };
  const call = async () => {
    const response = await client.fetch('/api/v1/jobs/00000000-0000-4000-8000-000000000001/notes', { method: 'POST', body });
    await response.arrayBuffer();
  };
  for (let i = 0; i < settings.warmup; i += 1) await call();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  // The client's clock stands still: the token stays valid, no refresh inside the measurement.
  for (let i = 0; i < settings.calls; i += 1) await call();
  const wall = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  return { calls: settings.calls, cpuMsPerCall: (cpu.user + cpu.system) / 1000 / settings.calls, wallMsPerCall: wall / settings.calls, concurrent: settings.concurrent, refreshes };
}

export function sdkReport(result: SdkResult): string {
  return `SDK per call (Node, fetch stubbed; DPoP proof + RFC 9421 signature + Content-Digest): ${(result.cpuMsPerCall * 1000).toFixed(0)} µs CPU, ${(result.wallMsPerCall * 1000).toFixed(0)} µs wall, over ${result.calls} calls; ${result.concurrent} concurrent calls during expiry → ${result.refreshes} refresh${result.refreshes === 1 ? '' : 'es'}`;
}
