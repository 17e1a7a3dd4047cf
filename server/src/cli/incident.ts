/**
 * The `palisade` command group incident: contain a compromised account or the whole platform, release a
 * contained person, and the personal-data breach workflow (open the 72-hour clock, scope, report).
 */
import { resolveMasterKey } from '../main.ts';
import { systemClock } from '../clock.ts';
import { containAll, containUser, releaseUser, resolveUser } from '../incident/index.ts';
import { Devices } from '../sessions/index.ts';
import { openRedisCache, type SharedCache } from '../cache/index.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deadlineOf, openIncident, reportIncident, scopeIncident } from '../privacy/index.ts';
import { action, asOperator, count, timeOf } from './shared.ts';
import type { CommandGroup } from './registry.ts';
import { operatorSessions } from './sessions.ts';

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
            const sessions = operatorSessions(db, config, { ...(cache ? { cache } : {}), audit });
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

    const date = (what: string) => (value: string) => {
      const at = new Date(value);
      if (Number.isNaN(at.getTime())) throw new Error(`${what} must be a date (ISO 8601), not "${value}"`);
      return at;
    };

    incident
      .command('open')
      .description('record a personal-data breach and start the 72-hour clock for notifying the supervisory authority (GDPR Art. 33)')
      .requiredOption('--summary <text>', 'what happened, in the words the notification will use')
      .option('--detected-at <date>', 'when it was detected (ISO 8601; default: now): the clock runs from here')
      .option('--json', 'machine-readable output')
      .action(
        action(async (options: { summary: string; detectedAt?: string; json?: boolean }) => {
          if (!options.summary.trim()) throw new Error('--summary must say what happened');
          const detectedAt = options.detectedAt ? date('--detected-at')(options.detectedAt) : undefined;
          await asOperator(async (db, _config, audit) => {
            const i = await openIncident({ db, audit, clock: systemClock }, { summary: options.summary, ...(detectedAt ? { detectedAt } : {}), openedBy: `cli:${os.userInfo().username}` });
            const by = deadlineOf(i);
            if (options.json) console.log(JSON.stringify({ id: i.id, detectedAt: new Date(i.detectedAt).toISOString(), notifyBy: by.toISOString() }));
            else console.log(`incident ${i.id} opened: detected ${timeOf(i.detectedAt)}, notify the supervisory authority by ${timeOf(by)}; alerts at 48 h and 68 h`);
          });
        }),
      );

    incident
      .command('scope')
      .description('what a user, session, app or address read or changed in a window, from the audit trail: people and records per data category')
      .option('--incident <id>', 'the incident (default: the newest open one)')
      .option('--user <id>').option('--session <id>').option('--app <id>').option('--ip <address>')
      .requiredOption('--from <date>', 'start of the window (ISO 8601)')
      .requiredOption('--to <date>', 'end of the window (ISO 8601)')
      .option('--json', 'machine-readable output')
      .action(
        action(async (options: { incident?: string; user?: string; session?: string; app?: string; ip?: string; from: string; to: string; json?: boolean }) => {
          const filter = {
            ...(options.user ? { userId: options.user } : {}),
            ...(options.session ? { sessionId: options.session } : {}),
            ...(options.app ? { appId: options.app } : {}),
            ...(options.ip ? { ip: options.ip } : {}),
            from: date('--from')(options.from),
            to: date('--to')(options.to),
          };
          await asOperator(async (db, _config, audit) => {
            const scope = await scopeIncident({ db, audit, clock: systemClock }, options.incident, filter);
            if (options.json) {
              console.log(JSON.stringify(scope));
              return;
            }
            console.log(`${count(scope.events, 'audit record')} in scope${scope.truncated ? ' (stopped at the limit: counts are a lower bound)' : ''}; ${count(scope.people.length, 'person', 'people')} concerned`);
            for (const c of scope.categories) console.log(`  ${c.category}: ${c.recordsRead} read, ${c.recordsChanged} changed, ${c.refused} refused`);
            console.log('the report (palisade incident report) uses this scope');
          });
        }),
      );

    incident
      .command('report')
      .description('write the regulator notification draft (Art. 33) and the list of people to notify (Art. 34), in Markdown and JSON')
      .option('--incident <id>', 'the incident (default: the newest open one)')
      .requiredOption('--contact <text>', 'the contact point for the authority (the DPO)')
      .option('--measures <text>', 'the measures taken or proposed (kept with the incident)')
      .option('--notified-at <date>', 'when the authority was notified: stops the clock')
      .requiredOption('--out <dir>', 'folder for notification.md, notification.json, people.md, people.json (owner-only files)')
      .action(
        action(async (options: { incident?: string; contact: string; measures?: string; notifiedAt?: string; out: string }) => {
          const notifiedAt = options.notifiedAt ? date('--notified-at')(options.notifiedAt) : undefined;
          await asOperator(async (db, _config, audit) => {
            const r = await reportIncident({ db, audit, clock: systemClock }, options.incident, { contact: options.contact, ...(options.measures ? { measures: options.measures } : {}), ...(notifiedAt ? { notifiedAt } : {}) });
            await mkdir(options.out, { recursive: true, mode: 0o700 });
            // The list of people is personal data itself: readable by the operator only.
            await writeFile(path.join(options.out, 'notification.md'), r.markdown, { mode: 0o600 });
            await writeFile(path.join(options.out, 'notification.json'), `${JSON.stringify(r.json, null, 2)}\n`, { mode: 0o600 });
            await writeFile(path.join(options.out, 'people.md'), r.peopleMarkdown, { mode: 0o600 });
            await writeFile(path.join(options.out, 'people.json'), `${JSON.stringify(r.peopleJson, null, 2)}\n`, { mode: 0o600 });
            console.log(`wrote the notification draft and the list of ${count(r.peopleJson.length, 'person', 'people')} to notify to ${options.out}`);
          });
        }),
      );
  },
};
