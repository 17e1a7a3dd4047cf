/**
 * SCIM 2.0 provisioning from the company IdP: people and groups as the IdP manages them, so
 * an employee who leaves loses access at once and group changes re-map roles.
 */
export { scimRoutes } from './routes.ts';
export { ScimEffects } from './service.ts';
export { insertScimToken, listScimTokens, revokeScimToken } from './store.ts';
export { isDeactivated } from './store.ts';
