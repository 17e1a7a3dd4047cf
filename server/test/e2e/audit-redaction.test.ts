/**
 * No token, key or secret reaches a log line or an audit record. Palisade is started the
 * README's way at log level debug, its output captured; an app signs in, refreshes, unlocks,
 * is refused with forged tokens, logs out; an administrator lists and ends sessions; SCIM and
 * metrics are called with their tokens. Every secret that crossed the wire (read off the test
 * process's fetch: tokens, codes, PKCE verifiers, DPoP and unlock proofs, cookies) and every
 * configured one (master key, upstream client secret, SCIM and metrics tokens, the database
 * password, the private signing keys) is then searched for in every log line and every
 * audit_events row.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { serverPid, waitForExit } from '../helpers/server-process.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import { insertScimToken } from '../../src/scim/index.ts';
import { loadKeySet } from '../../src/oauth/keys.ts';
import { generateMasterKey, hashToken, masterKeyFromBase64url, unwrapSecret } from '../../src/security/primitives.ts';
import { systemClock } from '../../src/clock.ts';
import { appKeyChecksum } from '../../src/apisec/index.ts';

/** Parameters (query, form body, redirect) whose values are credentials. */
const SECRET_PARAMS = new Set(['code', 'code_verifier', 'refresh_token', 'access_token', 'id_token', 'client_secret', 'logout_token']);
/** JSON fields whose values are credentials (a problem's `code` is an error code, not one). */
const SECRET_FIELDS = new Set(['refresh_token', 'access_token', 'id_token', 'signing_key', 'challenge', 'proof', 'password']);
/** Shorter values could turn up by chance; every credential here is far longer. */
const MIN_SECRET_LENGTH = 16;

/** Secret values and what each one is. */
class Secrets {
  readonly byValue = new Map<string, string>();
  /** Path segments of every URL requested: a cookie carrying one (the interaction id) names a page, it is no secret. */
  readonly pathSegments = new Set<string>();

  add(label: string, value: string | undefined | null): void {
    if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH && !this.byValue.has(value)) this.byValue.set(value, label);
  }

  fromParams(params: URLSearchParams, where: string): void {
    for (const [key, value] of params) if (SECRET_PARAMS.has(key)) this.add(`${key} (${where})`, value);
  }

  fromJson(value: unknown, where: string): void {
    if (!value || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && SECRET_FIELDS.has(key)) this.add(`${key} (${where})`, v);
      else this.fromJson(v, where);
    }
  }

  labels(): string[] {
    return [...new Set(this.byValue.values())];
  }

  /** Drops cookies that only repeat a URL path segment (see `pathSegments`). */
  settle(): void {
    for (const [value, label] of this.byValue) if (label.startsWith('cookie ') && this.pathSegments.has(value)) this.byValue.delete(value);
  }
}

/** What to search for: the value, its URL-encoded form, and a JWT's signature on its own (the part that makes it usable). */
function needles(value: string): string[] {
  const out = [value, encodeURIComponent(value)];
  const parts = value.split('.');
  if (parts.length === 3 && parts[2]!.length >= MIN_SECRET_LENGTH) out.push(parts[2]!);
  return [...new Set(out)];
}

/** The labels of the secrets that occur in `text`. */
function leaks(text: string, secrets: Map<string, string>): string[] {
  const found = new Set<string>();
  for (const [value, label] of secrets) if (needles(value).some((needle) => text.includes(needle))) found.add(label);
  return [...found];
}

/**
 * Records every credential the test process sends or receives over fetch (the app's SDK, its
 * browser and openid-client all fetch through it). Returns the function that removes the tap.
 */
