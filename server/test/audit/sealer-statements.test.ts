/**
 * What one sealing round costs the database, counted as the statements the sealer sends on its
 * owner connection (the transaction's BEGIN and COMMIT come on top). Under sustained load every
 * round links a checkpoint's worth of records and signs the checkpoint, so the per-round
 * statements are what the sealer pays each `checkpointEvery` records; the test fails if a round
 * sends more than the counts below. The round's work is checked too: every record linked, the
 * queue emptied of exactly those, and the chain verifies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database, OwnerQueryable } from '../../src/db/index.ts';
import { systemClock } from '../../src/clock.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { Sealer } from '../../src/audit/sealer.ts';
import { loadCheckpointSigner, publicAuditKeys } from '../../src/audit/keys.ts';
import { verifyDatabase } from '../../src/audit/verify.ts';

/** The owner transactions' statements, as sent (asOwner's own BEGIN and COMMIT not included). */
function counting(db: Database): { db: Database; statements: string[] } {
  const statements: string[] = [];
  const wrapped: Database = Object.create(db) as Database;
  wrapped.asOwner = <T>(fn: (q: OwnerQueryable) => Promise<T>) =>
    db.asOwner((owner) => {
      const counted = Object.create(owner) as OwnerQueryable;
      counted.query = ((text: string, params?: unknown[]) => {
        statements.push(text.trim().split(/\s+/).slice(0, 3).join(' '));
        return owner.query(text, params);
      }) as OwnerQueryable['query'];
      return fn(counted);
    });
  return { db: wrapped, statements };
}

/** The counts the test holds a round to (before the chain insert and the queue delete were one statement, and the sealer's check of its last link one of its own: 9 and 8). */
const WITH_CHECKPOINT = 7;
const WITHOUT_CHECKPOINT = 6;

for (const kind of databaseKinds()) {
  describe(`a sealing round's statements (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      await db.asOwner((o) =>
        o.query(
          `INSERT INTO audit_events (at, action, outcome, actor, resource_type, resource_id)
           SELECT now(), 'job.read', 'success', jsonb_build_object('userId', 'u-' || (g % 7)), 'job', g::text FROM generate_series(1, 1500) g`,
        ),
      );
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });

    test(`a round of 500 records and its checkpoint: at most ${WITH_CHECKPOINT} statements; without a checkpoint, ${WITHOUT_CHECKPOINT}`, async () => {
      const master = masterKeyFromBase64url(generateMasterKey());
      const signer = await loadCheckpointSigner(db, master);
      const { db: counted, statements } = counting(db);
      const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
      const sealer = new Sealer(counted, signer, systemClock, log, { batchSize: 500, checkpointEvery: 500, checkpointIntervalMs: 3_600_000, pollIntervalMs: 10 });
      // The first round has no link of its own to check yet; the second is what every later one costs.
      assert.equal((await sealer.sealOnce()).sealed, 500);
      statements.length = 0;
      const second = await sealer.sealOnce();
      assert.equal(second.sealed, 500);
      assert.ok(second.checkpoint, 'a checkpoint every 500 records');
      assert.ok(statements.length <= WITH_CHECKPOINT, `a round with its checkpoint sent ${statements.length} statements:\n${statements.join('\n')}`);

      // A round that stops short of a checkpoint (one due only by count, 500 more needed).
      const onlyCount = new Sealer(counted, signer, systemClock, log, { batchSize: 200, checkpointEvery: 500, checkpointIntervalMs: 3_600_000, pollIntervalMs: 10 });
      assert.equal((await onlyCount.sealOnce()).sealed, 200);
      statements.length = 0;
      const third = await onlyCount.sealOnce();
      assert.equal(third.sealed, 200);
      assert.equal(third.checkpoint, undefined);
      assert.ok(statements.length <= WITHOUT_CHECKPOINT, `a round without a checkpoint sent ${statements.length} statements:\n${statements.join('\n')}`);

      await onlyCount.drain();
      const { rows } = await db.asOwner((o) =>
        o.query<{ chained: string; pending: string; ordered: boolean }>(
          `SELECT (SELECT count(*) FROM audit_chain)::text AS chained, (SELECT count(*) FROM audit_pending)::text AS pending,
                  (SELECT bool_and(event_id = seq) FROM audit_chain) AS ordered`,
        ),
      );
      assert.deepEqual(rows[0], { chained: '1500', pending: '0', ordered: true }, 'every record linked once, in order, and gone from the queue');
      const report = await verifyDatabase(db, await publicAuditKeys(db));
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.equal(report.checked, 1500);
    });
  });
}
