/**
 * The worker thread of embedded-setup.ts: creates the PGlite database in the folder it is
 * given, applies the migrations and closes it (which releases the folder's lock). An error ends
 * the worker with that error, which the caller's thread receives.
 */
import { workerData } from 'node:worker_threads';
import { openDatabase, migrate } from './index.ts';

const { pgliteDir } = workerData as { pgliteDir: string };
const db = await openDatabase({ pgliteDir });
try {
  await migrate(db);
} finally {
  await db.close();
}
