/**
 * Envelope encryption of fields at rest (decision 0012), on PGlite and, with
 * TEST_DATABASE_URL, on PostgreSQL. The tests try to break it: altered IVs, ciphertexts and
 * tags, values moved to another row or relabelled with another key, the wrong master key, a
 * swapped wrapped key, unknown keys, rotation by another instance, first uses racing on two
 * connections, a first use inside a transaction that rolls back — and search the database for
 * the plaintext and the raw key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { generateMasterKey, masterKeyFromBase64url, unwrapSecret, WrongMasterKeyError } from '../../src/security/primitives.ts';
import {
  ACTIVE_KEY_RECHECK_MS,
  EnvelopeError,
  FieldCipher,
  isEncryptedValue,
  keyIdOf,
  rewrapDataKeys,
  type EnvelopeErrorCode,
} from '../../src/security/envelope.ts';
import { AuditTrail, searchAudit } from '../../src/audit/index.ts';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const quiet = { warn: () => undefined, error: () => undefined, info: () => undefined };
const SECRET = 'gate code 4471, dog in the yard';
const VALUE = /^pe1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}$/;

/** Asserts a typed refusal whose message gives away neither the plaintext nor the value. */
function refusedWith(code: EnvelopeErrorCode, ...secrets: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof EnvelopeError, `expected an EnvelopeError, got ${String(error)}`);
    assert.equal(error.code, code);
    for (const s of secrets) assert.ok(!error.message.includes(s), 'the message must not carry the plaintext or the value');
    return true;
  };
}

