/**
 * Errors are data (STYLE.md, habit 3): each refusal is a `Problem` with a stable `type` slug,
 * an HTTP status and a detail that is safe to show. They become RFC 9457 problem+json in one
 * place (`http/app.ts`); anything else becomes a bare 500 with no detail, so no stack trace,
 * SQL or secret reaches a client.
 */
import { DPOP_ALGS } from './dpop.ts';
import { conditionName, type DatabaseError } from '../db/errors.ts';

export const PROBLEM_BASE = 'https://palisade.dev/problems/';

/** RFC 9421 §5.1: what a signature of a Palisade API request covers and carries. */
const ACCEPT_SIGNATURE = 'sig=("@method" "@target-uri" "authorization" "content-digest");created;nonce;keyid;alg="hmac-sha256"';

export interface ProblemInit {
  /** Stable slug, e.g. `invalid-token`; the full `type` URI is PROBLEM_BASE + slug. */
  type: string;
  status: number;
  title: string;
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

export class Problem extends Error {
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly audit: ProblemInit['audit'];
  constructor(init: ProblemInit) {
    super(init.detail ?? init.title);
    this.name = 'Problem';
    this.type = init.type;
    this.status = init.status;
    this.title = init.title;
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

/** The catalogue of problem types Palisade's HTTP layer answers with. */
export const problems = {
  invalidToken: (detail: string, code: string) =>
    new Problem({
      type: 'invalid-token',
      status: 401,
      title: 'The access token is not valid',
      detail,
      extensions: { code },
      // RFC 6750 §3: tell the client which scheme and why, without echoing the token.
      headers: { 'www-authenticate': `Bearer realm="palisade", error="invalid_token", error_description="${detail.replace(/"/g, "'")}"` },
    }),
  invalidDpopProof: (detail: string) =>
    new Problem({
      type: 'invalid-dpop-proof',
      status: 401,
      title: 'The DPoP proof is not valid',
      detail,
      // RFC 9449 §7.1: the DPoP challenge names the accepted algorithms.
      headers: { 'www-authenticate': `DPoP algs="${DPOP_ALGS.join(' ')}", error="invalid_dpop_proof", error_description="${detail.replace(/"/g, "'")}"` },
    }),
  missingToken: () =>
    new Problem({
      type: 'missing-token',
      status: 401,
      title: 'An access token is required',
      detail: 'Send the access token as `Authorization: Bearer <token>`.',
      headers: { 'www-authenticate': 'Bearer realm="palisade"' },
    }),
  malformedAuthorization: () =>
    new Problem({
      type: 'malformed-authorization',
      status: 400,
      title: 'The Authorization header could not be read',
      detail: 'Send exactly one access token as `Authorization: Bearer <token>`.',
      // RFC 6750 §3.1: a malformed request is invalid_request (400), not invalid_token.
      headers: { 'www-authenticate': 'Bearer realm="palisade", error="invalid_request"' },
    }),
  sessionRevoked: () =>
    new Problem({
      type: 'session-revoked',
      status: 401,
      title: 'The session has ended',
      detail: 'This sign-in was revoked or has expired; sign in again.',
      headers: { 'www-authenticate': 'Bearer realm="palisade", error="invalid_token", error_description="session revoked"' },
    }),
  sessionLocked: () =>
    new Problem({
      type: 'session-locked',
      status: 401,
      title: 'The session is locked',
      detail: 'There was no activity for too long. Sign in again to continue.',
      headers: { 'www-authenticate': 'Bearer realm="palisade", error="invalid_token", error_description="session locked"' },
    }),
  noUnlockKey: () =>
    new Problem({ type: 'no-unlock-key', status: 409, title: 'This session has no unlock key', detail: 'Register an unlock key (unlock_jwk) when signing in; until then a locked session needs a new sign-in.' }),
  unlockRefused: () =>
    new Problem({ type: 'unlock-failed', status: 401, title: 'The unlock proof was refused', detail: 'Sign a fresh challenge with the unlock key registered at sign-in.' }),
  unlockBlocked: () =>
    new Problem({ type: 'unlock-blocked', status: 401, title: 'Unlocking is blocked', detail: 'Too many failed attempts: sign in again.' }),
  /**
   * Remote wipe and lock (devices/commands/service.ts, docs/remote-wipe.md): the device was ordered to
   * wipe (or lock) itself. `command` is the signed command (a compact JWS the app verifies with
   * the JWKS); at the token endpoint `error` tells OAuth clients the grant is gone.
   */
  deviceWiped: (command: string, commandId: string, oauth: boolean) =>
    new Problem({
      type: 'device-wiped',
      status: 403,
      title: 'This device was wiped',
      detail: 'An administrator ordered this app to delete its data and keys on this device. Verify the command, wipe, then acknowledge it with the device key.',
      extensions: { command, commandId, ...(oauth ? { error: 'invalid_grant', error_description: 'this device was wiped' } : {}) },
    }),
  deviceLocked: (command: string, commandId: string, oauth: boolean) =>
    new Problem({
      type: 'device-locked',
      status: 403,
      title: 'This device was locked',
      detail: 'An administrator locked this app on this device. Verify the command, lock, acknowledge it with the device key, then unlock or sign in again.',
      extensions: { command, commandId, ...(oauth ? { error: 'invalid_grant', error_description: 'this device was locked' } : {}) },
    }),
  /** An acknowledgement of a device command that is forged, stale, for another command or key. */
  commandAckRefused: (reason: string) =>
    new Problem({ type: 'command-ack-refused', status: 401, title: 'The acknowledgement was refused', detail: 'Sign { jti: <command id>, iat } with the device key (typ palisade-command-ack+jwt, jwk in the header).', audit: { reason: 'command_ack_refused', detail: { why: reason } } }),
  commandAlreadyAcknowledged: () =>
    new Problem({ type: 'command-already-acknowledged', status: 409, title: 'The command was already acknowledged', detail: 'An acknowledgement is accepted once.' }),
  validation: (errors: { path: string; message: string }[]) =>
    new Problem({
      type: 'validation-failed',
      status: 400,
      title: 'The request is not valid',
      detail: 'One or more parts of the request do not match the API schema.',
      extensions: { errors },
    }),
  malformedBody: (detail: string) => new Problem({ type: 'malformed-body', status: 400, title: 'The request body could not be read', detail }),
  bodyTooLarge: (limit: number) =>
    new Problem({ type: 'body-too-large', status: 413, title: 'The request body is too large', detail: `The limit is ${limit} bytes.` }),
  /** JSON nested deeper than the API allows (http/json.ts): refused before it is parsed. */
  bodyTooDeep: (maxDepth: number) =>
    new Problem({ type: 'body-too-deep', status: 400, title: 'The request body nests too deeply', detail: `Objects and arrays may nest at most ${maxDepth} levels.` }),
  unsupportedMediaType: (detail: string) =>
    new Problem({ type: 'unsupported-media-type', status: 415, title: 'The content type is not accepted', detail }),
  /** The URL's percent-encoding cannot be decoded (`%zz`, a lone `%`). */
  malformedUrl: () => new Problem({ type: 'malformed-url', status: 400, title: 'The URL could not be read', detail: 'The path or query has a broken percent-encoding.' }),
  /** Answered by Node's HTTP parser stage (client-errors.ts): the request line and headers are too large. */
  headersTooLarge: () => new Problem({ type: 'headers-too-large', status: 431, title: 'The request headers are too large', detail: 'The URL and headers together exceed the size limit.' }),
  malformedRequest: () => new Problem({ type: 'malformed-request', status: 400, title: 'The request is not valid HTTP' }),
  requestTimeout: () => new Problem({ type: 'request-timeout', status: 408, title: 'The request took too long to arrive' }),
  notFound: () => new Problem({ type: 'not-found', status: 404, title: 'Not found' }),
  methodNotAllowed: () => new Problem({ type: 'method-not-allowed', status: 405, title: 'Method not allowed' }),
  notReady: (detail: string) => new Problem({ type: 'not-ready', status: 503, title: 'Not ready', detail }),
  noRole: () =>
    new Problem({
      type: 'no-role',
      status: 403,
      title: 'No Palisade role',
      detail: 'Your company account is in no group that grants a Palisade role. Ask IT to add you to the right group.',
    }),
  /** OIDC Back-Channel Logout §2.8: 400 with an OAuth-style error member. */
  logoutTokenRefused: (detail: string) =>
    new Problem({ type: 'logout-token-refused', status: 400, title: 'The logout token was refused', detail, extensions: { error: 'invalid_request', error_description: detail } }),
  forbidden: (detail: string) => new Problem({ type: 'forbidden', status: 403, title: 'Not allowed', detail }),
  /** RFC 9470: the token is fine but the sign-in behind it is too old (or too weak) for this action. */
  stepUpRequired: (maxAgeS: number, acr: string | undefined) =>
    new Problem({
      type: 'step-up-required',
      status: 401,
      title: 'Sign in again to do this',
      detail: `This action needs a sign-in at the company IdP within the last ${maxAgeS} seconds${acr ? ` with ${acr}` : ''}. Sign in again with max_age (or prompt=login) and retry with the new token.`,
      extensions: { maxAge: maxAgeS, ...(acr ? { acrValues: acr } : {}) },
      headers: {
        'www-authenticate': `Bearer realm="palisade", error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=${maxAgeS}${acr ? `, acr_values="${acr}"` : ''}`,
      },
    }),
  /** Too many requests of one rate class (issue 6); `headers` carry RateLimit and RateLimit-Policy. */
  rateLimited: (rateClass: string, retryAfterS: number, headers: Record<string, string>) =>
    new Problem({
      type: 'rate-limited',
      status: 429,
      title: 'Too many requests',
      detail: `The ${rateClass} rate limit is used up; retry after ${retryAfterS} seconds.`,
      extensions: { rateClass, retryAfter: retryAfterS },
      headers: { ...headers, 'retry-after': String(retryAfterS) },
    }),
  /** Repeated authentication failures locked this IP or account for a growing interval. */
  lockedOut: (retryAfterS: number) =>
    new Problem({
      type: 'locked-out',
      status: 429,
      title: 'Too many failed attempts',
      detail: `Authentication is locked after repeated failures; retry after ${retryAfterS} seconds.`,
      extensions: { retryAfter: retryAfterS },
      headers: { 'retry-after': String(retryAfterS) },
    }),
  /** Issue 6: `/api` and `/admin` requests name their app with a key (apisec/app-keys.ts). */
  missingAppKey: () =>
    new Problem({
      type: 'missing-app-key',
      status: 401,
      title: 'An app key is required',
      detail: 'Send the app’s key in the `palisade-app-key` header (never in the URL).',
      headers: { 'www-authenticate': 'AppKey realm="palisade", header="palisade-app-key"' },
      audit: { reason: 'app_key_missing' },
    }),
  /** One answer for unknown, wrong, revoked and expired keys: no oracle. The audit record says which. */
  invalidAppKey: (reason: string, detail?: Record<string, unknown>) =>
    new Problem({
      type: 'invalid-app-key',
      status: 401,
      title: 'The app key is not valid',
      detail: 'The app key is malformed, unknown, revoked or expired. Ask the operator for the app’s current key.',
      headers: { 'www-authenticate': 'AppKey realm="palisade", header="palisade-app-key", error="invalid_key"' },
      audit: { reason, ...(detail ? { detail } : {}) },
    }),
  /** The access token was issued to another app than the one whose key came with it. */
  tokenAppMismatch: (detail: Record<string, unknown>) =>
    new Problem({
      type: 'token-app-mismatch',
      status: 403,
      title: 'The access token belongs to another app',
      detail: 'Send a token issued to the app whose key the request carries.',
      audit: { reason: 'token_app_mismatch', detail },
    }),
  /** Only an app's current (active) key can be rotated. */
  appKeyNotActive: (detail: string) => new Problem({ type: 'app-key-not-active', status: 409, title: 'The app key is not active', detail }),
  /**
   * Request signatures (RFC 9421, apisec/signatures.ts). `code` is the precise reason (also the
   * reason of the http.denied audit record); Accept-Signature (RFC 9421 §5.1) tells the app what to sign.
   */
  signatureRequired: (detail: string, code: string) =>
    new Problem({ type: 'signature-required', status: 401, title: 'The request must be signed', detail, extensions: { code }, audit: { reason: code }, headers: { 'accept-signature': ACCEPT_SIGNATURE } }),
  signatureInvalid: (detail: string, code: string) =>
    new Problem({ type: 'signature-invalid', status: 401, title: 'The request signature is not valid', detail, extensions: { code }, audit: { reason: code }, headers: { 'accept-signature': ACCEPT_SIGNATURE } }),
  signatureExpired: (detail: string, code: string) =>
    new Problem({ type: 'signature-expired', status: 401, title: 'The request signature is outside the time window', detail, extensions: { code }, audit: { reason: code } }),
  signatureReplayed: (detail: string, code: string) =>
    new Problem({ type: 'signature-replayed', status: 401, title: 'The request was already received', detail, extensions: { code }, audit: { reason: code } }),
  contentDigestRequired: (detail: string, code: string) =>
    new Problem({ type: 'content-digest-required', status: 401, title: 'A Content-Digest is required', detail, extensions: { code }, audit: { reason: code } }),
  contentDigestMismatch: (detail: string, code: string) =>
    new Problem({ type: 'content-digest-mismatch', status: 401, title: 'The body does not match its Content-Digest', detail, extensions: { code }, audit: { reason: code } }),
  internal: () => new Problem({ type: 'internal', status: 500, title: 'Internal error', detail: 'The error was logged with the request id.' }),
  /** The request names a record (by id or code) that does not exist, or not in the caller's scope. */
  unknownReference: (field?: string) =>
    new Problem({
      type: 'unknown-reference',
      status: 422,
      title: 'A referenced record does not exist',
      detail: field ? `No ${field} with that id exists in your scope.` : 'A record the request refers to does not exist in your scope.',
      ...(field ? { extensions: { field } } : {}),
    }),
  alreadyExists: (field?: string) =>
    new Problem({ type: 'already-exists', status: 409, title: 'The record already exists', detail: field ? `Another record already has this ${field}.` : 'Another record already has these values.', ...(field ? { extensions: { field } } : {}) }),
  stillReferenced: () =>
    new Problem({ type: 'still-referenced', status: 409, title: 'The record is still in use', detail: 'Other records still refer to this one.' }),
  conflict: () => new Problem({ type: 'conflict', status: 409, title: 'The request conflicts with an existing record' }),
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
