/**
 * The audit trail's integrity: records are write-once for every runtime role, the sealer links
 * them gap-free even with two instances sealing at once, and `verify` finds every kind of
 * tampering an attacker with owner rights (who can disable the triggers) could try — naming
 * the exact first broken record.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { systemClock } from '../../src/clock.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { AuditTrail } from '../../src/audit/trail.ts';
import { Sealer } from '../../src/audit/sealer.ts';
import { loadCheckpointSigner, publicAuditKeys, type CheckpointSigner } from '../../src/audit/keys.ts';
import { verifyDatabase } from '../../src/audit/verify.ts';

const silent = { warn: () => undefined, error: () => undefined };
const SEALING = { batchSize: 50, checkpointEvery: 10, checkpointIntervalMs: 60_000, pollIntervalMs: 10 };

for (const kind of databaseKinds()) {
  describe(`audit chain (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let signer: CheckpointSigner;
    let trail: AuditTrail;
    let sealer: Sealer;
    const master = masterKeyFromBase64url(generateMasterKey());

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      signer = await loadCheckpointSigner(db, master);
      trail = new AuditTrail(db, systemClock, silent, { flushIntervalMs: 10 });
      sealer = new Sealer(db, signer, systemClock, silent, SEALING);
    });
    after(async () => {
      await db.close();
      await database.drop();
    });

    /** Appends `n` events, each in a transaction of its own, and seals them. Returns their first seq. */
    async function append(n: number): Promise<number> {
      const before = await db.asOwner(async (q) => Number((await q.query<{ n: string }>('SELECT coalesce(max(seq), 0)::text AS n FROM audit_chain')).rows[0]!.n));
      for (let i = 0; i < n; i += 1) {
        await db.transaction((tx) => trail.record(tx, { action: 'test.write', outcome: 'success', actor: { userId: `u-${i}` }, resource: { type: 'thing', id: String(i) }, detail: { i } }));
      }
      await sealer.drain();
      return before + 1;
    }

    const verify = async () => verifyDatabase(db, await publicAuditKeys(db));

    describe('write-once', () => {
      test('the runtime role can insert audit records but not read, change or delete them', async () => {
        await append(1);
        await assert.rejects(db.query('SELECT * FROM audit_events'), /permission denied/, 'the runtime role may not read the trail');
        await assert.rejects(db.query(`UPDATE audit_events SET action = 'x'`), /permission denied/, 'nor change it');
        await assert.rejects(db.query('DELETE FROM audit_events'), /permission denied/, 'nor delete from it');
        await assert.rejects(db.query('DELETE FROM audit_chain'), /permission denied/, 'nor touch the chain');
      });

      test('triggers refuse UPDATE, DELETE and TRUNCATE even to the owner', async () => {
        await append(1);
        for (const sql of [`UPDATE audit_events SET reason = 'x'`, 'DELETE FROM audit_events', 'TRUNCATE audit_events CASCADE', `UPDATE audit_chain SET hash = 'x'`, 'DELETE FROM audit_checkpoints']) {
          await assert.rejects(db.asOwner((q) => q.query(sql)), /write-once/, `${sql} must be refused`);
        }
      });

      test('the sealer role cannot rewrite history either', async () => {
        await append(1);
        await assert.rejects(
          db.asOwner(async (q) => {
            await q.query('SET LOCAL ROLE palisade_audit_sealer');
            await q.query('DELETE FROM audit_chain');
          }),
          /permission denied|write-once/,
        );
      });
    });

    describe('tampering is found', () => {
      // Each test works on fresh records at the end of the chain and then repairs nothing: the
      // chain is broken for good, so every test starts from its own database copy.
      let isolated: TestDatabase;
      let idb: Database;
      let isealer: Sealer;
      let itrail: AuditTrail;
      beforeEach(async () => {
        isolated = await kind.create({ migrated: true });
        idb = await openMigrated(isolated);
        const isigner = await loadCheckpointSigner(idb, master);
        itrail = new AuditTrail(idb, systemClock, silent, { flushIntervalMs: 10 });
        isealer = new Sealer(idb, isigner, systemClock, silent, SEALING);
        for (let i = 0; i < 25; i += 1) {
          await idb.transaction((tx) => itrail.record(tx, { action: 'test.write', outcome: 'success', actor: { userId: `u-${i}` }, detail: { i } }));
        }
        await isealer.drain();
      });
      afterEach(async () => {
        await idb.close();
        await isolated.drop();
      });
      const iverify = async () => verifyDatabase(idb, await publicAuditKeys(idb));
      async function itamper(sql: string, params: unknown[] = []): Promise<void> {
        await idb.asOwner(async (q) => {
          for (const t of ['audit_events', 'audit_chain', 'audit_checkpoints']) await q.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
          await q.query(sql, params);
          for (const t of ['audit_events', 'audit_chain', 'audit_checkpoints']) await q.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
        });
      }
      const eventAt = async (seq: number) =>
        Number((await idb.asOwner((q) => q.query<{ id: string }>('SELECT event_id::text AS id FROM audit_chain WHERE seq = $1', [seq]))).rows[0]!.id);

      test('an intact chain verifies, with every checkpoint', async () => {
        const report = await iverify();
        assert.equal(report.ok, true, JSON.stringify(report.broken));
        assert.equal(report.checked, 25);
        assert.equal(report.checkpointsVerified, 2, 'checkpoints exactly at seq 10 and 20');
        assert.equal(report.uncovered, 5, 'seq 21–25 wait for the next checkpoint');
      });

      test('an edited record is named', async () => {
        const id = await eventAt(7);
        await itamper(`UPDATE audit_events SET detail = '{"i": 700}' WHERE id = $1`, [id]);
        const report = await iverify();
        assert.equal(report.ok, false);
        assert.deepEqual([report.broken?.problem, report.broken?.seq, report.broken?.eventId], ['edited', 7, id]);
      });

      test('a deleted record is named', async () => {
        const id = await eventAt(12);
        await itamper('DELETE FROM audit_chain WHERE seq = 12');
        await itamper('DELETE FROM audit_events WHERE id = $1', [id]);
        const report = await iverify();
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'missing', 12]);
      });

      test('a record inserted into the middle is named', async () => {
        // Make room at seq 5 by moving every later link up one, then put a forged event there.
        await itamper('UPDATE audit_chain SET seq = seq + 1000 WHERE seq >= 5');
        await itamper('UPDATE audit_chain SET seq = seq - 999 WHERE seq >= 1000');
        await itamper(`INSERT INTO audit_events (at, action, outcome, actor) OVERRIDING SYSTEM VALUE VALUES (now(), 'forged', 'success', '{}')`);
        await itamper(`DELETE FROM audit_pending`);
        await itamper(`INSERT INTO audit_chain (seq, event_id, hash) SELECT 5, max(id), 'f00d' FROM audit_events`);
        const report = await iverify();
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'edited', 5]);
      });

      test('two swapped records are named at the first of them', async () => {
        const [a, b] = [await eventAt(3), await eventAt(9)];
        const hashes = (await idb.asOwner((q) => q.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_chain WHERE seq IN (3, 9) ORDER BY seq'))).rows;
        await itamper('DELETE FROM audit_chain WHERE seq IN (3, 9)');
        await itamper('INSERT INTO audit_chain (seq, event_id, hash) VALUES (3, $1, $2), (9, $3, $4)', [b, hashes[0]!.hash, a, hashes[1]!.hash]);
        const report = await iverify();
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'edited', 3]);
      });

      test('a truncated tail is found through the signed checkpoint', async () => {
        const ids = (await idb.asOwner((q) => q.query<{ id: string }>('SELECT event_id::text AS id FROM audit_chain WHERE seq > 16'))).rows.map((r) => r.id);
        await itamper('DELETE FROM audit_chain WHERE seq > 16');
        await itamper('DELETE FROM audit_events WHERE id = ANY($1::bigint[])', [ids]);
        const report = await iverify();
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'truncated', 17]);
      });

      test('a chain rewritten consistently from an edit onwards still disagrees with the next checkpoint', async () => {
        const { link, toChainRecord, RECORD_COLUMNS } = await import('../../src/audit/chain.ts');
        const id = await eventAt(13);
        await itamper(`UPDATE audit_events SET detail = '{"i": 1300}' WHERE id = $1`, [id]);
        // Recompute every link from seq 13 on, as an attacker who knows the scheme would.
        const rows = (
          await idb.asOwner((q) => q.query<Record<string, unknown>>(`SELECT c.seq::text AS seq, ${RECORD_COLUMNS} FROM audit_chain c JOIN audit_events e ON e.id = c.event_id ORDER BY c.seq`))
        ).rows;
        let hash = (await idb.asOwner((q) => q.query<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = 12'))).rows[0]!.hash;
        for (const r of rows.filter((r) => Number(r.seq) >= 13)) {
          hash = link(hash, toChainRecord(Number(r.seq), r as never));
          await itamper('UPDATE audit_chain SET hash = $1 WHERE seq = $2', [hash, Number(r.seq)]);
        }
        const report = await iverify();
        assert.equal(report.ok, false);
        assert.equal(report.broken?.problem, 'checkpoint-mismatch');
        assert.equal(report.broken?.seq, 11, 'named from the record after the last checkpoint that still holds (seq 10)');
      });

      test('a checkpoint removed from the middle of the checkpoint chain is found', async () => {
        await itamper('DELETE FROM audit_checkpoints WHERE n = 1');
        const report = await iverify();
        assert.deepEqual([report.ok, report.broken?.problem], [false, 'checkpoint-missing']);
        assert.match(report.broken?.message ?? '', /checkpoint 1 is missing/);
      });

      test('a tail cut off together with its checkpoints is found against an anchor kept outside', async () => {
        const anchor = (await idb.asOwner((q) => q.query<{ jws: string }>('SELECT jws FROM audit_checkpoints WHERE n = 2'))).rows[0]!.jws;
        const ids = (await idb.asOwner((q) => q.query<{ id: string }>('SELECT event_id::text AS id FROM audit_chain WHERE seq > 12'))).rows.map((r) => r.id);
        await itamper('DELETE FROM audit_checkpoints WHERE n = 2');
        await itamper('DELETE FROM audit_chain WHERE seq > 12');
        await itamper('DELETE FROM audit_events WHERE id = ANY($1::bigint[])', [ids]);
        const unanchored = await iverify();
        assert.equal(unanchored.ok, true, 'without an outside anchor a clean cut after a checkpoint is invisible — the documented bound');
        const report = await verifyDatabase(idb, await publicAuditKeys(idb), { anchor });
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'anchor-missing', 20]);
      });

      test('the sealer refuses to sign a checkpoint over a record edited since the last one', async () => {
        await itamper(`UPDATE audit_events SET detail = '{"i": 2200}' WHERE id = (SELECT event_id FROM audit_chain WHERE seq = 22)`);
        // A sealer that remembers nothing (a freshly started instance) still checks before signing.
        const fresh = new Sealer(idb, await loadCheckpointSigner(idb, master), systemClock, silent, SEALING);
        const tampered: Error[] = [];
        fresh.onTamper = (error) => tampered.push(error);
        for (let i = 0; i < 6; i += 1) await idb.transaction((tx) => itrail.record(tx, { action: 'test.write', outcome: 'success', actor: {}, detail: { after: i } }));
        await assert.rejects(fresh.drain(), /record seq 22 does not match its link/);
        assert.equal(tampered.length, 1, 'the tampering is reported');
        const { rows } = await idb.asOwner((q) => q.query<{ n: string; seq: string }>('SELECT max(n)::text AS n, (SELECT max(seq) FROM audit_chain)::text AS seq FROM audit_checkpoints'));
        assert.deepEqual([rows[0]!.n, rows[0]!.seq], ['2', '25'], 'no checkpoint signs the edit, and the refused round added nothing');
      });

      test('a sealer notices a consistent rewrite of what it sealed', async () => {
        const { link, toChainRecord, RECORD_COLUMNS } = await import('../../src/audit/chain.ts');
        await itamper(`UPDATE audit_events SET detail = '{"i": 2200}' WHERE id = (SELECT event_id FROM audit_chain WHERE seq = 22)`);
        const rows = (await idb.asOwner((q) => q.query<Record<string, unknown>>(`SELECT c.seq::text AS seq, ${RECORD_COLUMNS} FROM audit_chain c JOIN audit_events e ON e.id = c.event_id WHERE c.seq >= 22 ORDER BY c.seq`))).rows;
        let hash = (await idb.asOwner((q) => q.query<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = 21'))).rows[0]!.hash;
        for (const r of rows) {
          hash = link(hash, toChainRecord(Number(r.seq), r as never));
          await itamper('UPDATE audit_chain SET hash = $1 WHERE seq = $2', [hash, Number(r.seq)]);
        }
        await assert.rejects(isealer.sealOnce(), /the link this sealer wrote at seq 25 was changed/);
      });

      test('a sealer notices checkpoints disappearing under it', async () => {
        await itamper('DELETE FROM audit_checkpoints WHERE n = 2');
        await assert.rejects(isealer.sealOnce(), /checkpoints were removed: the newest is n 1, this sealer saw n 2/);
      });

      test('an event slipped in with the triggers off is found', async () => {
        await itamper(`INSERT INTO audit_events (at, action, outcome, actor) VALUES (now(), 'forged', 'success', '{}')`);
        const report = await iverify();
        assert.equal(report.ok, false);
        assert.match(report.broken?.message ?? '', /never queued/);
      });

      test('a forged checkpoint signature is refused', async () => {
        await itamper(`UPDATE audit_checkpoints SET jws = regexp_replace(jws, '\\.[^.]+$', '.AAAA') WHERE seq = 20`);
        const report = await iverify();
        assert.deepEqual([report.ok, report.broken?.problem], [false, 'bad-signature']);
      });
    });

    test('two sealers sharing one database produce one gap-free chain', async () => {
      // PGlite is one process's database: there the second sealer shares the handle.
      const other = kind.kind === 'postgres' ? await openMigrated(database) : db;
      try {
        const second = new Sealer(other, signer, systemClock, silent, { ...SEALING, batchSize: 7 });
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < 200; i += 1) {
          writes.push((i % 2 ? db : other).transaction((tx) => trail.record(tx, { action: 'test.concurrent', outcome: 'success', actor: {}, detail: { i } })));
          if (i % 20 === 0) writes.push(sealer.sealOnce(), second.sealOnce());
        }
        await Promise.all(writes);
        await Promise.all([sealer.drain(), second.drain()]);
        const report = await verify();
        assert.equal(report.ok, true, JSON.stringify(report.broken));
        assert.equal(report.unsealed, 0);
        const { rows } = await db.asOwner((q) => q.query<{ n: string; max: string }>('SELECT count(*)::text AS n, max(seq)::text AS max FROM audit_chain'));
        assert.equal(rows[0]!.n, rows[0]!.max, 'seq runs 1..n without a gap');
      } finally {
        if (other !== db) await other.close();
      }
    });

    test('events emitted off the request path are written within the flush interval', async (t) => {
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const count = async () => Number((await db.asOwner((q) => q.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_events WHERE action = 'test.read'`))).rows[0]!.n);
      const start = await count();
      const timed = new AuditTrail(db, systemClock, silent, { flushIntervalMs: 250 });
      timed.emit({ action: 'test.read', outcome: 'success', actor: {}, resource: { type: 'job', id: '1' } });
      timed.emit({ action: 'test.read', outcome: 'success', actor: {}, resource: { type: 'job', id: '2' } });
      t.mock.timers.tick(249);
      assert.equal(timed.queued, 2, 'nothing is written before the interval ends');
      t.mock.timers.tick(1);
      assert.equal(timed.queued, 0, 'at the interval the queue is handed to the database');
      t.mock.timers.reset();
      await timed.close();
      assert.equal(await count(), start + 2, 'both reads are durable');
    });

    test('the shared chain is intact after everything above', async () => {
      await sealer.drain();
      const report = await verify();
      assert.equal(report.ok, true, JSON.stringify(report.broken));
    });
  });
}
