/**
 * `palisade devices wipe|lock|commands` as an operator runs them (the real CLI through npm), on
 * PGlite and PostgreSQL: a wipe is recorded as a pending command and the device is wiped with its
 * sessions ended at once; ordering again returns the same outstanding command; the report lists
 * it as pending; an unknown device is a clear error that changes nothing; a lock is refused for a
 * device that is no longer active.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli } from '../helpers/server.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

for (const kind of databaseKinds()) {
  describe(`the devices command line (${kind.kind})`, () => {
    let database: TestDatabase;
    let env: Record<string, string | undefined>;
    let deviceId: string;
    let sessionId: string;

    before(async () => {
      database = await kind.create({ migrated: true });
      env = { DATABASE_URL: database.url, PALISADE_DATA_DIR: database.dataDir, PALISADE_MASTER_KEY: generateMasterKey() };
      // Written directly, then closed: the embedded database is one process at a time.
      const db = await openMigrated(database);
      await db.asOwner(async (owner) => {
        const { rows: users } = await owner.query<{ id: string }>("INSERT INTO users (issuer, subject, roles) VALUES ('urn:test', 'u-1', '{technician}') RETURNING id");
        const { rows: devices } = await owner.query<{ id: string }>(
          "INSERT INTO devices (user_id, client_id, jkt, first_seen_at, last_seen_at) VALUES ($1, 'field-app', $2, now(), now()) RETURNING id",
          [users[0]!.id, 'A'.repeat(43)],
        );
        deviceId = devices[0]!.id;
        sessionId = 'session-on-the-device';
        await owner.query("INSERT INTO sessions (id, user_id, client_id, auth_time, expires_at, device_id) VALUES ($1, $2, 'field-app', now(), now() + interval '1 day', $3)", [sessionId, users[0]!.id, deviceId]);
      });
      await db.close();
    });

    after(async () => {
      await database?.drop();
    });

    const state = async () => {
      const db = await openMigrated(database);
      try {
        return await db.asOwner(async (owner) => ({
          device: (await owner.query<{ state: string }>('SELECT state FROM devices WHERE id = $1', [deviceId])).rows[0]!.state,
          session: (await owner.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM sessions WHERE id = $1', [sessionId])).rows[0]!.revoked_at,
          commands: (await owner.query<{ kind: string; state: string; requested_by: string }>('SELECT kind, state, requested_by FROM device_commands WHERE device_id = $1', [deviceId])).rows,
        }));
      } finally {
        await db.close();
      }
    };

    test('an unknown device is a clear error and nothing is ordered', async () => {
      const result = await palisadeCli(['devices', 'wipe', '00000000-0000-4000-8000-000000000000', '--reason', 'lost'], env);
      assert.equal(result.code, 1);
      assert.match(result.out, /no device 00000000-0000-4000-8000-000000000000/);
      assert.deepEqual((await state()).commands, []);
    });

    test('a wipe is ordered: pending command, device wiped, its session ended; ordering again returns the same command', async () => {
      const first = await palisadeCli(['devices', 'wipe', deviceId, '--reason', 'phone lost on site', '--json'], env);
      assert.equal(first.code, 0, first.out);
      const ordered = JSON.parse(first.out.trim().split('\n').at(-1)!) as { id: string; kind: string; state: string; created: boolean };
      assert.deepEqual([ordered.kind, ordered.state, ordered.created], ['wipe', 'pending', true]);
      const after = await state();
      assert.equal(after.device, 'wiped');
      assert.ok(after.session, 'the device’s session ended at once');
      assert.deepEqual(after.commands, [{ kind: 'wipe', state: 'pending', requested_by: 'cli' }]);

      const again = await palisadeCli(['devices', 'wipe', deviceId, '--reason', 'again', '--json'], env);
      assert.equal(again.code, 0, again.out);
      const repeated = JSON.parse(again.out.trim().split('\n').at(-1)!) as { id: string; created: boolean };
      assert.deepEqual([repeated.id, repeated.created], [ordered.id, false]);
      assert.equal((await state()).commands.length, 1);

      const report = await palisadeCli(['devices', 'commands', '--pending', '--json'], env);
      assert.equal(report.code, 0, report.out);
      const listed = report.out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { id: string; state: string; deviceId: string });
      assert.deepEqual(listed.map((c) => [c.id, c.state, c.deviceId]), [[ordered.id, 'pending', deviceId]]);
    });

    test('a lock is refused for a device that is no longer active', async () => {
      const result = await palisadeCli(['devices', 'lock', deviceId, '--reason', 'too late'], env);
      assert.equal(result.code, 1, result.out);
      assert.equal((await state()).commands.length, 1);
    });
  });
}
