/**
 * The OpenAPI document (/openapi.json) says what the request pipeline really does. Each
 * operation's facts are read from its route as registered (its `onRequest` authentication, its
 * `config` for signing, rate limits and permission, its schemas) and turned, in one place, into:
 * an operationId, the security requirements (app key, bearer or DPoP token, request signature)
 * and the problem responses the pipeline can answer with, each a `Problem` (RFC 9457) whose
 * `type` values are listed and documented in docs/problems.md. Nothing is hand-listed per route,
 * so the document cannot drift from the pipeline.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { PROBLEM_BASE, PROBLEM_TYPES, type ProblemSlug } from '../errors/index.ts';
import type { SigningMode } from '../apisec/index.ts';

/** What the pipeline does for one operation, as far as the document is concerned. */
export interface OperationFacts {
  method: string;
  /** The path as OpenAPI spells it (`/api/v1/jobs/{id}`). */
  path: string;
  operationId: string | undefined;
  /** Needs an access token (`app.authenticate` or `app.authenticateLocked` in onRequest). */
  authenticated: boolean;
  /** Answers a locked session too (`app.authenticateLocked`). */
  allowLocked: boolean;
  /** Needs the app key (/api and /admin, apisec/app-keys.ts). */
  keyed: boolean;
  /** Request signing for the operation; undefined where the stage does not apply. */
  signing: SigningMode | undefined;
  rateLimited: boolean;
  /** The `auth` rate class, with its lockouts. */
  authClass: boolean;
  permission: string | undefined;
  stepUp: boolean;
  hasBody: boolean;
  hasInput: boolean;
  hasPathParams: boolean;
}

export interface OpenApiPipeline {
  keyedPaths: RegExp;
  /** The default request-signing mode, when the signature stage is installed. */
  signingMode: SigningMode | undefined;
  signedScopes: readonly string[];
  rateLimits: boolean;
  needsStepUp(permission: string): boolean;
}

type SecurityScheme = { type: 'http'; scheme: string; bearerFormat?: string; description?: string } | { type: 'apiKey'; in: 'header'; name: string; description?: string };

/** Security schemes, registered once on the document. */
export const SECURITY_SCHEMES: Record<'bearer' | 'dpop' | 'appKey' | 'requestSignature' | 'scimToken' | 'mdmCredentials', SecurityScheme> = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RFC 9068)' },
  dpop: { type: 'http', scheme: 'DPoP', bearerFormat: 'JWT (RFC 9068), sender-constrained', description: 'A DPoP-bound access token (RFC 9449): `Authorization: DPoP <token>` with a `DPoP` proof header signed by the device key.' },
  // Every /api and /admin route, whatever its own scheme (apisec/app-keys.ts).
  appKey: { type: 'apiKey', in: 'header', name: 'palisade-app-key', description: 'The calling app’s API key (pal_live_…).' },
  requestSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Signature',
    description:
      'An RFC 9421 HTTP message signature (HMAC-SHA256 under the session’s signing key, returned with the tokens as signing_key / signing_key_id): `Signature` and `Signature-Input` covering "@method" "@target-uri" "authorization" "content-digest", with created, nonce and keyid, and a sha-256 `Content-Digest` (RFC 9530) over the body. Required unless the deployment (requestSigning.mode, clients[].requestSigning) relaxes it.',
  },
  // /scim/v2: a provisioning connector's token (`palisade scim tokens create`).
  scimToken: { type: 'http', scheme: 'bearer', description: 'A SCIM provisioning connector’s token (`palisade scim tokens create`).' },
  // /mdm/v1/{vendor}/events: the notification credentials configured for that MDM (docs/mdm.md).
  mdmCredentials: { type: 'http', scheme: 'basic', description: 'The credentials configured in Palisade for the MDM’s notifications (docs/mdm.md); a vendor that signs or sends a token instead is checked the same way.' },
};

