import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/index.ts';
import type { Sessions } from '../sessions/index.ts';
import { findUser } from './store.ts';
import { problems } from '../http/problems.ts';

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

export async function userRoutes(app: FastifyInstance, deps: { db: Database; sessions: Sessions }): Promise<void> {
  app.get(
    '/api/v1/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['identity'],
        summary: 'The caller: identity, roles, attributes and session',
        security: [{ bearer: [] }],
        response: { 200: MeResponse },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const [user, session] = await Promise.all([findUser(deps.db, auth.sub), deps.sessions.find(auth.sid)]);
      // The deny set is the fast path; the row is the truth (a revocation by another instance).
      if (!user || !session || session.revokedAt || session.userId !== user.id) throw problems.sessionRevoked();
      return {
        id: user.id,
        name: user.name,
        email: user.email,
        roles: user.roles,
        attributes: { department: user.department, territory: user.territory, region: user.region, projects: user.projects, employeeType: user.employeeType },
        session: { id: session.id, authTime: session.authTime.toISOString(), expiresAt: session.expiresAt.toISOString(), acr: session.acr, amr: session.amr },
        clientId: auth.client_id,
        scope: auth.scope ?? '',
      };
    },
  );
}
