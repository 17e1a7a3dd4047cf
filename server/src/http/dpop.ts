/**
 * DPoP proofs at Palisade's API (RFC 9449 §4.3 and §7): the checks a resource server makes on
 * the `DPoP` header that accompanies a DPoP-bound access token. JWS parsing and signature
 * verification are libraries' (jose, and jws for ES256 over Node's own crypto); this module
 * only states the RFC's rules.
 *
 * A client signs every proof with the same key, so the proof's protected header (which
 * carries that key) repeats from request to request. The first proof with a given header is
 * verified by jose in full (the embedded JWK imported, the header's `typ`, `alg`, `crit` and
 * key checked); the imported key and its RFC 7638 thumbprint are then remembered under that
 * exact header's SHA-256 (a bounded LRU), so later proofs skip the import and the thumbprint. The
 * signature of every proof is still verified: ES256 — what mobile keystores hold — through
 * Node's synchronous `crypto.verify` on a KeyObject (about half the CPU of WebCrypto's
 * asynchronous path), every other algorithm through jose with the remembered key.
 */
import { EmbeddedJWK, calculateJwkThumbprint, decodeJwt, jwtVerify, type JWK, type JWTPayload } from 'jose';
import jws from 'jws';
import { createHash, createPublicKey, hash, type KeyObject } from 'node:crypto';
import { PalisadeError } from '../errors/index.ts';
import { BoundedMap } from '../cache/index.ts';

/** Asymmetric algorithms only: `none` and MACs can never prove possession of a private key. */
export const DPOP_ALGS = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'];
/** A proof is fresh for this long after its `iat` (and may be this much in the future). */
export const DPOP_MAX_AGE_S = 300;
export const DPOP_SKEW_S = 60;

/** A DPoP proof was refused; the message says why and is safe to show the client. */
export class DpopError extends PalisadeError<'ERR_DPOP_PROOF_INVALID'> {
  constructor(message: string) {
    super('ERR_DPOP_PROOF_INVALID', message);
  }
}

/** How long a proof's `jti` must be remembered: as long as the proof could still be fresh. */
export const DPOP_JTI_TTL_MS = (DPOP_MAX_AGE_S + DPOP_SKEW_S) * 1000;

export interface ProofContext {
  proof: string | undefined;
  method: string;
  /** The request's URL as the client addressed it, without query and fragment. */
  url: string;
  /** The access token the proof accompanies (API calls); absent at the token endpoint. */
  accessToken?: string;
  /** Its SHA-256 (base64url), when the caller has it already. */
  accessTokenHash?: string;
  /** The key thumbprint the token is bound to (`cnf.jkt`). */
  jkt: string;
  now: number;
  /** Claims a proof id once (shared between instances when Redis is configured). */
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
  /** Where verified proof keys are remembered: one cache for the process unless given. */
  proofKeys?: ProofKeyCache;
}

/** What one proof header yields once verified: its key, ready to verify with, and its thumbprint. */
export interface ProofKey {
  alg: string;
  jkt: string;
  /** ES256: a Node KeyObject for `crypto.verify`; other algorithms: the key jose imported. */
  key: KeyObject | Awaited<ReturnType<typeof EmbeddedJWK>>;
}

/**
 * Proof keys remembered by protected header, least recently used forgotten first. Filed under
 * the header's SHA-256 (`proofKeyId`), not the header: the header is a slice of the first proof
 * it came in, and a slice keeps its whole parent string alive (about 600 bytes per device key),
 * while the JWK it carries is already held once as the KeyObject.
 */
export class ProofKeyCache extends BoundedMap<string, ProofKey> {
  constructor(limit = PROOF_KEY_CACHE_ENTRIES) {
    super({ max: limit, order: 'use' });
  }

  get limit(): number {
    return this.max;
  }
}

/** The proof-key cache's key for a protected header: its SHA-256, 32 one-byte characters. */
export function proofKeyId(header: string): string {
  return hash('sha256', header, 'buffer').toString('latin1');
}

/** One per active device key (and header variant) is plenty; an attacker's flood only evicts. */
export const PROOF_KEY_CACHE_ENTRIES = 10_000;
/** An ES256 or EdDSA header with its JWK is about 250 characters; longer ones are not kept. */
const MAX_REMEMBERED_HEADER = 1024;
const sharedProofKeys = new ProofKeyCache();

