/**
 * The certificate pins document (`/.well-known/palisade/pins`) through the HTTP pipeline: what
 * it claims, that an app verifies it against the JWKS across a signing key rotation, that it is
 * not signed anew for every anonymous request, and that a foreign or altered signature fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { testApp } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { PINS_LIFETIME_S, PINS_MAX_AGE_S, PINS_PATH, PINS_TYP, pinsRoute, type PinsClaims } from '../../src/http/pins.ts';

const ISSUER = 'https://palisade.example.com';
const CURRENT = `sha256/${Buffer.alloc(32, 1).toString('base64')}`;
const BACKUP = `sha256/${Buffer.alloc(32, 2).toString('base64')}`;

/** A signing key as keys.ts stores it: private JWK with kid (its thumbprint), alg and use. */
async function signingKey(alg: 'ES256' | 'EdDSA'): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const { d: _d, ...publicJwk } = jwk;
  return { privateJwk: { ...jwk, kid, alg, use: 'sig' }, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } };
}

async function pinsApp(clock: ManualClock, active: () => JWK) {
  const app = testApp();
  await app.register(pinsRoute, { issuer: ISSUER, current: CURRENT, backups: [BACKUP], signingKey: active, clock });
  await app.ready();
  return app;
}

test('the pins document names the current and backup pins, for the issuer’s host, valid 30 days', async () => {
  const clock = new ManualClock();
  const key = await signingKey('ES256');
  const app = await pinsApp(clock, () => key.privateJwk);
  const response = await app.inject({ method: 'GET', url: PINS_PATH });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'application/jwt');
  assert.equal(response.headers['cache-control'], 'public, max-age=300');
  assert.equal(response.headers['x-content-type-options'], 'nosniff', 'the security headers apply here too');

  const header = decodeProtectedHeader(response.body);
  assert.deepEqual(header, { alg: 'ES256', kid: key.privateJwk.kid, typ: PINS_TYP });
  const { payload } = await jwtVerify<PinsClaims>(response.body, createLocalJWKSet({ keys: [key.publicJwk] }), {
    issuer: ISSUER,
    typ: PINS_TYP,
    currentDate: new Date(clock.now()),
  });
  assert.equal(payload.iat, clock.now() / 1000);
  assert.equal(payload.exp, payload.iat + PINS_LIFETIME_S);
  assert.equal(payload.max_age, PINS_MAX_AGE_S);
  assert.equal(payload.host, 'palisade.example.com');
  assert.deepEqual(payload.pins, [
    { pin: CURRENT, role: 'current' },
    { pin: BACKUP, role: 'backup' },
  ]);
  // Described in /openapi.json for app developers.
  const described = (app.swagger() as { paths: Record<string, { get: { tags: string[]; responses: Record<string, { content: Record<string, unknown> }> } }> }).paths[PINS_PATH]!.get;
  assert.deepEqual(described.tags, ['well-known']);
  assert.ok(described.responses['200']!.content['application/jwt']);
  await app.close();
});

test('after a signing key rotation the document is signed by the new key, and both documents verify against the JWKS', async () => {
  const clock = new ManualClock();
  const old = await signingKey('ES256');
  const next = await signingKey('EdDSA');
  let active = old.privateJwk;
  const app = await pinsApp(clock, () => active);
  const before = (await app.inject({ method: 'GET', url: PINS_PATH })).body;
  // keys.ts: the new key is published first, then signs; the old one stays published a while.
  active = next.privateJwk;
  const after = (await app.inject({ method: 'GET', url: PINS_PATH })).body;
  assert.equal(decodeProtectedHeader(after).kid, next.privateJwk.kid, 'the document follows the active key at once');
  const jwks = createLocalJWKSet({ keys: [next.publicJwk, old.publicJwk] });
  for (const jws of [before, after]) await jwtVerify(jws, jwks, { issuer: ISSUER, typ: PINS_TYP, currentDate: new Date(clock.now()) });
  // Once the old key has left the JWKS, a document it signed no longer verifies.
  await assert.rejects(jwtVerify(before, createLocalJWKSet({ keys: [next.publicJwk] }), { issuer: ISSUER, typ: PINS_TYP, currentDate: new Date(clock.now()) }), {
    code: 'ERR_JWKS_NO_MATCHING_KEY',
  });
  await app.close();
});

test('anonymous requests get the same signed document for an hour, then a fresh one', async () => {
  const clock = new ManualClock();
  const key = await signingKey('ES256');
  const app = await pinsApp(clock, () => key.privateJwk);
  const first = (await app.inject({ method: 'GET', url: PINS_PATH })).body;
  clock.advance(59 * 60_000);
  assert.equal((await app.inject({ method: 'GET', url: PINS_PATH })).body, first, 'reused within the hour');
  clock.advance(60_000);
  const later = (await app.inject({ method: 'GET', url: PINS_PATH })).body;
  assert.notEqual(later, first);
  const { payload } = await jwtVerify<PinsClaims>(later, createLocalJWKSet({ keys: [key.publicJwk] }), { currentDate: new Date(clock.now()) });
  assert.equal(payload.iat, clock.now() / 1000, 're-signed with the time moved on');
  await app.close();
});

test('a document signed by a key Palisade does not publish, or altered, is refused by an app', async () => {
  const clock = new ManualClock();
  const real = await signingKey('ES256');
  const attacker = await signingKey('ES256');
  const forgedApp = await pinsApp(clock, () => attacker.privateJwk);
  const forged = (await forgedApp.inject({ method: 'GET', url: PINS_PATH })).body;
  const jwks = createLocalJWKSet({ keys: [real.publicJwk] });
  await assert.rejects(jwtVerify(forged, jwks, { currentDate: new Date(clock.now()) }), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  // The attacker's key under the real kid: the signature does not verify.
  const { kid: _kid, ...attackerKey } = attacker.privateJwk;
  const impostorApp = await pinsApp(clock, () => ({ ...attackerKey, kid: real.privateJwk.kid }));
  const impostor = (await impostorApp.inject({ method: 'GET', url: PINS_PATH })).body;
  await assert.rejects(jwtVerify(impostor, jwks, { currentDate: new Date(clock.now()) }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  await Promise.all([forgedApp.close(), impostorApp.close()]);
});
