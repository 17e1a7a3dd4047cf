/**
 * Errors are data (STYLE.md, habit 3): each refusal is a `Problem` with a stable `type` slug,
 * an HTTP status and a detail that is safe to show. They become RFC 9457 problem+json in one
 * place (`http/app.ts`); anything else becomes a bare 500 with no detail, so no stack trace,
 * SQL or secret reaches a client.
 */
import { DPOP_ALGS } from './dpop.ts';
import { conditionName, type DatabaseError } from '../db/index.ts';
import { PalisadeError, PROBLEM_BASE, PROBLEM_TYPES, type ProblemSlug } from '../errors/index.ts';

export { PROBLEM_BASE };
export { isDependencyUnavailable } from './unavailable.ts';

/** RFC 9421 §5.1: what a signature of a Palisade API request covers and carries. */
const ACCEPT_SIGNATURE = 'sig=("@method" "@target-uri" "authorization" "content-digest");created;nonce;keyid;alg="hmac-sha256"';

export interface ProblemInit {
  /**
   * Stable slug from the catalogue (errors/catalogue.ts), e.g. `invalid-token`; the full `type`
   * URI is PROBLEM_BASE + slug. Status and title come from the catalogue unless given here (a
   * type answered with more than one status names it).
   */
  type: ProblemSlug;
  status?: number;
  title?: string;
  detail?: string;
  /** Extra members (RFC 9457 §3.2), e.g. `errors` for validation. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  /**
   * What the audit record of this refusal says beyond the type: a precise reason (and detail)
   * the client is not told, e.g. why an app key was refused. Never sent.
   */
  audit?: { reason: string; detail?: Record<string, unknown> };
}

export class Problem extends PalisadeError {
  readonly type: ProblemSlug;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly audit: ProblemInit['audit'];
  constructor(init: ProblemInit) {
    const catalogued = PROBLEM_TYPES[init.type];
    const title = init.title ?? catalogued.title;
    super(catalogued.code, init.detail ?? title);
    this.name = 'Problem';
    this.type = init.type;
    this.status = init.status ?? catalogued.status;
    this.title = title;
    this.detail = init.detail;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
    this.audit = init.audit;
  }

