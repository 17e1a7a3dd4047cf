/**
 * The SDK's posture facts and React Native pinning against the JavaScript interfaces of the
 * modules they wrap, with the modules' documented behaviour faked (react-native/posture.ts and
 * ssl-pinning.ts say which behaviour), and every report through the server's own verifier. What
 * only a device shows (the modules' native detection, TrustKit/OkHttp refusing a connection) is
 * not shown here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { reactNativePosture, dottedVersion, type ReactNativePostureOptions } from '../../../sdk/src/react-native/posture.ts';
import { reactNativePinning, type SslPublicKeyPinningModule } from '../../../sdk/src/react-native/ssl-pinning.ts';
import { webPostureFacts } from '../../../sdk/src/web/posture.ts';
import { signPosture } from '../../../sdk/src/documents.ts';
import type { PalisadeError } from '../../../sdk/src/errors.ts';
import { verifyPosture } from '../../src/devices/posture/report.ts';

/** The modules as documented: SecurityLevel NONE 0 / SECRET 1 / BIOMETRIC_STRONG 3, null when unknown. */
function fakeModules(overrides: { level?: number; enrolled?: boolean; hardware?: boolean; jailbroken?: boolean; hooks?: boolean; config?: Record<string, unknown> | undefined; osVersion?: string | null; appVersion?: string | null } = {}): ReactNativePostureOptions {
  return {
    os: 'android',
    device: { osVersion: overrides.osVersion === undefined ? '14' : overrides.osVersion },
    application: { nativeApplicationVersion: overrides.appVersion === undefined ? '2.4.0' : overrides.appVersion, nativeBuildVersion: '240' },
    localAuthentication: {
      getEnrolledLevelAsync: async () => overrides.level ?? 3,
      isEnrolledAsync: async () => overrides.enrolled ?? true,
      hasHardwareAsync: async () => overrides.hardware ?? true,
    },
    jailMonkey: { isJailBroken: () => overrides.jailbroken ?? false, hookDetected: () => overrides.hooks ?? false },
    managedConfig: { getManagedConfig: <T>() => (overrides.config ?? {}) as T },
  };
}

