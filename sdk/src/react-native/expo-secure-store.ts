/**
 * A `SecureStore` over expo-secure-store (Keychain on iOS, Keystore-encrypted storage on
 * Android), with the module passed in by the app (`import * as SecureStore from
 * 'expo-secure-store'`) so the SDK has no native dependency of its own. Every item is
 * this-device-only and readable after the first unlock at the earliest
 * (`AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY`), or only after biometry/passcode when
 * `requireAuthentication` is set (the unlock gate for the refresh token and signing key).
 * expo-secure-store has no "list" call, so the adapter keeps the names it wrote under an index entry.
 */
import type { SecureStore } from '../platform.ts';

/** The part of expo-secure-store's interface the adapter uses (as documented for SDK 52+). */
export interface ExpoSecureStoreModule {
  AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY: number;
  WHEN_UNLOCKED_THIS_DEVICE_ONLY: number;
  getItemAsync(key: string, options?: ExpoSecureStoreOptions): Promise<string | null>;
  setItemAsync(key: string, value: string, options?: ExpoSecureStoreOptions): Promise<void>;
  deleteItemAsync(key: string, options?: ExpoSecureStoreOptions): Promise<void>;
}

export interface ExpoSecureStoreOptions {
  keychainService?: string;
  keychainAccessible?: number;
  requireAuthentication?: boolean;
  authenticationPrompt?: string;
}

const INDEX = 'palisade.index';
/** expo-secure-store keys may hold only alphanumerics, `.`, `-` and `_`. */
const SAFE_NAME = /^[\w.-]+$/;

export function expoSecureStore(module: ExpoSecureStoreModule, options: { service?: string; requireAuthentication?: boolean; authenticationPrompt?: string } = {}): SecureStore {
  const itemOptions: ExpoSecureStoreOptions = {
    keychainService: options.service ?? 'palisade',
    keychainAccessible: options.requireAuthentication ? module.WHEN_UNLOCKED_THIS_DEVICE_ONLY : module.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY,
    ...(options.requireAuthentication ? { requireAuthentication: true, authenticationPrompt: options.authenticationPrompt ?? 'Unlock' } : {}),
  };
  // The index holds names only: readable without the biometric prompt.
  const indexOptions: ExpoSecureStoreOptions = { keychainService: itemOptions.keychainService!, keychainAccessible: module.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY };
  const names = async () => JSON.parse((await module.getItemAsync(INDEX, indexOptions)) ?? '[]') as string[];
  const check = (name: string) => {
    if (!SAFE_NAME.test(name)) throw new Error(`secure store names are [A-Za-z0-9._-]: ${name}`);
  };
  return {
    async get(name) {
      check(name);
      return (await module.getItemAsync(name, itemOptions)) ?? undefined;
    },
    async set(name, value) {
      check(name);
      await module.setItemAsync(name, value, itemOptions);
      const known = await names();
      if (!known.includes(name)) await module.setItemAsync(INDEX, JSON.stringify([...known, name]), indexOptions);
    },
    async delete(name) {
      check(name);
      await module.deleteItemAsync(name, itemOptions);
      await module.setItemAsync(INDEX, JSON.stringify((await names()).filter((n) => n !== name)), indexOptions);
    },
    async clear() {
      for (const name of await names()) await module.deleteItemAsync(name, itemOptions);
      await module.deleteItemAsync(INDEX, indexOptions);
    },
  };
}
