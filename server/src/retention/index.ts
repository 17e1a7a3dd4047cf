/**
 * Retention: records past their configured age (ended sessions and devices, closed jobs' history
 * and photos, the location trail, replay state) are purged on a schedule, by one instance at a
 * time, in batches, audited as `retention.purge`, counted in /metrics.
 */
export { retentionModule, retentionPolicy, type RetentionModuleApi } from './module.ts';
export { Retention, RETENTION_LOCK, type RetentionPolicy, type PurgeRun } from './service.ts';
export { RETENTION_KINDS, type RetentionKind } from './store.ts';
