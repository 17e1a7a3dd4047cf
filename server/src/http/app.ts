/**
 * The HTTP application. The request pipeline reads top to bottom here (STYLE.md, habit 2):
 *   1. TLS 1.3 is terminated by the https server (main.ts, policy in tls.ts), HSTS and security
 *      headers (helmet), `no-store` on API answers (`noStoreByDefault`)
 *   2. request context: request id echoed as `x-request-id`
 *   2b. app key: `appKey` names the registered app of every /api and /admin request (apisec/app-keys.ts)
 *   3. rate limit by class, per client IP: `rateLimitByAddress` (authentication routes, lockouts)
 *   4. authentication: `authenticate` verifies the bearer or DPoP token (signature, claims,
 *      revocation: bearer.ts)
 *   5. content types (JSON only, nesting bounded: json.ts), per-route body limits, no body
 *      where a route takes none (`refuseUnexpectedBody`); the body's bytes are kept
 *   5b. `appKeyMatchesToken`: the token was issued to the app whose key the request carries
 *   5c. request signature + replay check: `verifyRequestSignature` (apisec/signature-stage.ts),
 *       over the exact bytes received
 *   5d. `sessionGuard`: the idle lock; only a request that passed 5b and 5c counts as activity
 *   7. authorization: `authorize` checks the route's permission against the matrix with the
 *      caller's roles as the database holds them now (never the token's `roles` claim), then
 *      step-up where the matrix asks for it (authz/stage.ts); before validation, so a caller
 *      without the permission is refused whatever they send. Handlers query with the caller's
 *      claims set, so row-level security filters rows
 *   6. schema validation of params, query and body, unknown fields refused; responses are
 *      serialized through their schemas
 *   6b. rate limit by class, per verified user: `rateLimitByUser` (after 4 on purpose: decision 0008)
 *   8. handler
 *   9. errors become RFC 9457 problem+json (setErrorHandler below); nothing else leaks
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import cors from '@fastify/cors';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:https';
import { Problem, problemForDatabaseError, problems } from './problems.ts';
import type { AccessClaims, BearerVerifier } from './bearer.ts';
import { DPOP_ALGS } from './dpop.ts';
import { JsonBodyError, MAX_JSON_DEPTH, parseJsonBounded } from './json.ts';
import { DATE_TIME_RANGE_MESSAGE, NO_QUERY, storableInstant } from './schemas.ts';
import { answerClientError } from './client-errors.ts';
import { isDependencyUnavailable } from './unavailable.ts';
import { SECURITY_SCHEMES, collectOperationFacts, enrichDocument } from './openapi.ts';
import { loggerOptions } from './logger.ts';
import { HSTS } from './hsts.ts';
import { isDatabaseError } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { requestContext, type RequestContext } from '../request-context.ts';
import { hasPage, prefersHtml, problemPage } from './problem-page.ts';
import type { AppKeyStage, RateLimitStage, RequestSignatureStage } from '../apisec/index.ts';
import { KEYED, SIGNED_SCOPES } from './scopes.ts';
import type { AuthorizationStage, Permission } from '../authz/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AccessClaims;
  }
  interface FastifyContextConfig {
    /** The route takes raw bytes (BINARY_CONTENT_TYPES) as its body, e.g. a photo upload. */
    binaryBody?: boolean;
    /**
     * The route takes no token and a request without an app key may reach it: the handler itself
     * checks that what the request proves (a device key) belongs to a keyless app (the wipe and
     * lock acknowledgement of a browser client, whose tokens the command revoked).
     */
    keylessAck?: boolean;
  }
}

/** The content types a `binaryBody` route accepts as raw bytes (the route decides by content). */
export const BINARY_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/heic', 'application/octet-stream'];

