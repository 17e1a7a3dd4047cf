/**
 * VMware (Omnissa) Workspace ONE UEM: devices from `GET /api/mdm/devices/search?page=&pagesize=`
 * with the `aw-tenant-code` API key and either Basic credentials of an API admin or an OAuth
 * client's token; event notifications (JSON, set under Groups & Settings › System › Advanced ›
 * API › Event Notifications) authenticated with the Basic credentials entered there, compared in
 * constant time.
 */
import { normalizeMdmDeviceId, normalizePlatform } from './binding.ts';
import { authorizedGet, basicAuthorization, clientCredentialsToken, isObject, joinUrl, parseJsonBody, requestJson, resolveHttp, str, TokenCache, type JsonAnswer, type MdmHttpOptions, type ResolvedHttp } from './http.ts';
import { assertStrongSecret, verifyBasicAuth, type BasicCredentials } from './webhook-auth.ts';
import { MdmError, withDetails, type MdmAdapter, type MdmDeviceChange, type MdmDeviceState, type MdmWebhookRequest, type WebhookVerdict } from './types.ts';

export type WorkspaceOneApiAuth =
  /** An admin account with the API role (read devices). */
  | { type: 'basic'; username: string; password: string }
  /** An OAuth client (Groups & Settings › Configurations › OAuth Client Management) and the region's token URL. */
  | { type: 'oauth'; tokenUrl: string; clientId: string; clientSecret: string };

export interface WorkspaceOneConfig {
  /** The API server, e.g. `https://as1506.awmdm.com`. */
  baseUrl: string;
  /** The REST API key (System › Advanced › API › REST API), sent as `aw-tenant-code`. */
  tenantCode: string;
  auth: WorkspaceOneApiAuth;
  webhookAuth: BasicCredentials;
  /** Default 500. */
  pageSize?: number;
  http?: MdmHttpOptions;
}

/** ComplianceStatus: `Compliant`, `NonCompliant`; `NotAvailable` and `PendingComplianceCheck` say nothing yet. */
export function workspaceOneCompliance(value: unknown): boolean | undefined {
  const text = typeof value === 'string' ? value.replace(/[\s_-]/g, '').toLowerCase() : '';
  if (text === 'compliant') return true;
  if (text === 'noncompliant') return false;
  return undefined;
}

/** CompromisedStatus: a boolean in the device API, a string in event notifications ("" = not evaluated). */
export function workspaceOneCompromised(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value.replace(/[\s_-]/g, '').toLowerCase() : '';
  if (text === 'compromised' || text === 'true') return true;
  if (text === 'notcompromised' || text === 'false') return false;
  return undefined;
}

const ENROLLED = 'enrolled';
const LEFT_MANAGEMENT = /unenrol|wipe|retire|delete|breakmdm|blacklist|blocked/i;

/**
 * Workspace ONE dates: ISO 8601, often without a zone (the API's are UTC), or the older
 * WCF form `/Date(1368076195887)/` in event notifications.
 */
export function workspaceOneDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  // eslint-disable-next-line security/detect-unsafe-regex -- linear: anchored, one optional fixed-length group
  const wcf = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value);
  if (wcf) return new Date(Number(wcf[1]));
  const iso = /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  const parsed = new Date(iso);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function deviceKey(device: Record<string, unknown>, numericId: unknown): string | undefined {
  // The app is given {DeviceUid}; devices without one fall back to the numeric id.
  const udid = str(device.Udid);
  if (udid) return normalizeMdmDeviceId('workspaceone', udid);
  return typeof numericId === 'number' ? normalizeMdmDeviceId('workspaceone', String(numericId)) : undefined;
}

export function mapWorkspaceOneDevice(device: Record<string, unknown>): MdmDeviceState | undefined {
  const numericId = isObject(device.Id) ? device.Id.Value : device.Id;
  const id = deviceKey(device, numericId);
  if (id === undefined) return undefined;
  const enrollment = str(device.EnrollmentStatus) ?? '';
  const state: MdmDeviceState = {
    vendor: 'workspaceone',
    mdmDeviceId: id,
    platform: normalizePlatform(str(device.Platform)),
    osVersion: str(device.OperatingSystem) ?? '',
    managed: enrollment.toLowerCase() === ENROLLED,
    compliant: workspaceOneCompliance(device.ComplianceStatus),
    jailbroken: workspaceOneCompromised(device.CompromisedStatus),
  };
  withDetails(state, { serial: str(device.SerialNumber), model: str(device.Model), lastSeen: workspaceOneDate(device.LastSeen), user: str(device.UserEmailAddress) });
  return state;
}

