import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { listMigrations, migrate, openDatabase, type Database } from '../../src/db/index.ts';

for (const kind of databaseKinds()) {
  describe(`migrations and the runtime role (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    before(async () => {
      database = await kind.create();
      db = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite') });
    });
    after(async () => {
      await db.close();
      await database.drop();
    });

    test('migrations apply in order, once, and are recorded with their checksum', async () => {
      const all = listMigrations();
      assert.deepEqual(all.map((m) => m.version), [...all.map((m) => m.version)].sort(), 'files are applied in version order');
      assert.deepEqual(await migrate(db), all.map((m) => m.version));
      assert.deepEqual(await migrate(db), [], 'a second run applies nothing');
      const recorded = await db.asOwner((o) => o.query<{ version: string; checksum: string }>('SELECT version, checksum FROM palisade_migrations ORDER BY version'));
      assert.deepEqual(recorded.rows.map((r) => r.checksum), all.map((m) => m.checksum));
    });

    test('concurrent migrators (two instances starting together) apply each migration once', async () => {
      const second = await kind.create();
      const a = await openDatabase({ url: second.url, pgliteDir: path.join(second.dataDir, 'pglite') });
      const b = second.url ? await openDatabase({ url: second.url, pgliteDir: '' }) : a;
      try {
        const [x, y] = await Promise.all([migrate(a), migrate(b)]);
        assert.deepEqual([...x, ...y].sort(), listMigrations().map((m) => m.version));
      } finally {
        if (b !== a) await b.close();
        await a.close();
        await second.drop();
      }
    });

    test('an applied migration that was edited afterwards stops start-up', async () => {
      await db.asOwner((o) => o.query(`UPDATE palisade_migrations SET checksum = 'edited' WHERE version = '0001'`));
      await assert.rejects(migrate(db), /was changed after it was applied/);
      const real = listMigrations()[0]!.checksum;
      await db.asOwner((o) => o.query(`UPDATE palisade_migrations SET checksum = $1 WHERE version = '0001'`, [real]));
    });

    test('runtime queries run as palisade_app, which owns nothing and cannot change the schema', async () => {
      const who = await db.query<{ current_user: string }>('SELECT current_user');
      assert.equal(who.rows[0]!.current_user, 'palisade_app');
      const owned = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'palisade_app'`);
      assert.equal(owned.rows[0]!.n, 0, 'the runtime role must not own tables, or row-level security would not apply to it');
      await assert.rejects(db.query('DROP TABLE users'), /must be owner|permission denied/);
      await assert.rejects(db.query('CREATE TABLE sneaky (id int)'), /permission denied/);
      await assert.rejects(db.query('DELETE FROM signing_keys'), /permission denied/, 'signing keys are never deleted at runtime');
    });

    test('a failed transaction leaves nothing behind', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO users (issuer, subject) VALUES ('https://idp', 'half-written')`);
          throw new Error('boom');
        }),
        /boom/,
      );
      const left = await db.query(`SELECT 1 FROM users WHERE subject = 'half-written'`);
      assert.equal(left.rows.length, 0);
    });
  });
}
