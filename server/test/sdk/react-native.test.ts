/**
 * The React Native adapters against the JavaScript interface of the native module they wrap,
 * with its documented behaviour faked: expo-secure-store keeps string values per key and
 * keychain service, returns null for a missing key, refuses keys outside [A-Za-z0-9._-], and
 * honours `keychainAccessible` and `requireAuthentication` per item. What only a device can
 * show (the Keychain's access control, the biometric prompt) is not shown here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, jwtVerify, type JWK } from 'jose';
import { expoSecureStore, type ExpoSecureStoreModule, type ExpoSecureStoreOptions } from '../../../sdk/src/react-native/expo-secure-store.ts';
import { derToJose, ioReactNativeCryptoDeviceKey, type IoReactNativeCryptoModule } from '../../../sdk/src/react-native/io-react-native-crypto.ts';
import { SignerDPoP } from '../../../sdk/src/keys.ts';
import { signCommandAck, signPosture, signUnlockProof } from '../../../sdk/src/documents.ts';
import type { PalisadeError } from '../../../sdk/src/errors.ts';
import { verifyPosture } from '../../src/devices/posture/report.ts';
import { fakeIoReactNativeCrypto } from '../helpers/io-react-native-crypto-fake.ts';

function fakeExpoSecureStore() {
  const items = new Map<string, { value: string; options: ExpoSecureStoreOptions }>();
  const key = (name: string, options?: ExpoSecureStoreOptions) => {
    if (!/^[\w.-]+$/.test(name)) throw new Error('Invalid key provided to SecureStore');
    return `${options?.keychainService ?? 'default'}:${name}`;
  };
  const module: ExpoSecureStoreModule = {
    AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY: 1,
    WHEN_UNLOCKED_THIS_DEVICE_ONLY: 5,
    async getItemAsync(name, options) {
      return items.get(key(name, options))?.value ?? null;
    },
    async setItemAsync(name, value, options) {
      if (typeof value !== 'string') throw new Error('Invalid value provided to SecureStore');
      items.set(key(name, options), { value, options: options ?? {} });
    },
    async deleteItemAsync(name, options) {
      items.delete(key(name, options));
    },
  };
  return { module, items };
}

test('secrets go to the Keychain this-device-only, behind authentication when asked; clear() erases every item written', async () => {
  const { module, items } = fakeExpoSecureStore();
  const store = expoSecureStore(module, { requireAuthentication: true });
  await store.set('palisade.session', '{"refreshToken":"rt"}');
  await store.set('palisade.pending', '{}');
  assert.equal(await store.get('palisade.session'), '{"refreshToken":"rt"}');
  assert.equal(await store.get('missing'), undefined, 'null from the module is undefined');
  const session = items.get('palisade:palisade.session')!;
  assert.equal(session.options.keychainAccessible, module.WHEN_UNLOCKED_THIS_DEVICE_ONLY, 'never migrated to another device, never readable while locked');
  assert.equal(session.options.requireAuthentication, true, 'reading the session needs biometry or the passcode');
  assert.equal(items.get('palisade:palisade.index')!.options.requireAuthentication, undefined, 'the index of names needs no prompt');

  await store.delete('palisade.pending');
  assert.equal(await store.get('palisade.pending'), undefined);
  await store.clear();
  assert.equal(items.size, 0, 'every item and the index are gone');
  await assert.rejects(store.set('bad name', 'x'), /\[A-Za-z0-9._-\]/, 'names the module would refuse are refused first');
});

test('without requireAuthentication items are after-first-unlock, this device only', async () => {
  const { module, items } = fakeExpoSecureStore();
  await expoSecureStore(module).set('palisade.session', 'x');
  assert.equal(items.get('palisade:palisade.session')!.options.keychainAccessible, module.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY);
});

// ---- the hardware device key over @pagopa/io-react-native-crypto --------------------------------

test('hardware device key: made on first use in the module, DPoP proofs, posture reports, acknowledgements and unlock proofs verify under its public key', async () => {
  const { module, keys, calls } = fakeIoReactNativeCrypto();
  const deviceKey = ioReactNativeCryptoDeviceKey(module, { keyTag: 'device' });
  assert.equal(await deviceKey.exists(), false);
  const signer = await deviceKey.signer();
  assert.equal(await deviceKey.exists(), true);
  assert.deepEqual(Object.keys(signer.publicJwk).sort(), ['crv', 'kty', 'x', 'y'], 'only public members');
  await deviceKey.signer();
  assert.equal(calls.filter((c) => c.startsWith('generate')).length, 1, 'the key is made once and reused');
  const publicKey = await importJWK(signer.publicJwk, 'ES256');
  const jkt = await calculateJwkThumbprint(signer.publicJwk);

  // DPoP (RFC 9449) through the signer: header, claims, ath and the server's nonce.
  const dpop = new SignerDPoP(signer);
  const headers = new Headers();
  const url = new URL('https://palisade.example.com/api/v1/me?x=1');
  dpop.cacheNonce(new Response(null, { headers: { 'dpop-nonce': 'n-1' } }), url);
  await dpop.addProof(url, headers, 'GET', 'access-token');
  const proof = headers.get('dpop')!;
  const { payload, protectedHeader } = await jwtVerify(proof, publicKey, { typ: 'dpop+jwt', algorithms: ['ES256'] });
  assert.equal(await calculateJwkThumbprint(protectedHeader.jwk!), jkt, 'the proof carries the device key');
  assert.deepEqual([payload.htm, payload.htu, payload.nonce], ['GET', 'https://palisade.example.com/api/v1/me', 'n-1']);
  assert.equal(payload.ath, createHash('sha256').update('access-token').digest('base64url'));
  assert.equal(typeof payload.jti, 'string');

  // Posture through the server's own verifier.
  const now = Date.now();
  const report = await signPosture(signer, { platform: 'android', osVersion: '15', appVersion: '2.4.0', appBuild: '240', jailbroken: false, passcodeSet: true, biometry: true, managed: false }, now);
  const verified = await verifyPosture({ report, deviceJwk: signer.publicJwk as JWK, jkt, now, claimOnce: async () => true });
  assert.equal(verified.platform, 'android');

  const ack = await signCommandAck(signer, 'cmd-1', now);
  const ackVerified = await jwtVerify(ack, publicKey, { typ: 'palisade-command-ack+jwt' });
  assert.equal(ackVerified.payload.jti, 'cmd-1');
  const unlock = await signUnlockProof(signer, 'challenge', 'sid', now);
  assert.equal((await jwtVerify(unlock, publicKey, { typ: 'palisade-unlock+jwt' })).payload.challenge, 'challenge');

  // A proof signed by another hardware key does not verify under this one.
  const other = await ioReactNativeCryptoDeviceKey(module, { keyTag: 'other' }).signer();
  const forged = new Headers();
  await new SignerDPoP({ publicJwk: signer.publicJwk, sign: (input) => other.sign(input) }).addProof(url, forged, 'GET');
  await assert.rejects(jwtVerify(forged.get('dpop')!, publicKey), /signature verification failed/);

  await deviceKey.erase();
  assert.equal(keys.has('device'), false, 'erase deletes the key in the module');
  assert.equal(await deviceKey.exists(), false);
});

test('hardware device key: an RSA-only Keystore is refused; module errors other than a missing key are not swallowed', async () => {
  const rsa = fakeIoReactNativeCrypto({ rsaOnly: true });
  await assert.rejects(ioReactNativeCryptoDeviceKey(rsa.module).signer(), (e: PalisadeError) => e.code === 'unsupported-device');
  const broken: IoReactNativeCryptoModule = { ...fakeIoReactNativeCrypto().module, getPublicKeyFixed: () => Promise.reject({ message: 'KEYCHAIN_LOAD_FAILED', userInfo: {} }) };
  await assert.rejects(ioReactNativeCryptoDeviceKey(broken).signer(), { message: 'KEYCHAIN_LOAD_FAILED' });
  await assert.rejects(ioReactNativeCryptoDeviceKey(broken).exists(), { message: 'KEYCHAIN_LOAD_FAILED' });
});

test('DER signatures from the module become JOSE r‖s, short integers padded and sign bytes dropped', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (let i = 0; i < 50; i += 1) {
    const data = Buffer.from(`message ${i}`);
    const raw = derToJose(nodeSign('sha256', data, privateKey));
    assert.equal(raw.length, 64);
    assert.equal(nodeVerify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw), true);
  }
});
