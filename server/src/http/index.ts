/**
 * The HTTP layer: the Fastify app and its request pipeline, TLS, problem+json answers, the
 * start-up gate, the logger and the metrics. Other modules import these from here.
 */
export { listenerModule, httpModule, type ListenerApi, type HttpModuleDeps } from './module.ts';
export { createLogger, logFormat, type LogFormat } from './logger.ts';
export { createApp, sendProblem, BINARY_CONTENT_TYPES, type AppOptions } from './app.ts';
export { BearerVerifier, type AccessClaims } from './bearer.ts';
export { problems, problemForDatabaseError, isDependencyUnavailable, Problem, PROBLEM_BASE, type ProblemInit } from './problems.ts';
export { Cursors } from './cursor.ts';
export { UUID, Uuid, StringEnum, untypedReply, NO_QUERY, LATEST_INSTANT } from './schemas.ts';
export { escapeHtml, page } from './html.ts';
export { JsonBodyError, parseJsonBounded, type JsonBodyRefusal } from './json.ts';
export { DpopError, verifyDpopProof } from './dpop.ts';
export { signDocument, type PinRecord } from './pins.ts';
export { KEYED, SIGNED_SCOPES } from './scopes.ts';
export { HSTS, hstsHeader, type HstsPolicy } from './hsts.ts';
export { TLS_POLICY } from './tls.ts';
