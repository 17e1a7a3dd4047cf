/**
 * Request signatures: HTTP Message Signatures (RFC 9421) with HMAC-SHA256 under the
 * session's signing key (signing-keys.ts), over at least `@method`, `@target-uri`,
 * `authorization` and `content-digest` (RFC 9530: SHA-256 of the exact body bytes), with the
 * `created`, `nonce` and `keyid` parameters. A signature is accepted when `created` is within the
 * window of server time (both ways) and its nonce has not been seen within the window, in the
 * shared cache — so a replay to another instance is refused as well.
 *
 * The signature base and Structured Fields come from maintained libraries
 * (http-message-signatures, structured-headers); the HMAC from node:crypto; every comparison of
 * a secret-derived value is constant-time (security/primitives.ts).
 */
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import { isInnerList, parseDictionary, serializeInnerList, serializeItem, type Dictionary, type InnerList } from 'structured-headers';
import { constantTimeEqual, randomId } from '../security/index.ts';
import { PalisadeError } from '../errors/index.ts';

/** RFC 9421 §6.2.2 algorithm name; the only one Palisade accepts. */
export const SIGNATURE_ALG = 'hmac-sha256';
/** What every signature must cover (more is allowed). */
export const REQUIRED_COMPONENTS = ['@method', '@target-uri', 'authorization', 'content-digest'] as const;
export const SIGNING_MODES = ['required', 'optional', 'off'] as const;
export type SigningMode = (typeof SIGNING_MODES)[number];
/** Nonces are the client's random values; bounded so the replay cache cannot be bloated. */
const NONCE = /^[\x21-\x7e]{16,128}$/;

/**
 * Why a signature was refused. `kind` chooses the problem type (http/problems.ts); `reason` is the
 * precise, stable reason (`signature_mismatch`) that goes into the problem's `code` member and the
 * audit record; the error's `code` is the same reason in the one spelling (`ERR_SIGNATURE_MISMATCH`).
 */
export type SignatureRefusal = 'required' | 'invalid' | 'expired' | 'replayed' | 'digest-required' | 'digest-mismatch';

export class SignatureError extends PalisadeError<`ERR_SIGNATURE_${string}`> {
  readonly kind: SignatureRefusal;
  readonly reason: string;
  constructor(kind: SignatureRefusal, reason: string, detail: string) {
    super(`ERR_SIGNATURE_${reason.replace(/^signature_/, '').toUpperCase()}`, detail);
    this.name = 'SignatureError';
    this.kind = kind;
    this.reason = reason;
  }
}

