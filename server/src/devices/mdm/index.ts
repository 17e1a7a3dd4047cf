/**
 * MDM adapters: Microsoft Intune, Jamf Pro and Workspace ONE UEM report each device's
 * management, compliance and jailbreak state in one model; inventory syncs page through the
 * vendor's API with bounded retries, and notifications are accepted only with the vendor's
 * credentials, checked in constant time. No HTTP routes or storage here: the server wires them.
 */
export { MDM_VENDORS, MdmError, type MdmAdapter, type MdmDeviceChange, type MdmDeviceState, type MdmErrorCode, type MdmPlatform, type MdmVendor, type MdmWebhookRequest, type WebhookHandshake, type WebhookRefusalCode, type WebhookVerdict } from './types.ts';
export { abortableSleep, parseRetryAfter, type MdmHttpOptions } from './http.ts';
export { verifyBasicAuth, verifyHeaderSecret, type BasicCredentials, type HeaderSecret } from './webhook-auth.ts';
export {
  APPCONFIG_DEVICE_ID_KEY,
  APPCONFIG_ENROLLMENT_TOKEN_KEY,
  APPCONFIG_VENDOR_KEY,
  checkDeviceBinding,
  normalizeMdmDeviceId,
  normalizePlatform,
  type BindingClaim,
  type BindingRefusal,
} from './binding.ts';
export { INTUNE_SELECT, IntuneAdapter, intuneCompliance, intuneJailbroken, mapIntuneDevice, type IntuneConfig } from './intune.ts';
export { JAMF_SECTIONS, JamfAdapter, mapJamfMobileDevice, type JamfApiAuth, type JamfConfig, type JamfWebhookAuth } from './jamf.ts';
export { WorkspaceOneAdapter, mapWorkspaceOneDevice, workspaceOneCompliance, workspaceOneCompromised, workspaceOneDate, type WorkspaceOneApiAuth, type WorkspaceOneConfig } from './workspaceone.ts';
export { syncInventory, type SyncOptions, type SyncReport } from './sync.ts';
