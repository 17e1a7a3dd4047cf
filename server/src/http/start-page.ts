/**
 * The start page at `/`: a newcomer signs in through the same Authorization Code + PKCE flow a
 * mobile app uses (as the built-in public client `palisade-start`) and sees who is signed in
 * (name, roles, territory, device), what the token allows (scopes, the permissions the roles
 * give, expiry) and the API calls it made — `/api/v1/me` and `/api/v1/me/permissions` — with the
 * raw JSON one click away. Refusals (access_denied, a rate limit) show as an error panel.
 *
 * Its script is the SDK's web build (`@palisade/client/web`) with a small page script around it
 * (console/start-page/start.ts), bundled by Vite into console/dist-start/start.js when
 * `npm install` runs (the root `prepare` script) and served here as a file, so the strict CSP
 * holds: DPoP with a non-extractable WebCrypto key in IndexedDB, RFC 9421 signed calls, the
 * refresh token only as AES-GCM ciphertext in IndexedDB. It fills the page with textContent only,
 * so every value stays text.
 */
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { page } from './html.ts';

/** Where `npm install` builds the start page's script (console/vite.start.config.ts). */
export const START_PAGE_SCRIPT = path.resolve(import.meta.dirname, '../../../console/dist-start/start.js');

/**
 * Served in place of the bundle when it was not built: the page says what to run instead of
 * silently doing nothing (textContent only, like the real script).
 */
const NOT_BUILT = `const panel = document.getElementById('error');
document.getElementById('error-title').textContent = 'The start page is not built';
document.getElementById('error-code').textContent = 'not-built';
document.getElementById('error-description').textContent = 'Run npm install (or npm run build -w console) and restart Palisade.';
panel.hidden = false;
`;

export async function startPage(app: FastifyInstance, options: { development: boolean }): Promise<void> {
  // Read once at start: the bundle is part of the installed release, like the console's files.
  const script = existsSync(START_PAGE_SCRIPT) ? readFileSync(START_PAGE_SCRIPT) : NOT_BUILT;
  app.get('/assets/start.js', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script),
  );
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
