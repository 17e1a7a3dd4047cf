/**
 * The web build's platform: the SDK's WebCrypto device key (non-extractable, in IndexedDB) and
 * its encrypted IndexedDB store. Every token request carries the SDK's web posture report (the
 * app version and the browser's own hints, signed with the device key). The development server
 * knows `field-web` as a browser client; a company registers its web build with
 * `clients[].platform: web`. The report meets the app's version minimum. Nothing goes to local web storage; the only sessionStorage entry is
 * where to return after a step-up sign-in (a path, no secret), removed on the way back.
 */
import { encryptedIndexedDbStore, webPlatform, type OfflineBackend, type PalisadeClient, type Platform, type StepUpRequest } from '@palisade/client/web';
import { APP_VERSION } from './config';

const RETURN_TO = 'field.returnTo';
/** Where the callback route goes once the sign-in is complete (the report, after a step-up). */
let returnTo = '/';

export function afterSignIn(): string {
  return returnTo;
}

export function platform(): Platform {
  return webPlatform({ appVersion: APP_VERSION, database: 'palisade-field' });
}

export function redirectUri(): string {
  return `${window.location.origin}/callback`;
}

/** The sign-in page is a full-page redirect: this promise never settles, the page goes away. */
export async function beginSignIn(client: PalisadeClient, request: StepUpRequest & { params?: Record<string, string> } = {}): Promise<void> {
  const url = await client.beginSignIn({ redirectUri: redirectUri(), ...request });
  window.location.assign(url.href);
  await new Promise<never>(() => undefined);
}

/** Where a step-up sign-in comes back to, when not simply this page (the report, to resume its export). */
let resumeAt: string | undefined;

export function resumeAfterStepUp(path: string | undefined): void {
  resumeAt = path;
}

export async function stepUp(client: PalisadeClient, request: StepUpRequest): Promise<void> {
  sessionStorage.setItem(RETURN_TO, resumeAt ?? window.location.pathname);
  // prompt=login besides max_age: the company IdP asks the person again even where its own
  // browser session would still pass max_age by its clock.
  await beginSignIn(client, { ...request, params: { prompt: 'login' } });
}

/**
 * Back from the IdP: completes the sign-in in progress once. Returns where to go next, or
 * undefined when this page load is not a callback.
 */
export async function completeSignInIfCallback(client: PalisadeClient): Promise<string | undefined> {
  const here = new URL(window.location.href);
  if (here.pathname !== '/callback') return undefined;
  returnTo = sessionStorage.getItem(RETURN_TO) ?? '/';
  sessionStorage.removeItem(RETURN_TO);
  // The code must not stay in the address bar or the history.
  window.history.replaceState(null, '', '/callback');
  await client.completeSignIn(here.href);
  return returnTo;
}

export function openConsole(url: string): void {
  window.open(url, '_blank', 'noopener');
}

/** The CSV as a download: an object URL revoked right after the click. */
export async function saveCsv(response: Response, name: string): Promise<number> {
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
  return blob.size;
}

/** The browser's position (it asks the person once); undefined when refused or unavailable. */
export function currentPosition(): Promise<{ latitude: number; longitude: number; accuracyM: number } | undefined> {
  if (!('geolocation' in navigator)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracyM: p.coords.accuracy }),
      () => resolve(undefined),
      { enableHighAccuracy: false, timeout: 30_000, maximumAge: 60_000 },
    );
  });
}

/** The offline store's backend: AES-GCM under a non-extractable key, in its own IndexedDB database. */
export function offlineBackend(): OfflineBackend | undefined {
  return encryptedIndexedDbStore('palisade-field-offline');
}
