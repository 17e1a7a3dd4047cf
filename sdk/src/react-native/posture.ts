/**
 * Posture facts on iOS and Android, gathered through maintained modules the app passes in (the
 * SDK carries no native dependency): expo-device (OS version), expo-application (app version
 * and build), expo-local-authentication (passcode set, biometry enrolled), jail-monkey
 * (jailbreak/root and hooking signals) and, where the MDM pushes managed app configuration,
 * @mattermost/react-native-emm (its `getManagedConfig()`; docs/mdm.md names the keys).
 *
 * The modules' documented behaviour the adapter relies on: `Device.osVersion` and
 * `Application.nativeApplicationVersion`/`nativeBuildVersion` are strings or null;
 * `getEnrolledLevelAsync()` resolves to a `SecurityLevel` — NONE 0, SECRET 1 (a passcode, PIN or
 * pattern), BIOMETRIC_WEAK 2, BIOMETRIC_STRONG 3 — so a passcode is set at SECRET or above;
 * `isEnrolledAsync()` says whether biometry is enrolled; jail-monkey's `isJailBroken()` covers
 * jailbreak and root, `hookDetected()` Frida/Substrate-style hooking; `getManagedConfig()`
 * returns the pushed key-value object (empty when none).
 *
 * Every fact is the app's own word, signed with the device key (the server's report.ts says what
 * that proves): the MDM's facts outweigh them on the server, and platform attestation ties the
 * key to genuine hardware. Only signals that mean a compromised device become root indicators
 * (the server treats any indicator as jailbroken): a mock-location setting, USB debugging or a
 * debugger attached during development do not.
 */
import type { PostureFacts } from '../platform.ts';

/** The part of expo-device the adapter reads. */
export interface ExpoDeviceModule {
  readonly osVersion: string | null;
}

/** The part of expo-application the adapter reads. */
export interface ExpoApplicationModule {
  readonly nativeApplicationVersion: string | null;
  readonly nativeBuildVersion: string | null;
}

/** The part of expo-local-authentication the adapter uses. */
export interface ExpoLocalAuthenticationModule {
  hasHardwareAsync(): Promise<boolean>;
  isEnrolledAsync(): Promise<boolean>;
  getEnrolledLevelAsync(): Promise<number>;
}

/** The part of jail-monkey the adapter uses (its default export). */
export interface JailMonkeyModule {
  isJailBroken(): boolean;
  hookDetected(): boolean;
}

/** Managed app configuration as @mattermost/react-native-emm's default export reads it. */
export interface ManagedConfigModule {
  getManagedConfig<T>(): T;
}

export interface ReactNativePostureOptions {
  /** `Platform.OS` of react-native. */
  os: 'ios' | 'android' | string;
  device: ExpoDeviceModule;
  application: ExpoApplicationModule;
  localAuthentication: ExpoLocalAuthenticationModule;
  jailMonkey: JailMonkeyModule;
  /** Absent: the app is not distributed through an MDM (no MDM id is sent). */
  managedConfig?: ManagedConfigModule;
}

/** expo-local-authentication's `SecurityLevel.SECRET`. */
const SECRET = 1;
// eslint-disable-next-line security/detect-unsafe-regex -- linear: bounded repetitions
const LEADING_VERSION = /^[0-9]{1,6}(\.[0-9]{1,6}){0,3}/;
const SHORT_TEXT = /^[\w .,:()+/-]{1,64}$/;
const MDM_ID = /^[\w.:{}-]{1,128}$/;
const ENROLLMENT_TOKEN = /^[\x21-\x7e]{8,512}$/;

/**
 * The dotted version the server accepts from a platform's string ("17.4.1", "14", "2.4.0 (beta)"),
 * or `0` when there is none: an unknown version never meets a minimum.
 */
export function dottedVersion(text: string | null | undefined): string {
  return (text && LEADING_VERSION.exec(text.trim())?.[0]) || '0';
}

/** A `Platform.posture` for React Native: fresh facts at every token request. */
export function reactNativePosture(options: ReactNativePostureOptions): () => Promise<PostureFacts> {
  if (options.os !== 'ios' && options.os !== 'android') throw new Error(`posture facts are gathered on ios and android, not ${options.os}`);
  const platform = options.os;
  return async () => {
    const [level, enrolled, hardware] = await Promise.all([options.localAuthentication.getEnrolledLevelAsync(), options.localAuthentication.isEnrolledAsync(), options.localAuthentication.hasHardwareAsync()]);
    const jailbroken = options.jailMonkey.isJailBroken() === true;
    const indicators = [...(jailbroken ? ['jail-monkey:jailbroken'] : []), ...(options.jailMonkey.hookDetected() === true ? ['jail-monkey:hooks'] : [])];
    const build = options.application.nativeBuildVersion;
    const facts: PostureFacts = {
      platform,
      osVersion: dottedVersion(options.device.osVersion),
      ...(options.application.nativeApplicationVersion ? { appVersion: dottedVersion(options.application.nativeApplicationVersion) } : {}),
      appBuild: build && SHORT_TEXT.test(build) ? build : '0',
      jailbroken,
      rootIndicators: indicators,
      passcodeSet: level >= SECRET,
      biometry: hardware && enrolled,
      managed: false,
    };
    const config = readManagedConfig(options.managedConfig);
    if (config.mdmDeviceId) Object.assign(facts, { managed: true, mdmDeviceId: config.mdmDeviceId });
    if (config.enrollmentToken) facts.mdmEnrollmentToken = config.enrollmentToken;
    return facts;
  };
}

/**
 * The MDM keys of docs/mdm.md from the pushed configuration: `palisadeMdmDeviceId` and
 * `palisadeEnrollmentToken`, each only when it has the form the server accepts (a value the MDM
 * did not fill in, or garbage, is left out rather than refusing the whole report).
 */
function readManagedConfig(module: ManagedConfigModule | undefined): { mdmDeviceId?: string; enrollmentToken?: string } {
  const config = module?.getManagedConfig<Record<string, unknown> | null | undefined>() ?? {};
  const id = config.palisadeMdmDeviceId;
  const token = config.palisadeEnrollmentToken;
  return {
    ...(typeof id === 'string' && MDM_ID.test(id) ? { mdmDeviceId: id } : {}),
    ...(typeof token === 'string' && ENROLLMENT_TOKEN.test(token) ? { enrollmentToken: token } : {}),
  };
}
