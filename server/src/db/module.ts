/**
 * The database module: opens the configured database (PGlite in the data folder, or
 * PostgreSQL), says which connection failed when one does, applies pending migrations and checks
 * the runtime login. Every other module's tables live in it; they own them through their stores.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import { defineModule } from '../module.ts';
import { databaseUnreachable } from '../start-errors.ts';
import type { Database } from './index.ts';
import { createEmbeddedDatabase } from './embedded-setup.ts';
import { migrate } from './migrate.ts';
import { openDatabase } from './open.ts';
import { checkRuntimeLogin, ownerAnswers } from './runtime-login.ts';

/**
 * Opens the configured database, making the data folder first. `firstStartOnWorker`: a first
 * start on embedded PGlite creates and migrates the database on a worker thread (that long
 * synchronous work would otherwise keep the server's start-up gate from answering /healthz).
 */
export async function openConfiguredDatabase(config: ResolvedConfig, options: { firstStartOnWorker?: boolean } = {}): Promise<Database> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const pgliteDir = path.join(config.dataDir, 'pglite');
  if (options.firstStartOnWorker && !config.database.url) await createEmbeddedDatabase(pgliteDir);
  return openDatabase({ url: config.database.url, runtimeUrl: config.database.runtimeUrl, pgliteDir, poolSize: config.database.poolSize, transactionPooling: config.database.transactionPooling });
}

export const databaseModule = defineModule({
  name: 'db',
  dependencies: [],
  config: ['database'],
  async start({ config }: { config: ResolvedConfig }) {
    const db = await openConfiguredDatabase(config, { firstStartOnWorker: true });
    try {
      // A bare "connect ECONNREFUSED" does not say which of the two connections failed.
      const databaseUrl = config.database.url;
      if (databaseUrl) await ownerAnswers(db).catch((error: unknown) => Promise.reject(databaseUnreachable(databaseUrl, error)));
      await migrate(db);
      if (config.database.runtimeUrl) await checkRuntimeLogin(db);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return { api: db, stop: () => db.close() };
  },
});
