import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { ensureSigningKey, listKeys, loadKeySet, rotateKeys } from '../../src/oauth/keys.ts';
import { ManualClock } from '../../src/clock.ts';
import { generateMasterKey, masterKeyFromBase64url, unwrapSecret, wrapSecret } from '../../src/security/primitives.ts';

const MINUTE = 60_000;

for (const kind of databaseKinds()) {
  describe(`token signing keys (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    const master = masterKeyFromBase64url(generateMasterKey());
    const clock = new ManualClock(Date.now());
    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
    });
    after(async () => {
      await db.close();
      await database.drop();
    });

    test('the first start generates one ES256 key; later starts keep it', async () => {
      await Promise.all([ensureSigningKey(db, master, 'ES256', clock), ensureSigningKey(db, master, 'ES256', clock)]);
      await ensureSigningKey(db, master, 'ES256', clock);
      const keys = await listKeys(db);
      assert.equal(keys.length, 1, 'instances starting together must not create two keys');
      assert.equal(keys[0]!.alg, 'ES256');
      assert.equal(keys[0]!.publicJwk.d, undefined, 'the public JWK has no private part');
    });

    test('private keys are stored only wrapped under the master key', async () => {
      const { rows } = await db.query<{ private_jwk: string }>('SELECT private_jwk FROM signing_keys');
      assert.match(rows[0]!.private_jwk, /^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/, 'a compact JWE (dir), not a JWK');
      assert.doesNotMatch(rows[0]!.private_jwk, /"d"/);
      const other = masterKeyFromBase64url(generateMasterKey());
      await assert.rejects(loadKeySet(db, other, clock), /wrapped under master key/);
    });

    test('rotation publishes the new key first, signs with it after the delay, and retires the old one after its tokens expire', async () => {
      const before = await loadKeySet(db, master, clock);
      const kid = await rotateKeys(db, master, clock, { alg: 'EdDSA', activateAfterMs: MINUTE, retainMs: 16 * MINUTE });
      let set = await loadKeySet(db, master, clock);
      assert.equal(set.activeKid, before.activeKid, 'the new key does not sign before it is published everywhere');
      assert.ok(set.publicJwks.some((k) => k.kid === kid), 'the new key is in the JWKS at once');
      clock.advance(MINUTE);
      set = await loadKeySet(db, master, clock);
      assert.equal(set.activeKid, kid, 'after the delay the new key signs');
      assert.equal(set.privateJwks[0]!.kid, kid, 'oidc-provider gets the active key first');
      assert.ok(set.publicJwks.some((k) => k.kid === before.activeKid), 'the old key stays published for tokens it signed');
      clock.advance(16 * MINUTE);
      set = await loadKeySet(db, master, clock);
      assert.deepEqual(set.publicJwks.map((k) => k.kid), [kid], 'after its last token expired the old key is gone from the JWKS');
    });
  });
}

test('wrapped secrets are bound to their master key and their purpose', async () => {
  const master = masterKeyFromBase64url(generateMasterKey());
  const wrapped = await wrapSecret(master, 'the secret', 'purpose-a');
  assert.equal(await unwrapSecret(master, wrapped, 'purpose-a'), 'the secret');
  await assert.rejects(unwrapSecret(master, wrapped, 'purpose-b'), /expected purpose-b/);
  const parts = wrapped.split('.');
  parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith('AA') ? 'BB' : 'AA');
  await assert.rejects(unwrapSecret(master, parts.join('.'), 'purpose-a'), 'a tampered ciphertext is detected');
});
