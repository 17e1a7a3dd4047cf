/**
 * `palisade demo testers`: on a non-production instance it prints one person per role at the
 * development IdP and creates an expiring app key (stored only as a keyed hash, its creation
 * audited); in production, and on an instance signing in through the company IdP, it is refused
 * and creates nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli } from '../helpers/server.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import { openDatabase } from '../../src/db/index.ts';

const kind = databaseKinds()[0]!; // the command's logic does not depend on the database

describe('palisade demo testers', () => {
  let database: TestDatabase;
  let env: Record<string, string | undefined>;
  const apps = JSON.stringify([{ id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'] }]);
  const keyRows = async () => {
    const db = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite') });
    try {
      return (await db.asOwner((q) => q.query<{ id: string; name: string; expires: boolean }>(`SELECT id, name, expires_at IS NOT NULL AS expires FROM app_keys WHERE name LIKE 'penetration test%'`))).rows;
    } finally {
      await db.close();
    }
  };

  before(async () => {
    database = await kind.create({ migrated: true });
    env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: generateMasterKey(), PALISADE_LOG_LEVEL: 'silent', PALISADE_CLIENTS: apps };
  });
  after(async () => {
    await database?.drop();
  });

  test('refused on an instance that signs in through the company IdP: nothing is created', async () => {
    const r = await palisadeCli(['demo', 'testers'], { ...env, PALISADE_UPSTREAM_ISSUER: 'https://idp.corp.test', PALISADE_UPSTREAM_CLIENT_ID: 'palisade', PALISADE_UPSTREAM_CLIENT_SECRET: 'upstream-secret-0123456789abcdef', PALISADE_UPSTREAM_ROLES: JSON.stringify({ technician: ['techs'] }) });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /company IdP/);
    assert.deepEqual(await keyRows(), []);
  });

  // With NODE_ENV=production and the development IdP, the configuration itself is refused before
  // the command's own production check runs (docs/configuration.md): either way nothing is made.
  test('refused in production: nothing is created', async () => {
    const r = await palisadeCli(['demo', 'testers'], { ...env, NODE_ENV: 'production' });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /production/);
    assert.deepEqual(await keyRows(), []);
  });

  test('a bad expiry is refused', async () => {
    const r = await palisadeCli(['demo', 'testers', '--expires-in-days', '3650'], env);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /--expires-in-days/);
  });

  test('non-production: one person per role, and an expiring app key shown once and stored as a hash', async () => {
    const r = await palisadeCli(['demo', 'testers'], env);
    assert.equal(r.code, 0, r.out);
    for (const role of ['technician', 'dispatcher', 'manager', 'admin']) assert.match(r.stdout, new RegExp(`^  ${role}\\s+\\S+@`, 'm'), `a ${role}`);
    assert.match(r.stdout, /none \(refused\)/, 'and a person in no mapped group, for the refusal');
    const key = r.stdout.split('\n').find((l) => /^pal_/.test(l));
    assert.ok(key, `the key is printed: ${r.stdout}`);
    const rows = await keyRows();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.expires, true, 'the key expires');
    assert.match(r.stdout, new RegExp(`apps keys revoke field-app ${rows[0]!.id}`));
    const db = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite') });
    try {
      const { rows: stored } = await db.asOwner((q) => q.query<{ row: string }>(`SELECT to_jsonb(k)::text AS row FROM app_keys k`));
      assert.equal(stored.some((s) => s.row.includes(key)), false, 'only a keyed hash of the key is stored');
    } finally {
      await db.close();
    }
    const audited = await palisadeCli(['audit', 'search', '--action', 'app_key.created'], env);
    assert.match(audited.out, /app_key\.created/, 'the key’s creation is audited');
  });
});
