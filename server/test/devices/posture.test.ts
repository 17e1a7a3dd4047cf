/**
 * The posture report is accepted only as the device key's fresh, single-use statement: forged,
 * unsigned, wrongly typed, stale, future-dated, replayed or malformed reports are refused, each
 * with its own stable reason.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { MemoryCache } from '../../src/cache/index.ts';
import { POSTURE_TYP, PostureError, verifyPosture } from '../../src/devices/index.ts';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const nowS = Math.floor(NOW / 1000);

async function device(alg: 'ES256' | 'EdDSA' = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined, extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk), alg };
}

export function postureClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    platform: 'ios',
    os_version: '17.4.1',
    app_version: '2.4.0',
    app_build: '240',
    jailbroken: false,
    passcode_set: true,
    biometry: true,
    managed: false,
    iat: nowS,
    jti: randomUUID(),
    ...overrides,
  };
}

async function sign(key: { privateKey: CryptoKey; alg: string }, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: POSTURE_TYP, ...header }).sign(key.privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PostureError, `a PostureError, not ${String(error)}`);
    return error.reason;
  }
  assert.fail('the report was accepted but must be refused');
}

describe('posture report verification', () => {
  const cache = () => new MemoryCache();
  const verify = (report: string | undefined, d: { jwk: JWK; jkt: string }, claimOnce = cache(), now = NOW) =>
    verifyPosture({ report, deviceJwk: d.jwk, jkt: d.jkt, now, claimOnce: (k, ttl) => claimOnce.claimOnce(k, ttl) });

  test('a report signed with the device key (ES256 or EdDSA) is accepted and read', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const d = await device(alg);
      const report = await verify(await sign(d, postureClaims({ root_indicators: [], mdm_device_id: 'ABC-123' })), d);
      assert.equal(report.platform, 'ios');
      assert.equal(report.osVersion, '17.4.1');
      assert.equal(report.passcodeSet, true);
      assert.equal(report.mdmDeviceId, 'ABC-123');
    }
  });

  test('a report signed by another key (forged) is refused', async () => {
    const d = await device();
    const attacker = await device();
    assert.equal(await refusal(verify(await sign(attacker, postureClaims()), d)), 'bad-signature');
  });

  test('a report whose DPoP key is not the key the tokens are bound to is refused', async () => {
    const d = await device();
    const other = await device();
    // Signed by `other` and checked with `other`'s key, but the grant is bound to `d`.
    assert.equal(await refusal(verifyPosture({ report: await sign(other, postureClaims()), deviceJwk: other.jwk, jkt: d.jkt, now: NOW, claimOnce: async () => true })), 'wrong-key');
  });

  test('an unsigned report (alg none) is refused before any verification', async () => {
    const d = await device();
    const unsecured = new UnsecuredJWT(postureClaims()).encode();
    const [, payload] = unsecured.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: POSTURE_TYP })).toString('base64url');
    assert.equal(await refusal(verify(`${header}.${payload}.`, d)), 'malformed', 'an empty signature part is not a compact JWS');
    assert.equal(await refusal(verify(`${header}.${payload}.AAAA`, d)), 'bad-alg');
  });

  test('HS256 signed with the public key as the secret is refused', async () => {
    const d = await device();
    const secret = new TextEncoder().encode(JSON.stringify(d.jwk));
    const forged = await new SignJWT(postureClaims()).setProtectedHeader({ alg: 'HS256', typ: POSTURE_TYP }).sign(secret);
    assert.equal(await refusal(verify(forged, d)), 'bad-alg');
  });

  test('a wrong or missing typ is refused (a DPoP proof is not a posture report)', async () => {
    const d = await device();
    assert.equal(await refusal(verify(await sign(d, postureClaims(), { typ: 'dpop+jwt' }), d)), 'wrong-typ');
    assert.equal(await refusal(verify(await sign(d, postureClaims(), { typ: undefined }), d)), 'wrong-typ');
  });

  test('a replayed jti is refused the second time', async () => {
    const d = await device();
    const shared = cache();
    const report = await sign(d, postureClaims());
    await verify(report, d, shared);
    assert.equal(await refusal(verify(report, d, shared)), 'replayed');
  });

  test('iat: exactly 5 minutes old passes, one second more is stale; 60 s ahead passes, 61 s is refused', async () => {
    const d = await device();
    await verify(await sign(d, postureClaims({ iat: nowS - 300 })), d);
    assert.equal(await refusal(verify(await sign(d, postureClaims({ iat: nowS - 301 })), d)), 'stale');
    await verify(await sign(d, postureClaims({ iat: nowS + 60 })), d);
    assert.equal(await refusal(verify(await sign(d, postureClaims({ iat: nowS + 61 })), d)), 'stale');
  });

  test('malformed claims are refused: platform, versions, booleans, jti, indicators', async () => {
    const d = await device();
    const bad: Record<string, unknown>[] = [
      { platform: 'windows' },
      { os_version: '17.4 beta' },
      { app_version: 2.4 },
      { jailbroken: 'false' },
      { passcode_set: undefined },
      { jti: 'short' },
      { root_indicators: 'cydia' },
      { iat: '1700000000' },
      { assertion: 'AAAA' },
    ];
    for (const overrides of bad) assert.equal(await refusal(verify(await sign(d, postureClaims(overrides)), d)), 'bad-claims', JSON.stringify(overrides));
  });

  // ---- web reports (a browser client on the SDK's web build) ----------------------------------

  const webClaims = (overrides: Record<string, unknown> = {}) => ({ platform: 'web', app_version: '2.4.0', app_build: '240', browser: 'Chromium', browser_version: '131', os: 'Android', mobile: true, iat: nowS, jti: randomUUID(), ...overrides });
  const verifyFor = (platforms: readonly ('ios' | 'android' | 'web')[], report: string, d: { jwk: JWK; jkt: string }) =>
    verifyPosture({ report, deviceJwk: d.jwk, jkt: d.jkt, now: NOW, claimOnce: async () => true, platforms });

  test('a web report from a browser client is read: the app version and the browser\'s own hints, nothing about a device', async () => {
    const d = await device();
    const report = await verifyFor(['web'], await sign(d, webClaims()), d);
    assert.deepEqual({ ...report, jti: undefined }, { platform: 'web', appVersion: '2.4.0', appBuild: '240', browser: 'Chromium', browserVersion: '131', os: 'Android', mobile: true, iat: nowS, jti: undefined });
    const bare = await verifyFor(['web'], await sign(d, webClaims({ browser: undefined, browser_version: undefined, os: undefined, mobile: undefined })), d);
    assert.equal(bare.appVersion, '2.4.0', 'the hints are optional (a browser without client hints)');
  });

  test('a web report claiming a device fact is refused: a browser has no jailbreak, passcode, MDM or OS version to vouch for', async () => {
    const d = await device();
    for (const fact of [{ jailbroken: false }, { passcode_set: true }, { managed: true }, { mdm_device_id: 'MDM-1' }, { os_version: '17.4' }, { root_indicators: [] }, { assertion: 'AAAA', attestation_key_id: 'k' }]) {
      assert.equal(await refusal(verifyFor(['web'], await sign(d, webClaims(fact)), d)), 'bad-claims', JSON.stringify(fact));
    }
    for (const bad of [{ app_version: undefined }, { app_version: '2.4 beta' }, { browser_version: 'latest' }, { mobile: 'yes' }, { browser: '<script>' }]) {
      assert.equal(await refusal(verifyFor(['web'], await sign(d, webClaims(bad)), d)), 'bad-claims', JSON.stringify(bad));
    }
  });

  test('attacker: a device app sending a web report (to escape the device rules) is refused, as is a browser client claiming a phone', async () => {
    const d = await device();
    assert.equal(await refusal(verify(await sign(d, webClaims()), d)), 'wrong-platform', 'by default only ios and android are accepted');
    assert.equal(await refusal(verifyFor(['ios', 'android'], await sign(d, webClaims()), d)), 'wrong-platform');
    assert.equal(await refusal(verifyFor(['web'], await sign(d, postureClaims()), d)), 'wrong-platform');
  });

  test('a missing report and a non-JWS are told apart', async () => {
    const d = await device();
    assert.equal(await refusal(verify(undefined, d)), 'missing');
    assert.equal(await refusal(verify('not a jws', d)), 'malformed');
  });
});