function tapFetch(secrets: Secrets): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const where = `${method} ${url.pathname}`;
    for (const segment of url.pathname.split('/')) secrets.pathSegments.add(segment);
    secrets.fromParams(url.searchParams, `query of ${where}`);
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init?.headers).forEach((value, name) => headers.set(name, value));
    secrets.add(`authorization header (${where})`, headers.get('authorization')?.replace(/^\S+\s+/, ''));
    secrets.add(`DPoP proof (${where})`, headers.get('dpop'));
    for (const pair of (headers.get('cookie') ?? '').split(';')) secrets.add(`cookie ${pair.split('=')[0]!.trim()}`, pair.slice(pair.indexOf('=') + 1).trim());
    // The SDK sends bodies as bytes (what it digests and signs is what it sends).
    const body = init?.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : init?.body;
    if (body instanceof URLSearchParams) secrets.fromParams(body, `body of ${where}`);
    else if (typeof body === 'string') {
      try {
        secrets.fromJson(JSON.parse(body), `body of ${where}`);
      } catch {
        secrets.fromParams(new URLSearchParams(body), `body of ${where}`);
      }
    }

    const response = await original(input, init);
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      secrets.fromParams(next.searchParams, `redirect from ${where}`);
      secrets.fromParams(new URLSearchParams(next.hash.slice(1)), `redirect from ${where}`);
    }
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      secrets.add(`cookie ${pair.split('=')[0]!.trim()}`, pair.slice(pair.indexOf('=') + 1).trim());
    }
    if (/json/.test(response.headers.get('content-type') ?? '')) {
      secrets.fromJson(await response.clone().json().catch(() => undefined), `response to ${where}`);
    }
    return response;
  };
  return () => {
    globalThis.fetch = original;
  };
}

