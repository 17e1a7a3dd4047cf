/**
 * MDM end to end, with the server started the README way (`npm start`) and configured through
 * the environment as an operator would, pointed at a fake Jamf Pro: the scheduled inventory
 * sync stores the fake's devices; Jamf's real check-in webhook with the configured Basic
 * credentials is answered 202 and its device lands in mdm_devices; a forged one is refused 401
 * and recorded. No secret appears in the server's output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startPalisade, type StartedServer } from '../helpers/server.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import { JAMF_DEVICES, jamfWebhook, startFakeJamf, type FakeJamf } from '../devices/fakes/jamf.ts';
import { basic } from '../devices/fakes/fake-server.ts';

const HOOK_USER = 'jamf-webhooks';
const HOOK_PASSWORD = 'pal-e2e-jamf-hook-7d6c5b4a3f2e1d0c';
const CHECK_IN_UDID = '00008110-000A1B2C3D4E5F60';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of databaseKinds()) {
  describe(`MDM notifications and sync end to end (${kind.kind})`, () => {
    let database: TestDatabase;
    let fake: FakeJamf;
    let server: StartedServer;
    let agent: Agent;
    const statuses: Record<string, number> = {};

    before(async () => {
      database = await kind.create({ migrated: true });
      fake = await startFakeJamf();
      // The check-in's device is not in the inventory: only the webhook can have stored it.
      fake.devices = JAMF_DEVICES.filter((d) => String((d.general as { udid: string }).udid).toUpperCase() !== CHECK_IN_UDID);
      server = await startPalisade({
        PALISADE_DATA_DIR: database.dataDir,
        PALISADE_SERVER_PORT: String(await freePort()),
        DATABASE_URL: database.url,
        PALISADE_MASTER_KEY: generateMasterKey(),
        PALISADE_LOG_LEVEL: 'info',
        PALISADE_MDM_JAMF_BASE_URL: fake.url,
        PALISADE_MDM_JAMF_AUTH_CLIENT_ID: fake.clientId,
        PALISADE_MDM_JAMF_AUTH_CLIENT_SECRET: fake.clientSecret,
        PALISADE_MDM_JAMF_WEBHOOK_AUTH_USERNAME: HOOK_USER,
        PALISADE_MDM_JAMF_WEBHOOK_AUTH_PASSWORD: HOOK_PASSWORD,
        PALISADE_MDM_JAMF_PAGE_SIZE: '1',
      });
      agent = new Agent({ connect: { ca: server.ca } });
      // The first sync runs within 10 s of the start.
      const deadline = Date.now() + 20_000;
      while (!server.output().includes('"event":"mdm.sync.finished"')) {
        if (Date.now() > deadline) throw new Error(`no inventory sync finished:\n${server.output()}`);
        await sleep(100);
      }
      const post = async (authorization: string | undefined) =>
        (
          await fetch(`${server.url}/mdm/v1/jamf/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
            body: JSON.stringify(jamfWebhook('mobile-device-check-in')),
            dispatcher: agent,
          } as RequestInit)
        ).status;
      statuses.forged = await post(basic(HOOK_USER, 'forged-password-0123456789'));
      statuses.unsigned = await post(undefined);
      statuses.genuine = await post(basic(HOOK_USER, HOOK_PASSWORD));
      // With the embedded database the server must stop before anyone else opens it (which also
      // writes its queued audit records); PostgreSQL is read while it runs, once the audit
      // trail's batch (audit.flushInterval, 200 ms) is written.
      if (kind.kind === 'pglite') await server.stop();
      else await sleep(1000);
    });
    after(async () => {
      await server?.stop();
      await agent?.close();
      await fake?.close();
      await database?.drop();
    });

    test('the real check-in webhook with the configured Basic credentials is 202 and stores its device; forged and unsigned ones are 401 and recorded', async () => {
      assert.equal(statuses.genuine, 202);
      assert.equal(statuses.forged, 401);
      assert.equal(statuses.unsigned, 401);
      const db = await openMigrated(database);
      try {
        const owner = <T,>(sql: string) => db.asOwner((q) => q.query<T>(sql));
        const devices = await owner<{ mdm_device_id: string; managed: boolean; synced_at: Date | null }>(`SELECT mdm_device_id, managed, synced_at FROM mdm_devices WHERE vendor = 'jamf' ORDER BY 1`);
        const byId = new Map(devices.rows.map((r) => [r.mdm_device_id, r]));
        const webhookDevice = byId.get(CHECK_IN_UDID);
        assert.ok(webhookDevice, 'the webhook stored its device');
        assert.equal(webhookDevice.managed, true);
        assert.equal(webhookDevice.synced_at, null, 'known from the webhook only');
        assert.equal(devices.rows.length, fake.devices.length + 1, 'the sync stored every device of the inventory, one per page');
        const refused = await owner<{ reason: string }>(`SELECT reason FROM audit_events WHERE action = 'mdm.webhook.refused' ORDER BY id`);
        assert.deepEqual(refused.rows.map((r) => r.reason), ['credentials-invalid', 'credentials-missing']);
        const accepted = await owner<{ detail: unknown }>(`SELECT detail FROM audit_events WHERE action = 'mdm.event'`);
        assert.equal(accepted.rows.length, 1);
      } finally {
        await db.close();
      }
      assert.doesNotMatch(server.output(), new RegExp(`${HOOK_PASSWORD}|${fake.clientSecret}`), 'no MDM secret in the server’s output');
    });
  });
}
