/**
 * The `palisade` command line for operators: start, migrate, config check, keys rotate/list.
 * Errors are printed in plain words (no stack traces) and exit non-zero.
 */
import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from './config/load.ts';
import { parseDuration } from './config/duration.ts';
import { startServer, resolveMasterKey, openConfiguredDatabase } from './main.ts';
import { migrate } from './db/index.ts';
import { ensureSigningKey, listKeys, rotateKeys } from './oauth/keys.ts';
import { systemClock } from './clock.ts';
import { hashToken, randomId } from './security/primitives.ts';
import { insertScimToken, listScimTokens, revokeScimToken } from './scim/index.ts';

function fail(error: unknown): never {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`palisade: ${(error as Error).message}`);
  process.exit(1);
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

export function buildCli(): Command {
  const program = new Command('palisade').description('Palisade: secure backend for internal mobile apps').showHelpAfterError();

  program
    .command('start')
    .description('run the server (configuration from PALISADE_CONFIG and PALISADE_* variables)')
    .action(async () => {
      try {
        const running = await startServer({ config: loadConfig() });
        const stop = async () => {
          await running.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // `kill -HUP` picks up a key rotation at once instead of at the next periodic reload.
        process.on('SIGHUP', () => void running.reloadKeys().catch((error: unknown) => console.error(`key reload failed: ${(error as Error).message}`)));
      } catch (error) {
        fail(error);
      }
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      try {
        const config = loadConfig();
        const db = await openConfiguredDatabase(config);
        try {
          const applied = await migrate(db);
          console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'the database is up to date');
        } finally {
          await db.close();
        }
      } catch (error) {
        fail(error);
      }
    });

  const configCommand = program.command('config').description('configuration tools');
  configCommand
    .command('check')
    .description('validate the configuration and list every problem at once')
    .action(() => {
      try {
        const config = loadConfig();
        console.log(`configuration OK (${config.source}${config.production ? ', production' : ''})`);
        for (const line of config.developmentDefaults) console.log(`  development default: ${line}`);
      } catch (error) {
        fail(error);
      }
    });

  const keys = program.command('keys').description('token signing keys');
  keys
    .command('list')
    .description('list signing keys and their state')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      try {
        await withDatabase(async (db) => {
          const rows = await listKeys(db);
          const now = systemClock.now();
          const state = (r: (typeof rows)[number]) =>
            r.retireAfter && r.retireAfter.getTime() <= now
              ? 'expired'
              : r.retiredAt && r.retiredAt.getTime() <= now
                ? 'retired (published until ' + r.retireAfter?.toISOString() + ')'
                : r.activatedAt && r.activatedAt.getTime() > now
                  ? 'published, signs from ' + r.activatedAt.toISOString()
                  : 'active';
          if (rows.length === 0 && !options.json) console.log('no signing keys yet: the first `palisade start` (or `keys rotate`) creates one');
          if (options.json) console.log(JSON.stringify(rows.map((r) => ({ kid: r.kid, alg: r.alg, state: state(r), createdAt: r.createdAt }))));
          else for (const r of rows) console.log(`${r.kid}  ${r.alg}  ${state(r)}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  keys
    .command('rotate')
    .description('publish a new signing key; it signs after --activate-after, old keys stay published until their tokens expire')
    .addOption(new Option('--alg <alg>', 'algorithm of the new key').choices(['ES256', 'EdDSA']))
    .option('--activate-after <duration>', 'publish first, sign after this long (lets every instance and JWKS cache learn the key)', '1m')
    .action(async (options: { alg?: 'ES256' | 'EdDSA'; activateAfter: string }) => {
      try {
        await withDatabase(async (db, config) => {
          const master = resolveMasterKey(config);
          const accessMs = parseDuration(config.tokens.accessTokenTtl);
          // On a database no server has started on yet there is no key to rotate away from:
          // create the one a first start would, so the rotation is the same on every install.
          await ensureSigningKey(db, master, config.tokens.signingAlg, systemClock);
          const kid = await rotateKeys(db, master, systemClock, {
            alg: options.alg ?? config.tokens.signingAlg,
            activateAfterMs: parseDuration(options.activateAfter),
            retainMs: accessMs + 60_000,
          });
          console.log(`new signing key ${kid}: published now, signs from ${new Date(Date.now() + parseDuration(options.activateAfter)).toISOString()}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  const scim = program.command('scim').description('SCIM provisioning from the company IdP');
  const tokens = scim.command('tokens').description('bearer tokens of provisioning connectors (one per IdP connector)');
  tokens
    .command('create')
    .argument('<name>', 'the connector, e.g. entra or okta (creating an existing name replaces its token)')
    .description('create a token; it is shown once, only its hash is stored')
    .action(async (name: string) => {
      try {
        if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) throw new Error('the name must be 1 to 64 letters, digits, dots, dashes or underscores');
        await withDatabase(async (db) => {
          const token = `pal_scim_${randomId(32)}`;
          await insertScimToken(db, name, hashToken(token));
          console.log(`SCIM token for "${name}" (shown once; enter it as the connector's secret token):\n${token}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  tokens
    .command('list')
    .description('list connectors and when their tokens were last used')
    .action(async () => {
      try {
        await withDatabase(async (db) => {
          for (const t of await listScimTokens(db)) {
            console.log(`${t.name}  created ${t.createdAt.toISOString()}  last used ${t.lastUsedAt?.toISOString() ?? 'never'}${t.revokedAt ? `  REVOKED ${t.revokedAt.toISOString()}` : ''}`);
          }
        });
      } catch (error) {
        fail(error);
      }
    });
  tokens
    .command('revoke')
    .argument('<name>')
    .description('revoke a connector’s token at once')
    .action(async (name: string) => {
      try {
        await withDatabase(async (db) => {
          if (!(await revokeScimToken(db, name))) throw new Error(`no active SCIM token named "${name}"`);
          console.log(`SCIM token "${name}" revoked`);
        });
      } catch (error) {
        fail(error);
      }
    });
  return program;
}
