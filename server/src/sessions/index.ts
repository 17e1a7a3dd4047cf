/**
 * Sessions: one SSO login on one device (one OAuth grant). A revoked session's access tokens
 * fail at once although they are still within their lifetime; its refresh tokens are gone.
 */
export { Sessions, type RevocationReason, type SessionEnding } from './service.ts';
export type { Session, SessionView } from './store.ts';
export { sessionRoutes } from './routes.ts';
export { SessionActivity, type ActivityState } from './activity.ts';
export { adminSessionRoutes, type AdminAuditEvent } from './admin-routes.ts';
export { Devices, type Device, type DeviceDescription, type DeviceState } from './devices.ts';
export { SessionUnlock, parseUnlockKey, UNLOCK_PROOF_TYP, type UnlockOutcome } from './unlock.ts';
export { sessionsModule, type SessionsModuleApi } from './module.ts';
export { liveSessionIds, listDevices, listSessions, sessionOverview, type DeviceListFilter, type SessionListFilter, type SessionOverview } from './store.ts';
export {
  attestedKeyOf,
  deleteDevicesOfUser,
  dropDeviceUnlockKeys,
  lockDeviceSessions,
  liveSessionIdsOfDevice,
  markDeviceLocked,
  purgeEndedDevices,
  recordCompliance,
  recordedPosture,
  sessionDeviceCompliance,
  storeAttestedKey,
  type ComplianceRecord,
  type DeviceKey,
  type RecordedPosture,
} from './devices-store.ts';
