/**
 * Sign-in and API calls: the one module of the console that speaks to Palisade, so that moving
 * onto the SDK's web build (`@palisade/client`) replaces this file and nothing else.
 *
 * - Authorization Code + PKCE (S256) with `state` and `nonce`, as the public browser client
 *   `palisade-console` (no app key: a browser cannot keep one; decision 0015), through
 *   oauth4webapi — no hand-written protocol.
 * - DPoP (RFC 9449) with a non-extractable P-256 WebCrypto key, kept in IndexedDB (a key, not a
 *   secret anyone can read out: `extractable: false`); `use_dpop_nonce` is retried once.
 * - Every call is signed as an app signs (RFC 9421, HMAC-SHA256 with the session's signing key,
 *   imported as a non-extractable key; the raw key string is dropped).
 * - Tokens live in this module's memory only: never in web storage, cookies or
 *   IndexedDB. A reload signs in again.
 * - RFC 9470: a step-up challenge (`insufficient_user_authentication`) stores the call, signs in
 *   again with `max_age`/`acr_values` from the challenge, and `resumeAfterSignIn` retries it.
 */
import * as oauth from 'oauth4webapi';

export const CLIENT_ID = 'palisade-console';
const SCOPE = 'openid profile email offline_access api';
const client: oauth.Client = { client_id: CLIENT_ID };
const clientAuth = oauth.None();
const redirectUri = `${location.origin}/console/`;

// --- IndexedDB: the DPoP key pair and the pending sign-in (verifier, state, nonce, call to retry)
const DB_NAME = 'palisade-console';
function store<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('kv');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('kv', mode);
      const request = run(tx.objectStore('kv'));
      tx.oncomplete = () => {
        open.result.close();
        resolve(request.result as T);
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}
const idbGet = <T>(key: string) => store<T | undefined>('readonly', (s) => s.get(key));
const idbSet = (key: string, value: unknown) => store<void>('readwrite', (s) => s.put(value, key));
const idbDelete = (key: string) => store<void>('readwrite', (s) => s.delete(key));

export interface PendingCall {
  method: string;
  path: string;
  body?: string;
}
interface PendingSignIn {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
  retry?: PendingCall;
}

// --- in memory only
let as: oauth.AuthorizationServer | undefined;
let keyPair: CryptoKeyPair | undefined;
let session: { accessToken: string; refreshToken?: string; signingKey: CryptoKey; signingKeyId: string; claims: Record<string, unknown>; expiresAt: number } | undefined;

async function server(): Promise<oauth.AuthorizationServer> {
  if (as) return as;
  const issuer = new URL(location.origin);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
  return as;
}

async function deviceKey(): Promise<CryptoKeyPair> {
  if (keyPair) return keyPair;
  const stored = await idbGet<CryptoKeyPair>('dpop-key');
  keyPair = stored ?? (await oauth.generateKeyPair('ES256', { extractable: false }));
  if (!stored) await idbSet('dpop-key', keyPair);
  return keyPair;
}

/** Sends the browser to sign in; `options` carry a step-up challenge's demands and the call to retry after. */
export async function signIn(options: { maxAge?: number; acr?: string; retry?: PendingCall; fresh?: boolean } = {}): Promise<never> {
  const metadata = await server();
  const pending: PendingSignIn = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    returnTo: location.pathname + location.search,
    ...(options.retry ? { retry: options.retry } : {}),
  };
  await idbSet('pending', pending);
  const url = new URL(metadata.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: SCOPE,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    ...(options.maxAge !== undefined ? { max_age: String(options.maxAge) } : {}),
    ...(options.acr ? { acr_values: options.acr } : {}),
    ...(options.fresh || options.maxAge !== undefined ? { prompt: 'login' } : {}),
  }).toString();
  location.assign(url.href);
  return new Promise<never>(() => undefined);
}

