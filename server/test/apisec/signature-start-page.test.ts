/**
 * The development start page signs its API call in the browser with WebCrypto (http/start-page.ts).
 * Without a browser at hand, its script's signing function runs here on Node's WebCrypto, and
 * the request it would send must pass the server's verification — and fail when altered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { randomBytes } from 'node:crypto';
import { testApp } from '../helpers/app.ts';
import { startPage } from '../../src/http/start-page.ts';
import { SignatureError, verifyRequestSignature } from '../../src/apisec/index.ts';
import { MemoryCache } from '../../src/cache/index.ts';

test('the start page’s WebCrypto signature is one the server accepts, and only for what it signed', async () => {
  const app = testApp();
  await app.register(startPage, { development: true });
  const script = (await app.inject({ method: 'GET', url: '/assets/start.js' })).body;
  await app.close();
  // The script's helpers and signedFetch, without main() (which needs a page).
  const helpers = script.slice(0, script.indexOf('async function showTokens'));
  assert.match(helpers, /async function signedFetch/);
  const sent: { url: string; init: { method: string; headers: Record<string, string> } }[] = [];
  const context = vm.createContext({
    location: { origin: 'https://palisade.test' },
    fetch: async (url: string, init: { method: string; headers: Record<string, string> }) => void sent.push({ url, init }),
    crypto: globalThis.crypto,
    btoa,
    atob,
    TextEncoder,
    document: undefined,
  });
  vm.runInContext(helpers, context);
  const key = randomBytes(32);
  const tokens = { access_token: 'header.payload.signature', signing_key: key.toString('base64url'), signing_key_id: 'start-key' };
  await (context.signedFetch as (path: string, tokens: object) => Promise<void>)('/api/v1/me', tokens);
  const [{ url, init }] = sent as [(typeof sent)[number]];
  assert.equal(url, 'https://palisade.test/api/v1/me');
  const cache = new MemoryCache();
  const verify = (targetUri: string) =>
    verifyRequestSignature({ method: init.method, targetUri, headers: init.headers, body: new Uint8Array() }, { key: { keyId: 'start-key', key }, now: Date.now(), windowMs: 300_000, claimOnce: (k, ttl) => cache.claimOnce(k, ttl) });
  await assert.rejects(verify('https://palisade.test/api/v1/me/sessions'), (e: unknown) => e instanceof SignatureError && e.code === 'signature_mismatch', 'bound to the URL it signed');
  assert.deepEqual(await verify(url), { label: 'sig', keyId: 'start-key' }, 'the browser’s signature verifies');
});
