/**
 * The React Native adapters of @palisade/client against the real native modules' type
 * declarations, not the SDK's own description of them: an adapter whose module changed its
 * interface (a renamed function, another return type) fails here. Run with
 * `npm run typecheck:react-native -w sdk` (installs the modules in this folder without
 * their react-native/expo peers, then runs tsc). Nothing here runs: it is compiled only.
 *
 * What only a device can show (sdk/README.md, "What only a device shows"): that the key is made
 * in the Secure Enclave / StrongBox and never leaves it, the biometric prompt, Keychain
 * accessibility classes, SQLCipher's encryption of the file, and a pinning module's refusals.
 */
import * as SecureStore from 'expo-secure-store';
import * as IoCrypto from '@pagopa/io-react-native-crypto';
import * as OpSqlite from '@op-engineering/op-sqlite';
import * as Device from 'expo-device';
import * as Application from 'expo-application';
import * as LocalAuthentication from 'expo-local-authentication';
import JailMonkey from 'jail-monkey';
import Emm from '@mattermost/react-native-emm';
import * as SslPinning from 'react-native-ssl-public-key-pinning';
import { expoSecureStore } from '../src/react-native/expo-secure-store.ts';
import { ioReactNativeCryptoDeviceKey } from '../src/react-native/io-react-native-crypto.ts';
import { sqlCipherOfflineBackend } from '../src/react-native/op-sqlcipher.ts';
import { reactNativePosture } from '../src/react-native/posture.ts';
import { reactNativePinning } from '../src/react-native/ssl-pinning.ts';
import type { PostureFacts } from '../src/platform.ts';
import type { HardwareDeviceKey, SecureStore as PalisadeSecureStore } from '../src/platform.ts';
import type { OfflineBackend } from '../src/offline.ts';

// Each module object exactly as an app imports it is accepted where the adapter takes it.
export const store: PalisadeSecureStore = expoSecureStore(SecureStore, { requireAuthentication: true, authenticationPrompt: 'Unlock Field Service' });
export const deviceKey: HardwareDeviceKey = ioReactNativeCryptoDeviceKey(IoCrypto);
export const offline: OfflineBackend = sqlCipherOfflineBackend(OpSqlite, { store });

// The accessibility class the adapter asks for is one the module defines.
export const accessibility: SecureStore.KeychainAccessibilityConstant = SecureStore.WHEN_UNLOCKED_THIS_DEVICE_ONLY;

// Posture: each module as an app imports it (jail-monkey and react-native-emm by default export).
export const posture: () => Promise<PostureFacts> = reactNativePosture({ os: 'ios', device: Device, application: Application, localAuthentication: LocalAuthentication, jailMonkey: JailMonkey, managedConfig: Emm });
// The passcode rule compares with the module's own SecurityLevel.
export const secret: number = LocalAuthentication.SecurityLevel.SECRET;

// Pinning over the module's functions.
export const pinning = reactNativePinning(SslPinning, { issuer: 'https://palisade.example.com' });
