/**
 * Every problem type Palisade answers with, in one place: the slug (the `type` URI is
 * PROBLEM_BASE + slug), status, title, the stable `ERR_` code and what it means for a client.
 * http/problems.ts builds its answers from here, the OpenAPI document lists them per operation,
 * and `npm run docs` writes docs/problems.md from it (a drift test keeps that page current).
 *
 * A slug here is a promise to clients: it never changes once the API has answered with it. Where
 * a slug and the name of its factory in http/problems.ts differ (`unlock-failed` is built by
 * `problems.unlockRefused`), the slug wins; docs/problems.md names both.
 */
import { codeOfSlug } from './palisade-error.ts';

export const PROBLEM_BASE = 'https://palisade.dev/problems/';

export interface ProblemTypeInit {
  /** The usual status; `statuses` lists every status the type is answered with when it is more than one. */
  status: number;
  statuses?: readonly number[];
  title: string;
  /** What happened and what the client does about it (docs/problems.md). */
  description: string;
  /** Members beyond RFC 9457's, and headers that come with it. */
  extensions?: readonly string[];
  headers?: readonly string[];
  /** Answered in SCIM's error format (RFC 7644 §3.12, application/scim+json) by /scim/v2. */
  scim?: boolean;
}

const RATE_HEADERS = ['retry-after', 'ratelimit', 'ratelimit-policy'] as const;
const SCIM = 'A SCIM request was refused; the body is a SCIM error (RFC 7644 §3.12) that also carries `type` and `title`.';

