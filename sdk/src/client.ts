/**
 * `PalisadeClient`: sign-in, calls and the app states the server's answers lead to, on any
 * platform (the platform supplies keys, storage and fetch through `Platform`).
 *
 * The OAuth protocol is oauth4webapi's (discovery, PKCE, state, nonce, the code and refresh
 * grants, DPoP proofs and their nonce retry); JWS is jose's; request signatures follow
 * server/src/apisec/signatures.ts with the same libraries. This module decides only what Palisade
 * asks beyond the standards: the device description and `dpop_jkt` at sign-in, a posture report
 * on every token request, the app key and the signature on every call, and what each problem
 * type means for the app:
 *
 *   session-locked, device-locked (lock command)  → `locked` (unlock with the unlock key)
 *   step-up-required (RFC 9470)                    → re-authentication with max_age/acr, call retried
 *   app-/os-update-required (426)                  → `update-required`
 *   session-revoked, invalid_grant at refresh      → `signed-out`, local data erased
 *   device-wiped (wipe command)                    → every store erased, acknowledged with the device key
 *   rate-limited (429)                             → waits Retry-After (up to a bound) and retries
 */
import * as oauth from 'oauth4webapi';
import { decodeJwt, type JSONWebKeySet, type JWK } from 'jose';
import { PalisadeError, problemSlug, type Problem } from './errors.ts';
import { importSigningKey, signRequest, signingKeyOf, type ImportedSigningKey, type SigningKey } from './signature.ts';
import {
  APP_CONFIG_TYP,
  COMMAND_TYP,
  POSTURE_HEADER,
  publicJwk,
  signCommandAck,
  signPosture,
  signUnlockProof,
  thumbprint,
  verifyServerDocument,
  type AppConfig,
  type DeviceCommand,
} from './documents.ts';
import { toBase64Url, utf8 } from './crypto.ts';
import type { Platform } from './platform.ts';
import { SignerDPoP, isSigner, keyOf, type SigningKeyRef } from './keys.ts';

export const DEFAULT_SCOPE = 'openid profile email offline_access api';
/** The server's default idle timeout (sessions.idleTimeout): the device mirrors it. */
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
const SESSION_ENTRY = 'palisade.session';
/** The sign-in in progress (PKCE verifier, state, nonce): survives a full-page redirect on the web. */
const PENDING_ENTRY = 'palisade.pending';

/** fetch as oauth4webapi's `customFetch` calls it (a URL string and plain options). */
type PlatformFetch = (url: string, options: object) => Promise<Response>;
/** How far (s) the injected clock may drift from the one a DPoP handle was made with before a new handle follows it. */
const DPOP_SKEW_SLACK_S = 5;

export type SessionState = 'signed-out' | 'active' | 'locked' | 'update-required';

/** Why the state changed (for the app's screens and logs). */
export type StateReason =
  | 'signed-in'
  | 'restored'
  | 'unlocked'
  | 'idle'
  | 'session-locked'
  | 'lock-command'
  | 'update-required'
  | 'session-revoked'
  | 'refresh-refused'
  | 'wiped'
  | 'signed-out';

/** Something the app registered to be erased with the session (its own caches, offline data). */
export interface ErasableStore {
  clear(): Promise<void>;
}

export interface StepUpRequest {
  /** Seconds: the sign-in must be at most this old (RFC 9470 `max_age`). */
  maxAge?: number;
  /** Authentication context class the IdP must satisfy (`acr_values`). */
  acr?: string;
}

/**
 * A call as it can be kept across a full-page redirect: a web app's re-authentication leaves the
 * page, so the call the step-up challenge refused is kept with the sign-in in progress (in the
 * secure store) and sent again by `completeSignIn` when the browser comes back.
 */
export interface ResumableCall {
  path: string;
  method: string;
  /** The body as sent (JSON text); a binary body cannot be resumed. */
  body?: string;
  headers?: [string, string][];
}

/** What `reauthenticate` is told besides the challenge's demands. */
export interface StepUpContext {
  client: PalisadeClient;
  /** The refused call, when it can be kept across a redirect (see `ResumableCall`). */
  call?: ResumableCall;
}

/** How a sign-in ended, as `completeSignIn` reports it. */
export interface SignInResult {
  /** The `appState` given to `beginSignIn` (a web app's page to return to). */
  appState?: string;
  /**
   * The call a step-up interrupted, sent again with the fresh sign-in: its answer (`response`),
   * or why it could not be sent or was refused again (`error`; a second step-up challenge is
   * not followed, and a sign-in as a different person does not send it at all).
   */
  resumed?: { call: ResumableCall; response?: Response; error?: unknown };
}

