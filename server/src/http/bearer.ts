/**
 * Bearer token verification for Palisade's own API, done locally with jose: signature against
 * Palisade's published keys with an algorithm allowlist (so `alg: none` and HMAC-with-the-
 * public-key confusion are impossible), `typ: at+jwt` (RFC 9068 §4, so an ID token is not
 * accepted as an access token), issuer, audience, expiry and not-before with at most 60 s of
 * clock skew; then the session must not be revoked.
 *
 * A token's signature and claims do not change, so a token that passed is remembered by its
 * SHA-256 until it expires (a bounded map, emptied whenever the signing key set changes):
 * later requests with it skip the signature verification, and only its time window is checked
 * again. Everything that can change after issuance — session revocation here; lock, wipe,
 * role, user state in the stages after — reads live state on every request, cached token or
 * not. The DPoP proof (a new one per request) is always verified.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, errors as joseErrors, type JWK, type JWTPayload } from 'jose';
import type { Clock } from '../clock.ts';
import { problems, type Problem } from './problems.ts';
import { DpopError, verifyDpopProof } from './dpop.ts';
import { BoundedMap } from '../cache/index.ts';

export const ACCEPTED_ALGS = ['ES256', 'EdDSA'];
export const MAX_CLOCK_SKEW_S = 60;

export interface AccessClaims extends JWTPayload {
  sub: string;
  sid: string;
  client_id: string;
  scope?: string;
  auth_time?: number;
  acr?: string;
  amr?: string[];
  // No `roles`: the token's roles claim is a hint for the app, never an input to a decision
  // (the authorization stage reads the caller's roles from the database, authz/stage.ts).
  department?: string;
  territory?: string;
  region?: string;
  projects?: string[];
  employee_type?: string;
  /** Device trust (devices/): absent only for apps exempt from it; absent reads as `byod` everywhere. */
  device_ownership?: 'corporate' | 'byod';
  device_compliant?: boolean;
}

export interface BearerVerifierOptions {
  issuer: string;
  audience: string;
  clock: Clock;
  isRevoked(sessionId: string): boolean;
  /** Used DPoP proof ids are claimed here (the shared cache: every instance when Redis is configured). */
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
  /**
   * A revoked session's token, key proof verified: a more precise answer than session-revoked
   * when there is one (its device was wiped: `device-wiped` with the command).
   */
  explainRevoked?(claims: AccessClaims): Promise<Problem | undefined>;
  /** Verified tokens remembered at most (VERIFIED_TOKEN_CACHE_ENTRIES unless given). */
  verifiedTokenCacheEntries?: number;
}

/** Verified tokens remembered at most: beyond, the oldest are forgotten (and verified again if seen). */
export const VERIFIED_TOKEN_CACHE_ENTRIES = 20_000;

export class BearerVerifier {
  private jwks: ReturnType<typeof createLocalJWKSet>;
  private readonly options: BearerVerifierOptions;
  /** SHA-256 (base64url) of a token that passed verification → its claims, frozen. */
  /** Verified tokens by hash, first in first out: an entry is re-checked for expiry on every hit. */
  private readonly verified: BoundedMap<string, AccessClaims>;
  /** Signature verifications done (tests count them). */
  signatureVerifications = 0;

  /** Verified tokens remembered now. */
  get rememberedTokens(): number {
    return this.verified.size;
  }

  constructor(publicJwks: JWK[], options: BearerVerifierOptions) {
    this.jwks = createLocalJWKSet({ keys: publicJwks });
    this.options = options;
    this.verified = new BoundedMap({ max: options.verifiedTokenCacheEntries ?? VERIFIED_TOKEN_CACHE_ENTRIES, order: 'insert' });
  }

  /**
   * Called when the signing key set changes (rotation, a key removed): tokens verified with
   * the old set are verified again against the new one.
   */
  setKeys(publicJwks: JWK[]): void {
    this.jwks = createLocalJWKSet({ keys: publicJwks });
    this.verified.clear();
  }

