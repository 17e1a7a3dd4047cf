/**
 * Composition root: configuration -> database -> keys -> TLS -> modules -> HTTP server.
 * Nothing else wires modules together, so the dependency direction stays visible here.
 */
import { createServer, type Server } from 'node:https';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import { Agent } from 'undici';
import type { ResolvedConfig } from './config/load.ts';
import { parseDuration } from './config/duration.ts';
import { openDatabase, migrate, type Database } from './db/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { generateMasterKey, masterKeyFromBase64url, type MasterKey } from './security/primitives.ts';
import { FieldCipher } from './security/envelope.ts';
import { ensureSigningKey, loadKeySet } from './oauth/keys.ts';
import { sweepExpiredPayloads } from './oauth/adapter.ts';
import { RefreshRetries } from './oauth/refresh-retry.ts';
import { createProvider, apiAudience, CONSOLE_CLIENT_ID, START_PAGE_CLIENT_ID } from './oauth/provider.ts';
import { Federation } from './oauth/federation.ts';
import { createDevIdp, devClientSecret, DEV_IDP_CLIENT_ID, DEV_IDP_PATH, DEV_ROLE_MAPPING } from './oauth/dev-idp.ts';
import { oauthRoutes, type ProviderHolder } from './oauth/routes.ts';
import { adminSessionRoutes, type AdminAuditEvent, Devices, SessionActivity, Sessions, SessionUnlock, sessionRoutes } from './sessions/index.ts';
import { problems } from './http/problems.ts';
import { Value } from 'typebox/value';
import { ClaimsSchema } from './config/schema.ts';
import type { ClaimMapping } from './users/index.ts';
import { MemoryCache, openRedisCache, type SharedCache } from './cache/index.ts';
import { isDeactivated, ScimEffects, scimRoutes } from './scim/index.ts';
import { userRoutes } from './users/routes.ts';
import { authorizationStage, roleRoutes } from './authz/index.ts';
import { exportRoutes, FileBlobStore, fieldServiceRoutes, photoRoutes, seedDemo, type SensitiveCipher } from './domains/fieldservice/index.ts';
import { createApp } from './http/app.ts';
import { AppKeys, AppKeyStage, RateLimits, RateLimitStage, RequestSignatureStage, SessionSigningKeys, appKeyRoutes, developmentStartPageAllowance } from './apisec/index.ts';
import { BearerVerifier } from './http/bearer.ts';
import { loadTls, TLS_POLICY } from './http/tls.ts';
import { pinsRoute } from './http/pins.ts';
import { startPage } from './http/start-page.ts';
import { Metrics, metricsRoute } from './http/metrics.ts';
import { AuditTrail, Sealer, auditRoutes, loadCheckpointSigner, sealerLag, type AuditSink } from './audit/index.ts';
import type { Logger } from 'pino';
import { createLogger, type LogFormat } from './http/logger.ts';
import { startupGate } from './http/starting.ts';
import { databaseUnreachable, portUnavailable, redisUnreachable } from './start-errors.ts';
import { Monitor, type Alert } from './audit/monitor.ts';
import { WebhookDelivery } from './audit/alerts.ts';
import { recordConfiguration } from './audit/config-change.ts';
import { DeviceCommands } from './devices/commands.ts';
import { deviceCommandRoutes, deviceProblemAtTokenEndpoint, deviceProblemForLocked, deviceProblemForRevoked } from './devices/commands-routes.ts';
import { configuredMdms } from './devices/mdm-adapters.ts';
import { MdmStore } from './devices/mdm-store.ts';
import { MdmIngest, type OnDeviceChange } from './devices/mdm-ingest.ts';
import { MdmSync } from './devices/mdm-sync.ts';
import { mdmRoutes } from './devices/mdm-routes.ts';
import { DeviceTrust, appConfigRoutes, isBrowserClient, type MdmView } from './devices/index.ts';
import { attestationForApps } from './devices/attestation/index.ts';
import { adminListRoutes } from './admin/lists.ts';
import { consoleRoutes } from './console/serve.ts';

