/**
 * The admin module: the list endpoints of the /admin/v1 API that the console pages through
 * (people, sessions, devices), one person's profile, and incident containment of one person
 * (disable, re-enable) through the incident module, and the overview's counts and the configuration
 * without its secrets. It owns no table: it reads through the
 * users and sessions stores.
 */
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { MasterKey } from '../security/index.ts';
import { defineModule } from '../module.ts';
import type { Devices, Sessions } from '../sessions/index.ts';
import { adminListRoutes } from './lists.ts';
import { adminPeopleRoutes } from './people.ts';
import { adminOverviewRoutes } from './overview.ts';
import { adminConfigurationRoutes } from './configuration.ts';
import type { ResolvedConfig } from '../config/index.ts';

export const adminModule = defineModule({
  name: 'admin',
  dependencies: ['db', 'audit', 'sessions'],
  permissions: ['sessions.read', 'users.disable', 'config.read'],
  async start(deps: { db: Database; audit: AuditSink; clock: Clock; master: MasterKey; sessions: Sessions; devices: Devices; config: ResolvedConfig }) {
    return {
      api: undefined,
      async routes(app) {
        await app.register(adminListRoutes, deps);
        await app.register(adminPeopleRoutes, deps);
        await app.register(adminOverviewRoutes, deps);
        await app.register(adminConfigurationRoutes, deps);
      },
    };
  },
});
