/**
 * DPoP proofs at Palisade's API (RFC 9449 §4.3 and §7): the checks a resource server makes on
 * the `DPoP` header that accompanies a DPoP-bound access token. JWS parsing and signature
 * verification are jose's (with the key embedded in the proof); this module only states the
 * RFC's rules.
 */
import { EmbeddedJWK, calculateJwkThumbprint, jwtVerify, type JWK } from 'jose';
import { createHash } from 'node:crypto';
import { PalisadeError } from '../errors/index.ts';

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
  /** The key thumbprint the token is bound to (`cnf.jkt`). */
  jkt: string;
  now: number;
  /** Claims a proof id once (shared between instances when Redis is configured). */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}

export async function verifyDpopProof(context: ProofContext): Promise<void> {
  const { proof } = context;
  if (!proof) throw new DpopError('a DPoP proof is required with a DPoP-bound token');
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(proof)) throw new DpopError('exactly one DPoP proof (a compact JWS) is expected');
  let payload;
  let jwk: JWK | undefined;
  try {
    const result = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGS });
    payload = result.payload;
    jwk = result.protectedHeader.jwk;
  } catch (error) {
    throw new DpopError(`the DPoP proof is not valid (${(error as { code?: string }).code ?? 'unreadable'})`);
  }
  if (!jwk || 'd' in jwk || 'k' in jwk) throw new DpopError('the DPoP proof must carry a public key');
  if ((await calculateJwkThumbprint(jwk, 'sha256')) !== context.jkt) throw new DpopError('the DPoP proof is signed with another key than the token is bound to');
  if (payload.htm !== context.method) throw new DpopError('the DPoP proof is for another HTTP method');
  if (typeof payload.htu !== 'string' || stripQuery(payload.htu) !== context.url) throw new DpopError('the DPoP proof is for another URL');
  const nowS = Math.floor(context.now / 1000);
  if (typeof payload.iat !== 'number' || payload.iat < nowS - DPOP_MAX_AGE_S || payload.iat > nowS + DPOP_SKEW_S) throw new DpopError('the DPoP proof is not fresh');
  if (context.accessToken !== undefined) {
    const expectedAth = createHash('sha256').update(context.accessToken).digest('base64url');
    if (payload.ath !== expectedAth) throw new DpopError('the DPoP proof is not for this access token (ath)');
  }
  if (typeof payload.jti !== 'string' || payload.jti.length < 8 || payload.jti.length > 128) throw new DpopError('the DPoP proof needs a unique jti');
  if (!(await context.claimOnce(`dpop:${context.jkt}:${payload.jti}`, DPOP_JTI_TTL_MS))) throw new DpopError('the DPoP proof was already used');
}

function stripQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}
