/**
 * The per-session signing keys an instance keeps in memory hold only their own 32 bytes. A key
 * decoded with Buffer.from is a view of a shared 8 KB pool slab, and keeps that slab alive: with
 * one key per active session cached, an instance held about 8 KB per session (80 MB at 10 000).
 * The key issued at the code exchange and the one read back for verification stay the same key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { SessionSigningKeys, ownCopy } from '../../src/apisec/signing-keys.ts';

test('ownCopy: the same bytes in a buffer of exactly their size, not a view of a pool slab', () => {
  const pooled = Buffer.from('a'.repeat(43), 'base64url');
  assert.ok(pooled.buffer.byteLength > pooled.length, 'Buffer.from of a small value is a view of a larger pool (what the cache must not keep)');
  const own = ownCopy(pooled);
  assert.deepEqual(own, pooled);
  assert.equal(own.buffer.byteLength, own.length);
});

const kind = databaseKinds()[0]!; // PGlite: memory layout does not depend on the database
describe('cached session signing keys', () => {
  let database: TestDatabase;
  let db: Database;
  before(async () => {
    database = await kind.create({ migrated: true });
    db = await openMigrated(database);
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  test('each cached key owns exactly its 32 bytes, and it is the key the app was given', async () => {
    const master = masterKeyFromBase64url(generateMasterKey());
    const sessionIds = Array.from({ length: 20 }, () => randomUUID());
    await db.asOwner(async (o) => {
      const { rows } = await o.query<{ id: string }>(`INSERT INTO users (issuer, subject) VALUES ('urn:test', $1) RETURNING id`, [randomUUID()]);
      for (const id of sessionIds) {
        await o.query(`INSERT INTO sessions (id, user_id, client_id, auth_time, expires_at) VALUES ($1, $2, 'field-app', now(), now() + interval '1 day')`, [id, rows[0]!.id]);
      }
    });
    const issuer = new SessionSigningKeys({ db, master, isRevoked: () => false });
    const issued = await Promise.all(sessionIds.map((id) => issuer.issue(id)));
    // Another instance: its cache is filled by lookups, as verification fills it.
    const verifier = new SessionSigningKeys({ db, master, isRevoked: () => false });
    for (const [i, id] of sessionIds.entries()) {
      // Allocations between two lookups, as a busy server makes: pooled keys would land in different slabs.
      Buffer.from('x'.repeat(5000));
      const key = await verifier.lookup(id);
      assert.ok(key);
      assert.equal(key.key.length, 32);
      assert.equal(key.key.buffer.byteLength, 32, 'the cached key is not a view of a larger buffer');
      assert.equal(key.key.toString('base64url'), issued[i]!.key);
      assert.equal(key.keyId, issued[i]!.keyId);
    }
  });
});