export interface AppOptions {
  /**
   * The https server to serve on. Requests reach the app only once the caller routes them to
   * `app.routing` (main.ts does when the app is ready; until then its start-up gate answers).
   */
  server?: Server;
  bodyLimit: number;
  logLevel: string;
  /** The process's logger (http/logger.ts); absent: one made here at `logLevel`, JSON. */
  logger?: FastifyBaseLogger;
  trustProxy: boolean;
  corsOrigins: string[];
  bearer: BearerVerifier;
  /** Where clients reach Palisade (the issuer): DPoP proofs name this origin in `htu`. */
  publicOrigin: string;
  /**
   * After the token is verified: may this session make an API call now? (Idle lock; the
   * module deciding records the activity.) Throws a Problem when not.
   */
  sessionGuard(claims: AccessClaims, options: { allowLocked: boolean }): Promise<void>;
  /** Step-up (RFC 9470) for routes that use `app.requireStepUp`: how recent, and which acr. */
  stepUp: { maxAgeMs: number; acr?: string; clock: { now(): number } };
  /** Returns problems that make the instance not ready (database down, …). */
  readiness(): Promise<string | undefined>;
  /** App keys (apisec); absent: no key is asked for (unit tests of other stages). */
  appKeys?: AppKeyStage;
  /** Rate limits by class (apisec); absent: no limits (unit tests of other stages). */
  rateLimits?: RateLimitStage;
  /** Request signatures (RFC 9421) of /api and /admin calls; absent: not checked (unit tests of other stages). */
  requestSignatures?: RequestSignatureStage;
  /** Authorization (stage 7) of routes that name a permission; absent: such routes are refused. */
  authorization?: AuthorizationStage;
  /** Every 401 and 403 is recorded here (`http.denied`). */
  audit?: AuditSink;
  /** Called after every response (metrics, the error-spike monitor). */
  onResponse?(response: { method: string; route: string; status: number; appId: string | undefined; durationMs: number; problem: string | undefined }): void;
}

/** Who is asking, per request: filled as the pipeline learns it (see request-context.ts). */
const contexts = new WeakMap<FastifyRequest, RequestContext>();
/** Requests `authenticate` verified, and whether their route lets a locked session in. */
const guarded = new WeakMap<FastifyRequest, boolean>();
/** The problem type a request was answered with, for the audit record of a denial. */
const answeredWith = new WeakMap<FastifyRequest, string>();
/** What that problem adds for the audit record only (Problem.audit: a precise reason). */
const auditedAs = new WeakMap<FastifyRequest, NonNullable<Problem['audit']>>();
/** The exact body bytes of a JSON request: the signature stage digests them (RFC 9530). */
const rawBodies = new WeakMap<FastifyRequest, Buffer>();
const EMPTY_BODY = Buffer.alloc(0);

