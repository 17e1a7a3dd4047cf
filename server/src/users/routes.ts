import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/index.ts';
import { findUser } from './store.ts';
import { problems, NO_QUERY } from '../http/index.ts';

const nullableString = { type: ['string', 'null'] } as const;
const MeResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'email', 'roles', 'attributes', 'session', 'clientId', 'scope'],
  properties: {
    id: { type: 'string' },
    name: nullableString,
    email: nullableString,
    roles: { type: 'array', items: { type: 'string' } },
    attributes: {
      type: 'object',
      additionalProperties: false,
      properties: {
        department: nullableString,
        territory: nullableString,
        region: nullableString,
        projects: { type: 'array', items: { type: 'string' } },
        employeeType: nullableString,
      },
    },
    session: {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'string' },
        authTime: { type: 'string', format: 'date-time' },
        expiresAt: { type: 'string', format: 'date-time' },
        acr: nullableString,
        amr: { type: 'array', items: { type: 'string' } },
      },
    },
    clientId: { type: 'string' },
    scope: { type: 'string' },
  },
} as const;

export interface UserRoutesDeps {
  db: Database;
  /** How long a session lasts from its SSO login (tokens.refreshAbsoluteTtl). */
  sessionLifetimeMs: number;
}

export async function userRoutes(app: FastifyInstance, deps: UserRoutesDeps): Promise<void> {
  app.get(
    '/api/v1/me',
    {
      onRequest: app.authenticate,
      config: { permission: 'account.self' },
      schema: {
        tags: ['identity'],
        summary: 'The caller: identity, roles, attributes and session',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        response: { 200: MeResponse },
      },
    },
    async (request) => {
      const auth = request.auth!;
      // The bearer check has verified the token and that its session is not revoked (the deny
      // set every instance keeps current from the revocation feed); the session's facts are
      // in the token. The user row gives current name, e-mail, roles and attributes.
      const user = await findUser(deps.db, auth.sub);
      if (!user) throw problems.sessionRevoked();
      const authTime = (auth.auth_time ?? auth.iat!) * 1000;
      return {
        id: user.id,
        name: user.name,
        email: user.email,
        roles: user.roles,
        attributes: { department: user.department, territory: user.territory, region: user.region, projects: user.projects, employeeType: user.employeeType },
        session: { id: auth.sid, authTime: new Date(authTime).toISOString(), expiresAt: new Date(authTime + deps.sessionLifetimeMs).toISOString(), acr: auth.acr ?? null, amr: auth.amr ?? [] },
        clientId: auth.client_id,
        scope: auth.scope ?? '',
      };
    },
  );
}
