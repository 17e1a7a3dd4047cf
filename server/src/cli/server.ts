/** The `palisade` command group start and migrate: run the server, or apply the database migrations and exit. */
import { loadConfig } from '../config/load.ts';
import { startServer, openConfiguredDatabase } from '../main.ts';
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
          const running = await startServer({ config: loadConfig() });
          let stopping = false;
          const stop = async (signal: NodeJS.Signals) => {
            // npm forwards the signal it gets to this process, which often has it already (same
            // process group): the second one must not cut the orderly stop short.
            if (stopping) return;
            stopping = true;
            running.log.info({ event: 'server.stopping', signal }, `Palisade is stopping (${signal}): finishing requests, writing the audit trail`);
            try {
              await running.close();
            } catch (error) {
              running.log.error({ event: 'server.stop_failed', err: error }, 'Palisade did not stop cleanly');
              process.exit(1);
            }
            running.log.info({ event: 'server.stopped', signal }, 'Palisade stopped.');
            process.exit(0);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
          // `kill -HUP` picks up a key rotation at once instead of at the next periodic reload.
          process.on('SIGHUP', () => void running.reloadKeys().catch((error: unknown) => running.log.error({ event: 'keys.reload_failed', err: error }, 'signing key reload failed')));
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
