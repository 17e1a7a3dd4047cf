/**
 * The runtime login (database.runtimeUrl, PostgreSQL only): runtime connections log in as a role
 * that owns nothing, so even SQL that steps out of `palisade_app` with RESET ROLE stays under
 * row-level security and cannot change the schema; with only the owner's URL the same SQL
 * could. Start-up refuses a runtime login that is a superuser or owns tables.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { migrate, openDatabase, type Database } from '../../src/db/index.ts';
import { checkRuntimeLogin } from '../../src/main.ts';

const postgres = databaseKinds().find((k) => k.kind === 'postgres');

describe('a runtime login of its own keeps even arbitrary SQL under row-level security (postgres)', { skip: postgres ? false : 'needs TEST_DATABASE_URL' }, () => {
  let database: TestDatabase;
  let owner: Database;
  let runtime: Database;
  const login = `palisade_runtime_${randomBytes(4).toString('hex')}`;
  let runtimeUrl: string;

  before(async () => {
    database = await postgres!.create();
    owner = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite') });
    await migrate(owner);
    await owner.asOwner(async (o) => {
      // Roles are cluster-wide: a random name, dropped afterwards. Trust authentication here;
      // a real deployment gives the login a password or certificate.
      await o.exec(`CREATE ROLE ${login} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; GRANT palisade_app TO ${login}; GRANT CONNECT ON DATABASE ${new URL(database.url!).pathname.slice(1)} TO ${login}`);
      await o.exec("INSERT INTO fs_territories (code, name, region) VALUES ('t1', 'T1', 'r1'); INSERT INTO fs_customers (name) VALUES ('C')");
    });
    const url = new URL(database.url!);
    url.username = login;
    runtimeUrl = url.href;
    runtime = await openDatabase({ url: database.url, runtimeUrl, pgliteDir: path.join(database.dataDir, 'pglite') });
  });

  after(async () => {
    await runtime?.close();
    await owner?.asOwner((o) => o.exec(`DROP OWNED BY ${login}; DROP ROLE ${login}`)).catch(() => undefined);
    await owner?.close();
    await database?.drop();
  });

  test('the login passes the start-up check; a superuser login does not', async () => {
    await checkRuntimeLogin(runtime);
    await assert.rejects(checkRuntimeLogin(owner), /is a superuser|owns tables/);
  });

  test('RESET ROLE leads back only to a login that owns nothing: still no rows, and no way to switch the policies off', async () => {
    const rows = await runtime.transaction(async (tx) => {
      await tx.query('RESET ROLE');
      const who = await tx.query<{ user: string }>('SELECT current_user AS user');
      assert.equal(who.rows[0]!.user, login);
      return (await tx.query('SELECT * FROM fs_customers')).rows;
    });
    assert.deepEqual(rows, []);
    await assert.rejects(runtime.transaction((tx) => tx.query('RESET ROLE').then(() => tx.query('ALTER TABLE fs_customers DISABLE ROW LEVEL SECURITY'))), /must be owner/);
    await assert.rejects(runtime.transaction((tx) => tx.query('RESET ROLE').then(() => tx.query('DROP POLICY customers_read ON fs_customers'))), /must be owner/);
  });

  test('with only the owner’s URL the same SQL escapes: why production sets database.runtimeUrl', async () => {
    const rows = await owner.transaction(async (tx) => {
      await tx.query('RESET ROLE');
      return (await tx.query('SELECT * FROM fs_customers')).rows;
    });
    assert.equal(rows.length, 1);
  });
});
