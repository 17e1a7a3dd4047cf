/**
 * Pipeline stage 7, authorization: a route names its permission (`config: { permission }`); this
 * stage loads the caller as the database knows them now — effective roles and attributes, not
 * the ones the access token was minted with, so a role taken away applies at the next request —
 * checks the permission against the matrix, demands step-up where the matrix says so, and leaves
 * the caller on the request. Handlers then run their queries through `asCaller` with the
 * caller's claims, so row-level security filters the rows as the last line.
 *
 * This is the one place where a role decides anything. The access token's `roles` claim is a
 * hint for the app (what to show), never an input to a decision: it is what the database said
 * when the token was minted, and an administrator may have taken a role away since.
 */
import type { FastifyRequest } from 'fastify';
import type { Database, Queryable, RlsClaims } from '../db/index.ts';
import { Problem, problems } from '../http/index.ts';
import { authorizationFacts } from '../users/index.ts';
import { allowed, rule, routePolicyProblem, type Permission } from './matrix.ts';
import type { RoleName } from '../config/index.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission (authz/matrix.ts) this route needs; checked by the authorization stage. */
    permission?: Permission;
  }
  interface FastifyRequest {
    /** Set by the authorization stage on routes that name a permission. */
    caller?: Caller;
  }
}

export interface Caller {
  userId: string;
  name: string | null;
  roles: RoleName[];
  claims: RlsClaims;
}

/**
 * The caller as the database knows them now; undefined when unknown or disabled. The device's
 * ownership is not the database's to know: it is what the access token says
 * (`request.auth.device_ownership`), judged when the token was issued; none is BYOD.
 */
export async function loadCaller(db: Queryable, userId: string, deviceOwnership: 'corporate' | 'byod' | undefined): Promise<Caller | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(userId)) return undefined;
  const row = await authorizationFacts(db, userId);
  if (!row || row.disabled) return undefined;
  return {
    userId: row.id,
    name: row.name,
    roles: row.roles,
    claims: {
      userId: row.id,
      roles: row.roles,
      territory: row.territory,
      region: row.region,
      department: row.department,
      projects: row.projects,
      contractor: row.employee_type === 'contractor',
      // A token without the claim (or with another value) is a device nobody vouched for: BYOD.
      deviceOwnership: deviceOwnership === 'corporate' ? 'corporate' : 'byod',
    },
  };
}

export const authzProblems = {
  permissionMissing: (permission: Permission) =>
    new Problem({
      type: 'forbidden',
      status: 403,
      title: 'Not allowed',
      detail: 'Your roles do not allow this action.',
      extensions: { permission },
      audit: { reason: 'permission_missing', detail: { permission } },
    }),
};

export interface AuthorizationStage {
  /** Throws a Problem when the caller may not use the route; returns the rule that applied. */
  authorize(request: FastifyRequest): Promise<{ stepUp: boolean } | undefined>;
  /** Why a route may not be registered with this permission, or undefined (matrix.ts). */
  routePolicyProblem(method: string, url: string, permission: unknown): string | undefined;
  /** Whether the permission needs a recent sign-in (step-up). */
  needsStepUp(permission: Permission): boolean;
}

export function authorizationStage(db: Database): AuthorizationStage {
  return {
    async authorize(request) {
      const permission = request.routeOptions.config?.permission;
      if (!permission) return undefined;
      // A route that names a permission and skips authentication is a programming error.
      if (!request.auth) throw new Error(`route ${request.routeOptions.url} names a permission but does not authenticate`);
      const caller = await loadCaller(db, request.auth.sub, request.auth.device_ownership);
      // Unknown or disabled (deprovisioned) since the token was minted: as good as signed out.
      if (!caller) throw problems.sessionRevoked();
      if (!allowed(caller.roles, permission)) throw authzProblems.permissionMissing(permission);
      request.caller = caller;
      return { stepUp: rule(permission).stepUp === true };
    },
    routePolicyProblem,
    needsStepUp: (permission) => rule(permission).stepUp === true,
  };
}
