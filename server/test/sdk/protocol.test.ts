/**
 * The SDK's protocol pieces against the server's own verifiers: what @palisade/client signs is
 * what Palisade accepts (request signatures, posture reports), and a tampered request is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { signRequest } from '../../../sdk/src/signature.ts';
import { signPosture } from '../../../sdk/src/documents.ts';
import { verifyRequestSignature, SignatureError } from '../../src/apisec/signatures.ts';
import { verifyPosture } from '../../src/devices/posture/report.ts';

const key = { keyId: 'k1', key: Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url') };
const claimed = new Set<string>();
const deps = (now: number) => ({
  key: { keyId: key.keyId, key: Buffer.from(key.key, 'base64url') },
  now,
  windowMs: 300_000,
  claimOnce: async (k: string) => (claimed.has(k) ? false : (claimed.add(k), true)),
});

test('a request signed by the SDK verifies with the server’s RFC 9421 verifier; a changed body or URL does not', async () => {
  const now = Date.now();
  const body = new TextEncoder().encode('{"note":"ok"}');
  const request = { method: 'POST', url: 'https://palisade.test:8443/api/v1/jobs?x=1', authorization: 'DPoP abc.def.ghi', body, key, created: Math.floor(now / 1000) };
  const headers = await signRequest(request);
  const asReceived = (overrides: Partial<{ targetUri: string; body: Uint8Array }> = {}) => ({
    method: 'POST',
    targetUri: overrides.targetUri ?? request.url,
    headers: { authorization: request.authorization, ...headers },
    body: overrides.body ?? body,
  });
  assert.deepEqual(await verifyRequestSignature(asReceived(), deps(now)), { label: 'sig', keyId: 'k1' }, 'the server accepts the SDK’s signature');
  const fresh = await signRequest(request);
  await assert.rejects(verifyRequestSignature({ ...asReceived({ body: new TextEncoder().encode('{"note":"changed"}') }), headers: { authorization: request.authorization, ...fresh } }, deps(now)), (e: SignatureError) => e.kind === 'digest-mismatch');
  const third = await signRequest(request);
  await assert.rejects(verifyRequestSignature({ ...asReceived({ targetUri: 'https://palisade.test:8443/api/v1/other' }), headers: { authorization: request.authorization, ...third } }, deps(now)), (e: SignatureError) => e.reason === 'signature_mismatch');
  await assert.rejects(verifyRequestSignature(asReceived(), deps(now)), (e: SignatureError) => e.kind === 'replayed', 'the first signature cannot be replayed: every call gets a new nonce');
});

test('every signature carries a new nonce, so two identical calls are both accepted', async () => {
  const now = Date.now();
  const request = { method: 'GET', url: 'https://palisade.test/api/v1/me', authorization: 'DPoP t', body: new Uint8Array(), key, created: Math.floor(now / 1000) };
  for (let i = 0; i < 2; i += 1) {
    const headers = await signRequest(request);
    await verifyRequestSignature({ method: 'GET', targetUri: request.url, headers: { authorization: 'DPoP t', ...headers }, body: new Uint8Array() }, deps(now));
  }
});

test('a posture report made by the SDK verifies with the server’s posture verifier under the device key', async () => {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await exportJWK(keys.publicKey);
  const now = Date.now();
  const report = await signPosture(keys, { platform: 'ios', osVersion: '18.1', appVersion: '2.4.0', appBuild: '240', jailbroken: false, passcodeSet: true, biometry: true, managed: false }, now);
  const seen = new Set<string>();
  const verified = await verifyPosture({ report, deviceJwk: jwk, jkt: await calculateJwkThumbprint(jwk), now, claimOnce: async (k) => (seen.has(k) ? false : (seen.add(k), true)) });
  assert.equal(verified.platform, 'ios');
  assert.equal(verified.passcodeSet, true);
  const other = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const otherJwk = await exportJWK(other.publicKey);
  await assert.rejects(verifyPosture({ report: await signPosture(keys, { platform: 'ios', osVersion: '18.1', appVersion: '2.4.0', appBuild: '240', jailbroken: false, passcodeSet: true, biometry: true, managed: false }, now), deviceJwk: otherJwk, jkt: await calculateJwkThumbprint(otherJwk), now, claimOnce: async () => true }), /not signed by the device key|could not be verified/, 'a report is bound to the device key that signed it');
});
