/**
 * The development IdP: an embedded OpenID Provider (oidc-provider) at `<publicUrl>/dev-idp`
 * with one demo person per field-service role, so `npm start` signs people in through exactly
 * the federation path the company IdP uses. Refused in production by configuration checks.
 */
import Provider, { type Configuration } from 'oidc-provider';
import { hkdfSync } from 'node:crypto';
import type { MasterKey } from '../security/primitives.ts';
import type { RoleMapping } from '../users/index.ts';

export const DEV_IDP_PATH = '/dev-idp';
export const DEV_IDP_CLIENT_ID = 'palisade-broker';

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
  { sub: 'demo-dispatcher', name: 'Dan Dispatcher', email: 'dan@example.com', groups: ['fs-dispatch'], department: 'hvac', territory: 'north', region: 'east', employee_type: 'employee', summary: 'dispatcher · HVAC · north territory' },
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

export function createDevIdp(publicUrl: string, master: MasterKey): Provider {
  const configuration: Configuration = {
    clients: [
      {
        client_id: DEV_IDP_CLIENT_ID,
        client_secret: devClientSecret(master),
        redirect_uris: [`${publicUrl}/auth/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    cookies: { keys: [Buffer.from(hkdfSync('sha256', master.key, 'palisade', 'dev-idp cookies v1', 32)).toString('base64url')] },
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'groups', 'department', 'territory', 'region', 'projects', 'employee_type'],
      email: ['email'],
    },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `${DEV_IDP_PATH}/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const person = DEMO_PEOPLE.find((p) => p.sub === id);
      if (!person) return undefined;
      const { summary: _summary, ...claims } = person;
      return { accountId: id, claims: async () => ({ ...claims, amr: ['pwd'] }) };
    },
    ttl: { Session: 8 * 3600, Interaction: 600, AuthorizationCode: 60, AccessToken: 300, IdToken: 300, Grant: 8 * 3600 },
  };
  return new Provider(`${publicUrl}${DEV_IDP_PATH}`, configuration);
}
