/**
 * The revocation feed: a session revoked through one Palisade instance is in every other
 * instance's deny set within a second, and an instance whose feed connection was lost catches
 * up from the database when it reconnects, so a revocation sent during the outage is not missed.
 * Two instances are two Database handles (two connection pools and listeners) on one database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { LISTENER_APPLICATION_NAME } from '../../src/db/open.ts';
import { Sessions } from '../../src/sessions/index.ts';
import { systemClock } from '../../src/clock.ts';
import { openRedisCache, type SharedCache } from '../../src/cache/index.ts';
import { randomId } from '../../src/security/primitives.ts';

const TOKEN_LIFETIME_MS = 15 * 60_000;
const silent = { warn: () => undefined, error: () => undefined };

/** Resolves with the milliseconds it took for `condition` to hold; rejects after `limitMs`. */
async function within(limitMs: number, condition: () => boolean, what: string): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}

async function newSession(db: Database, sessions: Sessions): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`INSERT INTO users (issuer, subject) VALUES ('https://idp.test', $1) RETURNING id`, [randomId()]);
  const id = randomId();
  const now = Date.now();
  await sessions.create({ id, userId: rows[0]!.id, clientId: 'field-app', authTime: new Date(now), acr: null, amr: [], expiresAt: new Date(now + 7 * 86_400_000) });
  return id;
}

for (const kind of databaseKinds()) {
  describe(`revocation feed (${kind.kind})`, () => {
    let database: TestDatabase;
    const handles: Database[] = [];
    const instances: Sessions[] = [];
    before(async () => {
      database = await kind.create({ migrated: true });
      // PGlite is one process with one connection: its two "instances" share the handle.
      const first = await openMigrated(database);
      const second = kind.kind === 'postgres' ? await openMigrated(database) : first;
      handles.push(first, ...(second === first ? [] : [second]));
      for (const db of [first, second]) {
        const sessions = new Sessions(db, systemClock, TOKEN_LIFETIME_MS, silent);
        await sessions.start();
        instances.push(sessions);
      }
    });
    after(async () => {
      for (const sessions of instances) await sessions.stop();
      for (const db of handles) await db.close();
      await database.drop();
    });

    test('a revocation on one instance reaches the other within a second', async () => {
      const [a, b] = instances as [Sessions, Sessions];
      const id = await newSession(handles[0]!, a);
      assert.equal(b.isRevoked(id), false);
      await a.revoke(id, 'admin');
      assert.equal(a.isRevoked(id), true, 'the revoking instance knows at once');
      const ms = await within(1000, () => b.isRevoked(id), 'the other instance learns of the revocation');
      console.log(`revocation seen by the other instance after ${ms.toFixed(1)} ms`);
    });

    test('revoking every session of a user reaches the other instance for each of them', async () => {
      const [a, b] = instances as [Sessions, Sessions];
      const first = await newSession(handles[0]!, a);
      const userId = (await handles[0]!.query<{ user_id: string }>('SELECT user_id FROM sessions WHERE id = $1', [first])).rows[0]!.user_id;
      const second = randomId();
      await a.create({ id: second, userId, clientId: 'field-app', authTime: new Date(), acr: null, amr: [], expiresAt: new Date(Date.now() + 86_400_000) });
      assert.equal(await b.revokeAllOfUser(userId, 'admin'), 2);
      await within(1000, () => a.isRevoked(first) && a.isRevoked(second), 'both sessions revoked on the other instance');
    });

    test('an unlock announced on one instance reaches the other (to drop its cached lock), and is no revocation', async () => {
      const [a, b] = instances as [Sessions, Sessions];
      const heard: string[] = [];
      b.onUnlock((id) => heard.push(id));
      const id = await newSession(handles[0]!, a);
      await handles[0]!.transaction((tx) => a.announceUnlock(tx, id));
      await within(1000, () => heard.includes(id), 'the other instance hears the unlock');
      assert.equal(b.isRevoked(id), false);
      assert.equal(b.isRevoked(`unlock:${id}`), false);
    });

    test('a session revoked in an earlier run is denied from start (the set is loaded)', async () => {
      const [a] = instances as [Sessions];
      const id = await newSession(handles[0]!, a);
      await a.revoke(id, 'admin');
      const fresh = new Sessions(handles[0]!, systemClock, TOKEN_LIFETIME_MS, silent);
      await fresh.start();
      try {
        assert.equal(fresh.isRevoked(id), true);
      } finally {
        await fresh.stop();
      }
    });

    if (kind.kind === 'postgres') {
      test('after losing its feed connection an instance reconnects and catches up on what it missed', async () => {
        const [a, b] = instances as [Sessions, Sessions];
        const id = await newSession(handles[0]!, a);
        // Cut every feed connection to this database, as a PostgreSQL restart or failover would.
        const { rowCount } = await handles[0]!.asOwner((owner) =>
          owner.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, [LISTENER_APPLICATION_NAME]),
        );
        assert.equal(rowCount, 2, 'both instances had a feed connection');
        // Sent while nobody listens: the notification itself is lost.
        await a.revoke(id, 'admin');
        await within(10_000, () => b.isRevoked(id), 'the reconnected instance reloads the revocation');
        // And the feed works again afterwards.
        const next = await newSession(handles[0]!, a);
        await a.revoke(next, 'admin');
        await within(1000, () => b.isRevoked(next), 'the re-established feed delivers');
      });
    }
  });
}

if (process.env.TEST_REDIS_URL) {
  describe('revocation feed over Redis pub/sub (REDIS_URL)', () => {
    let database: TestDatabase;
    const handles: Database[] = [];
    const caches: SharedCache[] = [];
    const instances: Sessions[] = [];
    before(async () => {
      // Redis carries the feed; the sessions themselves live in the database as always.
      database = await databaseKinds()[0]!.create({ migrated: true });
      const db = await openMigrated(database);
      handles.push(db);
      for (let i = 0; i < 2; i += 1) {
        const cache = await openRedisCache(process.env.TEST_REDIS_URL!);
        caches.push(cache);
        const sessions = new Sessions(db, systemClock, TOKEN_LIFETIME_MS, silent, cache);
        await sessions.start();
        instances.push(sessions);
      }
    });
    after(async () => {
      for (const sessions of instances) await sessions.stop();
      for (const cache of caches) await cache.close();
      for (const db of handles) await db.close();
      await database.drop();
    });

    test('a revocation and an unlock reach the other instance within a second', async () => {
      const [a, b] = instances as [Sessions, Sessions];
      const id = await newSession(handles[0]!, a);
      const unlocked: string[] = [];
      b.onUnlock((sid) => unlocked.push(sid));
      await a.revoke(id, 'admin');
      const ms = await within(1000, () => b.isRevoked(id), 'the other instance learns of the revocation over Redis');
      console.log(`revocation over Redis seen by the other instance after ${ms.toFixed(1)} ms`);
      await a.unlockCommitted('some-session');
      await within(1000, () => unlocked.includes('some-session'), 'the unlock is heard over Redis');
    });

    test('after Redis drops the subscription, the instance resubscribes and catches up from the database', async () => {
      const [a, b] = instances as [Sessions, Sessions];
      const { Redis } = await import('ioredis');
      const admin = new Redis(process.env.TEST_REDIS_URL!);
      try {
        const id = await newSession(handles[0]!, a);
        await admin.client('KILL', 'TYPE', 'pubsub');
        await a.revoke(id, 'admin'); // may be published while nobody listens
        await within(10_000, () => b.isRevoked(id), 'the resubscribed instance reloads the revocation');
      } finally {
        admin.disconnect();
      }
    });
  });
}
