/**
 * The start page's script (Palisade's `/`, server/src/http/start-page.ts), on the SDK's web build
 * (`@palisade/client/web`): the page signs in exactly as a web app built on the SDK does, so every
 * start-page test also proves the SDK in a real browser.
 *
 * - Sign-in: Authorization Code + PKCE (S256), `state`, `nonce` and `dpop_jkt` as the built-in
 *   public client `palisade-start`, through the SDK (oauth4webapi underneath). The sign-in in
 *   progress waits in the SDK's encrypted store across the redirect.
 * - DPoP (RFC 9449) with a non-extractable P-256 WebCrypto key kept in IndexedDB, and every API
 *   call signed as an app signs it (RFC 9421, HMAC-SHA256 with the session's signing key).
 * - The refresh token and the signing key live only in IndexedDB as AES-GCM ciphertext under a
 *   non-extractable key; the access token only in memory. Nothing goes to localStorage,
 *   sessionStorage or a cookie. A reload restores the session from the encrypted store and
 *   refreshes; a store that can no longer be decrypted is a signed-out page.
 *
 * Vite bundles it (console/vite.start.config.ts) into console/dist-start/start.js, which the
 * server serves as /assets/start.js under the strict CSP (no inline script). The page is filled
 * with textContent only, so every value from the IdP or the API stays text.
 */
import { PalisadeClient, PalisadeError, webPlatform } from '@palisade/client/web';

const CLIENT_ID = 'palisade-start';
/** The SDK's IndexedDB database for this page (its own, apart from the console's). */
const DATABASE = 'palisade-start';
const redirectUri = `${location.origin}/`;

const client = new PalisadeClient({
  issuer: location.origin,
  clientId: CLIENT_ID,
  // No appKey: a browser page keeps none (the server waives it for this client, as for the console).
  platform: webPlatform({ appVersion: '0.1.0', database: DATABASE }),
});

const $ = (id: string): HTMLElement => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the start page has no #${id}`);
  return node;
};
const show = (id: string, value: unknown) => {
  $(id).textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
};

interface Me {
  name?: string;
  email?: string;
  roles: string[];
  attributes?: { territory?: string; region?: string; department?: string; projects?: string[]; employeeType?: string };
  session?: { expiresAt?: string };
}
interface Permissions {
  permissions: { name: string; scope: string; stepUp?: boolean }[];
}
interface Claims {
  sub?: string;
  aud?: string | string[];
  exp?: number;
  scope?: string;
  amr?: string[];
  cnf?: { jkt?: string };
  device_ownership?: string;
}
/** A refusal as the page shows it: a code, its description, and Retry-After if given. */
interface Failure {
  code: string;
  message: string;
  retryAfter?: number | string;
}

function failureOf(error: unknown): Failure {
  if (error instanceof PalisadeError) {
    const problem = error.problem as { detail?: string; retryAfter?: number } | undefined;
    const retryAfter = error.retryAfter ?? problem?.retryAfter;
    return { code: error.code, message: problem?.detail ?? error.message, ...(retryAfter !== undefined ? { retryAfter } : {}) };
  }
  return { code: 'error', message: error instanceof Error ? error.message : String(error) };
}

