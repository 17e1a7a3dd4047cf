/**
 * A caller's claims live exactly as long as their transaction (db/claims.ts): under concurrency
 * on a small pool every transaction sees only its own caller's claims and rows, a connection
 * handed to the next piece of work carries nothing over, and a transaction that fails half-way
 * leaves nothing behind either.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { asCaller, type RlsClaims } from '../../src/db/claims.ts';
import { migrate, openDatabase, type Database } from '../../src/db/index.ts';

for (const kind of databaseKinds()) {
  describe(`caller claims are transaction-local (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    const technicians: string[] = [];

    before(async () => {
      database = await kind.create();
      // Three connections for forty concurrent callers: connections are reused constantly.
      db = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite'), poolSize: 3 });
      await migrate(db);
      await db.asOwner(async (owner) => {
        await owner.query("INSERT INTO fs_territories (code, name, region) VALUES ('t1', 'T1', 'r1')");
        await owner.query("INSERT INTO fs_customers (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'C')");
        await owner.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region) VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'S', 'A', 't1', '')");
        for (let i = 0; i < 8; i += 1) {
          const { rows } = await owner.query<{ id: string }>("INSERT INTO users (issuer, subject, roles) VALUES ('urn:test', $1, '{technician}') RETURNING id", [randomUUID()]);
          const id = rows[0]!.id;
          technicians.push(id);
          await owner.query("INSERT INTO fs_technicians (user_id, display_name, territory, region) VALUES ($1, 'T', 't1', '')", [id]);
          // Technician i has i + 1 jobs assigned: the count says whose claims a query ran with.
          for (let j = 0; j <= i; j += 1) {
            await owner.query(
              "INSERT INTO fs_jobs (title, department, territory, region, site_id, status, assigned_to) VALUES ('J', 'd', 't1', '', '00000000-0000-4000-8000-000000000002', 'assigned', $1)",
              [id],
            );
          }
        }
      });
    });

    after(async () => {
      await db?.close();
      await database?.drop();
    });

    const claims = (userId: string): RlsClaims => ({ userId, roles: ['technician'], territory: null, region: null, department: null, projects: [], contractor: false, deviceOwnership: null });

    test('forty concurrent callers on three connections each see only their own claims and rows, before and after waiting', async () => {
      const results = await Promise.all(
        Array.from({ length: 40 }, async (_, n) => {
          const index = n % technicians.length;
          const userId = technicians[index]!;
          return asCaller(db, claims(userId), async (tx) => {
            const first = await tx.query<{ uid: string; jobs: string | number }>("SELECT current_setting('palisade.user_id') AS uid, (SELECT count(*) FROM fs_jobs) AS jobs");
            // Hold the connection while others queue for theirs.
            await new Promise((resolve) => setTimeout(resolve, (n * 7) % 13));
            const second = await tx.query<{ uid: string; jobs: string | number }>("SELECT current_setting('palisade.user_id') AS uid, (SELECT count(*) FROM fs_jobs) AS jobs");
            return { index, userId, first: first.rows[0]!, second: second.rows[0]! };
          });
        }),
      );
      for (const r of results) {
        for (const seen of [r.first, r.second]) {
          assert.equal(seen.uid, r.userId);
          assert.equal(Number(seen.jobs), r.index + 1);
        }
      }
    });

    test('work outside a caller’s transaction, on the same reused connections, carries no claims', async () => {
      await Promise.all(technicians.map((userId) => asCaller(db, claims(userId), (tx) => tx.query('SELECT 1'))));
      for (let i = 0; i < 6; i += 1) {
        const { rows } = await db.query<{ uid: string | null; jobs: string | number }>("SELECT current_setting('palisade.user_id', true) AS uid, (SELECT count(*) FROM fs_jobs) AS jobs");
        assert.ok(rows[0]!.uid === null || rows[0]!.uid === '', `claims left on a connection: ${rows[0]!.uid}`);
        assert.equal(Number(rows[0]!.jobs), 0);
      }
    });

    test('a transaction that fails half-way leaves no claims for the next one', async () => {
      await Promise.all(
        technicians.map((userId) =>
          asCaller(db, claims(userId), async (tx) => {
            await tx.query('SELECT 1');
            throw new Error('handler failed');
          }).catch(() => undefined),
        ),
      );
      const { rows } = await db.query<{ jobs: string | number }>('SELECT count(*) AS jobs FROM fs_jobs');
      assert.equal(Number(rows[0]!.jobs), 0);
    });

    test('the device ownership is visible inside the caller’s transaction and gone after it', async () => {
      const read = "SELECT palisade_claim_device_ownership() AS fn, palisade_claim('device_ownership') AS claim, current_setting('palisade.user_id', true) AS uid";
      for (const ownership of ['corporate', 'byod'] as const) {
        const inside = await asCaller(db, { ...claims(technicians[0]!), deviceOwnership: ownership }, async (tx) => (await tx.query<{ fn: string | null; claim: string | null; uid: string }>(read)).rows[0]!);
        assert.deepEqual(inside, { fn: ownership, claim: ownership, uid: technicians[0]! }, 'set by the same statement as the other claims');
      }
      const none = await asCaller(db, claims(technicians[1]!), async (tx) => (await tx.query<{ fn: string | null; claim: string | null }>(read)).rows[0]!);
      assert.equal(none.fn, 'byod', 'a token without the claim: BYOD, the most restrictive ownership');
      assert.equal(none.claim, 'byod');
      // Every connection of the pool has now run a caller's transaction: none keeps the setting.
      await Promise.all(technicians.map((userId) => asCaller(db, { ...claims(userId), deviceOwnership: 'corporate' }, (tx) => tx.query('SELECT 1'))));
      for (let i = 0; i < 6; i += 1) {
        const { rows } = await db.query<{ fn: string | null; claim: string | null }>(read);
        assert.equal(rows[0]!.fn, null, 'gone after the transaction');
        assert.equal(rows[0]!.claim, null);
      }
    });
  });
}