async function deviceKeys() {
  const keys = (await generateKeyPair('ES256')) as CryptoKeyPair;
  const jwk = (await exportJWK(keys.publicKey)) as JWK;
  return { keys, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

test('React Native posture: OS and app version, passcode and biometry from expo-local-authentication, jail-monkey signals, MDM id from managed config; the server accepts the signed report', async () => {
  const facts = await reactNativePosture(fakeModules({ config: { palisadeMdmDeviceId: 'a1b2c3d4-0000-4000-8000-000000000001', palisadeEnrollmentToken: 'tok-12345678', other: 'ignored' } }))();
  assert.deepEqual(facts, {
    platform: 'android',
    osVersion: '14',
    appVersion: '2.4.0',
    appBuild: '240',
    jailbroken: false,
    rootIndicators: [],
    passcodeSet: true,
    biometry: true,
    managed: true,
    mdmDeviceId: 'a1b2c3d4-0000-4000-8000-000000000001',
    mdmEnrollmentToken: 'tok-12345678',
  });
  const d = await deviceKeys();
  const now = Date.now();
  const report = await signPosture(d.keys, { ...facts, appVersion: facts.appVersion ?? '0' }, now);
  const verified = await verifyPosture({ report, deviceJwk: d.jwk, jkt: d.jkt, now, claimOnce: async () => true });
  assert.equal(verified.platform, 'android');
  assert.equal((verified as { mdmDeviceId?: string }).mdmDeviceId, 'a1b2c3d4-0000-4000-8000-000000000001');
});

test('React Native posture: a passcode only (SECRET) is a passcode without biometry; none (NONE) is no passcode; jailbreak and hooks are root indicators', async () => {
  const secret = await reactNativePosture(fakeModules({ level: 1, enrolled: false }))();
  assert.deepEqual([secret.platform !== 'web' && secret.passcodeSet, secret.platform !== 'web' && secret.biometry], [true, false]);
  const none = await reactNativePosture(fakeModules({ level: 0, enrolled: false, hardware: false }))();
  assert.equal(none.platform !== 'web' && none.passcodeSet, false);
  const rooted = await reactNativePosture(fakeModules({ jailbroken: true, hooks: true }))();
  assert.ok(rooted.platform !== 'web');
  assert.deepEqual([rooted.jailbroken, rooted.rootIndicators], [true, ['jail-monkey:jailbroken', 'jail-monkey:hooks']]);
  const hooked = await reactNativePosture(fakeModules({ hooks: true }))();
  assert.ok(hooked.platform !== 'web');
  assert.deepEqual([hooked.jailbroken, hooked.rootIndicators], [false, ['jail-monkey:hooks']], 'hooking alone is reported; the server counts any indicator as compromised');
});

test('React Native posture: unknown or odd versions never meet a minimum; an MDM value not filled in is left out; not on the web', async () => {
  assert.deepEqual([dottedVersion('17.4.1'), dottedVersion('2.4.0 (beta)'), dottedVersion(null), dottedVersion('unknown')], ['17.4.1', '2.4.0', '0', '0']);
  const facts = await reactNativePosture(fakeModules({ osVersion: null, appVersion: null, config: { palisadeMdmDeviceId: 'has spaces', palisadeEnrollmentToken: 'short' } }))();
  assert.ok(facts.platform !== 'web');
  assert.equal(facts.osVersion, '0');
  assert.equal(facts.appVersion, undefined, 'the SDK then signs the version the platform describes');
  assert.deepEqual([facts.managed, facts.mdmDeviceId, facts.mdmEnrollmentToken], [false, undefined, undefined]);
  assert.throws(() => reactNativePosture({ ...fakeModules(), os: 'web' }), /ios and android/);
});

test('web posture: the browser\'s own hints and the app version, signed; the server reads it from a web client and refuses it from a device app', async () => {
  const hints = { userAgentData: { brands: [{ brand: 'Chromium', version: '131' }, { brand: 'Not_A Brand', version: '24' }, { brand: 'Google Chrome', version: '131' }], mobile: true, platform: 'Android' } };
  const facts = webPostureFacts(hints, { appVersion: '2.4.0' });
  assert.deepEqual(facts, { platform: 'web', appVersion: '2.4.0', browser: 'Google Chrome', browserVersion: '131', os: 'Android', mobile: true });
  assert.deepEqual(webPostureFacts({}, { appVersion: '1.0.0', appBuild: '7' }), { platform: 'web', appVersion: '1.0.0', appBuild: '7' }, 'no hints (Firefox, Safari): the app version only');
  const d = await deviceKeys();
  const now = Date.now();
  const report = await signPosture(d.keys, { ...facts, appVersion: '2.4.0' }, now);
  const verified = await verifyPosture({ report, deviceJwk: d.jwk, jkt: d.jkt, now, claimOnce: async () => true, platforms: ['web'] });
  assert.deepEqual([verified.platform, verified.appVersion, verified.appBuild], ['web', '2.4.0', '2.4.0']);
  await assert.rejects(verifyPosture({ report, deviceJwk: d.jwk, jkt: d.jkt, now, claimOnce: async () => true, platforms: ['ios', 'android'] }), { reason: 'wrong-platform' });
});

// ---- pinning through react-native-ssl-public-key-pinning ----------------------------------------

const ISSUER = 'https://palisade.example.com';
const PIN_A = `sha256/${Buffer.alloc(32, 1).toString('base64')}`;
const PIN_B = `sha256/${Buffer.alloc(32, 2).toString('base64')}`;
const PIN_C = `sha256/${Buffer.alloc(32, 3).toString('base64')}`;

function fakePinningModule(available = true) {
  const calls: Record<string, { publicKeyHashes: string[]; includeSubdomains?: boolean; expirationDate?: string }>[] = [];
  let listener: ((error: { serverHostname: string }) => void) | undefined;
  const module: SslPublicKeyPinningModule = {
    isSslPinningAvailable: () => available,
    async initializeSslPinning(options) {
      // TrustKit's rule, as the module documents it: at least two pins per domain.
      for (const domain of Object.values(options)) if (domain.publicKeyHashes.length < 2) throw new Error('at least two pins are needed');
      calls.push(options);
    },
    addSslPinningErrorListener(callback) {
      listener = callback;
      return { remove: () => (listener = undefined) };
    },
  };
  return { module, calls, fail: (host: string) => listener?.({ serverHostname: host }), listening: () => listener !== undefined };
}

async function pinServer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const forger = await generateKeyPair('ES256');
  const sign = (key: CryptoKey, claims: Record<string, unknown>) =>
    new SignJWT({ host: 'palisade.example.com', max_age: 3600, pins: [{ pin: PIN_B, role: 'current' }, { pin: PIN_C, role: 'backup' }], ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'palisade-pins+jwt' }).setIssuer(ISSUER).setIssuedAt().setExpirationTime('1d').sign(key);
  let pinSet = await sign(privateKey, {});
  const fetched: string[] = [];
  const fetchFake = (async (input: string | URL | Request) => {
    const url = String(input);
    fetched.push(url);
    if (url.endsWith('/oauth2/jwks')) return Response.json({ keys: [jwk] });
    if (url.endsWith('/.well-known/palisade/pins')) return new Response(pinSet);
    return new Response(null, { status: 404 });
  }) as typeof fetch;
  return { fetchFake, fetched, forge: async () => (pinSet = await sign(forger.privateKey, {})), setClaims: async (claims: Record<string, unknown>) => (pinSet = await sign(privateKey, claims)) };
}

test('React Native pinning: shipped pins enforced at start, the verified set replaces them (hashes without the prefix, no expiry), refusals reported by host', async () => {
  const { module, calls, fail } = fakePinningModule();
  const server = await pinServer();
  const failures: string[] = [];
  const pinning = reactNativePinning(module, { issuer: ISSUER, pins: [PIN_A, PIN_B], fetch: server.fetchFake, onPinFailure: (host) => failures.push(host) });
  await pinning.start();
  assert.deepEqual(calls[0], { 'palisade.example.com': { includeSubdomains: false, publicKeyHashes: [PIN_A.slice(7), PIN_B.slice(7)] } });
  assert.deepEqual(await pinning.refreshPins(), [PIN_B, PIN_C]);
  assert.deepEqual(calls[1]!['palisade.example.com']!.publicKeyHashes, [PIN_B.slice(7), PIN_C.slice(7)]);
  assert.equal(calls[1]!['palisade.example.com']!.expirationDate, undefined, 'an expiry would switch pinning off');
  assert.ok(pinning.refreshAt! > Date.now());
  assert.deepEqual(server.fetched, [`${ISSUER}/oauth2/jwks`, `${ISSUER}/.well-known/palisade/pins`]);
  fail('palisade.example.com');
  assert.deepEqual(failures, ['palisade.example.com']);
});

test('React Native pinning: a forged set, a set for another host or with one pin changes nothing; no native module refuses to start', async () => {
  const { module, calls } = fakePinningModule();
  const server = await pinServer();
  const pinning = reactNativePinning(module, { issuer: ISSUER, pins: [PIN_A, PIN_B], fetch: server.fetchFake });
  await pinning.start();
  await server.forge();
  await assert.rejects(pinning.refreshPins(), (e: PalisadeError) => e.code === 'document-invalid');
  await server.setClaims({ host: 'evil.example.com' });
  await assert.rejects(pinning.refreshPins(), (e: PalisadeError) => e.code === 'document-invalid');
  await server.setClaims({ pins: [{ pin: PIN_C, role: 'current' }] });
  await assert.rejects(pinning.refreshPins(), (e: PalisadeError) => e.code === 'document-invalid');
  assert.equal(calls.length, 1, 'only the shipped pins were ever enforced');
  assert.deepEqual(pinning.pins, [PIN_A, PIN_B]);
  pinning.stop();

  const expoGo = fakePinningModule(false);
  await assert.rejects(reactNativePinning(expoGo.module, { issuer: ISSUER }).start(), (e: PalisadeError) => e.code === 'unsupported-device');
  assert.equal(expoGo.listening(), false);
});
