/**
 * The field-service domain: jobs, customers, sites, schedules, locations, reports, photos and
 * export, with its sensitive columns under envelope encryption. In development (or when
 * `demo.seed` says so) an empty domain is filled with demo data.
 */
import type { Clock } from '../../clock.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import type { Database } from '../../db/index.ts';
import type { AuditSink } from '../../audit/index.ts';
import { sensitiveCipher, type MasterKey } from '../../security/index.ts';
import { defineModule } from '../../module.ts';
import { exportRoutes } from './export.ts';
import { openBlobStore } from './photos/blob-config.ts';
import { photoRoutes } from './photos/routes.ts';
import { fieldServiceRoutes } from './routes.ts';
import { seedDemo } from './seed.ts';

export const fieldServiceModule = defineModule({
  name: 'fieldservice',
  dependencies: ['db', 'audit'],
  config: ['demo', 'photos'],
  permissions: [
    'jobs.read', 'jobs.create', 'jobs.assign', 'jobs.status', 'jobs.cancel', 'sites.read', 'customers.read', 'customers.contact', 'customers.create',
    'photos.upload', 'photos.read', 'schedules.read', 'schedules.manage', 'schedules.remove', 'locations.read', 'locations.report',
    'technicians.read', 'technicians.manage', 'reports.read', 'data.export',
  ],
  migrations: ['0012_fieldservice.sql', '0013_data_keys.sql', '0021_photo_blobs.sql'],
  async start({ config, db, audit, clock, master, devIssuer }: { config: ResolvedConfig; db: Database; audit: AuditSink; clock: Clock; master: MasterKey; devIssuer: string }) {
    const cipher = await sensitiveCipher(db, master, audit);
    /** The banner's line about demo data, when the domain is seeded. */
    let demoLine: string | undefined;
    if (config.demo.seed ?? !config.upstream) {
      const seeded = await seedDemo(db, cipher, { devIssuer });
      demoLine = seeded.seeded
        ? `Demo data loaded: ${seeded.jobs} jobs, ${seeded.customers} customers, ${seeded.sites} sites, ${seeded.technicians} technicians in ${seeded.territories} territories`
        : 'Demo data: the domain already holds data, nothing loaded';
    }
    const photos = await openBlobStore(config, db);
    return {
      api: { demoLine },
      async stop() {
        photos.close();
      },
      async routes(app) {
        await app.register(fieldServiceRoutes, { db, audit, cipher });
        await app.register(photoRoutes, { db, audit, blobs: photos.blobs });
        await app.register(exportRoutes, { db, audit, clock, devicePolicy: config.devicePolicy });
      },
    };
  },
});
