/**
 * The compliance module: the compliance report over the admin API (`GET /admin/v1/compliance`)
 * and the CLI (`palisade compliance report`). It owns no table: it reads the configuration and,
 * through their modules, the signing keys, app keys, the audit trail and the breach clocks.
 */
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { MasterKey } from '../security/index.ts';
import { defineModule } from '../module.ts';
import { complianceRoutes } from './routes.ts';

export const complianceModule = defineModule({
  name: 'compliance',
  dependencies: ['db', 'audit', 'signing-keys', 'apisec', 'privacy'],
  permissions: ['compliance.read'],
  async start(deps: { config: ResolvedConfig; db: Database; audit: AuditSink; clock: Clock; master: MasterKey }) {
    return {
      api: undefined,
      async routes(app) {
        await app.register(complianceRoutes, deps);
      },
    };
  },
});
