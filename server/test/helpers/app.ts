/**
 * The HTTP pipeline (http/app.ts) with inert stages, for tests of one module's routes: a bearer
 * verifier that knows no keys, no session guard, no step-up clock games. A test passes what its
 * module needs (audit, rate limits, a body limit) and registers its routes.
 */
import type { FastifyInstance } from 'fastify';
import { createApp, type AppOptions } from '../../src/http/app.ts';
import { BearerVerifier } from '../../src/http/bearer.ts';
import { systemClock } from '../../src/clock.ts';

export function testApp(options: Partial<AppOptions> = {}): FastifyInstance {
  return createApp({
    bodyLimit: 65_536,
    logLevel: 'silent',
    trustProxy: false,
    corsOrigins: [],
    bearer: new BearerVerifier([], { issuer: 'https://palisade.test', audience: 'api', clock: systemClock, isRevoked: () => false, claimOnce: async () => true }),
    publicOrigin: 'https://palisade.test',
    sessionGuard: async () => undefined,
    stepUp: { maxAgeMs: 300_000, clock: systemClock },
    readiness: async () => undefined,
    ...options,
  });
}
