/**
 * A hardware `DeviceKey` over @pagopa/io-react-native-crypto (the IO app's maintained module):
 * a non-exportable P-256 key in the Secure Enclave on iOS and in the Android Keystore, in
 * StrongBox where the device has one. The app passes the module in
 * (`import * as Crypto from '@pagopa/io-react-native-crypto'`), so the SDK carries no native
 * dependency. The key signs through `sign()`; the SDK makes the JWS around it (keys.ts).
 *
 * The module's documented behaviour the adapter relies on: `generate(tag)` creates the key and
 * rejects with `KEY_ALREADY_EXISTS` when the tag is taken; `getPublicKeyFixed(tag)` returns the
 * public JWK in strict base64url (RFC 7515) or rejects with `PUBLIC_KEY_NOT_FOUND`;
 * `sign(text, tag)` signs the UTF-8 text with SHA-256 and resolves to the base64 DER (X9.62)
 * signature; `deleteKey(tag)` succeeds when no key exists. On Android the module falls back to
 * RSA 2048 when the device cannot make an EC key: such a device is refused (Palisade's DPoP and
 * posture keys are ES256).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { PalisadeError } from '../errors.ts';
import { fromBase64Url } from '../crypto.ts';
import type { DeviceSigner, HardwareDeviceKey } from '../platform.ts';

/** The public key as the module returns it. */
export type IoCryptoPublicKey = { kty: 'EC'; crv: string; x: string; y: string } | { kty: 'RSA'; alg: string; e: string; n: string };

/** The part of @pagopa/io-react-native-crypto's interface the adapter uses (1.2.x). */
export interface IoReactNativeCryptoModule {
  generate(keyTag: string): Promise<IoCryptoPublicKey>;
  getPublicKeyFixed(keyTag: string): Promise<IoCryptoPublicKey>;
  sign(message: string, keyTag: string): Promise<string>;
  deleteKey(keyTag: string): Promise<void>;
}

/** The module's rejections carry their code in `message`. */
function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : undefined;
}

/** An X9.62 DER ECDSA signature as JOSE's 64-byte r‖s (parsed with @peculiar/asn1-schema). */
export function derToJose(der: Uint8Array): Uint8Array {
  const value = AsnConvert.parse(der, ECDSASigValue);
  const out = new Uint8Array(64);
  for (const [index, integer] of [value.r, value.s].entries()) {
    let bytes = new Uint8Array(integer);
    while (bytes.length > 32 && bytes[0] === 0) bytes = bytes.subarray(1);
    if (bytes.length > 32) throw new PalisadeError('unexpected-response', 'the key returned a signature that is not P-256');
    out.set(bytes, index * 32 + (32 - bytes.length));
  }
  return out;
}

/**
 * The device (or unlock) key under `keyTag`. For the unlock key, use a tag of its own; the
 * module's keys need no user presence, so an app that wants biometry on unlock keeps the
 * session in a store that demands it (`expoSecureStore(…, { requireAuthentication: true })`).
 */
export function ioReactNativeCryptoDeviceKey(module: IoReactNativeCryptoModule, options: { keyTag?: string } = {}): HardwareDeviceKey {
  const keyTag = options.keyTag ?? 'palisade.device-key';
  let signer: Promise<DeviceSigner> | undefined;

  const load = async (): Promise<DeviceSigner> => {
    let jwk: IoCryptoPublicKey;
    try {
      jwk = await module.getPublicKeyFixed(keyTag);
    } catch (error) {
      if (codeOf(error) !== 'PUBLIC_KEY_NOT_FOUND') throw error;
      await module.generate(keyTag);
      jwk = await module.getPublicKeyFixed(keyTag);
    }
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
      throw new PalisadeError('unsupported-device', 'this device cannot keep a P-256 key in its secure hardware');
    }
    const publicJwk = { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x, y: jwk.y };
    // Strict base64url of 32-byte coordinates, or the key is not what it claims.
    if (fromBase64Url(jwk.x).length !== 32 || fromBase64Url(jwk.y).length !== 32) {
      throw new PalisadeError('unexpected-response', 'the module returned a malformed public key');
    }
    return {
      publicJwk,
      async sign(signingInput: string) {
        const der = await module.sign(signingInput, keyTag);
        return derToJose(Uint8Array.from(atob(der), (c) => c.charCodeAt(0)));
      },
    };
  };

  return {
    signer() {
      signer ??= load().catch((error: unknown) => {
        signer = undefined;
        throw error;
      });
      return signer;
    },
    async exists() {
      try {
        await module.getPublicKeyFixed(keyTag);
        return true;
      } catch (error) {
        if (codeOf(error) === 'PUBLIC_KEY_NOT_FOUND') return false;
        throw error;
      }
    },
    async erase() {
      signer = undefined;
      await module.deleteKey(keyTag);
    },
  };
}