/** RFC 9530 §2: `sha-256=:<base64>:` of exactly these bytes. */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** The request as the signature saw it: `targetUri` is the URL the client addressed. */
export interface SignedRequest {
  method: string;
  targetUri: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

const present = (headers: SignedRequest['headers']) => {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  return out;
};
const joined = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

/** The RFC 9421 §2.5 signature base for `input` (its components and its parameters). */
function signatureBase(request: SignedRequest, input: InnerList): string {
  const base = httpbis.createSignatureBase({ fields: input[0].map((item) => serializeItem(item)) }, { method: request.method, url: request.targetUri, headers: present(request.headers) });
  // The parameters line is the serialized inner list itself (§2.3), as the verifier re-serializes it.
  return `${httpbis.formatSignatureBase(base)}\n"@signature-params": ${serializeInnerList(input)}`;
}

/**
 * The HMAC key as a KeyObject, made once per session key: handing Node raw bytes imports them
 * afresh on every request (about 10 µs of the stage). Keyed by the bytes' identity — the
 * session-key cache (signing-keys.ts) hands out the same Buffer — and dropped with them.
 */
const hmacKeys = new WeakMap<Uint8Array, KeyObject>();
const hmac = (key: Uint8Array, base: string) => {
  let keyObject = hmacKeys.get(key);
  if (!keyObject) hmacKeys.set(key, (keyObject = createSecretKey(key)));
  return createHmac('sha256', keyObject).update(base, 'utf8').digest();
};

export interface VerifyDeps {
  /** The caller's session key (the verified access token's `sid`); undefined: none. */
  key: { keyId: string; key: Uint8Array } | undefined;
  now: number;
  windowMs: number;
  /** The shared cache's one-time claim (cache/index.ts). */
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
}

/**
 * Verifies the request's signature under the session key; throws a SignatureError naming the
 * first thing wrong. The nonce is claimed last, so only a signature that is otherwise valid
 * spends it (a forger cannot burn an app's nonces).
 */
export async function verifyRequestSignature(request: SignedRequest, deps: VerifyDeps): Promise<{ label: string; keyId: string }> {
  const inputHeader = joined(request.headers['signature-input']);
  const signatureHeader = joined(request.headers['signature']);
  if (!inputHeader && !signatureHeader) throw new SignatureError('required', 'signature_missing', 'Sign the request (RFC 9421) with the session’s signing key.');
  if (!inputHeader || !signatureHeader) throw new SignatureError('invalid', 'signature_headers_incomplete', 'Send both Signature-Input and Signature.');
  let inputs: Dictionary;
  let signatures: Dictionary;
  try {
    inputs = parseDictionary(inputHeader);
    signatures = parseDictionary(signatureHeader);
  } catch {
    throw new SignatureError('invalid', 'signature_malformed', 'Signature-Input and Signature must be Structured Field dictionaries (RFC 9421 §4).');
  }
  if (!deps.key) throw new SignatureError('invalid', 'no_session_key', 'This session has no signing key: refresh the tokens to receive it.');
  const { keyId, key } = deps.key;
  // The signature made with this session's key; others (an intermediary's) are not ours to check.
  const chosen = [...inputs].find(([, value]) => isInnerList(value) && value[1].get('keyid') === keyId);
  if (!chosen) {
    const named = [...inputs.values()].some((value) => isInnerList(value) && value[1].has('keyid'));
    throw new SignatureError('invalid', named ? 'keyid_unknown' : 'keyid_missing', 'The signature’s keyid must be the signing_key_id issued with this session’s tokens.');
  }
  const [label, input] = chosen as [string, InnerList];

  const covered = input[0].map(([name, params]) => (typeof name === 'string' && params.size === 0 ? name : undefined));
  const missing = REQUIRED_COMPONENTS.filter((name) => !covered.includes(name));
  if (missing.length) throw new SignatureError('invalid', 'components_incomplete', `The signature must cover ${REQUIRED_COMPONENTS.join(', ')}; missing: ${missing.join(', ')}.`);
  const params = input[1];
  const alg = params.get('alg');
  if (alg !== undefined && alg !== SIGNATURE_ALG) throw new SignatureError('invalid', 'alg_unsupported', `alg must be ${SIGNATURE_ALG}.`);
  const created = params.get('created');
  if (typeof created !== 'number' || !Number.isInteger(created)) throw new SignatureError('invalid', 'created_missing', 'The signature needs a created parameter (integer seconds).');
  const nonce = params.get('nonce');
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) throw new SignatureError('invalid', 'nonce_missing', 'The signature needs a nonce parameter of 16 to 128 printable characters.');

  // The replay window, both ways: a stale signature, and one dated ahead (a clock far off, or a
  // signature prepared to be replayed later).
  const ageMs = deps.now - created * 1000;
  if (ageMs > deps.windowMs) throw new SignatureError('expired', 'created_too_old', `created must be within ${deps.windowMs / 1000} s of server time.`);
  if (-ageMs > deps.windowMs) throw new SignatureError('expired', 'created_in_future', `created must be within ${deps.windowMs / 1000} s of server time.`);
  const expires = params.get('expires');
  if (expires !== undefined && (typeof expires !== 'number' || expires * 1000 < deps.now)) throw new SignatureError('expired', 'expires_passed', 'The signature has expired.');

