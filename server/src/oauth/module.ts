/**
 * The OAuth module: the authorization server (oidc-provider, rebuilt when the signing keys
 * change), federation with the company IdP (or the embedded development IdP, reached over
 * Palisade's own TLS), the bearer token verifier of the API pipeline, refresh retries, and the
 * periodic sweep of expired authorization records.
 */
import type { Logger } from 'pino';
import { Value } from 'typebox/value';
import { Agent } from 'undici';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { ClaimsSchema } from './config.ts';
import { parseDuration } from '../duration.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { MasterKey } from '../security/index.ts';
import type { SessionsModuleApi } from '../sessions/index.ts';
import type { DeviceCheck, TokenRequestFacts } from '../devices/index.ts';
import type { ClaimMapping } from '../users/index.ts';
import type { AccessClaims, Problem } from '../http/index.ts';

import { BearerVerifier } from '../http/index.ts';
import { defineModule } from '../module.ts';
import { sweepExpiredPayloads } from './adapter.ts';
import { deleteGrantRecords } from './store.ts';
import { createDevIdp, devClientSecret, DEV_IDP_CLIENT_ID, DEV_IDP_PATH, DEV_ROLE_MAPPING } from './dev-idp.ts';
import { Federation } from './federation.ts';
import type { SigningKeysApi } from './keys-module.ts';
import { apiAudience, createProvider } from './provider.ts';
import { RefreshRetries } from './refresh-retry.ts';
import { oauthRoutes, type ProviderHolder } from './routes.ts';

/** Expired codes, tokens and interactions are invisible already; the sweep only bounds the table. */
const SWEEP_MS = 10 * 60_000;

export interface OAuthModuleDeps {
  config: ResolvedConfig;
  db: Database;
  clock: Clock;
  master: MasterKey;
  log: Logger;
  audit: AuditSink;
  keys: SigningKeysApi;
  sessions: SessionsModuleApi;
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
  /** Palisade's own certificate: the development IdP is reached over it. */
  tlsCert: string;
  tokenResponseExtras(sessionId: string): Promise<Record<string, string>>;
  deviceTrust: { check(input: TokenRequestFacts): Promise<DeviceCheck> };
  /** Why a revoked session's token is refused, when a device command ended it. */
  explainRevoked(claims: AccessClaims): Promise<Problem | undefined>;
  deviceCommandProblem(form: URLSearchParams, dpop: string | undefined): Promise<Problem | undefined>;
  /** Whether the IdP's provisioning (SCIM) has deactivated this user name. */
  isDeprovisioned(userName: string): Promise<boolean>;
}

export const oauthModule = defineModule({
  name: 'oauth',
  dependencies: ['db', 'audit', 'signing-keys', 'sessions', 'devices', 'apisec'],
  config: ['tokens', 'upstream', 'clients'],
  configSchema: { 'upstream.claims': ClaimsSchema },
  migrations: ['0001_foundation.sql', '0008_refresh_retries.sql'],
  async start(deps: OAuthModuleDeps) {
    const { config, db, clock, master, log, audit, claimOnce } = deps;
    const { sessions, devices } = deps.sessions;
    // A session is a grant (decision 0002): when it ends, its refresh tokens and codes go with it.
    sessions.onEnd((tx, sessionId) => deleteGrantRecords(tx, sessionId));
    // The company IdP, or the embedded development IdP reached over Palisade's own TLS.
    const devIdp = config.upstream ? undefined : createDevIdp(config.publicUrl, master);
    const ownTls = new Agent({ connect: { ca: deps.tlsCert } });
    const federation = new Federation(
      config.upstream
        ? { ...config.upstream, redirectUri: `${config.publicUrl}/auth/callback` }
        : {
            issuer: `${config.publicUrl}${DEV_IDP_PATH}`,
            clientId: DEV_IDP_CLIENT_ID,
            clientSecret: devClientSecret(master),
            scopes: ['openid', 'profile', 'email'],
            redirectUri: `${config.publicUrl}/auth/callback`,
            fetch: ((url: string | URL | Request, init?: RequestInit) => fetch(url, { ...init, dispatcher: ownTls } as RequestInit)) as typeof fetch,
          },
      master,
    );
    const build = () => createProvider({ config, db, clock, master, sessions, devices, keys: deps.keys.current(), log, audit, tokenResponseExtras: deps.tokenResponseExtras, deviceTrust: deps.deviceTrust });
    const provider: ProviderHolder = { current: build() };
    const bearer = new BearerVerifier(deps.keys.current().publicJwks, {
      issuer: config.publicUrl,
      audience: apiAudience(config),
      clock,
      isRevoked: (sid) => sessions.isRevoked(sid),
      claimOnce,
      explainRevoked: deps.explainRevoked,
    });
    // A rotation: tokens are signed with the new key, and verified against the published set.
    deps.keys.onChange((keys) => {
      provider.current = build();
      bearer.setKeys(keys.publicJwks);
    });
    const refreshRetries = new RefreshRetries({
      db,
      clock,
      master,
      graceMs: parseDuration(config.tokens.refreshRetryGrace),
      tokenEndpoint: `${config.publicUrl}/oauth2/token`,
      claimOnce,
      onReuse: (grantId, detail) => sessions.endForReuse(grantId, { retryWindow: true, ...detail }),
    });
    const roleMapping = config.upstream?.roles ?? DEV_ROLE_MAPPING;
    // Every instance may sweep: the DELETE is idempotent.
    const sweep = () =>
      Promise.all([sweepExpiredPayloads(db, clock), refreshRetries.sweepExpired()])
        .then(([removed]) => removed && log.info({ event: 'oauth.swept', removed }, 'expired authorization records removed'))
        .catch((err: unknown) => log.error({ err }, 'sweeping expired authorization records failed'));
    let sweeper: NodeJS.Timeout | undefined;
    return {
      api: { bearer, roleMapping, developmentIdp: devIdp !== undefined },
      async routes(app) {
        await app.register(oauthRoutes, {
          config,
          db,
          clock,
          sessions,
          provider,
          federation,
          claimMapping: config.upstream?.claims ?? (Value.Default(ClaimsSchema, {}) as ClaimMapping),
          roleMapping,
          devIdp,
          devices,
          refreshRetries,
          isDeprovisioned: deps.isDeprovisioned,
          audit,
          deviceCommandProblem: deps.deviceCommandProblem,
        });
      },
      serve() {
        sweeper = setInterval(sweep, SWEEP_MS);
        sweeper.unref();
      },
      async stop() {
        clearInterval(sweeper);
        await ownTls.close();
      },
    };
  },
});

export type OAuthModuleApi = Awaited<ReturnType<typeof oauthModule.start>>['api'];
