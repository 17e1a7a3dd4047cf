/**
 * Device trust: every token decision takes the device into account. The app's posture
 * report (signed with its DPoP key, fresh, single-use) is combined with the MDM's facts, which
 * win, and judged by the app's policy for corporate or BYOD devices; out of policy, no tokens.
 * Tokens say the device's ownership and compliance; managed configuration is signed for offline use.
 */
export { POSTURE_ALGS, POSTURE_HEADER, POSTURE_MAX_AGE_S, POSTURE_TYP, PostureError, verifyPosture, type DevicePostureReport, type PosturePlatform, type PostureRefusal, type PostureReport, type ReportPlatform, type WebPostureReport } from './posture/report.ts';
export {
  DEFAULT_RULES,
  assertExportAllowed,
  combineFacts,
  compareVersions,
  devicePolicyProblem,
  evaluate,
  exportNotAllowedOnByod,
  isBrowserClient,
  platformsOf,
  ownershipOf,
  relaxedPostureWarnings,
  rulesFor,
  type Decision,
  type DeviceFacts,
  type DevicePolicyConfig,
  type ExportCaller,
  type Ownership,
  type Rules,
  type RulesInput,
  type Violation,
} from './posture/compliance.ts';
export { DeviceCommands, DeviceCommandError, type CommandFilter } from './commands/service.ts';
export { DeviceTrust, noMdm, type DeviceCheck, type DeviceClaims, type DeviceTrustOptions, type MdmView, type TokenRequestFacts } from './trust.ts';
export { APP_CONFIG_LIFETIME_S, APP_CONFIG_PATH, APP_CONFIG_TYP, appConfigRoutes, type AppConfigClaims, type AppConfigDeps } from './app-config.ts';
export { MdmSchema } from './mdm/config.ts';
export { mdmConfigProblems, type MdmConfig } from './mdm/adapters.ts';
export { relaxedPosture } from './posture/compliance.ts';
export { devicesModule, type DevicesModuleApi } from './module.ts';
