/**
 * Jamf Pro: mobile devices from `GET /api/v2/mobile-devices/detail` (sections GENERAL, HARDWARE,
 * SECURITY, USER_AND_LOCATION), paged by `page` / `page-size` against `totalCount`, with an API
 * client's token (`POST /api/oauth/token`, client credentials, Jamf Pro 10.49+) or, for older
 * servers, a user's (`POST /api/v1/auth/token` with Basic). Webhooks are authenticated the way
 * the webhook's "Authentication Type" is set in Jamf Pro: Basic, or a header and its value;
 * both compared in constant time.
 */
import { normalizeMdmDeviceId, normalizePlatform } from './binding.ts';
import { authorizedGet, basicAuthorization, clientCredentialsToken, date, isObject, joinUrl, parseJsonBody, requestJson, resolveHttp, str, TokenCache, type BearerToken, type MdmHttpOptions, type ResolvedHttp } from './http.ts';
import { assertStrongSecret, verifyBasicAuth, verifyHeaderSecret, type BasicCredentials, type HeaderSecret } from './webhook-auth.ts';
import { MdmError, withDetails, type MdmAdapter, type MdmDeviceChange, type MdmDeviceState, type MdmWebhookRequest, type WebhookVerdict } from './types.ts';

export type JamfApiAuth =
  /** An API client (Settings › API roles and clients) with the privilege "Read Mobile Devices". */
  | { type: 'client-credentials'; clientId: string; clientSecret: string }
  /** A standard Jamf Pro account: the older way, for servers before 10.49. */
  | { type: 'basic'; username: string; password: string };

export type JamfWebhookAuth = ({ type: 'basic' } & BasicCredentials) | ({ type: 'header' } & HeaderSecret);

export interface JamfConfig {
  /** The Jamf Pro server, e.g. `https://example.jamfcloud.com`. */
  baseUrl: string;
  auth: JamfApiAuth;
  webhookAuth: JamfWebhookAuth;
  /** Default 100 (Jamf's own default). */
  pageSize?: number;
  /**
   * The name of a mobile device extension attribute holding the device's Palisade enrollment
   * token, when the administrator keeps one there; it becomes `enrollmentToken`.
   */
  enrollmentTokenAttribute?: string;
  http?: MdmHttpOptions;
}

export const JAMF_SECTIONS = ['GENERAL', 'HARDWARE', 'SECURITY', 'USER_AND_LOCATION'] as const;

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * The user as an address the company IdP would also use: the e-mail address, or a user name
 * that is one. A bare Jamf user name (`jdoe`) is left out rather than compared with a UPN and
 * refused (binding.ts compares users).
 */
function jamfUser(record: Record<string, unknown>): string | undefined {
  const email = str(record.emailAddress);
  if (email) return email;
  const username = str(record.username);
  return username?.includes('@') ? username : undefined;
}

function extensionAttribute(sections: unknown[], name: string): string | undefined {
  for (const section of sections) {
    if (!isObject(section) || !Array.isArray(section.extensionAttributes)) continue;
    for (const attribute of section.extensionAttributes) {
      if (isObject(attribute) && attribute.name === name && Array.isArray(attribute.value)) return str(attribute.value[0]);
    }
  }
  return undefined;
}

/**
 * One `results[]` entry of /api/v2/mobile-devices/detail. Jamf has no compliance verdict of its
 * own, so `compliant` is unknown and Palisade's policy decides from jailbreak and passcode.
 */
export function mapJamfMobileDevice(device: Record<string, unknown>, enrollmentTokenAttribute?: string): MdmDeviceState | undefined {
  const general = isObject(device.general) ? device.general : {};
  const hardware = isObject(device.hardware) ? device.hardware : {};
  const security = isObject(device.security) ? device.security : undefined;
  const people = isObject(device.userAndLocation) ? device.userAndLocation : {};
  const udid = str(general.udid);
  const id = udid === undefined ? undefined : normalizeMdmDeviceId('jamf', udid);
  if (id === undefined) return undefined;
  const state: MdmDeviceState = {
    vendor: 'jamf',
    mdmDeviceId: id,
    platform: normalizePlatform(str(device.deviceType) ?? 'ios'),
    osVersion: str(general.osVersion) ?? '',
    managed: general.managed === true,
    compliant: undefined,
    jailbroken: security ? bool(security.jailBreakDetected) : undefined,
  };
  const passcode = security ? bool(security.passcodePresent) : undefined;
  if (passcode !== undefined) state.passcodeSet = passcode;
  withDetails(state, { serial: str(hardware.serialNumber), model: str(hardware.model), lastSeen: date(general.lastInventoryUpdateDate), user: jamfUser(people) });
  if (enrollmentTokenAttribute) {
    const token = extensionAttribute([general, device, people, hardware], enrollmentTokenAttribute);
    if (token) state.enrollmentToken = token;
  }
  return state;
}

/** Webhook events that report a device checking in or being inventoried: it is managed now. */
const MOBILE_PRESENT = new Set(['MobileDeviceCheckIn', 'MobileDeviceInventoryCompleted', 'MobileDeviceEnrolled', 'MobileDeviceCommandCompleted', 'MobileDevicePushSent']);
const COMPUTER_PRESENT = new Set(['ComputerCheckIn', 'ComputerInventoryCompleted', 'ComputerAdded', 'ComputerPolicyFinished', 'ComputerPushCapabilityChanged']);

/** `eventTimestamp` is epoch milliseconds in Jamf's examples; a value in seconds is accepted too. */
function eventTime(value: unknown): Date | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  return new Date(value < 1e11 ? value * 1000 : value);
}

