/**
 * The React Native adapters of @palisade/client against the real native modules' type
 * declarations, not the SDK's own description of them: an adapter whose module changed its
 * interface (a renamed function, another return type) fails here. Run with
 * `npm run typecheck:react-native -w sdk` (installs the three modules in this folder without
 * their react-native/expo peers, then runs tsc). Nothing here runs: it is compiled only.
 *
 * What only a device can show (sdk/README.md, "What only a device shows"): that the key is made
 * in the Secure Enclave / StrongBox and never leaves it, the biometric prompt, Keychain
 * accessibility classes, SQLCipher's encryption of the file, and a pinning module's refusals.
 */
import * as SecureStore from 'expo-secure-store';
import * as IoCrypto from '@pagopa/io-react-native-crypto';
import * as OpSqlite from '@op-engineering/op-sqlite';
import { expoSecureStore } from '../src/react-native/expo-secure-store.ts';
import { ioReactNativeCryptoDeviceKey } from '../src/react-native/io-react-native-crypto.ts';
import { sqlCipherOfflineBackend } from '../src/react-native/op-sqlcipher.ts';
import type { HardwareDeviceKey, SecureStore as PalisadeSecureStore } from '../src/platform.ts';
import type { OfflineBackend } from '../src/offline.ts';

// Each module object exactly as an app imports it is accepted where the adapter takes it.
export const store: PalisadeSecureStore = expoSecureStore(SecureStore, { requireAuthentication: true, authenticationPrompt: 'Unlock Field Service' });
export const deviceKey: HardwareDeviceKey = ioReactNativeCryptoDeviceKey(IoCrypto);
export const offline: OfflineBackend = sqlCipherOfflineBackend(OpSqlite, { store });

// The accessibility class the adapter asks for is one the module defines.
export const accessibility: SecureStore.KeychainAccessibilityConstant = SecureStore.WHEN_UNLOCKED_THIS_DEVICE_ONLY;
