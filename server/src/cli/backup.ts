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
import { countPeopleWithoutKeys, readPersonKeyFile, replaceAllPersonKeys, writePersonKeyFile } from '../security/index.ts';
import { action } from './shared.ts';
import type { CommandGroup } from './registry.ts';

const MASTER_KEY_NOTE = 'the master key is NOT in the backup: keep it apart (PALISADE_MASTER_KEY or masterKeyFile); a restore needs the same key to read the encrypted columns and keys';

const KEY_FILE_NOTE =
  'person keys are NOT in the data backup: they are in the key file beside it; keep key files on a short retention, apart from the data backups, and restore with the newest one (an erasure then reaches every older backup)';

const targetOf = (config: ReturnType<typeof loadConfig>) => ({ url: config.database.url, pgliteDir: path.join(config.dataDir, 'pglite') });

export const backupCommands: CommandGroup = {
  name: 'backup',
  register(program) {
    program
      .command('backup')
      .description('write the database to one file: pg_dump custom format (PostgreSQL) or the embedded database’s data-folder dump (PGlite); never the master key')
      .requiredOption('--out <file>', 'the backup file to create (owner-only; an existing file is never overwritten); the person keys go to <file>.keys')
      .option('--keys-only', 'write only the key file, to --out (run it often; keep these files briefly)')
      .action(
        action(async (options: { out: string; keysOnly?: boolean }) => {
          const config = loadConfig();
          const out = path.resolve(options.out);
          if (options.keysOnly) {
            const db = await openConfiguredDatabase(config);
            try {
              const n = await db.asOwner((q) => writePersonKeyFile(q, out, new Date()));
              console.log(`key file written: ${out} (${n} person keys, wrapped)`);
            } finally {
              await db.close();
            }
            return;
          }
          let keys = 0;
          const result = await backupDatabase(targetOf(config), out, async (q) => {
            keys = await writePersonKeyFile(q, `${out}.keys`, new Date());
          });
          console.log(`backup written: ${result.file} (${result.kind === 'postgres' ? 'PostgreSQL, pg_dump custom format' : 'PGlite data folder, gzipped tar'}, ${result.bytes} bytes)`);
          console.log(`key file written: ${out}.keys (${keys} person keys, wrapped)`);
          console.log(MASTER_KEY_NOTE);
          console.log(KEY_FILE_NOTE);
        }),
      );
    program
      .command('restore')
      .description('restore a backup into an empty database (created when missing), then migrate and verify the audit trail')
      .requiredOption('--from <file>', 'the file `palisade backup` wrote')
      .requiredOption('--keys <file>', 'the person keys to restore: the NEWEST key file (`palisade backup` or `backup --keys-only`), so that no one erased since is readable again')
      .action(
        action(async (options: { from: string; keys: string }) => {
          const config = loadConfig();
          // Read first: a wrong key file is refused before anything is restored.
          const keyFile = readPersonKeyFile(path.resolve(options.keys));
          const { kind } = await restoreDatabase(targetOf(config), path.resolve(options.from));
          console.log(`restored ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'} database from ${path.resolve(options.from)}`);
          console.log(MASTER_KEY_NOTE);
          // A backup of an older release is brought up to this one's schema, and the audit trail is
          // checked at once: a restore that broke the chain must not go unnoticed until an audit.
          const db = await openConfiguredDatabase(config);
          try {
            await migrate(db);
            // The restored table (empty from a PostgreSQL dump, the backup's own from PGlite) is
            // replaced by the key file: a person erased after it was written stays unreadable.
            const orphans = await db.asOwner(async (q) => {
              await replaceAllPersonKeys(q, keyFile.rows);
              return countPeopleWithoutKeys(q);
            });
            console.log(`person keys restored from ${path.resolve(options.keys)} (written ${keyFile.takenAt.toISOString()}): ${keyFile.rows.length}`);
            if (orphans > 0) console.log(`${orphans} people have sealed positions or photos but no key: erased after the backup (or newer than the key file); that data does not open`);
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
