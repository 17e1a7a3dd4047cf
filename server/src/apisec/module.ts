/**
 * The API security module: app keys, request signing keys (handed to the app with its tokens,
 * checked on every API call), rate limits, and the pipeline stages built on them.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { parseDuration } from '../duration.ts';
import type { Database } from '../db/index.ts';
import type { SharedCache } from '../cache/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { MasterKey } from '../security/index.ts';
import type { SessionEnding } from '../sessions/index.ts';
import { defineModule } from '../module.ts';
import { AppKeys, AppKeyStage } from './app-keys.ts';
import { appKeyRoutes } from './app-keys-routes.ts';
import { RateLimits, RateLimitStage, developmentStartPageAllowance } from './rate-limit.ts';
import { RequestSignatureStage } from './signature-stage.ts';
import { SessionSigningKeys } from './signing-keys.ts';
import { deleteSessionSigningKey } from './signing-keys-store.ts';

export interface ApisecModuleDeps {
  config: ResolvedConfig;
  db: Database;
  cache: SharedCache;
  audit: AuditSink;
  master: MasterKey;
  clock: Clock;
  log: Logger;
  isRevoked(sessionId: string): boolean;
  /** Registers what apisec deletes when a session ends, in its revocation's transaction (Sessions.onEnd). */
  onSessionEnd(ending: SessionEnding): void;
  /** The development start page's client, when the development IdP runs (decision 0013). */
  startPageClient?: string;
  /** First-party browser clients (the admin console): a browser cannot keep an app key. */
  keylessClients?: readonly string[];
}

export const apisecModule = defineModule({
  name: 'apisec',
  dependencies: ['db', 'cache', 'audit', 'sessions'],
  config: ['rateLimits', 'requestSigning'],
  permissions: ['apps.read', 'apps.manage'],
  migrations: ['0010_app_keys.sql', '0011_session_signing_keys.sql'],
  async start({ config, db, cache, audit, master, clock, log, isRevoked, onSessionEnd, startPageClient, keylessClients = [] }: ApisecModuleDeps) {
    // The request signing key dies with its session.
    onSessionEnd((tx, sessionId) => deleteSessionSigningKey(tx, sessionId));
    const claimOnce = (key: string, ttlMs: number, issuedAtS?: number) => cache.claimOnce(key, ttlMs, issuedAtS);
    const signingKeys = new SessionSigningKeys({ db, master, isRevoked });
    // App keys: every registered app's requests carry one of its keys. The start page (development
    // IdP only) is a browser page, which cannot keep a key; so are clients declared `appKey: off`.
    const appKeys = new AppKeys({ db, clock, master, apps: config.clients.map((c) => c.id), audit, log });
    // One set of counters for every stage: a made-up app key and a failed sign-in from the same
    // address add up to one lockout.
    const rateLimits = new RateLimits({
      config: config.rateLimits,
      apps: Object.fromEntries(config.clients.filter((c) => c.rateLimits).map((c) => [c.id, c.rateLimits!])),
      // With the development IdP, the start page's sign-ins have an allowance of their own (decision 0013).
      ...(startPageClient ? { authAllowances: { [startPageClient]: developmentStartPageAllowance(config.rateLimits.auth) } } : {}),
      counters: (o) => cache.counters(o),
      audit,
      log,
    });
    const keylessApps = [...config.clients.filter((c) => c.appKey === 'off').map((c) => c.id), ...keylessClients, ...(startPageClient ? [startPageClient] : [])];
    const api = {
      /** Token response parameters for a session: its request signing key. */
      async tokenResponseExtras(sessionId: string): Promise<Record<string, string>> {
        const issued = await signingKeys.issue(sessionId);
        return issued ? { signing_key: issued.key, signing_key_id: issued.keyId } : {};
      },
      stages: {
        appKeys: new AppKeyStage(appKeys, keylessApps, rateLimits),
        requestSignatures: new RequestSignatureStage({
          keys: signingKeys,
          claimOnce,
          clock,
          mode: config.requestSigning.mode,
          windowMs: parseDuration(config.requestSigning.window),
          clients: new Map(config.clients.filter((c) => c.requestSigning).map((c) => [c.id, c.requestSigning!])),
          publicOrigin: config.publicUrl,
        }),
        rateLimits: new RateLimitStage(rateLimits),
      },
    };
    return {
      api,
      async routes(app) {
        await app.register(appKeyRoutes, { keys: appKeys, audit });
      },
    };
  },
});

export type ApisecModuleApi = Awaited<ReturnType<typeof apisecModule.start>>['api'];
