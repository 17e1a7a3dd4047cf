/**
 * An independent company IdP for tests: its own oidc-provider on loopback HTTP, with people in
 * groups, so federation is tested against a real OpenID Provider and not against Palisade's
 * own development IdP. A test "signs in" by posting the person's id to the login form.
 */
import Provider from 'oidc-provider';
import { createServer, type Server } from 'node:http';
import { Agent } from 'undici';
import type { AddressInfo } from 'node:net';
import type { TestDatabase } from './databases.ts';
import { freePort } from './server.ts';

export interface Person {
  sub: string;
  name: string;
  email: string;
  email_verified?: boolean;
  groups: string[];
  department?: string;
  territory?: string;
  region?: string;
  projects?: string[];
  employee_type?: string;
}

export const PEOPLE: Person[] = [
  { sub: 'u-tech', name: 'Terry Tech', email: 'terry@corp.test', email_verified: true, groups: ['fs-technicians'], department: 'plumbing', territory: 'south', region: 'west', employee_type: 'employee' },
  { sub: 'u-admin', name: 'Alex Admin', email: 'alex@corp.test', email_verified: true, groups: ['it-admins', 'fs-managers'], employee_type: 'employee' },
  { sub: 'u-contractor', name: 'Casey Contractor', email: 'casey@contractor.test', email_verified: true, groups: ['fs-technicians'], projects: ['P-7', 'P-9'], employee_type: 'contractor' },
  // Someone who set their e-mail at the IdP to a colleague's, unverified.
  { sub: 'u-mallory', name: 'Mallory', email: 'alex@corp.test', email_verified: false, groups: ['fs-technicians'], employee_type: 'employee' },
  { sub: 'u-sales', name: 'Sam Sales', email: 'sam@corp.test', email_verified: true, groups: ['sales'], employee_type: 'employee' },
  // The field-service office: a dispatcher of Terry's territory, a manager of his region, and a
  // technician of another territory.
  { sub: 'u-dispatcher', name: 'Dana Dispatch', email: 'dana@corp.test', email_verified: true, groups: ['fs-dispatch'], territory: 'south', employee_type: 'employee' },
  { sub: 'u-manager', name: 'Morgan Manager', email: 'morgan@corp.test', email_verified: true, groups: ['fs-managers'], region: 'west', employee_type: 'employee' },
  { sub: 'u-tech-north', name: 'Nora North', email: 'nora@corp.test', email_verified: true, groups: ['fs-technicians'], department: 'plumbing', territory: 'north', region: 'east', employee_type: 'employee' },
];

/**
 * `u-bench-<n>`: one of as many technicians as a benchmark needs (the memory bench signs in
 * 10 000 devices, more than the device cap allows the people above), each like Terry.
 */
export function benchTechnician(id: string): Person | undefined {
  if (!/^u-bench-\d{1,6}$/.test(id)) return undefined;
  return { ...PEOPLE[0]!, sub: id, name: `Bench Technician ${id.slice(8)}`, email: `${id}@corp.test` };
}

export const UPSTREAM_ROLES = { technician: ['fs-technicians'], dispatcher: ['fs-dispatch'], manager: ['fs-managers'], admin: ['it-admins'] };

