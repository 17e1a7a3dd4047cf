/**
 * The one PalisadeClient of the app, on the platform of the build: `@palisade/client` resolves
 * through its `browser` export condition on the web (metro.config.js says so) and its
 * `react-native` condition in the iOS and Android builds. Everything the app says to Palisade
 * goes through this client: sign-in (PKCE, DPoP), signed API calls, lock, wipe.
 */
import { OfflineStore, PalisadeClient, PalisadeError, offlinePolicy, type OfflinePolicy, type StepUpRequest } from '@palisade/client';
import { APP_KEY, CLIENT_ID, IDLE_TIMEOUT_MS, PALISADE_URL } from './config';
import { offlineBackend, platform, redirectUri, stepUp } from './platform';

let client: PalisadeClient | undefined;

export function palisade(): PalisadeClient {
  client ??= new PalisadeClient({
    issuer: PALISADE_URL,
    clientId: CLIENT_ID,
    appKey: APP_KEY,
    platform: platform(),
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    // A step-up (RFC 9470: the export wants a recent sign-in) signs the person in again.
    reauthenticate: (request: StepUpRequest) => stepUp(palisade(), request),
  });
  return client;
}

export { redirectUri };

let offline: Promise<{ store: OfflineStore; policy: OfflinePolicy } | undefined> | undefined;

/**
 * The encrypted offline store (src/offline.ts says what goes in it), made once per session: the
 * policy from Palisade's OpenAPI document, switched on or off by the verified managed app
 * configuration, registered with the client so a wipe or sign-out erases it. Undefined where
 * the platform has none or Palisade could not be asked (offline before the first answer).
 */
export function offlineStore(): Promise<{ store: OfflineStore; policy: OfflinePolicy } | undefined> {
  offline ??= (async () => {
    const backend = offlineBackend();
    if (!backend) return undefined;
    const client = palisade();
    const [document, config] = await Promise.all([fetch(`${PALISADE_URL}/openapi.json`).then((r) => r.json() as Promise<Parameters<typeof offlinePolicy>[0]>), client.appConfig()]);
    const policy = offlinePolicy(document);
    const store = new OfflineStore({ backend, policy, config });
    client.registerStore(store);
    return { store, policy };
  })().catch(() => {
    offline = undefined;
    return undefined;
  });
  return offline;
}

/** After a sign-out or wipe the next person's configuration decides again. */
export function forgetOfflineStore(): void {
  offline = undefined;
}

/** What to tell the person about a refusal: the server's own words when it gave some. */
export function explain(error: unknown): string {
  if (error instanceof PalisadeError) {
    const problem = error.problem as { title?: string; detail?: string } | undefined;
    if (problem?.detail) return problem.detail;
    if (problem?.title) return problem.title;
    if (error.code === 'network') return 'No connection to Palisade.';
    return error.message;
  }
  // Not a server answer: the message names what failed (never a token: the SDK puts none in one).
  return error instanceof Error && error.message ? `Something went wrong: ${error.message}` : 'Something went wrong.';
}

export function isOffline(error: unknown): boolean {
  return error instanceof PalisadeError && error.code === 'network';
}

export function problemType(error: unknown): string | undefined {
  return error instanceof PalisadeError ? error.code : undefined;
}