export interface PalisadeClientOptions {
  /** Palisade's URL (the OAuth issuer). */
  issuer: string;
  clientId: string;
  /**
   * The app's API key (`palisade-app-key`), as the operator issued it. Absent (or empty) for a
   * public browser client, which cannot keep a key secret and for which the server waives it
   * (the admin console, the start page): no `palisade-app-key` header is sent.
   */
  appKey?: string;
  platform: Platform;
  scope?: string;
  /** Mirror of the server's idle timeout; 0 turns the device-side timer off. Default 15 min. */
  idleTimeoutMs?: number;
  /** Refresh this long before the access token expires. Default 30 s. */
  refreshMarginMs?: number;
  /** A 429 asking to wait longer than this (seconds) is passed to the app instead of waited. Default 30. */
  maxRetryAfterS?: number;
  /**
   * Interactive re-authentication for RFC 9470 step-up: sign the person in again with these
   * `max_age`/`acr` (for example `signInWithLoopback(client, { ...request, open })`); the
   * refused call is retried when it resolves. On the web, `reauthenticateWithRedirect` leaves the
   * page instead and `completeSignIn` retries the call (`context.call`) on the way back. Absent:
   * step-up challenges are thrown as `step-up-required`.
   */
  reauthenticate?(request: StepUpRequest, context: StepUpContext): Promise<void>;
  /** Called on every state change. */
  onStateChange?(state: SessionState, reason: StateReason): void;
  /** Milliseconds since the epoch (tests inject a clock). */
  now?(): number;
  /** Waits (tests inject one that does not sleep). */
  sleep?(ms: number): Promise<void>;
}

/** What the SDK keeps in the secure store between runs. */
interface StoredSession {
  refreshToken: string;
  signingKey?: SigningKey;
  sessionId?: string;
  subject?: string;
  dpop: boolean;
}

interface LiveSession extends StoredSession {
  accessToken: string;
  /** ms since the epoch */
  expiresAt: number;
}

interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
  maxAge?: number;
  appState?: string;
  /** The call to send again after the sign-in, and who asked for it (only they may resume it). */
  resume?: ResumableCall;
  resumeSubject?: string;
}

export interface CallInit {
  method?: string;
  /** A string is sent as JSON unless `headers` names another content type; an object is JSON-encoded. */
  body?: string | Uint8Array | Record<string, unknown> | unknown[];
  headers?: HeadersInit;
  /**
   * false: a step-up challenge to this call is thrown as `step-up-required` instead of starting
   * `reauthenticate` (a page loading what it shows should not send anyone away to sign in; the
   * action the person asked for should). Default true.
   */
  reauthenticate?: boolean;
}

export interface SignInOptions extends StepUpRequest {
  redirectUri: string;
  /** Extra authorization parameters (`login_hint`, `prompt`…). */
  params?: Record<string, string>;
  /** Opaque to the SDK, kept with the sign-in in progress and returned by `completeSignIn`. */
  appState?: string;
  /**
   * A call to send again once the sign-in completes (a step-up across a full-page redirect).
   * It is sent only if the same person signs in again.
   */
  resume?: ResumableCall;
}

export class PalisadeClient {
  readonly options: PalisadeClientOptions;
  private readonly platform: Platform;
  private readonly oauthClient: oauth.Client;
  private as: oauth.AuthorizationServer | undefined;
  private dpopHandle: oauth.DPoPHandle | SignerDPoP | undefined;
  /** The clock skew (s) the DPoP handle was made with. */
  private dpopSkew = 0;
  private session: LiveSession | undefined;
  private pending: PendingSignIn | undefined;
  private stateValue: SessionState = 'signed-out';
  private lastActivity = 0;
  private refreshing: Promise<LiveSession> | undefined;
  /** The session's signing key imported for HMAC (dropped on lock and erase, with the session). */
  private imported: { raw: string; key: ImportedSigningKey } | undefined;
  private readonly registered = new Set<ErasableStore>();
  /** Device commands being carried out (and wipes carried out), by jti: see obeyCommand. */
  private readonly obeying = new Map<string, Promise<DeviceCommand['cmd']>>();
  private readonly listeners = new Set<(state: SessionState, reason: StateReason) => void>();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Token endpoint requests made (tests and the benchmark read it: single-flight refresh). */
  refreshCount = 0;

  constructor(options: PalisadeClientOptions) {
    this.options = options;
    this.platform = options.platform;
    this.oauthClient = { client_id: options.clientId, token_endpoint_auth_method: 'none' };
  }

