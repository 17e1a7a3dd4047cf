/** The field-service domain: jobs, customers, sites, technicians, shifts, locations, photos, reports. */
export { fieldServiceRoutes, fieldServiceProblems, type FieldServiceDeps, type SensitiveCipher } from './routes.ts';
export { exportRoutes, streamJobExport, csvCell, JOB_EXPORT_COLUMNS, type ExportDeps } from './export.ts';
export { ENCRYPTED_COLUMNS, encryptionContext, forbiddenDataIn, refuseForbiddenData, type Classification } from './classification.ts';
export { TRANSITIONS, JOB_STATUSES, type Scoping } from './store.ts';
export { seedDemo, DEMO_TERRITORIES, DEMO_PROJECTS, DEMO_DEPARTMENTS, type SeedResult } from './seed.ts';
export { photoRoutes, PHOTO_LIMITS, type PhotoRoutesDeps } from './photos/routes.ts';
export { FileBlobStore, FallbackBlobStore, type BlobStore } from './photos/blob-store.ts';
export { DatabaseBlobStore } from './photos/database-blob-store.ts';
export { S3BlobStore } from './photos/s3-blob-store.ts';
export { blobStoreKind, openBlobStore, type BlobStoreKind, type ConfiguredBlobStore } from './photos/blob-config.ts';
export { reencryptSensitive } from './reencrypt.ts';
export { fieldServiceModule, type FieldServiceApi } from './module.ts';
export { FREE_TEXT_COLUMNS, redactPersonInFreeText, redactText } from './free-text.ts';
export { openPosition, openPhoto, sealPersonalData, locationContext, photoContext, type Position, type SealingResult } from './personal.ts';
export type { StoredLocationRow } from './store.ts';