/** Changes one character of a base64url part to another valid one (a canonical spelling kept). */
function flipPart(value: string, index: number, at: 'first' | 'last'): string {
  const parts = value.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[at === 'first' ? 0 : bytes.length - 1]! ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('the value format, without a database', () => {
  test('keyIdOf reads the key id; anything that is not a canonical pe1 value is malformed', () => {
    const value = `pe1.${'A'.repeat(16)}.${Buffer.alloc(12).toString('base64url')}.${Buffer.alloc(20).toString('base64url')}`;
    assert.equal(keyIdOf(value), 'A'.repeat(16));
    assert.equal(isEncryptedValue(value), true);
    for (const bad of [
      SECRET,
      '',
      value.replace('pe1.', 'pe2.'),
      `${value}.extra`,
      value.replace('.' + 'A'.repeat(16), '.' + 'A'.repeat(15)),
      `pe1.${'A'.repeat(16)}.${Buffer.alloc(16).toString('base64url')}.${Buffer.alloc(20).toString('base64url')}`, // 16-byte IV
      `pe1.${'A'.repeat(16)}.${Buffer.alloc(12).toString('base64url')}.${Buffer.alloc(15).toString('base64url')}`, // shorter than a tag
      `${value.slice(0, -1)}B`, // the last character carries unused bits: not the canonical spelling
      value.replace(/\.([^.]*)$/, '.$1='),
    ]) {
      assert.equal(isEncryptedValue(bad), false, `${JSON.stringify(bad.slice(0, 40))} is not a value`);
      assert.throws(() => keyIdOf(bad), refusedWith('ERR_ENVELOPE_MALFORMED'));
    }
  });
});

for (const kind of databaseKinds()) {
  describe(`envelope encryption on ${kind.kind}`, () => {
    const databases: TestDatabase[] = [];
    let db: Database;
    /** A second database for tests that start with no data key, and a second connection pool to it. */
    let blank: Database;
    let blankElsewhere: Database;
    let audit: AuditTrail;
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 9));
    const master = masterKeyFromBase64url(generateMasterKey());
    let cipher: FieldCipher;

    /** The blank database with every data key removed (by the owner: the runtime role cannot). */
    async function withoutDataKeys(): Promise<Database> {
      await blank.asOwner((o) => o.query('DELETE FROM data_keys'));
      return blank;
    }

    before(async () => {
      for (let i = 0; i < 2; i++) databases.push(await kind.create());
      db = await openMigrated(databases[0]!);
      blank = await openMigrated(databases[1]!);
      // On PostgreSQL a second pool stands for a second instance; PGlite is one connection
      // (decision 0004), so there the "instances" share it.
      blankElsewhere = databases[1]!.url ? await openDatabase({ url: databases[1]!.url, pgliteDir: '' }) : blank;
      audit = new AuditTrail(db, clock, quiet, { flushIntervalMs: 10 });
      cipher = new FieldCipher({ db, master, clock, audit });
      // A stand-in for a field-service column: the runtime role writes encrypted values to it.
      await db.asOwner((o) => o.exec(`CREATE TABLE envelope_probe (id text PRIMARY KEY, notes text);
        GRANT SELECT, INSERT, UPDATE ON envelope_probe TO palisade_app;`));
    });
    after(async () => {
      await audit?.close();
      if (blankElsewhere !== blank) await blankElsewhere?.close();
      await blank?.close();
      await db?.close();
      for (const d of databases) await d.drop();
    });

    test('a field round-trips; each encryption is new; null, empty and non-ASCII text pass', async () => {
      const a = await cipher.encrypt(SECRET, 'fs_sites.access_notes:site-1');
      const b = await cipher.encrypt(SECRET, 'fs_sites.access_notes:site-1');
      assert.match(a, VALUE);
      assert.notEqual(a, b, 'a random IV per value: equal plaintexts must not be visible as equal values');
      assert.ok(!a.includes(Buffer.from(SECRET).toString('base64url').slice(0, 12)), 'the value is not an encoding of the plaintext');
      assert.equal(await cipher.decrypt(a, 'fs_sites.access_notes:site-1'), SECRET);
      assert.equal(await cipher.decrypt(b, 'fs_sites.access_notes:site-1'), SECRET);
      for (const text of ['', 'Zugang über Hof — 🔑 im Kasten', 'x'.repeat(100_000)]) {
        assert.equal(await cipher.decrypt(await cipher.encrypt(text, 'c:1'), 'c:1'), text);
      }
      assert.equal(await cipher.encryptNullable(null, 'c:1'), null);
      assert.equal(await cipher.decryptNullable(null, 'c:1'), null);
      assert.equal(await cipher.decryptNullable((await cipher.encryptNullable('x', 'c:1'))!, 'c:1'), 'x');
      await assert.rejects(cipher.encrypt(SECRET, ''), TypeError, 'no context, no binding: refused');
    });

    test('neither the plaintext nor the raw data key is anywhere in the database', async () => {
      const value = await cipher.encrypt(SECRET, 'envelope_probe.notes:row-1');
      await db.query('INSERT INTO envelope_probe (id, notes) VALUES ($1, $2)', ['row-1', value]);
      const { rows } = await db.query<{ id: string; wrappedKey: string }>(`SELECT id, wrapped_key AS "wrappedKey" FROM data_keys`);
      const rawKeys = await Promise.all(rows.map(async (r) => unwrapSecret(master, r.wrappedKey, `palisade-data-key:${r.id}`)));
      assert.ok(rawKeys.every((k) => Buffer.from(k, 'base64url').length === 32), 'data keys are 256-bit');
      await audit.flush();
      const dump = await db.asOwner((o) =>
        o.query<{ t: string }>(`SELECT (SELECT coalesce(string_agg(p::text, ''), '') FROM envelope_probe p)
          || (SELECT coalesce(string_agg(k::text, ''), '') FROM data_keys k)
          || (SELECT coalesce(string_agg(e::text, ''), '') FROM audit_events e) AS t`),
      );
      const text = dump.rows[0]!.t;
      assert.ok(text.includes(keyIdOf(value)), 'the dump is real: it holds the key id');
      assert.ok(!text.includes(SECRET) && !text.includes(SECRET.slice(0, 9)), 'no plaintext at rest');
      for (const raw of rawKeys) {
        assert.ok(!text.includes(raw), 'no raw data key (base64url) at rest');
        assert.ok(!text.includes(Buffer.from(raw, 'base64url').toString('hex')), 'no raw data key (hex) at rest');
      }
      const back = await db.query<{ notes: string }>('SELECT notes FROM envelope_probe WHERE id = $1', ['row-1']);
      assert.equal(await cipher.decrypt(back.rows[0]!.notes, 'envelope_probe.notes:row-1'), SECRET);
    });

    test('an altered IV, ciphertext or tag, a cut tag or a value relabelled with another key is refused, never decrypted', async () => {
      const context = 'fs_customers.phone:c-7';
      const value = await cipher.encrypt(SECRET, context);
      const parts = value.split('.');
      const sealed = Buffer.from(parts[3]!, 'base64url');
      const altered = {
        'iv, first byte': flipPart(value, 2, 'first'),
        'iv, last byte': flipPart(value, 2, 'last'),
        'ciphertext, first byte': flipPart(value, 3, 'first'),
        'tag, last byte': flipPart(value, 3, 'last'),
        'tag cut to 15 bytes': [...parts.slice(0, 3), sealed.subarray(0, sealed.length - 1).toString('base64url')].join('.'),
        'ciphertext dropped, tag kept': [...parts.slice(0, 3), sealed.subarray(sealed.length - 16).toString('base64url')].join('.'),
      };
      for (const [what, bad] of Object.entries(altered)) {
        await assert.rejects(cipher.decrypt(bad, context), refusedWith('ERR_ENVELOPE_DECRYPT_FAILED', SECRET, bad), what);
      }
      // Relabelled: the same IV and ciphertext, claimed to be under another existing key.
      const otherKey = await new FieldCipher({ db, master, clock }).rotate();
      const relabelled = ['pe1', otherKey, parts[2], parts[3]].join('.');
      await assert.rejects(cipher.decrypt(relabelled, context), refusedWith('ERR_ENVELOPE_DECRYPT_FAILED', SECRET));
      assert.equal(await cipher.decrypt(value, context), SECRET, 'the untouched value still decrypts');
    });

    test('a value moved to another row or another column does not decrypt there', async () => {
      const forRow1 = await cipher.encrypt(SECRET, 'envelope_probe.notes:row-a');
      await db.query('INSERT INTO envelope_probe (id, notes) VALUES ($1, $2), ($3, $4)', ['row-a', forRow1, 'row-b', await cipher.encrypt('other', 'envelope_probe.notes:row-b')]);
      // Someone with write access to the table copies row A's secret into row B, which they may read.
      await db.query(`UPDATE envelope_probe SET notes = (SELECT notes FROM envelope_probe WHERE id = 'row-a') WHERE id = 'row-b'`);
      const { rows } = await db.query<{ notes: string }>(`SELECT notes FROM envelope_probe WHERE id = 'row-b'`);
      await assert.rejects(cipher.decrypt(rows[0]!.notes, 'envelope_probe.notes:row-b'), refusedWith('ERR_ENVELOPE_DECRYPT_FAILED', SECRET));
      await assert.rejects(cipher.decrypt(forRow1, 'envelope_probe.other_column:row-a'), refusedWith('ERR_ENVELOPE_DECRYPT_FAILED', SECRET));
      await assert.rejects(cipher.decrypt(forRow1, 'envelope_probe.notes:row-a '), refusedWith('ERR_ENVELOPE_DECRYPT_FAILED'), 'the context is compared exactly');
      assert.equal(await cipher.decrypt(forRow1, 'envelope_probe.notes:row-a'), SECRET);
    });

    test('a value naming a key the database does not have is an unknown key', async () => {
      const value = await cipher.encrypt(SECRET, 'c:unknown');
      const unknown = value.replace(keyIdOf(value), 'Q'.repeat(16));
      await assert.rejects(cipher.decrypt(unknown, 'c:unknown'), refusedWith('ERR_ENVELOPE_UNKNOWN_KEY', SECRET));
      await assert.rejects(cipher.reencrypt(unknown, 'c:unknown'), refusedWith('ERR_ENVELOPE_UNKNOWN_KEY'));
      await assert.rejects(cipher.decrypt(SECRET, 'c:unknown'), refusedWith('ERR_ENVELOPE_MALFORMED', SECRET), 'plaintext left in a column is not decrypted as if it were a value');
    });

    test('another master key cannot unwrap the data keys, and says so rather than calling it tampering', async () => {
      const value = await cipher.encrypt(SECRET, 'c:master');
      const stranger = new FieldCipher({ db, master: masterKeyFromBase64url(generateMasterKey()), clock });
      await assert.rejects(stranger.decrypt(value, 'c:master'), (e: unknown) => e instanceof WrongMasterKeyError && e.code === 'ERR_WRONG_MASTER_KEY' && !e.message.includes(SECRET));
      await assert.rejects(stranger.encrypt('new', 'c:master'), WrongMasterKeyError, 'nor encrypt with a key it cannot unwrap');
    });

    test('a wrapped key copied over another key’s row does not unwrap there', async () => {
      const a = await cipher.encrypt(SECRET, 'c:swap');
      const victim = keyIdOf(a);
      const rotated = await new FieldCipher({ db, master, clock }).rotate();
      await db.query(`UPDATE data_keys SET wrapped_key = (SELECT wrapped_key FROM data_keys WHERE id = $1) WHERE id = $2`, [rotated, victim]);
      const cold = new FieldCipher({ db, master, clock }); // nothing cached: it must read the row
      await assert.rejects(cold.decrypt(a, 'c:swap'), refusedWith('ERR_DATA_KEY_UNWRAP_FAILED', SECRET));
      assert.equal(await cipher.decrypt(a, 'c:swap'), SECRET, 'an instance holding the key keeps working (its memory is not the database)');
    });

    test('the runtime role cannot delete data keys: a deleted key would make its values unreadable', async () => {
      await cipher.ready();
      await assert.rejects(db.query('DELETE FROM data_keys'), /permission denied/);
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM data_keys WHERE retired_at IS NULL');
      assert.equal(rows[0]!.n, 1, 'exactly one active key');
    });

    test('rotation: new values use the new key, old values still decrypt, reencrypt moves them and leaves current ones alone', async () => {
      const context = 'fs_sites.access_notes:rot';
      const old = await cipher.encrypt(SECRET, context);
      const oldKey = keyIdOf(old);
      const newKey = await cipher.rotate({ reason: 'scheduled' });
      assert.notEqual(newKey, oldKey);
      assert.equal(await cipher.activeKeyId(), newKey);
      const fresh = await cipher.encrypt('after', context);
      assert.equal(keyIdOf(fresh), newKey, 'new writes use the new key at once on the rotating instance');
      assert.equal(await cipher.decrypt(old, context), SECRET, 'the retired key still decrypts');
      assert.equal(await new FieldCipher({ db, master, clock }).decrypt(old, context), SECRET, '…on a cold instance too');
      const moved = await cipher.reencrypt(old, context);
      assert.equal(keyIdOf(moved), newKey);
      assert.equal(await cipher.decrypt(moved, context), SECRET);
      assert.equal(await cipher.reencrypt(moved, context), moved, 'a value already under the active key is returned as it is');
      await assert.rejects(cipher.reencrypt(moved, 'fs_sites.access_notes:other'), refusedWith('ERR_ENVELOPE_DECRYPT_FAILED'), 'even a current value is authenticated');
      await assert.rejects(cipher.reencrypt(flipPart(old, 3, 'first'), context), refusedWith('ERR_ENVELOPE_DECRYPT_FAILED'), 'a tampered old value is refused, not laundered into a new one');
      const listed = await cipher.listKeys();
      assert.deepEqual(listed.filter((k) => k.state === 'active').map((k) => k.id), [newKey], 'one active key');
      assert.equal(listed.find((k) => k.id === oldKey)?.state, 'retired');
      assert.ok(listed.find((k) => k.id === oldKey)?.retiredAt);
      assert.ok(!JSON.stringify(listed).includes('wrapped'), 'the list carries no key material');
      await audit.flush();
      const records = (await searchAudit(db, { action: 'data_key.', limit: 100 })).events;
      const rotation = records.find((e) => e.action === 'data_key.rotate' && e.resource?.id === newKey);
      assert.ok(rotation, 'the rotation is audited with the new key id');
      assert.equal(rotation.reason, 'scheduled');
      assert.deepEqual(rotation.detail, { retired: oldKey });
    });

    test('a rotation elsewhere is picked up within the recheck interval; until then the retired key is still valid to write', async () => {
      const here = new FieldCipher({ db, master, clock });
      const before = await here.activeKeyId();
      const elsewhere = await new FieldCipher({ db, master, clock }).rotate();
      const written = await here.encrypt(SECRET, 'c:lag');
      assert.equal(keyIdOf(written), before, 'within the interval the known key is used');
      clock.advance(ACTIVE_KEY_RECHECK_MS - 1);
      assert.equal(await here.activeKeyId(), before);
      clock.advance(1);
      assert.equal(await here.activeKeyId(), elsewhere, 'never longer than ACTIVE_KEY_RECHECK_MS');
      assert.equal(keyIdOf(await here.reencrypt(written, 'c:lag')), elsewhere, 'the lagging write is moved by the next pass');
    });

    test('unwrapped keys are cached, within a bound', async () => {
      let lookups = 0;
      const counting: Database = {
        ...db,
        query: (sql, params) => {
          if (/FROM data_keys WHERE id =/.test(sql)) lookups++;
          return db.query(sql, params);
        },
      };
      const values: string[] = [];
      const writer = new FieldCipher({ db, master, clock });
      for (let i = 0; i < 3; i++) {
        values.push(await writer.encrypt(`v${i}`, 'c:cache'));
        await writer.rotate();
      }
      const reader = new FieldCipher({ db: counting, master, clock, cacheSize: 2 });
      assert.equal(await reader.decrypt(values[0]!, 'c:cache'), 'v0');
      assert.equal(await reader.decrypt(values[0]!, 'c:cache'), 'v0');
      assert.equal(lookups, 1, 'the second decrypt under the same key reads no row');
      await reader.decrypt(values[1]!, 'c:cache');
      await reader.decrypt(values[0]!, 'c:cache'); // key 0 is now the most recently used
      await reader.decrypt(values[2]!, 'c:cache'); // evicts key 1
      assert.equal(lookups, 3);
      await reader.decrypt(values[0]!, 'c:cache');
      assert.equal(lookups, 3, 'the recently used key stayed');
      await reader.decrypt(values[1]!, 'c:cache');
      assert.equal(lookups, 4, 'the least recently used key was evicted: the cache holds two keys, not every key ever seen');
    });

    test('the first use creates the one active key, and records it', async () => {
      const empty = await withoutDataKeys();
      const trail = new AuditTrail(empty, clock, quiet, { flushIntervalMs: 10 });
      try {
        assert.equal((await new FieldCipher({ db: empty, master, clock }).listKeys()).length, 0);
        const first = new FieldCipher({ db: empty, master, clock, audit: trail });
        const value = await first.encrypt(SECRET, 'c:first');
        const keys = await first.listKeys();
        assert.deepEqual(keys.map((k) => [k.id, k.state]), [[keyIdOf(value), 'active']]);
        await trail.flush();
        const created = (await searchAudit(empty, { action: 'data_key.create', limit: 10 })).events;
        assert.equal(created.filter((e) => e.resource?.id === keyIdOf(value)).length, 1, 'the creation is audited by key id, once');
      } finally {
        await trail.close();
      }
    });

    test('first uses racing on separate connections create exactly one active key, and every value decrypts', async () => {
      const empty = await withoutDataKeys();
      const second = blankElsewhere;
      const ciphers = Array.from({ length: 8 }, (_, i) => new FieldCipher({ db: i % 2 ? second : empty, master, clock }));
      const values = await Promise.all(ciphers.map((c, i) => c.encrypt(`racer ${i}`, `c:race-${i}`)));
      const { rows } = await empty.query<{ id: string; active: boolean }>('SELECT id, retired_at IS NULL AS active FROM data_keys');
      assert.equal(rows.length, 1, 'one key created, not one per instance');
      assert.ok(rows[0]!.active);
      assert.deepEqual(new Set(values.map(keyIdOf)), new Set([rows[0]!.id]), 'every instance encrypts with the winner');
      const reader = new FieldCipher({ db: empty, master, clock });
      for (const [i, v] of values.entries()) assert.equal(await reader.decrypt(v, `c:race-${i}`), `racer ${i}`);
    });

    test('rotations racing on separate connections leave exactly one active key', async () => {
      const fresh = await withoutDataKeys();
      const second = blankElsewhere;
      await new FieldCipher({ db: fresh, master, clock }).ready();
      const made = await Promise.all(Array.from({ length: 6 }, (_, i) => new FieldCipher({ db: i % 2 ? second : fresh, master, clock }).rotate()));
      const { rows } = await fresh.query<{ id: string; active: boolean }>('SELECT id, retired_at IS NULL AS active FROM data_keys');
      assert.equal(rows.length, 7);
      assert.equal(rows.filter((r) => r.active).length, 1, 'exactly one key encrypts new values');
      assert.ok(made.includes(rows.find((r) => r.active)!.id), 'the last rotation to commit is the active one');
    });

    test('a first use inside a transaction that rolls back leaves no key behind to encrypt with', async () => {
      const empty = await withoutDataKeys();
      const inside = new FieldCipher({ db: empty, master, clock });
      let lost = '';
      await assert.rejects(
        empty.transaction(async (tx) => {
          lost = await inside.encrypt('never committed', 'envelope_probe.notes:tx', tx);
          assert.equal(await inside.decrypt(lost, 'envelope_probe.notes:tx', tx), 'never committed', 'usable within its own transaction');
          throw new Error('the write failed');
        }),
        /the write failed/,
      );
      const { rows } = await empty.query('SELECT 1 FROM data_keys');
      assert.equal(rows.length, 0, 'the key went with the transaction that created it');
      const kept = await inside.encrypt(SECRET, 'c:after-rollback');
      assert.notEqual(keyIdOf(kept), keyIdOf(lost), 'the cipher did not keep encrypting with the rolled-back key');
      assert.equal(await new FieldCipher({ db: empty, master, clock }).decrypt(kept, 'c:after-rollback'), SECRET, 'a later value is readable by any instance');
    });

    test('inside a transaction, a known key is used without waiting for the cipher’s own connection', async () => {
      const value = await db.transaction(async (tx) => {
        clock.advance(ACTIVE_KEY_RECHECK_MS); // stale: a recheck is due, and happens after this transaction
        const v = await cipher.encrypt(SECRET, 'envelope_probe.notes:in-tx', tx);
        await tx.query('INSERT INTO envelope_probe (id, notes) VALUES ($1, $2)', ['in-tx', v]);
        assert.equal(await cipher.decrypt(v, 'envelope_probe.notes:in-tx', tx), SECRET);
        return v;
      });
      const { rows } = await db.query<{ notes: string }>(`SELECT notes FROM envelope_probe WHERE id = 'in-tx'`);
      assert.equal(rows[0]!.notes, value);
      assert.equal(await cipher.decrypt(value, 'envelope_probe.notes:in-tx'), SECRET);
    });

    test('master key rotation re-wraps every data key in one transaction; field values stay as they are', async () => {
      const own = await withoutDataKeys();
      const oldMaster = masterKeyFromBase64url(generateMasterKey());
      const newMaster = masterKeyFromBase64url(generateMasterKey());
      const writer = new FieldCipher({ db: own, master: oldMaster, clock });
      const values = [await writer.encrypt('one', 'c:m1')];
      await writer.rotate();
      values.push(await writer.encrypt('two', 'c:m2'));
      const wrapped = async () => new Map((await own.query<{ id: string; w: string }>('SELECT id, wrapped_key AS w FROM data_keys')).rows.map((r) => [r.id, r.w]));
      const before = await wrapped();

      // All or none: one altered row stops the whole re-wrap.
      const victim = keyIdOf(values[1]!);
      await own.query(`UPDATE data_keys SET wrapped_key = (SELECT wrapped_key FROM data_keys WHERE id <> $1 LIMIT 1) WHERE id = $1`, [victim]);
      await assert.rejects(rewrapDataKeys(own, oldMaster, newMaster), refusedWith('ERR_DATA_KEY_UNWRAP_FAILED'));
      const afterFailure = await wrapped();
      for (const [id, w] of before) if (id !== victim) assert.equal(afterFailure.get(id), w, 'nothing was re-wrapped');
      await own.query(`UPDATE data_keys SET wrapped_key = $2 WHERE id = $1`, [victim, before.get(victim)]);

      const stranger = masterKeyFromBase64url(generateMasterKey());
      await assert.rejects(rewrapDataKeys(own, stranger, newMaster), WrongMasterKeyError, 'keys under neither master key are refused, not skipped');
      assert.equal(await rewrapDataKeys(own, oldMaster, newMaster), 2);
      assert.equal(await rewrapDataKeys(own, oldMaster, newMaster), 0, 'a second run finds nothing left to do');
      for (const [id, w] of await wrapped()) assert.notEqual(w, before.get(id), `key ${id} is wrapped anew`);
      assert.equal(await new FieldCipher({ db: own, master: newMaster, clock }).decrypt(values[0]!, 'c:m1'), 'one');
      assert.equal(await new FieldCipher({ db: own, master: newMaster, clock }).decrypt(values[1]!, 'c:m2'), 'two');
      await assert.rejects(new FieldCipher({ db: own, master: oldMaster, clock }).decrypt(values[0]!, 'c:m1'), WrongMasterKeyError, 'the old master key opens nothing any more');
      await assert.rejects(rewrapDataKeys(own, stranger, stranger), TypeError);
    });
  });

  describe(`palisade keys data on ${kind.kind}`, () => {
    test('rotate creates and rotates data keys as an audited operator change; list shows their states and no key material', async () => {
      const database = await kind.create();
      const masterText = generateMasterKey();
      const env: NodeJS.ProcessEnv = { ...process.env, PALISADE_DATA_DIR: database.dataDir, PALISADE_MASTER_KEY: masterText };
      delete env.DATABASE_URL;
      delete env.PALISADE_DATABASE_URL;
      if (database.url) env.DATABASE_URL = database.url;
      const bin = path.join(import.meta.dirname, '../../bin/palisade.ts');
      const palisade = async (...args: string[]) => (await promisify(execFile)(process.execPath, [bin, ...args], { env })).stdout;
      let opened: Database | undefined;
      try {
        assert.match(await palisade('keys', 'data', 'list'), /no data keys yet/);
        const first = /new data key ([\w-]{16}) encrypts new values now\n$/.exec(await palisade('keys', 'data', 'rotate'))?.[1];
        assert.ok(first, 'the first rotate on a new database creates the first key');
        const second = /new data key ([\w-]{16}) encrypts new values now; ([\w-]{16}) is retired/.exec(await palisade('keys', 'data', 'rotate'));
        assert.equal(second?.[2], first, 'the second names the key it retired');
        const listed = JSON.parse(await palisade('keys', 'data', 'list', '--json')) as { id: string; state: string; wrappedKey?: string }[];
        assert.deepEqual(listed.map((k) => [k.id, k.state]), [[second![1], 'active'], [first, 'retired']]);
        assert.ok(listed.every((k) => Object.keys(k).sort().join() === 'activatedAt,createdAt,id,retiredAt,state'), 'ids, states and dates only');

        opened = await openMigrated(database); // after the CLI exited: PGlite has one opener at a time
        const cipher = new FieldCipher({ db: opened, master: masterKeyFromBase64url(masterText) });
        assert.equal(keyIdOf(await cipher.encrypt(SECRET, 'c:cli')), second![1], 'the server side encrypts with the key the CLI made active');
        const records = (await searchAudit(opened, { action: 'data_key.rotate', limit: 10 })).events;
        assert.deepEqual(records.map((e) => [e.resource?.id, e.actor.userId]), [[second![1], 'cli'], [first, 'cli']], 'each rotation is audited, attributed to the CLI');
      } finally {
        await opened?.close();
        await database.drop();
      }
    });
  });
}
