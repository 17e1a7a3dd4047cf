/**
 * The permission matrix: the single source of what each role may do. Route policies name a
 * permission from here (`config: { permission }`, checked by the authorization stage),
 * `GET /api/v1/me/permissions` tells the app what to show from it, and the table in
 * docs/authorization.md is generated from it (`npm run docs`).
 *
 * A permission says which roles may attempt an action at all; which rows they may do it to is the
 * scope (territory, region, department, contractor projects, assignment), defined once in SQL
 * (migration 0012: fs_job_visible and friends) for both the API's queries and row-level security.
 */
import { ROLE_NAMES, type RoleName } from '../roles.ts';

export type Scope =
  /** Every row. */
  | 'all'
  /** Jobs assigned to the caller (technicians), or the caller's territory / region / department / projects. */
  | 'jobs'
  /** The caller's own records. */
  | 'own'
  /** Technicians in the caller's territory or region (and department). */
  | 'technicians';

interface RuleBase {
  roles: readonly RoleName[];
  scope: Scope;
  description: string;
  /**
   * Held by every signed-in person, even one left with no role: for ending one's own sign-in,
   * which is never a privilege (a role taken away must not trap someone in a session).
   */
  withoutRole?: true;
}

/**
 * A rule. `destructive`: the action deletes, cancels or ends something (data, keys, sessions,
 * devices) that cannot be had back by asking again; such an action always needs step-up, and the
 * type says so. Changing permissions and exporting need step-up without being destructive.
 */
export type PermissionRule = RuleBase &
  (
    | {
        /** A recent sign-in at the company IdP is required (RFC 9470 step-up). */
        stepUp?: boolean;
        destructive?: undefined;
      }
    | { stepUp: true; destructive: true }
  );

const ALL = ROLE_NAMES;
const OFFICE = ['dispatcher', 'manager', 'admin'] as const;
const MANAGEMENT = ['manager', 'admin'] as const;
const ADMIN = ['admin'] as const;

