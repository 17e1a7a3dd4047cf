/**
 * SCIM 2.0 provisioning from the company IdP: people and groups as the IdP manages them, so
 * an employee who leaves loses access at once and group changes re-map roles. Every change —
 * and every connector token created or revoked — is audited in the transaction that makes it.
 */
export { scimRoutes } from './routes.ts';
export { ScimEffects, ScimTokenExistsError, insertScimToken, revokeScimToken, type ScimEffectsDeps } from './service.ts';
export { listScimTokens, isDeactivated } from './store.ts';
export { scimModule } from './module.ts';