export async function verifyDpopProof(context: ProofContext): Promise<void> {
  const { proof } = context;
  if (!proof) throw new DpopError('a DPoP proof is required with a DPoP-bound token');
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(proof)) throw new DpopError('exactly one DPoP proof (a compact JWS) is expected');
  const header = proof.slice(0, proof.indexOf('.'));
  let payload: JWTPayload;
  const proofKeys = context.proofKeys ?? sharedProofKeys;
  const headerId = proofKeyId(header);
  let proofKey = proofKeys.get(headerId);
  try {
    if (proofKey === undefined) {
      ({ payload, proofKey } = await verifyFirstProof(proof, context.now));
      // Only the key a token is bound to, in a header of ordinary size, is worth remembering:
      // a caller cannot fill the cache with keys of its own making or with padded headers.
      if (proofKey.jkt === context.jkt && header.length <= MAX_REMEMBERED_HEADER) proofKeys.set(headerId, proofKey);
    } else {
      payload = await verifyKnownProof(proof, proofKey, context.now);
    }
  } catch (error) {
    if (error instanceof DpopError) throw error;
    throw new DpopError(`the DPoP proof is not valid (${(error as { code?: string }).code ?? 'unreadable'})`);
  }
  if (proofKey.jkt !== context.jkt) throw new DpopError('the DPoP proof is signed with another key than the token is bound to');
  if (payload.htm !== context.method) throw new DpopError('the DPoP proof is for another HTTP method');
  if (typeof payload.htu !== 'string' || stripQuery(payload.htu) !== context.url) throw new DpopError('the DPoP proof is for another URL');
  const nowS = Math.floor(context.now / 1000);
  if (typeof payload.iat !== 'number' || payload.iat < nowS - DPOP_MAX_AGE_S || payload.iat > nowS + DPOP_SKEW_S) throw new DpopError('the DPoP proof is not fresh');
  if (context.accessToken !== undefined) {
    const expectedAth = context.accessTokenHash ?? createHash('sha256').update(context.accessToken).digest('base64url');
    if (payload.ath !== expectedAth) throw new DpopError('the DPoP proof is not for this access token (ath)');
  }
  if (typeof payload.jti !== 'string' || payload.jti.length < 8 || payload.jti.length > 128) throw new DpopError('the DPoP proof needs a unique jti');
  if (!(await context.claimOnce(`dpop:${context.jkt}:${payload.jti}`, DPOP_JTI_TTL_MS, payload.iat))) throw new DpopError('the DPoP proof was already used, or made before this server began remembering used proofs: send a new proof');
}

/** A header not seen before: jose verifies the whole proof with the key it embeds. */
async function verifyFirstProof(proof: string, now: number): Promise<{ payload: JWTPayload; proofKey: ProofKey }> {
  const result = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGS, currentDate: new Date(now) });
  const jwk: JWK | undefined = result.protectedHeader.jwk;
  if (!jwk || 'd' in jwk || 'k' in jwk) throw new DpopError('the DPoP proof must carry a public key');
  const alg = result.protectedHeader.alg;
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  // jose imported the key for this alg and checked it is public (EmbeddedJWK): for ES256 the
  // same JWK, a P-256 public key, is made a KeyObject for Node's verify.
  const key = alg === 'ES256' ? createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' }) : result.key;
  return { payload: result.payload, proofKey: { alg, jkt, key } };
}

/**
 * A header jose has already accepted (its typ, alg, crit and key), byte for byte: only the
 * signature and the payload are left to check.
 */
async function verifyKnownProof(proof: string, proofKey: ProofKey, now: number): Promise<JWTPayload> {
  if (proofKey.alg !== 'ES256') {
    const key = proofKey.key;
    return (await jwtVerify(proof, () => key, { typ: 'dpop+jwt', algorithms: [proofKey.alg], currentDate: new Date(now) })).payload;
  }
  // jws accepts a KeyObject at run time (its types only name strings and Buffers).
  if (!jws.verify(proof, 'ES256', proofKey.key as unknown as Buffer)) throw new DpopError('the DPoP proof is not valid (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)');
  const payload = decodeJwt(proof);
  // The time claims jose's jwtVerify would have checked, were they present (a proof's own
  // freshness rule is its iat, checked by the caller).
  const nowS = Math.floor(now / 1000);
  if (payload.exp !== undefined && (typeof payload.exp !== 'number' || payload.exp <= nowS)) throw new DpopError('the DPoP proof is not valid (ERR_JWT_EXPIRED)');
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > nowS)) throw new DpopError('the DPoP proof is not valid (ERR_JWT_CLAIM_VALIDATION_FAILED)');
  return payload;
}

function stripQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}
