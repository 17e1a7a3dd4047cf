/**
 * The `palisade` commands backup and restore (docs/operations.md#backup-and-restore): the
 * database to one file and back, PostgreSQL through pg_dump/pg_restore and PGlite through its own
 * data-folder dump. The master key is never in the file; both commands say so, because a
 * restore without it cannot read the encrypted columns and keys.
 */
import path from 'node:path';
import { loadConfig } from '../config/index.ts';
import { backupDatabase, restoreDatabase, migrate } from '../db/index.ts';
import { openConfiguredDatabase } from '../main.ts';
import { publicAuditKeys, verifyDatabase } from '../audit/index.ts';
import { action } from './shared.ts';
import type { CommandGroup } from './registry.ts';

const MASTER_KEY_NOTE = 'the master key is NOT in the backup: keep it apart (PALISADE_MASTER_KEY or masterKeyFile); a restore needs the same key to read the encrypted columns and keys';

const targetOf = (config: ReturnType<typeof loadConfig>) => ({ url: config.database.url, pgliteDir: path.join(config.dataDir, 'pglite') });

export const backupCommands: CommandGroup = {
  name: 'backup',
  register(program) {
    program
      .command('backup')
      .description('write the database to one file: pg_dump custom format (PostgreSQL) or the embedded database’s data-folder dump (PGlite); never the master key')
      .requiredOption('--out <file>', 'the backup file to create (owner-only; an existing file is never overwritten)')
      .action(
        action(async (options: { out: string }) => {
          const config = loadConfig();
          const result = await backupDatabase(targetOf(config), path.resolve(options.out));
          console.log(`backup written: ${result.file} (${result.kind === 'postgres' ? 'PostgreSQL, pg_dump custom format' : 'PGlite data folder, gzipped tar'}, ${result.bytes} bytes)`);
          console.log(MASTER_KEY_NOTE);
        }),
      );
    program
      .command('restore')
      .description('restore a backup into an empty database (created when missing), then migrate and verify the audit trail')
      .requiredOption('--from <file>', 'the file `palisade backup` wrote')
      .action(
        action(async (options: { from: string }) => {
          const config = loadConfig();
          const { kind } = await restoreDatabase(targetOf(config), path.resolve(options.from));
          console.log(`restored ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'} database from ${path.resolve(options.from)}`);
          console.log(MASTER_KEY_NOTE);
          // A backup of an older release is brought up to this one's schema, and the audit trail is
          // checked at once: a restore that broke the chain must not go unnoticed until an audit.
          const db = await openConfiguredDatabase(config);
          try {
            await migrate(db);
            const report = await verifyDatabase(db, await publicAuditKeys(db), {});
            if (!report.ok) {
              console.log(`audit trail BROKEN at seq ${report.broken!.seq}: ${report.broken!.message}`);
              process.exit(2);
            }
            console.log(`audit trail OK: ${report.checked} records verified`);
          } finally {
            await db.close();
          }
        }),
      );
  },
};
