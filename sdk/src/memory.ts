/**
 * Adapters that keep everything in memory: nothing survives the process. For Node tools and
 * tests; on a device, the platform's keystore adapters are the ones to use.
 */
import type { DeviceKey, SecureStore } from './platform.ts';

/** A P-256 key pair whose private key cannot be exported, created on first use. */
export function memoryDeviceKey(): DeviceKey {
  let keys: Promise<CryptoKeyPair> | undefined;
  return {
    keyPair() {
      keys ??= crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
      return keys;
    },
    async exists() {
      return keys !== undefined;
    },
    async erase() {
      keys = undefined;
    },
  };
}

export function memorySecureStore(): SecureStore & { readonly size: number } {
  const entries = new Map<string, string>();
  return {
    async get(name) {
      return entries.get(name);
    },
    async set(name, value) {
      entries.set(name, value);
    },
    async delete(name) {
      entries.delete(name);
    },
    async clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
