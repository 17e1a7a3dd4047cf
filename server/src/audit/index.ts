/**
 * The audit trail: every security-relevant event as one write-once record, committed with the
 * change it describes, linked into a SHA-256 hash chain with Ed25519-signed checkpoints, exported
 * to archives that verify offline, watched by monitoring rules. Other modules use `AuditSink`.
 */
export type { AuditActor, AuditEvent, AuditOutcome, StoredAuditEvent } from './event.ts';
export { AuditTrail, noAudit, type AuditSink, type AuditListener } from './trail.ts';
export { requestContext, currentContext, type RequestContext } from '../request-context.ts';
export { Sealer, chainHead, asRole, sealerLag } from './sealer.ts';
export { auditRoutes } from './routes.ts';
export { searchAudit, type AuditFilter } from './search.ts';
export { loadCheckpointSigner, publicAuditKeys, type CheckpointSigner, type PublicKeySet } from './keys.ts';
export { verifyDatabase, verifyDetail, type VerifyReport } from './verify.ts';
export { readAnchor, newestLoggedCheckpoint } from './anchor.ts';
export { exportArchive, verifyArchive, purgeArchived } from './archive.ts';
export { exportRange, verifyBundle, parseBundle, BUNDLE_FORMAT, RANGE_MAX_RECORDS, type ArchiveBundle } from './range-export.ts';
export { redact, redactForLog, difference, isSecretName, REDACTED } from '../security/index.ts';
export { auditModule, type AuditModuleApi } from './module.ts';
export { MonitoringSchema, monitoringProblems, type Alert, type AlertSeverity, type MonitoringConfig } from './monitor.ts';
export { eraseSubject, pseudonymOf, type SubjectErasure } from './subjects.ts';
