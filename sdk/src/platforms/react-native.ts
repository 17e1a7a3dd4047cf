/**
 * @palisade/client for React Native (the `react-native` export condition): the core plus
 * adapters over the native modules' JavaScript interfaces, passed in by the app.
 */
export * from '../index.ts';
export { expoSecureStore, type ExpoSecureStoreModule } from '../react-native/expo-secure-store.ts';
export { ioReactNativeCryptoDeviceKey, derToJose, type IoReactNativeCryptoModule, type IoCryptoPublicKey } from '../react-native/io-react-native-crypto.ts';
export { sqlCipherOfflineBackend, type OpSqliteModule, type OpSqliteDatabase } from '../react-native/op-sqlcipher.ts';
export { reactNativePosture, dottedVersion, type ReactNativePostureOptions, type ExpoDeviceModule, type ExpoApplicationModule, type ExpoLocalAuthenticationModule, type JailMonkeyModule, type ManagedConfigModule } from '../react-native/posture.ts';
export { reactNativePinning, type ReactNativePinning, type ReactNativePinningOptions, type SslPublicKeyPinningModule } from '../react-native/ssl-pinning.ts';
