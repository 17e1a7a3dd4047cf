/** The permissions the app may show: what the caller may do, from the matrix, for the UI. */
import type { FastifyInstance } from 'fastify';
import { permissionsOf, PERMISSIONS, rule } from '../../../authz/index.ts';
import { NO_QUERY } from '../../../http/index.ts';
import { security } from './shared.ts';

export function permissionRoutes(app: FastifyInstance): void {
  app.get(
    '/api/v1/me/permissions',
    {
      onRequest: app.authenticate,
      config: { permission: 'account.self' },
      schema: {
        tags: ['authorization'],
        summary: 'What the caller may do: permissions from the matrix, with scope and step-up (for the UI)',
        security,
        querystring: NO_QUERY,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['roles', 'permissions', 'scope'],
            properties: {
              roles: { type: 'array', items: { type: 'string' } },
              permissions: {
                type: 'array',
                items: { type: 'object', additionalProperties: false, required: ['name', 'scope', 'stepUp'], properties: { name: { type: 'string' }, scope: { type: 'string' }, stepUp: { type: 'boolean' } } },
              },
              scope: {
                type: 'object',
                additionalProperties: false,
                required: ['territory', 'region', 'department', 'projects', 'contractor'],
                properties: { territory: { type: ['string', 'null'] }, region: { type: ['string', 'null'] }, department: { type: ['string', 'null'] }, projects: { type: 'array', items: { type: 'string' } }, contractor: { type: 'boolean' } },
              },
            },
          },
        },
      },
    },
    async (request) => {
      // The caller as the authorization stage loaded them: roles as the database holds them now.
      const who = request.caller!;
      return {
        roles: who.roles,
        permissions: permissionsOf(who.roles).map((name) => ({ name, scope: PERMISSIONS[name].scope, stepUp: rule(name).stepUp === true })),
        scope: { territory: who.claims.territory, region: who.claims.region, department: who.claims.department, projects: [...who.claims.projects], contractor: who.claims.contractor },
      };
    },
  );
}
