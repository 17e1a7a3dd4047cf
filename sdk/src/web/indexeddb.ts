/**
 * Web adapters. The device key is a WebCrypto P-256 key pair generated with
 * `extractable: false` and stored in IndexedDB as the CryptoKey object itself (structured
 * clone keeps it non-extractable: script can sign with it, never read it). The secure store
 * encrypts each value with AES-GCM under another non-extractable key kept the same way, so
 * IndexedDB holds only ciphertext. Nothing goes to localStorage, sessionStorage or cookies.
 */
import type { DeviceDescription, DeviceKey, Platform, SecureStore } from '../platform.ts';
import { webPostureFacts } from './posture.ts';

const DB_VERSION = 1;
const KEYS = 'keys';
const SECRETS = 'secrets';

function open(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, DB_VERSION);
    request.onupgradeneeded = () => {
      for (const store of [KEYS, SECRETS]) if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run<T>(db: Promise<IDBDatabase>, store: string, mode: IDBTransactionMode, action: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return db.then(
    (database) =>
      new Promise<T>((resolve, reject) => {
        const request = action(database.transaction(store, mode).objectStore(store));
        request.onsuccess = () => resolve(request.result as T);
        request.onerror = () => reject(request.error);
      }),
  );
}

/** A non-extractable P-256 key pair kept under `name` in IndexedDB `database`. */
export function indexedDbDeviceKey(name = 'device-key', database = 'palisade'): DeviceKey {
  const db = open(database);
  let keys: Promise<CryptoKeyPair> | undefined;
  const load = async () => {
    const existing = await run<CryptoKeyPair | undefined>(db, KEYS, 'readonly', (s) => s.get(name));
    if (existing) return existing;
    const generated = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    await run(db, KEYS, 'readwrite', (s) => s.put(generated, name));
    return generated;
  };
  return {
    keyPair() {
      keys ??= load();
      return keys;
    },
    async exists() {
      return (await run<CryptoKeyPair | undefined>(db, KEYS, 'readonly', (s) => s.get(name))) !== undefined;
    },
    async erase() {
      keys = undefined;
      await run(db, KEYS, 'readwrite', (s) => s.delete(name));
    },
  };
}

/** A secure store whose values are AES-GCM ciphertext under a non-extractable key, all in IndexedDB. */
export function encryptedIndexedDbStore(database = 'palisade'): SecureStore {
  const db = open(database);
  let key: Promise<CryptoKey> | undefined;
  const storeKey = () => {
    key ??= (async () => {
      const existing = await run<CryptoKey | undefined>(db, KEYS, 'readonly', (s) => s.get('store-key'));
      if (existing) return existing;
      const generated = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      await run(db, KEYS, 'readwrite', (s) => s.put(generated, 'store-key'));
      return generated;
    })();
    return key;
  };
  const encoder = new TextEncoder();
  return {
    async get(name) {
      const sealed = await run<{ iv: Uint8Array<ArrayBuffer>; data: ArrayBuffer } | undefined>(db, SECRETS, 'readonly', (s) => s.get(name));
      if (!sealed) return undefined;
      // The entry's name is the additional data: a ciphertext moved to another name does not decrypt.
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv, additionalData: encoder.encode(name) }, await storeKey(), sealed.data);
      return new TextDecoder().decode(plain);
    },
    async set(name, value) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(name) }, await storeKey(), encoder.encode(value));
      await run(db, SECRETS, 'readwrite', (s) => s.put({ iv, data }, name));
    },
    async delete(name) {
      await run(db, SECRETS, 'readwrite', (s) => s.delete(name));
    },
    async clear() {
      await run(db, SECRETS, 'readwrite', (s) => s.clear());
      await run(db, KEYS, 'readwrite', (s) => s.delete('store-key'));
      key = undefined;
    },
  };
}

export interface WebPlatformOptions {
  appVersion: string;
  /** Default: the app version. */
  appBuild?: string;
  device?: Partial<DeviceDescription>;
  database?: string;
  /**
   * Send a web posture report with every token request (web/posture.ts): the app version and
   * the browser's own hints, for a client registered `platform: web`. Default: true.
   */
  posture?: boolean;
}

export function webPlatform(options: WebPlatformOptions): Platform {
  const database = options.database ?? 'palisade';
  return {
    fetch: (input, init) => fetch(input, init),
    deviceKey: indexedDbDeviceKey('device-key', database),
    unlockKey: indexedDbDeviceKey('unlock-key', database),
    store: encryptedIndexedDbStore(database),
    describe: () => ({ platform: 'web', model: 'browser', osVersion: '0', appVersion: options.appVersion, ...options.device }),
    ...(options.posture === false ? {} : { posture: async () => webPostureFacts(globalThis.navigator as { userAgentData?: unknown } as Parameters<typeof webPostureFacts>[0], { appVersion: options.appVersion, ...(options.appBuild ? { appBuild: options.appBuild } : {}) }) }),
  };
}