/** One log line per request, when it is answered (method, path, status, time), instead of Fastify's two. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export function createApp(options: AppOptions): FastifyInstance {
  const serverFactory: FastifyServerFactory | undefined = options.server
    ? () => options.server!
    : undefined;
  const app = Fastify({
    ...(serverFactory ? { serverFactory } : {}),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
    },
    ...(options.logger ? { loggerInstance: options.logger } : { logger: loggerOptions(options.logLevel) }),
    logController: new OneLinePerRequest(),
    // Answers before the pipeline (broken URLs, oversized or malformed HTTP) are problems too.
    frameworkErrors: (error, request, reply) => sendProblem(reply, error.code === 'FST_ERR_BAD_URL' ? problems.malformedUrl() : problems.malformedRequest(), request),
    clientErrorHandler: answerClientError,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: true },
      // A `date-time` is also one JavaScript and PostgreSQL can hold (schemas.ts): year 0000 is a
      // 400 naming the field, not a database error.
      onCreate: (ajv) => {
        const rfc3339 = ajv.formats['date-time'] as { validate?: (value: string) => boolean; compare?: (a: string, b: string) => number | undefined } | undefined;
        const wellFormed = typeof rfc3339?.validate === 'function' ? rfc3339.validate : () => false;
        ajv.addFormat('date-time', { type: 'string', validate: (value: string) => wellFormed(value) && storableInstant(value), ...(rfc3339?.compare ? { compare: rfc3339.compare } : {}) });
      },
    },
    routerOptions: { maxParamLength: 200 },
  });

  // 1. Security headers; HSTS: one year, subdomains included (hsts.ts).
  app.register(helmet, {
    hsts: { ...HSTS },
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // No form-action: sign-in forms end in a redirect to the app's own scheme or loopback
        // port, which browsers check against form-action.
        formAction: null,
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // The legacy twin of frame-ancestors 'none' for browsers without CSP 2 (helmet says SAMEORIGIN).
    xFrameOptions: { action: 'deny' },
  });
  // Personal data and tokens must not stay in a shared or disk cache: API, admin and SCIM
  // answers are `no-store` unless the route said otherwise (oidc-provider's token endpoint sets
  // it itself, RFC 6749 §5.1).
  app.addHook('onSend', async function noStoreByDefault(request, reply) {
    if (!reply.hasHeader('cache-control') && /^\/(api|admin|scim)\//.test(request.url)) reply.header('cache-control', 'no-store');
  });

  // Browsers may call the API only from configured origins (none by default: apps are native).
  // A web app's token requests carry its posture report (palisade-device-posture: the SDK's web
  // build sends one, devices/posture/report.ts), so a preflight must allow that header too.
  app.register(cors, {
    origin: options.corsOrigins.includes('*') ? true : options.corsOrigins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'dpop', 'palisade-app-key', 'palisade-device-posture', 'x-request-id', 'content-digest', 'signature', 'signature-input'],
    // Browser clients may read the rate-limit state and back off as told, and the DPoP nonce
    // (RFC 9449 §8) the token endpoint and the API ask them to sign into their next proof.
    exposedHeaders: ['x-request-id', 'www-authenticate', 'ratelimit', 'ratelimit-policy', 'retry-after', 'accept-signature', 'dpop-nonce'],
    maxAge: 600,
  });

  // 5. Content types: JSON only for the API (Fastify would also parse text/plain by default),
  // nesting bounded and prototype-poisoning keys refused (json.ts). JSON is read as bytes and
  // kept, so the signature stage digests exactly what was received.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    rawBodies.set(request, body as Buffer);
    try {
      done(null, parseJsonBounded(body as Buffer, { maxDepth: MAX_JSON_DEPTH }));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Raw bytes, only for routes that say they take them (photo uploads); kept for the signature
  // stage like JSON. Any other route refuses these types.
  app.addContentTypeParser(BINARY_CONTENT_TYPES, { parseAs: 'buffer' }, (request, body, done) => {
    if (!request.routeOptions.config?.binaryBody) return done(problems.unsupportedMediaType('This operation takes JSON.'), undefined);
    rawBodies.set(request, body as Buffer);
    done(null, body);
  });
  // A route that declares its schema without a body takes none: a body sent anyway is refused
  // before it is read (after authentication), instead of being read and ignored. Hidden routes
  // (oidc-provider, sign-in pages) read their own bodies.
  app.addHook('preParsing', async function refuseUnexpectedBody(request) {
    const schema = request.routeOptions.schema;
    if (!schema || schema.hide || schema.body || request.routeOptions.config?.binaryBody) return;
    const length = request.headers['content-length'];
    if (request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) {
      throw problems.validation([{ path: 'body', message: 'must be absent: this operation takes no body' }]);
    }
  });

  // 2. Request context: the rest of the pipeline runs inside it, so every audit record written
  // while serving this request names the same caller and request id.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    const userAgent = request.headers['user-agent'];
    const context: RequestContext = { actor: { ip: request.ip, ...(userAgent ? { userAgent: userAgent.slice(0, 300) } : {}) }, requestId: request.id };
    contexts.set(request, context);
    requestContext.run(context, done);
  });
  // 2b. App key: which registered app is calling, before any other work is done for the request
  // (rate limits, token verification). 5b checks the token against it once it is verified.
  const appKeys = options.appKeys;
  if (appKeys) {
    app.addHook('onRequest', async function appKey(request) {
      await appKeys.check(request);
    });
    app.addHook('preValidation', async function appKeyMatchesToken(request) {
      await appKeys.matchToken(request);
    });
  }
  // 3. Rate limits. Global hooks run before a route's own, so `rateLimitByAddress` runs before
  // `app.authenticate` (onRequest) and `rateLimitByUser` after it.
  const rateLimits = options.rateLimits;
  if (rateLimits) {
    app.addHook('onRequest', async function rateLimitByAddress(request, reply) {
      await rateLimits.byAddress(request, reply);
    });
    app.addHook('preHandler', async function rateLimitByUser(request, reply) {
      await rateLimits.byUser(request, reply);
    });
  }
  // 5c. Request signature and replay check: after authentication (a route's `app.authenticate`
  // ran in onRequest, so the session and its key are known), before schema validation, so an
  // unsigned or replayed request learns nothing from validation errors (decision 0010).
  const signatures = options.requestSignatures;
  if (signatures) {
    app.addHook('preValidation', async function verifyRequestSignature(request) {
      await signatures.verify(request, rawBodies.get(request) ?? EMPTY_BODY);
    });
  }
  // 5d. The session guard (idle lock; the activity it records keeps the session unlocked) runs
  // only once the app key matches the token and the request signature holds: a request refused
  // by either must not count as the person's activity, or a leaked token alone could keep a
  // session from locking.
  app.addHook('preValidation', async function sessionGuard(request) {
    const allowLocked = guarded.get(request);
    if (allowLocked === undefined || !request.auth) return;
    await options.sessionGuard(request.auth, { allowLocked });
  });
  // 7. Authorization, once who is asking is settled (token, app key, signature, idle lock) and
  // before the request's shape is looked at: a caller without the permission is refused the
  // same way whatever they send, and learns nothing from validation errors. The permission is
  // checked against the caller's roles as the database holds them now (authz/stage.ts), never
  // the token's `roles` claim. Step-up comes after the permission, so someone without it learns
  // nothing about step-up.
  app.addHook('preValidation', async function authorize(request) {
    if (!request.routeOptions.config?.permission) return;
    if (!options.authorization) throw problems.forbidden('Authorization is not configured.');
    const decision = await options.authorization.authorize(request);
    if (decision?.stepUp) await app.requireStepUp(request);
  });
  // With an authorization stage, every /api and /admin route names its permission (or is one of
  // the few no person calls), and one that deletes or ends something names a destructive one:
  // a route that does not is a programming error found at start, not a hole found in production.
  // The permission and whether it needs step-up are published on the operation in /openapi.json.
  const authorization = options.authorization;
  if (authorization) {
    app.addHook('onRoute', (route) => {
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
      const permission = route.config?.permission;
      for (const method of methods) {
        const problem = authorization.routePolicyProblem(method, route.url, permission);
        if (problem) throw new Error(`route policy: ${problem}`);
      }
      if (permission && route.schema) {
        // OpenAPI extensions (x-…) are copied onto the operation by @fastify/swagger.
        const extensions = { 'x-palisade-permission': permission, ...(authorization.needsStepUp(permission) ? { 'x-palisade-step-up': true } : {}) };
        route.schema = { ...route.schema, ...extensions } as typeof route.schema;
      }
    });
  }
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const context = contexts.get(request);
    const route = request.routeOptions.url ?? 'unmatched';
    if ((status === 401 || status === 403) && options.audit) {
      // The reason is the problem type, or the precise reason the problem keeps for the record
      // (an app key's: app_key_revoked, …), with the type beside it.
      const problem = answeredWith.get(request);
      const precise = auditedAs.get(request);
      options.audit.emit({
        action: 'http.denied',
        outcome: 'denied',
        reason: precise?.reason ?? problem ?? String(status),
        actor: context?.actor ?? {},
        requestId: request.id,
        resource: { type: 'route', id: `${request.method} ${route}` },
        detail: { status, ...(precise ? { problem, ...precise.detail } : {}) },
      });
    }
    options.onResponse?.({ method: request.method, route, status, appId: context?.actor.appId, durationMs: reply.elapsedTime, problem: answeredWith.get(request) });
  });

  // The OpenAPI document: schemas from the routes, and from each route's pipeline facts its
  // operationId, security requirements and problem responses (openapi.ts).
  const operations = collectOperationFacts(app, () => ({
    keyedPaths: options.appKeys ? KEYED : /$^/,
    signingMode: options.requestSignatures?.defaultMode,
    signedScopes: SIGNED_SCOPES,
    rateLimits: options.rateLimits !== undefined,
    needsStepUp: (permission) => options.authorization?.needsStepUp(permission as Permission) ?? false,
  }));
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Palisade API', version: '0.1.0', description: 'Secure backend for internal mobile apps.' },
      servers: [{ url: options.publicOrigin, description: 'This Palisade server (its public URL)' }],
      components: { securitySchemes: { ...SECURITY_SCHEMES } },
    },
    // The shared schemas (Problem, Uuid, Timestamp, Page) are added here, once.
    transformObject: (document) => ('openapiObject' in document ? enrichDocument(document.openapiObject, operations) : document.swaggerObject),
  });

  // 9. Problem details. Problem instances carry their own safe text; Fastify's own errors
  // (validation, body size, media type, malformed JSON) are mapped to stable types; anything
  // else is logged and answered with a bare 500.
  app.setErrorHandler((error: Error & { code?: string; statusCode?: number; validation?: { instancePath: string; keyword?: string; message?: string; params?: unknown }[]; validationContext?: string }, request, reply) => {
    let problem: Problem;
    const refusedByDatabase = isDatabaseError(error) ? problemForDatabaseError(error, request.method) : undefined;
    if (error instanceof Problem) problem = error;
    else if (error.validation) {
      problem = problems.validation(
        error.validation.map((v) => ({
          path: `${error.validationContext ?? 'request'}${v.instancePath.replace(/\//g, '.')}`,
          message: v.keyword === 'format' && (v.params as { format?: string } | undefined)?.format === 'date-time' ? DATE_TIME_RANGE_MESSAGE : (v.message ?? 'is not valid'),
        })),
      );
    } else if (refusedByDatabase) {
      // The safety net beneath the schemas: the database refused a value the API let through.
      // A 4xx for the client; a warning for the operator, since a check is missing upstream.
      problem = refusedByDatabase;
      request.log.warn({ err: error, problem: problem.type }, 'the database refused a value of the request');
    } else if (error instanceof JsonBodyError) {
      problem = error.reason === 'too-deep' ? problems.bodyTooDeep(MAX_JSON_DEPTH) : problems.malformedBody(error.message);
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') problem = problems.bodyTooLarge(request.routeOptions.bodyLimit ?? options.bodyLimit);
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') problem = problems.unsupportedMediaType('Send application/json.');
    // A SyntaxError is the client's only when a body parser says so (status 400); one thrown
    // while the server reads its own data (a stored value that does not decrypt) is a 500.
    else if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (error instanceof SyntaxError && error.statusCode === 400)) {
      problem = problems.malformedBody('The body is not valid JSON.');
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      problem = problems.malformedBody('The request could not be processed.');
    } else if (isDependencyUnavailable(error)) {
      // PostgreSQL or Redis is away (a restart, a failover): 503 with Retry-After, as /readyz says.
      request.log.warn({ err: { name: error.name, code: error.code, message: error.message } }, 'a service Palisade depends on is unreachable');
      problem = problems.dependencyUnavailable();
    } else {
      request.log.error({ err: error }, 'unhandled error');
      problem = problems.internal();
    }
    if (problem.status >= 500 && error instanceof Problem) request.log.error({ problem: problem.type }, problem.title);
    return sendProblem(reply, problem, request);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problems.notFound(), request));

  const authenticate = (allowLocked: boolean) => async (request: FastifyRequest) => {
    const dpop = request.headers.dpop;
    // A refusal is challenged in the scheme the caller used (sendProblem, RFC 9449 §7.1).
    const claims = await options.bearer.verify(request.headers.authorization, {
      method: request.method,
      // htu as the client addressed it: the public origin and the path, without the query.
      url: `${options.publicOrigin}${request.url.split('?')[0]}`,
      dpop: Array.isArray(dpop) ? dpop.join(',') : dpop,
    });
    request.auth = claims;
    guarded.set(request, allowLocked);
    const context = contexts.get(request);
    if (context) {
      Object.assign(context.actor, { userId: claims.sub, sessionId: claims.sid, appId: claims.client_id, ...((claims.cnf as { jkt?: string } | undefined)?.jkt ? { deviceId: (claims.cnf as { jkt: string }).jkt } : {}) });
    }
  };
  app.decorate('authenticate', authenticate(false));
  // Only for unlocking: a locked session may ask for a challenge and answer it.
  app.decorate('authenticateLocked', authenticate(true));

  // Sensitive actions (deletes, permission changes, exports) also need a recent, strong enough
  // sign-in: the authorization stage calls this where the route's permission asks for step-up.
  app.decorate('requireStepUp', async (request: FastifyRequest) => {
    const { maxAgeMs, acr, clock } = options.stepUp;
    const authTime = request.auth?.auth_time;
    const fresh = typeof authTime === 'number' && clock.now() - authTime * 1000 <= maxAgeMs;
    if (!fresh || (acr !== undefined && request.auth?.acr !== acr)) throw problems.stepUpRequired(Math.floor(maxAgeMs / 1000), acr);
  });

  // A plugin, so that these are added after @fastify/swagger's route hook is in place: routes
  // declared on the root instance right away were missing from /openapi.json.
  app.register(async (operations) => {
    operations.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness', querystring: NO_QUERY, response: { 200: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'], additionalProperties: false } } } }, async () => ({ status: 'ok' as const }));
    operations.get(
      '/readyz',
      { schema: { tags: ['operations'], summary: 'Readiness (database reachable)', querystring: NO_QUERY, response: { 200: { type: 'object', properties: { status: { const: 'ready' } }, required: ['status'], additionalProperties: false } } } },
      async () => {
        const reason = await options.readiness();
        if (reason) throw problems.notReady(reason);
        return { status: 'ready' as const };
      },
    );
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/**
 * RFC 9449 §7.1: a request made with a DPoP-bound token (the DPoP scheme, or a verified token
 * with `cnf.jkt`) is challenged in the DPoP scheme, with the algorithms it accepts; a Bearer
 * challenge would tell the app to send the token as a bearer token, which is refused.
 */
function challengeScheme(challenge: string, request: FastifyRequest): string {
  if (!challenge.startsWith('Bearer ')) return challenge;
  const dpopBound = /^dpop /i.test(request.headers.authorization ?? '') || typeof (request.auth?.cnf as { jkt?: unknown } | undefined)?.jkt === 'string';
  return dpopBound ? challenge.replace(/^Bearer /, `DPoP algs="${DPOP_ALGS.join(' ')}", `) : challenge;
}

export function sendProblem(reply: FastifyReply, problem: Problem, request: FastifyRequest): FastifyReply {
  answeredWith.set(request, problem.type);
  if (problem.audit) auditedAs.set(request, problem.audit);
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, name === 'www-authenticate' ? challengeScheme(value, request) : value);
  // A browser over a rate limit gets a page saying when to try again (problem-page.ts).
  if (hasPage(problem) && prefersHtml(request)) {
    return reply.code(problem.status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(problemPage(problem, request, Date.now()));
  }
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(problem.body(`urn:palisade:request:${request.id}`)));
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
    authenticateLocked(request: FastifyRequest): Promise<void>;
    requireStepUp(request: FastifyRequest): Promise<void>;
  }
}