  get state(): SessionState {
    return this.stateValue;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private sleep(ms: number): Promise<void> {
    return this.options.sleep ? this.options.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  }

  private setState(state: SessionState, reason: StateReason): void {
    this.stateValue = state;
    if (state !== 'active') this.clearIdleTimer();
    this.options.onStateChange?.(state, reason);
    for (const listener of this.listeners) listener(state, reason);
  }

  /** Calls `listener` on every state change (React's useSyncExternalStore subscribes this way); returns the unsubscribe. */
  subscribe(listener: (state: SessionState, reason: StateReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Registers a store of the app's to be erased on wipe and on sign-out with erase. */
  registerStore(store: ErasableStore): void {
    this.registered.add(store);
  }

  /** Authorization server metadata (discovered once). */
  async metadata(): Promise<oauth.AuthorizationServer> {
    if (!this.as) {
      const issuer = new URL(this.options.issuer);
      const response = await oauth.discoveryRequest(issuer, { [oauth.customFetch]: this.platform.fetch, algorithm: 'oidc' });
      this.as = await oauth.processDiscoveryResponse(issuer, response);
    }
    return this.as;
  }

  /** oauth4webapi's DPoP handle for a WebCrypto device key; the SDK's own for a hardware signer. */
  private async dpop(): Promise<oauth.DPoPHandle | SignerDPoP> {
    // oauth4webapi stamps a DPoP proof's iat by the system clock plus the clock skew the handle
    // was made with: with an injected clock (`now`) the proofs follow it, as the request
    // signatures, posture reports and unlock proofs do, or Palisade (judging by the same clock)
    // finds them stale. A handle is made again when that clock moved away from the system's.
    // Only a move of more than a few seconds makes a new one: a new handle starts without the
    // server's DPoP nonce, and a clock that stands still (a test's) drifts a second from the
    // system's every real second, so remaking it on every drift made a `use_dpop_nonce` retry
    // that crossed a second go out without the nonce it had just been given.
    const skew = this.options.now ? Math.round((this.now() - Date.now()) / 1000) : 0;
    if (this.dpopHandle && !(this.dpopHandle instanceof SignerDPoP) && Math.abs(skew - this.dpopSkew) > DPOP_SKEW_SLACK_S) this.dpopHandle = undefined;
    if (!this.dpopHandle) {
      const key = await keyOf(this.platform.deviceKey);
      this.dpopSkew = skew;
      this.dpopHandle = isSigner(key) ? new SignerDPoP(key, () => this.now()) : oauth.DPoP({ ...this.oauthClient, [oauth.clockSkew]: skew }, key);
    }
    return this.dpopHandle;
  }

  /**
   * Request options carrying the DPoP proof: oauth4webapi's handle adds it itself; a signer's
   * proof is added to the headers here, and the fetch keeps the server's nonce for the next one.
   */
  private async dpopOptions(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<{ DPoP?: oauth.DPoPHandle; [oauth.customFetch]: PlatformFetch }> {
    const handle = await this.dpop();
    if (!(handle instanceof SignerDPoP)) return { DPoP: handle, [oauth.customFetch]: this.fetchVia() };
    await handle.addProof(url, headers, htm, accessToken);
    return { [oauth.customFetch]: this.fetchVia(handle) };
  }

  /** The platform's fetch as oauth4webapi calls it; with a signer's DPoP, keeping the server's nonces. */
  private fetchVia(handle?: SignerDPoP): PlatformFetch {
    return async (target, init) => {
      const response = await this.platform.fetch(target, init as RequestInit);
      handle?.cacheNonce(response, target);
      return response;
    };
  }

  // ---- sign-in -------------------------------------------------------------------------------

  /**
   * The authorization URL to open in the system browser: PKCE S256, state, nonce, `dpop_jkt`
   * of the device key, the device description and, when the platform has one, the unlock key.
   */
  async beginSignIn(options: SignInOptions): Promise<URL> {
    const as = await this.metadata();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const keys = await keyOf(this.platform.deviceKey);
    const device = this.platform.describe();
    const url = new URL(as.authorization_endpoint!);
    const params: Record<string, string> = {
      client_id: this.options.clientId,
      response_type: 'code',
      redirect_uri: options.redirectUri,
      scope: this.options.scope ?? DEFAULT_SCOPE,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      dpop_jkt: await thumbprint(keys),
      device_platform: device.platform,
      device_model: device.model,
      device_os_version: device.osVersion,
      app_version: device.appVersion,
      ...(options.maxAge !== undefined ? { max_age: String(options.maxAge) } : {}),
      ...(options.acr ? { acr_values: options.acr } : {}),
      ...options.params,
    };
    if (this.platform.unlockKey) {
      const jwk = await publicJwk(await keyOf(this.platform.unlockKey));
      params.unlock_jwk = toBase64Url(utf8(JSON.stringify(jwk)));
    }
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const subject = this.session?.subject;
    this.pending = {
      verifier,
      state,
      nonce,
      redirectUri: options.redirectUri,
      ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
      ...(options.appState !== undefined ? { appState: options.appState } : {}),
      ...(options.resume ? { resume: options.resume, ...(subject !== undefined ? { resumeSubject: subject } : {}) } : {}),
    };
    await this.platform.store.set(PENDING_ENTRY, JSON.stringify(this.pending));
    return url;
  }

  /**
   * Handles the redirect back to the app: validates it, exchanges the code, keeps the session;
   * then sends again the call a step-up interrupted, if `beginSignIn` was given one.
   */
  async completeSignIn(callback: URL | string): Promise<SignInResult> {
    const kept = this.pending ? undefined : await this.platform.store.get(PENDING_ENTRY);
    const pending = this.pending ?? (kept ? (JSON.parse(kept) as PendingSignIn) : undefined);
    if (!pending) throw new PalisadeError('sign-in-failed', 'no sign-in is in progress');
    // One use: a replayed callback finds nothing to complete.
    this.pending = undefined;
    await this.platform.store.delete(PENDING_ENTRY);
    const as = await this.metadata();
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, this.oauthClient, new URL(callback), pending.state);
    } catch (error) {
      throw new PalisadeError('sign-in-failed', 'the authorization response was refused', { cause: error });
    }
    const tokens = await this.tokenRequest((options) => oauth.authorizationCodeGrantRequest(as, this.oauthClient, oauth.None(), params, pending.redirectUri, pending.verifier, options), (response) =>
      oauth.processAuthorizationCodeResponse(as, this.oauthClient, response, { expectedNonce: pending.nonce, requireIdToken: true, ...(pending.maxAge !== undefined ? { maxAge: pending.maxAge } : {}) }),
    );
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    await this.keep(tokens, claims?.sub);
    this.touch();
    this.setState('active', 'signed-in');
    const result: SignInResult = pending.appState !== undefined ? { appState: pending.appState } : {};
    const call = pending.resume;
    if (!call) return result;
    // A step-up confirms the person who asked; it never hands their call to someone else.
    if (pending.resumeSubject !== undefined && claims?.sub !== pending.resumeSubject) {
      return { ...result, resumed: { call, error: new PalisadeError('sign-in-failed', 'the re-authentication signed in a different person: the call was not sent again') } };
    }
    try {
      const init: CallInit = { method: call.method, ...(call.body !== undefined ? { body: call.body } : {}), ...(call.headers ? { headers: call.headers } : {}) };
      // As a retry after a step-up: a second challenge is thrown, never followed by another redirect.
      const response = await this.call(call.path, init, { stepUp: true, expired: false, waited: 0, nonce: false, fresh: false });
      return { ...result, resumed: { call, response } };
    } catch (error) {
      return { ...result, resumed: { call, error } };
    }
  }

  /**
   * Loads a session kept by an earlier run. It becomes active; its first call refreshes the
   * access token (never stored). Returns false when there is none.
   */
  async restore(): Promise<boolean> {
    const stored = await this.platform.store.get(SESSION_ENTRY);
    if (!stored) return false;
    const session = JSON.parse(stored) as StoredSession;
    this.session = { ...session, accessToken: '', expiresAt: 0 };
    this.touch();
    this.setState('active', 'restored');
    return true;
  }

  /** The signed-in person's subject and session id. */
  get identity(): { subject: string | undefined; sessionId: string | undefined } | undefined {
    return this.session ? { subject: this.session.subject, sessionId: this.session.sessionId } : undefined;
  }

  /**
   * What the access token held now says, for a page that shows who is signed in (Palisade's
   * start page): its decoded claims (payload only, not verified: the server verifies it on every
   * call), whether it is DPoP-bound, and the id of the session's request-signing key. Never the
   * token, the refresh token or a key itself. Undefined until a token is held (after a restore,
   * the first call or `refresh()` fetches one).
   */
  get tokenInfo(): { claims: Record<string, unknown>; dpop: boolean; signingKeyId?: string } | undefined {
    const session = this.session;
    if (!session?.accessToken) return undefined;
    return { claims: decodeJwt(session.accessToken), dpop: session.dpop, ...(session.signingKey ? { signingKeyId: session.signingKey.keyId } : {}) };
  }

  private async keep(tokens: oauth.TokenEndpointResponse, subject?: string): Promise<LiveSession> {
    if (!tokens.refresh_token && !this.session?.refreshToken) throw new PalisadeError('unexpected-response', 'no refresh token was issued (scope offline_access)');
    const sid = decodeJwt(tokens.access_token).sid;
    const session: LiveSession = {
      accessToken: tokens.access_token,
      expiresAt: this.now() + (tokens.expires_in ?? 60) * 1000,
      refreshToken: tokens.refresh_token ?? this.session!.refreshToken,
      dpop: tokens.token_type.toLowerCase() === 'dpop',
      ...(signingKeyOf(tokens) ?? this.session?.signingKey ? { signingKey: signingKeyOf(tokens) ?? this.session!.signingKey! } : {}),
      ...(typeof sid === 'string' ? { sessionId: sid } : this.session?.sessionId ? { sessionId: this.session.sessionId } : {}),
      ...((subject ?? this.session?.subject) ? { subject: (subject ?? this.session?.subject)! } : {}),
    };
    // The rotated refresh token is written before it is used anywhere: a crash now keeps the one
    // that works (the old one is already spent on the server).
    const { accessToken: _a, expiresAt: _e, ...stored } = session;
    await this.platform.store.set(SESSION_ENTRY, JSON.stringify(stored));
    this.session = session;
    return session;
  }

  /**
   * A token endpoint request with Palisade's additions: the DPoP proof (oauth4webapi, retried
   * once with the server's `use_dpop_nonce`), a fresh posture report signed with the device key,
   * and the server's problems mapped to app states.
   */
  private async tokenRequest(
    send: (options: oauth.TokenEndpointRequestOptions) => Promise<Response>,
    process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
  ): Promise<oauth.TokenEndpointResponse> {
    const keys = await keyOf(this.platform.deviceKey);
    const tokenEndpoint = new URL((await this.metadata()).token_endpoint!);
    for (let attempt = 0; ; attempt += 1) {
      const facts = await this.platform.posture?.();
      const headers = new Headers();
      // The report always shows the app version (the platform's configured one unless the facts
      // name their own): a minimum the report does not show is not met.
      if (facts) headers.set(POSTURE_HEADER, await signPosture(keys, { ...facts, appVersion: facts.appVersion ?? this.platform.describe().appVersion }, this.now()));
      this.refreshCount += 1;
      const response = await send({ ...(await this.dpopOptions(tokenEndpoint, headers, 'POST')), headers });
      const copy = response.clone();
      try {
        return await process(response);
      } catch (error) {
        if (oauth.isDPoPNonceError(error) && attempt === 0) continue;
        await this.refusedAtTokenEndpoint(copy, error);
      }
    }
  }

  /** What a refused token request means; always throws. */
  private async refusedAtTokenEndpoint(response: Response, error: unknown): Promise<never> {
    let problem: Problem | undefined;
    try {
      problem = (await response.json()) as Problem;
    } catch {
      problem = undefined;
    }
    const slug = problemSlug(problem);
    if (slug === 'device-wiped' || slug === 'device-locked') return this.obeyCommand(problem!, response.status);
    if (slug === 'app-update-required' || slug === 'os-update-required') {
      this.setState('update-required', 'update-required');
      throw PalisadeError.fromProblem(response.status, problem!);
    }
    if (slug) throw PalisadeError.fromProblem(response.status, problem!);
    if ((error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') || problem?.error === 'invalid_grant') {
      // The grant is gone (revoked, the 7-day limit, the user disabled, reuse detected): the
      // session cannot come back, so nothing of it stays on the device.
      await this.endSession('refresh-refused');
      throw new PalisadeError('signed-out', 'the session has ended; sign in again', { status: response.status, cause: error });
    }
    throw new PalisadeError('unexpected-response', 'the token endpoint refused the request', { status: response.status, cause: error });
  }

  // ---- tokens --------------------------------------------------------------------------------

  /**
   * Refreshes the tokens. Single-flight: concurrent callers share one token request, so a
   * hundred calls that find the token expired cause exactly one refresh (a second one would
   * present a rotated token: reuse, which revokes the session).
   */
  refresh(): Promise<LiveSession> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<LiveSession> {
    const session = this.session;
    if (!session) throw new PalisadeError('not-signed-in', 'sign in first');
    const as = await this.metadata();
    // A lost response (the network failed after the server rotated the token) is retried with
    // the same refresh token and device key: within its retry window the server answers with
    // the same new tokens instead of treating it as reuse. So is an answer that judged nothing:
    // a load balancer's 502/503/504 (the instance went away with the request, or none was
    // available for a moment) or Palisade's 503 `not-ready` (starting, stopping, or its database
    // or Redis unreachable for a moment).
    for (let attempt = 0; ; attempt += 1) {
      try {
        const tokens = await this.tokenRequest(
          (options) => oauth.refreshTokenGrantRequest(as, this.oauthClient, oauth.None(), session.refreshToken, options),
          (response) => oauth.processRefreshTokenResponse(as, this.oauthClient, response),
        );
        return await this.keep(tokens);
      } catch (error) {
        const transient = isNetworkError(error) || (error instanceof PalisadeError && isUnavailableAnswer(error));
        if (attempt >= REFRESH_ATTEMPTS - 1 || !transient) throw error instanceof PalisadeError || !isNetworkError(error) ? error : new PalisadeError('network', 'the refresh failed', { cause: error });
        await this.sleep(250 * 2 ** attempt);
      }
    }
  }

  private async liveSession(): Promise<LiveSession> {
    const session = this.session;
    if (!session) throw new PalisadeError('not-signed-in', 'sign in first');
    if (session.expiresAt - (this.options.refreshMarginMs ?? 30_000) > this.now()) return session;
    return this.refresh();
  }

  // ---- calls ---------------------------------------------------------------------------------

  private usable(): void {
    if (this.stateValue === 'signed-out') throw new PalisadeError('not-signed-in', 'sign in first');
    if (this.stateValue === 'update-required') throw new PalisadeError('update-required', 'the server requires an update of the app or the OS');
    if (this.stateValue === 'locked') throw new PalisadeError('locked', 'the app is locked: unlock it first');
    this.checkIdle();
    if ((this.stateValue as SessionState) === 'locked') throw new PalisadeError('locked', 'the app was locked after being idle: unlock it first');
  }

  /** Locks locally when the idle timeout passed since the last call (the server does the same). */
  checkIdle(): void {
    const idle = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (this.stateValue === 'active' && idle > 0 && this.now() - this.lastActivity >= idle) this.lock('idle');
  }

  private touch(): void {
    this.lastActivity = this.now();
    const idle = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    if (idle <= 0 || this.options.now) return;
    this.clearIdleTimer();
    this.idleTimer = setTimeout(() => this.checkIdle(), idle);
    (this.idleTimer as { unref?: () => void }).unref?.();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /**
   * Locks the app: the in-memory secrets are dropped, so nothing can call until `unlock()`
   * reads them again from the secure store (on devices, behind biometry or the passcode).
   */
  lock(reason: StateReason = 'idle'): void {
    this.imported = undefined;
    if (this.session) this.session = { ...this.session, accessToken: '', expiresAt: 0, refreshToken: '', signingKey: { keyId: '', key: '' } };
    this.setState('locked', reason);
  }

  /**
   * Calls Palisade's API: app key, DPoP proof (retried with the server's nonce), request
   * signature and Content-Digest, a refresh first when the token is (about to be) expired.
   * Problems that change the app's state throw a `PalisadeError` (see the module comment);
   * any other answer is returned as it is.
   */
  async fetch(path: string, init: CallInit = {}): Promise<Response> {
    this.usable();
    return this.call(path, init, { stepUp: false, expired: false, waited: 0, nonce: false, fresh: false });
  }

  /**
   * `fetch`, then the JSON body; any answer but 2xx throws a `PalisadeError` with the problem's
   * code. An answer without a body (204 No Content, 205, or an empty 2xx) gives `undefined`.
   */
  async json<T = unknown>(path: string, init: CallInit = {}): Promise<T> {
    const response = await this.fetch(path, init);
    if (!response.ok) throw await errorOf(response);
    if (response.status === 204 || response.status === 205) {
      await response.body?.cancel();
      return undefined as T;
    }
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * One call exactly as `fetch` sends it (app key, DPoP proof with the `use_dpop_nonce` retry,
   * RFC 9421 signature and Content-Digest) under the access token held now, and the server's
   * answer as it is: no refresh, no step-up, no waiting, no app-state change. For tools that
   * judge the answers themselves (Palisade's own end-to-end client is one); an app calls
   * `fetch`, whose state handling is what keeps a locked or wiped device from going on.
   */
  async request(path: string, init: CallInit = {}): Promise<Response> {
    this.usable();
    const session = this.session;
    if (!session?.accessToken) throw new PalisadeError('not-signed-in', 'no access token is held: refresh first');
    const response = await this.send(path, init, session);
    if (response !== 'nonce') return response;
    const again = await this.send(path, init, session);
    if (again === 'nonce') throw new PalisadeError('invalid-dpop-proof', 'the server kept asking for a new DPoP nonce');
    return again;
  }

  private async call(path: string, init: CallInit, retry: { stepUp: boolean; expired: boolean; waited: number; nonce: boolean; fresh: boolean }): Promise<Response> {
    const session = await this.liveSession();
    this.touch();
    const response = await this.send(path, init, session);
    if (response === 'nonce') {
      if (retry.nonce) throw new PalisadeError('invalid-dpop-proof', 'the server kept asking for a new DPoP nonce');
      return this.call(path, init, { ...retry, nonce: true });
    }
    if (response.ok || !isProblem(response)) return response;
    const problem = (await response.clone().json()) as Problem;
    const slug = problemSlug(problem);
    switch (slug) {
      case 'invalid-token':
        // Expired early (a clock behind the server's): refresh once and retry.
        if (!retry.expired) {
          session.expiresAt = 0;
          return this.call(path, init, { ...retry, expired: true });
        }
        break;
      case 'invalid-dpop-proof':
      case 'signature-replayed':
        // A proof or signature the server refused as used, or as made before its memory of used
        // ones began (a server that restarted between making and receiving it): every send makes
        // a new proof and signature, so one more try settles it. The refusal changed nothing.
        if (!retry.fresh) return this.call(path, init, { ...retry, fresh: true });
        return response;
      case 'session-locked':
        this.lock('session-locked');
        break;
      case 'device-locked':
      case 'device-wiped':
        return this.obeyCommand(problem, response.status);
      case 'session-revoked':
        await this.endSession('session-revoked');
        break;
      case 'app-update-required':
      case 'os-update-required':
        this.setState('update-required', 'update-required');
        break;
      case 'step-up-required':
        if (this.options.reauthenticate && !retry.stepUp && init.reauthenticate !== false) {
          const maxAge = typeof problem.maxAge === 'number' ? problem.maxAge : undefined;
          const acr = typeof problem.acrValues === 'string' ? problem.acrValues : undefined;
          const subject = this.session?.subject;
          const resumable = resumableCall(path, init);
          await this.options.reauthenticate({ ...(maxAge !== undefined ? { maxAge } : {}), ...(acr ? { acr } : {}) }, { client: this, ...(resumable ? { call: resumable } : {}) });
          // A step-up confirms the person who asked; it never hands their call to someone else. At
          // the company IdP the person can sign in as another account: the call is then not
          // retried, and the app learns it through the error (the new person's session is kept).
          if (subject !== undefined && this.session?.subject !== subject) {
            throw new PalisadeError('sign-in-failed', 'the re-authentication signed in a different person: the call was not sent again');
          }
          return this.call(path, init, { ...retry, stepUp: true });
        }
        break;
      case 'rate-limited':
      case 'locked-out': {
        const after = retryAfterSeconds(response, problem);
        if (after !== undefined && after <= (this.options.maxRetryAfterS ?? 30) && retry.waited < 2) {
          await this.sleep(after * 1000);
          return this.call(path, init, { ...retry, waited: retry.waited + 1 });
        }
        throw PalisadeError.fromProblem(response.status, problem, after);
      }
      default:
        return response;
    }
    throw PalisadeError.fromProblem(response.status, problem);
  }

  /** One HTTP request with everything Palisade requires; `nonce`: the server asked for a DPoP nonce. */
  private async send(path: string, init: CallInit, session: LiveSession | undefined): Promise<Response | 'nonce'> {
    const url = new URL(path, this.options.issuer);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    let body: Uint8Array<ArrayBuffer> = new Uint8Array();
    if (init.body !== undefined) {
      const json = typeof init.body === 'object' && !(init.body instanceof Uint8Array);
      body = typeof init.body === 'string' ? utf8(init.body) : json ? utf8(JSON.stringify(init.body)) : (init.body as Uint8Array<ArrayBuffer>);
      if ((typeof init.body === 'string' || json) && !headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    if (this.options.appKey) headers.set('palisade-app-key', this.options.appKey);
    if (!session) {
      return this.platform.fetch(url, { method, headers, ...(body.length ? { body } : {}) });
    }
    const authorization = `${session.dpop ? 'DPoP' : 'Bearer'} ${session.accessToken}`;
    if (session.signingKey) {
      if (this.imported?.raw !== session.signingKey.key) this.imported = { raw: session.signingKey.key, key: importSigningKey(session.signingKey) };
      const signed = await signRequest({ method, url: url.href, authorization, body, key: session.signingKey, imported: this.imported.key, created: Math.floor(this.now() / 1000) });
      for (const [name, value] of Object.entries(signed)) headers.set(name, value);
    }
    try {
      const options = session.dpop ? await this.dpopOptions(url, headers, method, session.accessToken) : { [oauth.customFetch]: this.fetchVia() };
      return await oauth.protectedResourceRequest(session.accessToken, method, url, headers, body.length ? body : null, options);
    } catch (error) {
      if (oauth.isDPoPNonceError(error)) return 'nonce';
      // oauth4webapi throws on a 401 challenge; the problem body says what it means.
      if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response;
      throw isNetworkError(error) ? new PalisadeError('network', 'the request failed', { cause: error }) : error;
    }
  }

  // ---- lock and unlock -----------------------------------------------------------------------

  /**
   * Unlocks a locked session with the unlock key: reads the session back from the secure store
   * (where the platform may ask for biometry or the passcode: the app decides when by calling
   * this), fetches a challenge, signs it with the unlock key and sends the proof. The server
   * unlocks the session on every instance.
   */
  async unlock(): Promise<void> {
    if (this.stateValue !== 'locked') return;
    const unlockKey = this.platform.unlockKey;
    if (!unlockKey) throw new PalisadeError('no-unlock-key', 'this platform has no unlock key: sign in again');
    const stored = await this.platform.store.get(SESSION_ENTRY);
    if (!stored) throw new PalisadeError('not-signed-in', 'no session is stored: sign in again');
    this.session = { ...(JSON.parse(stored) as StoredSession), accessToken: '', expiresAt: 0 };
    const session = await this.liveSession();
    const challenged = await this.send('/api/v1/session/unlock/challenge', { method: 'POST' }, session);
    if (challenged === 'nonce') return this.unlock();
    if (!challenged.ok) throw await errorOf(challenged);
    const { challenge } = (await challenged.json()) as { challenge: string };
    const proof = await signUnlockProof(await keyOf(unlockKey), challenge, session.sessionId ?? '', this.now());
    const unlocked = await this.send('/api/v1/session/unlock', { method: 'POST', body: { proof } }, session);
    if (unlocked === 'nonce') return this.unlock();
    if (!unlocked.ok) throw await errorOf(unlocked);
    this.touch();
    this.setState('active', 'unlocked');
  }

  // ---- commands, sign-out and erase ------------------------------------------------------------

  /** The JWKS Palisade signs its documents with. */
  async jwks(): Promise<JSONWebKeySet> {
    const as = await this.metadata();
    const response = await this.platform.fetch(as.jwks_uri!);
    if (!response.ok) throw new PalisadeError('unexpected-response', 'the JWKS could not be fetched', { status: response.status });
    return (await response.json()) as JSONWebKeySet;
  }

  /**
   * Carries out a wipe or lock command: verifies it against the JWKS and that it names this
   * device's key, obeys, and acknowledges it with the device key. Always throws the problem's
   * error so the call that received it fails.
   */
  private async obeyCommand(problem: Problem, status: number): Promise<never> {
    // Calls in flight together (a screen loading its data) all meet the same command: the first
    // carries it out and the others wait for it, so it is verified, obeyed and acknowledged once.
    // A wipe is remembered (there is nothing left to wipe, and no device key to verify a late
    // copy with); a lock only while it is carried out (after an unlock, a lock the server sends
    // again is obeyed again); a command that failed to verify is tried again by the next call.
    const jws = String(problem.command);
    let id = jws;
    try {
      id = decodeJwt(jws).jti ?? jws;
    } catch {
      // Not a JWT: carryOut refuses it as document-invalid.
    }
    let carrying = this.obeying.get(id);
    if (!carrying) {
      const started = this.carryOut(jws);
      carrying = started;
      this.obeying.set(id, started);
      started.then(
        (cmd) => {
          if (cmd !== 'wipe' && this.obeying.get(id) === started) this.obeying.delete(id);
        },
        () => {
          if (this.obeying.get(id) === started) this.obeying.delete(id);
        },
      );
    }
    await carrying;
    throw PalisadeError.fromProblem(status, problem);
  }

  /** Verifies the command against the JWKS and this device's key, obeys it and acknowledges it with the device key. */
  private async carryOut(jws: string): Promise<DeviceCommand['cmd']> {
    const as = await this.metadata();
    const keys = await keyOf(this.platform.deviceKey);
    let command: DeviceCommand;
    try {
      command = await verifyServerDocument<DeviceCommand>(jws, await this.jwks(), COMMAND_TYP, as.issuer, this.now());
    } catch (error) {
      throw new PalisadeError('document-invalid', 'the device command does not verify', { cause: error });
    }
    if (command.jkt !== (await thumbprint(keys))) throw new PalisadeError('document-invalid', 'the device command is for another device key');
    if (command.cmd === 'wipe') {
      await this.eraseData();
      this.setState('signed-out', 'wiped');
    } else {
      this.lock('lock-command');
    }
    await this.acknowledge(command.jti, keys);
    if (command.cmd === 'wipe') {
      await this.platform.deviceKey.erase();
      this.dpopHandle = undefined;
    }
    return command.cmd;
  }

  private async acknowledge(commandId: string, keys: SigningKeyRef): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const proof = await signCommandAck(keys, commandId, this.now());
        const response = await this.send(`/api/v1/device/commands/${encodeURIComponent(commandId)}/ack`, { method: 'POST', body: { proof } }, undefined);
        if (response !== 'nonce' && (response.ok || response.status === 409)) return;
      } catch {
        // retried below
      }
      await this.sleep(250 * (attempt + 1));
    }
  }

  /** Erases the session and every store: the SDK's, the unlock key, and each the app registered. */
  private async eraseData(): Promise<void> {
    this.session = undefined;
    this.imported = undefined;
    this.refreshing = undefined;
    await this.platform.store.clear();
    await this.platform.unlockKey?.erase();
    for (const store of this.registered) await store.clear();
  }

  private async endSession(reason: StateReason): Promise<void> {
    await this.eraseData();
    await this.platform.deviceKey.erase();
    this.dpopHandle = undefined;
    this.setState('signed-out', reason);
  }

  /**
   * Signs out: ends the session on the server (`everywhere`: every session of the person), then
   * on this device; `erase` (default) also deletes every local store and key. Offline, or with
   * the session already gone, the device side still happens: nothing of the session is left here.
   */
  async signOut(options: { erase?: boolean; everywhere?: boolean } = {}): Promise<void> {
    if (this.stateValue === 'active' && this.session) {
      try {
        const answer = await this.send('/api/v1/session/logout', { method: 'POST', body: { everywhere: options.everywhere === true } }, await this.liveSession());
        if (answer !== 'nonce') await answer.body?.cancel();
      } catch {
        // best effort: the local sign-out below does not depend on the server
      }
    }
    if (options.erase === false) {
      this.session = undefined;
      this.imported = undefined;
      await this.platform.store.delete(SESSION_ENTRY);
      this.setState('signed-out', 'signed-out');
      return;
    }
    await this.endSession('signed-out');
  }

  // ---- managed configuration ---------------------------------------------------------------

  /** The managed app configuration for this device, verified against the JWKS. */
  async appConfig(): Promise<AppConfig> {
    const response = await this.fetch('/api/v1/app-config');
    if (!response.ok) throw await errorOf(response);
    const as = await this.metadata();
    try {
      return await verifyServerDocument<AppConfig>(await response.text(), await this.jwks(), APP_CONFIG_TYP, as.issuer, this.now());
    } catch (error) {
      throw new PalisadeError('document-invalid', 'the app configuration does not verify', { cause: error });
    }
  }

  /** The device key's public JWK (for the app's own records). */
  async devicePublicKey(): Promise<JWK> {
    return publicJwk(await keyOf(this.platform.deviceKey));
  }
}

/** The call as it can be kept across a redirect; undefined for a binary body. */
function resumableCall(path: string, init: CallInit): ResumableCall | undefined {
  if (init.body instanceof Uint8Array) return undefined;
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers: [string, string][] = [];
  new Headers(init.headers).forEach((value, name) => headers.push([name, value]));
  return { path, method: (init.method ?? 'GET').toUpperCase(), ...(body !== undefined ? { body } : {}), ...(headers.length ? { headers } : {}) };
}

function isProblem(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('json');
}

async function errorOf(response: Response): Promise<PalisadeError> {
  try {
    return PalisadeError.fromProblem(response.status, (await response.json()) as Problem);
  } catch {
    return new PalisadeError('unexpected-response', `HTTP ${response.status}`, { status: response.status });
  }
}

function retryAfterSeconds(response: Response, problem: Problem): number | undefined {
  const header = response.headers.get('retry-after');
  const seconds = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : typeof problem.retryAfter === 'number' ? problem.retryAfter : undefined;
  return seconds;
}

/** fetch's own failures (connection reset, timeout): the request may or may not have arrived. */
/** Tries of one refresh when the network or the server's availability fails (0.25 + 0.5 + 1 + 2 s apart). */
const REFRESH_ATTEMPTS = 5;

/**
 * A token endpoint answer that refused nothing: a gateway's 502/503/504, or Palisade's 503
 * `not-ready`. Not a 503 with another problem type (a refusal of this request).
 */
function isUnavailableAnswer(error: PalisadeError): boolean {
  if (error.status === 502 || error.status === 504) return error.code === 'unexpected-response';
  return error.status === 503 && (error.code === 'unexpected-response' || error.code === 'not-ready');
}

export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'));
}