export const PERMISSIONS = {
  'account.self': { roles: ALL, scope: 'own', description: 'See one’s own profile, permissions, app configuration and sessions; end one’s own other sessions, unlock' },
  'session.signout': { roles: ALL, scope: 'own', withoutRole: true, description: 'Sign out: end one’s own current session, or all of them (held even without a role)' },
  'jobs.read': { roles: ALL, scope: 'jobs', description: 'View jobs (technicians: those assigned to them)' },
  'jobs.create': { roles: OFFICE, scope: 'jobs', description: 'Create jobs' },
  'jobs.assign': { roles: OFFICE, scope: 'jobs', description: 'Assign jobs to technicians' },
  'jobs.status': { roles: ['technician'], scope: 'jobs', description: 'Move an assigned job along: en route, on site, completed' },
  'jobs.cancel': { roles: OFFICE, scope: 'jobs', stepUp: true, destructive: true, description: 'Cancel an open job' },
  'sites.read': { roles: ALL, scope: 'jobs', description: 'View customer sites, with access notes (technicians: sites of their jobs)' },
  'customers.read': { roles: OFFICE, scope: 'jobs', description: 'View customers' },
  'customers.contact': { roles: OFFICE, scope: 'jobs', description: 'See customer contact details (sensitive)' },
  'customers.create': { roles: OFFICE, scope: 'jobs', description: 'Create customers and sites' },
  'photos.upload': { roles: ['technician'], scope: 'jobs', description: 'Upload photos to an assigned job' },
  'photos.read': { roles: ALL, scope: 'jobs', description: 'View the photos of jobs one may see' },
  'schedules.read': { roles: ALL, scope: 'technicians', description: 'View shifts (technicians: their own)' },
  'schedules.manage': { roles: OFFICE, scope: 'technicians', description: 'Plan shifts' },
  'schedules.remove': { roles: OFFICE, scope: 'technicians', stepUp: true, destructive: true, description: 'Remove planned shifts' },
  'locations.read': { roles: OFFICE, scope: 'technicians', description: 'View technicians’ locations' },
  'locations.report': { roles: ['technician'], scope: 'own', description: 'Report one’s own location' },
  'technicians.read': { roles: OFFICE, scope: 'technicians', description: 'View technicians' },
  'technicians.manage': { roles: MANAGEMENT, scope: 'technicians', description: 'Change technicians’ territory, skills and active flag' },
  'reports.read': { roles: MANAGEMENT, scope: 'jobs', description: 'Reports and analytics' },
  'data.export': { roles: MANAGEMENT, scope: 'jobs', stepUp: true, description: 'Export data as CSV' },
  'users.roles.manage': { roles: ADMIN, scope: 'all', stepUp: true, description: 'Grant or remove roles locally' },
  'users.disable': { roles: ADMIN, scope: 'all', stepUp: true, destructive: true, description: 'Disable a person (incident containment: every session ends, every device is marked wiped) and re-enable them' },
  'sessions.read': { roles: ADMIN, scope: 'all', description: 'See other people’s sessions and devices, and the wipe and lock commands' },
  'sessions.end': { roles: ADMIN, scope: 'all', stepUp: true, destructive: true, description: 'End other people’s sessions, revoke devices, order a remote wipe or lock' },
  'apps.read': { roles: ADMIN, scope: 'all', description: 'See apps’ API keys (never their secrets)' },
  'apps.manage': { roles: ADMIN, scope: 'all', stepUp: true, destructive: true, description: 'Create, rotate and revoke apps’ API keys' },
  'config.read': { roles: ADMIN, scope: 'all', description: 'See the effective configuration (secrets removed) and its check’s findings' },
  'audit.read': { roles: ADMIN, scope: 'all', description: 'Read the audit trail, the webhook delivery log of its alerts and the open breach clocks' },
  'audit.export': { roles: ADMIN, scope: 'all', stepUp: true, description: 'Download a signed archive of a time range of the audit trail (it names people under pseudonyms only)' },
  'compliance.read': { roles: ADMIN, scope: 'all', description: 'See the compliance report: the live configuration and state against the control catalogue, with key ages and breach clocks' },
  'privacy.export': { roles: ADMIN, scope: 'all', stepUp: true, description: 'Export everything Palisade holds about a person (GDPR access and portability)' },
  'privacy.erase': { roles: ADMIN, scope: 'all', stepUp: true, destructive: true, description: 'Erase a person: delete their records, pseudonymise the audit trail (GDPR erasure)' },
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(name: string): name is Permission {
  return Object.hasOwn(PERMISSIONS, name);
}

export function rule(permission: Permission): PermissionRule {
  return PERMISSIONS[permission];
}

/**
 * The /api and /admin routes no person calls, so no permission applies: each says what
 * authenticates it instead. Every other /api and /admin route names a permission, and the
 * authorization stage decides it from the database (a token's `roles` claim is a hint for the
 * app, never an input to a decision); http/app.ts refuses to register one that does not.
 */
export const ROUTES_WITHOUT_PERMISSION: Readonly<Record<string, string>> = {
  'POST /api/v1/device/commands/:id/ack': 'the device acknowledges a wipe or lock with its device key; the wipe revoked its tokens',
};

/** The last path segments that name a destructive action on a POST (`…/jobs/:id/cancel`). */
const DESTRUCTIVE_VERBS = new Set(['cancel', 'revoke', 'wipe', 'lock', 'delete', 'remove', 'purge', 'archive', 'reset', 'erase']);

/**
 * Routes that look destructive and are not, with the reason: they end one of the caller's own
 * sign-ins, which must stay one step away for someone whose phone was just lost.
 */
export const NOT_DESTRUCTIVE: Readonly<Record<string, string>> = {
  'DELETE /api/v1/me/sessions/:id': 'ends one of the caller’s own sessions (a lost phone): protective, and no data is deleted',
};

/**
 * Whether a route, by its method and path, deletes, cancels or ends something: every DELETE,
 * and a POST whose last segment is such a verb. Its permission must be `destructive` (and so
 * need step-up) unless NOT_DESTRUCTIVE names it.
 */
export function looksDestructive(method: string, url: string): boolean {
  if (Object.hasOwn(NOT_DESTRUCTIVE, `${method} ${url}`)) return false;
  return method === 'DELETE' || (method === 'POST' && DESTRUCTIVE_VERBS.has(url.split('/').at(-1) ?? ''));
}

/**
 * Why a route may not be registered as it is, or undefined: an /api or /admin route must name a
 * permission of the matrix (or be one of ROUTES_WITHOUT_PERMISSION), and a destructive-looking
 * route must name a destructive permission.
 */
export function routePolicyProblem(method: string, url: string, permission: unknown): string | undefined {
  if (!/^\/(api|admin)\//.test(url)) return undefined;
  const route = `${method} ${url}`;
  if (permission === undefined) {
    return Object.hasOwn(ROUTES_WITHOUT_PERMISSION, route) ? undefined : `${route} names no permission (config: { permission }) from authz/matrix.ts`;
  }
  if (typeof permission !== 'string' || !isPermission(permission)) return `${route} names ${String(permission)}, which is not in authz/matrix.ts`;
  if (looksDestructive(method, url) && rule(permission).destructive !== true) return `${route} deletes, cancels or ends something, but its permission ${permission} is not marked destructive (step-up)`;
  return undefined;
}

/** Whether any of these roles holds the permission. */
export function allowed(roles: readonly string[], permission: Permission): boolean {
  const granted: PermissionRule = PERMISSIONS[permission];
  return granted.withoutRole === true || (granted.roles as readonly string[]).some((role) => roles.includes(role));
}

/** The permissions a set of roles holds, in matrix order. */
export function permissionsOf(roles: readonly string[]): Permission[] {
  return PERMISSION_NAMES.filter((permission) => allowed(roles, permission));
}

const SCOPE_WORDS: Record<Scope, string> = {
  all: 'everything',
  jobs: 'job scope',
  own: 'own records',
  technicians: 'technician scope',
};

/** The Markdown table in docs/authorization.md. */
export function matrixTable(): string {
  const header = `| Permission | What it allows | ${ROLE_NAMES.join(' | ')} | Rows | Step-up | Destructive |`;
  const line = `|---|---|${ROLE_NAMES.map(() => ':-:').join('|')}|---|:-:|:-:|`;
  const rows = PERMISSION_NAMES.map((name) => {
    const r: PermissionRule = PERMISSIONS[name];
    const marks = ROLE_NAMES.map((role) => (r.roles.includes(role) ? '✓' : ''));
    return `| \`${name}\` | ${r.description} | ${marks.join(' | ')} | ${SCOPE_WORDS[r.scope]} | ${r.stepUp ? '✓' : ''} | ${r.destructive ? '✓' : ''} |`;
  });
  return [header, line, ...rows].join('\n');
}
