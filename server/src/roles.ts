/**
 * Palisade's roles: a vocabulary shared by the configuration (`upstream.roles`: which company
 * groups grant each), the permission matrix (authz/matrix.ts: what each may do), the users
 * module (mapping groups to roles) and the admin lists. It imports nothing, so any module may
 * use it without depending on another.
 */
export const ROLE_NAMES = ['technician', 'dispatcher', 'manager', 'admin'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
