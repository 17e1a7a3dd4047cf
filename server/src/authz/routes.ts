/**
 * Role changes made in Palisade (`users.roles.manage`, admin with step-up): an admin grants a
 * role the IdP's groups do not give, or removes one they do. The lists are declarative — the
 * request states the whole local grant and removal lists — and the change is audited with the
 * before and after. The effective roles apply at the person's next request (the authorization
 * stage reads them from the database); their access tokens keep the old `roles` claim until they
 * are refreshed. A change that leaves the person with no role at all ends their sessions (as
 * disabling does, reason `roles_removed`, each ending audited): with nothing left to do here,
 * their refresh tokens must not keep minting access tokens.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Sessions } from '../sessions/index.ts';
import { ROLE_NAMES, type RoleName } from '../roles.ts';
import { problems, NO_QUERY, UUID } from '../http/index.ts';
import { setLocalRoles, userRoles } from '../users/index.ts';

// TypeBox schemas: the route handlers' types are inferred from them (the TypeBox type provider).
// `enum` is kept as the API has always declared it (not TypeBox's union of literals), so
// validation and its error messages are unchanged.
const Role = Type.Unsafe<RoleName>({ type: 'string', enum: ROLE_NAMES });
const RoleList = Type.Array(Role, { maxItems: ROLE_NAMES.length, uniqueItems: true });
const RolesView = Type.Object({ id: Type.String(), roles: RoleList, fromGroups: RoleList, granted: RoleList, removed: RoleList }, { additionalProperties: false });
const Params = Type.Object({ id: Type.Unsafe<string>(UUID) }, { additionalProperties: false });
const RolesChange = Type.Object({ granted: RoleList, removed: RoleList }, { additionalProperties: false });

/** A row as userRoles reads it: the role columns hold role names (from the IdP mapping and these routes). */
type RolesRow = Static<typeof RolesView>;

export async function roleRoutes(server: FastifyInstance, deps: { db: Database; audit: AuditSink; sessions: Pick<Sessions, 'revokeAllOfUser'> }): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const params = Params;

  app.get(
    '/admin/v1/users/:id/roles',
    {
      onRequest: app.authenticate,
      config: { permission: 'users.roles.manage' },
      schema: { tags: ['admin'], summary: 'A user’s roles: from the IdP’s groups, granted and removed in Palisade, effective', security: [{ bearer: [] }], params, querystring: NO_QUERY, response: { 200: RolesView } },
    },
    async (request) => {
      const row: RolesRow | undefined = await userRoles(deps.db, request.params.id);
      if (!row) throw problems.notFound();
      return row;
    },
  );

  app.put(
    '/admin/v1/users/:id/roles',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      config: { permission: 'users.roles.manage' },
      schema: {
        tags: ['admin'],
        summary: 'Set the roles granted and removed in Palisade (admin, sensitive: step-up)',
        security: [{ bearer: [] }],
        params,
        querystring: NO_QUERY,
        body: RolesChange,
        response: { 200: RolesView },
      },
    },
    async (request) => {
      const { granted, removed } = request.body;
      const both = granted.filter((role) => removed.includes(role));
      if (both.length) throw problems.validation([{ path: '/removed', message: `cannot both grant and remove ${both.join(', ')}` }]);
      const changed = await deps.db.transaction(async (tx) => {
        const before: RolesRow | undefined = await userRoles(tx, request.params.id, { forUpdate: true });
        if (!before) throw problems.notFound();
        await setLocalRoles(tx, request.params.id, granted, removed);
        const after: RolesRow | undefined = await userRoles(tx, request.params.id);
        await deps.audit.record(tx, {
          action: 'user.roles.change',
          outcome: 'success',
          actor: {},
          resource: { type: 'user', id: request.params.id },
          changes: { before: { granted: before.granted, removed: before.removed, roles: before.roles }, after: { granted, removed, roles: after!.roles } },
        });
        return after!;
      });
      // After the commit: from then on the authorization stage refuses the person anyway (no
      // role), so a crash between the two leaves no access, only sessions to end at next sign-in.
      if (changed.roles.length === 0) {
        const ended = await deps.sessions.revokeAllOfUser(request.params.id, 'roles_removed');
        if (ended) request.log.warn({ event: 'session.revoked', reason: 'roles_removed', userId: request.params.id, ended }, 'no role left: sessions ended');
      }
      return changed;
    },
  );
}
