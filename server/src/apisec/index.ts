/**
 * API security stages (issue 6). So far: rate limits by class — standard, search and export
 * per user, auth per IP and account — with a growing lockout after repeated authentication
 * failures, exact across instances when the cache is Redis; request signatures (RFC 9421,
 * HMAC-SHA256 under a per-session key) with a replay window shared by every instance.
 */
export { RATE_CLASSES, RateLimits, RateLimitStage, rateLimitHeaders, type RateClass, type RateDecision, type RateLimitsConfig, type RouteRateLimit } from './rate-limit.ts';
export { contentDigest, REQUIRED_COMPONENTS, SIGNATURE_ALG, SIGNING_MODES, SignatureError, signRequest, verifyRequestSignature, type SignatureRefusal, type SignedRequest, type SigningMode, type SignOptions } from './signatures.ts';
export { RequestSignatureStage, type SignatureStageDeps } from './signature-stage.ts';
export { SessionSigningKeys, type IssuedSigningKey, type SessionSigningKey } from './signing-keys.ts';