/** The API calls this page made for the summary, as it shows them. */
const calls: { method: string; path: string; status: number; keyId: string }[] = [];
async function callApi<T>(path: string): Promise<T> {
  // Listed in the order made, though they run side by side.
  const call = { method: 'GET', path, status: 0, keyId: '' };
  calls.push(call);
  const response = await client.fetch(path);
  call.status = response.status;
  call.keyId = client.tokenInfo?.signingKeyId ?? '—';
  if (!response.ok) {
    let problem: { type?: string; detail?: string; title?: string; retryAfter?: number } = {};
    try {
      problem = (await response.json()) as typeof problem;
    } catch {
      // not JSON: the status says enough
    }
    const failure: Failure = {
      code: typeof problem.type === 'string' ? problem.type.replace(/^.*\/problems\//, '') : `http_${response.status}`,
      message: problem.detail ?? problem.title ?? `HTTP ${response.status}`,
      ...((response.headers.get('retry-after') ?? problem.retryAfter) ? { retryAfter: response.headers.get('retry-after') ?? problem.retryAfter! } : {}),
    };
    throw failure;
  }
  return (await response.json()) as T;
}

async function showSignedIn(): Promise<void> {
  calls.length = 0;
  const [me, permissions] = await Promise.all([callApi<Me>('/api/v1/me'), callApi<Permissions>('/api/v1/me/permissions')]);
  // The calls above fetched (or refreshed) the access token: its claims are what the SDK holds now.
  const claims = (client.tokenInfo?.claims ?? {}) as Claims;
  $('error').hidden = true;
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  renderWho(me, claims);
  renderAllows(claims, me, permissions);
  renderCalls();
  show('claims', claims);
  show('me', me);
  show('permissions-json', permissions);
  // Rendered from the answers: the summary above is what Palisade said, field by field.
  if (claims.sub) $('summary').dataset.subject = claims.sub;
}

// Every value below is set with textContent, never as markup: names and attributes come from
// the company IdP, and a name such as "<script>" must show as text.
const el = (tag: string, className: string, text?: string) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};
const setText = (id: string, value: unknown) => {
  $(id).textContent = value === undefined || value === null || value === '' ? '—' : String(value);
};
const chips = (id: string, values: string[], empty: string) =>
  $(id).replaceChildren(...(values.length ? values.map((v) => el('span', 'chip', v)) : [el('span', 'muted', empty)]));
