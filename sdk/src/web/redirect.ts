/**
 * Sign-in by full-page redirect, for web apps: the page goes to Palisade's authorization
 * endpoint and comes back to `redirectUri` with the code. What must survive the trip (PKCE
 * verifier, state, nonce, the page to return to and, for a step-up, the refused call) waits in
 * the SDK's secure store, which on the web is IndexedDB under a non-extractable AES-GCM key.
 *
 * - `signInWithRedirect(client, { redirectUri })` starts a sign-in (the promise never settles:
 *   the page is leaving).
 * - `reauthenticateWithRedirect({ redirectUri })` is the client's `reauthenticate` option: an
 *   RFC 9470 challenge (`step-up-required`) sends the page to sign in again with the
 *   challenge's `max_age`/`acr_values` and `prompt=login`, keeping the refused call.
 * - `completeRedirectSignIn(client)` on every page load: when the URL is an authorization
 *   response it is taken out of the address bar, the code exchanged, and the kept call sent
 *   again (its answer is in `resumed`); otherwise it returns undefined.
 */
import type { PalisadeClient, ResumableCall, SignInResult, StepUpContext, StepUpRequest } from '../client.ts';

export interface RedirectOptions {
  /** The registered redirect URI the authorization response comes back to. */
  redirectUri: string;
  /** Extra authorization parameters (`login_hint`, `prompt`…). */
  params?: Record<string, string>;
  /**
   * Where the app wants to be after the sign-in, handed back as `SignInResult.appState`.
   * Default: the current path, query and fragment.
   */
  appState?: string;
  /** Leaves the page for the authorization URL. Default `location.assign`. */
  navigate?(url: URL): void;
}

const here = () => `${location.pathname}${location.search}${location.hash}`;

/** Sends the page to sign in; never settles (the page is leaving). */
export async function signInWithRedirect(client: PalisadeClient, options: RedirectOptions & StepUpRequest & { resume?: ResumableCall }): Promise<never> {
  const url = await client.beginSignIn({
    redirectUri: options.redirectUri,
    appState: options.appState ?? here(),
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
    ...(options.acr ? { acr: options.acr } : {}),
    ...(options.params ? { params: options.params } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
  });
  (options.navigate ?? ((target: URL) => location.assign(target.href)))(url);
  return new Promise<never>(() => undefined);
}

/**
 * The `reauthenticate` option for a web app: a step-up challenge leaves the page to sign in
 * again (a real login: `prompt=login`, with the challenge's `max_age` and `acr_values`), and
 * the refused call is sent again by `completeRedirectSignIn` when the page comes back.
 */
export function reauthenticateWithRedirect(options: RedirectOptions): (request: StepUpRequest, context: StepUpContext) => Promise<void> {
  return (request, context) =>
    signInWithRedirect(context.client, {
      ...options,
      ...request,
      params: { prompt: 'login', ...options.params },
      ...(context.call ? { resume: context.call } : {}),
    });
}

/**
 * Completes a sign-in the page came back from: undefined when `url` (default: this page's) is
 * not an authorization response. For this page's URL the response's parameters are removed from
 * the address bar (`history.replaceState`) before anything else, so a reload never presents the
 * code twice.
 * A refused or foreign response throws the SDK's `sign-in-failed`.
 */
export async function completeRedirectSignIn(client: PalisadeClient, url?: string): Promise<SignInResult | undefined> {
  const callback = new URL(url ?? location.href);
  if (!callback.searchParams.has('state') && !callback.searchParams.has('code') && !callback.searchParams.has('error')) return undefined;
  if (url === undefined) history.replaceState(null, '', callback.pathname);
  return client.completeSignIn(callback);
}
