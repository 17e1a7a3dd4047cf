/**
 * The common model every MDM adapter speaks: one device's state as its MDM reports it, the
 * changes a notification announces, and the adapter interface the server drives (scheduled
 * inventory sync, notification ingestion). Vendor quirks stay in the vendor's file.
 */
import { PalisadeError } from '../../errors/index.ts';

export type MdmVendor = 'intune' | 'jamf' | 'workspaceone';
export const MDM_VENDORS: readonly MdmVendor[] = ['intune', 'jamf', 'workspaceone'];

export type MdmPlatform = 'ios' | 'android' | 'macos' | 'windows' | 'other';

/** One device as its MDM sees it. `undefined` always means "the MDM does not know", never "no". */
export interface MdmDeviceState {
  vendor: MdmVendor;
  /**
   * The vendor's device id that the MDM pushes to the app as `palisadeMdmDeviceId` (Intune
   * `{{deviceid}}`, Jamf `$UDID`, Workspace ONE `{DeviceUid}`), normalised by
   * `normalizeMdmDeviceId` so the app's report and the inventory compare equal.
   */
  mdmDeviceId: string;
  /** A Palisade enrollment token the MDM holds for the device, when the vendor exposes it (Jamf extension attribute). */
  enrollmentToken?: string;
  serial?: string;
  platform: MdmPlatform;
  osVersion: string;
  model?: string;
  /** Enrolled and under management now (not retired, wiped, unenrolled or pending one of those). */
  managed: boolean;
  compliant: boolean | undefined;
  jailbroken: boolean | undefined;
  passcodeSet?: boolean;
  lastSeen?: Date;
  /** The device's user as the MDM knows them: UPN or e-mail address. */
  user?: string;
}

/**
 * What one notification says about one device. `observed` holds only what the notification
 * itself carries: a field it does not mention is absent, so merging it into a stored state
 * never erases what the inventory sync learned.
 */
export interface MdmDeviceChange {
  vendor: MdmVendor;
  mdmDeviceId: string;
  /** The vendor's event name (`MobileDeviceCheckIn`, `Compliance Status Changed`, Graph `updated`), for the audit trail. */
  event: string;
  occurredAt?: Date;
  observed: Partial<Omit<MdmDeviceState, 'vendor' | 'mdmDeviceId'>>;
  /** The notification names the device but carries no state: read it (`adapter.getDevice`) or wait for the next sync. */
  refresh: boolean;
  /** The device left management (unenrolled, retired, wiped, deleted): treat it as unmanaged at once. */
  removed: boolean;
}

/** An incoming notification as the HTTP layer received it: lower-case header names, the exact body bytes. */
export interface MdmWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Uint8Array | string;
  /** The query string (Graph's subscription handshake sends `validationToken` there). */
  query?: URLSearchParams;
}

/** Why a notification was refused. `credentials-*` answer 401, `body-malformed` 400. */
export type WebhookRefusalCode = 'credentials-missing' | 'credentials-invalid' | 'body-malformed';

export type WebhookVerdict = { ok: true } | { ok: false; code: WebhookRefusalCode; detail: string };

/** A reply the route sends as is, instead of processing a notification (Graph's validation handshake). */
export interface WebhookHandshake {
  status: 200;
  contentType: 'text/plain';
  body: string;
}

export interface MdmAdapter {
  readonly vendor: MdmVendor;
  /** Every device, page by page as the vendor pages, retrying 429 and 5xx answers per page. */
  listDevices(signal?: AbortSignal): AsyncIterable<MdmDeviceState>;
  /** One device by its `mdmDeviceId`, for notifications that carry no state (`change.refresh`). */
  getDevice?(mdmDeviceId: string, signal?: AbortSignal): Promise<MdmDeviceState | undefined>;
  /** Answers a subscription handshake, when the request is one; the route then replies with it and stops. */
  handshake?(request: MdmWebhookRequest): WebhookHandshake | undefined;
  /** Checks the notification's credentials (in constant time) before anything reads it. */
  verifyWebhook(request: MdmWebhookRequest): WebhookVerdict;
  /** The device changes a verified notification announces; throws MdmError `webhook-malformed`. */
  parseWebhook(rawBody: Uint8Array | string): MdmDeviceChange[];
}

export type MdmErrorCode =
  | 'token-refused'
  | 'http-status'
  | 'rate-limited'
  | 'network'
  | 'response-malformed'
  | 'foreign-next-link'
  | 'webhook-malformed'
  | 'aborted';

/**
 * A failed MDM call or unreadable notification: `reason` is what callers branch on (and what audit
 * records and logs say), `code` the same in the one spelling (`ERR_MDM_TOKEN_REFUSED`). Messages
 * name the endpoint and status, never a token, secret or response body.
 */
export class MdmError extends PalisadeError<`ERR_MDM_${string}`> {
  readonly reason: MdmErrorCode;
  readonly vendor: MdmVendor;
  readonly status: number | undefined;
  constructor(vendor: MdmVendor, reason: MdmErrorCode, message: string, status?: number) {
    super(`ERR_MDM_${reason.replace(/-/g, '_').toUpperCase()}`, message);
    this.name = 'MdmError';
    this.reason = reason;
    this.vendor = vendor;
    this.status = status;
  }
}

/**
 * Adds what a vendor's record says about serial, model, last check-in and user, leaving out what
 * it does not say (absent, never empty: `undefined` means unknown throughout this model).
 */
export function withDetails(state: MdmDeviceState, details: { serial?: string | undefined; model?: string | undefined; lastSeen?: Date | undefined; user?: string | undefined }): MdmDeviceState {
  if (details.serial) state.serial = details.serial;
  if (details.model) state.model = details.model;
  if (details.lastSeen) state.lastSeen = details.lastSeen;
  if (details.user) state.user = details.user;
  return state;
}
