/**
 * The start page at `/`: a newcomer signs in through the same Authorization Code + PKCE flow a
 * mobile app uses (as the built-in public client `palisade-start`) and sees the access token's
 * claims and `/api/v1/me`, which it calls signed as an app does (RFC 9421, WebCrypto HMAC with the
 * session's signing key). Its script is served as a file, so the strict CSP holds.
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

async function token(params) {
  const response = await fetch('/oauth2/token', { method: 'POST', body: new URLSearchParams({ client_id: 'palisade-start', ...params }) });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error + ': ' + (body.error_description || ''));
  return body;
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

async function showTokens(tokens) {
  sessionStorage.setItem('palisade.tokens', JSON.stringify(tokens));
  $('signed-in').hidden = false;
  $('signed-out').hidden = true;
  show('claims', claimsOf(tokens.access_token));
  const me = await signedFetch('/api/v1/me', tokens);
  show('me', await me.json());
}

async function main() {
  $('sign-in').addEventListener('click', () => signIn());
  $('sign-in-again').addEventListener('click', () => signIn('login'));
  $('refresh').addEventListener('click', async () => {
    const tokens = JSON.parse(sessionStorage.getItem('palisade.tokens') || '{}');
    try { await showTokens(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })); }
    catch (e) { show('error', String(e.message)); }
  });
  $('sign-out').addEventListener('click', () => { sessionStorage.clear(); location.assign('/'); });
  const params = new URLSearchParams(location.search);
  if (params.has('error')) { show('error', params.get('error') + ': ' + (params.get('error_description') || '')); history.replaceState(null, '', '/'); return; }
  if (params.has('code')) {
    const saved = JSON.parse(sessionStorage.getItem('palisade.pkce') || '{}');
    history.replaceState(null, '', '/');
    if (params.get('state') !== saved.state) { show('error', 'state mismatch: the sign-in was not started from this page'); return; }
    try { await showTokens(await token({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri, code_verifier: saved.verifier })); }
    catch (e) { show('error', String(e.message)); }
    return;
  }
  const saved = sessionStorage.getItem('palisade.tokens');
  if (saved) await showTokens(JSON.parse(saved));
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
        <p>Sign in through your company's identity provider with the same Authorization Code + PKCE flow a mobile app uses.</p>
        <section id="signed-out"><button id="sign-in">Sign in</button></section>
        <section id="signed-in" hidden>
          <button id="refresh">Refresh tokens</button><button id="sign-in-again" class="secondary">Sign in again (prompt=login)</button><button id="sign-out" class="secondary">Forget tokens</button>
          <h2>Access token claims</h2><pre id="claims"></pre>
          <h2>GET /api/v1/me</h2><pre id="me"></pre>
        </section>
        <pre id="error" class="error"></pre>
        <p class="muted">API: <a href="/openapi.json">/openapi.json</a> · discovery: <a href="/.well-known/openid-configuration">/.well-known/openid-configuration</a></p>
        <script src="/assets/start.js" type="module"></script>`,
      ),
    ),
  );
}
