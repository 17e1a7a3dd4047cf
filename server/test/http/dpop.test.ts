/**
 * DPoP proofs at the API (http/dpop.ts): every RFC 9449 check holds on a proof whose key is
 * already remembered from an earlier proof, not only on the first — an attacker who reuses a
 * device's proof header (public key and all) still needs that key's signature, and a remembered
 * key never stands in for another token's binding. The cache of proof keys stays bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose';
import { DpopError, ProofKeyCache, verifyDpopProof, type ProofContext } from '../../src/http/dpop.ts';
import { MemoryCache } from '../../src/cache/index.ts';

const URL_ = 'https://palisade.test/api/v1/me';
const TOKEN = 'eyJ.the-access-token.sig';
const ATH = createHash('sha256').update(TOKEN).digest('base64url');

interface DeviceKey {
  alg: 'ES256' | 'EdDSA';
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

async function deviceKey(alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<DeviceKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

async function proof(key: DeviceKey, claims: JWTPayload = {}, header: Record<string, unknown> = {}, signer: DeviceKey = key): Promise<string> {
  return new SignJWT({ htm: 'GET', htu: URL_, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ath: ATH, ...claims })
    .setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.jwk, ...header })
    .sign(signer.privateKey);
}

/** Each test's own replay store and proof-key cache. */
class Caches extends MemoryCache {
  readonly keys = new ProofKeyCache(20);
}

function context(p: string, jkt: string, cache: Caches, overrides: Partial<ProofContext> = {}): ProofContext {
  return { proof: p, method: 'GET', url: URL_, accessToken: TOKEN, jkt, now: Date.now(), claimOnce: (k, t) => cache.claimOnce(k, t), proofKeys: cache.keys, ...overrides };
}

async function refusal(promise: Promise<void>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DpopError, `a DpopError, not ${String(error)}`);
    return error.message;
  }
  return 'accepted';
}

for (const alg of ['ES256', 'EdDSA'] as const) {
  describe(`DPoP proofs with a remembered key (${alg})`, () => {
    test('a device key is remembered once and every later proof is still checked in full', async () => {
      const cache = new Caches();
      const device = await deviceKey(alg);
      assert.equal(await refusal(verifyDpopProof(context(await proof(device), device.jkt, cache))), 'accepted', 'the first proof');
      assert.equal(await refusal(verifyDpopProof(context(await proof(device), device.jkt, cache))), 'accepted', 'a second proof, key remembered');
      assert.equal(cache.keys.size, 1, 'one entry for the device key');

      const replayed = await proof(device);
      assert.equal(await refusal(verifyDpopProof(context(replayed, device.jkt, cache))), 'accepted');
      assert.match(await refusal(verifyDpopProof(context(replayed, device.jkt, cache))), /already used/, 'a replay');

      assert.match(await refusal(verifyDpopProof(context(await proof(device, { htm: 'POST' }), device.jkt, cache))), /another HTTP method/);
      assert.match(await refusal(verifyDpopProof(context(await proof(device, { htu: 'https://palisade.test/api/v1/jobs' }), device.jkt, cache))), /another URL/);
      assert.match(await refusal(verifyDpopProof(context(await proof(device, { iat: Math.floor(Date.now() / 1000) - 3600 }), device.jkt, cache))), /not fresh/);
      assert.match(await refusal(verifyDpopProof(context(await proof(device, { iat: undefined }), device.jkt, cache))), /not fresh/);
      assert.match(await refusal(verifyDpopProof(context(await proof(device, { ath: 'x' }), device.jkt, cache))), /ath/);
      assert.match(await refusal(verifyDpopProof(context(await proof(device, { jti: 'short' }), device.jkt, cache))), /unique jti/);
      assert.match(await refusal(verifyDpopProof(context(await proof(device, { exp: Math.floor(Date.now() / 1000) - 10 }), device.jkt, cache))), /not valid/, 'an expired proof, as jose refuses it');
    });

    test("a device's header signed by another key is refused, though its key is remembered", async () => {
      const cache = new Caches();
      const device = await deviceKey(alg);
      const attacker = await deviceKey(alg);
      assert.equal(await refusal(verifyDpopProof(context(await proof(device), device.jkt, cache))), 'accepted');
      // Same protected header (the device's public key), the attacker's signature.
      const forged = await proof(device, {}, {}, attacker);
      assert.match(await refusal(verifyDpopProof(context(forged, device.jkt, cache))), /not valid/);
      // The device's own signature over another payload: the payload swapped after signing.
      const genuine = await proof(device);
      const other = await proof(device, { htu: 'https://palisade.test/api/v1/admin' });
      const [h, , s] = genuine.split('.');
      const spliced = `${h}.${other.split('.')[1]}.${s}`;
      assert.match(await refusal(verifyDpopProof(context(spliced, device.jkt, cache, { url: 'https://palisade.test/api/v1/admin' }))), /not valid/);
    });

    test("a remembered key never satisfies another token's binding", async () => {
      const cache = new Caches();
      const device = await deviceKey(alg);
      const other = await deviceKey(alg);
      assert.equal(await refusal(verifyDpopProof(context(await proof(device), device.jkt, cache))), 'accepted');
      assert.match(await refusal(verifyDpopProof(context(await proof(device), other.jkt, cache))), /another key than the token is bound to/);
      // A key no token is bound to is never remembered (a caller cannot fill the cache with its own keys).
      const fresh = await deviceKey(alg);
      assert.match(await refusal(verifyDpopProof(context(await proof(fresh), device.jkt, cache))), /another key than the token is bound to/);
      assert.equal(cache.keys.size, 1);
    });
  });
}

