/**
 * Per-app API keys end to end, against a server started the README way over HTTPS:
 * keys made, revoked and rotated with `palisade apps keys …` before the start (embedded PGlite
 * is one process at a time) and through the admin API while it runs; every refusal —
 * missing, malformed, unknown, wrong secret, revoked, expired, rotated out, another app's
 * token, a key in the URL — and what is left behind: the audit trail says precisely why, and
 * no key is in any log line, audit record or database row.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli, startPalisade, type StartedServer } from '../helpers/server.ts';
import { serverPid, waitForExit } from '../helpers/server-process.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, relaxedPosture, type SignedIn } from '../helpers/mobile-app.ts';
import { Browser } from '../helpers/browser.ts';
import { appKeyChecksum } from '../../src/apisec/index.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

const problem = (slug: string) => `https://palisade.dev/problems/${slug}`;
/** The id with another secret and a valid checksum: someone who saw the key id, not the key. */
const withOtherSecret = (key: string) => {
  const body = `${key.slice(0, 22)}${'Q'.repeat(43)}`;
  return body + appKeyChecksum(body);
};
/** The key with its last character changed: the checksum no longer matches. */
const typo = (key: string) => `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of databaseKinds()) {
  describe(`app keys end to end (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let env: Record<string, string | undefined>;
    let field: MobileApp;
    let kiosk: MobileApp;
    let tech: SignedIn;
    let kioskTech: SignedIn;
    /** Keys made with the CLI before the start, by what happened to them. */
    const cli = { revoked: '', expired: '', rotatedOut: '', rotatedIn: '' };
    /** What `apps keys list --json` and a create for an unknown app said before the start. */
    const listed = { keys: [] as { id: string; name: string; status: string; expiresAt: string | null; replacedBy: string | null }[], raw: '', unknownApp: { code: 0, out: '' } };
    /** Every key value seen in this suite: none may be in a log line, an audit record or a row. */
    const everyKey: string[] = [];
    const palisade = async (args: string[]) => {
      const result = await palisadeCli(args, env);
      assert.equal(result.code, 0, result.out);
      return JSON.parse(result.out.trim().split('\n').at(-1)!) as { key: string; appKey: { id: string }; previous?: { id: string } };
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      env = {
        ...federated.env,
        PALISADE_MASTER_KEY: generateMasterKey(),
        // Debug: the most the server ever logs, all of it scanned for keys below.
        PALISADE_LOG_LEVEL: 'debug',
        PALISADE_CLIENTS: JSON.stringify([
          { id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' },
          { id: 'kiosk-app', name: 'Kiosk', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' },
        ]),
        // These apps sign in with bearer tokens: no device key to sign a posture report.
        PALISADE_DEVICE_POLICY: relaxedPosture('field-app', 'kiosk-app'),
      };
      // As an operator would, with the server stopped: one key revoked, one expiring at once,
      // one rotated with a one-second overlap (over by the time the server is up).
      const revoked = await palisade(['apps', 'keys', 'create', 'field-app', '--name', 'lost phone build', '--json']);
      await palisade(['apps', 'keys', 'revoke', 'field-app', revoked.appKey.id, '--json']);
      cli.revoked = revoked.key;
      cli.expired = (await palisade(['apps', 'keys', 'create', 'field-app', '--name', 'short', '--expires-in', '1s', '--json'])).key;
      const old = await palisade(['apps', 'keys', 'create', 'field-app', '--name', 'release 1', '--json']);
      const rotated = await palisade(['apps', 'keys', 'rotate', 'field-app', old.appKey.id, '--overlap', '1s', '--json']);
      assert.equal(rotated.previous!.id, old.appKey.id);
      [cli.rotatedOut, cli.rotatedIn] = [old.key, rotated.key];
      everyKey.push(...Object.values(cli));
      const list = await palisadeCli(['apps', 'keys', 'list', 'field-app', '--json'], env);
      assert.equal(list.code, 0, list.out);
      listed.raw = list.out;
      listed.keys = JSON.parse(list.out.trim().split('\n').at(-1)!) as typeof listed.keys;
      listed.unknownApp = await palisadeCli(['apps', 'keys', 'create', 'fieldapp', '--name', 'typo'], env);

      server = await startPalisade(env);
      everyKey.push(...Object.values(server.appKeys));
      field = new MobileApp(server.url, server.ca, 'field-app');
      kiosk = new MobileApp(server.url, server.ca, 'kiosk-app');
      tech = await field.signIn('u-tech', { dpop: false });
      kioskTech = await kiosk.signIn('u-tech', { dpop: false });
    });
    after(async () => {
      await server?.stop();
      await field?.close();
      await kiosk?.close();
      await upstream?.close();
      await database?.drop();
    });

    const me = (app: MobileApp, signedIn: SignedIn, appKey?: string | null) => {
      const headers: Record<string, string> = {};
      const previous = app.appKey;
      if (appKey !== undefined) app.appKey = appKey;
      return app.call('/api/v1/me', signedIn.tokens.access_token, { headers }).finally(() => (app.appKey = previous));
    };

    test('the CLI lists keys with their state, never their secrets, and names the apps when one is unknown', () => {
      const [revoked, short, old, fresh] = listed.keys;
      assert.deepEqual(listed.keys.map((k) => k.name), ['lost phone build', 'short', 'release 1', 'release 1'], 'oldest first; a rotation keeps the name');
      assert.equal(revoked!.status, 'revoked');
      // Seconds-long lifetimes: by the time `list` runs they may have run out already.
      assert.ok(['active', 'expired'].includes(short!.status) && short!.expiresAt, 'the short-lived key shows its expiry');
      assert.ok(['rotating', 'expired'].includes(old!.status));
      assert.equal(old!.replacedBy, fresh!.id, 'the rotated key names its successor');
      assert.equal(fresh!.status, 'active');
      for (const key of Object.values(cli)) assert.ok(!listed.raw.includes(key.slice(22)), 'no secret in the list');
      assert.equal(listed.unknownApp.code, 1);
      assert.match(listed.unknownApp.out, /no app "fieldapp" is registered \(clients\[\]\.id\): field-app, kiosk-app/);
      assert.doesNotMatch(listed.unknownApp.out, /at \w+ \(/, 'no stack trace');
    });

    test('the app’s key and its token pass', async () => {
      const answer = await me(field, tech);
      assert.equal(answer.status, 200);
      assert.equal((await me(kiosk, kioskTech)).status, 200);
    });

    test('health, discovery and the JWKS need no key', async () => {
      const browser = new Browser(server.ca);
      try {
        for (const path of ['/healthz', '/readyz', '/.well-known/openid-configuration', '/oauth2/jwks']) {
          assert.equal((await browser.fetch(`${server.url}${path}`)).status, 200, `${path} without a key`);
        }
      } finally {
        await browser.close();
      }
    });

    test('no key: 401 missing-app-key, on the API and the admin API alike', async () => {
      const missing = await me(field, tech, null);
      assert.equal(missing.status, 401);
      assert.equal(missing.body.type, problem('missing-app-key'));
      assert.match(missing.headers.get('www-authenticate') ?? '', /^AppKey realm="palisade"/);
      field.appKey = null;
      try {
        assert.equal((await field.call('/admin/v1/apps/field-app/keys', tech.tokens.access_token)).body.type, problem('missing-app-key'));
      } finally {
        field.appKey = undefined;
      }
    });

    test('a wrong secret with a valid id, an unknown id and a malformed key get one answer: invalid-app-key', async () => {
      const unknownBody = `pal_live_${'N'.repeat(12)}_${'Q'.repeat(43)}`;
      const attempts = [withOtherSecret(server.appKeys['field-app']!), unknownBody + appKeyChecksum(unknownBody), 'pal_live_short', typo(server.appKeys['field-app']!)];
      everyKey.push(attempts[0]!, attempts[3]!);
      const bodies: Record<string, unknown>[] = [];
      for (const attempt of attempts) {
        const answer = await me(field, tech, attempt);
        assert.equal(answer.status, 401, attempt);
        assert.equal(answer.body.type, problem('invalid-app-key'));
        const { instance: _, ...body } = answer.body;
        bodies.push(body);
      }
      assert.ok(bodies.every((b) => JSON.stringify(b) === JSON.stringify(bodies[0])), 'no answer tells which check failed');
    });

    test('a key in the query string is not accepted', async () => {
      field.appKey = null;
      try {
        const answer = await field.call(`/api/v1/me?palisade-app-key=${encodeURIComponent(server.appKeys['field-app']!)}`, tech.tokens.access_token);
        assert.equal(answer.status, 401);
        assert.equal(answer.body.type, problem('missing-app-key'));
      } finally {
        field.appKey = undefined;
      }
    });

    test('keys revoked, expired or rotated out with the CLI are refused; the rotation’s new key works', async () => {
      for (const key of [cli.revoked, cli.expired, cli.rotatedOut]) {
        const answer = await me(field, tech, key);
        assert.equal(answer.status, 401);
        assert.equal(answer.body.type, problem('invalid-app-key'));
      }
      assert.equal((await me(field, tech, cli.rotatedIn)).status, 200);
    });

    test('another app’s key with this app’s token: 403 token-app-mismatch (and the other way round)', async () => {
      const crossed = await me(field, tech, server.appKeys['kiosk-app']!);
      assert.equal(crossed.status, 403);
      assert.equal(crossed.body.type, problem('token-app-mismatch'));
      assert.equal((await me(kiosk, kioskTech, server.appKeys['field-app']!)).status, 403);
    });

    describe('the admin API', () => {
      let admin: SignedIn;
      before(async () => {
        admin = await field.signIn('u-admin', { dpop: false });
      });

      test('only admins reach it', async () => {
        const refused = await field.call('/admin/v1/apps/field-app/keys', tech.tokens.access_token);
        assert.equal(refused.status, 403);
        assert.equal(refused.body.type, problem('forbidden'));
        const create = await field.call('/admin/v1/apps/field-app/keys', tech.tokens.access_token, { method: 'POST', body: JSON.stringify({ name: 'x' }) });
        assert.equal(create.status, 403, 'not even step-up is offered');
      });

      test('create shows the key once; list never shows a secret; an unknown app is 404', async () => {
        const created = await field.call('/admin/v1/apps/kiosk-app/keys', admin.tokens.access_token, { method: 'POST', body: JSON.stringify({ name: 'kiosk v2' }) });
        assert.equal(created.status, 201);
        const key = created.body.key as string;
        everyKey.push(key);
        assert.match(key, /^pal_live_/);
        assert.equal(created.headers.get('cache-control'), 'no-store');
        assert.equal((await me(kiosk, kioskTech, key)).status, 200, 'the new key works at once');
        const listed = await field.call('/admin/v1/apps/kiosk-app/keys', admin.tokens.access_token);
        assert.equal(listed.status, 200);
        const keys = listed.body.keys as { id: string; name: string; status: string; lastUsedAt: string | null }[];
        assert.ok(keys.some((k) => k.name === 'kiosk v2' && k.status === 'active'));
        assert.ok(!JSON.stringify(listed.body).includes(key.slice(22)), 'no secret in the list');
        assert.equal((await field.call('/admin/v1/apps/nope/keys', admin.tokens.access_token)).status, 404);
      });

      test('rotate: both keys work during the overlap, the old one is refused after it', async () => {
        const created = await field.call('/admin/v1/apps/field-app/keys', admin.tokens.access_token, { method: 'POST', body: JSON.stringify({ name: 'to rotate' }) });
        const old = created.body.key as string;
        const oldId = (created.body.appKey as { id: string }).id;
        const rotated = await field.call(`/admin/v1/apps/field-app/keys/${oldId}/rotate`, admin.tokens.access_token, { method: 'POST', body: JSON.stringify({ overlap: '2s' }) });
        assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
        const fresh = rotated.body.key as string;
        everyKey.push(old, fresh);
        assert.equal((rotated.body.previous as { status: string }).status, 'rotating');
        assert.equal((await me(field, tech, old)).status, 200, 'old key within the overlap');
        assert.equal((await me(field, tech, fresh)).status, 200, 'new key');
        await sleep(2100);
        assert.equal((await me(field, tech, old)).status, 401, 'old key after the overlap');
        assert.equal((await me(field, tech, fresh)).status, 200);
        const again = await field.call(`/admin/v1/apps/field-app/keys/${oldId}/rotate`, admin.tokens.access_token, { method: 'POST', body: '{}' });
        assert.equal(again.status, 409);
        assert.equal(again.body.type, problem('app-key-not-active'));
      });

      test('revoke takes effect at once', async () => {
        const created = await field.call('/admin/v1/apps/field-app/keys', admin.tokens.access_token, { method: 'POST', body: JSON.stringify({ name: 'to revoke' }) });
        const key = created.body.key as string;
        everyKey.push(key);
        assert.equal((await me(field, tech, key)).status, 200, 'works, and is now cached');
        const id = (created.body.appKey as { id: string }).id;
        assert.equal((await field.call(`/admin/v1/apps/field-app/keys/${id}`, admin.tokens.access_token, { method: 'DELETE' })).status, 204);
        assert.equal((await me(field, tech, key)).status, 401, 'refused by the very next request');
      });

      test('the audit trail says precisely why each key was refused, and who changed which key', async () => {
        type Event = { action: string; reason?: string; actor: { appId?: string }; resource?: { id?: string }; detail?: Record<string, unknown> };
        const search = async (query: string): Promise<Event[]> => (await field.call(`/admin/v1/audit/events?${query}&limit=500`, admin.tokens.access_token)).body.events as Event[];
        // Refusals and admin calls are written in batches (audit.flushInterval): the last ones may take a moment.
        for (let i = 0; i < 50 && !(await search('action=admin.app_keys.revoke')).length; i++) await sleep(100);
        const denied = await search('action=http.denied');
        const expected = ['app_key_missing', 'app_key_mismatch', 'app_key_unknown', 'app_key_malformed', 'app_key_revoked', 'app_key_expired', 'app_key_rotated_out', 'token_app_mismatch'];
        for (const reason of expected) assert.ok(denied.some((e) => e.reason === reason), `an http.denied record with reason ${reason}`);
        const mismatch = denied.find((e) => e.reason === 'token_app_mismatch')!;
        assert.equal(mismatch.detail?.problem, 'token-app-mismatch');
        assert.deepEqual([mismatch.detail?.keyApp, mismatch.detail?.tokenApp].sort(), ['field-app', 'kiosk-app'], 'which app the key and the token belong to');
        assert.ok(denied.some((e) => e.reason === 'app_key_revoked' && typeof e.detail?.appKeyId === 'string'), 'which key was refused (its public id)');
        const changes = await search('action=app_key.');
        for (const action of ['app_key.created', 'app_key.rotated', 'app_key.revoked']) assert.ok(changes.some((e) => e.action === action), action);
        const adminCalls = await search('action=admin.app_keys.');
        for (const action of ['admin.app_keys.list', 'admin.app_keys.create', 'admin.app_keys.rotate', 'admin.app_keys.revoke']) assert.ok(adminCalls.some((e) => e.action === action), action);
      });
    });

    test('no key is in any log line, audit record or database row', async () => {
      const pid = await serverPid(server);
      await server.stop();
      await waitForExit(pid);
      const output = server.output();
      assert.ok(output.includes('"msg"'), 'the log was captured');
      const db = await openMigrated(database);
      try {
        const rows = await db.asOwner(async (q) => (await q.query<{ t: string }>(`SELECT (SELECT string_agg(a::text, '') FROM app_keys a) || (SELECT string_agg(e::text, '') FROM audit_events e) AS t`)).rows[0]!.t);
        assert.ok(rows.includes('app_key.created'), 'the records were read');
        for (const key of everyKey) {
          const secret = key.slice(22);
          assert.ok(!output.includes(secret), `a key's secret is in the server's output`);
          assert.ok(!rows.includes(secret), `a key's secret is in the database`);
        }
      } finally {
        await db.close();
      }
    });
  });
}
