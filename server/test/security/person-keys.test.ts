/**
 * Per-person data keys (crypto-shredding, decision 0023), on PGlite and, with TEST_DATABASE_URL,
 * on PostgreSQL. The tests try to break it: altered IVs, ciphertexts, tags and key ids, one
 * person's value opened as another's (or their key used for another), a value moved to another
 * record, a destroyed key (also in a second instance's memory, bounded by the cache time), the
 * runtime role deleting a key, and the database searched for the raw key. Master key rotation
 * re-wraps every person key (all or none, owner only), so after the old master key is retired every
 * person's data still opens, and erasure still shreds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { generateMasterKey, masterKeyFromBase64url, WrongMasterKeyError } from '../../src/security/primitives.ts';
import { PERSON_KEY_CACHE_MS, PersonDataError, PersonKeys, isSealedBytes, rewrapPersonKeys, type PersonDataErrorCode } from '../../src/security/person-keys.ts';
import { FieldCipher, rewrapDataKeys } from '../../src/security/envelope.ts';

const refused = (code: PersonDataErrorCode) => (error: unknown) => {
  assert.ok(error instanceof PersonDataError, `expected a PersonDataError, got ${String(error)}`);
  assert.equal(error.code, code);
  return true;
};

/** Flips one bit of a base64url part of a `pk1` text value. */
function flip(value: string, part: number): string {
  const parts = value.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

for (const kind of databaseKinds()) {
  describe(`person keys (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    const master = masterKeyFromBase64url(generateMasterKey());
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    let keys: PersonKeys;
    const alice = randomUUID();
    const bob = randomUUID();

    before(async () => {
      database = await kind.create();
      db = await openMigrated(database);
      keys = new PersonKeys({ db, master, clock });
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });

    test('text and bytes round-trip; each person has one key; the raw key is nowhere in the database', async () => {
      const sealed = await keys.sealText(alice, 'fs_locations:t1', '{"latitude":51.5}');
      assert.match(sealed, /^pk1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
      assert.equal(await keys.openText(alice, 'fs_locations:t1', sealed), '{"latitude":51.5}');
      const photo = randomBytes(300);
      const blob = await keys.sealBytes(alice, 'fs_photos:p1', photo);
      assert.ok(isSealedBytes(blob));
      assert.equal(Buffer.from(blob).includes(photo.subarray(0, 32)), false, 'the blob does not hold the image');
      assert.deepEqual(Buffer.from(await keys.openBytes(alice, 'fs_photos:p1', blob)), photo);
      // A second instance opens it from the table alone.
      const other = new PersonKeys({ db, master, clock });
      assert.equal(await other.openText(alice, 'fs_locations:t1', sealed), '{"latitude":51.5}');
      const rows = (await db.asOwner((q) => q.query<{ personId: string; n: number }>('SELECT person_id::text AS "personId", count(*)::int AS n FROM person_keys GROUP BY 1'))).rows;
      assert.deepEqual(rows, [{ personId: alice, n: 1 }]);
      const dump = (await db.asOwner((q) => q.query<{ t: string }>('SELECT string_agg(k::text, \'\') AS t FROM person_keys k'))).rows[0]!.t;
      assert.doesNotMatch(dump, /"k":/, 'no JWK or raw key material in clear');
    });

    test('tampered IV, ciphertext, tag or key id are refused (GCM), never opened', async () => {
      const sealed = await keys.sealText(alice, 'fs_locations:t2', 'secret position');
      for (const part of [2, 3]) await assert.rejects(keys.openText(alice, 'fs_locations:t2', flip(sealed, part)), refused('ERR_PERSON_DATA_DECRYPT_FAILED'));
      const bobSealed = await keys.sealText(bob, 'fs_locations:t2', 'bob');
      const relabelled = [sealed.split('.')[0], bobSealed.split('.')[1], ...sealed.split('.').slice(2)].join('.');
      await assert.rejects(keys.openText(alice, 'fs_locations:t2', relabelled), refused('ERR_PERSON_DATA_DECRYPT_FAILED'));
      await assert.rejects(keys.openText(alice, 'fs_locations:t2', 'pk1.nope'), refused('ERR_PERSON_DATA_MALFORMED'));
      const blob = Buffer.from(await keys.sealBytes(alice, 'fs_photos:p2', randomBytes(100)));
      for (const at of [21, 40, blob.length - 1]) {
        const bad = Buffer.from(blob);
        bad[at] = bad[at]! ^ 1;
        await assert.rejects(keys.openBytes(alice, 'fs_photos:p2', bad), refused('ERR_PERSON_DATA_DECRYPT_FAILED'));
      }
      await assert.rejects(keys.openBytes(alice, 'fs_photos:p2', blob.subarray(0, 30)), refused('ERR_PERSON_DATA_MALFORMED'));
    });

    test('one person’s value does not open as another’s, nor in another record (AAD binds person and record)', async () => {
      const sealed = await keys.sealText(alice, 'fs_locations:t3', 'alice was here');
      await assert.rejects(keys.openText(bob, 'fs_locations:t3', sealed), refused('ERR_PERSON_DATA_DECRYPT_FAILED'));
      await assert.rejects(keys.openText(alice, 'fs_locations:t4', sealed), refused('ERR_PERSON_DATA_DECRYPT_FAILED'));
      const blob = await keys.sealBytes(alice, 'fs_photos:a', randomBytes(50));
      await assert.rejects(keys.openBytes(bob, 'fs_photos:a', blob), refused('ERR_PERSON_DATA_DECRYPT_FAILED'));
      await assert.rejects(keys.openBytes(alice, 'fs_photos:b', blob), refused('ERR_PERSON_DATA_DECRYPT_FAILED'));
      // Bob's wrapped key copied into Alice's row does not unwrap: the wrap names key and person.
      const carol = randomUUID();
      await keys.sealText(carol, 'x', 'carol');
      await db.asOwner(async (q) => {
        const { rows } = await q.query<{ wrapped: string }>('SELECT wrapped_key AS wrapped FROM person_keys WHERE person_id = $1', [bob]);
        await q.query('UPDATE person_keys SET wrapped_key = $2 WHERE person_id = $1', [carol, rows[0]!.wrapped]);
      });
      const fresh = new PersonKeys({ db, master, clock });
      await assert.rejects(fresh.openText(carol, 'x', await keys.sealText(carol, 'x', 'carol')), refused('ERR_PERSON_DATA_DECRYPT_FAILED'));
    });

    test('another master key is a configuration error, not tampering', async () => {
      const sealed = await keys.sealText(alice, 'c', 'v');
      const wrong = new PersonKeys({ db, master: masterKeyFromBase64url(generateMasterKey()), clock });
      await assert.rejects(wrong.openText(alice, 'c', sealed), (e: unknown) => e instanceof WrongMasterKeyError);
    });

    test('the runtime role cannot destroy a key; the owner’s destroy makes every copy unreadable, here at once and elsewhere within the cache time', async () => {
      const dave = randomUUID();
      const sealed = await keys.sealText(dave, 'fs_locations:d', 'dave');
      const blob = await keys.sealBytes(dave, 'fs_photos:d', randomBytes(64));
      const elsewhere = new PersonKeys({ db, master, clock });
      assert.equal(await elsewhere.openText(dave, 'fs_locations:d', sealed), 'dave');
      await assert.rejects(db.transaction((tx) => tx.query('DELETE FROM person_keys WHERE person_id = $1', [dave])), /permission denied/, 'the runtime role may not delete keys');
      assert.equal(await db.asOwner((q) => keys.destroy(q, dave)), 1);
      await assert.rejects(keys.openText(dave, 'fs_locations:d', sealed), refused('ERR_PERSON_KEY_DESTROYED'));
      await assert.rejects(keys.openBytes(dave, 'fs_photos:d', blob), refused('ERR_PERSON_KEY_DESTROYED'));
      await assert.rejects(new PersonKeys({ db, master, clock }).openText(dave, 'fs_locations:d', sealed), refused('ERR_PERSON_KEY_DESTROYED'));
      clock.advance(PERSON_KEY_CACHE_MS);
      await assert.rejects(elsewhere.openText(dave, 'fs_locations:d', sealed), refused('ERR_PERSON_KEY_DESTROYED'), 'another instance forgets it within the cache time');
    });

    test('master and data key rotation: after the old master key is retired every person’s data opens; erasure still shreds', async () => {
      // A database of its own: the re-wrap covers every key in it, and earlier tests altered some on purpose.
      const own = await kind.create();
      const rotated = await openMigrated(own);
      try {
        const oldMaster = masterKeyFromBase64url(generateMasterKey());
        const newMaster = masterKeyFromBase64url(generateMasterKey());
        const writer = new PersonKeys({ db: rotated, master: oldMaster, clock });
        const people = [randomUUID(), randomUUID(), randomUUID()];
        const photo = randomBytes(200);
        const sealed = await Promise.all(people.map(async (p, i) => ({ text: await writer.sealText(p, `fs_locations:${i}`, `position ${i}`), blob: await writer.sealBytes(p, `fs_photos:${i}`, photo) })));
        const wrapped = async () => new Map((await rotated.asOwner((q) => q.query<{ id: string; w: string }>('SELECT id, wrapped_key AS w FROM person_keys'))).rows.map((r) => [r.id, r.w]));
        const before = await wrapped();
        assert.equal(before.size, people.length);

        // Data key rotation (the envelope keys of decision 0012) does not touch person keys.
        const fields = new FieldCipher({ db: rotated, master: oldMaster, clock });
        const field = await fields.encrypt('site notes', 'c:1');
        await fields.rotate();
        assert.deepEqual(await wrapped(), before, 'a data key rotation leaves person keys as they are');

        // The runtime role may not re-wrap (nor otherwise update) a key; a key under neither master key stops the whole re-wrap.
        await assert.rejects(rotated.transaction((tx) => tx.query('UPDATE person_keys SET wrapped_key = wrapped_key')), /permission denied/);
        const stranger = masterKeyFromBase64url(generateMasterKey());
        await assert.rejects(rewrapPersonKeys(rotated, stranger, newMaster), WrongMasterKeyError, 'keys under neither master key are refused, not skipped');
        assert.deepEqual(await wrapped(), before, 'all or none: nothing was re-wrapped');

        // Master key rotation: data keys and person keys re-wrapped; the old master key is retired.
        assert.equal(await rewrapDataKeys(rotated, oldMaster, newMaster), 2);
        assert.equal(await rewrapPersonKeys(rotated, oldMaster, newMaster), people.length);
        assert.equal(await rewrapPersonKeys(rotated, oldMaster, newMaster), 0, 'a second run finds nothing left to do');
        for (const [id, w] of await wrapped()) assert.notEqual(w, before.get(id), `key ${id} is wrapped anew`);
        const reader = new PersonKeys({ db: rotated, master: newMaster, clock });
        for (const [i, p] of people.entries()) {
          assert.equal(await reader.openText(p, `fs_locations:${i}`, sealed[i]!.text), `position ${i}`, 'the position opens under the new master key');
          assert.deepEqual(Buffer.from(await reader.openBytes(p, `fs_photos:${i}`, sealed[i]!.blob)), photo, 'and the photo');
        }
        assert.equal(await new FieldCipher({ db: rotated, master: newMaster, clock }).decrypt(field, 'c:1'), 'site notes');
        await assert.rejects(new PersonKeys({ db: rotated, master: oldMaster, clock }).openText(people[0]!, 'fs_locations:0', sealed[0]!.text), WrongMasterKeyError, 'the retired master key opens nothing');
        const fresh = randomUUID();
        assert.equal(await reader.openText(fresh, 'c', await reader.sealText(fresh, 'c', 'new')), 'new', 'new people get keys under the new master key');

        // Erasure after the rotation still shreds: the person's key row is the only copy.
        assert.equal(await rotated.asOwner((q) => reader.destroy(q, people[1]!)), 1);
        await assert.rejects(reader.openText(people[1]!, 'fs_locations:1', sealed[1]!.text), refused('ERR_PERSON_KEY_DESTROYED'));
        await assert.rejects(new PersonKeys({ db: rotated, master: newMaster, clock }).openBytes(people[1]!, 'fs_photos:1', sealed[1]!.blob), refused('ERR_PERSON_KEY_DESTROYED'));
        await assert.rejects(new PersonKeys({ db: rotated, master: oldMaster, clock }).openBytes(people[1]!, 'fs_photos:1', sealed[1]!.blob), refused('ERR_PERSON_KEY_DESTROYED'), 'nor with the old master key');
        assert.equal(await new PersonKeys({ db: rotated, master: newMaster, clock }).openText(people[2]!, 'fs_locations:2', sealed[2]!.text), 'position 2', 'the others still open');
      } finally {
        await rotated.close();
        await own.drop();
      }
    });
  });
}