  // Content-Digest (RFC 9530) of the exact bytes received. It is a covered component, so the
  // HMAC below binds the body to the signature through it.
  const digestHeader = joined(request.headers['content-digest']);
  if (!digestHeader) throw new SignatureError('digest-required', 'content_digest_missing', 'Send Content-Digest: sha-256=:<base64 SHA-256 of the body>: (of the empty body for requests without one).');
  let claimed: unknown;
  try {
    const member = parseDictionary(digestHeader).get('sha-256');
    claimed = member && !isInnerList(member) ? member[0] : undefined;
  } catch {
    claimed = undefined;
  }
  if (!(claimed instanceof ArrayBuffer)) throw new SignatureError('digest-required', 'content_digest_malformed', 'Content-Digest needs a sha-256 byte sequence (RFC 9530).');
  if (!constantTimeEqual(new Uint8Array(claimed), createHash('sha256').update(request.body).digest())) {
    throw new SignatureError('digest-mismatch', 'content_digest_mismatch', 'Content-Digest does not match the body received.');
  }

  let base: string;
  try {
    base = signatureBase(request, input);
  } catch {
    throw new SignatureError('invalid', 'component_unavailable', 'A covered component is absent from the request or not supported.');
  }
  const given = signatures.get(label);
  const value = given && !isInnerList(given) ? given[0] : undefined;
  if (!(value instanceof ArrayBuffer)) throw new SignatureError('invalid', 'signature_value_missing', `Signature has no byte sequence for ${label}.`);
  if (!constantTimeEqual(new Uint8Array(value), hmac(key, base))) throw new SignatureError('invalid', 'signature_mismatch', 'The signature does not verify.');

  // Remembered for twice the window: a signature dated `window` ahead stays acceptable that long.
  if (!(await deps.claimOnce(`signature-nonce:${keyId}:${nonce}`, 2 * deps.windowMs + 1000, created))) {
    throw new SignatureError('replayed', 'nonce_reused', 'This nonce was already used, or the request was signed before this server began remembering nonces: sign every request anew, with a new nonce.');
  }
  return { label, keyId };
}

export interface SignOptions {
  method: string;
  /** The URL as the app calls it (origin, path and query). */
  targetUri: string;
  /** The Authorization header's value, exactly as sent. */
  authorization: string;
  body?: Uint8Array | string;
  keyId: string;
  /** The key as the token endpoint returned it (base64url), or its bytes. */
  key: string | Uint8Array;
  /** Seconds; default now. */
  created?: number;
  /** Default: 128 random bits. */
  nonce?: string;
  /** Default: REQUIRED_COMPONENTS. */
  components?: readonly string[];
  /** Other header fields the request sends, for components beyond the required ones. */
  headers?: Record<string, string>;
  label?: string;
  /** Omit alg (it is optional). */
  withoutAlg?: boolean;
}

/**
 * What an app sends (the client side of `verifyRequestSignature`, used by the test app and as
 * the reference for SDKs): the Content-Digest, Signature-Input and Signature header values.
 */
export function signRequest(options: SignOptions): { 'content-digest': string; 'signature-input': string; signature: string } {
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : (options.body ?? new Uint8Array());
  const digest = contentDigest(body);
  const key = typeof options.key === 'string' ? Buffer.from(options.key, 'base64url') : options.key;
  const label = options.label ?? 'sig';
  const params = new Map<string, string | number>([
    ['created', options.created ?? Math.floor(Date.now() / 1000)],
    ['nonce', options.nonce ?? randomId(16)],
    ['keyid', options.keyId],
    ...(options.withoutAlg ? [] : [['alg', SIGNATURE_ALG] as [string, string]]),
  ]);
  const input: InnerList = [(options.components ?? REQUIRED_COMPONENTS).map((name) => [name, new Map()]), params];
  const base = signatureBase({ method: options.method, targetUri: options.targetUri, headers: { ...options.headers, authorization: options.authorization, 'content-digest': digest }, body }, input);
  return {
    'content-digest': digest,
    'signature-input': `${label}=${serializeInnerList(input)}`,
    signature: `${label}=:${hmac(key, base).toString('base64')}:`,
  };
}
