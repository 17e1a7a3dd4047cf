/** The `palisade` command group incident: contain a compromised account or the whole platform, and release a contained person. */
import { parseDuration } from '../duration.ts';
import { resolveMasterKey } from '../main.ts';
import { systemClock } from '../clock.ts';
import { containAll, containUser, releaseUser, resolveUser } from '../incident/index.ts';
import { Devices, Sessions } from '../sessions/index.ts';
import { openRedisCache, type SharedCache } from '../cache/index.ts';
import { action, asOperator, consoleLog, count } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const incidentCommands: CommandGroup = {
  name: 'incident',
  register(program) {
    const incident = program.command('incident').description('incident response (docs/incident-response.md)');
    incident
      .command('contain')
      .description('contain a compromised account (--user) or the whole platform (--all)')
      .option('--user <who>', 'user id, user name or email: end every session, mark every device wiped, disable the account')
      .option('--all', 'rotate token signing keys now (old keys withdrawn at once) and end every session of everyone')
      .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
      .action(
        action(async (options: { user?: string; all?: boolean; reason: string }) => {
          if (!options.user === !options.all) throw new Error('give exactly one of --user <who> or --all');
          await asOperator(async (db, config, audit) => {
            let cache: SharedCache | undefined;
            // With Redis the revocation feed travels there: the running instances must hear it.
            if (config.redis.url) cache = await openRedisCache(config.redis.url);
            const sessions = new Sessions(db, systemClock, parseDuration(config.tokens.accessTokenTtl), consoleLog, cache, audit);
            const devices = new Devices(db, systemClock, sessions, config.sessions.maxDevices, audit);
            const deps = { db, clock: systemClock, sessions, devices, audit };
            try {
              if (options.user) {
                const userId = await resolveUser(db, options.user);
                const r = await containUser(deps, userId, options.reason);
                console.log(`contained user ${r.userId}: ${count(r.sessionsEnded, 'session')} ended, ${count(r.devicesWiped, 'device')} marked wiped, account ${r.disabled ? 'disabled' : 'was already disabled'}`);
              } else {
                const r = await containAll({ ...deps, master: resolveMasterKey(config), alg: config.tokens.signingAlg }, options.reason);
                console.log(`contained: new signing key ${r.newKid} signs now, old keys withdrawn; ${count(r.sessionsEnded, 'session')} ended`);
                console.log('running instances pick up the new key within 15 s; send them SIGHUP to do it at once');
              }
            } finally {
              await cache?.close();
            }
          });
        }),
      );

    incident
      .command('release')
      .description('re-enable a contained person once they and their IdP account are safe; their devices stay wiped (they enrol again on a fresh install)')
      .requiredOption('--user <who>', 'user id, user name or email')
      .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
      .option('--json', 'machine-readable output')
      .action(
        action(async (options: { user: string; reason: string; json?: boolean }) => {
          if (!options.reason.trim()) throw new Error('--reason must say why');
          await asOperator(async (db, _config, audit) => {
            const r = await releaseUser({ db, audit }, await resolveUser(db, options.user), options.reason);
            if (options.json) console.log(JSON.stringify({ userId: r.userId, disabledSince: r.disabledSince.toISOString(), released: true }));
            else console.log(`released user ${r.userId} (disabled since ${r.disabledSince.toISOString()}): they can sign in again; their devices stay wiped, so they enrol on a freshly installed app`);
          });
        }),
      );
  },
};
