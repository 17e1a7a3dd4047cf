/**
 * Idle lock: a session with no API call for the idle timeout is locked, on every instance,
 * without a database write per request. The clock is injected; nothing sleeps.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { SessionActivity, Sessions } from '../../src/sessions/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { randomId } from '../../src/security/primitives.ts';

const MINUTE = 60_000;
const IDLE = 15 * MINUTE;

for (const kind of databaseKinds()) {
  describe(`idle lock (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    const clock = new ManualClock(Date.now());
    let sessions: Sessions;
    const activity = (idleMs = IDLE) => new SessionActivity(db, clock, { idleMsFor: (clientId) => (clientId === 'short-app' ? 2 * MINUTE : idleMs) });

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      sessions = new Sessions(db, clock, 15 * MINUTE, { warn: () => undefined, error: () => undefined });
    });
    after(async () => {
      await db.close();
      await database.drop();
    });

    async function newSession(clientId = 'field-app'): Promise<string> {
      const { rows } = await db.query<{ id: string }>(`INSERT INTO users (issuer, subject) VALUES ('https://idp.test', $1) RETURNING id`, [randomId()]);
      const id = randomId();
      const now = clock.now();
      await sessions.create({ id, userId: rows[0]!.id, clientId, authTime: new Date(now), acr: null, amr: [], expiresAt: new Date(now + 7 * 24 * 60 * MINUTE) });
      return id;
    }
    const row = async (id: string) =>
      (await db.query<{ last_seen_at: Date; locked_at: Date | null; lock_reason: string | null }>('SELECT last_seen_at, locked_at, lock_reason FROM sessions WHERE id = $1', [id])).rows[0]!;

    test('calls within the timeout keep the session active, with at most one write a minute', async () => {
      const tracker = activity();
      const id = await newSession();
      const first = clock.now();
      for (let i = 0; i < 20; i += 1) {
        assert.equal(await tracker.touch(id, 'field-app'), 'active');
        clock.advance(2_000);
      }
      // 40 s of calls: the row still holds the first sync, not the latest call.
      assert.equal((await row(id)).last_seen_at.getTime(), first, 'activity is coalesced, not written per request');
      clock.advance(30_000);
      await tracker.touch(id, 'field-app');
      assert.equal((await row(id)).last_seen_at.getTime(), clock.now(), 'a minute later the activity is written');
    });

    test('after the idle timeout without a call the session is locked, and stays locked', async () => {
      const tracker = activity();
      const id = await newSession();
      assert.equal(await tracker.touch(id, 'field-app'), 'active');
      clock.advance(IDLE - 1000);
      assert.equal(await tracker.touch(id, 'field-app'), 'active', 'just inside the timeout');
      clock.advance(IDLE + 1000);
      assert.equal(await tracker.touch(id, 'field-app'), 'locked');
      const locked = await row(id);
      assert.equal(locked.lock_reason, 'idle');
      assert.equal(locked.locked_at?.getTime(), clock.now());
      clock.advance(1000);
      assert.equal(await tracker.touch(id, 'field-app'), 'locked', 'a call does not unlock it');
      assert.equal(await activity().touch(id, 'field-app'), 'locked', 'another instance sees the lock');
    });

    test('a session busy on one instance is not locked by another that has not seen it for long', async () => {
      const [a, b] = [activity(), activity()];
      const id = await newSession();
      assert.equal(await b.touch(id, 'field-app'), 'active');
      for (let minute = 0; minute < 30; minute += 1) {
        clock.advance(MINUTE);
        assert.equal(await a.touch(id, 'field-app'), 'active');
      }
      assert.equal(await b.touch(id, 'field-app'), 'active', 'B last saw the session 30 minutes ago, but A served it all along');
    });

    test('the idle timeout is per app', async () => {
      const tracker = activity();
      const short = await newSession('short-app');
      const normal = await newSession('field-app');
      await tracker.touch(short, 'short-app');
      await tracker.touch(normal, 'field-app');
      clock.advance(3 * MINUTE);
      assert.equal(await tracker.touch(short, 'short-app'), 'locked');
      assert.equal(await tracker.touch(normal, 'field-app'), 'active');
    });

    test('a session that does not exist is unknown, never active', async () => {
      assert.equal(await activity().touch(randomId(), 'field-app'), 'unknown');
    });
  });
}