export interface RunningServer {
  url: string;
  pin: string;
  config: ResolvedConfig;
  db: Database;
  /** The audit trail (tests flush it before searching). */
  audit: AuditTrail;
  /** The process's logger at info or lower, whatever `log.level` says (`palisade start` says on it that the server stopped). */
  log: Logger;
  /** Re-reads the signing key set now (normally every 15 s). */
  reloadKeys(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  config: ResolvedConfig;
  clock?: Clock;
  /** Lines announcing the URL, pin and development defaults; default: the logger, at info. */
  announce?: (line: string) => void;
  /** The logger; default: one made from `log.level` and `log.format` (http/logger.ts). */
  logger?: Logger;
  /**
   * Trust anchors for App Attest in place of Apple's root. Tests only (a fake Apple under a test
   * root); there is deliberately no setting for it.
   */
  appAttestRoots?: readonly X509Certificate[];
}

/**
 * Encryption of the domain's sensitive columns: envelope encryption under data keys wrapped by
 * the master key (security/envelope.ts, decision 0012). Ready before use: the active data key is
 * loaded (or the first one created) outside any request's transaction.
 */
export async function sensitiveCipher(db: Database, master: MasterKey, audit?: AuditSink): Promise<SensitiveCipher> {
  const cipher = new FieldCipher({ db, master, ...(audit ? { audit } : {}) });
  await cipher.ready();
  return cipher;
}

/** The master key: configured, or (development only) generated once into the data folder. */
export function resolveMasterKey(config: ResolvedConfig): MasterKey {
  if (config.masterKey) return masterKeyFromBase64url(config.masterKey);
  const file = path.join(config.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, generateMasterKey() + '\n', { mode: 0o600, flag: 'wx' });
  }
  return masterKeyFromBase64url(readFileSync(file, 'utf8').trim());
}

export async function openConfiguredDatabase(config: ResolvedConfig): Promise<Database> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openDatabase({ url: config.database.url, runtimeUrl: config.database.runtimeUrl, pgliteDir: path.join(config.dataDir, 'pglite'), poolSize: config.database.poolSize });
}

/**
 * With `database.runtimeUrl`, the login behind runtime connections must be what it promises: not
 * a superuser, owning no table, a member of palisade_app. Start-up stops otherwise.
 */
export async function checkRuntimeLogin(db: Database): Promise<void> {
  const { rows } = await db.query<{ login: string; superuser: boolean; member: boolean; owns: boolean }>(
    `SELECT session_user AS login, r.rolsuper AS superuser, pg_has_role(session_user, 'palisade_app', 'MEMBER') AS member,
       EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = session_user) AS owns
     FROM pg_roles r WHERE r.rolname = session_user`,
  );
  const login = rows[0];
  if (!login) throw new Error('database.runtimeUrl: the runtime login could not be inspected');
  if (login.superuser || login.owns || !login.member) {
    throw new Error(
      `database.runtimeUrl logs in as ${login.login}, which ${login.superuser ? 'is a superuser' : login.owns ? 'owns tables' : 'is not a member of palisade_app'}: use a role that owns nothing and is a member of palisade_app (docs/operations.md)`,
    );
  }
}

const KEY_RELOAD_MS = 15_000;
const SWEEP_MS = 10 * 60_000;

/** The log format of `config`: as set, else pretty in development and JSON in production. */
export function logFormat(config: ResolvedConfig): LogFormat {
  return config.log.format ?? (config.production ? 'json' : 'pretty');
}

