/**
 * People federated from the company IdP: keyed by upstream issuer + subject, with roles mapped
 * only from configured groups and the attributes (department, territory, region, projects)
 * later authorization checks use.
 */
export { mapProfile, rolesFor, type MappedProfile, type ClaimMapping, type RoleMapping } from './mapping.ts';
export { upsertUser, updateKnownUser, ensureDemoUser, findUser, usersByUserName, setDisabled, setGroups, displayNames, type User } from './store.ts';
export { usersModule } from './module.ts';
export { listUsers, type UserListFilter } from './store.ts';
export { authorizationFacts, userRoles, setLocalRoles, userIdsByEmail, type AuthorizationFacts, type UserRoles } from './store.ts';
