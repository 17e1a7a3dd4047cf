/**
 * Platform attestation: Apple App Attest verified offline. Apple's own sample
 * attestation is verified against the bundled Apple root at the time it was made; then a fake
 * Apple (fakes/app-attest.ts: a test root, an intermediate and credential certificates carrying
 * the nonce extension, made with @peculiar/x509) produces attestations and assertions with one
 * thing wrong at a time — chain, validity, app id, challenge, key id, environment, counter,
 * signature — and each is refused with its own reason. Play Integrity refuses as not configured.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection container needs it, before x509 loads
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { decode as decodeCbor, encode as encodeCbor } from 'cborg';
import { ManualClock } from '../../src/clock.ts';
import {
  AppAttestVerifier,
  APPLE_APP_ATTEST_ROOT_SHA256,
  appleAppAttestRoot,
  attestationVerifiers,
  clientDataHash,
  PlayIntegrityVerifier,
  type AttestedKey,
} from '../../src/devices/attestation/index.ts';
import { APP_ID, CHALLENGE, DAY, EC384, OTHER_APP_ID, assertion, attest, deviceKey, fakeApple, keys, sha256, type DeviceKey, type FakeApple } from './fakes/app-attest.ts';

function refusedWith(outcome: { ok: boolean; reason?: string }, reason: string, why: string): void {
  assert.equal(outcome.ok, false, `${why}: expected a refusal`);
  assert.equal(outcome.reason, reason, `${why}: refused for the wrong reason`);
}

describe("Apple's sample attestation, against the real Apple root", () => {
  // Apple's "Attestation Object Validation Guide" (developer.apple.com/documentation/devicecheck/
  // attestation-object-validation-guide) publishes this attestation with its inputs: app id
  // 0352187391.com.apple.example_app_attest, key id bSrEhF8T…, and the bytes of
  // "test_server_challenge" passed as the client data hash. Its credential certificate is valid
  // from 2024-04-17T16:14:53Z to 2024-04-20T16:14:53Z. The fixture is that base64 (5,637 bytes
  // decoded). Some copies in circulation lack 21 bytes of the receipt; this one is whole: the
  // receipt's CMS signature verifies (openssl cms -verify) and so does every certificate here.
  const sample = Buffer.from(readFileSync(path.join(import.meta.dirname, 'fixtures/apple-sample-attestation.b64'), 'utf8').trim(), 'base64');
  const keyId = 'bSrEhF8TIzIvWSPwvZ0i2+UOBre4ASH84rK15m6emNY=';
  const appleHash = Buffer.from('test_server_challenge', 'utf8');
  const verifier = (at: string, appIds = ['0352187391.com.apple.example_app_attest']) =>
    new AppAttestVerifier({ appIds, environment: 'production', clock: new ManualClock(Date.parse(at)) });

  test('the bundled root is Apple App Attestation Root CA, byte for byte', () => {
    const root = appleAppAttestRoot();
    assert.equal(
      sha256(root.raw).toString('hex'),
      '1cb9823ba28ba6ad2d33a006941de2ae4f513ef1d4e831b9f7e0fa7b6242c932',
      'the pinned root must be exactly the certificate Apple publishes: any other anchor trusts other keys',
    );
    assert.equal(APPLE_APP_ATTEST_ROOT_SHA256, sha256(root.raw).toString('hex'));
    assert.match(root.subject, /CN=Apple App Attestation Root CA/);
    assert.ok(root.verify(root.publicKey), 'the root is self-signed');
  });

  test('verifies while its certificate was valid, with the app id, key id and challenge Apple gives', async () => {
    const outcome = await verifier('2024-04-18T00:00:00Z').verifyAttestation({ attestation: sample, keyId, clientDataHash: appleHash });
    assert.ok(outcome.ok, `Apple's own sample must verify through the real root: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.key.keyId, keyId);
    assert.equal(outcome.key.appId, '0352187391.com.apple.example_app_attest');
    assert.equal(outcome.key.environment, 'production');
    assert.equal(outcome.key.counter, 0);
    assert.equal(outcome.key.publicKey.crv, 'P-256');
    assert.ok(outcome.key.receipt && outcome.key.receipt.length > 1000, 'the receipt is kept for a later fraud-metric exchange');
  });

  test('is refused once its credential certificate has expired', async () => {
    const outcome = await verifier('2024-04-21T00:00:00Z').verifyAttestation({ attestation: sample, keyId, clientDataHash: appleHash });
    refusedWith(outcome, 'bad-chain', 'an attestation is only as good as a chain valid now');
  });

  test('is refused for another app id, another challenge, another key id or the development environment', async () => {
    const at = '2024-04-18T00:00:00Z';
    refusedWith(
      await verifier(at, [APP_ID]).verifyAttestation({ attestation: sample, keyId, clientDataHash: appleHash }),
      'wrong-app-id',
      "Apple's example app is not the company's app",
    );
    refusedWith(
      await verifier(at).verifyAttestation({ attestation: sample, keyId, clientDataHash: clientDataHash('test_server_challenge') }),
      'nonce-mismatch',
      'the attestation was made for the raw challenge bytes, not for their hash',
    );
    refusedWith(
      await verifier(at).verifyAttestation({ attestation: sample, keyId: sha256('another key').toString('base64'), clientDataHash: appleHash }),
      'key-id-mismatch',
      'the key id must be the attested key',
    );
    const development = new AppAttestVerifier({
      appIds: ['0352187391.com.apple.example_app_attest'],
      environment: 'development',
      clock: new ManualClock(Date.parse(at)),
    });
    refusedWith(
      await development.verifyAttestation({ attestation: sample, keyId, clientDataHash: appleHash }),
      'wrong-environment',
      'a production key is not accepted where development is configured, and the other way round',
    );
  });
});

describe('App Attest attestation, from a fake Apple under a test root', () => {
  const start = Date.UTC(2026, 0, 1);
  let apple: FakeApple;
  let stranger: FakeApple;
  let device: DeviceKey;
  let clock: ManualClock;
  let verifier: AppAttestVerifier;

  before(async () => {
    apple = await fakeApple('Fake App Attestation', start);
    stranger = await fakeApple('Stranger', start);
    device = await deviceKey();
  });

  const fresh = () => {
    clock = new ManualClock(start);
    verifier = new AppAttestVerifier({ appIds: [APP_ID], environment: 'production', clock, roots: [apple.root] });
    return verifier;
  };
  const verify = (attestation: Uint8Array, keyId = device.keyId, challenge = CHALLENGE) =>
    verifier.verifyAttestation({ attestation, keyId, clientDataHash: clientDataHash(challenge) });

  test('a genuine attestation for this app and this challenge is accepted and yields the key to store', async () => {
    fresh();
    const outcome = await verify(await attest({ apple, device, now: start }));
    assert.ok(outcome.ok, `expected acceptance: ${JSON.stringify(outcome)}`);
    assert.deepEqual(
      { ...outcome.key, publicKey: undefined },
      { platform: 'apple-app-attest', keyId: device.keyId, appId: APP_ID, environment: 'production', counter: 0, publicKey: undefined, receipt: Buffer.from('receipt').toString('base64') },
    );
    assert.deepEqual(outcome.key.publicKey, { kty: 'EC', crv: 'P-256', x: device.jwk.x, y: device.jwk.y }, 'the certified key is what later assertions are checked with');
  });

  test('the same attestation verifies for any of several configured apps, and names which', async () => {
    clock = new ManualClock(start);
    const several = new AppAttestVerifier({ appIds: [OTHER_APP_ID, APP_ID], environment: 'production', clock, roots: [apple.root] });
    const outcome = await several.verifyAttestation({ attestation: await attest({ apple, device, now: start }), keyId: device.keyId, clientDataHash: clientDataHash(CHALLENGE) });
    assert.ok(outcome.ok);
    assert.equal(outcome.key.appId, APP_ID);
  });

  test('a chain from another root is refused: bad-chain', async () => {
    fresh();
    refusedWith(await verify(await attest({ apple: stranger, device, now: start })), 'bad-chain', 'only the pinned root vouches for devices');
  });

  test('a credential certificate not signed by the intermediate it names is refused: bad-chain', async () => {
    fresh();
    const forger = await keys(EC384);
    refusedWith(await verify(await attest({ apple, device, now: start, signingKey: forger.privateKey })), 'bad-chain', 'a forged signature on the credential certificate');
  });

  test('an expired credential certificate is refused: bad-chain', async () => {
    fresh();
    const attestation = await attest({ apple, device, now: start, notAfter: start + DAY });
    assert.ok((await verify(attestation)).ok, 'valid before its notAfter');
    clock.advance(DAY + 1000);
    refusedWith(await verify(attestation), 'bad-chain', 'validity is judged at the injected clock');
  });

  test('a chain that leaves out the intermediate, or has the credential certificate vouch for itself, is refused', async () => {
    fresh();
    refusedWith(await verify(await attest({ apple, device, now: start, x5c: (credential) => [credential] })), 'malformed', 'App Attest always sends the intermediate');
    refusedWith(
      await verify(await attest({ apple, device, now: start, x5c: (credential, intermediate) => [credential, credential, intermediate] })),
      'bad-chain',
      'a certificate that is not a CA cannot issue another',
    );
  });

  test('a credential certificate used as a CA to certify another key is refused: bad-chain', async () => {
    fresh();
    // An attacker with one genuine credential certificate and its key (here one whose profile
    // has no key usage extension, so only the CA flag stands in the way) certifies a key of
    // their choosing under it, for our app and our challenge.
    const attacker = await deviceKey();
    const genuine = await attest({ apple, device: attacker, now: start, noKeyUsage: true });
    assert.ok((await verify(genuine, attacker.keyId)).ok, "the attacker's own attestation is genuine");
    const genuineDer = ((decodeCbor(genuine, { useMaps: true }) as Map<string, Map<string, Uint8Array[]>>).get('attStmt')!.get('x5c')!)[0]!;
    const genuineCertificate = new x509.X509Certificate(new Uint8Array(genuineDer));
    const forged = await attest({
      apple,
      device,
      now: start,
      issuer: { name: genuineCertificate.subject, key: attacker.privateCrypto },
      x5c: (credential, intermediate) => [credential, genuineDer, intermediate],
    });
    refusedWith(await verify(forged), 'bad-chain', 'a certificate that is not a CA cannot vouch for another key');
  });

  test("an attestation made for another app is refused: wrong-app-id", async () => {
    fresh();
    refusedWith(await verify(await attest({ apple, device, now: start, appId: OTHER_APP_ID })), 'wrong-app-id', 'Apple signs attestations for every app; only ours count');
  });

  test('an attestation made for another challenge is refused: nonce-mismatch', async () => {
    fresh();
    const attestation = await attest({ apple, device, now: start, challenge: 'an old challenge' });
    refusedWith(await verify(attestation), 'nonce-mismatch', 'a recorded attestation replayed against a new challenge');
  });

  test('a key id that is not the attested key, or a credential id that differs from it, is refused: key-id-mismatch', async () => {
    fresh();
    const other = await deviceKey();
    refusedWith(await verify(await attest({ apple, device, now: start }), other.keyId), 'key-id-mismatch', 'the app claimed another key than Apple certified');
    refusedWith(
      await verify(await attest({ apple, device, now: start, credentialId: Buffer.from(other.keyId, 'base64') })),
      'key-id-mismatch',
      'the credential id in authData must be the key id',
    );
  });

  test('a development key is refused in production and accepted where development is configured', async () => {
    fresh();
    const attestation = await attest({ apple, device, now: start, environment: 'development' });
    refusedWith(await verify(attestation), 'wrong-environment', 'any sideloaded development build gets a development key');
    const development = new AppAttestVerifier({ appIds: [APP_ID], environment: 'development', clock, roots: [apple.root] });
    const outcome = await development.verifyAttestation({ attestation, keyId: device.keyId, clientDataHash: clientDataHash(CHALLENGE) });
    assert.ok(outcome.ok, `expected acceptance in development: ${JSON.stringify(outcome)}`);
    assert.equal(outcome.key.environment, 'development');
  });

  test('a fresh attestation whose counter is not zero is refused: bad-counter', async () => {
    fresh();
    refusedWith(await verify(await attest({ apple, device, now: start, counter: 3 })), 'bad-counter', 'a new key has never signed anything');
  });

  test('bytes that are not an App Attest object are refused: malformed', async () => {
    fresh();
    const genuine = await attest({ apple, device, now: start });
    refusedWith(await verify(Buffer.from('not cbor at all')), 'malformed', 'garbage');
    refusedWith(await verify(genuine.subarray(0, genuine.length - 10)), 'malformed', 'truncated CBOR');
    refusedWith(await verify(Buffer.from(encodeCbor({ fmt: 'packed', attStmt: {}, authData: Buffer.alloc(37) }))), 'malformed', 'another attestation format');
    refusedWith(await verify(Buffer.concat([genuine, Buffer.alloc(20_000)])), 'malformed', 'oversized input is refused before parsing');
  });
});

describe('App Attest assertions, against the stored key', () => {
  const start = Date.UTC(2026, 0, 1);
  let device: DeviceKey;
  let key: AttestedKey;
  let verifier: AppAttestVerifier;

  before(async () => {
    const apple = await fakeApple('Fake App Attestation', start);
    device = await deviceKey();
    verifier = new AppAttestVerifier({ appIds: [APP_ID], environment: 'production', clock: new ManualClock(start), roots: [apple.root] });
    const enrolled = await verifier.verifyAttestation({
      attestation: await attest({ apple, device, now: start }),
      keyId: device.keyId,
      clientDataHash: clientDataHash(CHALLENGE),
    });
    assert.ok(enrolled.ok);
    key = enrolled.key;
  });

  const report = '{"posture":{"jailbroken":false,"osVersion":"18.4"},"nonce":"r1"}';
  const check = (assertionBytes: Uint8Array, stored: AttestedKey, clientData = report) =>
    verifier.verifyAssertion({ assertion: assertionBytes, key: stored, clientDataHash: clientDataHash(clientData) });

  test('an assertion signed by the attested key over this report, with a higher counter, is accepted and gives the counter to store', async () => {
    const outcome = await check(assertion(device, { counter: 1, clientData: report }), key);
    assert.deepEqual(outcome, { ok: true, counter: 1 });
    const later = await check(assertion(device, { counter: 7, clientData: report }), { ...key, counter: 1 });
    assert.deepEqual(later, { ok: true, counter: 7 }, 'counters may skip (other assertions the app made), they only must rise');
  });

  test('the same assertion presented again, or one with a lower counter, is refused: replayed-counter', async () => {
    const first = assertion(device, { counter: 5, clientData: report });
    assert.ok((await check(first, key)).ok);
    refusedWith(await check(first, { ...key, counter: 5 }), 'replayed-counter', 'a recorded assertion played again');
    refusedWith(await check(assertion(device, { counter: 4, clientData: report }), { ...key, counter: 5 }), 'replayed-counter', 'a counter that went back');
  });

  test('a tampered signature, another report, or another key is refused: bad-signature', async () => {
    const genuine = assertion(device, { counter: 2, clientData: report });
    const tampered = Buffer.from(genuine);
    // The signature is the first byte string in the map; flip a byte in its middle.
    const at = tampered.indexOf(Buffer.from('signature')) + 'signature'.length + 20;
    tampered[at] = tampered[at]! ^ 0x01;
    refusedWith(await check(tampered, key), 'bad-signature', 'one flipped bit in the signature');
    refusedWith(await check(genuine, key, report.replace('false', 'true')), 'bad-signature', 'the assertion vouches for another report than the one received');
    const stranger = await deviceKey();
    refusedWith(await check(assertion(stranger, { counter: 2, clientData: report }), key), 'bad-signature', 'signed by a key that was never attested');
  });

  test('an assertion made for another app is refused: wrong-app-id', async () => {
    refusedWith(await check(assertion(device, { counter: 2, clientData: report, appId: OTHER_APP_ID }), key), 'wrong-app-id', 'the key signed for another app id');
    refusedWith(
      await check(assertion(device, { counter: 2, clientData: report, appId: OTHER_APP_ID }), { ...key, appId: OTHER_APP_ID }),
      'wrong-app-id',
      'a key stored for an app this server no longer accepts',
    );
  });

  test('a key enrolled in the development environment is refused once the server requires production', async () => {
    refusedWith(await check(assertion(device, { counter: 2, clientData: report }), { ...key, environment: 'development' }), 'wrong-environment', 'development keys stop working when production is required');
  });

  test('bytes that are not an assertion are refused: malformed', async () => {
    refusedWith(await check(Buffer.from('garbage'), key), 'malformed', 'garbage');
    refusedWith(await check(Buffer.from(encodeCbor({ signature: Buffer.alloc(70), authenticatorData: Buffer.alloc(10) })), key), 'malformed', 'authenticatorData shorter than 37 bytes');
    refusedWith(await check(assertion(device, { counter: 2, clientData: report }), { ...key, platform: 'play-integrity' }), 'malformed', 'a key enrolled through another platform');
  });
});

describe('pluggable platforms', () => {
  test('Play Integrity refuses everything as not configured, rather than pretending to verify', async () => {
    const play = new PlayIntegrityVerifier();
    refusedWith(await play.verifyAttestation({ attestation: Buffer.from('token'), keyId: 'k', clientDataHash: clientDataHash('c') }), 'not-configured', 'Play Integrity attestation');
    const anyKey: AttestedKey = { platform: 'play-integrity', keyId: 'k', appId: 'com.example.field', environment: 'production', publicKey: {}, counter: 0 };
    refusedWith(await play.verifyAssertion({ assertion: Buffer.from('token'), key: anyKey, clientDataHash: clientDataHash('c') }), 'not-configured', 'Play Integrity verdict');
  });

  test('a platform with no verifier configured refuses as not configured; a configured one is returned as is', async () => {
    const apple = new AppAttestVerifier({ appIds: [APP_ID], environment: 'production', clock: new ManualClock() });
    const verifierFor = attestationVerifiers([apple]);
    assert.equal(verifierFor('apple-app-attest'), apple);
    const android = verifierFor('play-integrity');
    refusedWith(await android.verifyAttestation({ attestation: Buffer.from('x'), keyId: 'k', clientDataHash: clientDataHash('c') }), 'not-configured', 'no Android verifier');
    assert.throws(() => attestationVerifiers([apple, apple]), /one attestation verifier per platform/);
  });

  test('App Attest refuses to start without an app id or with one that is not <team id>.<bundle id>', () => {
    assert.throws(() => new AppAttestVerifier({ appIds: [], environment: 'production', clock: new ManualClock() }), /at least one app id/);
    assert.throws(() => new AppAttestVerifier({ appIds: ['com.example.field'], environment: 'production', clock: new ManualClock() }), /team id/);
  });
});
