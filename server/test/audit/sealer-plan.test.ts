/**
 * The sealer's pending query stays index-driven whatever the planner's statistics say. Taken
 * while the trail was small and the queue large, then left stale (autovacuum off on the audit
 * tables) while the trail grew to hundreds of thousands of records with the queue at its end,
 * statistics led the planner to a merge join that reads audit_events' whole primary key from
 * the start: seconds per round at millions of rows, so the sealer fell behind. On PostgreSQL
 * (PGlite's planner is the same, but the test is about a server's statistics and autovacuum).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { systemClock } from '../../src/clock.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { PENDING_BATCH, Sealer, asRole } from '../../src/audit/sealer.ts';
import { loadCheckpointSigner } from '../../src/audit/keys.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const postgres = databaseKinds().find((k) => k.kind === 'postgres');

describe('the sealer reads its batch by index, whatever the statistics (postgres)', { skip: postgres ? false : 'no TEST_DATABASE_URL' }, () => {
  let database: TestDatabase;
  let db: Database;

  before(async () => {
    database = await postgres!.create({ migrated: true });
    db = await openMigrated(database);
    await db.asOwner(async (o) => {
      await o.exec('ALTER TABLE audit_events SET (autovacuum_enabled = false); ALTER TABLE audit_pending SET (autovacuum_enabled = false)');
      const insert = (n: number) =>
        o.query(
          `INSERT INTO audit_events (at, action, outcome, actor, resource_type, resource_id)
           SELECT now(), 'job.read', 'success', '{"userId":"u"}', 'job', g::text FROM generate_series(1, $1::int) g`,
          [n],
        );
      // Statistics taken while 50 000 records waited to be sealed…
      await insert(50_000);
      await o.exec('ANALYZE audit_events; ANALYZE audit_pending');
      // …then they were sealed (gone from the queue), and the trail grew ten times; the newest
      // 2 000 wait. No ANALYZE since.
      await o.query('DELETE FROM audit_pending');
      await insert(500_000);
      await o.query('DELETE FROM audit_pending WHERE event_id <= (SELECT max(id) - 2000 FROM audit_events)');
    });
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  test('EXPLAIN: a nested loop of primary-key lookups into audit_events, no merge or hash join, no scan of the trail', async () => {
    const plan = await asRole(db, 'palisade_audit_sealer', async (q) => {
      const { rows } = await q.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${PENDING_BATCH}`, [1000]);
      return rows[0]!['QUERY PLAN'][0].Plan;
    });
    const all = nodes(plan);
    const types = all.map((n) => n['Node Type']);
    assert.ok(!types.includes('Merge Join') && !types.includes('Hash Join'), `no merge or hash join: ${types.join(' > ')}`);
    const events = all.filter((n) => n['Relation Name'] === 'audit_events');
    assert.equal(events.length, 1, `audit_events read once: ${types.join(' > ')}`);
    assert.equal(events[0]!['Node Type'], 'Index Scan', `audit_events by index: ${types.join(' > ')}`);
    assert.equal(events[0]!['Index Name'], 'audit_events_pkey');
    assert.ok(types.includes('Nested Loop'), types.join(' > '));
  });

  test('the sealer links the 2 000 pending records in order from that plan', async () => {
    const master = masterKeyFromBase64url(generateMasterKey());
    const signer = await loadCheckpointSigner(db, master);
    const sealer = new Sealer(db, signer, systemClock, { warn: () => undefined, error: () => undefined }, { batchSize: 1000, checkpointEvery: 1000, checkpointIntervalMs: 60_000, pollIntervalMs: 10 });
    assert.equal(await sealer.drain(), 2000);
    const { rows } = await db.asOwner((o) =>
      o.query<{ ordered: boolean; n: string }>(
        'SELECT count(*)::text AS n, bool_and(event_id = (SELECT max(id) FROM audit_events) - 2000 + seq) AS ordered FROM audit_chain',
      ),
    );
    assert.deepEqual(rows[0], { n: '2000', ordered: true }, 'seq 1…2000 are the pending events in id order');
  });
});
