/**
 * The admin endpoints the console's pages added (one person, incident containment from the
 * console, the overview, the configuration, the registered apps, verifying the audit chain) as
 * an attacker and a careless client try them, over HTTPS on PGlite and PostgreSQL:
 *
 * - a dispatcher (no admin role) and a caller without a token are refused on every one;
 * - disabling someone, changing their roles, rotating an app key, locking a device or ending a
 *   session with an hour-old sign-in meets the RFC 9470 challenge and changes nothing (the
 *   console's browser test meets these challenges on one database only); disabling with a
 *   fresh one ends their sessions at once, they cannot sign in again, and the trail names the
 *   admin; re-enabling twice is one change and one 409;
 * - malformed ids, bodies without a reason and oversized bodies are 400/413 problems;
 * - the configuration page's answer carries no secret: not the master key, not a URL's path or
 *   password, not a webhook's URL path;
 * - the overview's signing keys are public facts only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit } from '../../src/audit/index.ts';

const PROBLEM = 'https://palisade.dev/problems/';
const WEBHOOK_SECRET_PATH = '/services/T000/B000/very-secret-webhook-path';

for (const kind of databaseKinds()) {
  describe(`the console's admin endpoints (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    let admin: SignedIn;
    let dispatcher: SignedIn;
    let techId: string;

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port, {
        PALISADE_MONITORING_WEBHOOKS: JSON.stringify([{ url: `https://hooks.slack.com${WEBHOOK_SECRET_PATH}`, format: 'slack' }]),
      }));
      app = new MobileApp(server.url, ca);
      admin = await app.signIn('u-admin');
      dispatcher = await app.signIn('u-dispatcher');
      await app.signIn('u-tech');
      const { rows } = await server.db.query<{ id: string }>(`SELECT id FROM users WHERE subject = 'u-tech'`);
      techId = rows[0]!.id;
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    const post = (path: string, who: SignedIn, body: unknown = { reason: 'test' }) => app.call(path, who.tokens.access_token, { method: 'POST', body: JSON.stringify(body) });

    test('a dispatcher is refused on every one (403), and nobody without a token gets in (401)', async () => {
      const reads = [`/admin/v1/users/${techId}`, '/admin/v1/overview', '/admin/v1/configuration', '/admin/v1/apps'];
      for (const path of reads) {
        const answer = await app.call(path, dispatcher.tokens.access_token);
        assert.equal(answer.status, 403, `${path}: ${answer.text}`);
        assert.doesNotMatch(answer.text, /Terry|plumbing|field-app|masterKey/, 'a refusal reveals nothing');
        assert.equal((await app.http.fetch(`${server.url}${path}`)).status, 401, `${path} without a token`);
      }
      for (const path of [`/admin/v1/users/${techId}/disable`, `/admin/v1/users/${techId}/enable`, '/admin/v1/audit/verify']) {
        const answer = path.endsWith('verify') ? await app.call(path, dispatcher.tokens.access_token, { method: 'POST' }) : await post(path, dispatcher);
        assert.equal(answer.status, 403, `${path}: ${answer.text}`);
      }
      const tech = await app.call(`/admin/v1/users/${techId}`, admin.tokens.access_token);
      assert.equal(tech.body.status, 'active', 'the dispatcher disabled nobody');
    });

    test('one person: attributes and status; unknown and malformed ids are 404 and 400', async () => {
      const answer = await app.call(`/admin/v1/users/${techId}`, admin.tokens.access_token);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.deepEqual({ name: answer.body.name, department: answer.body.department, territory: answer.body.territory, status: answer.body.status, roles: answer.body.roles }, { name: 'Terry Tech', department: 'plumbing', territory: 'south', status: 'active', roles: ['technician'] });
      const unknown = await app.call(`/admin/v1/users/${randomUUID()}`, admin.tokens.access_token);
      assert.equal(unknown.status, 404);
      for (const bad of ['not-a-uuid', `${techId}'--`, '..%2f..%2fetc']) {
        const answer = await app.call(`/admin/v1/users/${bad}`, admin.tokens.access_token);
        assert.ok([400, 404].includes(answer.status), `${bad}: ${answer.status}`);
        assert.notEqual(answer.status, 500);
      }
    });

    test('disabling with an old sign-in meets the step-up challenge and changes nothing', async () => {
      upstream.staleLoginSeconds = 3600;
      const stale = await app.signIn('u-admin');
      upstream.staleLoginSeconds = 0;
      const tech = await app.signIn('u-tech');
      const refused = await post(`/admin/v1/users/${techId}/disable`, stale);
      assert.equal(refused.status, 401, refused.text);
      assert.match(refused.headers.get('www-authenticate') ?? '', /insufficient_user_authentication/);
      assert.equal(refused.body.type, `${PROBLEM}step-up-required`);
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'the person’s session goes on');
      assert.equal((await app.call(`/admin/v1/users/${techId}`, admin.tokens.access_token)).body.status, 'active');
    });

    // The console's browser tests meet these challenges on one database only (e2e/console): here
    // each action is refused with the challenge on both, and nothing changes.
    test('changing roles, rotating an app key, locking a device and ending a session with an old sign-in meet the step-up challenge and change nothing', async () => {
      upstream.staleLoginSeconds = 3600;
      const stale = await app.signIn('u-admin');
      upstream.staleLoginSeconds = 0;
      const tech = await app.signIn('u-tech');
      const techSid = decodeJwt(tech.tokens.access_token).sid as string;
      const mine = (await app.call('/api/v1/me/sessions', tech.tokens.access_token)).body.sessions as { id: string; deviceId: string }[];
      const deviceId = mine.find((s) => s.id === techSid)!.deviceId;
      const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      const created = await app.call('/admin/v1/apps/field-app/keys', admin.tokens.access_token, json('POST', { name: 'step-up check' }));
      assert.equal(created.status, 201, created.text);
      const keyId = String((created.body as { id?: string }).id ?? String(created.body.key).split('_')[2]);
      for (const [path, init] of [
        [`/admin/v1/users/${techId}/roles`, json('PUT', { granted: ['dispatcher'], removed: [] })],
        [`/admin/v1/apps/field-app/keys/${keyId}/rotate`, json('POST', { overlap: '7d' })],
        [`/admin/v1/devices/${deviceId}/lock`, json('POST', { reason: 'stale' })],
        [`/admin/v1/sessions/${techSid}`, { method: 'DELETE' }],
      ] as const) {
        const refused = await app.call(path, stale.tokens.access_token, init);
        assert.equal(refused.status, 401, `${init.method} ${path}: ${refused.text}`);
        assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_user_authentication"/);
        assert.match(refused.headers.get('www-authenticate') ?? '', /max_age=/);
        assert.equal(refused.body.type, `${PROBLEM}step-up-required`);
      }
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'the technician’s session and device go on');
      const roles = (await server.db.query<{ roles_added: string[] }>('SELECT roles_added FROM users WHERE id = $1', [techId])).rows[0]!.roles_added;
      assert.deepEqual(roles, [], 'no role granted');
      const keys = (await app.call('/admin/v1/apps/field-app/keys', admin.tokens.access_token)).body.keys as { id: string; status: string }[];
      assert.equal(keys.find((k) => k.id === keyId)?.status, 'active', 'the key was not rotated');
    });

    test('bodies without a reason, with extra members or oversized are refused before anything changes', async () => {
      for (const body of [{}, { reason: '' }, { reason: 'x', admin: true }, { reason: 'x'.repeat(501) }]) {
        const answer = await post(`/admin/v1/users/${techId}/disable`, admin, body);
        assert.equal(answer.status, 400, `${JSON.stringify(body).slice(0, 40)}: ${answer.text}`);
      }
      const huge = await post(`/admin/v1/users/${techId}/disable`, admin, { reason: 'x'.repeat(5000) });
      assert.ok([400, 413].includes(huge.status), `oversized: ${huge.status}`);
      assert.equal((await app.call(`/admin/v1/users/${techId}`, admin.tokens.access_token)).body.status, 'active');
    });

    test('disable: sessions end now, sign-in is refused, the trail names the admin; re-enable once, then 409', async () => {
      const tech = await app.signIn('u-tech');
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200);
      const disabled = await post(`/admin/v1/users/${techId}/disable`, admin, { reason: 'phone stolen' });
      assert.equal(disabled.status, 200, disabled.text);
      assert.equal((disabled.body.person as { status: string }).status, 'disabled');
      assert.ok((disabled.body.sessionsEnded as number) >= 1);
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 401, 'the session ended at once');
      await assert.rejects(app.signIn('u-tech'), 'a disabled person cannot sign in');

      await server.audit.flush();
      const adminId = (await server.db.query<{ id: string }>(`SELECT id FROM users WHERE subject = 'u-admin'`)).rows[0]!.id;
      const records = (await searchAudit(server.db, { action: 'user.disable', resourceId: techId, limit: 5 })).events;
      assert.equal(records.length, 1);
      assert.equal(records[0]!.actor.userId, adminId, 'the admin is the actor');
      assert.equal(records[0]!.reason, 'phone stolen');

      const enabled = await post(`/admin/v1/users/${techId}/enable`, admin, { reason: 'phone found' });
      assert.equal(enabled.status, 200, enabled.text);
      assert.equal(enabled.body.status, 'active');
      const again = await post(`/admin/v1/users/${techId}/enable`, admin, { reason: 'phone found' });
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.type, `${PROBLEM}release-refused`);
      await server.audit.flush();
      assert.equal((await searchAudit(server.db, { action: 'user.enable', resourceId: techId, limit: 5 })).events.length, 1, 'one change');
      await app.signIn('u-tech');
    });

    test('the configuration carries no secret: no master key, no URL path or password, no webhook path', async () => {
      const answer = await app.call('/admin/v1/configuration', admin.tokens.access_token);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      const master = server.config.masterKey;
      if (master) assert.ok(!answer.text.includes(master), 'the master key');
      assert.ok(!answer.text.includes(WEBHOOK_SECRET_PATH), 'the webhook URL’s path');
      assert.ok(!answer.text.includes('very-secret'), 'any part of it');
      if (database.url) {
        const url = new URL(database.url);
        if (url.password) assert.ok(!answer.text.includes(url.password), 'the database password');
      }
      assert.doesNotMatch(answer.text, /:\/\/[^/"\s]*:[^/"\s]*@/, 'no user:password@ in any URL');
      assert.ok(Array.isArray(answer.body.findings));
      assert.equal(typeof answer.body.settings, 'object');
    });

    test('the overview: counts, the audit chain head and public facts of the signing keys', async () => {
      const answer = await app.call('/admin/v1/overview', admin.tokens.access_token);
      assert.equal(answer.status, 200, answer.text);
      assert.ok((answer.body.activeSessions as number) >= 2);
      assert.ok((answer.body.activeDevices as number) >= 1);
      const keys = answer.body.signingKeys as Record<string, unknown>[];
      assert.ok(keys.length >= 1);
      for (const key of keys) assert.deepEqual(Object.keys(key).sort(), ['activatedAt', 'alg', 'createdAt', 'kid', 'retiredAt']);
      assert.doesNotMatch(answer.text, /"d"\s*:|private/i, 'no key material');
    });

    test('the registered apps, and the audit chain verifies (audited as audit.verify)', async () => {
      const apps = await app.call('/admin/v1/apps', admin.tokens.access_token);
      assert.equal(apps.status, 200, apps.text);
      assert.ok((apps.body.apps as { id: string }[]).some((a) => a.id === 'field-app'));
      const verified = await app.call('/admin/v1/audit/verify', admin.tokens.access_token, { method: 'POST' });
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.ok, true, verified.text);
      await server.audit.flush();
      assert.ok((await searchAudit(server.db, { action: 'audit.verify', limit: 5 })).events.length >= 1);
    });
  });
}
