/**
 * The MDM inventory store and the scheduled sync, on PGlite and (with TEST_DATABASE_URL)
 * PostgreSQL: a notification merges only what it observed into what the sync learned; a
 * removal unmanages at once and a re-enrolment brings the device back; the enrollment token is
 * kept only as its hash; `stateFor` binds a claimed device only to its own person and platform;
 * the sync stores every page of the vendor fake (a 429 retried), runs on one instance per
 * interval, and only a complete listing marks unlisted devices gone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { hashToken } from '../../src/security/primitives.ts';
import { AuditTrail } from '../../src/audit/trail.ts';
import { loadConfig } from '../../src/config/load.ts';
import { configuredMdms } from '../../src/devices/mdm/adapters.ts';
import { MdmStore } from '../../src/devices/mdm/store.ts';
import { MdmIngest, type MdmDeviceChangeEvent } from '../../src/devices/mdm/ingest.ts';
import { MdmSync } from '../../src/devices/mdm/sync.ts';
import type { MdmDeviceState } from '../../src/devices/mdm/index.ts';
import { JAMF_DEVICES, startFakeJamf, type FakeJamf } from './fakes/jamf.ts';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const UDID = '00008110-000A1B2C3D4E5F60';
const synced = (overrides: Partial<MdmDeviceState> = {}): MdmDeviceState => ({
  vendor: 'jamf',
  mdmDeviceId: UDID,
  platform: 'ios',
  osVersion: '17.3',
  managed: true,
  compliant: undefined,
  jailbroken: false,
  passcodeSet: true,
  serial: 'F2LDXXXXXXHD1',
  user: 'Terry@Corp.test',
  lastSeen: new Date('2026-05-01T10:00:00Z'),
  ...overrides,
});

for (const kind of databaseKinds()) {
  describe(`MDM inventory store (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let store: MdmStore;
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    let terry: string;
    let casey: string;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      store = new MdmStore(db, clock);
      const insert = async (subject: string, email: string, userName: string | null) =>
        (await db.query<{ id: string }>(`INSERT INTO users (issuer, subject, email, user_name) VALUES ('https://idp.test', $1, $2, $3) RETURNING id`, [subject, email, userName])).rows[0]!.id;
      terry = await insert('terry', 'terry@corp.test', 'terry@corp.test');
      casey = await insert('casey', 'casey@contractor.test', null);
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });

    test('a notification changes only the fields it observed: the jailbreak and passcode state the sync learned stay', async () => {
      await store.storeInventory(synced());
      clock.advance(60_000);
      const write = await store.applyChange({ vendor: 'jamf', mdmDeviceId: UDID, event: 'MobileDeviceCheckIn', observed: { platform: 'ios', managed: true, osVersion: '17.4.1', lastSeen: new Date('2026-06-01T00:00:00Z') }, refresh: false, removed: false });
      const { state } = write.after;
      assert.equal(state.osVersion, '17.4.1', 'what the notification observed is taken');
      assert.equal(state.jailbroken, false, 'what it did not observe is kept, not wiped');
      assert.equal(state.passcodeSet, true);
      assert.equal(state.user, 'Terry@Corp.test');
      assert.equal(state.serial, 'F2LDXXXXXXHD1');
      assert.deepEqual(state.lastSeen, new Date('2026-06-01T00:00:00Z'));
      assert.equal(write.changed, true, 'the OS version is something the policy reads');
      const late = await store.applyChange({ vendor: 'jamf', mdmDeviceId: UDID, event: 'MobileDeviceCheckIn', observed: { lastSeen: new Date('2026-01-01T00:00:00Z') }, refresh: false, removed: false });
      assert.deepEqual(late.after.state.lastSeen, new Date('2026-06-01T00:00:00Z'), 'a late notification does not make the device look older');
      assert.equal(late.changed, false, 'nothing the policy reads changed');
    });

    test('the sync is the whole truth: a field it no longer reports becomes unknown', async () => {
      const write = await store.storeInventory(synced({ passcodeSet: undefined, jailbroken: undefined, osVersion: '17.4.1' }));
      assert.equal(write.after.state.passcodeSet, undefined);
      assert.equal(write.after.state.jailbroken, undefined);
      assert.ok(write.after.syncedAt);
    });

    test('a removal unmanages the device at once; enrolling again brings it back', async () => {
      const removed = await store.applyChange({ vendor: 'jamf', mdmDeviceId: UDID, event: 'MobileDeviceUnEnrolled', observed: { managed: false }, refresh: false, removed: true });
      assert.equal(removed.after.state.managed, false);
      assert.ok(removed.after.removedAt);
      assert.equal(removed.changed, true);
      assert.equal(await store.stateFor({ userId: terry, mdmDeviceId: UDID, platform: 'ios' }), undefined, 'an unmanaged device is not vouched for');
      const back = await store.applyChange({ vendor: 'jamf', mdmDeviceId: UDID, event: 'MobileDeviceEnrolled', observed: { managed: true }, refresh: false, removed: false });
      assert.equal(back.after.state.managed, true);
      assert.equal(back.after.removedAt, undefined);
    });

    test('stateFor binds the device to its MDM user only (case-insensitive, any id spelling) on its platform', async () => {
      const state = await store.stateFor({ userId: terry, mdmDeviceId: UDID.toLowerCase(), platform: 'iOS' });
      assert.equal(state?.mdmDeviceId, UDID, 'the app’s lower-case UDID is the same device');
      assert.equal(await store.stateFor({ userId: casey, mdmDeviceId: UDID, platform: 'ios' }), undefined, 'someone who knows another person’s device id gets nothing');
      assert.equal(await store.stateFor({ userId: terry, mdmDeviceId: UDID, platform: 'android' }), undefined, 'another platform is another device');
      assert.equal(await store.stateFor({ userId: terry, mdmDeviceId: '$UDID', platform: 'ios' }), undefined, 'an unexpanded AppConfig variable matches nothing');
      assert.equal(await store.stateFor({ userId: terry, platform: 'ios' }), undefined);
      await store.storeInventory(synced({ mdmDeviceId: '00008103-0011223344556677', user: undefined }));
      assert.equal(await store.stateFor({ userId: terry, mdmDeviceId: '00008103-0011223344556677', platform: 'ios' }), undefined, 'a device the MDM names no user for lends nobody its state');
    });

    test('the enrollment token is stored only as its hash, and a sign-in must present it', async () => {
      const id = '00008120-00AABBCCDDEEFF00';
      await store.storeInventory(synced({ mdmDeviceId: id, enrollmentToken: 'enrol-token-6c1f0e9d8c7b6a5f' }));
      const { rows } = await db.query<{ enrollment_token_hash: string }>('SELECT enrollment_token_hash FROM mdm_devices WHERE mdm_device_id = $1', [id]);
      assert.equal(rows[0]!.enrollment_token_hash, hashToken('enrol-token-6c1f0e9d8c7b6a5f'));
      assert.equal(await store.stateFor({ userId: terry, mdmDeviceId: id, platform: 'ios' }), undefined, 'without the token');
      assert.equal(await store.stateFor({ userId: terry, mdmDeviceId: id, platform: 'ios', enrollmentToken: 'enrol-token-wrong' }), undefined, 'with another token');
      assert.equal((await store.stateFor({ userId: terry, mdmDeviceId: id, platform: 'ios', enrollmentToken: 'enrol-token-6c1f0e9d8c7b6a5f' }))?.mdmDeviceId, id);
    });
  });

  describe(`MDM inventory sync against the Jamf fake (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let fake: FakeJamf;
    let trail: AuditTrail;
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const waits: number[] = [];
    const changes: MdmDeviceChangeEvent[] = [];
    const sync = () => {
      const config = loadConfig({ env: {}, document: { mdm: { jamf: { baseUrl: fake.url, auth: { clientId: fake.clientId, clientSecret: fake.clientSecret }, webhookAuth: { username: 'hooks', password: 'pal-jamf-hook-5e1d0c9b8a7f' }, pageSize: 2, syncInterval: '15m' } } } });
      const mdms = configuredMdms(config.mdm, { clock, sleep: async (ms) => void waits.push(ms) });
      const store = new MdmStore(db, clock);
      const ingest = new MdmIngest({ store, onDeviceChange: (c) => void changes.push(c), log: silent });
      return { store, ingest, sync: new MdmSync({ mdms, store, ingest, audit: trail, clock, log: silent }) };
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      fake = await startFakeJamf();
      trail = new AuditTrail(db, systemClock, silent, { flushIntervalMs: 10 });
    });
    after(async () => {
      await trail?.close();
      await fake?.close();
      await db?.close();
      await database?.drop();
    });

    test('every page is stored, a 429 is waited out as Retry-After says, and the run is claimed once per interval across instances', async () => {
      fake.failures.push({ status: 429, headers: { 'retry-after': '7' } });
      const [a, b] = [sync(), sync()];
      const [first, second] = await Promise.all([a.sync.runOnce('jamf'), b.sync.runOnce('jamf')]);
      assert.equal([first, second].filter((o) => o.ran).length, 1, 'two instances at once: one of them syncs');
      const outcome = first.ran ? first : second;
      assert.ok(outcome.ran);
      assert.equal(outcome.report.complete, true);
      assert.equal(outcome.report.stored, JAMF_DEVICES.length);
      assert.deepEqual(waits, [7000], 'the 429 was retried after its Retry-After');
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM mdm_devices WHERE vendor = $1 AND managed', ['jamf']);
      assert.equal(rows[0]!.n, JAMF_DEVICES.filter((d) => (d.general as { managed?: boolean }).managed === true).length);
      assert.equal((await a.sync.runOnce('jamf')).ran, false, 'not due again before the interval');
      await a.ingest.drain();
      assert.ok(changes.filter((c) => c.source === 'sync').length >= JAMF_DEVICES.length - 1, 'new devices go to onDeviceChange');
    });

    test('a listing cut short marks nothing gone and is audited as mdm.sync.failed; a complete one marks unlisted devices gone', async () => {
      const { sync: s, store } = sync();
      const kept = JAMF_DEVICES.slice(0, 2);
      const gone = JAMF_DEVICES[2]!;
      const goneId = String((gone.general as { udid: string }).udid).toUpperCase();
      fake.devices = kept;
      clock.advance(16 * 60_000);
      for (let i = 0; i < 5; i++) fake.failures.push({ status: 503 });
      const failed = await s.runOnce('jamf');
      assert.ok(failed.ran);
      assert.equal(failed.report.complete, false);
      assert.equal(failed.markedGone, 0, 'an outage is not "these devices left"');
      assert.equal((await store.get('jamf', goneId))?.removedAt, undefined);
      await trail.flush();
      const audited = await db.asOwner((q) => q.query<{ reason: string; detail: unknown }>(`SELECT reason, detail FROM audit_events WHERE action = 'mdm.sync.failed'`));
      assert.equal(audited.rows.at(-1)?.reason, 'http-status');
      assert.doesNotMatch(JSON.stringify(audited.rows), new RegExp(`${fake.clientSecret}|jamf-token-`), 'no secret or token in the record');

      clock.advance(16 * 60_000);
      const complete = await s.runOnce('jamf');
      assert.ok(complete.ran && complete.report.complete);
      assert.equal(complete.markedGone, 1);
      const device = await store.get('jamf', goneId);
      assert.equal(device?.state.managed, false);
      assert.ok(device?.removedAt);
      fake.devices = JAMF_DEVICES;
    });
  });
}
