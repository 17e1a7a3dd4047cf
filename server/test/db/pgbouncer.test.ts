/**
 * Palisade behind PgBouncer in transaction mode (database.transactionPooling): consecutive
 * transactions of one client may run on different server connections, and one server connection
 * serves many clients. Nothing may ride on session state: the runtime role must hold in every
 * runtime transaction and never leak into the owner's, migrations and their advisory lock must
 * work, photo bytes must pass, and the session feed goes over Redis (LISTEN cannot pass).
 *
 * PgBouncer is started by the test on a free loopback port (Debian's package); absent, the file
 * is skipped unless PALISADE_REQUIRE_PGBOUNCER=1. PostgreSQL only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { pgbouncerSkip, startPgbouncer, type Pgbouncer } from '../helpers/pgbouncer.ts';
import { startTwoInstances, type TwoInstances } from '../helpers/instances.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import { migrate, openDatabase, type Database } from '../../src/db/index.ts';
import { DatabaseBlobStore } from '../../src/domains/fieldservice/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { deploymentLines } from '../../src/cli/config.ts';

const skip = pgbouncerSkip();

for (const kind of databaseKinds().filter((k) => k.kind === 'postgres')) {
  describe('behind PgBouncer in transaction mode', { skip }, () => {
    let database: TestDatabase;
    let bouncer: Pgbouncer;
    const opened: Database[] = [];
    const open = async (transactionPooling: boolean, poolSize = 4) => {
      const db = await openDatabase({ url: bouncer.through(database.url!), pgliteDir: '', poolSize, transactionPooling });
      opened.push(db);
      return db;
    };

    before(async () => {
      database = await kind.create();
      // One server connection for every client: whatever one client leaves on its connection,
      // the next client's transaction sees.
      bouncer = await startPgbouncer(database.url!, { poolSize: 1 });
    });
    after(async () => {
      for (const db of opened) await db.close().catch(() => undefined);
      await bouncer?.close();
      await database?.drop();
    });

    test('migrations run through the pooler (their advisory lock is transaction-scoped)', async () => {
      const db = await open(true);
      const applied = await migrate(db);
      assert.ok(applied.length > 10, 'every migration applied through PgBouncer');
      assert.deepEqual(await migrate(db), [], 'a second run finds nothing to do');
    });

    test('the proof that the pooler pools: per-connection SET ROLE leaks into the owner’s next transaction', async () => {
      // Without transactionPooling the runtime pool sets its role once per connection. Behind
      // PgBouncer that role stays on the shared server connection, so the owner's transaction
      // runs as palisade_app (and, the other way round, runtime work could run as the owner,
      // outside row-level security). If this ever stops leaking, the test below proves nothing.
      const db = await open(false, 1);
      await db.query('SELECT 1');
      const { rows } = await db.asOwner((q) => q.query<{ who: string }>('SELECT current_user AS who'));
      assert.equal(rows[0]!.who, 'palisade_app', 'session state crossed from one client to another through PgBouncer');
      await db.asOwner((q) => q.query('RESET ROLE'));
    });

    test('with transactionPooling the runtime role holds in every runtime transaction and never reaches the owner’s', async () => {
      const db = await open(true, 6);
      const who = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          i % 3 === 0
            ? db.asOwner((q) => q.query<{ who: string }>('SELECT current_user AS who')).then((r) => ['owner', r.rows[0]!.who])
            : i % 3 === 1
              ? db.transaction((q) => q.query<{ who: string }>('SELECT current_user AS who')).then((r) => ['runtime', r.rows[0]!.who])
              : db.query<{ who: string }>('SELECT current_user AS who').then((r) => ['query', r.rows[0]!.who]),
        ),
      );
      const owner = new URL(database.url!).username || 'postgres';
      for (const [kindOfWork, role] of who) assert.equal(role, kindOfWork === 'owner' ? owner : 'palisade_app', `${kindOfWork} work ran as ${role}`);
      const { rows } = await db.asOwner((q) => q.query<{ who: string }>('SELECT current_user AS who'));
      assert.equal(rows[0]!.who, owner, 'nothing was left on the shared server connection');
    });

    test('row-level security claims of one transaction are gone in the next, on the same server connection', async () => {
      const db = await open(true, 2);
      await db.transaction((q) => q.query("SELECT set_config('palisade.user_id', '00000000-0000-4000-8000-000000000001', true)"));
      const { rows } = await db.transaction((q) => q.query<{ claim: string | null }>("SELECT nullif(current_setting('palisade.user_id', true), '') AS claim"));
      assert.equal(rows[0]!.claim, null, 'a claim never carries over to another client’s transaction');
    });

    test('photo bytes pass through the pooler in chunks, whole', async () => {
      const db = await open(true, 2);
      const blobs = new DatabaseBlobStore(db);
      const bytes = new Uint8Array(randomBytes(2 * 1024 * 1024 + 123));
      const stored = await blobs.put(bytes, { mediaType: 'image/jpeg' });
      const back = await blobs.get(stored.key);
      assert.equal(back!.sha256, stored.sha256);
    });

    test('config check: transaction pooling needs Redis for the session feed, and says how state is shared', () => {
      const env = { PALISADE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url'), DATABASE_URL: bouncer.through(database.url!), PALISADE_DATABASE_TRANSACTION_POOLING: 'true' };
      assert.throws(() => loadConfig({ env }), /database\.transactionPooling: needs redis\.url/);
      const lines = deploymentLines(loadConfig({ env: { ...env, REDIS_URL: 'redis://127.0.0.1:6379' } }));
      assert.match(lines.join('\n'), /transaction pooler[\s\S]*session feed: Redis[\s\S]*photos: PostgreSQL/);
    });
  });

  describe('two instances behind PgBouncer, session feed on Redis', { skip: skip ?? (process.env.TEST_REDIS_URL ? undefined : 'needs TEST_REDIS_URL') }, () => {
    let bouncer: Pgbouncer;
    let instances: TwoInstances;
    let app: MobileApp;
    let appAtB: MobileApp;

    before(async () => {
      bouncer = await startPgbouncer(process.env.TEST_DATABASE_URL!, { poolSize: 8 });
      instances = await startTwoInstances(kind, { redis: true, databaseUrl: (direct) => bouncer.through(direct), env: { PALISADE_DATABASE_TRANSACTION_POOLING: 'true', PALISADE_DATABASE_POOL_SIZE: '4' } });
      app = new MobileApp(instances.publicUrl, instances.a.ca);
      appAtB = new MobileApp(instances.publicUrl, instances.b.ca);
    });
    after(async () => {
      await app?.close();
      await appAtB?.close();
      await instances?.close();
      await bouncer?.close();
    });

    test('sign-in, API calls on both, and a sign-out through one refused by the other within a second', async () => {
      const { tokens } = await app.signIn('u-tech', { dpop: false });
      const callB = (path: string, init: RequestInit = {}) => {
        appAtB.remember(tokens);
        return appAtB.call(path, tokens.access_token, { ...init, signing: { targetUri: `${instances.publicUrl}${path}` } }, instances.bUrl);
      };
      assert.equal((await app.call('/api/v1/me', tokens.access_token)).status, 200);
      assert.equal((await callB('/api/v1/me')).status, 200, 'the other instance accepts the token');
      assert.equal((await app.call('/api/v1/session/logout', tokens.access_token, { method: 'POST', body: '{}' })).status, 200);
      const started = performance.now();
      let last;
      do last = await callB('/api/v1/me');
      while (last.status === 200 && performance.now() - started < 1000);
      assert.equal(last.status, 401, 'the revocation reached the other instance over Redis, not LISTEN');
      assert.equal(last.body.type, 'https://palisade.dev/problems/session-revoked');
    });
  });
}
