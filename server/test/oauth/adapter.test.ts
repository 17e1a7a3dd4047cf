import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { createAdapterFactory, sweepExpiredPayloads } from '../../src/oauth/adapter.ts';
import { ManualClock } from '../../src/clock.ts';
import { randomId } from '../../src/security/primitives.ts';

const noReplay = async () => assert.fail('no credential was presented twice');

for (const kind of databaseKinds()) {
  describe(`authorization server storage (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    const clock = new ManualClock(Date.now());
    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
    });
    after(async () => {
      await db.close();
      await database.drop();
    });

    test('refresh tokens and codes are stored only as hashes; the raw value is nowhere in the table', async () => {
      const Adapter = createAdapterFactory(db, clock, noReplay);
      const refresh = new Adapter('RefreshToken');
      const token = randomId();
      await refresh.upsert(token, { jti: token, grantId: 'g1', accountId: 'a', kind: 'RefreshToken' }, 3600);
      const dump = await db.query<{ row: string }>(`SELECT row_to_json(p)::text AS row FROM oauth_payloads p`);
      assert.ok(dump.rows.length > 0);
      for (const { row } of dump.rows) assert.ok(!row.includes(token), 'a database dump must not reveal a usable refresh token');
      const found = await refresh.find(token);
      assert.equal(found?.jti, token, 'lookup by the raw value still works');
      assert.equal(await refresh.find(token.slice(0, -1) + 'x'), undefined);
    });

    test('consume marks the token; an expired token is not found; a grant revocation removes its tokens', async () => {
      const Adapter = createAdapterFactory(db, clock, noReplay);
      const refresh = new Adapter('RefreshToken');
      const code = new Adapter('AuthorizationCode');
      const [a, b, c] = [randomId(), randomId(), randomId()];
      await refresh.upsert(a, { jti: a, grantId: 'g2' }, 3600);
      await code.upsert(b, { jti: b, grantId: 'g2' }, 60);
      await refresh.upsert(c, { jti: c, grantId: 'g3' }, 3600);
      await refresh.consume(a);
      assert.ok((await refresh.find(a))?.consumed, 'a consumed refresh token is recognisable as such (reuse detection)');
      clock.advance(61_000);
      assert.equal(await code.find(b), undefined, 'codes expire');
      await refresh.revokeByGrantId('g2');
      assert.equal(await refresh.find(a), undefined);
      assert.ok(await refresh.find(c), 'other grants are untouched');
    });

    test('of several concurrent uses of one refresh token exactly one wins; the others are reuse', async () => {
      const replays: [string, string | null][] = [];
      const Adapter = createAdapterFactory(db, clock, async (model, grantId) => void replays.push([model, grantId]));
      const refresh = new Adapter('RefreshToken');
      const id = randomId();
      await refresh.upsert(id, { jti: id, grantId: 'g5' }, 3600);
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => refresh.consume(id)));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, 'one request rotates the token');
      for (const o of outcomes.filter((o) => o.status === 'rejected')) {
        assert.equal((o.reason as { error?: string }).error, 'invalid_grant');
      }
      assert.deepEqual(replays, Array.from({ length: 4 }, () => ['RefreshToken', 'g5']), 'each loser revokes the grant');
    });

    test('replay detection: of several concurrent first uses of one DPoP proof exactly one passes; a later use within the hold is a replay', async () => {
      const Adapter = createAdapterFactory(db, clock, noReplay);
      const replay = new Adapter('ReplayDetection');
      // oidc-provider's ReplayDetection.unique: find, and if nothing is found, save.
      const unique = async (id: string, expiresIn: number) => {
        if (await replay.find(id)) return false;
        await replay.upsert(id, { jti: id, iss: 'field-app' } as never, expiresIn);
        return true;
      };
      const id = randomId();
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => unique(id, 300)));
      assert.equal(outcomes.filter(Boolean).length, 1, 'the same proof presented five times at once passes once');
      clock.advance(299_000);
      assert.equal(await unique(id, 300), false, 'presented again within its window: a replay');
      clock.advance(400_000);
      assert.equal(await unique(id, 300), true, 'long after its window the id may be claimed again (the proof itself is too old by then)');
      // A client assertion valid for an hour is held for the hour, not only the claim's hold.
      const assertion = randomId();
      assert.equal(await unique(assertion, 3600), true);
      clock.advance(3_000_000);
      assert.equal(await unique(assertion, 3600), false, 'a long-lived assertion stays held until it expires');
    });

    test('interactions are stored without the raw browser-session cookie', async () => {
      const Adapter = createAdapterFactory(db, clock, noReplay);
      const uid = randomId();
      const cookie = randomId();
      await new Adapter('Interaction').upsert(uid, { uid, session: { uid: 's1', cookie, accountId: 'a' } } as never, 600);
      const { rows } = await db.query<{ payload: unknown }>(`SELECT payload FROM oauth_payloads WHERE model = 'Interaction'`);
      assert.ok(rows.length > 0);
      assert.ok(!JSON.stringify(rows).includes(cookie));
    });

    test('expired records are swept after a grace period; live ones stay', async () => {
      const Adapter = createAdapterFactory(db, clock, noReplay);
      const code = new Adapter('AuthorizationCode');
      const refresh = new Adapter('RefreshToken');
      const [short, long] = [randomId(), randomId()];
      await code.upsert(short, { jti: short, grantId: 'g4' }, 60);
      await refresh.upsert(long, { jti: long, grantId: 'g4' }, 7 * 24 * 3600);
      const count = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM oauth_payloads WHERE grant_id = 'g4'`)).rows[0]!.n);
      clock.advance(120_000);
      await sweepExpiredPayloads(db, clock);
      assert.equal(await count(), 2, 'within the grace period an expired record stays');
      clock.advance(60 * 60_000);
      assert.ok((await sweepExpiredPayloads(db, clock)) >= 1);
      assert.equal(await count(), 1);
      assert.ok(await refresh.find(long), 'the live refresh token is untouched');
    });
  });
}
