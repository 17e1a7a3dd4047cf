/**
 * The SCIM module: the company IdP's provisioning (/scim/v2) of users and groups, and what a
 * change means for Palisade (deactivation ends sessions, group changes change roles).
 */
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { SessionsModuleApi } from '../sessions/index.ts';
import type { RoleMapping } from '../users/index.ts';
import { defineModule } from '../module.ts';
import { scimRoutes } from './routes.ts';
import { ScimEffects } from './service.ts';

export const scimModule = defineModule({
  name: 'scim',
  dependencies: ['db', 'audit', 'sessions'],
  migrations: ['0004_scim.sql'],
  async start({ config, db, clock, audit, sessions, roles }: { config: ResolvedConfig; db: Database; clock: Clock; audit: AuditSink; sessions: SessionsModuleApi; roles: RoleMapping }) {
    return {
      api: undefined,
      async routes(app) {
        const effects = new ScimEffects({ db, clock, sessions: sessions.sessions, roles, log: { info: (details, message) => app.log.info(details, message) }, audit });
        await app.register(scimRoutes, { db, clock, baseUrl: config.publicUrl, effects });
      },
    };
  },
});