export class JamfAdapter implements MdmAdapter {
  readonly vendor = 'jamf' as const;
  private readonly config: JamfConfig;
  private readonly http: ResolvedHttp;
  private readonly tokens: TokenCache;

  constructor(config: JamfConfig) {
    this.config = config;
    this.http = resolveHttp(config.http);
    if (config.webhookAuth.type === 'basic') assertStrongSecret('jamf: webhook password', config.webhookAuth.password);
    else assertStrongSecret('jamf: webhook header value', config.webhookAuth.value);
    this.tokens = new TokenCache((signal) => this.obtainToken(signal), this.http.clock);
  }

  private async obtainToken(signal?: AbortSignal): Promise<BearerToken> {
    const { auth } = this.config;
    if (auth.type === 'client-credentials') {
      return clientCredentialsToken('jamf', this.http, joinUrl(this.config.baseUrl, '/api/oauth/token'), { client_id: auth.clientId, client_secret: auth.clientSecret }, signal);
    }
    const answer = await requestJson('jamf', this.http, joinUrl(this.config.baseUrl, '/api/v1/auth/token'), { method: 'POST', headers: { accept: 'application/json', authorization: basicAuthorization(auth.username, auth.password) } }, signal);
    const body = answer.body;
    if (answer.status !== 200 || !isObject(body) || typeof body.token !== 'string') {
      throw new MdmError('jamf', 'token-refused', `token request to /api/v1/auth/token answered ${answer.status}`, answer.status);
    }
    const expires = date(body.expires);
    // Jamf's user tokens live 20 minutes unless the server says otherwise.
    return { token: body.token, expiresAt: expires ? expires.getTime() : this.http.clock.now() + 20 * 60_000 };
  }

  async *listDevices(signal?: AbortSignal): AsyncIterable<MdmDeviceState> {
    const pageSize = this.config.pageSize ?? 100;
    for (let page = 0, seen = 0; ; page++) {
      const url = new URL(joinUrl(this.config.baseUrl, '/api/v2/mobile-devices/detail'));
      for (const section of JAMF_SECTIONS) url.searchParams.append('section', section);
      url.searchParams.set('page', String(page));
      url.searchParams.set('page-size', String(pageSize));
      const answer = await authorizedGet('jamf', this.http, this.tokens, url.toString(), {}, signal);
      const body = answer.body;
      if (answer.status !== 200 || !isObject(body) || !Array.isArray(body.results)) {
        throw new MdmError('jamf', answer.status === 200 ? 'response-malformed' : 'http-status', `GET /api/v2/mobile-devices/detail page ${page} answered ${answer.status}`, answer.status);
      }
      for (const device of body.results) {
        const state = isObject(device) ? mapJamfMobileDevice(device, this.config.enrollmentTokenAttribute) : undefined;
        if (state) yield state;
      }
      seen += body.results.length;
      const total = typeof body.totalCount === 'number' ? body.totalCount : undefined;
      // An empty page ends the listing even if totalCount grew meanwhile: no endless loop.
      if (body.results.length === 0 || (total !== undefined && seen >= total) || (total === undefined && body.results.length < pageSize)) return;
    }
  }

  verifyWebhook(request: MdmWebhookRequest): WebhookVerdict {
    const auth = this.config.webhookAuth;
    return auth.type === 'basic' ? verifyBasicAuth(request, auth) : verifyHeaderSecret(request, auth);
  }

  parseWebhook(rawBody: Uint8Array | string): MdmDeviceChange[] {
    const body = parseJsonBody(rawBody);
    if (!isObject(body) || !isObject(body.webhook) || !isObject(body.event) || typeof body.webhook.webhookEvent !== 'string') {
      throw new MdmError('jamf', 'webhook-malformed', 'not a Jamf Pro webhook (JSON with webhook and event)');
    }
    const name = body.webhook.webhookEvent;
    const occurredAt = eventTime(body.webhook.eventTimestamp);
    let device: Record<string, unknown>;
    let platform: MdmDeviceState['platform'];
    let managed: boolean | undefined;
    let removed = false;
    if (name === 'MobileDeviceUnEnrolled') {
      device = body.event;
      platform = 'ios';
      managed = false;
      removed = true;
    } else if (MOBILE_PRESENT.has(name)) {
      device = body.event;
      platform = 'ios';
      managed = name === 'MobileDeviceCommandCompleted' || name === 'MobileDevicePushSent' ? undefined : true;
    } else if (COMPUTER_PRESENT.has(name)) {
      // ComputerCheckIn and ComputerPolicyFinished nest the computer; the others are flat.
      device = isObject(body.event.computer) ? body.event.computer : body.event;
      platform = 'macos';
      managed = name === 'ComputerPushCapabilityChanged' ? undefined : true;
    } else {
      return [];
    }
    const udid = str(device.udid);
    const id = udid === undefined ? undefined : normalizeMdmDeviceId('jamf', udid);
    if (id === undefined) throw new MdmError('jamf', 'webhook-malformed', `${name} names no device udid`);
    const observed: MdmDeviceChange['observed'] = { platform };
    if (managed !== undefined) observed.managed = managed;
    const osVersion = str(device.osVersion);
    if (osVersion) observed.osVersion = osVersion;
    const serial = str(device.serialNumber);
    if (serial) observed.serial = serial;
    const model = str(device.modelDisplay) ?? str(device.model);
    if (model) observed.model = model;
    const user = jamfUser(device);
    if (user) observed.user = user;
    if (occurredAt && managed) observed.lastSeen = occurredAt;
    const change: MdmDeviceChange = { vendor: 'jamf', mdmDeviceId: id, event: name, observed, refresh: false, removed };
    if (occurredAt) change.occurredAt = occurredAt;
    return [change];
  }
}
