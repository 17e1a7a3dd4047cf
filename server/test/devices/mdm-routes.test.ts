/**
 * POST /mdm/v1/:vendor/events through the real HTTP pipeline, with the vendors' documented
 * sample notifications (fixtures/) and the adapters configured the way an operator does
 * (loadConfig), pointed at the vendor fakes: accepted deliveries are stored and answered 202;
 * missing, forged or wrong credentials are refused 401 (a Basic challenge where the vendor uses
 * Basic), recorded as mdm.webhook.refused and store nothing; unreadable bodies are 400; an MDM
 * that is not configured is 404; Graph's handshake is echoed as text/plain; refusals count
 * towards the per-IP lockout. Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Value } from 'typebox/value';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { testApp } from '../helpers/app.ts';
import type { Database } from '../../src/db/index.ts';
import { systemClock } from '../../src/clock.ts';
import { AuditTrail } from '../../src/audit/trail.ts';
import { loadConfig } from '../../src/config/load.ts';
import { ConfigSchema } from '../../src/config/schema.ts';
import { MemoryCache } from '../../src/cache/index.ts';
import { RateLimits, RateLimitStage, type RateLimitsConfig } from '../../src/apisec/index.ts';
import { configuredMdms } from '../../src/devices/mdm/adapters.ts';
import { MdmStore } from '../../src/devices/mdm/store.ts';
import { MdmIngest, type MdmDeviceChangeEvent } from '../../src/devices/mdm/ingest.ts';
import { mdmRoutes } from '../../src/devices/mdm/routes.ts';
import { startFakeIntune, type FakeIntune } from './fakes/intune.ts';
import { jamfWebhook } from './fakes/jamf.ts';
import { ws1Event } from './fakes/workspaceone.ts';
import { basic } from './fakes/fake-server.ts';

const JAMF_HOOK = { username: 'jamf-webhooks', password: 'pal-jamf-hook-5e1d0c9b8a7f' };
const WS1_HOOK = { username: 'ws1-events', password: 'pal-ws1-hook-0f1e2d3c4b5a' };
const CLIENT_STATE = 'pal-graph-client-state-9a8b7c6d5e4f';
const OLD_CLIENT_STATE = 'pal-graph-client-state-previous-000';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const graph = JSON.parse(readFileSync(new URL('./fixtures/graph-change-notification.json', import.meta.url), 'utf8')) as { value: Record<string, unknown>[] };
const graphWith = (clientState: unknown) => ({ value: graph.value.map((n) => ({ ...n, clientState })) });
const CHECK_IN_UDID = '00008110-000A1B2C3D4E5F60';
const WS1_UDID = 'D20E0F3D66AF4B92B31E1DA394DF1E88';
const INTUNE_ID = '705c034c-034c-705c-4c03-5c704c035c70';

for (const kind of databaseKinds()) {
  describe(`MDM notifications over HTTP (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let trail: AuditTrail;
    let app: FastifyInstance;
    let intune: FakeIntune;
    let ingest: MdmIngest;
    let store: MdmStore;
    const changes: MdmDeviceChangeEvent[] = [];

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      intune = await startFakeIntune();
      trail = new AuditTrail(db, systemClock, silent, { flushIntervalMs: 10 });
      const config = loadConfig({
        env: {},
        document: {
          mdm: {
            intune: { tenantId: intune.tenantId, clientId: intune.clientId, clientSecret: intune.clientSecret, clientStateSecret: [OLD_CLIENT_STATE, CLIENT_STATE], loginBaseUrl: intune.url, graphBaseUrl: intune.url },
            jamf: { baseUrl: 'http://127.0.0.1:9', auth: { clientId: 'unused', clientSecret: 'unused' }, webhookAuth: JAMF_HOOK },
            workspaceOne: { baseUrl: 'http://127.0.0.1:9', apiKey: 'unused', auth: { username: 'unused', password: 'unused' }, webhookAuth: WS1_HOOK },
          },
        },
      });
      const rateLimits = structuredClone((Value.Default(ConfigSchema, {}) as { rateLimits: RateLimitsConfig }).rateLimits);
      rateLimits.lockout.after = 4;
      const cache = new MemoryCache();
      app = testApp({ audit: trail, rateLimits: new RateLimitStage(new RateLimits({ config: rateLimits, counters: (o) => cache.counters(o) })) });
      store = new MdmStore(db, systemClock);
      ingest = new MdmIngest({ store, onDeviceChange: (change) => void changes.push(change), log: silent });
      await app.register(mdmRoutes, { mdms: configuredMdms(config.mdm), ingest, audit: trail });
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await ingest?.drain();
      await trail?.close();
      await intune?.close();
      await db?.close();
      await database?.drop();
    });

    let ip = 0;
    /** Each call from an address of its own unless told, so the lockout test alone sees its failures. */
    const post = (vendor: string, body: unknown, headers: Record<string, string> = {}, options: { query?: string; remoteAddress?: string } = {}) =>
      app.inject({
        method: 'POST',
        url: `/mdm/v1/${vendor}/events${options.query ?? ''}`,
        remoteAddress: options.remoteAddress ?? `192.0.2.${++ip}`,
        headers: { 'content-type': 'application/json', ...headers },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const audited = async (action: string) => {
      await trail.flush();
      const { rows } = await db.asOwner((q) => q.query<{ action: string; reason: string | null; detail: Record<string, unknown> | string; actor: Record<string, unknown> | string }>(`SELECT action, reason, detail, actor FROM audit_events WHERE action = $1 ORDER BY id`, [action]));
      return rows.map((r) => ({ ...r, detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>, actor: (typeof r.actor === 'string' ? JSON.parse(r.actor) : r.actor) as Record<string, unknown> }));
    };
    const stored = async () => (await db.query<{ vendor: string; mdm_device_id: string }>('SELECT vendor, mdm_device_id FROM mdm_devices ORDER BY 1, 2')).rows.map((r) => `${r.vendor}:${r.mdm_device_id}`);

    test('a Jamf webhook without credentials, with a wrong password or forged Basic is refused 401 with a Basic challenge, recorded, and nothing is stored', async () => {
      const before = (await audited('mdm.webhook.refused')).length;
      const missing = await post('jamf', jamfWebhook('mobile-device-check-in'));
      const wrong = await post('jamf', jamfWebhook('mobile-device-check-in'), { authorization: basic(JAMF_HOOK.username, `${JAMF_HOOK.password}x`) });
      const otherUser = await post('jamf', jamfWebhook('mobile-device-check-in'), { authorization: basic('admin', JAMF_HOOK.password) });
      for (const response of [missing, wrong, otherUser]) {
        assert.equal(response.statusCode, 401, 'a notification without the configured credentials must not be read');
        assert.match(String(response.headers['www-authenticate']), /^Basic realm="palisade-mdm"/, 'Jamf Basic Authentication is challenged in the Basic scheme');
        assert.equal(JSON.parse(response.body).type, 'https://palisade.dev/problems/mdm-credentials-refused');
      }
      assert.deepEqual(await stored(), [], 'a refused notification stores nothing');
      const records = (await audited('mdm.webhook.refused')).slice(before);
      assert.deepEqual(records.map((r) => r.reason), ['credentials-missing', 'credentials-invalid', 'credentials-invalid']);
      assert.equal(records[0]!.detail.vendor, 'jamf');
      assert.ok(records.every((r) => typeof r.actor.ip === 'string'), 'the record names the address the forgery came from');
      assert.doesNotMatch(JSON.stringify(records), new RegExp(JAMF_HOOK.password), 'no record holds the webhook password');
    });

    test('a Jamf check-in with the right Basic credentials is stored and answered 202, and recorded as mdm.event', async () => {
      const response = await post('jamf', jamfWebhook('mobile-device-check-in'), { authorization: basic(JAMF_HOOK.username, JAMF_HOOK.password) });
      assert.equal(response.statusCode, 202);
      const device = await store.get('jamf', CHECK_IN_UDID);
      assert.ok(device, 'the device is in mdm_devices once the 202 is sent');
      assert.equal(device.state.managed, true);
      assert.equal(device.state.osVersion, '17.4.1');
      assert.equal(device.state.platform, 'ios');
      const events = await audited('mdm.event');
      assert.deepEqual(events.at(-1)!.detail, { vendor: 'jamf', count: 1, events: ['MobileDeviceCheckIn'], removed: 0, devices: [CHECK_IN_UDID] });
      assert.equal(events.at(-1)!.actor.appId, 'mdm:jamf');
      await ingest.drain();
      assert.ok(changes.some((c) => c.vendor === 'jamf' && c.mdmDeviceId === CHECK_IN_UDID && c.source === 'notification' && c.event === 'MobileDeviceCheckIn'), 'onDeviceChange hears of the new device');
    });

    test('a Jamf unenrolment unmanages the device at once and says so to onDeviceChange', async () => {
      const response = await post('jamf', jamfWebhook('mobile-device-unenrolled'), { authorization: basic(JAMF_HOOK.username, JAMF_HOOK.password) });
      assert.equal(response.statusCode, 202);
      const device = await store.get('jamf', CHECK_IN_UDID);
      assert.equal(device?.state.managed, false, 'an unenrolled device is not managed any more');
      assert.ok(device?.removedAt, 'and is marked removed');
      await ingest.drain();
      const last = changes.filter((c) => c.mdmDeviceId === CHECK_IN_UDID).at(-1)!;
      assert.equal(last.removed, true);
      assert.equal(last.event, 'MobileDeviceUnEnrolled');
      assert.equal(last.previous?.managed, true);
    });

    test('a body that is not a Jamf webhook, with the right credentials, is 400 and recorded', async () => {
      const response = await post('jamf', '{"webhook": 1', { authorization: basic(JAMF_HOOK.username, JAMF_HOOK.password) });
      assert.equal(response.statusCode, 400);
      assert.equal(JSON.parse(response.body).type, 'https://palisade.dev/problems/mdm-notification-malformed');
      assert.equal((await audited('mdm.webhook.refused')).at(-1)!.reason, 'webhook-malformed');
    });

    test('an MDM that is not configured, or no MDM at all, is 404', async () => {
      const response = await post('acme', jamfWebhook('mobile-device-check-in'), { authorization: basic(JAMF_HOOK.username, JAMF_HOOK.password) });
      assert.equal(response.statusCode, 404);
      const onlyJamf = testApp({});
      await onlyJamf.register(mdmRoutes, { mdms: new Map([...configuredMdms(loadConfig({ env: {}, document: { mdm: { jamf: { baseUrl: 'http://127.0.0.1:9', auth: { clientId: 'a', clientSecret: 'b' }, webhookAuth: JAMF_HOOK } } } }).mdm)]), ingest, audit: trail });
      const ws1 = await onlyJamf.inject({ method: 'POST', url: '/mdm/v1/workspaceone/events', headers: { 'content-type': 'application/json', authorization: basic(WS1_HOOK.username, WS1_HOOK.password) }, payload: JSON.stringify(ws1Event('event-notification')) });
      assert.equal(ws1.statusCode, 404, 'Workspace ONE is not configured on that server');
      await onlyJamf.close();
    });

    test('a Workspace ONE compromised-status event with Basic is stored: jailbroken, not compliant', async () => {
      const wrong = await post('workspaceone', ws1Event('event-notification'), { authorization: basic(WS1_HOOK.username, 'not-the-password-at-all') });
      assert.equal(wrong.statusCode, 401);
      assert.match(String(wrong.headers['www-authenticate']), /^Basic /);
      assert.equal(await store.get('workspaceone', WS1_UDID), undefined, 'the refused event stored nothing');
      const response = await post('workspaceone', ws1Event('event-notification'), { authorization: basic(WS1_HOOK.username, WS1_HOOK.password) });
      assert.equal(response.statusCode, 202);
      const device = await store.get('workspaceone', WS1_UDID);
      assert.equal(device?.state.jailbroken, true);
      assert.equal(device?.state.compliant, false);
      assert.equal(device?.state.user, 'terry@corp.test');
    });

    test('Graph’s subscription handshake is echoed as text/plain', async () => {
      const response = await app.inject({ method: 'POST', url: '/mdm/v1/intune/events?validationToken=Validation%3A%20Testing%20client%20application%20reachability', headers: { 'content-type': 'text/plain; charset=utf-8' } });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.body, 'Validation: Testing client application reachability');
    });

    test('a Graph notification with a forged clientState is refused 401 without a Basic challenge; with either configured one, the device is read again from Graph', async () => {
      const forged = await post('intune', graphWith('guessed-client-state-0000000000'));
      assert.equal(forged.statusCode, 401);
      assert.equal(forged.headers['www-authenticate'], undefined, 'Graph authenticates with clientState, not an HTTP scheme');
      const unsigned = await post('intune', graphWith(undefined));
      assert.equal(unsigned.statusCode, 401);
      assert.deepEqual((await audited('mdm.webhook.refused')).slice(-2).map((r) => r.reason), ['credentials-invalid', 'credentials-missing']);
      assert.equal(await store.get('intune', INTUNE_ID), undefined);

      const accepted = await post('intune', graphWith(OLD_CLIENT_STATE));
      assert.equal(accepted.statusCode, 202, 'the previous clientState still works during a rotation');
      await ingest.drain();
      const device = await store.get('intune', INTUNE_ID);
      assert.ok(device, 'the notification carried no state: the device was read from Graph after the 202');
      assert.equal(device.state.compliant, true);
      assert.equal(device.state.user, 'terry@corp.test');
      assert.ok(intune.requests.some((r) => r.url.pathname === `/v1.0/deviceManagement/managedDevices/${INTUNE_ID}`));
      assert.ok(changes.some((c) => c.vendor === 'intune' && c.source === 'refresh'));
    });

    test('wrong credentials count towards the per-IP lockout: after four, even the right ones are refused 429 from that address', async () => {
      const attacker = '203.0.113.99';
      for (let i = 0; i < 4; i++) {
        const response = await post('jamf', jamfWebhook('mobile-device-check-in'), { authorization: basic(JAMF_HOOK.username, `guess-${i}-0123456789abcdef`) }, { remoteAddress: attacker });
        assert.equal(response.statusCode, 401);
      }
      // The failure is counted when the answer finishes; let it land.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const locked = await post('jamf', jamfWebhook('mobile-device-check-in'), { authorization: basic(JAMF_HOOK.username, JAMF_HOOK.password) }, { remoteAddress: attacker });
      assert.equal(locked.statusCode, 429, 'a guessing address is locked out');
      const elsewhere = await post('jamf', jamfWebhook('mobile-device-check-in'), { authorization: basic(JAMF_HOOK.username, JAMF_HOOK.password) });
      assert.equal(elsewhere.statusCode, 202, 'the MDM itself, from its own address, still gets through');
    });
  });
}