export interface UpstreamIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Every authorization request Palisade sent, with its parameters (to check forwarding). */
  requests: URLSearchParams[];
  /**
   * Makes the IdP report each sign-in as having happened this many seconds ago, as an IdP
   * that ignores `prompt=login` and reuses an old session would. 0 (default): a real login.
   */
  staleLoginSeconds: number;
  /** Makes the IdP report sign-ins as password only (`amr: ['pwd']`, no MFA). Default false. */
  singleFactor: boolean;
  /**
   * Sends a real OIDC back-channel logout token (built and signed by oidc-provider) to
   * Palisade's registered endpoint, as the IdP does when the person's session there ends.
   * `palisadeCa` is the certificate Palisade serves (the IdP must trust it to post).
   */
  backchannelLogout(sub: string, sid: string, palisadeCa: string): Promise<void>;
  /** Every logout token the IdP sent (to replay one in a test). */
  sentLogoutTokens: string[];
  /** The environment settings that make Palisade federate to this IdP. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startUpstreamIdp(redirectUri: () => string): Promise<UpstreamIdp> {
  const clientId = 'palisade-at-corp';
  const clientSecret = 'corp-secret-for-tests-only-0123456789abcdef';
  const requests: URLSearchParams[] = [];
  const idp = { staleLoginSeconds: 0, singleFactor: false };
  let trustedCa: string | undefined;
  const sentLogoutTokens: string[] = [];
  // eslint-disable-next-line prefer-const -- declared before the server whose handler uses it, assigned once after
  let provider: Provider;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (url.pathname === '/auth') requests.push(url.searchParams);
    // The login form posts under the interaction's path: oidc-provider scopes its interaction
    // cookie to /interaction/<uid>, and a browser sends it nowhere else.
    const login = /^\/interaction\/([^/]+)\/login$/.exec(url.pathname);
    if (login && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        try {
          const sub = new URLSearchParams(body).get('person')!;
          const details = await provider.interactionDetails(req, res);
          const grant = new provider.Grant({ accountId: sub, clientId: String(details.params.client_id) });
          grant.addOIDCScope(String(details.params.scope));
          await provider.interactionFinished(req, res, { login: { accountId: sub, ts: Math.floor(Date.now() / 1000) - idp.staleLoginSeconds, ...(idp.singleFactor ? { amr: ['pwd'], acr: 'urn:corp:pwd' } : { amr: ['pwd', 'mfa'], acr: 'urn:corp:mfa' }) }, consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: false });
        } catch (error) {
          res.statusCode = 500;
          res.end(String(error));
        }
      });
      return;
    }
    const interaction = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (interaction) {
      res.setHeader('content-type', 'text/html');
      res.end(`<form method="post" action="/interaction/${interaction[1]}/login"><input name="person"></form>`);
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri()],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        backchannel_logout_uri: redirectUri().replace(/\/auth\/callback$/, '/auth/backchannel-logout'),
        backchannel_logout_session_required: true,
      },
    ],
    // Outgoing calls (back-channel logout) to Palisade's development certificate on loopback.
    fetch: (url, options) => {
      const token = new URLSearchParams(String(options?.body ?? '')).get('logout_token');
      if (token) sentLogoutTokens.push(token);
      return fetch(url, { ...options, dispatcher: new Agent({ connect: { ca: trustedCa } }) } as RequestInit);
    },
    claims: { acr: null, amr: null, auth_time: null, sid: null, openid: ['sub', 'acr', 'amr', 'auth_time'], profile: ['name', 'groups', 'department', 'territory', 'region', 'projects', 'employee_type'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: false,
    acrValues: ['urn:corp:mfa'],
    features: { devInteractions: { enabled: false }, backchannelLogout: { enabled: true } },
    ttl: { AccessToken: 300, AuthorizationCode: 60, IdToken: 300, Interaction: 600, Grant: 3600, Session: 3600 },
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
    async findAccount(_ctx, id) {
      const person = PEOPLE.find((p) => p.sub === id) ?? benchTechnician(id);
      return person ? { accountId: id, claims: async () => ({ ...person }) } : undefined;
    },
  });
  return {
    issuer,
    clientId,
    clientSecret,
    requests,
    get staleLoginSeconds() {
      return idp.staleLoginSeconds;
    },
    set staleLoginSeconds(seconds: number) {
      idp.staleLoginSeconds = seconds;
    },
    get singleFactor() {
      return idp.singleFactor;
    },
    set singleFactor(value: boolean) {
      idp.singleFactor = value;
    },
    sentLogoutTokens,
    async backchannelLogout(sub, sid, palisadeCa) {
      trustedCa = palisadeCa;
      // Client#backchannelLogout is oidc-provider's own sender (missing from its type definitions).
      const client = (await provider.Client.find(clientId)) as unknown as { backchannelLogout(sub: string, sid: string): Promise<void> };
      await client.backchannelLogout(sub, sid);
    },
    env: {
      PALISADE_UPSTREAM_ISSUER: issuer,
      PALISADE_UPSTREAM_CLIENT_ID: clientId,
      PALISADE_UPSTREAM_CLIENT_SECRET: clientSecret,
      PALISADE_UPSTREAM_ROLES: JSON.stringify(UPSTREAM_ROLES),
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The company IdP for a Palisade about to start on a free local port over `database`: the fake
 * IdP (its redirect URI is that Palisade's callback), the port, and the environment every such
 * Palisade starts with (its data folder, port, database and IdP). Tests add their own settings.
 */
export async function federatedTo(database: TestDatabase): Promise<{ upstream: UpstreamIdp; port: number; env: Record<string, string | undefined> }> {
  const port = await freePort();
  const upstream = await startUpstreamIdp(() => `https://localhost:${port}/auth/callback`);
  return {
    upstream,
    port,
    env: { PALISADE_DATA_DIR: database.dataDir, PALISADE_SERVER_PORT: String(port), DATABASE_URL: database.url, ...upstream.env },
  };
}
