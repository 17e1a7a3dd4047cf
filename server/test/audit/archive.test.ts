/**
 * Archives verify offline with nothing but the files and the public keys, and any change to
 * them is found and named; purging removes only what is archived and past retention, and
 * leaves a signed purge checkpoint so the database chain still verifies.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { AuditTrail } from '../../src/audit/trail.ts';
import { Sealer } from '../../src/audit/sealer.ts';
import { loadCheckpointSigner, publicAuditKeys, type CheckpointSigner, type PublicKeySet } from '../../src/audit/keys.ts';
import { verifyDatabase } from '../../src/audit/verify.ts';
import { exportArchive, purgeArchived, verifyArchive } from '../../src/audit/archive.ts';

const silent = { warn: () => undefined, error: () => undefined };
const DAY = 86_400_000;

async function files(dir: string, suffix: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(suffix)).sort();
}

async function rewrite(file: string, change: (lines: string[]) => string[]): Promise<void> {
  await chmod(file, 0o644);
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  await writeFile(file, change(lines).join('\n') + '\n');
}

for (const kind of databaseKinds()) {
  describe(`audit archives (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let signer: CheckpointSigner;
    let keys: PublicKeySet;
    let dir: string;
    const clock = new ManualClock(Date.UTC(2019, 0, 1));
    let trail: AuditTrail;
    let sealer: Sealer;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      signer = await loadCheckpointSigner(db, masterKeyFromBase64url(generateMasterKey()));
      keys = await publicAuditKeys(db);
      trail = new AuditTrail(db, clock, silent, { flushIntervalMs: 10 });
      sealer = new Sealer(db, signer, clock, silent, { batchSize: 100, checkpointEvery: 20, checkpointIntervalMs: 60_000, pollIntervalMs: 10 });
      // 45 records: checkpoints at 20 and 40; 41–45 are not yet covered by a signature.
      for (let i = 0; i < 45; i += 1) {
        await db.transaction((tx) => trail.record(tx, { action: 'test.write', outcome: 'success', actor: { userId: 'u-1' }, detail: { i } }));
        clock.advance(1000);
      }
      await sealer.drain();
    });
    after(async () => {
      await db.close();
      await database.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('export writes only what a checkpoint covers, read-only, and it verifies offline', async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'palisade-archive-'));
      const result = await exportArchive(db, signer, clock, dir);
      assert.equal(result.files.reduce((n, f) => n + f.count, 0), 40, 'seq 1–40: the records covered by the checkpoint at 40');
      assert.equal(result.waiting, 5);
      const [jsonl] = await files(dir, '.jsonl');
      assert.ok(jsonl);
      const { stat } = await import('node:fs/promises');
      assert.equal((await stat(path.join(dir, jsonl))).mode & 0o222, 0, 'archive files are read-only');
      const report = await verifyArchive(dir, keys);
      assert.equal(report.ok, true, JSON.stringify(report.broken));
      assert.deepEqual([report.firstSeq, report.lastSeq, report.checked], [1, 40, 40]);
      // A second export continues where the first stopped and never rewrites a file.
      for (let i = 0; i < 20; i += 1) await db.transaction((tx) => trail.record(tx, { action: 'test.write', outcome: 'success', actor: {}, detail: { late: i } }));
      await sealer.drain();
      const next = await exportArchive(db, signer, clock, dir);
      assert.equal(next.files[0]?.firstSeq, 41);
      const all = await verifyArchive(dir, keys);
      assert.equal(all.ok, true, JSON.stringify(all.broken));
      assert.equal(all.lastSeq, 60);
    });

    describe('tampered archives', () => {
      // Each test exports the same records afresh into its own directory (export bookkeeping
      // lives in the database, so these go through a copy of the files written once here).
      let pristine: string;
      before(async () => {
        pristine = await mkdtemp(path.join(tmpdir(), 'palisade-archive-pristine-'));
        const { cp } = await import('node:fs/promises');
        const source = await mkdtemp(path.join(tmpdir(), 'palisade-archive-src-'));
        // The archive of the first test already lives in the database's export records; make an
        // independent one by verifying a copy of what a fresh export of this chain looks like.
        const other = await kind.create({ migrated: true });
        const odb = await openMigrated(other);
        try {
          const osigner = await loadCheckpointSigner(odb, masterKeyFromBase64url(generateMasterKey()));
          keysForPristine = await publicAuditKeys(odb);
          const otrail = new AuditTrail(odb, clock, silent, { flushIntervalMs: 10 });
          const osealer = new Sealer(odb, osigner, clock, silent, { batchSize: 100, checkpointEvery: 10, checkpointIntervalMs: 60_000, pollIntervalMs: 10 });
          for (let day = 0; day < 3; day += 1) {
            for (let i = 0; i < 10; i += 1) await odb.transaction((tx) => otrail.record(tx, { action: 'test.write', outcome: 'success', actor: {}, detail: { day, i } }));
            await osealer.drain();
            await exportArchive(odb, osigner, clock, source);
          }
        } finally {
          await odb.close();
          await other.drop();
        }
        await cp(source, pristine, { recursive: true });
      });
      let keysForPristine: PublicKeySet;
      let work: string;
      beforeEach(async () => {
        const { cp } = await import('node:fs/promises');
        work = await mkdtemp(path.join(tmpdir(), 'palisade-archive-work-'));
        await cp(pristine, work, { recursive: true });
      });

      test('the untouched copy verifies', async () => {
        const report = await verifyArchive(work, keysForPristine);
        assert.equal(report.ok, true, JSON.stringify(report.broken));
        assert.equal(report.checked, 30);
      });

      test('an edited line is named', async () => {
        const [, second] = await files(work, '.jsonl');
        await rewrite(path.join(work, second!), (lines) => lines.map((l, i) => (i === 3 ? l.replace('"i":3', '"i":33') : l)));
        const report = await verifyArchive(work, keysForPristine);
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'edited', 14]);
      });

      test('a deleted line is named', async () => {
        const [first] = await files(work, '.jsonl');
        await rewrite(path.join(work, first!), (lines) => lines.filter((_, i) => i !== 5));
        const report = await verifyArchive(work, keysForPristine);
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'missing', 6]);
      });

      test('swapped lines are named', async () => {
        const [first] = await files(work, '.jsonl');
        await rewrite(path.join(work, first!), (lines) => [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)]);
        const report = await verifyArchive(work, keysForPristine);
        assert.deepEqual([report.ok, report.broken?.seq], [false, 2], 'named at the first record out of place');
      });

      test('a file cut short is found', async () => {
        const [, , third] = await files(work, '.jsonl');
        await rewrite(path.join(work, third!), (lines) => lines.slice(0, 7));
        const report = await verifyArchive(work, keysForPristine);
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'truncated', 28]);
      });

      test('a missing file is found', async () => {
        const [, second] = await files(work, '.jsonl');
        await rm(path.join(work, second!), { force: true });
        const report = await verifyArchive(work, keysForPristine);
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'missing', 11]);
      });

      test('a file dropped from the start is found', async () => {
        const [first] = await files(work, '.jsonl');
        await rm(path.join(work, first!), { force: true });
        await rm(path.join(work, first! + '.digest.json'), { force: true });
        const report = await verifyArchive(work, keysForPristine);
        assert.deepEqual([report.ok, report.broken?.problem, report.broken?.seq], [false, 'missing', 1]);
        assert.equal((await verifyArchive(work, keysForPristine, { partial: true })).ok, true, 'unless older files were removed on purpose');
      });

      test('a file dropped from the end is found against the newest digest kept outside', async () => {
        const [, , last] = await files(work, '.jsonl');
        const anchor = (JSON.parse(await readFile(path.join(work, last! + '.digest.json'), 'utf8')) as { jws: string }).jws;
        await rm(path.join(work, last!), { force: true });
        await rm(path.join(work, last! + '.digest.json'), { force: true });
        assert.equal((await verifyArchive(work, keysForPristine)).ok, true, 'without an anchor the end cannot be known — the documented bound');
        const report = await verifyArchive(work, keysForPristine, { anchor });
        assert.deepEqual([report.ok, report.broken?.problem], [false, 'anchor-missing']);
      });

      test('a validly signed digest moved into another file’s place is found', async () => {
        const [first, second] = await files(work, '.digest.json');
        await chmod(path.join(work, second!), 0o644);
        await writeFile(path.join(work, second!), await readFile(path.join(work, first!), 'utf8'));
        const report = await verifyArchive(work, keysForPristine);
        assert.deepEqual([report.ok, report.broken?.problem], [false, 'checkpoint-missing'], 'digest 2 is gone from the digest chain');
      });

      test('a forged digest is refused', async () => {
        const [digest] = await files(work, '.digest.json');
        const file = path.join(work, digest!);
        const body = JSON.parse(await readFile(file, 'utf8')) as { jws: string };
        const [h, p, s] = body.jws.split('.');
        const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as { count: number };
        payload.count = 9;
        await chmod(file, 0o644);
        await writeFile(file, JSON.stringify({ ...body, jws: `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}` }));
        const report = await verifyArchive(work, keysForPristine);
        assert.deepEqual([report.ok, report.broken?.problem], [false, 'bad-signature']);
      });

      test('the wrong public keys verify nothing', async () => {
        const report = await verifyArchive(work, keys);
        assert.deepEqual([report.ok, report.broken?.problem], [false, 'bad-signature']);
      });
    });

    test('an export claims its range first: a crash before the files leaves nothing to overlap, a second run completes it', async () => {
      const target = await mkdtemp(path.join(tmpdir(), 'palisade-archive-claims-'));
      const other = await kind.create({ migrated: true });
      const odb = await openMigrated(other);
      try {
        const osigner = await loadCheckpointSigner(odb, masterKeyFromBase64url(generateMasterKey()));
        const okeys = await publicAuditKeys(odb);
        const otrail = new AuditTrail(odb, clock, silent, { flushIntervalMs: 10 });
        const osealer = new Sealer(odb, osigner, clock, silent, { batchSize: 100, checkpointEvery: 5, checkpointIntervalMs: 60_000, pollIntervalMs: 10 });
        for (let i = 0; i < 10; i += 1) await odb.transaction((tx) => otrail.record(tx, { action: 'test.write', outcome: 'success', actor: {}, detail: { i } }));
        await osealer.drain();
        // A crashed export: its claim is in the database, its files never reached the disk.
        await odb.asOwner((q) => q.query(`INSERT INTO audit_exports (first_seq, last_seq, n, file, digest_jws, exported_at) VALUES (1, 5, 1, 'x/never-written.jsonl', 'x.y.z', now() - interval '1 hour')`));
        const result = await exportArchive(odb, osigner, clock, target);
        assert.deepEqual(result.files.map((f) => [f.firstSeq, f.lastSeq]), [[1, 10]], 'the abandoned claim is dropped and the range exported once');
        const report = await verifyArchive(target, okeys);
        assert.equal(report.ok, true, JSON.stringify(report.broken));
        // Two exports at once: the second finds the range claimed and stops instead of overlapping.
        for (let i = 0; i < 5; i += 1) await odb.transaction((tx) => otrail.record(tx, { action: 'test.write', outcome: 'success', actor: {}, detail: { i } }));
        await osealer.drain();
        await odb.asOwner((q) => q.query(`INSERT INTO audit_exports (first_seq, last_seq, n, file, digest_jws) VALUES (11, 15, 2, 'x/in-progress.jsonl', 'x.y.z')`));
        await assert.rejects(exportArchive(odb, osigner, clock, path.join(target, 'elsewhere')), /being exported by another run/);
      } finally {
        await odb.close();
        await other.drop();
        await rm(target, { recursive: true, force: true });
      }
    });

    test('purge removes only archived records past retention and leaves a signed purge checkpoint', async () => {
      const archive = await mkdtemp(path.join(tmpdir(), 'palisade-archive-purge-'));
      // The archive of the first test holds seq 1–40 and 41–60; purge removes whole archived files.
      // A damaged archive purges nothing.
      const { cp } = await import('node:fs/promises');
      const damaged = await mkdtemp(path.join(tmpdir(), 'palisade-archive-damaged-'));
      await cp(dir, damaged, { recursive: true });
      const [firstFile] = await files(damaged, '.jsonl');
      await rewrite(path.join(damaged, firstFile!), (lines) => lines.slice(1));
      await assert.rejects(purgeArchived(db, signer, clock, new Date(clock.now() + 365 * DAY), { dir: damaged, keys }), /does not verify, so nothing is purged/);
      await rm(damaged, { recursive: true, force: true });
      const early = await purgeArchived(db, signer, clock, new Date(Date.UTC(2019, 0, 1, 0, 0, 41)), { dir, keys });
      assert.deepEqual([early.purged, early.throughSeq], [40, 40], 'records 1–41 are older than the cutoff, and the archive file ending at 40 is the last wholly old one');
      const report = await verifyDatabase(db, keys);
      assert.equal(report.ok, true, JSON.stringify(report.broken));
      assert.equal(report.firstSeq, 41, 'the chain now starts after the purge checkpoint');
      // A cutoff far in the future still cannot purge what was never archived (61–65).
      for (let i = 0; i < 5; i += 1) await db.transaction((tx) => trail.record(tx, { action: 'test.write', outcome: 'success', actor: {}, detail: { i } }));
      await sealer.drain();
      const all = await purgeArchived(db, signer, clock, new Date(clock.now() + 365 * DAY), { dir, keys });
      assert.equal(all.throughSeq, 60, 'purged up to the last archived record, not beyond');
      const after = await verifyDatabase(db, keys);
      assert.equal(after.ok, true, JSON.stringify(after.broken));
      assert.equal(after.firstSeq, 61);
      // Further exports continue the archive after the purge.
      for (let i = 0; i < 15; i += 1) await db.transaction((tx) => trail.record(tx, { action: 'test.write', outcome: 'success', actor: {}, detail: { i } }));
      await sealer.drain();
      const more = await exportArchive(db, signer, clock, archive);
      assert.deepEqual([more.files[0]?.firstSeq, more.files.at(-1)?.lastSeq], [61, 80]);
      await rm(archive, { recursive: true, force: true });
    });
  });
}
