/**
 * The client side of Palisade's request signatures: HTTP Message Signatures (RFC 9421) with
 * HMAC-SHA256 under the session's signing key (issued with the tokens as `signing_key` and
 * `signing_key_id`), over `@method`, `@target-uri`, `authorization` and `content-digest`
 * (RFC 9530), with `created`, `nonce`, `keyid` and `alg`. The signature base and the Structured
 * Field serialization come from the same maintained libraries the server verifies with
 * (http-message-signatures, structured-headers); the HMAC and digest from WebCrypto.
 */
import { createSignatureBase, formatSignatureBase } from 'http-message-signatures/lib/httpbis/index.js';
import { serializeInnerList, serializeItem, type InnerList } from 'structured-headers';
import { fromBase64Url, hmacSha256, importHmacKey, randomToken, sha256, toBase64, utf8 } from './crypto.ts';

export const SIGNATURE_ALG = 'hmac-sha256';
/** What every signature covers (server/src/apisec/signatures.ts REQUIRED_COMPONENTS). */
export const SIGNED_COMPONENTS = ['@method', '@target-uri', 'authorization', 'content-digest'] as const;

/** A session's request signing key as the token endpoint returns it. */
export interface SigningKey {
  keyId: string;
  /** base64url */
  key: string;
}

/** The signing key of a token response, when it carries one. */
export function signingKeyOf(tokens: Record<string, unknown>): SigningKey | undefined {
  const { signing_key: key, signing_key_id: keyId } = tokens;
  return typeof key === 'string' && typeof keyId === 'string' ? { key, keyId } : undefined;
}

/** The digest of no body (most calls are GETs): computed once. */
const EMPTY_DIGEST = 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:';

/** RFC 9530 §2: `sha-256=:<base64>:` of exactly these bytes. */
export async function contentDigest(body: Uint8Array<ArrayBuffer>): Promise<string> {
  if (body.length === 0) return EMPTY_DIGEST;
  return `sha-256=:${toBase64(await sha256(body))}:`;
}

/**
 * The signing key imported for HMAC once: a session signs every call with the same key, and
 * importing it each time was a measurable part of a call's cost. The holder (the client) drops
 * it with the session (lock, sign-out, wipe), so a locked app keeps no usable signing key.
 */
export interface ImportedSigningKey {
  keyId: string;
  key: Promise<CryptoKey>;
}

export function importSigningKey(key: SigningKey): ImportedSigningKey {
  return { keyId: key.keyId, key: importHmacKey(fromBase64Url(key.key)) };
}

export interface SignInput {
  method: string;
  /** The URL as it goes on the wire (origin, path and query). */
  url: string;
  /** The Authorization header's exact value. */
  authorization: string;
  body: Uint8Array<ArrayBuffer>;
  key: SigningKey;
  /** `key` already imported (`importSigningKey`), to skip importing it again. */
  imported?: ImportedSigningKey;
  /** Seconds since the epoch. */
  created: number;
}

/** The Content-Digest, Signature-Input and Signature header values for a request. */
export async function signRequest(input: SignInput): Promise<{ 'content-digest': string; 'signature-input': string; signature: string }> {
  const digest = await contentDigest(input.body);
  const params = new Map<string, string | number>([
    ['created', input.created],
    // 128 random bits: the server refuses a nonce it has seen within its window.
    ['nonce', randomToken(16)],
    ['keyid', input.key.keyId],
    ['alg', SIGNATURE_ALG],
  ]);
  const list: InnerList = [SIGNED_COMPONENTS.map((name) => [name, new Map()]), params];
  const base = createSignatureBase(
    { fields: list[0].map((item) => serializeItem(item)) },
    { method: input.method, url: input.url, headers: { authorization: input.authorization, 'content-digest': digest } },
  );
  // The parameters line is the serialized inner list itself (RFC 9421 §2.3), as the server re-serializes it.
  const text = `${formatSignatureBase(base)}\n"@signature-params": ${serializeInnerList(list)}`;
  const imported = input.imported?.keyId === input.key.keyId ? await input.imported.key : fromBase64Url(input.key.key);
  const mac = await hmacSha256(imported, utf8(text));
  return { 'content-digest': digest, 'signature-input': `sig=${serializeInnerList(list)}`, signature: `sig=:${toBase64(mac)}:` };
}
