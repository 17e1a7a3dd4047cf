/**
 * Which paths the API security stages (apisec) guard. Here, in the HTTP layer below apisec, so
 * the app (which documents them in the OpenAPI document) and the stages read the same values
 * without the HTTP layer depending on apisec.
 */

/** The routes whose requests name their app with a key: every /api and /admin route (by the matched route's pattern, else the path asked for). */
export const KEYED = /^\/(api|admin)(\/|$)/;

/** The paths whose requests carry a request signature (RFC 9421) when signing applies. */
export const SIGNED_SCOPES = ['/api/', '/admin/'];
