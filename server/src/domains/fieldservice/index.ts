/** The field-service domain: jobs, customers, sites, technicians, shifts, locations, photos, reports. */
export { fieldServiceRoutes, fieldServiceProblems, type FieldServiceDeps, type SensitiveCipher } from './routes.ts';
export { exportRoutes, streamJobExport, csvCell, JOB_EXPORT_COLUMNS, type ExportDeps } from './export.ts';
export { ENCRYPTED_COLUMNS, encryptionContext, forbiddenDataIn, refuseForbiddenData, type Classification } from './classification.ts';
export { TRANSITIONS, JOB_STATUSES, type Scoping } from './store.ts';
export { seedDemo, DEMO_TERRITORIES, DEMO_PROJECTS, DEMO_DEPARTMENTS, type SeedResult } from './seed.ts';
export { photoRoutes, PHOTO_LIMITS, type PhotoRoutesDeps } from './photos/routes.ts';
export { FileBlobStore, type BlobStore } from './photos/blob-store.ts';
export { reencryptSensitive } from './reencrypt.ts';
export { fieldServiceModule } from './module.ts';
