/**
 * How an app's report maps to an MDM device: the app reads `palisadeMdmDeviceId` from its
 * managed app configuration (the MDM fills it with its own device id) and sends it at sign-in;
 * the inventory is keyed by the same id. The id is an identifier, not a secret, so the binding
 * also requires the MDM's user to be the person signing in and, where the MDM holds one, the
 * enrollment token the app presents (compared in constant time).
 */
import { constantTimeEqual } from '../../security/index.ts';
import type { MdmDeviceState, MdmPlatform, MdmVendor } from './types.ts';

/** The managed app configuration key the app reads its MDM device id from. */
export const APPCONFIG_DEVICE_ID_KEY = 'palisadeMdmDeviceId';
/** The managed app configuration key naming which MDM filled it (`intune`, `jamf`, `workspaceone`). */
export const APPCONFIG_VENDOR_KEY = 'palisadeMdmVendor';
/** The optional key holding a per-device Palisade enrollment token (Jamf extension attribute). */
export const APPCONFIG_ENROLLMENT_TOKEN_KEY = 'palisadeEnrollmentToken';

/**
 * One spelling per device id, applied to the inventory and to what the app reports: Intune ids
 * are GUIDs (lower case), Jamf and Workspace ONE UDIDs are hex (upper case). Undefined for a
 * value that cannot be a device id of that vendor (so it never matches anything).
 */
export function normalizeMdmDeviceId(vendor: MdmVendor, id: string): string | undefined {
  const trimmed = id.trim();
  if (trimmed === '' || trimmed.length > 128 || !/^[A-Za-z0-9._:-]+$/.test(trimmed)) return undefined;
  // An unexpanded variable means the MDM policy is wrong, not a device: never match it.
  if (/^(\{\{.*\}\}|\$[A-Z_]+|\{[A-Za-z]+\})$/.test(trimmed)) return undefined;
  return vendor === 'intune' ? trimmed.toLowerCase() : trimmed.toUpperCase();
}

export function normalizePlatform(value: string | undefined): MdmPlatform {
  const os = (value ?? '').toLowerCase();
  if (/^(ios|ipados|iphone|ipad|ipod|apple)\b/.test(os) || os === 'appleios') return 'ios';
  if (os.startsWith('android')) return 'android';
  if (/^(macos|mac os|osx|appleosx|macmdm|mac)\b/.test(os)) return 'macos';
  if (os.startsWith('windows') || os.startsWith('winrt') || os === 'win') return 'windows';
  return 'other';
}

export type BindingRefusal = 'unknown-device' | 'not-managed' | 'user-mismatch' | 'token-mismatch' | 'platform-mismatch';

export interface BindingClaim {
  /** The person signing in, as the company IdP names them (UPN or e-mail). */
  user: string;
  /** `device_platform` from the authorization request, when the app sent it. */
  platform?: MdmPlatform;
  /** `palisadeEnrollmentToken` from the app's managed configuration, when present. */
  enrollmentToken?: string;
}

/**
 * Whether an app's claimed MDM device may be bound to this sign-in. `state` is the stored
 * inventory entry for the normalised id (undefined when the MDM does not know it).
 */
export function checkDeviceBinding(state: MdmDeviceState | undefined, claim: BindingClaim): { ok: true } | { ok: false; refusal: BindingRefusal } {
  if (!state) return { ok: false, refusal: 'unknown-device' };
  if (!state.managed) return { ok: false, refusal: 'not-managed' };
  // Someone who learnt a colleague's device id must not inherit that device's compliance.
  if (state.user !== undefined && state.user.trim().toLowerCase() !== claim.user.trim().toLowerCase()) return { ok: false, refusal: 'user-mismatch' };
  if (state.enrollmentToken !== undefined && (claim.enrollmentToken === undefined || !constantTimeEqual(state.enrollmentToken, claim.enrollmentToken))) {
    return { ok: false, refusal: 'token-mismatch' };
  }
  if (claim.platform !== undefined && state.platform !== 'other' && claim.platform !== state.platform) return { ok: false, refusal: 'platform-mismatch' };
  return { ok: true };
}