const READINESS_TIMEOUT_MS = 2000;

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  // One logger from the first line on, handed to Fastify below, so every line has one shape.
  const log = options.logger ?? createLogger({ level: options.config.log.level, format: logFormat(options.config) });
  // The banner (and the start and stop lines) are shown whatever `log.level` says, in the
  // log's format: a child logger with a level of its own, never quieter than info.
  const banner = log.child({});
  if (log.levelVal > log.levels.values.info!) banner.level = 'info';
  const announce = options.announce ?? ((line: string) => banner.info(line));
  // Development shortcuts and weakened protections stand out from the rest of the banner.
  const caution = options.announce ?? ((line: string) => banner.warn(line));
  let config = options.config;
  const master = resolveMasterKey(config);

  // The port before anything else: a port in use is reported before the database is touched,
  // and probes are answered (http/starting.ts) from the moment the port is bound.
  const hostname = config.server.publicUrl ? new URL(config.server.publicUrl).hostname : 'localhost';
  const tls = await loadTls({ ...config.server.tls, dataDir: config.dataDir, hostnames: [hostname] });
  const gate = startupGate();
  // TLS 1.3 only, three AEAD suites, X25519 first (tls.ts says why).
  const https: Server = createServer({ ...TLS_POLICY, cert: tls.cert, key: tls.key }, gate.listener);
  await new Promise<void>((resolve, reject) => {
    https.once('error', (error) => reject(portUnavailable(config.server.host, config.server.port, error)));
    https.listen(config.server.port, config.server.host, () => resolve());
  });
  const port = (https.address() as AddressInfo).port;
  config = { ...config, publicUrl: config.server.publicUrl ?? `https://localhost:${port}` };
  const starting = `Palisade is starting on ${config.server.host}:${port}`;
  if (options.announce) options.announce(starting);
  else banner.info({ event: 'server.starting', port }, starting);

  // Then what is shared with other instances, before any work is done on the database.
  let cache: SharedCache;
  let db: Database;
  try {
    const redisUrl = config.redis.url;
    cache = redisUrl ? await openRedisCache(redisUrl).catch((error: unknown) => Promise.reject(redisUnreachable(redisUrl, error))) : new MemoryCache();
  } catch (error) {
    https.close();
    throw error;
  }
  try {
    db = await openConfiguredDatabase(config);
  } catch (error) {
    https.close();
    await cache.close().catch(() => undefined);
    throw error;
  }
  let startedSessions: Sessions | undefined; // for the clean-up below if start-up fails
  let startedSealer: Sealer | undefined;
  try {
    // A bare "connect ECONNREFUSED" does not say which of the two connections failed.
    const databaseUrl = config.database.url;
    if (databaseUrl) await db.asOwner((q) => q.query('SELECT 1')).catch((error: unknown) => Promise.reject(databaseUnreachable(databaseUrl, error)));
    await migrate(db);
    if (config.database.runtimeUrl) await checkRuntimeLogin(db);
    await ensureSigningKey(db, master, config.tokens.signingAlg, clock);
    const auditSigner = await loadCheckpointSigner(db, master);
    let keys = await loadKeySet(db, master, clock);

    // The audit trail first: everything after it records into it.
    const audit = new AuditTrail(db, clock, log, { flushIntervalMs: parseDuration(config.audit.flushInterval) });
    const sealer = new Sealer(db, auditSigner, clock, log, {
      batchSize: 2000,
      checkpointEvery: config.audit.checkpointEvery,
      checkpointIntervalMs: parseDuration(config.audit.checkpointInterval),
      pollIntervalMs: parseDuration(config.audit.sealInterval),
    });
    sealer.start();
    startedSealer = sealer;
    const metrics = new Metrics(() => sealerLag(db, clock), () => audit.dropped);
    const webhooks = new WebhookDelivery({ webhooks: config.monitoring.webhooks, log, clock });
    // An alert is itself an audit record, and goes to the webhooks and the metrics.
    const raise = (alert: Alert) => {
      metrics.alert(alert.rule, alert.severity);
      webhooks.deliver(alert);
      audit.emit({ action: `alert.${alert.rule}`, outcome: 'success', reason: alert.summary, actor: {}, resource: { type: 'alert', id: alert.key }, detail: { severity: alert.severity, ...alert.detail } });
    };
    const monitor = new Monitor({ config: config.monitoring, clock, raise });
    // The sealer found the stored trail changed behind its back: it stops sealing, and people must know.
    sealer.onTamper = (error) => {
      log.error({ event: 'audit.tamper_detected', reason: error.message }, 'the audit trail was changed behind Palisade’s back: sealing stopped');
      raise({ rule: 'audit_tamper', key: 'audit:chain', severity: 'critical', summary: `The audit trail was tampered with: ${error.message}. Sealing has stopped; run palisade audit verify.`, at: clock.now(), detail: { suppressed: 0 } });
    };
    audit.onEvent((event) => {
      if (!event.action.startsWith('alert.')) monitor.observe(event);
    });
    await recordConfiguration(db, audit, config);

    const claimOnce = (key: string, ttlMs: number) => cache.claimOnce(key, ttlMs);
    const sessions = new Sessions(db, clock, parseDuration(config.tokens.accessTokenTtl), log, cache, audit);
    startedSessions = sessions;
    await sessions.start();

    // The company IdP, or the embedded development IdP reached over Palisade's own TLS.
    const devIdp = config.upstream ? undefined : createDevIdp(config.publicUrl, master);
    const ownTls = new Agent({ connect: { ca: tls.cert } });
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

    const devices = new Devices(db, clock, sessions, config.sessions.maxDevices, audit);
    // Remote wipe and lock (issue 8): commands are signed with whichever key signs now.
    const deviceCommands = new DeviceCommands({ db, clock, sessions, devices, audit, issuer: config.publicUrl, signingKey: () => keys.privateJwks.find((jwk) => jwk.kid === keys.activeKid)! });
    // Request signing keys: handed to the app with its tokens, checked on every API call.
    const signingKeys = new SessionSigningKeys({ db, master, isRevoked: (sid) => sessions.isRevoked(sid) });
    const tokenResponseExtras = async (sessionId: string): Promise<Record<string, string>> => {
      const issued = await signingKeys.issue(sessionId);
      return issued ? { signing_key: issued.key, signing_key_id: issued.keyId } : {};
    };
    // Device trust: posture and compliance at every code exchange and refresh, combined with what
    // the MDM says (the MDM's facts win; a device no MDM manages is BYOD). Platform attestation
    // is verified for the apps that configure it (clients[].attestation); Play Integrity refuses.
    const mdmStore = new MdmStore(db, clock);
    const mdmView: MdmView = { stateFor: (input) => mdmStore.stateFor({ ...input, platform: input.platform ?? 'unknown' }) };
    const attestation = attestationForApps(config.clients, { clock, ...(options.appAttestRoots ? { roots: options.appAttestRoots } : {}) });
    const deviceTrust = new DeviceTrust({ db, clock, sessions, policy: config.devicePolicy, mdm: mdmView, claimOnce, audit, attestation, exemptClients: [START_PAGE_CLIENT_ID], browserClients: [...config.clients.filter(isBrowserClient).map((c) => c.id), CONSOLE_CLIENT_ID] });
    const provider: ProviderHolder = { current: createProvider({ config, db, clock, master, sessions, devices, keys, log, audit, tokenResponseExtras, deviceTrust }) };
    const bearer = new BearerVerifier(keys.publicJwks, {
      issuer: config.publicUrl,
      audience: apiAudience(config),
      clock,
      isRevoked: (sid) => sessions.isRevoked(sid),
      claimOnce,
      explainRevoked: (claims) => deviceProblemForRevoked(deviceCommands, claims),
    });

    const roleMapping = config.upstream?.roles ?? DEV_ROLE_MAPPING;
    const defaultIdleMs = parseDuration(config.sessions.idleTimeout);
    const idleByClient = new Map(config.clients.filter((c) => c.idleTimeout).map((c) => [c.id, parseDuration(c.idleTimeout!)]));
    const activity = new SessionActivity(db, clock, { idleMsFor: (clientId) => idleByClient.get(clientId) ?? defaultIdleMs });
    sessions.onUnlock((sessionId) => activity.forget(sessionId));
    const unlock = new SessionUnlock(db, clock, sessions, audit);

    const refreshRetries = new RefreshRetries({
      db,
      clock,
      master,
      graceMs: parseDuration(config.tokens.refreshRetryGrace),
      tokenEndpoint: `${config.publicUrl}/oauth2/token`,
      claimOnce,
      onReuse: (grantId, detail) => sessions.endForReuse(grantId, { retryWindow: true, ...detail }),
    });
    // App keys: every registered app's requests carry one of its keys. The start page (development
    // IdP only) is a browser page, which cannot keep a key; so are clients declared `appKey: off`.
    const appKeys = new AppKeys({ db, clock, master, apps: config.clients.map((c) => c.id), audit, log });
    // One set of counters for every stage: a made-up app key and a failed sign-in from the same
    // address add up to one lockout.
    const rateLimits = new RateLimits({
      config: config.rateLimits,
      apps: Object.fromEntries(config.clients.filter((c) => c.rateLimits).map((c) => [c.id, c.rateLimits!])),
      // With the development IdP, the start page's sign-ins have an allowance of their own (decision 0013).
      ...(devIdp ? { authAllowances: { [START_PAGE_CLIENT_ID]: developmentStartPageAllowance(config.rateLimits.auth) } } : {}),
      counters: (o) => cache.counters(o),
      audit,
      log,
    });
    const keylessApps = [...config.clients.filter((c) => c.appKey === 'off').map((c) => c.id), CONSOLE_CLIENT_ID, ...(config.upstream ? [] : [START_PAGE_CLIENT_ID])];
    const app = createApp({
      server: https,
      appKeys: new AppKeyStage(appKeys, keylessApps, rateLimits),
      bodyLimit: config.server.bodyLimit,
      logLevel: config.log.level,
      logger: log,
      trustProxy: config.server.trustProxy,
      corsOrigins: config.server.corsOrigins,
      bearer,
      publicOrigin: config.publicUrl,
      authorization: authorizationStage(db),
      stepUp: { maxAgeMs: parseDuration(config.sessions.stepUpMaxAge), acr: config.sessions.stepUpAcr, clock },
      async sessionGuard(claims, { allowLocked }) {
        const state = await activity.touch(claims.sid, claims.client_id);
        // Locked by a device lock the app has not acknowledged: it is told (with the command) even
        // on the unlock routes, so it locks itself before anyone may unlock.
        if (state === 'locked') {
          const deviceLocked = await deviceProblemForLocked(deviceCommands, claims.sid);
          if (deviceLocked) throw deviceLocked;
        }
        if (state === 'locked' && !allowLocked) throw problems.sessionLocked();
        if (state === 'unknown') throw problems.sessionRevoked();
      },
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
      audit,
      onResponse: (response) => {
        metrics.response(response);
        if (response.appId) monitor.observeResponse({ appId: response.appId, status: response.status, at: clock.now() });
      },
      readiness: async () => {
        // Bounded: a probe must get an answer, not wait on a connection that hangs.
        const within = (work: Promise<unknown>) =>
          Promise.race([work, new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS).unref())]);
        try {
          await within(db.query('SELECT 1'));
        } catch {
          return 'the database is not reachable';
        }
        try {
          await within(cache.ping());
        } catch {
          return 'Redis is not reachable';
        }
        return undefined;
      },
    });
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
      isDeprovisioned: (userName) => isDeactivated(db, userName),
      audit,
      deviceCommandProblem: (form, dpop) =>
        deviceProblemAtTokenEndpoint(deviceCommands, { form, dpop, tokenEndpoint: `${config.publicUrl}/oauth2/token`, now: clock.now(), claimOnce }),
    });
    await app.register(userRoutes, { db, sessionLifetimeMs: parseDuration(config.tokens.refreshAbsoluteTtl) });
    await app.register(sessionRoutes, { sessions, devices, unlock });
    await app.register(scimRoutes, {
      db,
      clock,
      baseUrl: config.publicUrl,
      effects: new ScimEffects({
        db,
        clock,
        sessions,
        roles: roleMapping,
        log: { info: (details, message) => app.log.info(details, message) },
        audit,
      }),
    });
    await app.register(adminSessionRoutes, {
      sessions,
      devices,
      audit: (event: AdminAuditEvent) =>
        audit.emit({
          action: `admin.${event.action}`,
          outcome: event.outcome === 'success' ? 'success' : event.outcome === 'denied' ? 'denied' : 'failure',
          ...(event.outcome === 'not_found' || event.outcome === 'refused' ? { reason: event.outcome } : {}),
          actor: event.actor,
          resource: event.target,
          ...(event.detail ? { detail: event.detail } : {}),
        }),
    });
    await app.register(deviceCommandRoutes, { commands: deviceCommands, audit, clock });
    await app.register(auditRoutes, { db, audit });
    // Signed with whichever key signs now: `keys` is replaced on every reload below.
    const activeKey = () => keys.privateJwks.find((jwk) => jwk.kid === keys.activeKid)!;
    await app.register(pinsRoute, { issuer: config.publicUrl, current: tls.pin, backups: tls.backupPins, signingKey: activeKey, clock });
    await app.register(appKeyRoutes, { keys: appKeys, audit });
    await app.register(appConfigRoutes, { trust: deviceTrust, issuer: config.publicUrl, pins: { current: tls.pin, backups: tls.backupPins }, signingKey: activeKey, clock });
    const fieldCipher = await sensitiveCipher(db, master, audit);
    await app.register(fieldServiceRoutes, { db, audit, cipher: fieldCipher });
    await app.register(photoRoutes, { db, audit, blobs: new FileBlobStore(path.join(config.dataDir, 'blobs')) });
    await app.register(exportRoutes, { db, audit, clock, devicePolicy: config.devicePolicy });
    await app.register(roleRoutes, { db, audit });
    await app.register(adminListRoutes, { db, audit, clock, master });
    // MDM (issue 8): notifications at /mdm/v1/<vendor>/events and the scheduled inventory sync
    // of every configured MDM, into one store that the device policy reads (`mdmStore` is its MdmView).
    const mdms = configuredMdms(config.mdm);
    // A change the MDM reports reaches the Palisade devices that named that MDM device id in
    // their posture: a wipe or retire event orders a remote wipe (app data only); any other
    // change re-evaluates the device against the policy, and a device now out of policy loses
    // its sessions on every instance through the revocation feed. Called after the change is
    // stored and the vendor answered; a failure is logged, never thrown back.
    const onDeviceChange: OnDeviceChange = async (change) => {
      const { rows } = await db.query<{ id: string }>(
        "SELECT id FROM devices WHERE lower(mdm_device_id) = lower($1) AND state IN ('active', 'locked')",
        [change.mdmDeviceId],
      );
      for (const { id } of rows) {
        if (change.removed && /wipe|retire/i.test(change.event ?? '')) {
          await deviceCommands.orderCommand(id, 'wipe', `mdm:${change.vendor}`, `${change.vendor} ${change.event}`);
        } else {
          await deviceTrust.reevaluate(id, `mdm.${change.source}`);
        }
      }
    };
    const mdmIngest = new MdmIngest({ store: mdmStore, onDeviceChange, log });
    const mdmSync = new MdmSync({ mdms, store: mdmStore, ingest: mdmIngest, audit, clock, log });
    if (mdms.size > 0) await app.register(mdmRoutes, { mdms, ingest: mdmIngest, audit });
    let demoLine: string | undefined;
    if (config.demo.seed ?? !config.upstream) {
      const seeded = await seedDemo(db, fieldCipher, { devIssuer: `${config.publicUrl}${DEV_IDP_PATH}` });
      demoLine = seeded.seeded
        ? `Demo data loaded: ${seeded.jobs} jobs, ${seeded.customers} customers, ${seeded.sites} sites, ${seeded.technicians} technicians in ${seeded.territories} territories`
        : 'Demo data: the domain already holds data, nothing loaded';
    }
    if (config.metrics.token) await app.register(metricsRoute, { metrics, token: config.metrics.token });
    // The start page signs demo people in; with a company IdP it (and its client) does not exist.
    if (!config.upstream) await app.register(startPage, { development: true });
    await app.register(consoleRoutes);
    await app.ready();
    // From here on requests reach the app; until now the start-up gate answered them.
    gate.open(app.routing);
    mdmSync.start();

    // Key rotation by any instance (or `palisade keys rotate`) is picked up here.
    const reloadKeys = async () => {
      const next = await loadKeySet(db, master, clock);
      if (next.version === keys.version && next.activeKid === keys.activeKid) return;
      keys = next;
      provider.current = createProvider({ config, db, clock, master, sessions, devices, keys, log, audit, tokenResponseExtras, deviceTrust });
      bearer.setKeys(keys.publicJwks);
      app.log.info({ event: 'keys.reloaded', activeKid: keys.activeKid, published: keys.publicJwks.length }, 'signing keys reloaded');
    };
    const timer = setInterval(() => reloadKeys().catch((err: unknown) => app.log.error({ err }, 'signing key reload failed')), KEY_RELOAD_MS);
    timer.unref();
    // Expired codes, tokens and interactions are invisible already; this only bounds the table.
    // Every instance may sweep: the DELETE is idempotent.
    const sweep = () =>
      Promise.all([sweepExpiredPayloads(db, clock), refreshRetries.sweepExpired()])
        .then(([removed]) => removed && app.log.info({ event: 'oauth.swept', removed }, 'expired authorization records removed'))
        .catch((err: unknown) => app.log.error({ err }, 'sweeping expired authorization records failed'));
    const sweeper = setInterval(sweep, SWEEP_MS);
    sweeper.unref();

    const url = config.publicUrl;
    if (demoLine) announce(demoLine);
    announce(`Palisade is listening on ${config.server.host}:${port} — open ${url}/`);
    announce(`Admin console: ${url}/console/`);
    announce(`TLS certificate pin (SPKI): ${tls.pin}`);
    const backupKeyAt = tls.selfSigned ? path.join(config.dataDir, 'tls', 'backup-key.pem') : 'held offline';
    for (const backup of tls.backupPins) announce(`TLS backup pin (SPKI, key ${backupKeyAt}): ${backup}`);
    if (tls.backupPins.length === 0) caution('WARNING: no backup pin (server.tls.allowNoBackupPins): an app that pins this certificate is locked out when its key changes');
    announce(`OAuth issuer: ${url}  ·  company IdP redirect URI to register: ${url}/auth/callback`);
    for (const line of config.developmentDefaults) caution(`DEVELOPMENT ONLY: ${line}`);
    if (devIdp) {
      const { points } = developmentStartPageAllowance(config.rateLimits.auth);
      caution(`DEVELOPMENT ONLY: start page sign-ins may use ${points} authentication requests a minute per address; apps keep rateLimits.auth (${config.rateLimits.auth.points} per ${config.rateLimits.auth.duration})`);
    }
    if (config.database.url && !config.database.runtimeUrl) {
      caution('WARNING: runtime database connections log in as the schema owner and SET ROLE palisade_app; give them a login of their own (database.runtimeUrl, docs/operations.md)');
    }
    announce('Palisade is ready.');

    return {
      url,
      pin: tls.pin,
      config,
      db,
      audit,
      log: banner,
      reloadKeys,
      async close() {
        clearInterval(timer);
        clearInterval(sweeper);
        // Fastify did not call listen() (the HTTPS server was started before it, see above), so
        // it will not close the listener itself: stop accepting, let in-flight requests finish
        // through app.close(), then drop keep-alive connections that would otherwise hold the
        // listener open until clients time out.
        const stopped = new Promise<void>((resolve) => https.close(() => resolve()));
        await app.close();
        https.closeAllConnections();
        await stopped;
        await ownTls.close();
        // Before the audit trail and the database close: a sync in progress is aborted and its records written.
        await mdmSync.stop();
        await sessions.stop();
        // What is queued is written, then sealed, before the database closes.
        await audit.close();
        await sealer.stop();
        await sealer.drain().catch((err: unknown) => app.log.error({ err }, 'final audit sealing failed'));
        await webhooks.close();
        await cache.close();
        await db.close();
      },
    };
  } catch (error) {
    https.close();
    await startedSealer?.stop().catch(() => undefined);
    await startedSessions?.stop().catch(() => undefined);
    await cache.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
