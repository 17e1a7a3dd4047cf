/**
 * A mobile app as tests see one: openid-client (a certified OAuth client) configured from
 * Palisade's discovery document, signing a person in with Authorization Code + PKCE + state
 * through a loopback redirect URI, then calling the API with its tokens.
 *
 * Each sign-in happens on a new *device*: a fresh DPoP key pair (RFC 9449), as the app would
 * keep in the Secure Enclave or StrongBox. The authorization request carries its thumbprint
 * (`dpop_jkt`) and the device description; the code exchange, refreshes and API calls carry
 * proofs made with it. `{ dpop: false }` signs in as an app without DPoP (bearer tokens).
 *
 * Every API call is signed (RFC 9421) with the session's signing key from the token response,
 * as an app must; `call(…, { signing: { … } })` tampers with the signature for tests.
 *
 * API calls carry the app's key (`palisade-app-key`): by default the one the test server was
 * provisioned with for this app (helpers/app-keys.ts); `appKey` sets another, `null` none.
 *
 * Every token request of a DPoP sign-in (code exchange, refresh, and openid-client's retry with
 * a DPoP nonce) carries a posture report signed with the device key, as a device app must
 * (device trust): by default a compliant, unmanaged iPhone (`compliantPosture`); `posture` makes
 * another, and `posture = undefined` sends none. Bearer sign-ins (`dpop: false`) have no device
 * key to sign one: their app must be one whose policy relaxes `requirePosture` (`relaxedPosture`).
 */
