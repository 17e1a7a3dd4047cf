/**
 * Rate limits on the real authentication endpoints: oidc-provider's authorize and
 * token endpoints are counted per IP and carry the IETF headers although oidc-provider writes
 * the answer itself; refused token requests lock the address out, which is a security event;
 * a locked address is refused by SCIM too (in SCIM's error form). Every class's 429s are
 * recorded, once per class and key per window, so a flood cannot flood the audit trail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess } from '../helpers/server.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { hashToken } from '../../src/security/primitives.ts';
import { insertScimToken } from '../../src/scim/index.ts';
import { searchAudit } from '../../src/audit/index.ts';
import { loadTls } from '../../src/http/tls.ts';
import { START_PAGE_CLIENT_ID } from '../../src/oauth/provider.ts';
import path from 'node:path';

const SCIM_TOKEN = 'pal_scim_rate-limit-test-token-0123456789abcdef';

for (const kind of databaseKinds()) {
  describe(`rate limits on the authentication endpoints (${kind.kind})`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let app: MobileApp;

    before(async () => {
      database = await kind.create({ migrated: true });
      const port = await freePort();
      let ca: string;
      // The default auth class (5 a minute); a lock after 3 failures to keep the test short.
      ({ server, ca } = await startInProcess(database, { env: {} }, port, { PALISADE_RATE_LIMITS_AUTH_POINTS: '5', PALISADE_RATE_LIMITS_LOCKOUT_AFTER: '3' }));
      await insertScimToken(server.db, 'entra', hashToken(SCIM_TOKEN));
      app = new MobileApp(server.url, ca);
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await database?.drop();
    });

    const badGrant = () =>
      app.http.fetch(`${server.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', client_id: 'field-app', redirect_uri: 'http://127.0.0.1/callback', code_verifier: 'x'.repeat(43) }).toString(),
      });

    test('authorize and token are counted per IP with the IETF headers; refused grants lock the IP, audited; SCIM refuses the locked IP', async () => {
      const jwks = await app.http.fetch(`${server.url}/oauth2/jwks`);
      assert.equal(jwks.status, 200);
      assert.equal(jwks.headers.get('ratelimit'), null, 'discovery and keys are not authentication: not limited');

      const authorize = await app.http.fetch(`${server.url}/oauth2/authorize?client_id=field-app`, { redirect: 'manual' });
      await authorize.arrayBuffer();
      assert.equal(authorize.headers.get('ratelimit-policy'), '"auth";q=5;w=60', 'answers written by oidc-provider carry the policy too');
      assert.equal(authorize.headers.get('ratelimit'), '"auth";r=4;t=60');

      for (const remaining of [3, 2, 1]) {
        const refused = await badGrant();
        const body = (await refused.json()) as { error: string };
        assert.equal(refused.status, 400, `the token endpoint refuses the grant itself (${body.error})`);
        assert.match(refused.headers.get('ratelimit') ?? '', new RegExp(`^"auth";r=${remaining};t=\\d+$`));
      }

      const locked = await badGrant();
      assert.equal(locked.status, 429, 'three refused grants lock the address');
      assert.equal(locked.headers.get('retry-after'), '60', 'the first lock lasts lockout.base');
      assert.equal(((await locked.json()) as { type: string }).type, 'https://palisade.dev/problems/locked-out');

      const scim = await app.http.fetch(`${server.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${SCIM_TOKEN}` } });
      assert.equal(scim.status, 429, 'the locked address is refused by every authentication endpoint');
      assert.match(scim.headers.get('content-type') ?? '', /application\/scim\+json/, 'SCIM clients get SCIM’s error form');
      assert.equal(((await scim.json()) as { status: string }).status, '429');
      assert.ok(Number(scim.headers.get('retry-after')) > 0);

      await server.audit.flush();
      const { events } = await searchAudit(server.db, { action: 'security.rate_limit_lockout', limit: 10 });
      assert.equal(events.length, 1, 'the lock is one security event');
      assert.equal(events[0]!.outcome, 'denied');
      assert.equal(events[0]!.resource?.type, 'ip');
      assert.equal(events[0]!.detail?.lockSeconds, 60);
      assert.equal(events[0]!.detail?.route, 'POST /oauth2/token');

      // The refusals while locked (the token endpoint's and SCIM's above, and more) are one record.
      for (let i = 0; i < 3; i += 1) assert.equal((await badGrant()).status, 429);
      await server.audit.flush();
      const refused = (await searchAudit(server.db, { action: 'security.rate_limited', limit: 10 })).events;
      assert.equal(refused.length, 1, 'the locked address’s refusals are recorded once per lock window, not once per request');
      assert.equal(refused[0]!.reason, 'locked_out');
      assert.deepEqual(refused[0]!.resource, { type: 'ip', id: '127.0.0.1' });
      assert.equal(refused[0]!.outcome, 'denied');
    });
  });

  describe(`every 429 is recorded, once per class and key per window (${kind.kind})`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let app: MobileApp;

    before(async () => {
      database = await kind.create({ migrated: true });
      const port = await freePort();
      let ca: string;
      ({ server, ca } = await startInProcess(database, { env: {} }, port, {
        PALISADE_RATE_LIMITS_AUTH_POINTS: '8',
        PALISADE_RATE_LIMITS_STANDARD_POINTS: '2',
        PALISADE_RATE_LIMITS_SEARCH_POINTS: '1',
        PALISADE_RATE_LIMITS_EXPORT_POINTS: '1',
        // The test app's device is personal (no MDM knows it): let it export, so the export
        // class is what refuses.
        PALISADE_DEVICE_POLICY: JSON.stringify({ apps: { 'field-app': { byod: { allowExport: true } } } }),
      }));
      app = new MobileApp(server.url, ca);
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await database?.drop();
    });

    test('standard, search, export (per user) and auth (per IP): the first 429 of a window is recorded, the flood after it is not', async () => {
      // A manager: the one role allowed to export (the permission is decided before the limit counts).
      const person = await app.signIn('demo-manager');
      const userId = String((await app.call('/api/v1/me', person.tokens.access_token)).body.id ?? '');
      /** Calls until the first 429, then three more (all refused). */
      const flood = async (call: () => Promise<number>, name: string) => {
        let status = 0;
        for (let i = 0; i < 20 && status !== 429; i += 1) status = await call();
        assert.equal(status, 429, `${name}: the limit is reached`);
        for (let i = 0; i < 3; i += 1) assert.equal(await call(), 429, `${name}: still refused`);
      };
      await flood(async () => (await app.call('/api/v1/me', person.tokens.access_token)).status, 'standard');
      await flood(async () => (await app.call('/api/v1/jobs', person.tokens.access_token)).status, 'search');
      await flood(async () => (await app.call('/api/v1/exports/jobs.csv', person.tokens.access_token)).status, 'export');
      await flood(async () => {
        const response = await app.http.fetch(`${server.url}/oauth2/authorize?client_id=field-app`, { redirect: 'manual' });
        await response.arrayBuffer();
        return response.status;
      }, 'auth');

      await server.audit.flush();
      const events = (await searchAudit(server.db, { action: 'security.rate_limited', limit: 50 })).events;
      const byClass = new Map<string, typeof events>();
      for (const e of events) byClass.set(String(e.detail?.rateClass), [...(byClass.get(String(e.detail?.rateClass)) ?? []), e]);
      assert.deepEqual([...byClass.keys()].sort(), ['auth', 'export', 'search', 'standard'], 'each class’s refusals are recorded');
      for (const [cls, records] of byClass) {
        assert.equal(records.length, 1, `${cls}: one record for the window, not one per refused request`);
        const [record] = records;
        assert.equal(record!.outcome, 'denied');
        assert.equal(record!.reason, 'rate_limited');
        assert.ok(Number(record!.detail?.retryAfterSeconds) > 0, cls);
        assert.equal(typeof record!.detail?.route, 'string', cls);
        assert.ok(record!.requestId, `${cls}: the refused request is named`);
        if (cls === 'auth') assert.deepEqual(record!.resource, { type: 'ip', id: '127.0.0.1' });
        else assert.deepEqual(record!.resource, { type: 'user', id: userId }, cls);
      }
      assert.equal(byClass.get('standard')![0]!.detail?.limit, 2);
    });
  });
}

