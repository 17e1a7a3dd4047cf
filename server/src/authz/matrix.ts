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
import { ROLE_NAMES, type RoleName } from '../config/schema.ts';

export type Scope =
  /** Every row. */
  | 'all'
  /** Jobs assigned to the caller (technicians), or the caller's territory / region / department / projects. */
  | 'jobs'
  /** The caller's own records. */
  | 'own'
  /** Technicians in the caller's territory or region (and department). */
  | 'technicians';

export interface PermissionRule {
  roles: readonly RoleName[];
  scope: Scope;
  /** A recent sign-in at the company IdP is required (RFC 9470 step-up). */
  stepUp?: boolean;
  description: string;
}

const ALL = ROLE_NAMES;
const OFFICE = ['dispatcher', 'manager', 'admin'] as const;
const MANAGEMENT = ['manager', 'admin'] as const;
const ADMIN = ['admin'] as const;

export const PERMISSIONS = {
  'jobs.read': { roles: ALL, scope: 'jobs', description: 'View jobs (technicians: those assigned to them)' },
  'jobs.create': { roles: OFFICE, scope: 'jobs', description: 'Create jobs' },
  'jobs.assign': { roles: OFFICE, scope: 'jobs', description: 'Assign jobs to technicians' },
  'jobs.status': { roles: ['technician'], scope: 'jobs', description: 'Move an assigned job along: en route, on site, completed' },
  'jobs.cancel': { roles: OFFICE, scope: 'jobs', description: 'Cancel an open job' },
  'sites.read': { roles: ALL, scope: 'jobs', description: 'View customer sites, with access notes (technicians: sites of their jobs)' },
  'customers.read': { roles: OFFICE, scope: 'jobs', description: 'View customers' },
  'customers.contact': { roles: OFFICE, scope: 'jobs', description: 'See customer contact details (sensitive)' },
  'customers.create': { roles: OFFICE, scope: 'jobs', description: 'Create customers and sites' },
  'photos.upload': { roles: ['technician'], scope: 'jobs', description: 'Upload photos to an assigned job' },
  'photos.read': { roles: ALL, scope: 'jobs', description: 'View the photos of jobs one may see' },
  'schedules.read': { roles: ALL, scope: 'technicians', description: 'View shifts (technicians: their own)' },
  'schedules.manage': { roles: OFFICE, scope: 'technicians', description: 'Plan and remove shifts' },
  'locations.read': { roles: OFFICE, scope: 'technicians', description: 'View technicians’ locations' },
  'locations.report': { roles: ['technician'], scope: 'own', description: 'Report one’s own location' },
  'technicians.read': { roles: OFFICE, scope: 'technicians', description: 'View technicians' },
  'technicians.manage': { roles: MANAGEMENT, scope: 'technicians', description: 'Change technicians’ territory, skills and active flag' },
  'reports.read': { roles: MANAGEMENT, scope: 'jobs', description: 'Reports and analytics' },
  'data.export': { roles: MANAGEMENT, scope: 'jobs', stepUp: true, description: 'Export data as CSV' },
  'users.roles.manage': { roles: ADMIN, scope: 'all', stepUp: true, description: 'Grant or remove roles locally' },
  'sessions.manage': { roles: ADMIN, scope: 'all', description: 'List other people’s sessions and devices, and end them (ending needs step-up)' },
  'apps.manage': { roles: ADMIN, scope: 'all', description: 'Configure settings: apps and their keys (changes need step-up)' },
  'audit.read': { roles: ADMIN, scope: 'all', description: 'Read the audit trail' },
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(name: string): name is Permission {
  return Object.hasOwn(PERMISSIONS, name);
}

export function rule(permission: Permission): PermissionRule {
  return PERMISSIONS[permission];
}

/** Whether any of these roles holds the permission. */
export function allowed(roles: readonly string[], permission: Permission): boolean {
  return (PERMISSIONS[permission].roles as readonly string[]).some((role) => roles.includes(role));
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
  const header = `| Permission | What it allows | ${ROLE_NAMES.join(' | ')} | Rows | Step-up |`;
  const line = `|---|---|${ROLE_NAMES.map(() => ':-:').join('|')}|---|:-:|`;
  const rows = PERMISSION_NAMES.map((name) => {
    const r: PermissionRule = PERMISSIONS[name];
    const marks = ROLE_NAMES.map((role) => (r.roles.includes(role) ? '✓' : ''));
    return `| \`${name}\` | ${r.description} | ${marks.join(' | ')} | ${SCOPE_WORDS[r.scope]} | ${r.stepUp ? '✓' : ''} |`;
  });
  return [header, line, ...rows].join('\n');
}