describe('DPoP proof headers', () => {
  test('a header jose refuses is refused every time, never remembered', async () => {
    const cache = new Caches();
    const device = await deviceKey();
    const wrongTyp = await proof(device, {}, { typ: 'JWT' });
    for (let i = 0; i < 2; i += 1) assert.match(await refusal(verifyDpopProof(context(wrongTyp, device.jkt, cache))), /not valid/);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: device.jwk })).toString('base64url')}.${Buffer.from(JSON.stringify({ htm: 'GET', htu: URL_, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ath: ATH })).toString('base64url')}.AAAA`;
    for (let i = 0; i < 2; i += 1) assert.match(await refusal(verifyDpopProof(context(unsigned, device.jkt, cache))), /not valid/);
    assert.equal(cache.keys.size, 0);
  });

  test('a padded header is verified in full every time, never remembered', async () => {
    const cache = new Caches();
    const device = await deviceKey();
    for (let i = 0; i < 2; i += 1) assert.equal(await refusal(verifyDpopProof(context(await proof(device, {}, { kid: 'x'.repeat(2000) }), device.jkt, cache))), 'accepted');
    assert.equal(cache.keys.size, 0);
  });

  test('at most its limit of proof keys is held', async () => {
    const cache = new Caches();
    const device = await deviceKey();
    // Distinct headers (an extra member each), each a first proof: the oldest are forgotten.
    for (let i = 0; i < cache.keys.limit + 5; i += 1) {
      await verifyDpopProof(context(await proof(device, {}, { kid: `k${i}` }), device.jkt, cache));
    }
    assert.equal(cache.keys.size, cache.keys.limit);
    // A remembered header is reused; a forgotten one is verified afresh, in full.
    assert.equal(await refusal(verifyDpopProof(context(await proof(device, {}, { kid: `k${cache.keys.limit}` }), device.jkt, cache))), 'accepted');
    assert.equal(cache.keys.size, cache.keys.limit);
    assert.equal(await refusal(verifyDpopProof(context(await proof(device, {}, { kid: 'k0' }), device.jkt, cache))), 'accepted');
  });
});
