/**
 * The first start on embedded PGlite: creating the database (PostgreSQL's initdb, compiled to
 * WebAssembly) and applying every migration is one long run of synchronous code, tens of
 * seconds on a busy machine. On the thread that serves HTTP it would hold up every answer,
 * /healthz included, so a liveness probe would see a hung process and restart it. That work is
 * done here on a worker thread instead; the caller's thread stays free (the start-up gate keeps
 * answering probes) and then opens the database, which is ready.
 *
 * Only a folder without a database is set up this way: opening an existing one is short, and a
 * start that finds migrations to apply (an upgrade) applies them as before.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** True when `pgliteDir` holds no database yet (PGlite writes PG_VERSION when it creates one). */
export function embeddedDatabaseMissing(pgliteDir: string): boolean {
  return !existsSync(path.join(pgliteDir, 'PG_VERSION'));
}

/**
 * Creates and migrates the embedded database in `pgliteDir` on a worker thread, when there is
 * none yet; resolves once it is closed again (true), or at once when there was one (false).
 * Fails with the worker's own error (a database in use by another process, a full disk).
 */
export async function createEmbeddedDatabase(pgliteDir: string): Promise<boolean> {
  if (!embeddedDatabaseMissing(pgliteDir)) return false;
  const worker = new Worker(new URL('./embedded-setup-worker.ts', import.meta.url), { workerData: { pgliteDir } });
  await new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    worker.once('error', (error) => (failure = error));
    worker.once('exit', (code) => {
      if (failure) reject(failure);
      else if (code !== 0) reject(new Error(`setting up the embedded database in ${pgliteDir} stopped (worker exit code ${code})`));
      else resolve();
    });
  });
  return true;
}