import * as oidc from 'openid-client';
import { randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import { Browser } from './browser.ts';
import { signRequest } from '../../src/apisec/index.ts';
import { appKeyFor } from './app-keys.ts';

export const APP_SCOPE = 'openid profile email offline_access api';

/** The field app declared to accept bearer tokens too, for suites about the bearer-token flows. */
export const BEARER_FIELD_APP = JSON.stringify([{ id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' }]);

/** A compliant report from an unmanaged iPhone with the app's current version, signed with the device key. */
export function compliantPosture(device: { keys: CryptoKeyPair }, nowMs = Date.now()): Promise<string> {
  const claims = { platform: 'ios', os_version: '18.1', app_version: '2.4.0', app_build: '240', jailbroken: false, passcode_set: true, biometry: true, managed: false, jti: randomUUID() };
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'palisade-posture+jwt' }).setIssuedAt(Math.floor(nowMs / 1000)).sign(device.keys.privateKey);
}

/**
 * `PALISADE_DEVICE_POLICY` for suites that sign in without a device key (bearer tokens) or
 * without posture on purpose: these apps may sign in without a posture report (judged as BYOD).
 */
export function relaxedPosture(...clientIds: string[]): string {
  const relaxed = { corporate: { requirePosture: false }, byod: { requirePosture: false } };
  return JSON.stringify({ apps: Object.fromEntries(clientIds.map((id) => [id, relaxed])) });
}

export interface Device {
  platform: string;
  model: string;
  osVersion: string;
  appVersion: string;
}

export interface SignedIn {
  config: oidc.Configuration;
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  /** The device key's DPoP handle (absent for bearer sign-ins). */
  dpop?: oidc.DPoPHandle;
  /** The device key's thumbprint. */
  jkt?: string;
  /** The device key pair itself (tests use it to make hand-made proofs). */
  keys?: CryptoKeyPair;
}

/** A session's request signing key as the token endpoint returns it. */
export interface SigningKey {
  keyId: string;
  /** base64url */
  key: string;
}

/** The signing key of a token response (code exchange or refresh). */
export function signingKeyOf(tokens: Record<string, unknown>): SigningKey | undefined {
  const { signing_key: key, signing_key_id: keyId } = tokens;
  return typeof key === 'string' && typeof keyId === 'string' ? { key, keyId } : undefined;
}

/** Ways a test breaks a request's signature (each must be refused). */
export interface SigningOptions {
  /** No Signature / Signature-Input at all. */
  unsigned?: boolean;
  /** No Content-Digest header (the signature still lists it). */
  omitDigest?: boolean;
  /** This Content-Digest header instead of the right one. */
  digest?: string;
  /** Sign (and digest) this body, but send the request's own. */
  signedBody?: string;
  created?: number;
  nonce?: string;
  /** Sign for this method / URL instead of the ones called. */
  method?: string;
  targetUri?: string;
  /** Sign with this key (another session's), or claim this keyid. */
  key?: SigningKey;
  keyId?: string;
  components?: string[];
}

/**
 * The signature headers for a call: what an app adds to its request. `authorization` is the
 * header's exact value (`Bearer …` or `DPoP …`).
 */
export function signatureHeaders(request: { method: string; url: string; authorization: string; body?: string | Uint8Array }, key: SigningKey, options: SigningOptions = {}): Record<string, string> {
  if (options.unsigned) return {};
  const signed = signRequest({
    method: options.method ?? request.method,
    targetUri: options.targetUri ?? request.url,
    authorization: request.authorization,
    body: options.signedBody ?? request.body ?? '',
    keyId: options.keyId ?? options.key?.keyId ?? key.keyId,
    key: options.key?.key ?? key.key,
    ...(options.created !== undefined ? { created: options.created } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...(options.components ? { components: options.components } : {}),
  });
  return {
    ...(options.omitDigest ? {} : { 'content-digest': options.digest ?? signed['content-digest'] }),
    'signature-input': signed['signature-input'],
    signature: signed.signature,
  };
}

export class MobileApp {
  private readonly issuer: string;
  private readonly ca: string;
  private readonly clientId: string;
  /** Which device key each access token belongs to, so `call` can prove possession. */
  private readonly keyOf = new Map<string, oidc.DPoPHandle>();
  /** Which session signing key each access token belongs to, so `call` can sign. */
  private readonly signingOf = new Map<string, SigningKey>();
  /** The app's own HTTP client (trusts Palisade's certificate). */
  readonly http: Browser;
  /** The device's clock for signatures' `created` (ms); tests with an injected server clock set it. */
  clock: () => number = () => Date.now();
  /** The API key `call` sends: undefined, the one provisioned for this app; null, none. */
  appKey: string | null | undefined;
  /** Makes the `palisade-device-posture` header of a token request; undefined sends none. */
  posture: ((device: { keys: CryptoKeyPair; jkt: string }, grant: 'authorization_code' | 'refresh_token') => Promise<string | undefined>) | undefined = (device) => compliantPosture(device, this.clock());

  constructor(issuer: string, ca: string, clientId = 'field-app', options: { appKey?: string | null } = {}) {
    this.issuer = issuer;
    this.ca = ca;
    this.clientId = clientId;
    this.http = new Browser(ca);
    this.appKey = options.appKey;
  }

  /** The key this app sends with API calls, if any. */
  get currentAppKey(): string | undefined {
    return this.appKey === undefined ? appKeyFor(this.issuer, this.clientId) : (this.appKey ?? undefined);
  }

  discover(): Promise<oidc.Configuration> {
    return oidc.discovery(new URL(this.issuer), this.clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), {
      [oidc.customFetch]: this.http.fetch as oidc.CustomFetch,
    });
  }

  /** A new device key pair and its DPoP handle. */
  async newDevice(config: oidc.Configuration, existing?: CryptoKeyPair): Promise<{ dpop: oidc.DPoPHandle; jkt: string; keys: CryptoKeyPair }> {
    const keys = existing ?? (await oidc.randomDPoPKeyPair('ES256'));
    return { dpop: oidc.getDPoPHandle(config, keys), jkt: await calculateJwkThumbprint(await exportJWK(keys.publicKey)), keys };
  }

  /** A full sign-in as `person` at the upstream IdP, in a fresh browser, on a new device. */
  async signIn(person: string, options: { dpop?: boolean; device?: Partial<Device>; params?: Record<string, string>; keys?: CryptoKeyPair } = {}): Promise<SignedIn> {
    const config = await this.discover();
    // `keys`: sign in again on a device that already has its key.
    const device = options.dpop === false ? undefined : await this.newDevice(config, options.keys);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    // Nothing listens there: the browser stops at the redirect, as the OS hands it to the app.
    const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
    const described = { platform: 'ios', model: 'iPhone15,2', osVersion: '18.1', appVersion: '2.4.0', ...options.device };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: APP_SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...(device
        ? { dpop_jkt: device.jkt, device_platform: described.platform, device_model: described.model, device_os_version: described.osVersion, app_version: described.appVersion }
        : {}),
      ...options.params,
    });
    const browser = new Browser(this.ca);
    try {
      const flow = await browser.follow(url.href, redirectUri, person);
      if (!flow.redirect) throw new Error(`sign-in as ${person} ended on a page (${flow.page?.status} at ${flow.page?.url}) instead of the app`);
      const tokens = await this.withPosture(config, device, 'authorization_code', () =>
        oidc.authorizationCodeGrant(config, flow.redirect!, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true }, undefined, device ? { DPoP: device.dpop } : {}),
      );
      if (device) this.keyOf.set(tokens.access_token, device.dpop);
      this.remember(tokens);
      return { config, tokens, ...(device ? { dpop: device.dpop, jkt: device.jkt, keys: device.keys } : {}) };
    } finally {
      await browser.close();
    }
  }

  /** Refreshes with the session's device key (as the app on that device would). */
  async refresh(session: SignedIn, refreshToken = session.tokens.refresh_token!): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
    const device = session.keys && session.jkt ? { keys: session.keys, jkt: session.jkt } : undefined;
    const tokens = await this.withPosture(session.config, device, 'refresh_token', () => oidc.refreshTokenGrant(session.config, refreshToken, undefined, session.dpop ? { DPoP: session.dpop } : {}));
    if (session.dpop) this.keyOf.set(tokens.access_token, session.dpop);
    this.remember(tokens);
    return tokens;
  }

  /** Runs a token request with the posture header added to what openid-client sends. */
  private async withPosture<T>(config: oidc.Configuration, device: { keys: CryptoKeyPair; jkt: string } | undefined, grant: 'authorization_code' | 'refresh_token', request: () => Promise<T>): Promise<T> {
    const posture = this.posture;
    if (!posture || !device) return request();
    const original = config[oidc.customFetch]!;
    config[oidc.customFetch] = async (url, options) => {
      const report = await posture(device, grant);
      return original(url, report ? { ...options, headers: { ...options.headers, 'palisade-device-posture': report } } : options);
    };
    try {
      return await request();
    } finally {
      config[oidc.customFetch] = original;
    }
  }

  /** Keeps the signing key that came with `tokens` for calls made with its access token. */
  remember(tokens: oidc.TokenEndpointResponse): void {
    const key = signingKeyOf(tokens);
    if (key) this.signingOf.set(tokens.access_token, key);
  }

  /** The signing key `call` uses for this access token. */
  signingKeyFor(accessToken: string): SigningKey | undefined {
    return this.signingOf.get(accessToken);
  }

  /**
   * Calls Palisade's API at `baseUrl` (default: the issuer) with an access token: with a fresh
   * DPoP proof of its device key when it has one, else as a Bearer token; signed with the
   * session's signing key (`init.signing` tampers with the signature). A string body is sent
   * as JSON unless `init.headers` names another content type; a byte body is sent as given
   * (without a content type unless named). `path` may carry a query string, sent as written.
   * An empty `accessToken` sends no Authorization header (endpoints that take none).
   * `text` is the answer as received; `body` is it parsed, or `{}` when it is not JSON.
   */
  async call(path: string, accessToken: string, init: RequestInit & { signing?: SigningOptions } = {}, baseUrl = this.issuer): Promise<{ status: number; body: Record<string, unknown>; headers: Headers; text: string }> {
    const dpop = this.keyOf.get(accessToken);
    const headers = new Headers(init.headers);
    if (typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const appKey = this.currentAppKey;
    if (appKey && !headers.has('palisade-app-key')) headers.set('palisade-app-key', appKey);
    const signingKey = this.signingOf.get(accessToken);
    if (signingKey) {
      // The URL as it goes on the wire (fetch percent-encodes what the path spells raw).
      const request = { method: init.method ?? 'GET', url: new URL(`${baseUrl}${path}`).href, authorization: `${dpop ? 'DPoP' : 'Bearer'} ${accessToken}`, body: (init.body as string | Uint8Array | undefined) ?? '' };
      const signing = { created: Math.floor(this.clock() / 1000), ...init.signing };
      for (const [name, value] of Object.entries(signatureHeaders(request, signingKey, signing))) headers.set(name, value);
    }
    let response: Response;
    if (dpop) {
      // The proof's htu names the URL called; `baseUrl` may be another instance than the issuer.
      const config = await this.discover();
      try {
        response = await oidc.fetchProtectedResource(config, accessToken, new URL(`${baseUrl}${path}`), init.method ?? 'GET', (init.body as string | Uint8Array<ArrayBuffer> | undefined) ?? null, headers, { DPoP: dpop });
      } catch (error) {
        // openid-client throws on a 401 challenge; the tests want to look at the answer.
        const { response: challenged } = error as { response?: Response };
        if (!challenged) throw error;
        response = challenged;
      }
    } else {
      if (accessToken) headers.set('authorization', `Bearer ${accessToken}`);
      response = await this.http.fetch(`${baseUrl}${path}`, { ...init, headers });
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      if (text) body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON (a page, a metrics scrape): the caller reads `text`
    }
    return { status: response.status, body, headers: response.headers, text };
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
