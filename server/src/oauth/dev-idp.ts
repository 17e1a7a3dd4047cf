/**
 * The development IdP: an embedded OpenID Provider (oidc-provider) at `<publicUrl>/dev-idp`
 * with one demo person per field-service role, so `npm start` signs people in through exactly
 * the federation path the company IdP uses. Refused in production by configuration checks.
 */
import Provider, { type Adapter, type AdapterPayload, type Configuration } from 'oidc-provider';
import { generateKeyPairSync, hkdfSync, type JsonWebKey } from 'node:crypto';
import type { MasterKey } from '../security/index.ts';
import type { RoleMapping } from '../users/index.ts';

export const DEV_IDP_PATH = '/dev-idp';
export const DEV_IDP_CLIENT_ID = 'palisade-broker';
/** The development IdP's cookie names: never oidc-provider's defaults, which Palisade's own server uses. */
export const DEV_IDP_COOKIES = { session: 'dev-idp.session', interaction: 'dev-idp.interaction', resume: 'dev-idp.interaction_resume' } as const;

export interface DemoPerson {
  sub: string;
  name: string;
  email: string;
  groups: string[];
  department?: string;
  territory?: string;
  region?: string;
  projects?: string[];
  employee_type?: string;
  summary: string;
}

export const DEMO_PEOPLE: DemoPerson[] = [
  { sub: 'demo-technician', name: 'Tess Technician', email: 'tess@example.com', groups: ['fs-technicians'], department: 'hvac', territory: 'north', region: 'east', employee_type: 'employee', summary: 'technician · HVAC · north territory' },
  { sub: 'demo-dispatcher', name: 'Dan Dispatcher', email: 'dan@example.com', groups: ['fs-dispatch'], department: 'hvac', territory: 'north', employee_type: 'employee', summary: 'dispatcher · HVAC · north territory' },
  { sub: 'demo-manager', name: 'Mia Manager', email: 'mia@example.com', groups: ['fs-managers'], department: 'hvac', region: 'east', employee_type: 'employee', summary: 'manager · HVAC · east region' },
  { sub: 'demo-admin', name: 'Ada Admin', email: 'ada@example.com', groups: ['it-admins'], employee_type: 'employee', summary: 'admin · unscoped' },
  { sub: 'demo-contractor', name: 'Cory Contractor', email: 'cory@contractor.example', groups: ['fs-technicians'], territory: 'north', projects: ['PRJ-1001'], employee_type: 'contractor', summary: 'technician · contractor on project PRJ-1001' },
  { sub: 'demo-norole', name: 'Nico Norole', email: 'nico@example.com', groups: ['marketing'], employee_type: 'employee', summary: 'in no mapped group: refused' },
];

export const DEV_ROLE_MAPPING: RoleMapping = {
  technician: ['fs-technicians'],
  dispatcher: ['fs-dispatch'],
  manager: ['fs-managers'],
  admin: ['it-admins'],
};

/** The broker's client secret at the development IdP, derived so every instance agrees. */
export function devClientSecret(master: MasterKey): string {
  return Buffer.from(hkdfSync('sha256', master.key, 'palisade', 'dev-idp client secret v1', 32)).toString('base64url');
}

/**
 * The development IdP keeps its sessions and codes in this process's memory: a sign-in lasts
 * seconds and nothing of it must survive a restart. (oidc-provider's own memory adapter is not
 * exported and announces itself as unfit for production at every start, which would be noise
 * beside Palisade's own development-default lines.)
 */
function memoryAdapterFactory(): (model: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry && entry.expiresAt <= Date.now()) store.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  };
  return (model) => ({
    async upsert(id, payload, expiresIn) {
      const expiresAt = Date.now() + (expiresIn ?? 3600) * 1000;
      // Expired entries go on access; a long-running development server also sweeps now and then.
      if (store.size > 10_000) for (const [key, entry] of store) if (entry.expiresAt <= Date.now()) store.delete(key);
      store.set(`${model}:${id}`, { payload, expiresAt });
      if (payload.uid) store.set(`${model}:uid:${payload.uid}`, { payload: { id } as AdapterPayload, expiresAt });
    },
    find: async (id) => live(`${model}:${id}`),
    findByUid: async (uid) => {
      const id = live(`${model}:uid:${uid}`)?.id as string | undefined;
      return id ? live(`${model}:${id}`) : undefined;
    },
    findByUserCode: async () => undefined,
    async consume(id) {
      const payload = live(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      store.delete(`${model}:${id}`);
    },
    async revokeByGrantId(grantId) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    },
  });
}

export function createDevIdp(publicUrl: string, master: MasterKey): Provider {
  // A signing key of this process alone (oidc-provider's quick-start keys are public).
  const signingKey: JsonWebKey = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig' };
  const adapter = memoryAdapterFactory();
  const configuration: Configuration = {
    adapter: (name: string) => adapter(name),
    jwks: { keys: [signingKey as never] },
    clients: [
      {
        client_id: DEV_IDP_CLIENT_ID,
        client_secret: devClientSecret(master),
        redirect_uris: [`${publicUrl}/auth/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    // The development IdP shares its host with Palisade's own authorization server, and cookies
    // are per host, not per path prefix or port. With oidc-provider's default names both would
    // keep their browser session in `_session` on `/`: the development IdP's sign-in then
    // replaced Palisade's session cookie, so a step-up (an authorization request made while
    // signed in, with prompt=login or max_age) resumed in another session than the one it
    // started from and ended on "interaction session and authentication session mismatch". Its
    // own names keep the two apart, and its session cookie stays under its own path. (The
    // interaction cookies keep the paths oidc-provider gives them: their interaction's URLs.)
    cookies: {
      keys: [Buffer.from(hkdfSync('sha256', master.key, 'palisade', 'dev-idp cookies v1', 32)).toString('base64url')],
      names: DEV_IDP_COOKIES,
      long: { signed: true, httpOnly: true, sameSite: 'lax', path: DEV_IDP_PATH },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'groups', 'department', 'territory', 'region', 'projects', 'employee_type'],
      email: ['email', 'email_verified'],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${DEV_IDP_PATH}/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const person = DEMO_PEOPLE.find((p) => p.sub === id);
      if (!person) return undefined;
      const { summary: _summary, ...claims } = person;
      return { accountId: id, claims: async () => ({ ...claims, email_verified: true, amr: ['pwd'] }) };
    },
    ttl: { Session: 8 * 3600, Interaction: 600, AuthorizationCode: 60, AccessToken: 300, IdToken: 300, Grant: 8 * 3600 },
  };
  return new Provider(`${publicUrl}${DEV_IDP_PATH}`, configuration);
}