const CATALOGUE = {
  // ---- Tokens, sessions and the request's own credentials
  'missing-token': { status: 401, title: 'An access token is required', description: 'The route needs an access token and none was sent. Send `Authorization: Bearer <token>` (or `DPoP <token>` with a DPoP proof).', headers: ['www-authenticate'] },
  'malformed-authorization': { status: 400, title: 'The Authorization header could not be read', description: 'The Authorization header is not one access token in a known scheme (RFC 6750 §3.1: invalid_request).', headers: ['www-authenticate'] },
  'invalid-token': { status: 401, title: 'The access token is not valid', description: 'The access token is expired, not signed by Palisade, for another audience, or otherwise refused. `code` holds the verifier’s stable reason.', extensions: ['code'], headers: ['www-authenticate'] },
  'invalid-dpop-proof': { status: 401, title: 'The DPoP proof is not valid', description: 'The DPoP proof (RFC 9449) is missing, malformed, stale, replayed, for another request or another key. The challenge names the accepted algorithms.', headers: ['www-authenticate'] },
  'session-revoked': { status: 401, title: 'The session has ended', description: 'The sign-in behind the token was revoked or has expired. Sign in again.', headers: ['www-authenticate'] },
  'session-locked': { status: 401, title: 'The session is locked', description: 'The session was idle for too long (or its device was locked). Unlock it with the unlock key, or sign in again.', headers: ['www-authenticate'] },
  'no-unlock-key': { status: 409, title: 'This session has no unlock key', description: 'The session registered no unlock key (`unlock_jwk`) at sign-in, so it cannot be unlocked; sign in again.' },
  'unlock-failed': { status: 401, title: 'The unlock proof was refused', description: 'The unlock proof is not a fresh challenge signed with the session’s unlock key. (Built by `problems.unlockRefused`; the slug is the one clients have always received.)' },
  'unlock-blocked': { status: 401, title: 'Unlocking is blocked', description: 'Too many failed unlock attempts; the session needs a new sign-in.' },
  'step-up-required': { status: 401, title: 'Sign in again to do this', description: 'The action needs a recent (and possibly stronger) sign-in (RFC 9470). Sign in again with `max_age` or `prompt=login` and retry with the new token.', extensions: ['maxAge', 'acrValues'], headers: ['www-authenticate'] },
  'logout-token-refused': { status: 400, title: 'The logout token was refused', description: 'A back-channel logout token from the company IdP was malformed, not signed by it, or already used (OIDC Back-Channel Logout §2.8).', extensions: ['error', 'error_description'] },
  'no-role': { status: 403, title: 'No Palisade role', description: 'The person is in no company group that grants a Palisade role.' },

  // ---- App keys and request signatures
  'missing-app-key': { status: 401, title: 'An app key is required', description: '`/api` and `/admin` requests name their app with the `palisade-app-key` header; none was sent.', headers: ['www-authenticate'] },
  'invalid-app-key': { status: 401, title: 'The app key is not valid', description: 'The app key is malformed, unknown, revoked or expired (one answer for all, so the key cannot be probed; the audit record says which).', headers: ['www-authenticate'] },
  'token-app-mismatch': { status: 403, title: 'The access token belongs to another app', description: 'The access token was issued to another app than the one whose key came with it.' },
  'app-key-not-active': { status: 409, title: 'The app key is not active', description: 'Only an app’s current (active) key can be rotated.' },
  'signature-required': { status: 401, title: 'The request must be signed', description: 'The route needs an RFC 9421 request signature and none (or an incomplete one) was sent. `Accept-Signature` says what to sign.', extensions: ['code'], headers: ['accept-signature'] },
  'signature-invalid': { status: 401, title: 'The request signature is not valid', description: 'The request signature does not verify with the session’s signing key, or covers the wrong components.', extensions: ['code'], headers: ['accept-signature'] },
  'signature-expired': { status: 401, title: 'The request signature is outside the time window', description: 'The signature’s `created` is too old or in the future.', extensions: ['code'] },
  'signature-replayed': { status: 401, title: 'The request was already received', description: 'The signature’s nonce was already used: the request is a replay.', extensions: ['code'] },
  'content-digest-required': { status: 401, title: 'A Content-Digest is required', description: 'A signed request with a body must carry a sha-256 Content-Digest (RFC 9530) and sign it.', extensions: ['code'] },
  'content-digest-mismatch': { status: 401, title: 'The body does not match its Content-Digest', description: 'The body was altered after it was signed, or the digest was computed over other bytes.', extensions: ['code'] },

  // ---- Rate limits and lockouts
  'rate-limited': { status: 429, title: 'Too many requests', description: 'A rate class’s limit is used up. `Retry-After` and the RateLimit headers say when to retry.', extensions: ['rateClass', 'retryAfter'], headers: RATE_HEADERS },
  'locked-out': { status: 429, title: 'Too many failed attempts', description: 'Repeated authentication failures locked the credential or address for a growing interval.', extensions: ['retryAfter'], headers: ['retry-after'] },

  // ---- Authorization
  forbidden: { status: 403, title: 'Not allowed', description: 'The caller’s roles (or assignment) do not allow the action; `permission` names the permission when one is missing.', extensions: ['permission'] },
  'out-of-scope': { status: 403, title: 'Outside your scope', description: 'The record is outside the caller’s territory, region, department or projects.' },
  'forbidden-data': { status: 422, title: 'This kind of data is not accepted', description: 'A free-text field looks like a card number, national identity number, health data or a password, which Palisade never stores.', extensions: ['field', 'kind'] },

  // ---- Devices, posture and remote commands
  'device-wiped': { status: 403, title: 'This device was wiped', description: 'An administrator ordered the app to wipe itself on this device. `command` is the signed command to verify and acknowledge.', extensions: ['command', 'commandId', 'error', 'error_description'] },
  'device-locked': { status: 403, title: 'This device was locked', description: 'An administrator locked the app on this device. `command` is the signed command to verify and acknowledge.', extensions: ['command', 'commandId', 'error', 'error_description'] },
  'command-ack-refused': { status: 401, title: 'The acknowledgement was refused', description: 'A device command acknowledgement is forged, stale, for another command or not signed by the device key.' },
  'command-already-acknowledged': { status: 409, title: 'The command was already acknowledged', description: 'A device command is acknowledged once.' },
  'release-refused': { status: 409, title: 'The person cannot be re-enabled here', description: 'The person is not disabled, or the company IdP deprovisioned them (SCIM `active: false`): that is reversed at the IdP, not in Palisade.' },
  'device-not-active': { status: 409, title: 'The device is not active', description: 'The device was already wiped or removed; it takes no further commands.' },
  'device-unknown': { status: 409, title: 'No device for this session', description: 'Managed configuration is per device: the token is not bound to a device key (DPoP).' },
  'posture-required': { status: 400, title: 'Send the device posture', description: 'The app’s policy needs a signed posture report (header `palisade-device-posture`) with every token request.' },
  'posture-invalid': { status: 400, title: 'The posture report is not valid', description: 'The posture report is malformed, not signed by the device key, stale or replayed.' },
  'app-update-required': { status: 426, title: 'Update the app', description: 'The app version is below the policy’s minimum, or the device did not show it (no posture report).', extensions: ['minAppVersion'] },
  'os-update-required': { status: 426, title: 'Update the operating system', description: 'The operating system version is below the policy’s minimum, or neither the report nor the MDM shows it (platform unknown: `minOsVersion` lists every platform’s minimum).', extensions: ['minOsVersion', 'platform'] },
  'device-compromised': { status: 403, title: 'This device is not trusted', description: 'The device appears jailbroken or rooted.' },
  'passcode-required': { status: 403, title: 'Set a device passcode', description: 'The policy needs a device passcode (or PIN).' },
  'mdm-enrollment-required': { status: 403, title: 'Enrol the device', description: 'The app needs a company-managed (MDM-enrolled) device.' },
  'mdm-noncompliant': { status: 403, title: 'The device is out of compliance', description: 'Device management reports the device as not compliant.' },
  'attestation-required': { status: 403, title: 'Platform attestation required', description: 'The policy needs an App Attest or Play Integrity proof of the device key.' },
  'mfa-required': { status: 401, title: 'Multi-factor sign-in required', description: 'On a personal device the app needs a multi-factor sign-in; sign in again with `prompt=login`.', extensions: ['stepUp'] },
  'export-not-allowed-on-byod': { status: 403, title: 'Export is not allowed on a personal device', description: 'Company data may not be exported to a personal (BYOD) device.' },
  'mdm-credentials-refused': { status: 401, title: 'The notification’s credentials were refused', description: 'An MDM webhook notification did not carry the credentials configured for that MDM.', headers: ['www-authenticate'] },
  'mdm-notification-malformed': { status: 400, title: 'The notification could not be read', description: 'An MDM webhook notification is not in the vendor’s format.' },

  // ---- Field service
  'invalid-transition': { status: 409, title: 'The job cannot move to that status', description: 'The job’s status does not allow this change; `allowed` lists the statuses it can move to.', extensions: ['from', 'to', 'allowed'] },
  'photo-rejected': { status: 422, statuses: [413, 422], title: 'The photo was not accepted', description: 'The photo is not a well-formed JPEG, PNG or HEIC within the size and pixel limits (413 when too large); `reason` says why.', extensions: ['reason'] },
  'photo-unavailable': { status: 503, title: 'The photo cannot be served', description: 'The stored photo does not decrypt under its uploader’s key (altered at rest, moved from another photo, or the key was destroyed by an erasure) or no longer matches its recorded digest, so it is not served.' },
  'personal-data-unreadable': { status: 503, title: 'Stored personal data cannot be read', description: 'A position sealed under its person’s key does not open: it was altered at rest (`reason` integrity) or the person’s key was destroyed by an erasure (`reason` key-destroyed).', extensions: ['reason'] },

  // ---- Records and the request's form
  'validation-failed': { status: 400, title: 'The request is not valid', description: 'Parts of the request do not match the API schema; `errors` lists each path and why.', extensions: ['errors'] },
  'malformed-body': { status: 400, title: 'The request body could not be read', description: 'The body is empty, not valid JSON, or carries a forbidden key (`__proto__`).' },
  'body-too-large': { status: 413, title: 'The request body is too large', description: 'The body exceeds the route’s size limit.' },
  'body-too-deep': { status: 400, title: 'The request body nests too deeply', description: 'JSON nested deeper than the API allows is refused before it is parsed.' },
  'unsupported-media-type': { status: 415, title: 'The content type is not accepted', description: 'The route does not accept the body’s content type.' },
  'malformed-url': { status: 400, title: 'The URL could not be read', description: 'The path or query has a broken percent-encoding.' },
  'headers-too-large': { status: 431, title: 'The request headers are too large', description: 'The URL and headers together exceed the size limit.' },
  'malformed-request': { status: 400, title: 'The request is not valid HTTP', description: 'Node’s HTTP parser refused the request.' },
  'request-timeout': { status: 408, title: 'The request took too long to arrive', description: 'The request’s headers or body did not arrive in time.' },
  'unknown-reference': { status: 422, title: 'A referenced record does not exist', description: 'The request names a record that does not exist in the caller’s scope; `field` names it when known.', extensions: ['field'] },
  'already-exists': { status: 409, title: 'The record already exists', description: 'Another record already has these unique values; `field` names them when known.', extensions: ['field'] },
  'legal-hold': { status: 409, title: 'The person is under a legal hold', description: 'Erasure is refused while a legal hold keeps the person’s records for legal claims (GDPR Art. 17(3)(e)). An operator lifts the hold (`palisade privacy hold --lift`) once it no longer applies.' },
  'still-referenced': { status: 409, title: 'The record is still in use', description: 'Other records still refer to this one, so it cannot be deleted.' },
  conflict: { status: 409, title: 'The request conflicts with an existing record', description: 'The change conflicts with a stored record (an exclusion constraint).' },
  'not-found': { status: 404, title: 'Not found', description: 'No such route or record (or not one the caller may see).' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', description: 'The route does not answer this method.' },

  // ---- The server
  'not-ready': { status: 503, title: 'Not ready', description: 'The server cannot serve yet, or cannot serve this request now: the database or Redis is unreachable (nothing was changed), or start-up is not finished. `Retry-After` says when to try again.' },
  internal: { status: 500, title: 'Internal error', description: 'An unexpected error; it was logged with the request id (`instance`). No detail is given.' },

  // ---- SCIM (RFC 7644 §3.12): the slug is `scim-` + the scimType, or + the status when there is none
  'scim-invalid-filter': { status: 400, title: 'The provisioning request was refused', description: `${SCIM} The filter is not supported or not valid.`, scim: true },
  'scim-invalid-path': { status: 400, title: 'The provisioning request was refused', description: `${SCIM} A PATCH path is not valid.`, scim: true },
  'scim-invalid-syntax': { status: 400, title: 'The provisioning request was refused', description: `${SCIM} The body could not be read.`, scim: true },
  'scim-invalid-value': { status: 400, title: 'The provisioning request was refused', description: `${SCIM} A value is missing or not valid.`, scim: true },
  'scim-uniqueness': { status: 409, title: 'The provisioning request was refused', description: `${SCIM} Another user already has this userName or externalId.`, scim: true },
  'scim-400': { status: 400, title: 'The provisioning request was refused', description: `${SCIM} The request could not be read.`, scim: true },
  'scim-401': { status: 401, title: 'The provisioning request was refused', description: `${SCIM} A valid SCIM bearer token is required.`, scim: true },
  'scim-404': { status: 404, title: 'The provisioning request was refused', description: `${SCIM} No such user.`, scim: true },
  'scim-413': { status: 413, title: 'The provisioning request was refused', description: `${SCIM} The body is too large.`, scim: true },
  'scim-415': { status: 415, title: 'The provisioning request was refused', description: `${SCIM} Send application/scim+json.`, scim: true },
  'scim-429': { status: 429, title: 'The provisioning request was refused', description: `${SCIM} A rate limit or lockout; \`Retry-After\` says when to retry.`, scim: true, headers: ['retry-after'] },
  'scim-500': { status: 500, title: 'The provisioning request was refused', description: `${SCIM} An unexpected error; it was logged with the request id.`, scim: true },
} as const satisfies Record<string, ProblemTypeInit>;

export type ProblemSlug = keyof typeof CATALOGUE;

export interface ProblemType extends ProblemTypeInit {
  slug: ProblemSlug;
  /** PROBLEM_BASE + slug: what a problem body's `type` says. */
  uri: string;
  /** The stable `ERR_` code (docs/problems.md; PalisadeError.code of a Problem). */
  code: string;
}

export const PROBLEM_TYPES: Readonly<Record<ProblemSlug, ProblemType>> = Object.fromEntries(
  Object.entries(CATALOGUE).map(([slug, init]) => [slug, { slug, uri: PROBLEM_BASE + slug, code: codeOfSlug(slug), ...init }]),
) as Record<ProblemSlug, ProblemType>;

export function isProblemSlug(slug: string): slug is ProblemSlug {
  return Object.hasOwn(CATALOGUE, slug);
}

/** The catalogue entry of a slug; throws on an uncatalogued one (a bug, caught by the tests). */
export function problemType(slug: string): ProblemType {
  if (!isProblemSlug(slug)) throw new Error(`problem type ${slug} is not in the catalogue (server/src/errors/catalogue.ts)`);
  return PROBLEM_TYPES[slug];
}
