/**
 * A mobile app as tests see one: the client SDK (@palisade/client, its Node build) signing a
 * person in with Authorization Code + PKCE + state + nonce through a loopback redirect URI,
 * then calling the API with its tokens. So every server test that signs in through this helper
 * also proves the SDK against the server.
 *
 * Each sign-in happens on a new *device*: a fresh DPoP key pair (RFC 9449), as the app would
 * keep in the Secure Enclave or StrongBox, and its own `PalisadeClient`. The authorization
 * request carries its thumbprint (`dpop_jkt`) and the device description; the code exchange,
 * refreshes and API calls carry proofs made with it.
 *
 * Two paths, chosen per request:
 * - **the SDK path** (what an app does): sign-in, `refresh` of the session's current refresh
 *   token and `call` with its current access token go through the session's `PalisadeClient`
 *   (`request()`: the call exactly as the SDK sends it, the answer as the server gave it, so
 *   tests can judge refusals). The helper reads the token responses on the way (its fetch) to
 *   hand tests the tokens the SDK keeps to itself.
 * - **the raw path** (what an attacker or an older client does): openid-client and hand-made
 *   signatures, for everything the SDK would never send: an old or another session's token, a
 *   stolen or changed DPoP handle, a tampered signature (`call(…, { signing: { … } })`), no or a
 *   wrong app key, bearer tokens (`{ dpop: false }`; the SDK always binds tokens to a device
 *   key), and `refreshRaw` where a test inspects a refusal the SDK would act on (a wipe or
 *   lock command it would acknowledge itself).
 *
 * Every API call is signed (RFC 9421) with the session's signing key from the token response,
 * as an app must.
 *
 * API calls carry the app's key (`palisade-app-key`): by default the one the test server was
 * provisioned with for this app (helpers/app-keys.ts); `appKey` sets another, `null` none.
 *
 * Every token request of a DPoP sign-in (code exchange, refresh, and the retry with a DPoP
 * nonce) carries a posture report signed with the device key, as a device app must (device
 * trust): by default a compliant, unmanaged iPhone, signed by the SDK (`COMPLIANT_FACTS`, the
 * same report as `compliantPosture`); `posture` set to another function makes the report
 * instead (put in place of the SDK's), and `posture = undefined` sends none. Bearer sign-ins (`dpop: false`) have no device
 * key to sign one: their app must be one whose policy relaxes `requirePosture` (`relaxedPosture`).
 */
