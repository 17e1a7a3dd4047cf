/**
 * The start page at `/`: a newcomer signs in through the same Authorization Code + PKCE flow a
 * mobile app uses (as the built-in public client `palisade-start`) and sees who is signed in
 * (name, roles, territory, device), what the token allows (scopes, the permissions the roles
 * give, expiry) and the API calls it made — `/api/v1/me` and `/api/v1/me/permissions`, signed as
 * an app signs them (RFC 9421, WebCrypto HMAC with the session's signing key) — with the raw JSON
 * one click away. Refusals (access_denied, a rate limit) show as an error panel. Its script is
 * served as a file and fills the page with textContent only, so the strict CSP holds and every
 * value stays text.
 */
import type { FastifyInstance } from 'fastify';
import { page } from '../oauth/pages.ts';

const SCRIPT = String.raw`
const $ = (id) => document.getElementById(id);
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = location.origin + '/';
const show = (id, value) => { $(id).textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2); };
const claimsOf = (jwt) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));

async function signIn(prompt) {
  const verifier = random();
  const state = random();
  sessionStorage.setItem('palisade.pkce', JSON.stringify({ verifier, state }));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const url = new URL('/oauth2/authorize', location.origin);
  url.search = new URLSearchParams({
    client_id: 'palisade-start', redirect_uri: redirectUri, response_type: 'code',
    scope: 'openid profile email offline_access api', state, code_challenge: challenge, code_challenge_method: 'S256',
    ...(prompt ? { prompt } : {}),
  });
  location.assign(url);
}

/**
 * A refusal as the page shows it: the OAuth error code (token endpoint) or the problem type
 * (Palisade's RFC 9457 answers, e.g. rate-limited), its description, and Retry-After if given.
 */
async function failureOf(response) {
  let body = {};
  try { body = await response.json(); } catch { /* not JSON: the status says enough */ }
  const error = new Error(body.error_description || body.detail || response.statusText || 'HTTP ' + response.status);
  error.code = body.error || (typeof body.type === 'string' ? body.type.replace(/^.*\/problems\//, '') : 'http_' + response.status);
  error.retryAfter = response.headers.get('retry-after');
  return error;
}

async function token(params) {
  const response = await fetch('/oauth2/token', { method: 'POST', body: new URLSearchParams({ client_id: 'palisade-start', ...params }) });
  if (!response.ok) throw await failureOf(response);
  return response.json();
}

// API calls are signed as an app signs them (RFC 9421, HMAC-SHA256 with the session's signing
// key from the token response; docs/security.md): Content-Digest of the (here empty) body,
// then the signature base over @method, @target-uri, authorization and content-digest.
const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
async function signedFetch(path, tokens, method = 'GET', body = '') {
  const url = location.origin + path;
  const authorization = 'Bearer ' + tokens.access_token;
  const digest = 'sha-256=:' + b64(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body))) + ':';
  const params = '("@method" "@target-uri" "authorization" "content-digest");created=' + Math.floor(Date.now() / 1000) +
    ';nonce="' + random() + '";keyid="' + tokens.signing_key_id + '";alg="hmac-sha256"';
  const base = ['"@method": ' + method, '"@target-uri": ' + url, '"authorization": ' + authorization, '"content-digest": ' + digest, '"@signature-params": ' + params].join('\n');
  const raw = Uint8Array.from(atob(tokens.signing_key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = b64(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(base)));
  return fetch(url, { method, headers: { authorization, 'content-digest': digest, 'signature-input': 'sig=' + params, signature: 'sig=:' + signature + ':' }, ...(body ? { body } : {}) });
}

/** The API calls this page made for the summary, as it shows them. */
const calls = [];
async function callApi(path, tokens) {
  // Listed in the order made, though they run side by side.
  const call = { method: 'GET', path, status: 0, keyId: tokens.signing_key_id };
  calls.push(call);
  const response = await signedFetch(path, tokens);
  call.status = response.status;
  if (!response.ok) throw await failureOf(response);
  return response.json();
}

async function showTokens(tokens) {
  sessionStorage.setItem('palisade.tokens', JSON.stringify(tokens));
  const claims = claimsOf(tokens.access_token);
  calls.length = 0;
  const [me, permissions] = await Promise.all([callApi('/api/v1/me', tokens), callApi('/api/v1/me/permissions', tokens)]);
  $('error').hidden = true;
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  renderWho(me, claims);
  renderAllows(tokens, claims, me, permissions);
  renderCalls();
  show('claims', claims);
  show('me', me);
  show('permissions-json', permissions);
  // Rendered from the answers: the summary above is what Palisade said, field by field.
  $('summary').dataset.subject = claims.sub;
}

// Every value below is set with textContent, never as markup: names and attributes come from
// the company IdP, and a name such as "<script>" must show as text.
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};
const setText = (id, value) => { $(id).textContent = value === undefined || value === null || value === '' ? '—' : String(value); };
const chips = (id, values, empty) => $(id).replaceChildren(...(values.length ? values.map((v) => el('span', 'chip', v)) : [el('span', 'muted', empty)]));
const timeOf = (ms) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' });
const fromNow = (ms) => {
  const s = Math.round((ms - Date.now()) / 1000);
  if (s <= 0) return 'expired';
  if (s < 120) return 'in ' + s + ' s';
  if (s < 7200) return 'in ' + Math.round(s / 60) + ' min';
  if (s < 172800) return 'in ' + Math.round(s / 3600) + ' h';
  return 'in ' + Math.round(s / 86400) + ' days';
};

function renderWho(me, claims) {
  setText('who-name', me.name);
  setText('who-email', me.email);
  chips('who-roles', me.roles, 'no role');
  const a = me.attributes || {};
  setText('who-territory', a.territory || (a.region ? 'region ' + a.region : 'unscoped (no territory or region)'));
  const facts = [a.department && 'department ' + a.department, a.region && a.territory && 'region ' + a.region, a.projects && a.projects.length && 'projects ' + a.projects.join(', '), a.employeeType].filter(Boolean);
  setText('who-attributes', facts.join(' · '));
  const jkt = claims.cnf && claims.cnf.jkt;
  setText('who-device', jkt
    ? 'device key ' + jkt.slice(0, 12) + '…' + (claims.device_ownership ? ' (' + claims.device_ownership + ')' : '')
    : 'this browser: the start page is a web client, so its tokens are not bound to a device key (apps bind theirs with DPoP)');
}

function renderAllows(tokens, claims, me, permissions) {
  chips('token-scope', (tokens.scope || claims.scope || '').split(' ').filter(Boolean), 'none');
  setText('token-audience', claims.aud);
  setText('token-expiry', timeOf(claims.exp * 1000) + ' (' + fromNow(claims.exp * 1000) + ')');
  setText('session-expiry', me.session && me.session.expiresAt ? timeOf(Date.parse(me.session.expiresAt)) + ' (' + fromNow(Date.parse(me.session.expiresAt)) + ', by refreshing)' : undefined);
  setText('sign-in-method', (claims.amr || []).join(' + '));
  $('permission-count').textContent = String(permissions.permissions.length);
  $('permissions').replaceChildren(...permissions.permissions.map((p) => {
    const item = el('li', 'permission');
    item.append(el('code', '', p.name), el('span', 'muted', ' ' + p.scope));
    if (p.stepUp) item.append(el('span', 'badge', 'step-up'));
    return item;
  }));
}

function renderCalls() {
  $('calls').replaceChildren(...calls.map((c) => {
    const item = el('li', 'call');
    item.append(el('code', '', c.method + ' ' + c.path), el('span', c.status < 400 ? 'status ok' : 'status failed', String(c.status)));
    item.append(el('span', 'muted', 'signed (RFC 9421, hmac-sha256, key ' + c.keyId + ') with the bearer token'));
    return item;
  }));
}

const HINTS = {
  access_denied: 'The sign-in was refused or cancelled. A person in no group that grants a role has no access to these apps: sign in as another demo person.',
  'rate-limited': 'Too many sign-ins from this address in a short time.',
  'locked-out': 'Too many failed attempts from this address.',
  invalid_grant: 'The sign-in or refresh is no longer valid (used, expired or ended): sign in again.',
  state_mismatch: 'The answer did not belong to a sign-in started on this page: sign in again.',
};

function showError(title, code, description, retryAfter) {
  $('error-title').textContent = title;
  $('error-code').textContent = code;
  $('error-description').textContent = description || '';
  $('error-hint').textContent = (HINTS[code] || '') + (retryAfter ? ' Try again in ' + retryAfter + ' seconds.' : '');
  $('error').hidden = false;
}
const showFailure = (title, e) => showError(title, e.code || 'error', e.message, e.retryAfter);

async function main() {
  $('sign-in').addEventListener('click', () => signIn());
  $('sign-in-again').addEventListener('click', () => signIn('login'));
  $('refresh').addEventListener('click', async () => {
    const tokens = JSON.parse(sessionStorage.getItem('palisade.tokens') || '{}');
    try { await showTokens(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })); }
    catch (e) { showFailure('Refreshing the tokens failed', e); }
  });
  $('sign-out').addEventListener('click', () => { sessionStorage.clear(); location.assign('/'); });
  const params = new URLSearchParams(location.search);
  if (params.has('error')) {
    showError('Sign-in failed', params.get('error'), params.get('error_description'));
    history.replaceState(null, '', '/');
    return;
  }
  if (params.has('code')) {
    const saved = JSON.parse(sessionStorage.getItem('palisade.pkce') || '{}');
    history.replaceState(null, '', '/');
    if (params.get('state') !== saved.state) { showError('Sign-in failed', 'state_mismatch', 'the sign-in was not started from this page'); return; }
    try { await showTokens(await token({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri, code_verifier: saved.verifier })); }
    catch (e) { showFailure('Sign-in failed', e); }
    return;
  }
  const saved = sessionStorage.getItem('palisade.tokens');
  if (saved) {
    try { await showTokens(JSON.parse(saved)); }
    catch (e) { showFailure('The API call failed', e); }
  }
}
main();
`;

