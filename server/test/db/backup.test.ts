/**
 * `palisade backup` and `palisade restore`, as an operator runs them: a database with people,
 * sessions revoked by `incident contain` and a sealed audit trail is backed up, destroyed (the
 * PGlite folder deleted, the PostgreSQL database dropped), restored, and then `audit verify`
 * passes and the revoked sessions are still revoked — a restore must not resurrect a session an
 * incident ended. And the attacker's or the careless operator's cases: restoring over live data,
 * restoring a backup of the other kind, a file that is not a backup, a truncated backup, and a
 * backup that would carry the master key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli } from '../helpers/server.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import { openDatabase } from '../../src/db/index.ts';

function pgDumpInstalled(): boolean {
  try {
    execFileSync('pg_dump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

for (const kind of databaseKinds()) {
  const skip = kind.kind === 'postgres' && !pgDumpInstalled() ? 'pg_dump is not installed: the PostgreSQL backup cannot be tested here' : undefined;
  if (skip) console.log(`# skipped: ${skip}`);
  describe(`backup, destroy, restore, verify (${kind.kind})`, { skip }, () => {
    let database: TestDatabase;
    const masterKey = generateMasterKey();
    let env: Record<string, string | undefined>;
    let backupFile: string;
    const sessions = ['s-contained-1', 's-contained-2'];

    const open = () => openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite') });
    const revokedAt = async () => {
      const db = await open();
      try {
        return (await db.asOwner((q) => q.query<{ id: string; revoked: boolean }>(`SELECT id, revoked_at IS NOT NULL AS revoked FROM sessions ORDER BY id`))).rows;
      } finally {
        await db.close();
      }
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'silent' };
      backupFile = path.join(database.dataDir, '..', `${path.basename(database.dataDir)}-backup.bin`);
      const db = await open();
      try {
        await db.asOwner(async (q) => {
          const { rows } = await q.query<{ id: string }>(`INSERT INTO users (issuer, subject, email, name) VALUES ('https://idp.test', 'b-1', 'leaver@corp.test', 'Lee Ver') RETURNING id`);
          for (const id of sessions) await q.query(`INSERT INTO sessions (id, user_id, client_id, auth_time, expires_at) VALUES ($1, $2, 'field-app', now(), now() + interval '30 days')`, [id, rows[0]!.id]);
        });
      } finally {
        await db.close();
      }
      const contained = await palisadeCli(['incident', 'contain', '--user', 'leaver@corp.test', '--reason', 'backup test'], env);
      assert.equal(contained.code, 0, contained.out);
      const verified = await palisadeCli(['audit', 'verify', '--seal'], env);
      assert.equal(verified.code, 0, verified.out);
    });
    after(async () => {
      rmSync(backupFile, { force: true });
      rmSync(`${backupFile}.keys`, { force: true });
      await database?.drop();
    });

    test('the sessions were revoked before the backup', async () => {
      assert.deepEqual(await revokedAt(), sessions.map((id) => ({ id, revoked: true })));
    });

    test('backup writes an owner-only file, says the master key is not in it, and it is not', async () => {
      const r = await palisadeCli(['backup', '--out', backupFile], env);
      assert.equal(r.code, 0, r.out);
      assert.match(r.stdout, /backup written/);
      assert.match(r.stdout, /master key is NOT in the backup/);
      assert.equal(statSync(backupFile).mode & 0o777, 0o600, 'owner-only');
      assert.match(r.stdout, /key file written/);
      assert.equal(statSync(`${backupFile}.keys`).mode & 0o777, 0o600, 'the key file is owner-only too');
      const raw = readFileSync(backupFile);
      const contents = kind.kind === 'pglite' ? gunzipSync(raw) : raw;
      assert.ok(contents.length > 10_000, 'the backup holds the database');
      assert.equal(contents.includes(Buffer.from(masterKey)), false, 'the master key is nowhere in it');
      assert.equal(contents.includes(Buffer.from(Buffer.from(masterKey, 'base64url').toString('hex'))), false, 'nor in hex');
      const again = await palisadeCli(['backup', '--out', backupFile], env);
      assert.notEqual(again.code, 0, 'an existing backup is never overwritten');
      assert.match(again.out, /exists/);
    });

    test('restoring over live data is refused, and leaves it as it was', async () => {
      const r = await palisadeCli(['restore', '--from', backupFile, '--keys', `${backupFile}.keys`], env);
      assert.notEqual(r.code, 0);
      assert.match(r.out, /not empty/);
      assert.equal((await revokedAt()).length, 2);
    });

    test('a file that is not a backup, and a backup of the other kind, are refused', async () => {
      const junk = `${backupFile}.junk`;
      writeFileSync(junk, 'SELECT 1; -- not a backup');
      try {
        const r = await palisadeCli(['restore', '--from', junk, '--keys', `${backupFile}.keys`], env);
        assert.notEqual(r.code, 0);
        assert.match(r.out, /not a Palisade backup/);
        writeFileSync(junk, kind.kind === 'pglite' ? Buffer.from('PGDMP\x01\x0e\x00') : Buffer.from([0x1f, 0x8b, 0x08, 0]));
        const other = await palisadeCli(['restore', '--from', junk, '--keys', `${backupFile}.keys`], env);
        assert.notEqual(other.code, 0);
        assert.match(other.out, /is a (PostgreSQL|PGlite) backup, but this configuration uses/);
      } finally {
        rmSync(junk, { force: true });
      }
    });

    test('destroyed, restored: audit verify passes and the revoked sessions stay revoked', async () => {
      await destroy(database);
      const r = await palisadeCli(['restore', '--from', backupFile, '--keys', `${backupFile}.keys`], env);
      assert.equal(r.code, 0, r.out);
      assert.match(r.stdout, /master key is NOT in the backup/);
      assert.match(r.stdout, /person keys restored/);
      assert.match(r.stdout, /audit trail OK/);
      const verified = await palisadeCli(['audit', 'verify'], env);
      assert.equal(verified.code, 0, verified.out);
      assert.match(verified.stdout, /audit trail OK: \d+ records/);
      assert.deepEqual(await revokedAt(), sessions.map((id) => ({ id, revoked: true })), 'no session an incident ended comes back');
      const search = await palisadeCli(['audit', 'search', '--action', 'incident.contain'], env);
      assert.match(search.out, /incident\.contain/, 'the containment is still on record');
    });

    test('a truncated backup is refused and leaves no half-restored database', async () => {
      const truncated = `${backupFile}.truncated`;
      const raw = readFileSync(backupFile);
      writeFileSync(truncated, raw.subarray(0, Math.floor(raw.length / 2)));
      try {
        await destroy(database);
        const r = await palisadeCli(['restore', '--from', truncated, '--keys', `${backupFile}.keys`], env);
        assert.notEqual(r.code, 0, r.out);
        if (kind.kind === 'pglite') assert.match(r.out, /damaged or truncated/);
        if (kind.kind === 'postgres') {
          // One transaction: the database exists (created for the restore) but holds no table.
          const db = await open();
          try {
            const { rows } = await db.asOwner((q) => q.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`));
            assert.equal(rows[0]!.n, 0);
          } finally {
            await db.close();
          }
        }
      } finally {
        rmSync(truncated, { force: true });
      }
    });
  });
}

/** What a disaster leaves: no PGlite folder, or no PostgreSQL database. */
async function destroy(database: TestDatabase): Promise<void> {
  if (database.kind === 'pglite') {
    rmSync(path.join(database.dataDir, 'pglite'), { recursive: true, force: true });
    assert.equal(existsSync(path.join(database.dataDir, 'pglite')), false);
    return;
  }
  const { default: pg } = await import('pg');
  const url = new URL(database.url!);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.href });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
