/**
 * The authorization module: the permission matrix, the pipeline stage that checks a route's
 * permission and sets the caller's claims for row-level security, and role management.
 */
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { SessionsModuleApi } from '../sessions/index.ts';
import { defineModule } from '../module.ts';
import { roleRoutes } from './routes.ts';
import { authorizationStage } from './stage.ts';

export const authzModule = defineModule({
  name: 'authz',
  dependencies: ['db', 'audit', 'sessions'],
  permissions: ['users.roles.manage'],
  async start({ db, audit, sessions }: { db: Database; audit: AuditSink; sessions: SessionsModuleApi }) {
    return {
      api: { stage: authorizationStage(db) },
      async routes(app) {
        await app.register(roleRoutes, { db, audit, sessions: sessions.sessions });
      },
    };
  },
});
