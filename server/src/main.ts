/**
 * Composition root: the modules of one Palisade server, started in dependency order and stopped
 * in reverse (module.ts). Each module's start takes what it needs from the modules before it;
 * nothing else wires modules together, so the dependency direction stays visible here.
 */
import path from 'node:path';
import type { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { ResolvedConfig } from './config/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { ModuleLifecycle } from './module.ts';
import { databaseAnswers, databaseModule, type Database } from './db/index.ts';
import { cacheModule } from './cache/index.ts';
import { resolveMasterKey } from './security/index.ts';
import { auditModule, type AuditTrail } from './audit/index.ts';
import { sessionsModule } from './sessions/index.ts';
import { devicesModule } from './devices/index.ts';
import { apisecModule, developmentStartPageAllowance } from './apisec/index.ts';
import { CONSOLE_CLIENT_ID, DEV_IDP_PATH, FIELD_WEB_CLIENT_ID, FIELD_WEB_ORIGIN, DEV_ROLE_MAPPING, oauthModule, signingKeysModule, START_PAGE_CLIENT_ID } from './oauth/index.ts';
import { adminModule } from './admin/index.ts';
import { consoleModule } from './console/index.ts';
import { isDeactivated, scimModule } from './scim/index.ts';
import { usersModule } from './users/index.ts';
import { authzModule } from './authz/index.ts';
import { fieldServiceModule } from './domains/fieldservice/index.ts';
import { privacyModule } from './privacy/index.ts';
import { retentionModule } from './retention/index.ts';
import { complianceModule } from './compliance/index.ts';
import { createLogger, httpModule, listenerModule, logFormat, problems, type ListenerApi } from './http/index.ts';

// What the CLI, the benchmarks and the tests import from the package's entry point.
export { resolveMasterKey, sensitiveCipher } from './security/index.ts';
export { checkRuntimeLogin, openConfiguredDatabase } from './db/index.ts';
export { logFormat } from './http/index.ts';

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
  /**
   * Stops every module in reverse order: /readyz turns 503 and the listener stops accepting at
   * once, requests in flight finish (within `server.shutdownTimeout`; `forced` when some had to be
   * cut), then timers, the audit trail and sealer, and the connections stop.
   */
  close(): Promise<{ forced: boolean }>;
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
  const master = resolveMasterKey(options.config);
  const modules = new ModuleLifecycle();
  try {
    // The port first: a port in use is reported before the database is touched, and probes are
    // answered (http/starting.ts) from the moment it is bound.
    const listener = await modules.start(listenerModule, { config: options.config });
    const developmentIdp = !options.config.upstream;
    const config: ResolvedConfig = {
      ...options.config,
      publicUrl: options.config.server.publicUrl ?? `https://localhost:${listener.port}`,
      // With the development IdP, the field app's web build (apps/field, `npm run field:web`)
      // calls the API from its own origin: it is a CORS origin like those configured.
      ...(developmentIdp ? { server: { ...options.config.server, corsOrigins: [...options.config.server.corsOrigins, FIELD_WEB_ORIGIN] } } : {}),
    };
    // Browser clients without an app key: the console always, the field app's web build in development.
    const browserClients = developmentIdp ? [CONSOLE_CLIENT_ID, FIELD_WEB_CLIENT_ID] : [CONSOLE_CLIENT_ID];
    const starting = `Palisade is starting on ${config.server.host}:${listener.port}`;
    if (options.announce) options.announce(starting);
    else banner.info({ event: 'server.starting', port: listener.port }, starting);

    // Then what is shared with other instances, before any work is done on the database.
    const cache = await modules.start(cacheModule, { config, clock });
    const db = await modules.start(databaseModule, { config });
    const claimOnce = (key: string, ttlMs: number, issuedAtS?: number) => cache.claimOnce(key, ttlMs, issuedAtS);
    const base = { config, db, clock, log, master };
    // The audit trail first: everything after it records into it.
    const audit = await modules.start(auditModule, base);
    const keys = await modules.start(signingKeysModule, base);
    const sessions = await modules.start(sessionsModule, { ...base, cache, audit: audit.trail });
    const devices = await modules.start(devicesModule, {
      ...base,
      audit: audit.trail,
      sessions,
      claimOnce,
      signingKey: keys.activeKey,
      pins: { current: listener.tls.pin, backups: listener.tls.backupPins },
      exemptClients: [START_PAGE_CLIENT_ID],
      browserClients,
      ...(options.appAttestRoots ? { appAttestRoots: options.appAttestRoots } : {}),
    });
    const apisec = await modules.start(apisecModule, {
      ...base,
      cache,
      audit: audit.trail,
      isRevoked: (sid) => sessions.sessions.isRevoked(sid),
      onSessionEnd: (ending) => sessions.sessions.onEnd(ending),
      keylessClients: browserClients,
      ...(developmentIdp ? { startPageClient: START_PAGE_CLIENT_ID } : {}),
    });
    const oauth = await modules.start(oauthModule, {
      ...base,
      audit: audit.trail,
      keys,
      sessions,
      claimOnce,
      tlsCert: listener.tls.cert,
      tokenResponseExtras: apisec.tokenResponseExtras,
      deviceTrust: devices.trust,
      explainRevoked: devices.problemForRevoked,
      deviceCommandProblem: devices.problemAtTokenEndpoint,
      isDeprovisioned: (userName) => isDeactivated(db, userName),
    });
    await modules.start(usersModule, base);
    await modules.start(scimModule, { ...base, audit: audit.trail, sessions, roles: config.upstream?.roles ?? DEV_ROLE_MAPPING });
    const authz = await modules.start(authzModule, { db, audit: audit.trail, sessions });
    await modules.start(adminModule, { db, audit: audit.trail, clock, master, config, sessions: sessions.sessions, devices: sessions.devices });
    await modules.start(consoleModule, undefined);
    const fieldService = await modules.start(fieldServiceModule, { ...base, audit: audit.trail, devIssuer: `${config.publicUrl}${DEV_IDP_PATH}` });
    const privacy = await modules.start(privacyModule, { config, db, audit: audit.trail, clock, log, sessions: sessions.sessions, raise: audit.raise, blobs: fieldService.photos, personKeys: fieldService.personKeys, cipher: fieldService.cipher });
    const retention = await modules.start(retentionModule, { config, db, audit: audit.trail, clock, log });
    await modules.start(complianceModule, { config, db, audit: audit.trail, clock, master });
    const http = await modules.start(httpModule, {
      ...base,
      listener,
      audit: audit.trail,
      routes: modules.routes,
      stages: { bearer: oauth.bearer, authorization: authz.stage, ...apisec.stages },
      async sessionGuard(claims, { allowLocked }) {
        const state = await sessions.activity.touch(claims.sid, claims.client_id);
        // Locked by a device lock the app has not acknowledged: it is told (with the command) even
        // on the unlock routes, so it locks itself before anyone may unlock.
        if (state === 'locked') {
          const deviceLocked = await devices.problemForLocked(claims.sid);
          if (deviceLocked) throw deviceLocked;
        }
        if (state === 'locked' && !allowLocked) throw problems.sessionLocked();
        if (state === 'unknown') throw problems.sessionRevoked();
      },
      dependencies: [
        { check: () => databaseAnswers(db), unreachable: 'the database is not reachable' },
        { check: () => cache.ping(), unreachable: 'Redis is not reachable' },
      ],
      observe: {
        sealerLag: audit.sealerLag,
        dropped: () => audit.trail.dropped,
        retentionPurged: retention.purged,
        breachClocks: privacy.breachClocks,
        onAlert: audit.onAlert,
        response: (response) => audit.monitor.observeResponse(response),
      },
      signingKey: keys.activeKey,
      developmentIdp,
    });
    modules.serve();

    announceReady({ config, listener, demoLine: fieldService.demoLine, developmentIdp, announce, caution });
    return {
      url: config.publicUrl,
      pin: listener.tls.pin,
      config,
      db,
      audit: audit.trail,
      log: banner,
      reloadKeys: keys.reload,
      async close() {
        const { failures } = await modules.stop();
        for (const { module, error } of failures) log.error({ event: 'module.stop_failed', module, err: error }, `module ${module} did not stop cleanly`);
        if (failures.length > 0) throw failures[0]!.error;
        return { forced: http.forced };
      },
    };
  } catch (error) {
    // Whatever had started stops again, in reverse; the start-up error is what is reported.
    await modules.stop();
    throw error;
  }
}

