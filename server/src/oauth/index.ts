/**
 * OAuth 2.0 / OpenID Connect: the authorization server (oidc-provider), federation with the
 * company IdP, the development IdP, signing keys and their rotation. Other modules import these
 * from here.
 */
export { ClaimsSchema } from './config.ts';
export { deleteGrantRecords } from './store.ts';
export { oauthModule, type OAuthModuleApi, type OAuthModuleDeps } from './module.ts';
export { signingKeysModule, type SigningKeysApi } from './keys-module.ts';
export { CONSOLE_CLIENT_ID, FIELD_WEB_CLIENT_ID, FIELD_WEB_ORIGIN, START_PAGE_CLIENT_ID, OAUTH_ROUTES, apiAudience } from './provider.ts';
export { DEV_IDP_PATH, DEV_ROLE_MAPPING, DEMO_PEOPLE } from './dev-idp.ts';
export { ensureSigningKey, loadKeySet, listKeys, rotateKeys, type KeySet, type SigningAlg } from './keys.ts';
