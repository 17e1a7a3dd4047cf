/**
 * The sessions module: sessions (one SSO sign-in on one device) and their revocation feed,
 * devices, idle lock and unlock, and the routes an app and an administrator use on them.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { parseDuration } from '../duration.ts';
import type { Database } from '../db/index.ts';
import type { SharedCache } from '../cache/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { defineModule } from '../module.ts';
import { Sessions } from './service.ts';
import { Devices } from './devices.ts';
import { SessionActivity } from './activity.ts';
import { SessionUnlock } from './unlock.ts';
import { sessionRoutes } from './routes.ts';
import { adminAuditRecorder, adminSessionRoutes } from './admin-routes.ts';

export interface SessionsModuleApi {
  sessions: Sessions;
  devices: Devices;
  activity: SessionActivity;
  unlock: SessionUnlock;
}

export interface SessionsModuleDeps {
  config: ResolvedConfig;
  db: Database;
  cache: SharedCache;
  audit: AuditSink;
  clock: Clock;
  log: Logger;
}

export const sessionsModule = defineModule({
  name: 'sessions',
  dependencies: ['db', 'cache', 'audit'],
  config: ['sessions'],
  permissions: ['sessions.read', 'sessions.end', 'session.signout'],
  migrations: ['0002_session_activity.sql', '0003_backchannel_logout.sql', '0005_devices.sql', '0006_unlock.sql', '0007_device_proof.sql'],
  async start({ config, db, cache, audit, clock, log }: SessionsModuleDeps) {
    const sessions = new Sessions(db, clock, parseDuration(config.tokens.accessTokenTtl), log, cache, audit);
    await sessions.start();
    const devices = new Devices(db, clock, sessions, config.sessions.maxDevices, audit);
    const defaultIdleMs = parseDuration(config.sessions.idleTimeout);
    const idleByClient = new Map(config.clients.filter((c) => c.idleTimeout).map((c) => [c.id, parseDuration(c.idleTimeout!)]));
    const activity = new SessionActivity(db, clock, { idleMsFor: (clientId) => idleByClient.get(clientId) ?? defaultIdleMs });
    sessions.onUnlock((sessionId) => activity.forget(sessionId));
    const unlock = new SessionUnlock(db, clock, sessions, audit);
    const api: SessionsModuleApi = { sessions, devices, activity, unlock };
    return {
      api,
      async routes(app) {
        await app.register(sessionRoutes, { sessions, devices, unlock });
        await app.register(adminSessionRoutes, { sessions, devices, audit: adminAuditRecorder(audit) });
      },
      stop: () => sessions.stop(),
    };
  },
});
