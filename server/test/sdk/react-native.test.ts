/**
 * The React Native adapters against the JavaScript interface of the native module they wrap,
 * with its documented behaviour faked: expo-secure-store keeps string values per key and
 * keychain service, returns null for a missing key, refuses keys outside [A-Za-z0-9._-], and
 * honours `keychainAccessible` and `requireAuthentication` per item. What only a device can
 * show (the Keychain's access control, the biometric prompt) is not shown here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expoSecureStore, type ExpoSecureStoreModule, type ExpoSecureStoreOptions } from '../../../sdk/src/react-native/expo-secure-store.ts';

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