export async function startPage(app: FastifyInstance, options: { development: boolean }): Promise<void> {
  app.get('/assets/start.js', { schema: { hide: true } }, (_req, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));
  app.get('/', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(
      page(
        'Palisade',
        `${options.development ? '<p class="banner">Development mode: sign in as one of the demo people of the development IdP.</p>' : ''}
        <section id="error" class="error-panel" role="alert" hidden>
          <h2 id="error-title">Sign-in failed</h2>
          <p class="error-code"><code id="error-code"></code></p>
          <p id="error-description"></p>
          <p id="error-hint" class="hint"></p>
        </section>
        <section id="signed-out">
          <p>Sign in through your company's identity provider with the same Authorization Code + PKCE flow a mobile app uses.</p>
          <button id="sign-in">Sign in</button>
        </section>
        <section id="signed-in" hidden>
          <div id="summary">
            <h2>Signed in</h2>
            <dl class="facts">
              <dt>Name</dt><dd id="who-name"></dd>
              <dt>E-mail</dt><dd id="who-email"></dd>
              <dt>Roles</dt><dd id="who-roles"></dd>
              <dt>Territory</dt><dd id="who-territory"></dd>
              <dt>Attributes</dt><dd id="who-attributes"></dd>
              <dt>Device</dt><dd id="who-device"></dd>
            </dl>
            <h2>What the token allows</h2>
            <dl class="facts">
              <dt>Scopes</dt><dd id="token-scope"></dd>
              <dt>Audience</dt><dd id="token-audience"></dd>
              <dt>Access token expires</dt><dd id="token-expiry"></dd>
              <dt>Session lasts until</dt><dd id="session-expiry"></dd>
              <dt>Signed in with</dt><dd id="sign-in-method"></dd>
            </dl>
            <h3><span id="permission-count"></span> permissions (from the roles, checked on every API call)</h3>
            <ul id="permissions" class="permissions"></ul>
            <h2>API calls made</h2>
            <ul id="calls" class="calls"></ul>
          </div>
          <details id="raw">
            <summary>Raw JSON</summary>
            <h3>Access token claims</h3><pre id="claims"></pre>
            <h3>GET /api/v1/me</h3><pre id="me"></pre>
            <h3>GET /api/v1/me/permissions</h3><pre id="permissions-json"></pre>
          </details>
          <p class="actions"><button id="refresh">Refresh tokens</button><button id="sign-in-again" class="secondary">Sign in as someone else</button><button id="sign-out" class="secondary">Forget tokens</button></p>
        </section>
        <p class="muted">API: <a href="/openapi.json">/openapi.json</a> · discovery: <a href="/.well-known/openid-configuration">/.well-known/openid-configuration</a></p>
        <script src="/assets/start.js" type="module"></script>`,
      ),
    ),
  );
}
