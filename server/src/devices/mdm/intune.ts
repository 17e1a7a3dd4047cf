/**
 * Microsoft Intune through Microsoft Graph: devices from `GET /v1.0/deviceManagement/managedDevices`
 * (application permission `DeviceManagementManagedDevices.Read.All`, client credentials token
 * from the tenant's v2.0 token endpoint), paged by `@odata.nextLink`; change notifications
 * authenticated by the `clientState` Palisade chose when subscribing, compared in constant time,
 * and the subscription's `validationToken` handshake.
 */
import { constantTimeEqual } from '../../security/index.ts';
import { normalizeMdmDeviceId, normalizePlatform } from './binding.ts';
import { authorizedGet, clientCredentialsToken, date, isObject, joinUrl, parseJsonBody, resolveHttp, str, TokenCache, type MdmHttpOptions, type ResolvedHttp } from './http.ts';
import { assertStrongSecret } from './webhook-auth.ts';
import { MdmError, withDetails, type MdmAdapter, type MdmDeviceChange, type MdmDeviceState, type MdmWebhookRequest, type WebhookHandshake, type WebhookVerdict } from './types.ts';

export interface IntuneConfig {
  /** Directory (tenant) id or verified domain. */
  tenantId: string;
  /** Application (client) id of the app registration with `DeviceManagementManagedDevices.Read.All`. */
  clientId: string;
  clientSecret: string;
  /**
   * The `clientState` of Palisade's Graph subscriptions. Several during a rotation: the old one
   * stays accepted until its subscription is renewed with the new one.
   */
  clientState: string | readonly string[];
  /** Default `https://login.microsoftonline.com` (sovereign clouds and tests set another). */
  loginBaseUrl?: string;
  /** Default `https://graph.microsoft.com`. */
  graphBaseUrl?: string;
  /** `$top` per page (Graph may return fewer); default: Graph's own page size. */
  pageSize?: number;
  http?: MdmHttpOptions;
}

/** The managedDevice properties Palisade reads (Graph returns only these, smaller pages). */
export const INTUNE_SELECT = [
  'id',
  'deviceName',
  'operatingSystem',
  'osVersion',
  'complianceState',
  'jailBroken',
  'isEncrypted',
  'userPrincipalName',
  'emailAddress',
  'lastSyncDateTime',
  'serialNumber',
  'model',
  'managedDeviceOwnerType',
  'managementState',
] as const;

/** Graph's `validationToken` is opaque; anything longer or with control characters is not one. */
const VALIDATION_TOKEN = /^[\x20-\x7e]{1,1024}$/;

/**
 * complianceState → compliant. `inGracePeriod` counts as compliant because Intune's own
 * Conditional Access still grants access then; `error`, `unknown` and `configManager` say
 * nothing, so they stay unknown for Palisade's policy to decide.
 */
export function intuneCompliance(value: unknown): boolean | undefined {
  switch (typeof value === 'string' ? value.toLowerCase() : undefined) {
    case 'compliant':
    case 'ingraceperiod':
      return true;
    case 'noncompliant':
    case 'conflict':
      return false;
    default:
      return undefined;
  }
}

/** jailBroken is a string: "True", "False" or "Unknown" (anything else is unknown too). */
export function intuneJailbroken(value: unknown): boolean | undefined {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (text === 'true' || text === true) return true;
  if (text === 'false' || text === false) return false;
  return undefined;
}

/** managementState: retire, wipe and delete states (pending, issued or failed) and `discovered` are not managed. */
function intuneManaged(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  return !/^(retire|wipe|delete|discovered)/i.test(value);
}

export function mapIntuneDevice(device: Record<string, unknown>): MdmDeviceState | undefined {
  const id = typeof device.id === 'string' ? normalizeMdmDeviceId('intune', device.id) : undefined;
  if (id === undefined) return undefined;
  const state: MdmDeviceState = {
    vendor: 'intune',
    mdmDeviceId: id,
    platform: normalizePlatform(str(device.operatingSystem)),
    osVersion: str(device.osVersion) ?? '',
    managed: intuneManaged(device.managementState),
    compliant: intuneCompliance(device.complianceState),
    jailbroken: intuneJailbroken(device.jailBroken),
  };
  withDetails(state, { serial: str(device.serialNumber), model: str(device.model), lastSeen: date(device.lastSyncDateTime), user: str(device.userPrincipalName) ?? str(device.emailAddress) });
  return state;
}

export class IntuneAdapter implements MdmAdapter {
  readonly vendor = 'intune' as const;
  private readonly config: IntuneConfig;
  private readonly http: ResolvedHttp;
  private readonly tokens: TokenCache;
  private readonly graph: string;
  private readonly clientStates: readonly string[];

