/**
 * The console's thin adapter over the SDK's web build (`@palisade/client/web`): the protocol is
 * the SDK's, exactly as a web app built on it runs it.
 *
 * - Sign-in: Authorization Code + PKCE (S256), `state`, `nonce` and `dpop_jkt` as the built-in
 *   public browser client `palisade-console`, by full-page redirect (oauth4webapi underneath).
 *   No app key: a browser cannot keep one (decision 0015); the server waives it for this client.
 * - DPoP (RFC 9449) with a non-extractable P-256 WebCrypto key kept in IndexedDB, the
 *   `use_dpop_nonce` retry, and every call signed as an app signs it (RFC 9421, HMAC-SHA256
 *   with the session's signing key, Content-Digest).
 * - The refresh token and the signing key live only in IndexedDB as AES-GCM ciphertext under a
 *   non-extractable key (the SDK's encrypted store), the access token only in memory; nothing
 *   in web storage or a script-readable cookie. A reload restores the session from that store.
 * - RFC 9470: a step-up challenge to an action the person asked for (`stepUp`) sends the
 *   browser to sign in again with the challenge's `max_age`/`acr_values` and `prompt=login`; the
 *   SDK keeps the refused call with the sign-in in progress and sends it again on the way back.
 *
 * What is left here is the console's own: answers as `{ status, body }` for the pages, and the
 * signed-in person's name for the header.
 */
import { PalisadeClient, PalisadeError, completeRedirectSignIn, reauthenticateWithRedirect, signInWithRedirect, webPlatform } from '@palisade/client/web';

export const CLIENT_ID = 'palisade-console';
const redirectUri = `${location.origin}/console/`;

// The console's own IndexedDB database, apart from the start page's. (An earlier console kept its
// DPoP key in a database named `palisade-console` with another layout: it is removed.)
const DATABASE = 'palisade-console-sdk';
indexedDB.deleteDatabase('palisade-console');

const client = new PalisadeClient({
  issuer: location.origin,
  clientId: CLIENT_ID,
  platform: webPlatform({ appVersion: '0.1.0', database: DATABASE }),
  reauthenticate: reauthenticateWithRedirect({ redirectUri }),
});

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** The signed-in person as the header shows them (from `/api/v1/me`). */
let person: { sub: string; name: string } | undefined;

/** Sends the browser to sign in (a fresh login with `fresh`); never settles. */
export function signIn(options: { fresh?: boolean } = {}): Promise<never> {
  return signInWithRedirect(client, { redirectUri, ...(options.fresh ? { params: { prompt: 'login' } } : {}) });
}

/**
 * On load: finishes a sign-in the browser came back from (code exchange, then the call a
 * step-up interrupted, sent again), or restores the session kept by an earlier visit. Returns
 * where the page should go and the resumed call's answer (a key created behind a step-up is in
 * it, once); undefined when nobody is signed in.
 */
export async function start(): Promise<{ returnTo?: string; retried?: Answer } | undefined> {
  const finished = await completeRedirectSignIn(client);
  if (!finished && !(await restored())) return undefined;
  const me = await call<{ name?: string; email?: string }>('GET', '/api/v1/me');
  const sub = client.identity?.subject ?? '';
  person = { sub, name: me.body.name ?? me.body.email ?? sub };
  const resumed = finished?.resumed;
  const retried = resumed ? (resumed.response ? await answerOf<Record<string, unknown>>(resumed.response) : failureOf<Record<string, unknown>>(resumed.error)) : undefined;
  return { ...(finished?.appState ? { returnTo: finished.appState } : {}), ...(retried ? { retried } : {}) };
}

/** A session from an earlier visit; a store that no longer decrypts is no session, and is erased. */
async function restored(): Promise<boolean> {
  try {
    return await client.restore();
  } catch {
    await client.signOut({ erase: true }).catch(() => undefined);
    return false;
  }
}

export function signedIn(): { name: string; sub: string } | undefined {
  return client.state === 'active' ? person : undefined;
}

async function answerOf<T>(response: Response): Promise<Answer<T>> {
  const text = await response.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  return { status: response.status, body: body as T };
}

/** A refusal the SDK threw (it changes the app's state: locked, signed out…) as the pages show answers. */
function failureOf<T>(error: unknown): Answer<T> {
  if (error instanceof PalisadeError) return { status: error.status ?? 0, body: (error.problem ?? { title: error.message }) as T };
  return { status: 0, body: { title: error instanceof Error ? error.message : String(error) } as T };
}

/**
 * One API call through the SDK. With `stepUp` (an action the person asked for), a step-up
 * challenge sends the browser to sign in again and the call is sent again on return; without it
 * (a page loading what it shows) the challenge is returned as a 401, so merely looking never
 * sends anyone away to sign in.
 */
export async function call<T = Record<string, unknown>>(method: string, path: string, body?: string, options: { stepUp?: boolean } = {}): Promise<Answer<T>> {
  try {
    return await answerOf<T>(await client.fetch(path, { method, ...(body !== undefined ? { body } : {}), reauthenticate: options.stepUp === true }));
  } catch (error) {
    return failureOf<T>(error);
  }
}

/** Ends the session at Palisade and erases everything the console kept in this browser. */
export async function signOut(): Promise<void> {
  await client.signOut({ erase: true });
  person = undefined;
}