  /**
   * Verifies the Authorization header: `Bearer <token>`, or `DPoP <token>` with its proof
   * (RFC 9449) when `request` describes the call. A DPoP-bound token is only accepted with a
   * valid proof of its key; an unbound token only as a Bearer token.
   */
  async verify(authorization: string | undefined, request?: { method: string; url: string; dpop: string | undefined }): Promise<AccessClaims> {
    // RFC 6750 §3.1: no credentials, or another scheme (Basic, …), get the bare challenge;
    // the scheme name is case-insensitive (RFC 9110 §11.1); a header that does not hold one
    // token68 value is a malformed request.
    // eslint-disable-next-line security/detect-unsafe-regex -- linear: \S+ and the spaces after it cannot overlap
    const scheme = authorization ? /^(\S+)(?: +(.*))?$/.exec(authorization) : null;
    const kind = scheme?.[1]!.toLowerCase();
    if (!scheme || (kind !== 'bearer' && kind !== 'dpop')) throw problems.missingToken();
    const token = /^[A-Za-z0-9._~+/-]+=*$/.exec(scheme[2] ?? '')?.[0];
    if (!token) throw problems.malformedAuthorization();
    // Also the token's `ath` in its DPoP proof (RFC 9449 §4.2).
    const hash = createHash('sha256').update(token).digest('base64url');
    const now = this.options.clock.now();
    let payload: JWTPayload | undefined = this.verified.get(hash);
    if (payload !== undefined && !withinLifetime(payload, now)) {
      this.verified.delete(hash);
      payload = undefined;
    }
    if (payload === undefined) {
      try {
        this.signatureVerifications += 1;
        ({ payload } = await jwtVerify(token, this.jwks, {
          issuer: this.options.issuer,
          audience: this.options.audience,
          algorithms: ACCEPTED_ALGS,
          typ: 'at+jwt',
          clockTolerance: MAX_CLOCK_SKEW_S,
          currentDate: new Date(now),
          requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'sid'],
        }));
      } catch (error) {
        throw this.describe(error);
      }
      payload = deepFreeze(payload);
      this.verified.set(hash, payload as AccessClaims);
    }
    const claims = payload as AccessClaims;
    const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt;
    if (payload.cnf !== undefined) {
      // A sender-constrained token is only usable with proof of its key: never as a bearer token.
      if (kind !== 'dpop' || typeof jkt !== 'string' || !request) throw problems.invalidToken('the access token is bound to a key and cannot be used as a bearer token', 'ERR_TOKEN_BOUND');
      try {
        await verifyDpopProof({ proof: request.dpop, method: request.method, url: request.url, accessToken: token, accessTokenHash: hash, jkt, now, claimOnce: this.options.claimOnce });
      } catch (error) {
        if (error instanceof DpopError) throw problems.invalidDpopProof(error.message);
        throw error;
      }
    } else if (kind === 'dpop') {
      throw problems.invalidToken('the access token is not bound to a key: send it as a Bearer token', 'ERR_TOKEN_NOT_BOUND');
    }
    if (this.options.isRevoked(claims.sid)) throw (await this.options.explainRevoked?.(claims)) ?? problems.sessionRevoked();
    // A copy per request: the remembered claims are shared (and frozen).
    return { ...claims };
  }

  private describe(error: unknown): Problem {
    const code = (error as { code?: string }).code ?? 'ERR_INVALID_TOKEN';
    if (error instanceof joseErrors.JWTExpired) return problems.invalidToken('the access token has expired', code);
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      const claim = error.claim;
      if (claim === 'nbf') return problems.invalidToken('the access token is not valid yet', code);
      if (claim === 'iss') return problems.invalidToken('the access token was issued by someone else', code);
      if (claim === 'aud') return problems.invalidToken('the access token is for another audience', code);
      if (claim === 'typ') return problems.invalidToken('the token is not an access token (typ must be at+jwt)', code);
      return problems.invalidToken(`the access token's ${claim} claim is not acceptable`, code);
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed) return problems.invalidToken('the token is signed with an algorithm Palisade does not accept', code);
    if (error instanceof joseErrors.JWKSNoMatchingKey) return problems.invalidToken('the token is not signed by a Palisade key', code);
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) return problems.invalidToken('the token signature is not valid', code);
    return problems.invalidToken('the access token could not be read', code);
  }
}

/** jose's time checks, for a remembered token: expired, or not yet valid, with the same skew. */
function withinLifetime(payload: JWTPayload, nowMs: number): boolean {
  const nowS = Math.floor(nowMs / 1000);
  if (typeof payload.exp !== 'number' || payload.exp <= nowS - MAX_CLOCK_SKEW_S) return false;
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > nowS + MAX_CLOCK_SKEW_S)) return false;
  return true;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}
