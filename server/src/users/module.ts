/**
 * The users module: the people who signed in (kept current from the company IdP's claims and
 * SCIM) and `/api/v1/me`, what the signed-in person sees of themselves.
 */
import type { ResolvedConfig } from '../config/index.ts';
import { parseDuration } from '../duration.ts';
import type { Database } from '../db/index.ts';
import { defineModule } from '../module.ts';
import { userRoutes } from './routes.ts';

export const usersModule = defineModule({
  name: 'users',
  dependencies: ['db'],
  permissions: ['account.self'],
  async start({ config, db }: { config: ResolvedConfig; db: Database }) {
    return {
      api: undefined,
      async routes(app) {
        await app.register(userRoutes, { db, sessionLifetimeMs: parseDuration(config.tokens.refreshAbsoluteTtl) });
      },
    };
  },
});