export class WorkspaceOneAdapter implements MdmAdapter {
  readonly vendor = 'workspaceone' as const;
  private readonly config: WorkspaceOneConfig;
  private readonly http: ResolvedHttp;
  private readonly tokens: TokenCache | undefined;

  constructor(config: WorkspaceOneConfig) {
    this.config = config;
    this.http = resolveHttp(config.http);
    assertStrongSecret('workspaceone: event notification password', config.webhookAuth.password);
    const { auth } = config;
    this.tokens =
      auth.type === 'oauth'
        ? new TokenCache((signal) => clientCredentialsToken('workspaceone', this.http, auth.tokenUrl, { client_id: auth.clientId, client_secret: auth.clientSecret }, signal), this.http.clock)
        : undefined;
  }

  private get(url: string, signal?: AbortSignal): Promise<JsonAnswer> {
    const headers = { 'aw-tenant-code': this.config.tenantCode, accept: 'application/json' };
    if (this.tokens) return authorizedGet('workspaceone', this.http, this.tokens, url, headers, signal);
    const { auth } = this.config;
    if (auth.type !== 'basic') throw new TypeError('unreachable');
    return requestJson('workspaceone', this.http, url, { headers: { ...headers, authorization: basicAuthorization(auth.username, auth.password) } }, signal);
  }

  async *listDevices(signal?: AbortSignal): AsyncIterable<MdmDeviceState> {
    const pageSize = this.config.pageSize ?? 500;
    for (let page = 0, seen = 0; ; page++) {
      const url = new URL(joinUrl(this.config.baseUrl, '/api/mdm/devices/search'));
      url.searchParams.set('page', String(page));
      url.searchParams.set('pagesize', String(pageSize));
      const answer = await this.get(url.toString(), signal);
      // 204 No Content: the search matched nothing (or nothing more).
      if (answer.status === 204) return;
      const body = answer.body;
      if (answer.status !== 200 || !isObject(body) || !Array.isArray(body.Devices)) {
        throw new MdmError('workspaceone', answer.status === 200 ? 'response-malformed' : 'http-status', `GET /api/mdm/devices/search page ${page} answered ${answer.status}`, answer.status);
      }
      for (const device of body.Devices) {
        const state = isObject(device) ? mapWorkspaceOneDevice(device) : undefined;
        if (state) yield state;
      }
      seen += body.Devices.length;
      const total = typeof body.Total === 'number' ? body.Total : undefined;
      if (body.Devices.length === 0 || (total !== undefined && seen >= total) || (total === undefined && body.Devices.length < pageSize)) return;
    }
  }

  verifyWebhook(request: MdmWebhookRequest): WebhookVerdict {
    return verifyBasicAuth(request, this.config.webhookAuth);
  }

  parseWebhook(rawBody: Uint8Array | string): MdmDeviceChange[] {
    const body = parseJsonBody(rawBody);
    // XML notifications are refused here: the console's Format must be JSON.
    if (!isObject(body) || typeof body.EventType !== 'string') throw new MdmError('workspaceone', 'webhook-malformed', 'not a Workspace ONE event notification (JSON with EventType)');
    const id = deviceKey(body, body.DeviceId);
    if (id === undefined) throw new MdmError('workspaceone', 'webhook-malformed', `${body.EventType} names no device`);
    const enrollment = str(body.EnrollmentStatus);
    const removed = LEFT_MANAGEMENT.test(body.EventType.replace(/\s/g, '')) || (enrollment !== undefined && enrollment.toLowerCase() !== ENROLLED);
    const observed: MdmDeviceChange['observed'] = {};
    if (enrollment !== undefined || removed) observed.managed = !removed && enrollment?.toLowerCase() === ENROLLED;
    const compliant = workspaceOneCompliance(body.ComplianceStatus);
    if (compliant !== undefined) observed.compliant = compliant;
    const jailbroken = workspaceOneCompromised(body.CompromisedStatus);
    if (jailbroken !== undefined) observed.jailbroken = jailbroken;
    const platform = str(body.Platform);
    if (platform) observed.platform = normalizePlatform(platform);
    const osVersion = str(body.OperatingSystem);
    if (osVersion) observed.osVersion = osVersion;
    const serial = str(body.SerialNumber);
    if (serial) observed.serial = serial;
    const user = str(body.EnrollmentEmailAddress);
    if (user) observed.user = user;
    const change: MdmDeviceChange = { vendor: 'workspaceone', mdmDeviceId: id, event: body.EventType, observed, refresh: false, removed };
    const occurredAt = workspaceOneDate(body.EventTime);
    if (occurredAt) change.occurredAt = occurredAt;
    return [change];
  }
}
