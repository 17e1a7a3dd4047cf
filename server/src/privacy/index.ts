/**
 * The data subject's rights: export everything Palisade holds about a person (with a manifest of
 * counts and digests), erase them (records deleted, job history under a tombstone, the audit trail
 * pseudonymised and still verifiable), and legal holds that refuse erasure.
 */
export { privacyModule, type PrivacyModuleApi } from './module.ts';
export {
  openIncident,
  scopeIncident,
  reportIncident,
  getIncident,
  dueAlerts,
  secondsLeft,
  runningClocks,
  openIncidents,
  type OpenIncident,
  deadlineOf,
  UnknownIncidentError,
  BREACH_ALERTS,
  NOTIFY_WITHIN_MS,
  type Incident,
  type IncidentScope,
  type IncidentReport,
} from './breach.ts';
export { privacyRoutes } from './routes.ts';
export {
  erasePerson,
  exportPerson,
  holdPerson,
  liftHold,
  resolvePerson,
  LegalHoldError,
  UnknownPersonError,
  EXPORT_FORMAT,
  type ErasureResult,
  type PhotoBlobs,
  type PrivacyDeps,
  type SubjectExport,
} from './service.ts';
export { PROCESSING_ACTIVITIES, recordsOfProcessingMarkdown, retentionDefaults, type OpenApiLike } from './records.ts';
