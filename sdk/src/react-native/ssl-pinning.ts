/**
 * Certificate pinning on iOS and Android through react-native-ssl-public-key-pinning (TrustKit
 * on iOS, OkHttp's CertificatePinner on Android), fed from Palisade's signed pin set
 * (`/.well-known/palisade/pins`, pins.ts). The module then refuses, inside the platform's own
 * networking, every connection to Palisade's host whose certificate key is not pinned: `fetch`
 * rejects, and the module's error listener names the host.
 *
 * The module's documented behaviour the adapter relies on: `isSslPinningAvailable()` is false
 * where the native part is missing (Expo Go); `initializeSslPinning({ [host]: {
 * publicKeyHashes } })` takes base64 SHA-256 SPKI hashes without the `sha256/` prefix, at least
 * two per host on iOS (TrustKit refuses one), and may be called again with a new set;
 * `addSslPinningErrorListener` reports refused connections. No `expirationDate` is set: an
 * expired set would switch pinning off, and an app that cannot fetch a new set keeps the last.
 *
 * Pins the app ships with are enforced from the start (the safe bootstrap); without them the
 * first set that verifies against the JWKS is trusted, as in Node (node/pinned-fetch.ts). A set
 * is adopted only after it verifies (issuer, host, expiry, signature); a forged one changes
 * nothing. Unlike Node the app cannot see the certificate of the connection the set came over,
 * but that connection was itself made under the pins in force.
 */
import type { JSONWebKeySet } from 'jose';
import { PalisadeError } from '../errors.ts';
import { verifyPins } from '../pins.ts';

/** The part of react-native-ssl-public-key-pinning the adapter uses (1.2.x). */
export interface SslPublicKeyPinningModule {
  isSslPinningAvailable(): boolean;
  initializeSslPinning(options: Record<string, { includeSubdomains?: boolean; publicKeyHashes: string[]; expirationDate?: string }>): Promise<void>;
  addSslPinningErrorListener(callback: (error: { serverHostname: string; message?: string }) => void): { remove(): void };
}

export interface ReactNativePinningOptions {
  /** Palisade's URL (the issuer): its host is pinned. */
  issuer: string;
  /** Pins the app ships with (`sha256/<base64>`), enforced before the first set is fetched. */
  pins?: string[];
  /** The fetch the platform's networking runs (the module pins it); default: the global fetch. */
  fetch?: typeof fetch;
  now?(): number;
  /** Told when the module refuses a connection (the host; never a certificate or a token). */
  onPinFailure?(host: string): void;
}

export interface ReactNativePinning {
  /** Enforces the shipped pins (when any) and starts listening for refusals. */
  start(): Promise<void>;
  /** Fetches, verifies and enforces the pin set; throws `PalisadeError` (and keeps the pins in force) when it does not verify. */
  refreshPins(): Promise<string[]>;
  /** The pins enforced now. */
  readonly pins: readonly string[];
  /** When the set should be fetched again (ms since the epoch), after a refresh. */
  readonly refreshAt: number | undefined;
  stop(): void;
}

export function reactNativePinning(module: SslPublicKeyPinningModule, options: ReactNativePinningOptions): ReactNativePinning {
  const issuer = new URL(options.issuer);
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  let pins: string[] = [];
  let refreshAt: number | undefined;
  let subscription: { remove(): void } | undefined;

  const enforce = async (next: string[]) => {
    const hashes = next.map((p) => p.slice('sha256/'.length));
    // TrustKit (iOS) refuses a single pin: a set must name a backup key.
    if (hashes.length < 2) throw new PalisadeError('document-invalid', 'a pin set needs at least two pins (the current key and a backup)');
    await module.initializeSslPinning({ [issuer.hostname]: { includeSubdomains: false, publicKeyHashes: hashes } });
    pins = next;
  };

  return {
    get pins() {
      return pins;
    },
    get refreshAt() {
      return refreshAt;
    },
    async start() {
      if (!module.isSslPinningAvailable()) throw new PalisadeError('unsupported-device', 'certificate pinning is not available in this build (Expo Go has no native modules): use a development build');
      subscription ??= module.addSslPinningErrorListener((error) => options.onPinFailure?.(error.serverHostname));
      if (options.pins?.length) {
        if (!options.pins.every((p) => p.startsWith('sha256/'))) throw new PalisadeError('document-invalid', 'shipped pins are sha256/<base64>');
        await enforce([...options.pins]);
      }
    },
    async refreshPins() {
      const jwks = (await (await doFetch(new URL('/oauth2/jwks', issuer).href)).json()) as JSONWebKeySet;
      const response = await doFetch(new URL('/.well-known/palisade/pins', issuer).href);
      const verified = await verifyPins((await response.text()).trim(), jwks, options.issuer, undefined, options.now?.() ?? Date.now());
      await enforce(verified.pins);
      refreshAt = verified.refreshAt;
      return pins;
    },
    stop() {
      subscription?.remove();
      subscription = undefined;
    },
  };
}