  body(instance?: string): Record<string, unknown> {
    return {
      type: PROBLEM_BASE + this.type,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

/**
 * The problems Palisade's HTTP layer answers with, one factory per situation; the types, titles
 * and statuses are the catalogue's (errors/catalogue.ts).
 */
export const problems = {
  releaseRefused: (detail: string) => new Problem({ type: 'release-refused', detail }),
  invalidToken: (detail: string, code: string) =>
    new Problem({
      type: 'invalid-token',
      detail,
      extensions: { code },
      // RFC 6750 §3: tell the client which scheme and why, without echoing the token.
      headers: { 'www-authenticate': `Bearer realm="palisade", error="invalid_token", error_description="${detail.replace(/"/g, "'")}"` },
    }),
  invalidDpopProof: (detail: string) =>
    new Problem({
      type: 'invalid-dpop-proof',
      detail,
      // RFC 9449 §7.1: the DPoP challenge names the accepted algorithms.
      headers: { 'www-authenticate': `DPoP algs="${DPOP_ALGS.join(' ')}", error="invalid_dpop_proof", error_description="${detail.replace(/"/g, "'")}"` },
    }),
  missingToken: () =>
    new Problem({
      type: 'missing-token',
      detail: 'Send the access token as `Authorization: Bearer <token>`.',
      headers: { 'www-authenticate': 'Bearer realm="palisade"' },
    }),
  malformedAuthorization: () =>
    new Problem({
      type: 'malformed-authorization',
      detail: 'Send exactly one access token as `Authorization: Bearer <token>`.',
      // RFC 6750 §3.1: a malformed request is invalid_request (400), not invalid_token.
      headers: { 'www-authenticate': 'Bearer realm="palisade", error="invalid_request"' },
    }),
  sessionRevoked: () =>
    new Problem({
      type: 'session-revoked',
      detail: 'This sign-in was revoked or has expired; sign in again.',
      headers: { 'www-authenticate': 'Bearer realm="palisade", error="invalid_token", error_description="session revoked"' },
    }),
  sessionLocked: () =>
    new Problem({
      type: 'session-locked',
      detail: 'There was no activity for too long. Sign in again to continue.',
      headers: { 'www-authenticate': 'Bearer realm="palisade", error="invalid_token", error_description="session locked"' },
    }),
  noUnlockKey: () =>
    new Problem({ type: 'no-unlock-key', detail: 'Register an unlock key (unlock_jwk) when signing in; until then a locked session needs a new sign-in.' }),
  unlockRefused: () =>
    new Problem({ type: 'unlock-failed', detail: 'Sign a fresh challenge with the unlock key registered at sign-in.' }),
  unlockBlocked: () =>
    new Problem({ type: 'unlock-blocked', detail: 'Too many failed attempts: sign in again.' }),
  /**
   * Remote wipe and lock (devices/commands/service.ts, docs/remote-wipe.md): the device was ordered to
   * wipe (or lock) itself. `command` is the signed command (a compact JWS the app verifies with
   * the JWKS); at the token endpoint `error` tells OAuth clients the grant is gone.
   */
  deviceWiped: (command: string, commandId: string, oauth: boolean) =>
    new Problem({
      type: 'device-wiped',
      detail: 'An administrator ordered this app to delete its data and keys on this device. Verify the command, wipe, then acknowledge it with the device key.',
      extensions: { command, commandId, ...(oauth ? { error: 'invalid_grant', error_description: 'this device was wiped' } : {}) },
    }),
  deviceLocked: (command: string, commandId: string, oauth: boolean) =>
    new Problem({
      type: 'device-locked',
      detail: 'An administrator locked this app on this device. Verify the command, lock, acknowledge it with the device key, then unlock or sign in again.',
      extensions: { command, commandId, ...(oauth ? { error: 'invalid_grant', error_description: 'this device was locked' } : {}) },
    }),
  /** An acknowledgement of a device command that is forged, stale, for another command or key. */
  commandAckRefused: (reason: string) =>
    new Problem({ type: 'command-ack-refused', detail: 'Sign { jti: <command id>, iat } with the device key (typ palisade-command-ack+jwt, jwk in the header).', audit: { reason: 'command_ack_refused', detail: { why: reason } } }),
  commandAlreadyAcknowledged: () =>
    new Problem({ type: 'command-already-acknowledged', detail: 'An acknowledgement is accepted once.' }),
  validation: (errors: { path: string; message: string }[]) =>
    new Problem({
      type: 'validation-failed',
      detail: 'One or more parts of the request do not match the API schema.',
      extensions: { errors },
    }),
  malformedBody: (detail: string) => new Problem({ type: 'malformed-body', detail }),
  bodyTooLarge: (limit: number) =>
    new Problem({ type: 'body-too-large', detail: `The limit is ${limit} bytes.` }),
  /** JSON nested deeper than the API allows (http/json.ts): refused before it is parsed. */
  bodyTooDeep: (maxDepth: number) =>
    new Problem({ type: 'body-too-deep', detail: `Objects and arrays may nest at most ${maxDepth} levels.` }),
  unsupportedMediaType: (detail: string) =>
    new Problem({ type: 'unsupported-media-type', detail }),
  /** The URL's percent-encoding cannot be decoded (`%zz`, a lone `%`). */
  malformedUrl: () => new Problem({ type: 'malformed-url', detail: 'The path or query has a broken percent-encoding.' }),
  /** Answered by Node's HTTP parser stage (client-errors.ts): the request line and headers are too large. */
  headersTooLarge: () => new Problem({ type: 'headers-too-large', detail: 'The URL and headers together exceed the size limit.' }),
  malformedRequest: () => new Problem({ type: 'malformed-request' }),
  requestTimeout: () => new Problem({ type: 'request-timeout' }),
  notFound: () => new Problem({ type: 'not-found' }),
  methodNotAllowed: () => new Problem({ type: 'method-not-allowed' }),
  notReady: (detail: string) => new Problem({ type: 'not-ready', detail }),
  /** A request that needed PostgreSQL or Redis while it was unreachable (`isDependencyUnavailable`). */
  dependencyUnavailable: () => new Problem({ type: 'not-ready', detail: 'A service Palisade depends on is unreachable; nothing was changed. Try again in a moment.', headers: { 'retry-after': '1' } }),
  noRole: () =>
    new Problem({
      type: 'no-role',
      detail: 'Your company account is in no group that grants a Palisade role. Ask IT to add you to the right group.',
    }),
  /** OIDC Back-Channel Logout §2.8: 400 with an OAuth-style error member. */
  logoutTokenRefused: (detail: string) =>
    new Problem({ type: 'logout-token-refused', detail, extensions: { error: 'invalid_request', error_description: detail } }),
  forbidden: (detail: string) => new Problem({ type: 'forbidden', detail }),
  /** Erasure refused: the person's data is kept for legal claims (GDPR Art. 17(3)(e)). */
  legalHold: (detail: string) => new Problem({ type: 'legal-hold', detail }),
  /** RFC 9470: the token is fine but the sign-in behind it is too old (or too weak) for this action. */
  stepUpRequired: (maxAgeS: number, acr: string | undefined) =>
    new Problem({
      type: 'step-up-required',
      detail: `This action needs a sign-in at the company IdP within the last ${maxAgeS} seconds${acr ? ` with ${acr}` : ''}. Sign in again with max_age (or prompt=login) and retry with the new token.`,
      extensions: { maxAge: maxAgeS, ...(acr ? { acrValues: acr } : {}) },
      headers: {
        'www-authenticate': `Bearer realm="palisade", error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=${maxAgeS}${acr ? `, acr_values="${acr}"` : ''}`,
      },
    }),
  /** Too many requests of one rate class; `headers` carry RateLimit and RateLimit-Policy. */
  rateLimited: (rateClass: string, retryAfterS: number, headers: Record<string, string>) =>
    new Problem({
      type: 'rate-limited',
      detail: `The ${rateClass} rate limit is used up; retry after ${retryAfterS} seconds.`,
      extensions: { rateClass, retryAfter: retryAfterS },
      headers: { ...headers, 'retry-after': String(retryAfterS) },
    }),
  /** Repeated authentication failures locked this IP or account for a growing interval. */
  lockedOut: (retryAfterS: number) =>
    new Problem({
      type: 'locked-out',
      detail: `Authentication is locked after repeated failures; retry after ${retryAfterS} seconds.`,
      extensions: { retryAfter: retryAfterS },
      headers: { 'retry-after': String(retryAfterS) },
    }),
  /** `/api` and `/admin` requests name their app with a key (apisec/app-keys.ts). */
  missingAppKey: () =>
    new Problem({
      type: 'missing-app-key',
      detail: 'Send the app’s key in the `palisade-app-key` header (never in the URL).',
      headers: { 'www-authenticate': 'AppKey realm="palisade", header="palisade-app-key"' },
      audit: { reason: 'app_key_missing' },
    }),
  /** One answer for unknown, wrong, revoked and expired keys: no oracle. The audit record says which. */
  invalidAppKey: (reason: string, detail?: Record<string, unknown>) =>
    new Problem({
      type: 'invalid-app-key',
      detail: 'The app key is malformed, unknown, revoked or expired. Ask the operator for the app’s current key.',
      headers: { 'www-authenticate': 'AppKey realm="palisade", header="palisade-app-key", error="invalid_key"' },
      audit: { reason, ...(detail ? { detail } : {}) },
    }),
  /** The access token was issued to another app than the one whose key came with it. */
  tokenAppMismatch: (detail: Record<string, unknown>) =>
    new Problem({
      type: 'token-app-mismatch',
      detail: 'Send a token issued to the app whose key the request carries.',
      audit: { reason: 'token_app_mismatch', detail },
    }),
  /** Only an app's current (active) key can be rotated. */
  appKeyNotActive: (detail: string) => new Problem({ type: 'app-key-not-active', detail }),
  /**
   * Request signatures (RFC 9421, apisec/signatures.ts). `code` is the precise reason (also the
   * reason of the http.denied audit record); Accept-Signature (RFC 9421 §5.1) tells the app what to sign.
   */
  signatureRequired: (detail: string, code: string) =>
    new Problem({ type: 'signature-required', detail, extensions: { code }, audit: { reason: code }, headers: { 'accept-signature': ACCEPT_SIGNATURE } }),
  signatureInvalid: (detail: string, code: string) =>
    new Problem({ type: 'signature-invalid', detail, extensions: { code }, audit: { reason: code }, headers: { 'accept-signature': ACCEPT_SIGNATURE } }),
  signatureExpired: (detail: string, code: string) =>
    new Problem({ type: 'signature-expired', detail, extensions: { code }, audit: { reason: code } }),
  signatureReplayed: (detail: string, code: string) =>
    new Problem({ type: 'signature-replayed', detail, extensions: { code }, audit: { reason: code } }),
  contentDigestRequired: (detail: string, code: string) =>
    new Problem({ type: 'content-digest-required', detail, extensions: { code }, audit: { reason: code } }),
  contentDigestMismatch: (detail: string, code: string) =>
    new Problem({ type: 'content-digest-mismatch', detail, extensions: { code }, audit: { reason: code } }),
  internal: () => new Problem({ type: 'internal', detail: 'The error was logged with the request id.' }),
  /** The request names a record (by id or code) that does not exist, or not in the caller's scope. */
  unknownReference: (field?: string) =>
    new Problem({
      type: 'unknown-reference',
      detail: field ? `No ${field} with that id exists in your scope.` : 'A record the request refers to does not exist in your scope.',
      ...(field ? { extensions: { field } } : {}),
    }),
  alreadyExists: (field?: string) =>
    new Problem({ type: 'already-exists', detail: field ? `Another record already has this ${field}.` : 'Another record already has these values.', ...(field ? { extensions: { field } } : {}) }),
  stillReferenced: () =>
    new Problem({ type: 'still-referenced', detail: 'Other records still refer to this one.' }),
  conflict: () => new Problem({ type: 'conflict' }),
} as const;

/**
 * A database refusal that is the request's doing, as the problem it answers with; undefined for
 * any other database error (connection lost, serialization failure, a bug: a 500). This is the
 * safety net beneath the API schemas: the schemas and handlers refuse bad input first and name
 * the field; whatever slips past them — a foreign key to a record that does not exist, a value
 * PostgreSQL cannot hold — is still a 4xx, never a 500. SQLSTATE class 23 (integrity
 * constraints) and class 22 (data exceptions: 22008 datetime overflow, 22P02 invalid text
 * representation, 22021 a byte the encoding refuses, …) are the request's doing.
 *
 * The field is named when the database names it: a NOT NULL violation's column, or a constraint
 * PostgreSQL named by its default rule (`<table>_<column>_fkey|key|check`), in the API's
 * camelCase (`site_id` → `siteId`). The database's message and detail are never passed on: they
 * quote the refused values and name tables.
 */
export function problemForDatabaseError(error: DatabaseError, method: string): Problem | undefined {
  const field = fieldOf(error);
  const invalid = (message: string) => problems.validation([{ path: field ?? 'request', message }]);
  switch (error.code) {
    // A DELETE can violate a foreign key only from the referenced side: something still points here.
    case '23503':
      return method === 'DELETE' ? problems.stillReferenced() : problems.unknownReference(field);
    case '23001':
      return problems.stillReferenced();
    case '23505':
      return problems.alreadyExists(field);
    case '23P01':
      return problems.conflict();
    case '23502':
      return invalid('is required');
  }
  if (error.code.startsWith('23')) return invalid('is not allowed by the rules of the stored data');
  if (error.code.startsWith('22')) return invalid(`holds a value that cannot be stored (${conditionName(error.code) ?? `SQLSTATE ${error.code}`})`);
  return undefined;
}

const DEFAULT_CONSTRAINT_SUFFIXES = ['_fkey', '_key', '_check', '_not_null'];
function fieldOf(error: DatabaseError): string | undefined {
  let column = error.column;
  const { constraint, table } = error;
  if (!column && constraint && table && constraint.startsWith(`${table}_`)) {
    const suffix = DEFAULT_CONSTRAINT_SUFFIXES.find((s) => constraint.endsWith(s));
    const middle = suffix ? constraint.slice(table.length + 1, -suffix.length) : '';
    if (/^[a-z][a-z0-9_]*$/.test(middle)) column = middle;
  }
  return column?.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