const timeOf = (ms: number) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' });
const fromNow = (ms: number) => {
  const s = Math.round((ms - Date.now()) / 1000);
  if (s <= 0) return 'expired';
  if (s < 120) return `in ${s} s`;
  if (s < 7200) return `in ${Math.round(s / 60)} min`;
  if (s < 172800) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} days`;
};

function renderWho(me: Me, claims: Claims): void {
  setText('who-name', me.name);
  setText('who-email', me.email);
  chips('who-roles', me.roles, 'no role');
  const a = me.attributes ?? {};
  setText('who-territory', a.territory || (a.region ? `region ${a.region}` : 'unscoped (no territory or region)'));
  const facts = [a.department && `department ${a.department}`, a.region && a.territory && `region ${a.region}`, a.projects?.length && `projects ${a.projects.join(', ')}`, a.employeeType].filter(Boolean);
  setText('who-attributes', facts.join(' · '));
  const jkt = claims.cnf?.jkt;
  setText(
    'who-device',
    jkt
      ? `this browser: tokens bound (DPoP) to device key ${jkt.slice(0, 12)}…, a non-extractable WebCrypto key kept in IndexedDB${claims.device_ownership ? ` (${claims.device_ownership})` : ''}`
      : 'this browser: tokens not bound to a device key',
  );
}

function renderAllows(claims: Claims, me: Me, permissions: Permissions): void {
  chips('token-scope', (claims.scope ?? '').split(' ').filter(Boolean), 'none');
  setText('token-audience', Array.isArray(claims.aud) ? claims.aud.join(' ') : claims.aud);
  setText('token-expiry', claims.exp ? `${timeOf(claims.exp * 1000)} (${fromNow(claims.exp * 1000)})` : undefined);
  const sessionEnd = me.session?.expiresAt ? Date.parse(me.session.expiresAt) : undefined;
  setText('session-expiry', sessionEnd ? `${timeOf(sessionEnd)} (${fromNow(sessionEnd)}, by refreshing)` : undefined);
  setText('sign-in-method', (claims.amr ?? []).join(' + '));
  $('permission-count').textContent = String(permissions.permissions.length);
  $('permissions').replaceChildren(
    ...permissions.permissions.map((p) => {
      const item = el('li', 'permission');
      item.append(el('code', '', p.name), el('span', 'muted', ` ${p.scope}`));
      if (p.stepUp) item.append(el('span', 'badge', 'step-up'));
      return item;
    }),
  );
}

function renderCalls(): void {
  const how = client.tokenInfo?.dpop ? 'with the DPoP-bound token and a DPoP proof' : 'with the bearer token';
  $('calls').replaceChildren(
    ...calls.map((c) => {
      const item = el('li', 'call');
      item.append(el('code', '', `${c.method} ${c.path}`), el('span', c.status < 400 ? 'status ok' : 'status failed', String(c.status)));
      item.append(el('span', 'muted', `signed (RFC 9421, hmac-sha256, key ${c.keyId}) ${how}`));
      return item;
    }),
  );
}

const HINTS: Record<string, string> = {
  access_denied: 'The sign-in was refused or cancelled. A person in no group that grants a role has no access to these apps: sign in as another demo person.',
  'rate-limited': 'Too many sign-ins from this address in a short time.',
  'locked-out': 'Too many failed attempts from this address.',
  invalid_grant: 'The sign-in or refresh is no longer valid (used, expired or ended): sign in again.',
  'signed-out': 'The session has ended (used, expired or revoked): sign in again.',
  'sign-in-failed': 'The answer did not belong to a sign-in started on this page: sign in again.',
};

function showError(title: string, code: string, description?: string | null, retryAfter?: number | string): void {
  $('error-title').textContent = title;
  $('error-code').textContent = code;
  $('error-description').textContent = description ?? '';
  $('error-hint').textContent = (HINTS[code] ?? '') + (retryAfter ? ` Try again in ${retryAfter} seconds.` : '');
  $('error').hidden = false;
}
const showFailure = (title: string, error: unknown) => {
  const f = error instanceof PalisadeError || error instanceof Error ? failureOf(error) : (error as Failure);
  showError(title, f.code, f.message, f.retryAfter);
};

async function signIn(prompt?: string): Promise<void> {
  try {
    location.assign(await client.beginSignIn({ redirectUri, ...(prompt ? { params: { prompt } } : {}) }));
  } catch (error) {
    showFailure('Sign-in failed', error);
  }
}

/**
 * A session kept by an earlier visit, read back from the encrypted store. A store whose key is
 * gone (the browser's site data was partly cleared) cannot be decrypted: that is no session,
 * and its leftovers are erased.
 */
async function restored(): Promise<boolean> {
  try {
    return await client.restore();
  } catch {
    await client.signOut({ erase: true }).catch(() => undefined);
    return false;
  }
}

async function main(): Promise<void> {
  $('sign-in').addEventListener('click', () => void signIn());
  $('sign-in-again').addEventListener('click', () => void signIn('login'));
  $('refresh').addEventListener('click', () => {
    void (async () => {
      try {
        await client.refresh();
        await showSignedIn();
      } catch (error) {
        showFailure('Refreshing the tokens failed', error);
      }
    })();
  });
  $('sign-out').addEventListener('click', () => {
    void client.signOut({ erase: true }).finally(() => location.assign('/'));
  });
  const params = new URLSearchParams(location.search);
  if (params.has('error')) {
    showError('Sign-in failed', params.get('error') ?? 'error', params.get('error_description'));
    history.replaceState(null, '', '/');
    return;
  }
  if (params.has('code')) {
    const callback = location.href;
    history.replaceState(null, '', '/');
    try {
      await client.completeSignIn(callback);
    } catch (error) {
      showFailure('Sign-in failed', error);
      return;
    }
    try {
      await showSignedIn();
    } catch (error) {
      showFailure('The API call failed', error);
    }
    return;
  }
  if (await restored()) {
    try {
      await showSignedIn();
    } catch (error) {
      showFailure('The API call failed', error);
    }
  }
}

void main();
