/**
 * One person on the admin API, for the console's person page: their profile (attributes,
 * status), and incident containment from the browser — disable (every session ends on every
 * instance, every device is marked wiped, sign-in is refused) and re-enable.
 *
 * - Authorization: `sessions.read` to read; `users.disable` (admin, destructive: step-up) to
 *   disable or re-enable, decided by the authorization stage from the caller's roles now.
 * - The work is the incident module's (`palisade incident contain --user` / `release --user`),
 *   so the console and the on-call engineer's command do exactly the same thing and leave the
 *   same trail (`user.disable`, `incident.contain`, `user.enable`, `incident.release`), with
 *   the admin as actor (the request's audit context).
 * - Every call, allowed or refused after authentication, is also recorded as `admin.user.*`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import { ROLE_NAMES } from '../config/index.ts';
import { Uuid, problems } from '../http/index.ts';
import { findUser } from '../users/index.ts';
import type { Devices, Sessions } from '../sessions/index.ts';
import { containUser, releaseUser, ReleaseRefusedError } from '../incident/index.ts';

export interface AdminPeopleDeps {
  db: Database;
  audit: AuditSink;
  clock: Clock;
  sessions: Sessions;
  devices: Devices;
}

const nullableString = { type: ['string', 'null'] } as const;

const PersonView = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'email', 'userName', 'roles', 'status', 'disabledAt', 'department', 'territory', 'region', 'projects', 'employeeType'],
  properties: {
    id: { type: 'string' },
    name: nullableString,
    email: nullableString,
    userName: nullableString,
    roles: { type: 'array', items: { type: 'string', enum: ROLE_NAMES }, description: 'Effective roles (from groups, granted, not removed).' },
    status: { type: 'string', enum: ['active', 'disabled'] },
    disabledAt: { type: ['string', 'null'], format: 'date-time' },
    department: nullableString,
    territory: nullableString,
    region: nullableString,
    projects: { type: 'array', items: { type: 'string' } },
    employeeType: nullableString,
  },
} as const;

// TypeBox schemas: the handlers' params and body types are inferred from them (the TypeBox type provider).
const Params = Type.Object({ id: Uuid }, { additionalProperties: false });
const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });

type PeopleAction = 'user.read' | 'user.disable' | 'user.enable';

async function personView(db: Database, id: string) {
  const user = await findUser(db, id.toLowerCase());
  if (!user) throw problems.notFound();
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    userName: user.userName,
    roles: user.roles,
    status: user.disabledAt ? ('disabled' as const) : ('active' as const),
    disabledAt: user.disabledAt ? user.disabledAt.toISOString() : null,
    department: user.department,
    territory: user.territory,
    region: user.region,
    projects: user.projects ?? [],
    employeeType: user.employeeType,
  };
}

export async function adminPeopleRoutes(server: FastifyInstance, deps: AdminPeopleDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];
  const actions = new WeakMap<FastifyRequest, PeopleAction>();
  const label = (action: PeopleAction) => async (request: FastifyRequest) => {
    actions.set(request, action);
  };
  const target = (request: FastifyRequest) => ({ type: 'user', id: (request.params as { id?: string }).id ?? '' });
  app.addHook('onError', async (request, _reply, error) => {
    const action = actions.get(request);
    if (!action || !request.auth) return;
    const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode ?? 500;
    deps.audit.emit({ action: `admin.${action}`, outcome: status === 403 ? 'denied' : status >= 500 ? 'error' : 'failure', reason: (error as { type?: string }).type ?? String(status), actor: {}, resource: target(request), detail: { status } });
  });

  app.get(
    '/admin/v1/users/:id',
    {
      onRequest: [app.authenticate, label('user.read')],
      config: { permission: 'sessions.read' },
      schema: { tags: ['admin'], summary: 'One person: profile attributes, effective roles and status (admin)', security, params: Params, response: { 200: PersonView } },
    },
    async (request, reply) => {
      const view = await personView(deps.db, request.params.id);
      deps.audit.emit({ action: 'admin.user.read', outcome: 'success', actor: {}, resource: target(request) });
      reply.header('cache-control', 'no-store');
      return view;
    },
  );

  app.post(
    '/admin/v1/users/:id/disable',
    {
      onRequest: [app.authenticate, label('user.disable')],
      bodyLimit: 2048,
      config: { permission: 'users.disable' },
      schema: {
        tags: ['admin'],
        summary: 'Contain one person (incident response): the account is disabled, every session ends on every instance and every device is marked wiped (admin, sensitive: step-up)',
        security,
        params: Params,
        body: ReasonBody,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['person', 'sessionsEnded', 'devicesWiped'],
            properties: { person: PersonView, sessionsEnded: { type: 'integer', minimum: 0 }, devicesWiped: { type: 'integer', minimum: 0 } },
          },
        },
      },
    },
    async (request) => {
      const id = request.params.id.toLowerCase();
      await personView(deps.db, id);
      const result = await containUser(deps, id, request.body.reason);
      deps.audit.emit({ action: 'admin.user.disable', outcome: 'success', reason: request.body.reason, actor: {}, resource: target(request), detail: { sessionsEnded: result.sessionsEnded, devicesWiped: result.devicesWiped } });
      return { person: await personView(deps.db, id), sessionsEnded: result.sessionsEnded, devicesWiped: result.devicesWiped };
    },
  );

  app.post(
    '/admin/v1/users/:id/enable',
    {
      onRequest: [app.authenticate, label('user.enable')],
      bodyLimit: 2048,
      config: { permission: 'users.disable' },
      schema: {
        tags: ['admin'],
        summary: 'Re-enable a disabled person (incident release). Refused with 409 when the company IdP deprovisioned them: that is reversed at the IdP. Their devices stay wiped (admin, sensitive: step-up)',
        security,
        params: Params,
        body: ReasonBody,
        response: { 200: PersonView },
      },
    },
    async (request) => {
      const id = request.params.id.toLowerCase();
      await personView(deps.db, id);
      try {
        await releaseUser(deps, id, request.body.reason);
      } catch (error) {
        if (error instanceof ReleaseRefusedError) throw problems.releaseRefused(error.message);
        throw error;
      }
      deps.audit.emit({ action: 'admin.user.enable', outcome: 'success', reason: request.body.reason, actor: {}, resource: target(request) });
      return personView(deps.db, id);
    },
  );
}
