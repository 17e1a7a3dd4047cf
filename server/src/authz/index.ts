/** Authorization: the permission matrix, the pipeline stage that applies it, and role changes. */
export { ROLE_NAMES, type RoleName } from '../roles.ts';
export { PERMISSIONS, PERMISSION_NAMES, allowed, isPermission, matrixTable, permissionsOf, rule, type Permission, type PermissionRule, type Scope } from './matrix.ts';
export { authorizationStage, authzProblems, loadCaller, type AuthorizationStage, type Caller } from './stage.ts';
export { roleRoutes } from './routes.ts';
export { authzModule } from './module.ts';
