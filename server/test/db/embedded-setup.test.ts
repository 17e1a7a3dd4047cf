/**
 * A first start on embedded PGlite creates and migrates the database on a worker thread
 * (db/embedded-setup.ts), so the thread that answers /healthz during start-up is not held up by
 * it. Measured by that thread's event-loop utilisation, the share of the time it was busy
 * rather than waiting for work: on a worker it waits almost throughout; doing the same work on
 * this thread keeps it busy almost throughout. Neither depends on how fast the machine is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { listMigrations, migrate, openDatabase } from '../../src/db/index.ts';
import { createEmbeddedDatabase, embeddedDatabaseMissing } from '../../src/db/embedded-setup.ts';

/** Runs `work` and returns this thread's event-loop utilisation meanwhile (0: idle throughout, 1: busy throughout). */
async function utilisationDuring(work: () => Promise<unknown>): Promise<number> {
  const start = performance.eventLoopUtilization();
  await work();
  return performance.eventLoopUtilization(start).utilization;
}

test('a new embedded database is created and migrated on a worker thread; this thread stays free', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-embedded-setup-'));
  try {
    const pgliteDir = path.join(dir, 'pglite');
    assert.ok(embeddedDatabaseMissing(pgliteDir));
    let created: boolean | undefined;
    const onWorker = await utilisationDuring(async () => (created = await createEmbeddedDatabase(pgliteDir)));
    assert.equal(created, true);
    assert.ok(!embeddedDatabaseMissing(pgliteDir), 'the database exists');
    assert.ok(onWorker < 0.5, `this thread was mostly waiting while the database was made (busy ${(onWorker * 100).toFixed(0)}% of the time)`);

    // Made completely, and closed: this thread opens it and finds every migration applied.
    const db = await openDatabase({ pgliteDir });
    try {
      assert.deepEqual(await migrate(db), [], 'nothing left to migrate');
      const { rows } = await db.asOwner((o) => o.query<{ n: number }>('SELECT count(*)::int AS n FROM palisade_migrations'));
      assert.equal(rows[0]!.n, listMigrations().length);
    } finally {
      await db.close();
    }
    assert.equal(await createEmbeddedDatabase(pgliteDir), false, 'an existing database is left alone');

    // The same work on this thread, for contrast: it is busy throughout (what /healthz waited on).
    const here = path.join(dir, 'here');
    const onThisThread = await utilisationDuring(async () => {
      const other = await openDatabase({ pgliteDir: here });
      await migrate(other);
      await other.close();
    });
    assert.ok(onThisThread > 0.5, `on this thread the same work keeps it busy (${(onThisThread * 100).toFixed(0)}% of the time)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failure on the worker thread is the caller’s error, with its message', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-embedded-setup-'));
  try {
    // A regular file where the database folder's parent should be: PGlite cannot create it.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'data'), 'not a folder');
    await assert.rejects(createEmbeddedDatabase(path.join(dir, 'data', 'pglite')), (error: Error) => {
      assert.match(error.message, /ENOTDIR|not a directory|EEXIST/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