for (const kind of databaseKinds()) {
  describe(`redaction: no secret in any log line or audit record (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let app: MobileApp;
    let untap: () => void = () => undefined;
    const secrets = new Secrets();
    const masterKey = generateMasterKey();
    const scimToken = `pal_scim_${randomBytes(24).toString('base64url')}`;
    const metricsToken = randomBytes(32).toString('base64url');
    const databasePassword = `db-password-${randomBytes(12).toString('hex')}`;
    /** Non-secret facts the capture must contain, so that an empty or wrong capture cannot pass. */
    const markers = { userId: '', deniedRequestId: '', adminRequestId: '' };
    let logLines: string[] = [];
    let auditRows: string[] = [];
    let auditActions: string[] = [];
    let scansDatabasePassword = false;

    before(async () => {
      database = await kind.create({ migrated: true });
      // PostgreSQL with a password in its URL, which must not be recorded: TEST_DATABASE_URL's own,
      // or one that trust authentication (the local default) ignores.
      const withPassword = database.url ? new URL(database.url) : undefined;
      if (withPassword && !withPassword.password) withPassword.password = databasePassword;
      const databaseUrl = withPassword?.href;
      if (withPassword) secrets.add('database password', decodeURIComponent(withPassword.password));
      // (A short password of TEST_DATABASE_URL's own is too likely to occur by chance to scan for.)
      scansDatabasePassword = [...secrets.byValue.values()].includes('database password');
      const setup = await openMigrated(database);
      await insertScimToken(setup, 'entra', hashToken(scimToken));
      await setup.close();

      const federated = await federatedTo(database);
      upstream = federated.upstream;
      secrets.add('master key', masterKey);
      secrets.add('upstream client secret', upstream.clientSecret);
      secrets.add('SCIM token', scimToken);
      secrets.add('metrics token', metricsToken);
      server = await startPalisade({
        ...federated.env,
        PALISADE_MASTER_KEY: masterKey,
        // The database URL with its password, which must not be recorded (above).
        DATABASE_URL: databaseUrl,
        PALISADE_METRICS_TOKEN: metricsToken,
        PALISADE_LOG_LEVEL: 'debug',
      });
      untap = tapFetch(secrets);
      secrets.add('app key', server.appKeys['field-app']);
      app = new MobileApp(server.url, server.ca);
      // API calls carry the app key, as MobileApp.call does.
      const http = (path: string, init: RequestInit = {}) =>
        app.http.fetch(`${server.url}${path}`, path.startsWith('/api/') ? { ...init, headers: { 'palisade-app-key': server.appKeys['field-app']!, ...(init.headers as Record<string, string>) } } : init);

      // Sign in with an unlock key, call, refresh, unlock (a wrong proof first).
      const unlockKey = await generateKeyPair('ES256', { extractable: true });
      secrets.add('unlock private key', (await exportJWK(unlockKey.privateKey)).d);
      const unlockJwk = Buffer.from(JSON.stringify(await exportJWK(unlockKey.publicKey))).toString('base64url');
      const tech = await app.signIn('u-tech', { params: { unlock_jwk: unlockJwk } });
      const claims = decodeJwt(tech.tokens.access_token);
      markers.userId = claims.sub!;
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200);
      const refreshed = await app.refresh(tech);
      const challenge = async () => (await app.call('/api/v1/session/unlock/challenge', refreshed.access_token, { method: 'POST' })).body.challenge as string;
      const proof = (key: CryptoKey, value: string) => new SignJWT({ challenge: value, sid: claims.sid }).setProtectedHeader({ alg: 'ES256', typ: 'palisade-unlock+jwt' }).setIssuedAt().sign(key);
      const stranger = await generateKeyPair('ES256');
      const unlock = (body: string) => app.call('/api/v1/session/unlock', refreshed.access_token, { method: 'POST', body: JSON.stringify({ proof: body }) });
      assert.equal((await unlock(await proof(stranger.privateKey, await challenge()))).status, 401, 'a proof by another key is refused');
      assert.equal((await unlock(await proof(unlockKey.privateKey, await challenge()))).status, 200, 'the registered key unlocks');

      // Refused: the access token with its claims changed (signature kept), a token signed by an
      // attacker's key, an unknown refresh token, a wrong SCIM token.
      const [header, , signature] = tech.tokens.access_token.split('.');
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${signature}`;
      const denied = await http('/api/v1/me', { headers: { authorization: `Bearer ${tampered}` } });
      assert.equal(denied.status, 401, 'a tampered token is refused');
      markers.deniedRequestId = denied.headers.get('x-request-id')!;
      const attacker = await generateKeyPair('ES256');
      const forged = await new SignJWT({ ...claims, roles: ['admin'] }).setProtectedHeader({ ...decodeProtectedHeader(tech.tokens.access_token), alg: 'ES256' }).sign(attacker.privateKey);
      assert.equal((await http('/api/v1/me', { headers: { authorization: `Bearer ${forged}` } })).status, 401, 'a token signed by another key is refused');
      // The app key's id with another secret (checksum fixed up): refused, and never recorded either.
      const fieldKey = server.appKeys['field-app']!;
      const wrongBody = `${fieldKey.slice(0, 22)}${randomBytes(40).toString('hex').slice(0, 43).replace(/[^0-9A-Za-z]/g, 'A')}`;
      const wrongKey = wrongBody + appKeyChecksum(wrongBody);
      secrets.add('wrong app key', wrongKey);
      assert.equal((await http('/api/v1/me', { headers: { authorization: `Bearer ${tech.tokens.access_token}`, 'palisade-app-key': wrongKey } })).status, 401, 'a wrong app key is refused');
      await assert.rejects(app.refresh(tech, `${randomBytes(32).toString('base64url')}`), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      assert.equal((await http('/scim/v2/Users', { headers: { authorization: `Bearer pal_scim_${randomBytes(24).toString('base64url')}` } })).status, 401);

      // SCIM provisioning with a password in the payload (Okta sends one).
      const scimUser = await http('/scim/v2/Users', {
        method: 'POST',
        headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'new.hire@corp.test', active: true, password: `Pw-${randomBytes(16).toString('hex')}` }),
      });
      assert.equal(scimUser.status, 201);
      assert.equal((await http('/metrics', { headers: { authorization: `Bearer ${metricsToken}` } })).status, 200, 'metrics are served to the metrics token');

      // An administrator lists the person's sessions and ends another one of theirs (step-up: fresh sign-in).
      const other = await app.signIn('u-tech');
      const admin = await app.signIn('u-admin');
      const listed = await app.call(`/admin/v1/users/${markers.userId}/sessions`, admin.tokens.access_token);
      assert.equal(listed.status, 200);
      markers.adminRequestId = listed.headers.get('x-request-id')!;
      assert.equal((await app.call(`/admin/v1/sessions/${decodeJwt(other.tokens.access_token).sid as string}`, admin.tokens.access_token, { method: 'DELETE' })).status, 204);

      // Logout.
      assert.deepEqual((await app.call('/api/v1/session/logout', refreshed.access_token, { method: 'POST', body: '{}' })).body, { ended: 1 });

      // Stopping writes what is queued and seals it; once Palisade (not just npm) has exited, the
      // trail is complete and the embedded database free to open.
      const pid = await serverPid(server);
      await server.stop();
      await waitForExit(pid);
      untap();
      logLines = server.output().split('\n').filter((line) => line.trim() !== '');
      const db = await openMigrated(database);
      try {
        const master = masterKeyFromBase64url(masterKey);
        for (const jwk of (await loadKeySet(db, master, systemClock)).privateJwks) secrets.add(`token signing key ${jwk.kid}`, jwk.d);
        const rows = await db.asOwner(async (q) => {
          // The checkpoint key's private half, unwrapped as audit/keys.ts wraps it.
          const keys = await q.query<{ kid: string; private_jwk: string }>('SELECT kid, private_jwk FROM audit_keys');
          for (const key of keys.rows) secrets.add(`audit checkpoint key ${key.kid}`, (JSON.parse(await unwrapSecret(master, key.private_jwk, 'palisade-audit-key')) as { d: string }).d);
          return (await q.query<{ action: string; json: string }>('SELECT action, row_to_json(e)::text AS json FROM audit_events e ORDER BY id')).rows;
        });
        auditRows = rows.map((r) => r.json);
        auditActions = rows.map((r) => r.action);
      } finally {
        await db.close();
      }
      secrets.settle();
    });

    after(async () => {
      untap();
      await server?.stop();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('the scan finds a secret however a log line embeds it, and nothing in a clean line', () => {
      const refreshToken = [...secrets.byValue].find(([, label]) => label.startsWith('refresh_token'))![0];
      const accessToken = [...secrets.byValue].find(([, label]) => label.startsWith('access_token'))![0];
      const planted = new Map([
        [refreshToken, 'refresh token'],
        [accessToken, 'access token'],
      ]);
      assert.deepEqual(leaks(JSON.stringify({ msg: 'token request', body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}` }), planted), ['refresh token'], 'a value inside a form body');
      assert.deepEqual(leaks(`{"sig":"${accessToken.split('.')[2]}"}`, planted), ['access token'], 'a JWT’s signature on its own');
      assert.deepEqual(leaks(logLines.find((l) => l.includes('"login.success"')) ?? 'missing', planted), [], 'a clean log line');
    });

    test('every kind of secret was captured to look for', () => {
      const labels = secrets.labels();
      const expected = [
        /^access_token /, /^refresh_token /, /^id_token /, /^signing_key /, /^code \(redirect from GET \/oauth2\/authorize\//, /^code \(redirect from GET \/auth\//, /^code_verifier /,
        /^DPoP proof /, /^authorization header/, /^challenge /, /^proof /, /^password /, /^cookie /, /^unlock private key$/, /^master key$/, /^upstream client secret$/,
        /^SCIM token$/, /^metrics token$/, /^token signing key /, /^audit checkpoint key /, ...(scansDatabasePassword ? [/^database password$/] : []),
      ];
      // Codes: the company IdP's (redirected to /auth/callback) and Palisade's own (redirected to the app).
      const missing = expected.filter((pattern) => !labels.some((label) => pattern.test(label)));
      assert.deepEqual(missing, [], `the scan must look for each kind of secret the exercise handled; captured: ${labels.join(', ')}`);
      assert.ok(secrets.byValue.size >= 30, `dozens of distinct secret values were captured (${secrets.byValue.size})`);
    });

    test('the captured output is the server’s own log and the trail is the exercised one', () => {
      assert.ok(logLines.length > 50, `the server logged every request at debug level (${logLines.length} lines)`);
      const json = logLines.filter((l) => l.startsWith('{'));
      assert.ok(json.some((l) => l.includes(markers.userId) && l.includes('"login.success"')), 'the log names the signed-in person');
      assert.ok(json.some((l) => l.includes(markers.deniedRequestId)), 'the log names the refused request by its id');
      for (const action of ['config.change', 'auth.login', 'token.issue', 'token.refresh', 'session.unlock', 'http.denied', 'admin.sessions.list', 'admin.session.revoke', 'session.revoke', 'auth.logout']) {
        assert.ok(auditActions.includes(action), `the trail holds a ${action} record from the exercise (it has: ${[...new Set(auditActions)].join(', ')})`);
      }
      assert.ok(auditRows.some((r) => r.includes(markers.userId)), 'the trail names the signed-in person');
      assert.ok(auditRows.some((r) => r.includes(markers.deniedRequestId)), 'the trail names the refused request by its id');
      assert.ok(auditRows.some((r) => r.includes(markers.adminRequestId)), 'the trail names the administrator’s request by its id');
    });

    test('no token, key or secret appears in any log line', () => {
      const found = logLines.flatMap((line, index) => leaks(line, secrets.byValue).map((label) => `line ${index + 1}: ${label}`));
      assert.deepEqual(found, [], 'log lines must carry no credential: logs are read by more people and kept in more places than the secrets they would expose');
    });

    test('no token, key or secret appears in any audit record', () => {
      const found = auditRows.flatMap((row) => leaks(row, secrets.byValue).map((label) => `event ${(JSON.parse(row) as { id: number }).id} (${(JSON.parse(row) as { action: string }).action}): ${label}`));
      assert.deepEqual(found, [], 'audit records are kept for years and exported: they must say what happened, never carry a credential');
    });
  });
}
