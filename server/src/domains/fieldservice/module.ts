/**
 * The field-service domain: jobs, customers, sites, schedules, locations, reports, photos and
 * export, with its sensitive columns under envelope encryption. In development (or when
 * `demo.seed` says so) an empty domain is filled with demo data.
 */
import type { Clock } from '../../clock.ts';
import type { ResolvedConfig } from '../../config/index.ts';
import type { Database } from '../../db/index.ts';
import type { AuditSink } from '../../audit/index.ts';
import { PersonKeys, sensitiveCipher, type MasterKey } from '../../security/index.ts';
import type { Logger } from 'pino';
import { sealPersonalData } from './personal.ts';
import type { BlobStore } from './photos/blob-store.ts';
import { defineModule } from '../../module.ts';
import { exportRoutes } from './export.ts';
import { openBlobStore } from './photos/blob-config.ts';
import { photoRoutes } from './photos/routes.ts';
import { fieldServiceRoutes, type SensitiveCipher } from './routes.ts';
import { seedDemo } from './seed.ts';

export interface FieldServiceApi {
  /** The banner's line about demo data, when the domain is seeded. */
  demoLine: string | undefined;
  /** The per-person keys positions and photos are sealed under (the privacy module erases with them). */
  personKeys: PersonKeys;
  /** The configured photo blob store. */
  photos: BlobStore;
  /** The cipher of the sensitive columns (the privacy module's erasure edits encrypted free text). */
  cipher: SensitiveCipher;
}

export const fieldServiceModule = defineModule({
  name: 'fieldservice',
  dependencies: ['db', 'audit'],
  config: ['demo', 'photos'],
  permissions: [
    'jobs.read', 'jobs.create', 'jobs.assign', 'jobs.status', 'jobs.cancel', 'sites.read', 'customers.read', 'customers.contact', 'customers.create',
    'photos.upload', 'photos.read', 'schedules.read', 'schedules.manage', 'schedules.remove', 'locations.read', 'locations.report',
    'technicians.read', 'technicians.manage', 'reports.read', 'data.export',
  ],
  migrations: ['0012_fieldservice.sql', '0013_data_keys.sql', '0021_photo_blobs.sql', '0023_person_keys.sql'],
  async start({ config, db, audit, clock, master, log, devIssuer }: { config: ResolvedConfig; db: Database; audit: AuditSink; clock: Clock; master: MasterKey; log: Logger; devIssuer: string }) {
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
    const personKeys = new PersonKeys({ db, master, clock });
    let sealing: Promise<unknown> = Promise.resolve();
    const api: FieldServiceApi = { demoLine, personKeys, photos: photos.blobs, cipher };
    return {
      api,
      serve() {
        // Positions and photos written before per-person keys are sealed in the background:
        // instances may run this together (rows are claimed with SKIP LOCKED).
        sealing = sealPersonalData(db, personKeys, photos.blobs)
          .then((sealed) => {
            if (sealed.locations || sealed.photos || sealed.photosSkipped) log.info({ event: 'personal_data.sealed', ...sealed }, 'older positions and photos sealed under their person keys');
          })
          .catch((err: unknown) => log.error({ event: 'personal_data.seal_failed', err }, 'sealing older positions and photos failed; the next start (or palisade privacy seal) tries again'));
      },
      async stop() {
        await sealing;
        photos.close();
      },
      async routes(app) {
        await app.register(fieldServiceRoutes, { db, audit, cipher, personKeys });
        await app.register(photoRoutes, { db, audit, blobs: photos.blobs, personKeys });
        await app.register(exportRoutes, { db, audit, clock, devicePolicy: config.devicePolicy });
      },
    };
  },
});