/** Schemas every operation shares, registered once as components. */
export const SHARED_SCHEMAS = {
  Problem: {
    type: 'object',
    description: 'An RFC 9457 problem. `type` is one of the problem types in docs/problems.md; members beyond these depend on the type.',
    properties: {
      type: { type: 'string', format: 'uri', description: `${PROBLEM_BASE}<slug>` },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      instance: { type: 'string', description: 'urn:palisade:request:<request id>' },
    },
    required: ['type', 'title', 'status'],
    additionalProperties: true,
  },
  ScimError: {
    type: 'object',
    description: 'A SCIM error (RFC 7644 §3.12), with the `type` and `title` of its problem type (docs/problems.md).',
    properties: {
      schemas: { type: 'array', items: { type: 'string' } },
      status: { type: 'string' },
      scimType: { type: 'string' },
      detail: { type: 'string' },
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
    },
    required: ['schemas', 'status'],
    additionalProperties: true,
  },
  Uuid: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 },
  Timestamp: { type: 'string', format: 'date-time', description: 'An RFC 3339 date-time in UTC between the years 1 and 9999.' },
  Page: {
    type: 'object',
    description: 'A page of a list, newest first: pass `next` back as the cursor to read the following page; absent on the last page.',
    properties: { next: { type: 'string' } },
    additionalProperties: true,
  },
} as const;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** `/api/v1/jobs/:id` → `/api/v1/jobs/{id}` (as @fastify/swagger writes it). */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** `GET /api/v1/jobs/{id}/photos` → `getApiV1JobsByIdPhotos`: stable, unique, readable. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      const word = (param ? `by-${param[1]}` : segment).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase());
      return word.charAt(0).toUpperCase() + word.slice(1);
    });
  return method.toLowerCase() + words.join('');
}

/** The facts of a route, read from its registration. */
export function factsOf(route: RouteOptions, app: FastifyInstance, pipeline: OpenApiPipeline): OperationFacts[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const hooks = [route.onRequest ?? []].flat();
  const locked = hooks.includes(app.authenticateLocked);
  const authenticated = locked || hooks.includes(app.authenticate);
  const config = (route.config ?? {}) as { signing?: SigningMode; rateLimit?: unknown; permission?: string };
  const path = openApiPath(route.url);
  const keyed = pipeline.keyedPaths.test(route.url);
  const signed = authenticated && pipeline.signingMode !== undefined && pipeline.signedScopes.some((scope) => route.url.startsWith(scope));
  const rateLimit = config.rateLimit;
  const authClass = rateLimit === 'auth' || (typeof rateLimit === 'object' && rateLimit !== null && (rateLimit as { class?: string }).class === 'auth');
  const methods = [route.method].flat().filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
  return methods.map((method) => ({
    method,
    path,
    operationId: typeof schema.operationId === 'string' ? schema.operationId : undefined,
    authenticated,
    allowLocked: locked,
    keyed,
    signing: signed ? (config.signing ?? pipeline.signingMode) : undefined,
    rateLimited: pipeline.rateLimits && rateLimit !== false && (authenticated || rateLimit !== undefined),
    authClass: pipeline.rateLimits && authClass,
    permission: config.permission,
    stepUp: config.permission !== undefined && pipeline.needsStepUp(config.permission),
    hasBody: schema.body !== undefined || (route.config as { binaryBody?: boolean } | undefined)?.binaryBody === true,
    hasInput: schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined || schema.headers !== undefined,
    hasPathParams: path.includes('{'),
  }));
}

/** The problem types the pipeline can answer an operation with, by what the operation is. */
export function pipelineProblems(facts: OperationFacts): ProblemSlug[] {
  if (facts.path.startsWith('/scim/')) return scimProblems(facts);
  const slugs: ProblemSlug[] = ['malformed-url', 'internal'];
  if (facts.path.startsWith('/mdm/')) slugs.push('mdm-credentials-refused', 'mdm-notification-malformed');
  if (facts.keyed) slugs.push('missing-app-key', 'invalid-app-key');
  if (facts.authClass) slugs.push('locked-out');
  if (facts.rateLimited) slugs.push('rate-limited');
  if (facts.authenticated) {
    slugs.push('missing-token', 'malformed-authorization', 'invalid-token', 'invalid-dpop-proof', 'session-revoked', 'device-wiped', 'device-locked');
    if (!facts.allowLocked) slugs.push('session-locked');
    if (facts.keyed) slugs.push('token-app-mismatch');
  }
  if (facts.signing && facts.signing !== 'off') {
    slugs.push('signature-invalid', 'signature-expired', 'signature-replayed', 'content-digest-mismatch');
    if (facts.signing === 'required') slugs.push('signature-required', 'content-digest-required');
  }
  if (facts.permission) slugs.push('forbidden');
  if (facts.stepUp) slugs.push('step-up-required');
  if (facts.hasInput) slugs.push('validation-failed');
  if (facts.hasBody) slugs.push('malformed-body', 'body-too-large', 'body-too-deep', 'unsupported-media-type');
  if (facts.hasPathParams) slugs.push('not-found');
  return slugs;
}

