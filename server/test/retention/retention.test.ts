/**
 * Retention (retention/service.ts): each kind is purged exactly past its age and nothing younger
 * or still in use goes; `off` keeps a kind; batches stop at the batch size and the run continues
 * until done; a run is audited with its counts; the photo files go after their rows; and on
 * PostgreSQL a second instance finds the lock taken and purges nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import type { AuditEvent, AuditSink } from '../../src/audit/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { Retention, RETENTION_LOCK, RETENTION_KINDS, type RetentionPolicy } from '../../src/retention/index.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const ago = (days: number) => new Date(NOW - days * DAY);

function policy(overrides: Partial<RetentionPolicy['maxAgeMs']> = {}, batchSize = 1000): RetentionPolicy {
  return {
    maxAgeMs: { endedSessions: 90 * DAY, endedDevices: 90 * DAY, jobEvents: 1095 * DAY, locations: 30 * DAY, photos: 1095 * DAY, replayState: DAY, ...overrides },
    batchSize,
    maxBatches: 1000,
  };
}

for (const kind of databaseKinds()) {
  describe(`retention purges what is past its age, and only that (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    const events: AuditEvent[] = [];
    const audit: AuditSink = { record: async (_tx, e) => void events.push(e), emit: (e) => void events.push(e) };
    const deletedBlobs: string[] = [];
    const clock = new ManualClock(NOW);
    let user: string;
    let closedJob: string;
    let openJob: string;

    const count = async (sql: string) => Number((await db.asOwner((q) => q.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${sql}`))).rows[0]!.n);

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      await db.asOwner(async (q) => {
        const { rows } = await q.query<{ id: string }>(`INSERT INTO users (issuer, subject, email) VALUES ('https://idp.test', 'r-1', 'r1@corp.test') RETURNING id`);
        user = rows[0]!.id;
        const session = (id: string, revokedDaysAgo: number | null, expiresDaysAgo: number) =>
          q.query(`INSERT INTO sessions (id, user_id, client_id, auth_time, expires_at, revoked_at) VALUES ($1, $2, 'app', $3, $4, $5)`, [id, user, ago(200), ago(expiresDaysAgo), revokedDaysAgo === null ? null : ago(revokedDaysAgo)]);
        await session('s-revoked-long-ago', 100, -30); // ended 100 days ago: goes
        await session('s-expired-long-ago', null, 95); // expired 95 days ago: goes
        await session('s-revoked-recently', 10, -30); // ended 10 days ago: stays
        await session('s-open', null, -30); // still open: stays
        await q.query(`INSERT INTO oauth_payloads (model, id, payload, grant_id) VALUES ('Grant', 'g1', '{}', 's-revoked-long-ago'), ('Grant', 'g2', '{}', 's-open')`);
        const device = (jkt: string, state: string, stateDaysAgo: number) =>
          q.query(`INSERT INTO devices (user_id, client_id, jkt, first_seen_at, last_seen_at, state, state_at) VALUES ($1, 'app', $2, $3, $3, $4, $5)`, [user, jkt, ago(300), state, ago(stateDaysAgo)]);
        await device('jkt-wiped-old', 'wiped', 120); // goes
        await device('jkt-revoked-new', 'revoked', 5); // stays
        await device('jkt-active-old', 'active', 400); // in use however old: stays
        await q.query(`INSERT INTO fs_territories (code, name, region) VALUES ('ret-t', 'T', 'ret-r')`);
        const { rows: c } = await q.query<{ id: string }>(`INSERT INTO fs_customers (name) VALUES ('C') RETURNING id`);
        const { rows: s } = await q.query<{ id: string }>(`INSERT INTO fs_sites (customer_id, name, address, territory) VALUES ($1, 'S', 'A', 'ret-t') RETURNING id`, [c[0]!.id]);
        await q.query(`INSERT INTO fs_technicians (user_id, display_name, territory) VALUES ($1, 'R', 'ret-t')`, [user]);
        const job = async (status: string, changedDaysAgo: number) =>
          (await q.query<{ id: string }>(`INSERT INTO fs_jobs (title, department, territory, site_id, status, status_changed_at, created_at) VALUES ('J', 'd', 'ret-t', $1, $2, $3, $4) RETURNING id`, [s[0]!.id, status, ago(changedDaysAgo), ago(1200)])).rows[0]!.id;
        // Inserted with their final status (the transition trigger fires on UPDATE only).
        closedJob = await job('completed', 1100);
        openJob = await job('assigned', 1100);
        for (const j of [closedJob, openJob]) {
          await q.query(`INSERT INTO fs_job_events (job_id, kind, to_status, at, by_user) VALUES ($1, 'created', 'new', $2, $3), ($1, 'status', 'assigned', $2, $3)`, [j, ago(1150), user]);
          await q.query(`INSERT INTO fs_photos (job_id, blob_key, media_type, size, sha256, uploaded_by, created_at) VALUES ($1, $2, 'image/jpeg', 1, 'x', $3, $4)`, [j, `blob-${j}`, user, ago(1150)]);
        }
        for (const days of [31, 40, 29, 1]) await q.query(`INSERT INTO fs_locations (technician_id, at, latitude, longitude) VALUES ($1, $2, 1, 1)`, [user, ago(days)]);
        await q.query(`INSERT INTO logout_token_jtis (issuer, jti, expires_at) VALUES ('i', 'old', $1), ('i', 'new', $2)`, [ago(2), ago(0.5)]);
        await q.query(`INSERT INTO refresh_retries (token_hash, state, expires_at) VALUES ('old', 'done', $1), ('new', 'done', $2)`, [ago(3), new Date(NOW + DAY)]);
      });
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });

    test('with locations off, every other kind is purged past its age only', async () => {
      const retention = new Retention({ db, audit, clock, deleteBlob: async (key) => void deletedBlobs.push(key) }, policy({ locations: null }));
      const run = await retention.run();
      assert.equal(run.ran, true);
      assert.deepEqual(run.purged, { endedSessions: 2, endedDevices: 1, jobEvents: 2, locations: 0, photos: 1, replayState: 2 }, 'two ended sessions, one wiped device, the closed job’s two events and photo, a logout token id and a refresh retry expired over a day ago');
      assert.equal(await count(`sessions WHERE id IN ('s-revoked-recently', 's-open')`), 2, 'a recently ended and an open session stay');
      assert.equal(await count(`oauth_payloads WHERE grant_id = 's-open'`), 1, 'an open session’s grant stays');
      assert.equal(await count(`oauth_payloads WHERE grant_id = 's-revoked-long-ago'`), 0, 'the purged session’s grant went with it');
      assert.equal(await count(`devices WHERE jkt = 'jkt-active-old'`), 1, 'an active device stays however old');
      assert.equal(await count(`fs_job_events WHERE job_id = '${openJob}'`), 2, 'an open job keeps its history');
      assert.equal(await count(`fs_photos WHERE job_id = '${openJob}'`), 1, 'an open job keeps its photo');
      assert.equal(await count('fs_jobs'), 2, 'jobs themselves stay');
      assert.equal(await count('fs_locations'), 4, 'locations: off keeps them all');
      assert.deepEqual(deletedBlobs, [`blob-${closedJob}`], 'the purged photo’s file is deleted');
      assert.equal(await count(`refresh_retries WHERE token_hash = 'new'`), 1, 'a live refresh retry stays');
      const record = events.find((e) => e.action === 'retention.purge');
      assert.ok(record, 'the run is audited');
      assert.deepEqual((record.detail as { purged: unknown }).purged, run.purged, 'with its counts');
      assert.deepEqual({ ...retention.totals }, run.purged, 'the metrics’ totals');
    });

    test('the location trail goes after 30 days, in batches, and a second run finds nothing more', async () => {
      events.length = 0;
      const retention = new Retention({ db, audit, clock }, policy({}, 1));
      const run = await retention.run();
      assert.equal(run.purged.locations, 2, 'the positions 31 and 40 days old, one per batch');
      assert.equal(await count('fs_locations'), 2, 'the positions 29 days and 1 day old stay');
      const again = await retention.run();
      assert.deepEqual(again.purged, Object.fromEntries(RETENTION_KINDS.map((k) => [k, 0])), 'nothing left to purge');
      assert.equal(events.filter((e) => e.action === 'retention.purge').length, 1, 'a run that purged nothing writes no record');
    });

    if (kind.kind === 'postgres') {
      test('while another instance holds the purge lock, a run purges nothing', async () => {
        await db.asOwner(async (q) => q.query(`INSERT INTO fs_locations (technician_id, at, latitude, longitude) VALUES ($1, $2, 1, 1)`, [user, ago(60)]));
        const other = await openMigrated(database);
        try {
          const run = await other.asOwner(async (q) => {
            await q.query('SELECT pg_advisory_xact_lock($1)', [RETENTION_LOCK]);
            return new Retention({ db, audit, clock }, policy()).run();
          });
          assert.equal(run.ran, false, 'the lock is taken: this instance leaves it to the other');
          assert.equal(await count('fs_locations'), 3, 'nothing was deleted meanwhile');
        } finally {
          await other.close();
        }
      });
    }
  });
}
