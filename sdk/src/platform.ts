/**
 * What the SDK needs from the platform it runs on, as three small interfaces. Each platform
 * entry point (platforms/node.ts, web.ts, react-native.ts) provides adapters; an app may bring
 * its own (a different keystore module, a hardware key) by implementing them.
 */

/**
 * A non-exportable P-256 key pair kept by the platform: the device key (DPoP, posture reports,
 * command acknowledgements) or the unlock key (released only after user presence). The private
 * key is a WebCrypto `CryptoKey` that can sign but never be exported where the platform allows
 * (web: `extractable: false` in IndexedDB; Node: a 0600 key file or memory).
 */
export interface DeviceKey {
  /** The key pair, created on first use (ES256). */
  keyPair(): Promise<CryptoKeyPair>;
  /** Whether a key exists already (without creating one). */
  exists(): Promise<boolean>;
  /** Deletes the key for good (sign-out with erase, wipe). */
  erase(): Promise<void>;
}

/**
 * A P-256 private key the SDK can only ask to sign: a Secure Enclave or Android Keystore
 * (StrongBox where present) key that no WebCrypto `CryptoKey` stands for. oauth4webapi's DPoP
 * handle and jose's signers accept a `CryptoKey` only, so for such a key the SDK makes the
 * ES256 JWS (DPoP proofs, posture reports, command acknowledgements, unlock proofs) itself:
 * it encodes header and payload and asks the signer for the signature of the signing input.
 */
export interface DeviceSigner {
  /** The public key as a JWK (`kty: EC`, `crv: P-256`, `x`, `y`; public members only). */
  readonly publicJwk: JsonWebKey & { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  /** ES256 over `signingInput` (ASCII): the signature as JOSE wants it, 64 bytes r‖s. */
  sign(signingInput: string): Promise<Uint8Array>;
}

/** A device or unlock key held by hardware and reached through a native module's signer. */
export interface HardwareDeviceKey {
  /** The signer, the key created on first use. */
  signer(): Promise<DeviceSigner>;
  exists(): Promise<boolean>;
  erase(): Promise<void>;
}

/** Either kind of key the platform may give the SDK. */
export type AnyDeviceKey = DeviceKey | HardwareDeviceKey;

/**
 * Where secrets live between runs: the refresh token, the session signing key, the session
 * metadata. Keychain/Keystore on React Native, IndexedDB under a non-extractable AES-GCM key on
 * the web, a 0600 file or memory in Node. Never localStorage, sessionStorage, AsyncStorage or
 * cookies (a test scans the SDK's source for them).
 */
export interface SecureStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** Erases every entry this store holds. */
  clear(): Promise<void>;
}

/** The app and device as the authorization request describes them (the server's device description). */
export interface DeviceDescription {
  /** `ios`, `android`, `web`, `node`… */
  platform: string;
  model: string;
  osVersion: string;
  appVersion: string;
}

/**
 * Posture facts the SDK signs with the device key (server/src/devices/posture/report.ts): a
 * phone's (react-native/posture.ts gathers them) or a browser's (`WebPostureFacts`). The server
 * accepts from each app only the platforms it is registered for (`clients[].platform`).
 */
export type PostureFacts = DevicePostureFacts | WebPostureFacts;

/** What an iOS or Android app states about its device. */
export interface DevicePostureFacts {
  platform: 'ios' | 'android';
  osVersion: string;
  /**
   * Default: the app version the platform is configured with (`describe().appVersion`). Every
   * report shows a version: the server judges a version minimum the report does not show as
   * not met (426 app-update-required).
   */
  appVersion?: string;
  appBuild: string;
  jailbroken: boolean;
  rootIndicators?: string[];
  passcodeSet: boolean;
  biometry: boolean;
  managed: boolean;
  mdmDeviceId?: string;
  mdmEnrollmentToken?: string;
}

/**
 * What a browser can state honestly (web/posture.ts): the app's version and build, and the user
 * agent's own client hints. No device facts: the server refuses a web report naming any.
 */
export interface WebPostureFacts {
  platform: 'web';
  /** Default: `describe().appVersion`. */
  appVersion?: string;
  /** Default: the app version. */
  appBuild?: string;
  browser?: string;
  browserVersion?: string;
  os?: string;
  mobile?: boolean;
}

export interface Platform {
  /** The fetch every request goes through (Node: a TLS agent enforcing the pin set). */
  fetch: typeof fetch;
  deviceKey: AnyDeviceKey;
  /**
   * The unlock key, registered at sign-in (`unlock_jwk`) and used to unlock a locked session.
   * On devices its private key needs biometry or the passcode; absent: a locked session needs
   * a new sign-in.
   */
  unlockKey?: AnyDeviceKey;
  store: SecureStore;
  describe(): DeviceDescription;
  /** Posture facts for token requests; undefined sends none. */
  posture?(): Promise<PostureFacts | undefined>;
}
