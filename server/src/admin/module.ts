/**
 * The admin module: the list endpoints of the /admin/v1 API that the console pages through
 * (people, sessions, devices). It owns no table: it reads through the users and sessions stores.
 */
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { MasterKey } from '../security/index.ts';
import { defineModule } from '../module.ts';
import { adminListRoutes } from './lists.ts';

export const adminModule = defineModule({
  name: 'admin',
  dependencies: ['db', 'audit'],
  permissions: ['sessions.read'],
  async start(deps: { db: Database; audit: AuditSink; clock: Clock; master: MasterKey }) {
    return {
      api: undefined,
      async routes(app) {
        await app.register(adminListRoutes, deps);
      },
    };
  },
});