async function keep(tokens: oauth.TokenEndpointResponse): Promise<void> {
  const raw = tokens.signing_key as string | undefined;
  const keyId = tokens.signing_key_id as string | undefined;
  if (!raw || !keyId) throw new Error('The token response carried no request signing key.');
  const bytes = Uint8Array.from(atob(raw.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const signingKey = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  bytes.fill(0);
  const claims = JSON.parse(atob(tokens.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  const profile = session ? { name: session.claims.name, email: session.claims.email } : {};
  session = {
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    signingKey,
    signingKeyId: keyId,
    claims: { ...claims, ...profile },
    expiresAt: Date.now() + (tokens.expires_in ?? 300) * 1000,
  };
}

/** A token request with one retry for `use_dpop_nonce`. */
async function tokenRequest(send: (dpop: oauth.DPoPHandle) => Promise<Response>, process: (response: Response) => Promise<oauth.TokenEndpointResponse>): Promise<oauth.TokenEndpointResponse> {
  const dpop = oauth.DPoP(client, await deviceKey());
  try {
    return await process(await send(dpop));
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return process(await send(dpop));
  }
}

/**
 * On load: finishes a sign-in the browser came back from (code exchange, then the call a
 * step-up interrupted, retried). Returns where the page should go, or undefined when there was
 * no sign-in to finish.
 */
export async function completeSignIn(): Promise<{ returnTo: string; retried?: { call: PendingCall; status: number; body: Record<string, unknown> } } | undefined> {
  const current = new URL(location.href);
  if (!current.searchParams.has('state')) return undefined;
  const pending = await idbGet<PendingSignIn>('pending');
  await idbDelete('pending');
  history.replaceState(null, '', current.pathname);
  if (!pending) throw new Error('This sign-in was not started here. Sign in again.');
  const metadata = await server();
  const params = oauth.validateAuthResponse(metadata, client, current, pending.state);
  const tokens = await tokenRequest(
    (DPoP) => oauth.authorizationCodeGrantRequest(metadata, client, clientAuth, params, redirectUri, pending.verifier, { DPoP }),
    (response) => oauth.processAuthorizationCodeResponse(metadata, client, response, { expectedNonce: pending.nonce, requireIdToken: true }),
  );
  await keep(tokens);
  // Who signed in, for the header: the ID token's claims (the access token carries no profile).
  const id = oauth.getValidatedIdTokenClaims(tokens);
  if (session && id) session.claims = { ...session.claims, name: id.name, email: id.email };
  if (!pending.retry) return { returnTo: pending.returnTo };
  // The retried call's answer is handed to the page: a key created behind a step-up is in it, once.
  const answer = await call(pending.retry.method, pending.retry.path, pending.retry.body);
  return { returnTo: pending.returnTo, retried: { call: pending.retry, status: answer.status, body: answer.body } };
}

async function refresh(): Promise<boolean> {
  if (!session?.refreshToken) return false;
  const metadata = await server();
  const refreshToken = session.refreshToken;
  try {
    await keep(await tokenRequest((DPoP) => oauth.refreshTokenGrantRequest(metadata, client, clientAuth, refreshToken, { DPoP }), (response) => oauth.processRefreshTokenResponse(metadata, client, response)));
    return true;
  } catch {
    session = undefined;
    return false;
  }
}

export function signedIn(): { name: string; sub: string } | undefined {
  if (!session) return undefined;
  return { sub: String(session.claims.sub), name: String(session.claims.name ?? session.claims.email ?? session.claims.sub) };
}

const b64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** RFC 9421 headers for one call, over @method, @target-uri, authorization and content-digest. */
async function signatureHeaders(method: string, url: string, authorization: string, body: string): Promise<Record<string, string>> {
  const s = session!;
  const digest = `sha-256=:${b64(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)))}:`;
  const nonce = oauth.generateRandomState();
  const params = `("@method" "@target-uri" "authorization" "content-digest");created=${Math.floor(Date.now() / 1000)};nonce="${nonce}";keyid="${s.signingKeyId}";alg="hmac-sha256"`;
  const base = [`"@method": ${method}`, `"@target-uri": ${url}`, `"authorization": ${authorization}`, `"content-digest": ${digest}`, `"@signature-params": ${params}`].join('\n');
  const signature = b64(await crypto.subtle.sign('HMAC', s.signingKey, new TextEncoder().encode(base)));
  return { 'content-digest': digest, 'signature-input': `sig=${params}`, signature: `sig=:${signature}:` };
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Thrown when nobody is signed in (the page then offers the sign-in). */
export class SignedOut extends Error {}

/**
 * One API call, DPoP-bound and signed; an expired token is refreshed once. With `stepUp`
 * (an action the person asked for), a step-up challenge sends the browser to sign in again and
 * the call is retried on return; without it (a page loading what it shows) the 401 is returned,
 * so merely looking never sends anyone away to sign in.
 */
export async function call<T = Record<string, unknown>>(method: string, path: string, body?: string, options: { stepUp?: boolean; retried?: boolean } = {}): Promise<Answer<T>> {
  if (!session) throw new SignedOut();
  if (session.expiresAt - Date.now() < 10_000) await refresh();
  if (!session) throw new SignedOut();
  const url = new URL(path, location.origin);
  const authorization = `DPoP ${session.accessToken}`;
  const headers = new Headers(await signatureHeaders(method, url.href, authorization, body ?? ''));
  if (body !== undefined) headers.set('content-type', 'application/json');
  const dpop = oauth.DPoP(client, await deviceKey());
  const send = () => oauth.protectedResourceRequest(session!.accessToken, method, url, headers, body ?? null, { DPoP: dpop });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    if (oauth.isDPoPNonceError(error)) response = await send().catch((again: unknown) => challenged(again));
    else response = challenged(error);
  }
  if (response.status === 401) {
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (challenge.error === 'insufficient_user_authentication' && options.stepUp) {
      await signIn({ retry: { method, path, ...(body !== undefined ? { body } : {}) }, maxAge: challenge.maxAge ?? 0, ...(challenge.acr ? { acr: challenge.acr } : {}) });
    }
    if (!options.retried && challenge.error === 'invalid_token' && (await refresh())) return call(method, path, body, { ...options, retried: true });
  }
  const text = await response.text();
  let parsed: unknown = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed as T };
}

function challenged(error: unknown): Response {
  if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response;
  throw error;
}

function parseChallenge(header: string | null): { error?: string; maxAge?: number; acr?: string } {
  if (!header) return {};
  const value = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(header)?.[1];
  const maxAge = value('max_age') ?? /max_age=(\d+)/.exec(header)?.[1];
  return { ...(value('error') ? { error: value('error')! } : {}), ...(maxAge !== undefined ? { maxAge: Number(maxAge) } : {}), ...(value('acr_values') ? { acr: value('acr_values')! } : {}) };
}

/** Forgets the session here (tokens are only in memory) and ends it at Palisade. */
export async function signOut(): Promise<void> {
  if (session) {
    const sid = session.claims.sid;
    if (typeof sid === 'string') await call('DELETE', `/api/v1/me/sessions/${encodeURIComponent(sid)}`).catch(() => undefined);
  }
  session = undefined;
}