import * as oidc from 'openid-client';
import * as oauth from 'oauth4webapi';
import { randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import { Browser } from './browser.ts';
import { signRequest } from '../../src/apisec/index.ts';
import { appKeyFor } from './app-keys.ts';
import { PalisadeClient, PalisadeError, memorySecureStore, type CallInit, type DeviceKey, type PostureFacts } from '../../../sdk/src/platforms/node.ts';

export const APP_SCOPE = 'openid profile email offline_access api';

/** The field app declared to accept bearer tokens too, for suites about the bearer-token flows. */
export const BEARER_FIELD_APP = JSON.stringify([{ id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' }]);

/** The facts of `compliantPosture`, as the SDK signs them on the SDK path. */
export const COMPLIANT_FACTS: PostureFacts = { platform: 'ios', osVersion: '18.1', appVersion: '2.4.0', appBuild: '240', jailbroken: false, passcodeSet: true, biometry: true, managed: false };

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
  tokens: oidc.TokenEndpointResponse;
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

/** A device signed in through the SDK: its client and the tokens the client holds now. */
interface SdkDevice {
  client: PalisadeClient;
  /** The app key the client sends (the one this app had at sign-in). */
  appKey: string;
  accessToken: string;
  refreshToken: string | undefined;
  /** The last token endpoint answer the client received (the helper's fetch keeps a copy). */
  lastTokenResponse: Response | undefined;
  /** The raw DPoP handle of the same key (a session whose handle a test swapped is not this device). */
  dpop: oidc.DPoPHandle;
}

/** A device key adapter over a key pair the test holds (tests make hand-made proofs with it). */
function heldDeviceKey(keys: CryptoKeyPair): DeviceKey {
  return {
    keyPair: async () => keys,
    exists: async () => true,
    // The SDK erases the key on sign-out and wipe; the test's copy stays for its attacks.
    erase: async () => undefined,
  };
}

export class MobileApp {
  private readonly issuer: string;
  private readonly ca: string;
  private readonly clientId: string;
  /** Which device key each access token belongs to, so the raw path can prove possession. */
  private readonly keyOf = new Map<string, oidc.DPoPHandle>();
  /** Which session signing key each access token belongs to, so the raw path can sign. */
  private readonly signingOf = new Map<string, SigningKey>();
  /** The SDK client holding each access token now. */
  private readonly sdkByToken = new Map<string, SdkDevice>();
  /** The SDK client holding each refresh token now. */
  private readonly sdkByRefresh = new Map<string, SdkDevice>();
  /** The app's own HTTP client (trusts Palisade's certificate). */
  readonly http: Browser;
  /** How many calls and refreshes each path sent (a test checks the SDK path is the one taken). */
  readonly sent = { sdk: 0, raw: 0 };
  /** The device's clock for signatures' `created` (ms); tests with an injected server clock set it. */
  clock: () => number = () => Date.now();
  /** The API key `call` sends: undefined, the one provisioned for this app; null, none. */
  appKey: string | null | undefined;
  /** The default posture: on the SDK path the SDK signs `COMPLIANT_FACTS` itself. */
  private readonly sdkPosture = (device: { keys: CryptoKeyPair; jkt: string }): Promise<string | undefined> => compliantPosture(device, this.clock());
  /** Makes the `palisade-device-posture` header of a token request; undefined sends none. */
  posture: ((device: { keys: CryptoKeyPair; jkt: string }, grant: 'authorization_code' | 'refresh_token') => Promise<string | undefined>) | undefined = this.sdkPosture;

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

  /**
   * A full sign-in as `person` at the upstream IdP, in a fresh browser, on a new device: through
   * the SDK; `{ dpop: false }` (bearer tokens, which the SDK never asks for) the raw way.
   */
  async signIn(person: string, options: { dpop?: boolean; device?: Partial<Device>; params?: Record<string, string>; keys?: CryptoKeyPair } = {}): Promise<SignedIn> {
    const config = await this.discover();
    // `keys`: sign in again on a device that already has its key.
    const device = options.dpop === false ? undefined : await this.newDevice(config, options.keys);
    // Nothing listens there: the browser stops at the redirect, as the OS hands it to the app.
    const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
    const described = { platform: 'ios', model: 'iPhone15,2', osVersion: '18.1', appVersion: '2.4.0', ...options.device };
    if (!device) return this.signInRaw(config, person, redirectUri, options.params);
    const appKey = this.currentAppKey;
    const sdk: SdkDevice = {
      client: new PalisadeClient({
        issuer: this.issuer,
        clientId: this.clientId,
        appKey: appKey ?? '',
        platform: {
          fetch: this.sdkFetch(device, () => sdk),
          deviceKey: heldDeviceKey(device.keys),
          store: memorySecureStore(),
          describe: () => described,
          // The test's own report replaces this one in sdkFetch when `posture` is not the default.
          posture: async () => COMPLIANT_FACTS,
        },
        // The server's idle lock is what tests look at; the device-side timer would only hide it.
        idleTimeoutMs: 0,
        now: () => this.clock(),
      }),
      appKey: appKey ?? '',
      accessToken: '',
      refreshToken: undefined,
      lastTokenResponse: undefined,
      dpop: device.dpop,
    };
    const browser = new Browser(this.ca);
    try {
      const url = await sdk.client.beginSignIn({ redirectUri, ...(options.params ? { params: options.params } : {}) });
      const flow = await browser.follow(url.href, redirectUri, person);
      if (!flow.redirect) throw new Error(`sign-in as ${person} ended on a page (${flow.page?.status} at ${flow.page?.url}) instead of the app`);
      try {
        await sdk.client.completeSignIn(flow.redirect);
      } catch (error) {
        throw await this.asOAuthError(error, sdk, 'authorization_code');
      }
      const tokens = await this.tokensOf(sdk);
      const session: SignedIn = { config, tokens, dpop: device.dpop, jkt: device.jkt, keys: device.keys };
      this.keyOf.set(tokens.access_token, device.dpop);
      this.remember(tokens);
      return session;
    } finally {
      await browser.close();
    }
  }

  /** A bearer-token sign-in (no device key) with openid-client: the SDK never makes one. */
  private async signInRaw(config: oidc.Configuration, person: string, redirectUri: string, params?: Record<string, string>): Promise<SignedIn> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: APP_SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      ...params,
    });
    const browser = new Browser(this.ca);
    try {
      const flow = await browser.follow(url.href, redirectUri, person);
      if (!flow.redirect) throw new Error(`sign-in as ${person} ended on a page (${flow.page?.status} at ${flow.page?.url}) instead of the app`);
      const tokens = await oidc.authorizationCodeGrant(config, flow.redirect, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
      this.remember(tokens);
      return { config, tokens };
    } finally {
      await browser.close();
    }
  }

  /**
   * The fetch under a session's SDK client: the platform's (trusting the test CA), putting the
   * test's own posture report in place of the SDK's when `posture` was changed, and keeping a
   * copy of each token endpoint answer for the helper.
   */
  private sdkFetch(device: { keys: CryptoKeyPair; jkt: string }, sdk: () => SdkDevice): typeof fetch {
    return (async (url: string | URL | Request, init?: RequestInit) => {
      const body = init?.body;
      const form = body instanceof URLSearchParams ? body : typeof body === 'string' && body.includes('grant_type=') ? new URLSearchParams(body) : undefined;
      const grant = form?.get('grant_type');
      if (grant !== 'authorization_code' && grant !== 'refresh_token') return this.http.fetch(url, init);
      const headers = new Headers(init?.headers);
      if (this.posture !== this.sdkPosture) {
        const report = await this.posture?.(device, grant);
        if (report) headers.set('palisade-device-posture', report);
        else headers.delete('palisade-device-posture');
      }
      const response = await this.http.fetch(url, { ...init, headers });
      sdk().lastTokenResponse = response.clone();
      return response;
    }) as typeof fetch;
  }

  /** The token response the SDK client just accepted, and the client's current tokens set from it. */
  private async tokensOf(sdk: SdkDevice): Promise<oidc.TokenEndpointResponse> {
    const answer = (await sdk.lastTokenResponse!.clone().json()) as oidc.TokenEndpointResponse;
    // openid-client lowercases it; tests compare it so.
    const tokens = { ...answer, token_type: answer.token_type.toLowerCase() as Lowercase<string> };
    this.sdkByToken.delete(sdk.accessToken);
    sdk.accessToken = tokens.access_token;
    this.sdkByToken.set(sdk.accessToken, sdk);
    if (tokens.refresh_token) {
      if (sdk.refreshToken) this.sdkByRefresh.delete(sdk.refreshToken);
      sdk.refreshToken = tokens.refresh_token;
      this.sdkByRefresh.set(sdk.refreshToken, sdk);
    }
    return tokens;
  }

  /**
   * What openid-client would have thrown for the SDK's refused token request (tests judge the
   * OAuth error: `error`, `status`, the problem as `cause`): the SDK's last token answer run
   * through oauth4webapi, the library under both. Other failures stay the SDK's error, or the
   * authorization response's error when the redirect carried one.
   */
  private async asOAuthError(error: unknown, sdk: SdkDevice, grant: 'authorization_code' | 'refresh_token'): Promise<unknown> {
    if (!(error instanceof PalisadeError)) return error;
    if (error.code === 'sign-in-failed' && error.cause) return error.cause;
    const answer = sdk.lastTokenResponse;
    // A 5xx judged no OAuth request (unavailable, a gateway): the SDK's error, with its status, stays.
    if (!answer || answer.ok || answer.status >= 500) return error;
    const config = await this.discover();
    try {
      if (grant === 'refresh_token') await oauth.processRefreshTokenResponse(config.serverMetadata(), { client_id: this.clientId }, answer.clone());
      else await oauth.processGenericTokenEndpointResponse(config.serverMetadata(), { client_id: this.clientId }, answer.clone());
    } catch (refused) {
      return refused;
    }
    return error;
  }

  /**
   * Refreshes with the session's device key (as the app on that device would): through the
   * session's SDK client when `refreshToken` is the one that client holds now, else (an old or
   * another session's token, a changed DPoP handle: replays) the raw way.
   */
  async refresh(session: SignedIn, refreshToken = session.tokens.refresh_token!): Promise<oidc.TokenEndpointResponse> {
    const sdk = this.sdkByRefresh.get(refreshToken);
    if (!sdk || sdk.client.state !== 'active' || sdk.dpop !== session.dpop) return this.refreshRaw(session, refreshToken);
    this.sent.sdk += 1;
    try {
      await sdk.client.refresh();
    } catch (error) {
      throw await this.asOAuthError(error, sdk, 'refresh_token');
    }
    const tokens = await this.tokensOf(sdk);
    if (session.dpop) this.keyOf.set(tokens.access_token, session.dpop);
    this.remember(tokens);
    return tokens;
  }

  /**
   * A refresh sent with openid-client, not the SDK: replays, stolen handles, and refusals a test
   * inspects that the SDK would act on (a wipe or lock command it would acknowledge itself).
   */
  async refreshRaw(session: SignedIn, refreshToken = session.tokens.refresh_token!): Promise<oidc.TokenEndpointResponse> {
    this.sent.raw += 1;
    const device = session.keys && session.jkt ? { keys: session.keys, jkt: session.jkt } : undefined;
    const tokens = await this.withPosture(session.config, device, 'refresh_token', () => oidc.refreshTokenGrant(session.config, refreshToken, undefined, session.dpop ? { DPoP: session.dpop } : {}));
    if (session.dpop) this.keyOf.set(tokens.access_token, session.dpop);
    this.remember(tokens);
    return tokens;
  }

  /** Runs a raw token request with the posture header added to what openid-client sends. */
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
   *
   * The SDK sends it when `accessToken` is the one a session's SDK client holds now and the
   * call is one an app makes (its own app key, an untampered signature); else the raw path.
   */
  async call(path: string, accessToken: string, init: RequestInit & { signing?: SigningOptions } = {}, baseUrl = this.issuer): Promise<{ status: number; body: Record<string, unknown>; headers: Headers; text: string }> {
    const sdk = this.sdkByToken.get(accessToken);
    const { method, body, headers, signing, ...rest } = init;
    const byApp =
      sdk !== undefined &&
      sdk.client.state === 'active' &&
      signing === undefined &&
      Object.keys(rest).length === 0 &&
      this.currentAppKey !== undefined &&
      this.currentAppKey === sdk.appKey &&
      !new Headers(headers).has('palisade-app-key') &&
      (body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array);
    this.sent[byApp ? 'sdk' : 'raw'] += 1;
    const response = byApp
      ? await sdk.client.request(baseUrl === this.issuer ? path : `${baseUrl}${path}`, {
          ...(method ? { method } : {}),
          ...(body !== undefined && body !== null ? { body: body as CallInit['body'] } : {}),
          ...(headers ? { headers } : {}),
        })
      : await this.callRaw(path, accessToken, init, baseUrl);
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      if (text) parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON (a page, a metrics scrape): the caller reads `text`
    }
    return { status: response.status, body: parsed, headers: response.headers, text };
  }

  /** A call made by hand (openid-client's DPoP, the server's own signing code): see `call`. */
  private async callRaw(path: string, accessToken: string, init: RequestInit & { signing?: SigningOptions }, baseUrl: string): Promise<Response> {
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
    if (dpop) {
      // The proof's htu names the URL called; `baseUrl` may be another instance than the issuer.
      const config = await this.discover();
      try {
        return await oidc.fetchProtectedResource(config, accessToken, new URL(`${baseUrl}${path}`), init.method ?? 'GET', (init.body as string | Uint8Array<ArrayBuffer> | undefined) ?? null, headers, { DPoP: dpop });
      } catch (error) {
        // openid-client throws on a 401 challenge; the tests want to look at the answer.
        const { response: challenged } = error as { response?: Response };
        if (!challenged) throw error;
        return challenged;
      }
    }
    if (accessToken) headers.set('authorization', `Bearer ${accessToken}`);
    const { signing: _signing, ...sent } = init;
    return this.http.fetch(`${baseUrl}${path}`, { ...sent, headers });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
