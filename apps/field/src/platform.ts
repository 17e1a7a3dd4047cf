/**
 * The iOS and Android builds' platform: the device key in the Secure Enclave / Android Keystore
 * (@pagopa/io-react-native-crypto, non-exportable P-256), the session in the Keychain /
 * Keystore through expo-secure-store (reading it back after a lock needs biometrics, the device
 * passcode as the fallback), and the sign-in in the system browser (expo-web-browser, an
 * ASWebAuthenticationSession / Custom Tab, RFC 8252) with the app's private-use redirect.
 * Every token request carries a posture report signed with the device key (the SDK's
 * `reactNativePosture`: OS and app version from expo-device and expo-application, passcode and
 * biometry from expo-local-authentication, jailbreak/root signals from jail-monkey, the MDM's
 * device id from managed app configuration through react-native-emm), so Palisade, which
 * requires one of every device app, does not refuse the sign-in.
 */
import * as SecureStore from 'expo-secure-store';
import * as WebBrowser from 'expo-web-browser';
import * as Crypto from '@pagopa/io-react-native-crypto';
import * as Location from 'expo-location';
import * as Device from 'expo-device';
import * as Application from 'expo-application';
import * as LocalAuthentication from 'expo-local-authentication';
import JailMonkey from 'jail-monkey';
import Emm from '@mattermost/react-native-emm';
import { Linking, Platform as OS } from 'react-native';
import { expoSecureStore, ioReactNativeCryptoDeviceKey, reactNativePosture, type OfflineBackend, type PalisadeClient, type Platform, type StepUpRequest } from '@palisade/client/react-native';
import { APP_VERSION } from './config';

const REDIRECT = 'com.example.field:/oauth2redirect';

export function platform(): Platform {
  return {
    fetch: (input, init) => fetch(input, init),
    store: expoSecureStore(SecureStore, { requireAuthentication: true, authenticationPrompt: 'Unlock Field Service' }),
    deviceKey: ioReactNativeCryptoDeviceKey(Crypto, { keyTag: 'field.device-key' }),
    unlockKey: ioReactNativeCryptoDeviceKey(Crypto, { keyTag: 'field.unlock-key' }),
    describe: () => ({ platform: OS.OS === 'ios' ? 'ios' : 'android', model: String(OS.constants && 'Model' in OS.constants ? OS.constants.Model : 'device'), osVersion: String(OS.Version), appVersion: APP_VERSION }),
    posture: reactNativePosture({ os: OS.OS, device: Device, application: Application, localAuthentication: LocalAuthentication, jailMonkey: JailMonkey, managedConfig: Emm }),
  } as Platform;
}

export function redirectUri(): string {
  return REDIRECT;
}

export async function beginSignIn(client: PalisadeClient, request: StepUpRequest & { params?: Record<string, string> } = {}): Promise<void> {
  const url = await client.beginSignIn({ redirectUri: REDIRECT, ...request });
  const result = await WebBrowser.openAuthSessionAsync(url.href, REDIRECT);
  if (result.type === 'success') await client.completeSignIn(result.url);
}

export async function stepUp(client: PalisadeClient, request: StepUpRequest): Promise<void> {
  // prompt=login besides max_age: the company IdP asks the person again, whatever its own session says.
  await beginSignIn(client, { ...request, params: { prompt: 'login' } });
}

/** On a device the step-up sign-in completes in place and the SDK retries the call itself: nothing to resume. */
export function resumeAfterStepUp(_path: string | undefined): void {}

/** On a device the sign-in completes inside beginSignIn: there is no callback page load. */
export async function completeSignInIfCallback(_client: PalisadeClient): Promise<string | undefined> {
  return undefined;
}

/** Where the callback route goes once the sign-in is complete: on a device there is no callback page. */
export function afterSignIn(): string {
  return '/';
}

export function openConsole(url: string): void {
  void Linking.openURL(url);
}

/** The CSV is not written to the device's files: a company device shares it through the OS (not built yet). */
export async function saveCsv(response: Response, _name: string): Promise<number> {
  return (await response.arrayBuffer()).byteLength;
}

/**
 * The device's position, asked only while the technician is on shift (expo-location, foreground
 * permission: the app never tracks in the background); undefined when refused.
 */
export async function currentPosition(): Promise<{ latitude: number; longitude: number; accuracyM: number } | undefined> {
  const permission = await Location.requestForegroundPermissionsAsync();
  if (permission.status !== 'granted') return undefined;
  const p = await Location.getCurrentPositionAsync({ accuracy: Location.Accuracy.Balanced });
  return { latitude: p.coords.latitude, longitude: p.coords.longitude, accuracyM: p.coords.accuracy ?? 0 };
}

/**
 * No offline store in the iOS and Android builds yet: the SDK's backend there is SQLCipher
 * through op-sqlite (`sqlCipherOfflineBackend`), which needs a development build with SQLCipher
 * enabled. Without it the app keeps nothing and the job list needs a connection.
 */
export function offlineBackend(): OfflineBackend | undefined {
  return undefined;
}