/** SCIM answers in its own error format (decision 0006), with these catalogued types. */
function scimProblems(facts: OperationFacts): ProblemSlug[] {
  const slugs: ProblemSlug[] = ['scim-401', 'scim-500'];
  if (facts.rateLimited || facts.authClass) slugs.push('scim-429');
  if (facts.hasInput) slugs.push('scim-invalid-value', 'scim-400');
  if (facts.method === 'GET' && !facts.hasPathParams && facts.hasInput) slugs.push('scim-invalid-filter');
  if (facts.hasBody) slugs.push('scim-invalid-syntax', 'scim-413', 'scim-415');
  if (facts.method === 'PATCH') slugs.push('scim-invalid-path');
  if (facts.hasBody) slugs.push('scim-uniqueness');
  if (facts.hasPathParams) slugs.push('scim-404');
  return slugs;
}

/** The operation's security requirements: alternatives (OR) of schemes that all apply (AND). */
export function securityOf(facts: OperationFacts): Record<string, string[]>[] {
  const requirement = (token?: 'bearer' | 'dpop'): Record<string, string[]> => ({
    ...(facts.keyed ? { appKey: [] } : {}),
    ...(token ? { [token]: [] } : {}),
    ...(token && facts.signing === 'required' ? { requestSignature: [] } : {}),
  });
  if (facts.authenticated) return [requirement('bearer'), requirement('dpop')];
  if (facts.keyed) return [requirement()];
  if (facts.path.startsWith('/scim/')) return [{ scimToken: [] }];
  if (facts.path.startsWith('/mdm/')) return [{ mdmCredentials: [] }];
  // Public: no credentials (health probes, published keys, the IdP's back-channel logout, which carries a signed token in its body).
  return [];
}

/** A summary for an operation its route does not describe (SCIM's): `List Users`, `Replace Groups/{id}`. */
function summaryOf(method: string, path: string): string {
  const resource = path.replace(/^\/(scim\/v2|api\/v1|admin\/v1)\//, '');
  const item = path.endsWith('}');
  const verb = { get: item ? 'Read' : 'List', post: 'Create in', put: 'Replace', patch: 'Update', delete: 'Delete' }[method] ?? method.toUpperCase();
  return `${verb} ${resource}`;
}

interface Operation {
  summary?: string;
  operationId?: string;
  security?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
  [extension: `x-${string}`]: unknown;
}

/**
 * Adds what the facts say to the document @fastify/swagger built from the route schemas. Only
 * adds: an operation's own operationId and responses stay as declared.
 */
export function enrichDocument<T extends object>(built: T, operations: ReadonlyMap<string, OperationFacts>): T {
  const document = built as { paths?: Record<string, Record<string, unknown> | undefined>; components?: Record<string, unknown> };
  const components = (document.components ??= {}) as { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  components.securitySchemes = { ...SECURITY_SCHEMES, ...components.securitySchemes };
  components.schemas = { ...SHARED_SCHEMAS, ...components.schemas };
  const used = new Set<string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method] as Operation | undefined;
      if (!operation) continue;
      const facts = operations.get(`${method.toUpperCase()} ${path}`);
      let id = operation.operationId ?? facts?.operationId ?? operationIdOf(method, path);
      while (used.has(id)) id = `${id}_`;
      used.add(id);
      operation.operationId = id;
      operation.summary ??= summaryOf(method, path);
      if (!facts) continue;
      operation.security = securityOf(facts);
      if (facts.signing) operation['x-palisade-request-signing'] = facts.signing;
      const responses = (operation.responses ??= {});
      const byStatus = new Map<number, ProblemSlug[]>();
      for (const slug of new Set(pipelineProblems(facts))) {
        const type = PROBLEM_TYPES[slug];
        for (const status of type.statuses ?? [type.status]) byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
      }
      for (const [status, slugs] of [...byStatus].sort(([a], [b]) => a - b)) {
        if (responses[String(status)]) continue;
        responses[String(status)] = {
          description: slugs.map((slug) => `[${slug}](${PROBLEM_BASE}${slug}): ${PROBLEM_TYPES[slug].title}`).join('; '),
          content: facts.path.startsWith('/scim/') ? { 'application/scim+json': { schema: { $ref: '#/components/schemas/ScimError' } } } : { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
      operation['x-palisade-problem-types'] = [...new Set(pipelineProblems(facts))].map((slug) => PROBLEM_BASE + slug);
    }
  }
  return built;
}

/** Collects the facts of every route the app registers (an onRoute hook, so it sees them all). */
export function collectOperationFacts(app: FastifyInstance, pipeline: () => OpenApiPipeline): Map<string, OperationFacts> {
  const operations = new Map<string, OperationFacts>();
  app.addHook('onRoute', (route) => {
    if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
    for (const facts of factsOf(route, app, pipeline())) operations.set(`${facts.method} ${facts.path}`, facts);
  });
  return operations;
}
