/** The `palisade` command group config check: validate the configuration and list every problem at once. */
import { formatProblem, loadConfig, type ResolvedConfig } from '../config/index.ts';
import { blobStoreKind } from '../domains/fieldservice/index.ts';
import { action } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const configCommands: CommandGroup = {
  name: 'config',
  register(program) {
    const configCommand = program.command('config').description('configuration tools');
    configCommand
      .command('check')
      .description('validate the configuration and list every problem at once')
      .action(
        action(async () => {
          const config = loadConfig();
          console.log(`configuration OK (${config.source}${config.production ? ', production' : ''})`);
          for (const line of deploymentLines(config)) console.log(`  ${line}`);
          for (const line of config.developmentDefaults) console.log(`  development default: ${line}`);
          for (const warning of config.warnings) console.log(`  warning: ${formatProblem(warning)}`);
        }),
      );
  },
};

/** How the instances share state, so an operator sees what scaling out with this file means. */
export function deploymentLines(config: ResolvedConfig): string[] {
  const database = !config.database.url
    ? 'database: embedded PGlite (one instance)'
    : config.database.transactionPooling
      ? 'database: PostgreSQL through a transaction pooler (PgBouncer): no session state on connections, the runtime role is set per transaction'
      : 'database: PostgreSQL, direct connections (behind PgBouncer in transaction mode set database.transactionPooling)';
  const feed = config.redis.url
    ? 'session feed: Redis pub/sub (remote logout reaches every instance)'
    : config.database.url
      ? 'session feed: PostgreSQL LISTEN/NOTIFY (needs direct connections: LISTEN does not pass through transaction pooling)'
      : 'session feed: in-process';
  const photos = { folder: 'photos: the local folder (one instance only)', database: 'photos: PostgreSQL (shared by every instance)', s3: `photos: the S3 bucket ${config.photos.s3?.bucket ?? ''} (shared by every instance)` }[blobStoreKind(config)];
  return [database, feed, photos];
}