  constructor(config: IntuneConfig) {
    this.config = config;
    this.http = resolveHttp(config.http);
    this.graph = (config.graphBaseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
    this.clientStates = typeof config.clientState === 'string' ? [config.clientState] : [...config.clientState];
    if (this.clientStates.length === 0) throw new TypeError('intune: at least one clientState is needed');
    for (const state of this.clientStates) assertStrongSecret('intune: clientState', state);
    const tokenUrl = joinUrl(config.loginBaseUrl ?? 'https://login.microsoftonline.com', `/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`);
    this.tokens = new TokenCache(
      (signal) => clientCredentialsToken('intune', this.http, tokenUrl, { client_id: config.clientId, client_secret: config.clientSecret, scope: `${this.graph}/.default` }, signal),
      this.http.clock,
    );
  }

  async *listDevices(signal?: AbortSignal): AsyncIterable<MdmDeviceState> {
    const first = new URL(`${this.graph}/v1.0/deviceManagement/managedDevices`);
    first.searchParams.set('$select', INTUNE_SELECT.join(','));
    if (this.config.pageSize) first.searchParams.set('$top', String(this.config.pageSize));
    let next: string | undefined = first.toString();
    while (next !== undefined) {
      const answer = await authorizedGet('intune', this.http, this.tokens, next, {}, signal);
      if (answer.status !== 200 || !isObject(answer.body) || !Array.isArray(answer.body.value)) {
        throw new MdmError('intune', answer.status === 200 ? 'response-malformed' : 'http-status', `GET managedDevices answered ${answer.status}${answer.status === 200 ? ' without a value array' : ''}`, answer.status);
      }
      for (const device of answer.body.value) {
        const state = isObject(device) ? mapIntuneDevice(device) : undefined;
        if (state) yield state;
      }
      const link = answer.body['@odata.nextLink'];
      next = typeof link === 'string' ? this.sameOrigin(link) : undefined;
    }
  }

  /** The bearer token goes only to Graph: a nextLink elsewhere is refused, never followed. */
  private sameOrigin(link: string): string {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      throw new MdmError('intune', 'response-malformed', 'GET managedDevices: @odata.nextLink is not a URL');
    }
    if (url.origin !== new URL(this.graph).origin) throw new MdmError('intune', 'foreign-next-link', `GET managedDevices: @odata.nextLink points to ${url.origin}, not Graph`);
    return url.toString();
  }

  async getDevice(mdmDeviceId: string, signal?: AbortSignal): Promise<MdmDeviceState | undefined> {
    const id = normalizeMdmDeviceId('intune', mdmDeviceId);
    if (id === undefined) return undefined;
    const url = new URL(`${this.graph}/v1.0/deviceManagement/managedDevices/${encodeURIComponent(id)}`);
    url.searchParams.set('$select', INTUNE_SELECT.join(','));
    const answer = await authorizedGet('intune', this.http, this.tokens, url.toString(), {}, signal);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200 || !isObject(answer.body)) throw new MdmError('intune', 'http-status', `GET managedDevices/{id} answered ${answer.status}`, answer.status);
    return mapIntuneDevice(answer.body);
  }

  /**
   * Graph validates a new subscription's notificationUrl with `POST ?validationToken=…` and
   * expects the token back, decoded, as text/plain within 10 seconds. Text/plain (with the
   * server's nosniff) keeps the echoed value from ever being rendered as a page.
   */
  handshake(request: MdmWebhookRequest): WebhookHandshake | undefined {
    const token = request.query?.get('validationToken');
    if (token === null || token === undefined || !VALIDATION_TOKEN.test(token)) return undefined;
    return { status: 200, contentType: 'text/plain', body: token };
  }

  verifyWebhook(request: MdmWebhookRequest): WebhookVerdict {
    const body = parseJsonBody(request.rawBody);
    if (!isObject(body) || !Array.isArray(body.value) || body.value.length === 0 || !body.value.every(isObject)) {
      return { ok: false, code: 'body-malformed', detail: 'not a Graph change notification collection' };
    }
    // Every notification must carry a configured clientState: one forged item must not ride
    // along with genuine ones. Each candidate is compared, so timing does not tell which matched.
    for (const notification of body.value as Record<string, unknown>[]) {
      const presented = notification.clientState;
      if (typeof presented !== 'string' || presented === '') return { ok: false, code: 'credentials-missing', detail: 'a notification has no clientState' };
      let matched = false;
      for (const expected of this.clientStates) matched = constantTimeEqual(presented, expected) || matched;
      if (!matched) return { ok: false, code: 'credentials-invalid', detail: 'a notification has the wrong clientState' };
    }
    return { ok: true };
  }

  parseWebhook(rawBody: Uint8Array | string): MdmDeviceChange[] {
    const body = parseJsonBody(rawBody);
    if (!isObject(body) || !Array.isArray(body.value)) throw new MdmError('intune', 'webhook-malformed', 'not a Graph change notification collection');
    const changes: MdmDeviceChange[] = [];
    for (const notification of body.value) {
      // Lifecycle notifications (reauthorizationRequired, missed, subscriptionRemoved) name no device.
      if (!isObject(notification) || typeof notification.changeType !== 'string') continue;
      const data = isObject(notification.resourceData) ? notification.resourceData : {};
      const rawId = str(data.id) ?? /managedDevices(?:\('|\/)([^'/)]+)/i.exec(str(notification.resource) ?? '')?.[1];
      const id = rawId === undefined ? undefined : normalizeMdmDeviceId('intune', rawId);
      if (id === undefined) continue;
      const removed = notification.changeType === 'deleted';
      const change: MdmDeviceChange = { vendor: 'intune', mdmDeviceId: id, event: notification.changeType, observed: removed ? { managed: false } : {}, refresh: !removed, removed };
      changes.push(change);
    }
    return changes;
  }
}
