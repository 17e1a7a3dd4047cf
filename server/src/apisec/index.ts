/**
 * API security stages: per-app API keys — every /api and /admin request names its
 * registered app with a key stored only as a keyed hash, rotated with an overlap — and rate
 * limits by class — standard, search and export per user, auth per IP and account — with a
 * growing lockout after repeated authentication failures, exact across instances when the
 * cache is Redis — and request signatures (RFC 9421, HMAC-SHA256 under a per-session key)
 * with a replay window shared by every instance.
 */
export { APP_RATE_CLASSES, RATE_CLASSES, RateLimits, RateLimitStage, chargeAuth, developmentStartPageAllowance, notAnAttemptRaw, rateLimitHeaders, type AppRateLimits, type AuthAllowance, type RateClass, type RateDecision, type RateLimitsConfig, type RouteRateLimit } from './rate-limit.ts';
export {
  APP_KEY_HEADER,
  APP_KEY_PATTERN,
  AppKeyError,
  AppKeys,
  AppKeyStage,
  DEFAULT_ROTATION_OVERLAP,
  LAST_USED_EVERY_MS,
  VERIFIED_CACHE_MS,
  appKeyChecksum,
  parseAppKey,
  type AppKeyRefusal,
  type AppKeyStatus,
  type AppKeyVerdict,
  type AppKeyView,
} from './app-keys.ts';
export { appKeyRoutes } from './app-keys-routes.ts';
export { contentDigest, REQUIRED_COMPONENTS, SIGNATURE_ALG, SIGNING_MODES, SignatureError, signRequest, verifyRequestSignature, type SignatureRefusal, type SignedRequest, type SigningMode, type SignOptions } from './signatures.ts';
export { RequestSignatureStage, type SignatureStageDeps } from './signature-stage.ts';
export { SessionSigningKeys, type IssuedSigningKey, type SessionSigningKey } from './signing-keys.ts';
export { apisecModule, type ApisecModuleApi } from './module.ts';
export { deleteSessionSigningKey } from './signing-keys-store.ts';
