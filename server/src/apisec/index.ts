/**
 * API security stages (issue 6). So far: rate limits by class — standard, search and export
 * per user, auth per IP and account — with a growing lockout after repeated authentication
 * failures, exact across instances when the cache is Redis. API keys and request signatures
 * are still to come.
 */
export { RATE_CLASSES, RateLimits, RateLimitStage, rateLimitHeaders, type RateClass, type RateDecision, type RateLimitsConfig, type RouteRateLimit } from './rate-limit.ts';
