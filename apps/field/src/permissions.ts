/**
 * What the app shows, decided by the permission matrix as the server reports it
 * (`GET /api/v1/me/permissions`), never by role names: a company that changes the matrix changes
 * the screens. The UI only hides what a person cannot do; the server refuses it anyway.
 */
export interface PermissionView {
  name: string;
  scope: string;
  stepUp: boolean;
}

export interface MyPermissions {
  roles: string[];
  permissions: PermissionView[];
  scope: { territory: string | null; region: string | null; department: string | null; projects: string[]; contractor: boolean };
}

export type Section = 'my-jobs' | 'my-shift' | 'jobs' | 'assign' | 'team' | 'locations' | 'report' | 'export' | 'console';

export interface Home {
  /** Nobody may sign in without a role; a session whose roles were all taken away sees the refusal. */
  refused: boolean;
  sections: Section[];
  /** Export needs a fresh sign-in (RFC 9470 step-up). */
  exportNeedsStepUp: boolean;
}

export function homeFor(me: MyPermissions): Home {
  const has = (name: string) => me.permissions.some((p) => p.name === name);
  if (me.roles.length === 0 || me.permissions.length === 0) return { refused: true, sections: [], exportNeedsStepUp: false };
  const sections: Section[] = [];
  // The technician's list: their own jobs, which they move along.
  if (has('jobs.status')) sections.push('my-jobs');
  // Dispatchers and managers: every job in scope, with assignment.
  if (has('jobs.assign')) sections.push('jobs', 'assign');
  // The technician's shift, and their position reported while on it.
  if (has('locations.report') && has('schedules.read')) sections.push('my-shift');
  // Dispatchers and managers plan shifts, and see where technicians last were.
  if (has('schedules.manage')) sections.push('team');
  if (has('locations.read')) sections.push('locations');
  if (has('reports.read')) sections.push('report');
  if (has('data.export')) sections.push('export');
  // Administrators work in the admin console (sessions, devices, wipe).
  if (has('sessions.read')) sections.push('console');
  return { refused: sections.length === 0, sections, exportNeedsStepUp: me.permissions.find((p) => p.name === 'data.export')?.stepUp ?? false };
}

/** The next step of the technician's workflow (the server holds the rules and answers 409 to a wrong one). */
export const WORKFLOW = ['en_route', 'on_site', 'completed'] as const;
export type WorkflowStatus = (typeof WORKFLOW)[number];

export const STATUS_LABEL: Record<string, string> = {
  new: 'New',
  assigned: 'Assigned',
  en_route: 'En route',
  on_site: 'On site',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export function nextStatus(status: string): WorkflowStatus | undefined {
  if (status === 'assigned') return 'en_route';
  if (status === 'en_route') return 'on_site';
  if (status === 'on_site') return 'completed';
  return undefined;
}
