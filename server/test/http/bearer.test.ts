/**
 * Access tokens at the API (http/bearer.ts): a token that passed is remembered by its hash so
 * its signature is not verified again on every request — and remembering it changes nothing
 * an attacker could use: it still expires on time, a rotated-out or removed signing key
 * invalidates it, a revoked session is refused at the next request, a forged token is never
 * remembered, and the claims handed out cannot alter the remembered ones. The map is bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { BearerVerifier, MAX_CLOCK_SKEW_S } from '../../src/http/bearer.ts';
import { ManualClock } from '../../src/clock.ts';
import { Problem } from '../../src/http/problems.ts';

const ISSUER = 'https://palisade.test';
const AUDIENCE = 'https://palisade.test/api';

async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, jwk };
}

type SigningKey = Awaited<ReturnType<typeof signingKey>>;

function token(key: SigningKey, clock: ManualClock, claims: Record<string, unknown> = {}, lifetimeS = 300): Promise<string> {
  const iat = Math.floor(clock.now() / 1000);
  return new SignJWT({ client_id: 'field-app', sid: 'sid-1', projects: ['p1'], ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('user-1')
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetimeS)
    .sign(key.privateKey);
}

function verifier(keys: SigningKey[], clock: ManualClock, revoked: Set<string> = new Set(), entries?: number) {
  return new BearerVerifier(
    keys.map((k) => k.jwk),
    { issuer: ISSUER, audience: AUDIENCE, clock, isRevoked: (sid) => revoked.has(sid), claimOnce: async () => true, ...(entries === undefined ? {} : { verifiedTokenCacheEntries: entries }) },
  );
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Problem, `a problem, not ${String(error)}`);
    return `${error.status} ${error.detail}`;
  }
  return 'accepted';
}

describe('remembered access tokens', () => {
  test('a token is verified once, then served from its hash', async () => {
    const clock = new ManualClock();
    const key = await signingKey('k1');
    const bearer = verifier([key], clock);
    const t = await token(key, clock);
    for (let i = 0; i < 5; i += 1) assert.equal((await bearer.verify(`Bearer ${t}`)).sub, 'user-1');
    assert.equal(bearer.signatureVerifications, 1);
    assert.equal(bearer.rememberedTokens, 1);
  });

  test('a remembered token still expires on time (with the same skew as a fresh one)', async () => {
    const clock = new ManualClock();
    const key = await signingKey('k1');
    const bearer = verifier([key], clock);
    const t = await token(key, clock, {}, 300);
    assert.equal(await refusal(bearer.verify(`Bearer ${t}`)), 'accepted');
    clock.advance((300 + MAX_CLOCK_SKEW_S - 1) * 1000);
    assert.equal(await refusal(bearer.verify(`Bearer ${t}`)), 'accepted', 'within the skew');
    clock.advance(1000);
    assert.match(await refusal(bearer.verify(`Bearer ${t}`)), /^401 the access token has expired/);
    assert.equal(bearer.rememberedTokens, 0, 'an expired token is forgotten');
  });

  test('a token whose signing key was rotated out or removed is refused at the next request', async () => {
    const clock = new ManualClock();
    const k1 = await signingKey('k1');
    const k2 = await signingKey('k2');
    const bearer = verifier([k1, k2], clock);
    const t1 = await token(k1, clock);
    const t2 = await token(k2, clock);
    assert.equal(await refusal(bearer.verify(`Bearer ${t1}`)), 'accepted');
    assert.equal(await refusal(bearer.verify(`Bearer ${t2}`)), 'accepted');
    bearer.setKeys([k2.jwk]);
    assert.match(await refusal(bearer.verify(`Bearer ${t1}`)), /^401 the token is not signed by a Palisade key/);
    assert.equal(await refusal(bearer.verify(`Bearer ${t2}`)), 'accepted', 'a token of a key still published is accepted');
  });

  test('a revoked session is refused at the next request, remembered token or not', async () => {
    const clock = new ManualClock();
    const key = await signingKey('k1');
    const revoked = new Set<string>();
    const bearer = verifier([key], clock, revoked);
    const t = await token(key, clock);
    assert.equal(await refusal(bearer.verify(`Bearer ${t}`)), 'accepted');
    revoked.add('sid-1');
    assert.match(await refusal(bearer.verify(`Bearer ${t}`)), /^401/);
  });

  test('a forged token is never remembered, even beside a good one', async () => {
    const clock = new ManualClock();
    const key = await signingKey('k1');
    const attacker = await signingKey('k1');
    const bearer = verifier([key], clock);
    const good = await token(key, clock);
    assert.equal(await refusal(bearer.verify(`Bearer ${good}`)), 'accepted');
    const forged = await token(attacker, clock, { sub: 'admin' });
    for (let i = 0; i < 2; i += 1) assert.match(await refusal(bearer.verify(`Bearer ${forged}`)), /^401 the token signature is not valid/);
    // The good token's payload under the attacker's signature, and the reverse.
    const [gh, gp, gs] = good.split('.');
    const [, fp, fs] = forged.split('.');
    assert.match(await refusal(bearer.verify(`Bearer ${gh}.${fp}.${gs}`)), /^401/);
    assert.match(await refusal(bearer.verify(`Bearer ${gh}.${gp}.${fs}`)), /^401/);
    assert.equal(bearer.rememberedTokens, 1);
  });

  test('claims handed to one request cannot change what the next request sees', async () => {
    const clock = new ManualClock();
    const key = await signingKey('k1');
    const bearer = verifier([key], clock);
    const t = await token(key, clock);
    const first = await bearer.verify(`Bearer ${t}`);
    first.sub = 'someone-else';
    assert.throws(() => first.projects!.push('p2'));
    const second = await bearer.verify(`Bearer ${t}`);
    assert.equal(second.sub, 'user-1');
    assert.deepEqual(second.projects, ['p1']);
  });

  test('at most the configured number of tokens is remembered', async () => {
    const clock = new ManualClock();
    const key = await signingKey('k1');
    const bearer = verifier([key], clock, new Set(), 10);
    for (let i = 0; i < 25; i += 1) await bearer.verify(`Bearer ${await token(key, clock)}`);
    assert.equal(bearer.rememberedTokens, 10);
  });
});
