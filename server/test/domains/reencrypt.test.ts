/**
 * Data-key rotation without downtime for the domain's sensitive columns: after `rotate`, old
 * values still decrypt; `reencryptSensitive` moves every one of them to the active key in
 * batches, each still bound to its own row, and a second run has nothing left to do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { seedDemo, reencryptSensitive, encryptionContext } from '../../src/domains/fieldservice/index.ts';
import { FieldCipher, keyIdOf } from '../../src/security/envelope.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import type { Database } from '../../src/db/index.ts';

for (const kind of databaseKinds()) {
  describe(`re-encrypting sensitive columns after a data-key rotation (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let cipher: FieldCipher;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      cipher = new FieldCipher({ db, master: masterKeyFromBase64url(generateMasterKey()) });
      await cipher.ready();
      await seedDemo(db, cipher, { devIssuer: 'https://palisade.test/dev-idp', jobs: 12 });
    });

    after(async () => {
      await db?.close();
      await database?.drop();
    });

    const notes = () => db.asOwner(async (o) => (await o.query<{ id: string; access_notes: string }>('SELECT id, access_notes FROM fs_sites ORDER BY id')).rows);

    test('old values decrypt after a rotation, move to the new key, and stay bound to their rows', async () => {
      const before = await notes();
      const oldKey = keyIdOf(before[0]!.access_notes);
      const plain = await Promise.all(before.map((r) => cipher.decrypt(r.access_notes, encryptionContext('fs_sites.access_notes', r.id))));
      const newKey = await cipher.rotate();
      assert.notEqual(newKey, oldKey);
      const moved = await reencryptSensitive(db, cipher, { batch: 7 });
      assert.equal(moved['fs_sites.access_notes'], before.length);
      assert.ok(moved['fs_customers.contact_phone'] > 0);
      const afterwards = await notes();
      assert.ok(afterwards.every((r) => keyIdOf(r.access_notes) === newKey));
      assert.deepEqual(await Promise.all(afterwards.map((r) => cipher.decrypt(r.access_notes, encryptionContext('fs_sites.access_notes', r.id)))), plain);
      // A value copied onto another row does not decrypt there.
      await assert.rejects(cipher.decrypt(afterwards[0]!.access_notes, encryptionContext('fs_sites.access_notes', afterwards[1]!.id)));
      assert.deepEqual(Object.values(await reencryptSensitive(db, cipher)), [0, 0, 0, 0]);
    });
  });
}