/** The banner: where Palisade listens, its pins, and every development shortcut in force. */
function announceReady(o: { config: ResolvedConfig; listener: ListenerApi; demoLine: string | undefined; developmentIdp: boolean; announce(line: string): void; caution(line: string): void }): void {
  const { config, listener, announce, caution } = o;
  const url = config.publicUrl;
  if (o.demoLine) announce(o.demoLine);
  announce(`Palisade is listening on ${config.server.host}:${listener.port} — open ${url}/`);
  announce(`Admin console: ${url}/console/`);
  announce(`TLS certificate pin (SPKI): ${listener.tls.pin}`);
  const backupKeyAt = listener.tls.selfSigned ? path.join(config.dataDir, 'tls', 'backup-key.pem') : 'held offline';
  for (const backup of listener.tls.backupPins) announce(`TLS backup pin (SPKI, key ${backupKeyAt}): ${backup}`);
  if (listener.tls.backupPins.length === 0) caution('WARNING: no backup pin (server.tls.allowNoBackupPins): an app that pins this certificate is locked out when its key changes');
  announce(`OAuth issuer: ${url}  ·  company IdP redirect URI to register: ${url}/auth/callback`);
  for (const line of config.developmentDefaults) caution(`DEVELOPMENT ONLY: ${line}`);
  if (o.developmentIdp) {
    const { points } = developmentStartPageAllowance(config.rateLimits.auth);
    caution(`DEVELOPMENT ONLY: start page sign-ins may use ${points} authentication requests a minute per address; apps keep rateLimits.auth (${config.rateLimits.auth.points} per ${config.rateLimits.auth.duration})`);
  }
  if (config.database.url && !config.database.runtimeUrl) {
    caution('WARNING: runtime database connections log in as the schema owner and SET ROLE palisade_app; give them a login of their own (database.runtimeUrl, docs/operations.md)');
  }
  announce('Palisade is ready.');
}
