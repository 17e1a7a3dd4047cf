/**
 * What never enters an audit record: tokens, keys, secrets, passwords, proofs and encrypted
 * values (by field name), and sensitive personal fields (site access notes, contact details),
 * which are recorded as changed but not with their values. The same rule keeps them out of
 * the logs: http/logger.ts runs every log object through `redactForLog`. Here in `security`, below
 * both `audit` and `http`, so that each can use it without depending on the other.
 */
// A field is secret when its name (case and dashes/underscores ignored) ends in one of these —
// `refresh_token`, `clientSecret`, `unlockJwk`, `x-api-key` — or is one of the exact names.
// By suffix, not substring: `tokens.accessTokenTtl` is a setting, not a token, and `clients[].dpop`
// (required/allowed) is a setting whose changes must be visible. The DPoP header itself is
// redacted by path in the HTTP logger.
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'passwd', 'apikey', 'privatekey', 'masterkey', 'authorization', 'cookie', 'signature', 'proof', 'assertion', 'verifier', 'jwk', 'jws', 'jwe', 'wrapped', 'ciphertext', 'encrypted', 'otp', 'pin', 'dpopproof', 'credential', 'credentials', 'signingkey'];
// `palisade-app-key` is the app key header; `clients[].appKey` (required/off) is a setting.
const SECRET_EXACT = new Set(['code', 'key', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'palisadeappkey']);
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_EXACT.has(n) || SECRET_SUFFIXES.some((suffix) => n.endsWith(suffix));
}
const SENSITIVE_NAME = /^(access[-_]?notes|contact[-_]?(phone|email|name)|phone|national[-_]?id|ssn|card[-_]?number|health.*)$/i;

export const REDACTED = '[redacted]';

function scrub(value: unknown, depth: number): unknown {
  if (depth > 8) return REDACTED; // deeper than any record we write: refuse to guess
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  // Plain data only: class instances (a request, a socket, a Date) are left to their serializers.
  if (value && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) || SENSITIVE_NAME.test(k) ? REDACTED : scrub(v, depth + 1);
    return out;
  }
  return value;
}

/** A deep copy with every secret or sensitive field's value replaced by `[redacted]`. */
export function redact<T extends Record<string, unknown>>(value: T): T {
  return scrub(value, 0) as T;
}

/**
 * The before/after difference of a change: only fields whose values differ, redacted.
 * A redacted field that changed still appears (as `[redacted]` on both sides), so the record
 * says that it changed without saying what it was.
 */
export function difference(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): { before?: Record<string, unknown>; after?: Record<string, unknown> } {
  if (!before) return after ? { after: redact(after) } : {};
  if (!after) return { before: redact(before) };
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    if (key in before) b[key] = before[key];
    if (key in after) a[key] = after[key];
  }
  return { before: redact(b), after: redact(a) };
}

/** Fields pino's serializers own (their header redaction is configured in http/app.ts). */
const SERIALIZED = new Set(['err', 'error', 'req', 'res']);

/**
 * The same rule for log lines, at any depth of plain data. Errors, requests and responses are
 * left to pino's serializers (an error's message and stack are the point of logging it; no
 * Palisade error carries a secret in them).
 */
export function redactForLog(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SERIALIZED.has(k) ? v : isSecretName(k) || SENSITIVE_NAME.test(k) ? REDACTED : scrub(v, 1);
  return out;
}
