/**
 * @palisade/client, platform-neutral core: `PalisadeClient`, `PalisadeError`, the platform
 * interfaces and the document helpers. The platform entry points (`@palisade/client` under the
 * node, browser and react-native conditions) add their adapters.
 */
export { PalisadeClient, DEFAULT_SCOPE, DEFAULT_IDLE_TIMEOUT_MS, isNetworkError } from './client.ts';
export type { PalisadeClientOptions, SessionState, StateReason, StepUpRequest, StepUpContext, ResumableCall, SignInResult, ErasableStore, CallInit, SignInOptions } from './client.ts';
export { PalisadeError, PROBLEM_BASE, SERVER_CODES, SDK_CODES, problemSlug } from './errors.ts';
export type { PalisadeErrorCode, ServerCode, SdkCode, Problem } from './errors.ts';
export type { DeviceKey, DeviceSigner, HardwareDeviceKey, AnyDeviceKey, SecureStore, Platform, DeviceDescription, PostureFacts, DevicePostureFacts, WebPostureFacts } from './platform.ts';
export { SignerDPoP, signCompact, keyOf, type SigningKeyRef } from './keys.ts';
export { signRequest, contentDigest, signingKeyOf, SIGNED_COMPONENTS, SIGNATURE_ALG } from './signature.ts';
export type { SigningKey, SignInput } from './signature.ts';
export {
  signPosture,
  signCommandAck,
  signUnlockProof,
  verifyServerDocument,
  publicJwk,
  thumbprint,
  POSTURE_HEADER,
  POSTURE_TYP,
  COMMAND_TYP,
  COMMAND_ACK_TYP,
  UNLOCK_TYP,
  PINS_TYP,
  APP_CONFIG_TYP,
} from './documents.ts';
export type { DeviceCommand, PinsDocument, AppConfig } from './documents.ts';
export { verifyPins, type VerifiedPins } from './pins.ts';
export { memoryDeviceKey, memorySecureStore } from './memory.ts';
export { createApiClient, type PalisadeApi, type paths } from './api/client.ts';
export { OfflineStore, offlinePolicy, refusedFields, type OfflineBackend, type OfflinePolicy, type OfflineStoreOptions } from './offline.ts';
