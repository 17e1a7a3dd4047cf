/**
 * Managed app configuration: `GET /api/v1/app-config` tells the app on this device what it may
 * do — features, offline caching, export, the TLS pins, the minimum versions — as a JWS signed
 * with Palisade's active OAuth signing key, so the app can keep it and trust it offline (verified
 * against `/oauth2/jwks`, like the pins document). It is advice the app enforces on itself; the
 * server enforces the same rules where it can (export refused on BYOD, versions at refresh).
 */
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import type { Clock } from '../clock.ts';
import { Problem, NO_QUERY, signDocument, type PinRecord } from '../http/index.ts';
import type { DeviceTrust } from './trust.ts';

export const APP_CONFIG_PATH = '/api/v1/app-config';
/** JWS `typ` (RFC 8725 §3.11): never mistaken for an access token or the pins document. */
export const APP_CONFIG_TYP = 'palisade-app-config+jwt';
/** An app uses a configuration for at most a day, then fetches a new one. */
export const APP_CONFIG_LIFETIME_S = 86_400;

export interface AppConfigClaims {
  iss: string;
  /** The Palisade device id. */
  sub: string;
  client_id: string;
  features: Record<string, boolean>;
  offline_allowed: boolean;
  export_allowed: boolean;
  pins: PinRecord[];
  min_app_version?: string;
  min_os_version?: string;
  ownership: 'corporate' | 'byod';
  compliance: string;
}

export interface AppConfigDeps {
  trust: DeviceTrust;
  issuer: string;
  pins: { current: string; backups: readonly string[] };
  /** The private JWK that signs now (the key set's active key, re-read on every call). */
  signingKey(): JWK;
  clock: Clock;
}

const deviceUnknown = () =>
  new Problem({ type: 'device-unknown', status: 409, title: 'No device for this session', detail: 'Managed configuration is per device: sign in with a DPoP-bound token (a device key).' });

export async function appConfigRoutes(app: FastifyInstance, deps: AppConfigDeps): Promise<void> {
  app.get(
    APP_CONFIG_PATH,
    {
      onRequest: app.authenticate,
      config: { permission: 'account.self' },
      schema: {
        tags: ['devices'],
        summary: 'Managed app configuration for this app on this device, as a JWS to keep and verify offline',
        description:
          `A compact JWS (\`typ: ${APP_CONFIG_TYP}\`, ES256 or EdDSA, \`kid\` of a key in /oauth2/jwks) whose payload is ` +
          '`{ iss, sub (device id), client_id, features, offline_allowed, export_allowed, pins, min_app_version, min_os_version, ownership, compliance, iat, exp }`, valid one day. See docs/device-trust.md.',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        response: {
          200: {
            description: 'The signed configuration',
            content: { 'application/jose': { schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      const device = await deps.trust.deviceOf(auth.sid);
      if (!device) throw deviceUnknown();
      const rules = deps.trust.rulesOf(auth.client_id, device.ownership);
      const platform = device.platform === 'ios' || device.platform === 'android' ? device.platform : undefined;
      const minOs = platform ? rules.minOsVersion?.[platform] : undefined;
      const claims: AppConfigClaims = {
        iss: deps.issuer,
        sub: device.id,
        client_id: auth.client_id,
        features: { ...Object.fromEntries(rules.features.map((f) => [f, true])), export: rules.allowExport, offline: rules.allowOffline },
        offline_allowed: rules.allowOffline,
        export_allowed: rules.allowExport,
        pins: [{ pin: deps.pins.current, role: 'current' }, ...deps.pins.backups.map((pin) => ({ pin, role: 'backup' as const }))],
        ...(rules.minAppVersion ? { min_app_version: rules.minAppVersion } : {}),
        ...(minOs ? { min_os_version: minOs } : {}),
        ownership: device.ownership,
        compliance: device.compliance,
      };
      const iat = Math.floor(deps.clock.now() / 1000);
      const jws = await signDocument(deps.signingKey(), APP_CONFIG_TYP, { ...claims }, iat, iat + APP_CONFIG_LIFETIME_S);
      return reply.type('application/jose').header('cache-control', 'no-store').send(jws);
    },
  );
}