/** Chromium's Accept header for a navigation. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

for (const kind of databaseKinds()) {
  describe(`in production the start page’s client has no allowance of its own (${kind.kind})`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let app: MobileApp;

    before(async () => {
      database = await kind.create({ migrated: true });
      const port = await freePort();
      // A production start: a company IdP (never reached here: discovery waits for the first
      // sign-in), an operator's certificate, the master key from the environment.
      await loadTls({ dataDir: database.dataDir, hostnames: [] });
      let ca: string;
      ({ server, ca } = await startInProcess(
        database,
        { env: { PALISADE_UPSTREAM_ISSUER: 'https://idp.invalid', PALISADE_UPSTREAM_CLIENT_ID: 'palisade', PALISADE_UPSTREAM_CLIENT_SECRET: 'corp-secret-0123456789abcdef0123456789', PALISADE_UPSTREAM_ROLES: JSON.stringify({ technician: ['fs-technicians'] }) } },
        port,
        {
          NODE_ENV: 'production',
          PALISADE_SERVER_PUBLIC_URL: `https://localhost:${port}`,
          PALISADE_SERVER_TLS_CERT_FILE: path.join(database.dataDir, 'tls', 'dev-cert.pem'),
          PALISADE_SERVER_TLS_KEY_FILE: path.join(database.dataDir, 'tls', 'dev-key.pem'),
          PALISADE_SERVER_TLS_ALLOW_NO_BACKUP_PINS: 'true',
          PALISADE_RATE_LIMITS_AUTH_POINTS: '5',
        },
      ));
      app = new MobileApp(server.url, ca);
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await database?.drop();
    });

    test('the start page’s client is counted against the auth class, exactly 5 a minute; a browser past it gets the HTML 429', async () => {
      assert.equal(server.config.production, true, 'this server runs in production mode');
      const authorize = (accept: string) => app.http.fetch(`${server.url}/oauth2/authorize?client_id=${START_PAGE_CLIENT_ID}`, { redirect: 'manual', headers: { accept } });
      for (let i = 1; i <= 5; i += 1) {
        const r = i % 2 ? await authorize('application/json') : await app.http.fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `client_id=${START_PAGE_CLIENT_ID}&grant_type=authorization_code&code=x` });
        await r.arrayBuffer();
        assert.notEqual(r.status, 429, `request ${i} of 5`);
        assert.equal(r.headers.get('ratelimit-policy'), '"auth";q=5;w=60', 'no development allowance: the auth class');
        assert.match(r.headers.get('ratelimit') ?? '', new RegExp(`^"auth";r=${5 - i};t=\\d+$`));
      }
      const refused = await authorize('application/json');
      assert.equal(refused.status, 429, 'the sixth is refused');
      assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const page = await authorize(BROWSER_ACCEPT);
      assert.equal(page.status, 429);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/, 'a browser (an app’s sign-in sheet) gets the page in production too');
      assert.match(await page.text(), new RegExp(`Try again in <strong id="retry-after" data-seconds="${page.headers.get('retry-after')}">`));
    });
  });
}
