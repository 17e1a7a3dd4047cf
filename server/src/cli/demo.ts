/** The `palisade` command group demo seed: the field-service demo dataset (development and trials). */
import { resolveMasterKey, sensitiveCipher } from '../main.ts';
import { seedDemo } from '../domains/fieldservice/index.ts';
import { DEMO_PEOPLE, DEV_IDP_PATH, DEV_ROLE_MAPPING } from '../oauth/index.ts';
import { AppKeys } from '../apisec/index.ts';
import { systemClock } from '../clock.ts';
import { withProgress } from '../progress.ts';
import { action, asOperator, count, withDatabase } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const demoCommands: CommandGroup = {
  name: 'demo',
  register(program) {
    const demo = program.command('demo').description('the field-service demo dataset (development and trials)');
    demo
      .command('seed')
      .description('load the demo territories, customers, technicians and jobs into an empty field-service domain')
      .option('--jobs <n>', 'how many jobs', '400')
      .action(
        action(async (options: { jobs: string }) => {
          const jobs = Number(options.jobs);
          if (!Number.isInteger(jobs) || jobs < 12 || jobs > 1_000_000) throw new Error('--jobs must be a whole number from 12 to 1000000');
          await withDatabase(async (db, config) => {
            if (config.production) throw new Error('the demo dataset is refused in production: it invents customers and jobs');
            const cipher = await sensitiveCipher(db, resolveMasterKey(config));
            const r = await withProgress('seeding', 'jobs', {}, (onProgress) => seedDemo(db, cipher, { devIssuer: `${config.publicUrl}${DEV_IDP_PATH}`, jobs, onProgress }));
            console.log(r.seeded ? `demo data loaded: ${count(r.jobs, 'job')}, ${count(r.customers, 'customer')}, ${count(r.sites, 'site')}, ${count(r.technicians, 'technician')} in ${count(r.territories, 'territory', 'territories')}` : 'the field-service domain already has data: nothing loaded');
          });
        }),
      );
    demo
      .command('testers')
      .description('a penetration tester’s set-up on a non-production instance: the development IdP’s people (one per role) and an app key for a test app (docs/pentest.md)')
      .option('--app <id>', 'the app (clients[].id) the testers’ key is for (default: the first configured app)')
      .option('--expires-in-days <n>', 'the key stops working after this many days', '30')
      .action(
        action(async (options: { app?: string; expiresInDays: string }) => {
          const days = Number(options.expiresInDays);
          if (!Number.isInteger(days) || days < 1 || days > 90) throw new Error('--expires-in-days must be a whole number from 1 to 90');
          await asOperator(async (db, config, audit) => {
            // Refused before anything is made: the testers' people sign in at the development IdP,
            // which production never runs, and their key would be a standing way into a live API.
            if (config.production) throw new Error('refused in production: a tester set-up belongs on a non-production instance (docs/pentest.md)');
            if (config.upstream) throw new Error('this instance signs in through the company IdP (upstream), not the development IdP: create the test accounts there, one per role (docs/pentest.md)');
            const app = options.app ?? config.clients[0]?.id;
            if (!app) throw new Error('no app is configured (clients[]): configure one for the testers first');
            const keys = new AppKeys({ db, clock: systemClock, master: resolveMasterKey(config), apps: config.clients.map((c) => c.id), audit });
            const { key, view } = await keys.create(app, { name: `penetration test ${new Date().toISOString().slice(0, 10)}`, expiresInMs: days * 86_400_000 });
            const roleOf = (groups: readonly string[]) => Object.entries(DEV_ROLE_MAPPING).find(([, g]) => g.some((x) => groups.includes(x)))?.[0] ?? 'none (refused)';
            console.log(`tester set-up on ${config.publicUrl} (not production)`);
            console.log(`sign in at the development IdP (${config.publicUrl}${DEV_IDP_PATH}) as one of these; no password, pick the person:`);
            for (const p of DEMO_PEOPLE) console.log(`  ${roleOf(p.groups).padEnd(16)} ${p.email.padEnd(26)} ${p.summary}`);
            console.log(`app key ${view.id} for "${app}", expires ${view.expiresAt ? new Date(view.expiresAt).toISOString() : 'never'} (shown once; send it as the palisade-app-key header):`);
            console.log(key);
            console.log(`revoke it when the test ends: palisade apps keys revoke ${app} ${view.id}`);
          });
        }),
      );
  },
};
