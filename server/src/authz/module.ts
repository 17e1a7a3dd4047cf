/**
 * The authorization module: the permission matrix, the pipeline stage that checks a route's
 * permission and sets the caller's claims for row-level security, and role management.
 */
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { defineModule } from '../module.ts';
import { roleRoutes } from './routes.ts';
import { authorizationStage } from './stage.ts';

export const authzModule = defineModule({
  name: 'authz',
  dependencies: ['db', 'audit'],
  permissions: ['users.roles.manage'],
  async start({ db, audit }: { db: Database; audit: AuditSink }) {
    return {
      api: { stage: authorizationStage(db) },
      async routes(app) {
        await app.register(roleRoutes, { db, audit });
      },
    };
  },
});
