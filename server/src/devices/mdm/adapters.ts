/**
 * From the `mdm` configuration section to the adapters the server drives: one per configured
 * vendor, with its sync interval and the challenge a refused notification is answered with.
 * The configuration checks that cross settings (one way of authenticating, https outside
 * loopback, plain http refused in production) live here too, next to what they protect.
 */
import type { PalisadeConfig } from '../../config/index.ts';
import { parseDuration } from '../../duration.ts';
import { IntuneAdapter, JamfAdapter, WorkspaceOneAdapter, type JamfApiAuth, type JamfWebhookAuth, type MdmAdapter, type MdmHttpOptions, type MdmVendor, type WorkspaceOneApiAuth } from './index.ts';

export type MdmConfig = PalisadeConfig['mdm'];

export interface ConfiguredMdm {
  adapter: MdmAdapter;
  syncIntervalMs: number;
  /**
   * `WWW-Authenticate` of a 401 (RFC 7235 §4.1), for vendors that authenticate with Basic: the
   * sender then knows it is the credentials. Graph's clientState is no HTTP scheme: none.
   */
  challenge: string | undefined;
}

const BASIC_CHALLENGE = 'Basic realm="palisade-mdm", charset="UTF-8"';

export function configuredMdms(config: MdmConfig, http?: MdmHttpOptions): Map<MdmVendor, ConfiguredMdm> {
  const out = new Map<MdmVendor, ConfiguredMdm>();
  const httpOption = http ? { http } : {};
  if (config.intune) {
    const c = config.intune;
    out.set('intune', {
      adapter: new IntuneAdapter({
        tenantId: c.tenantId,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        clientState: c.clientStateSecret,
        ...(c.loginBaseUrl ? { loginBaseUrl: c.loginBaseUrl } : {}),
        ...(c.graphBaseUrl ? { graphBaseUrl: c.graphBaseUrl } : {}),
        ...(c.pageSize ? { pageSize: c.pageSize } : {}),
        ...httpOption,
      }),
      syncIntervalMs: parseDuration(c.syncInterval),
      challenge: undefined,
    });
  }
  if (config.jamf) {
    const c = config.jamf;
    const auth: JamfApiAuth = c.auth.clientId ? { type: 'client-credentials', clientId: c.auth.clientId, clientSecret: c.auth.clientSecret ?? '' } : { type: 'basic', username: c.auth.username ?? '', password: c.auth.password ?? '' };
    const webhookAuth: JamfWebhookAuth = c.webhookAuth.headerName
      ? { type: 'header', name: c.webhookAuth.headerName, value: c.webhookAuth.headerSecret ?? '' }
      : { type: 'basic', username: c.webhookAuth.username ?? '', password: c.webhookAuth.password ?? '' };
    out.set('jamf', {
      adapter: new JamfAdapter({
        baseUrl: c.baseUrl,
        auth,
        webhookAuth,
        ...(c.enrollmentTokenAttribute ? { enrollmentTokenAttribute: c.enrollmentTokenAttribute } : {}),
        ...(c.pageSize ? { pageSize: c.pageSize } : {}),
        ...httpOption,
      }),
      syncIntervalMs: parseDuration(c.syncInterval),
      challenge: webhookAuth.type === 'basic' ? BASIC_CHALLENGE : undefined,
    });
  }
  if (config.workspaceOne) {
    const c = config.workspaceOne;
    const auth: WorkspaceOneApiAuth = c.auth.tokenUrl
      ? { type: 'oauth', tokenUrl: c.auth.tokenUrl, clientId: c.auth.clientId ?? '', clientSecret: c.auth.clientSecret ?? '' }
      : { type: 'basic', username: c.auth.username ?? '', password: c.auth.password ?? '' };
    out.set('workspaceone', {
      adapter: new WorkspaceOneAdapter({ baseUrl: c.baseUrl, tenantCode: c.apiKey, auth, webhookAuth: c.webhookAuth, ...(c.pageSize ? { pageSize: c.pageSize } : {}), ...httpOption }),
      syncIntervalMs: parseDuration(c.syncInterval),
      challenge: BASIC_CHALLENGE,
    });
  }
  return out;
}

/** Problems `config check` and start-up report for the `mdm` section (paths relative to it). */
export function mdmConfigProblems(config: MdmConfig, options: { production: boolean }): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const url = (path: string, value: string | undefined) => {
    if (value === undefined) return;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      problems.push({ path, message: 'is not a URL' });
      return;
    }
    // The MDM's API credentials and device inventory must not cross the network in the clear;
    // a loopback fake of the vendor (tests, a local relay) is the one exception, outside production.
    const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && (options.production || parsed.protocol !== 'http:' || !loopback)) {
      problems.push({ path, message: 'must be an https URL (plain http is only accepted for a loopback test server outside production)' });
    }
  };
  const pair = (path: string, ways: [string, unknown][][], what: string) => {
    const complete = ways.filter((way) => way.every(([, v]) => v !== undefined));
    const touched = ways.filter((way) => way.some(([, v]) => v !== undefined));
    if (complete.length !== 1 || touched.length !== 1) problems.push({ path, message: `set exactly one of: ${what}` });
  };
  const { intune, jamf, workspaceOne } = config;
  if (intune) {
    url('intune.loginBaseUrl', intune.loginBaseUrl);
    url('intune.graphBaseUrl', intune.graphBaseUrl);
  }
  if (jamf) {
    url('jamf.baseUrl', jamf.baseUrl);
    const a = jamf.auth;
    pair('jamf.auth', [[['clientId', a.clientId], ['clientSecret', a.clientSecret]], [['username', a.username], ['password', a.password]]], 'clientId and clientSecret (an API client), or username and password');
    const w = jamf.webhookAuth;
    pair('jamf.webhookAuth', [[['username', w.username], ['password', w.password]], [['headerName', w.headerName], ['headerSecret', w.headerSecret]]], 'username and password (Basic Authentication), or headerName and headerSecret (Header Authentication)');
  }
  if (workspaceOne) {
    url('workspaceOne.baseUrl', workspaceOne.baseUrl);
    url('workspaceOne.auth.tokenUrl', workspaceOne.auth.tokenUrl);
    const a = workspaceOne.auth;
    pair('workspaceOne.auth', [[['username', a.username], ['password', a.password]], [['tokenUrl', a.tokenUrl], ['clientId', a.clientId], ['clientSecret', a.clientSecret]]], 'username and password, or tokenUrl, clientId and clientSecret (an OAuth client)');
  }
  return problems;
}
