/** The `palisade` command group demo seed: the field-service demo dataset (development and trials). */
import { resolveMasterKey, sensitiveCipher } from '../main.ts';
import { seedDemo } from '../domains/fieldservice/index.ts';
import { DEV_IDP_PATH } from '../oauth/index.ts';
import { withProgress } from '../progress.ts';
import { action, count, withDatabase } from './shared.ts';
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
  },
};
