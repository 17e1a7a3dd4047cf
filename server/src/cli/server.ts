/** The `palisade` command group start and migrate: run the server, or apply the database migrations and exit. */
import { loadConfig } from '../config/index.ts';
import { startServer, openConfiguredDatabase } from '../main.ts';
import { stopOnSignals } from '../shutdown.ts';
import { migrate } from '../db/index.ts';
import { withProgress } from '../progress.ts';
import { action } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const serverCommands: CommandGroup = {
  name: 'server',
  register(program) {
    program
      .command('start')
      .description('run the server (configuration from PALISADE_CONFIG and PALISADE_* variables)')
      .action(
        action(async () => {
          // Stopping (SIGTERM, SIGINT) and key reloads (SIGHUP): shutdown.ts.
          stopOnSignals(await startServer({ config: loadConfig() }));
        }),
      );

    program
      .command('migrate')
      .description('apply pending database migrations and exit')
      .action(
        action(async () => {
          const config = loadConfig();
          const db = await openConfiguredDatabase(config);
          try {
            const applied = await withProgress('migrating', 'migrations', {}, (onProgress) => migrate(db, { onProgress }));
            console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'the database is up to date');
          } finally {
            await db.close();
          }
        }),
      );
  },
};
