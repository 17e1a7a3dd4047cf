/**
 * SCIM 2.0 (RFC 7643/7644) `/scim/v2/Users` and `/scim/v2/Groups` for the company IdP's
 * provisioning connector (Entra ID, Okta, …): create, get, replace (PUT), patch, delete, list
 * with `filter=userName eq "…"` (Users) or `displayName eq "…"` (Groups), and the discovery
 * document ServiceProviderConfig. Authenticated by a bearer token per connector
 * (`palisade scim tokens create <name>`), stored only as a hash. Every change is made in one
 * transaction with its audit record (`ScimEffects.change`), attributed to the connector as
 * `scim:<name>` — the token's name, never the token.
 *
 * Errors use SCIM's own error schema (RFC 7644 §3.12), which provisioning clients parse, with
 * Palisade's problem `type` and `title` added, as `application/scim+json` (decision 0006).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { parse as parseFilter } from 'scim2-parse-filter';
import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import { isDatabaseError, loggableDatabaseError, type Database, type DatabaseError, type Queryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { hashToken } from '../security/index.ts';
import { PROBLEM_BASE, Problem, problemForDatabaseError, JsonBodyError, parseJsonBounded } from '../http/index.ts';
import { currentContext, type AuditActor } from '../audit/index.ts';
import type { ScimEffects } from './service.ts';
import * as store from './store.ts';
import { PalisadeError, codeOfSlug } from '../errors/index.ts';

const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  config: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
} as const;
const MAX_PAGE = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The problem slug of a SCIM refusal: `scim-` + its scimType (kebab-case), or + its status. */
function scimSlug(status: number, scimType: string | undefined): string {
  return scimType ? `scim-${scimType.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : `scim-${status}`;
}

/** A refusal answered in SCIM's error format (RFC 7644 §3.12); `code` is its catalogued code. */
export class ScimError extends PalisadeError {
  readonly status: number;
  readonly scimType: string | undefined;
  constructor(status: number, scimType: string | undefined, detail: string) {
    super(codeOfSlug(scimSlug(status, scimType)), detail);
    this.status = status;
    this.scimType = scimType;
  }
}

function sendScimError(reply: FastifyReply, error: ScimError): FastifyReply {
  const slug = scimSlug(error.status, error.scimType);
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="palisade-scim"');
  return reply
    .code(error.status)
    .type('application/scim+json')
    .header('cache-control', 'no-store')
    .send(
      JSON.stringify({
        schemas: [SCHEMA.error],
        status: String(error.status),
        ...(error.scimType ? { scimType: error.scimType } : {}),
        detail: error.message,
        type: PROBLEM_BASE + slug,
        title: 'The provisioning request was refused',
      }),
    );
}

export interface ScimRoutesDeps {
  db: Database;
  clock: Clock;
  effects: ScimEffects;
  baseUrl: string;
}

type Resource = Record<string, unknown>;

/** Attributes Palisade never keeps: its own (`id`, `meta`) and secrets it has no use for. */
function storable(body: Resource): Resource {
  if (hasForbiddenKey(body)) throw new ScimError(400, 'invalidValue', 'that attribute name is not allowed');
  const { id: _id, meta: _meta, password: _password, ...rest } = body;
  return rest;
}

function bool(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  // Entra ID (without the aadOptscim062020 flag) sends "True"/"False".
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (value === undefined) return fallback;
  throw new ScimError(400, 'invalidValue', 'active must be a boolean');
}

function text(value: unknown, name: string, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) throw new ScimError(400, 'invalidValue', `${name} is required`);
    return null;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) throw new ScimError(400, 'invalidValue', `${name} must be a string of 1 to 256 characters`);
  return value;
}

function eqFilter<A extends string>(filter: string | undefined, allowed: readonly A[]): { attribute: A; value: string } | undefined {
  if (filter === undefined) return undefined;
  let ast;
  try {
    ast = parseFilter(filter) as { op: string; attrPath?: string; compValue?: unknown };
  } catch {
    throw new ScimError(400, 'invalidFilter', 'the filter could not be parsed');
  }
  const attribute = allowed.find((a) => a.toLowerCase() === ast.attrPath?.toLowerCase());
  if (ast.op !== 'eq' || !attribute || typeof ast.compValue !== 'string') {
    throw new ScimError(400, 'invalidFilter', `only ${allowed.map((a) => `${a} eq "…"`).join(' or ')} is supported`);
  }
  return { attribute, value: ast.compValue };
}

/**
 * RFC 7644 §3.4.2.4 paging. A query string carries text (the app does not coerce types), so the
 * schema takes an optionally signed integer as text; as the RFC says, a startIndex below 1 is
 * read as 1 and a negative count as 0; count is capped at MAX_PAGE.
 */
function page(query: { startIndex?: string; count?: string }): { offset: number; limit: number; startIndex: number } {
  const startIndex = Math.max(1, Number(query.startIndex ?? 1));
  return { startIndex, offset: startIndex - 1, limit: Math.min(Math.max(0, Number(query.count ?? 100)), MAX_PAGE) };
}

function patchOperations(body: unknown): ScimPatchOperation[] {
  const b = body as { schemas?: unknown; Operations?: unknown };
  if (!Array.isArray(b?.schemas) || !b.schemas.includes(SCHEMA.patch) || !Array.isArray(b.Operations) || b.Operations.length === 0 || b.Operations.length > 100) {
    throw new ScimError(400, 'invalidSyntax', 'a PATCH body is a PatchOp message with 1 to 100 Operations');
  }
  for (const op of b.Operations as { path?: unknown; value?: unknown }[]) {
    if ((typeof op.path === 'string' && FORBIDDEN_PATH.test(op.path)) || hasForbiddenKey(op.value)) {
      throw new ScimError(400, 'invalidPath', 'that attribute name is not allowed');
    }
  }
  // Entra ID capitalizes operation names ("Replace"); RFC 7644 §3.5.2 treats them case-insensitively.
  return b.Operations.map((op: { op?: unknown }) => ({ ...op, op: typeof op.op === 'string' ? op.op.toLowerCase() : op.op }) as ScimPatchOperation);
}

/**
 * scim-patch walks paths with plain property access: `__proto__.x` or `constructor.prototype.x`
 * would write onto Object.prototype for the whole process. Such names are never SCIM attributes.
 */
const FORBIDDEN_PATH = /(^|[.[\]\s:])(__proto__|prototype|constructor)([.[\]\s]|$)/i;
function hasForbiddenKey(value: unknown, depth = 0): boolean {
  if (depth > 20) return true;
  if (Array.isArray(value)) return value.some((v) => hasForbiddenKey(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.keys(value).some((k) => ['__proto__', 'prototype', 'constructor'].includes(k) || FORBIDDEN_PATH.test(k) || hasForbiddenKey((value as Record<string, unknown>)[k], depth + 1));
  }
  return false;
}

function applyPatch(resource: Resource, operations: ScimPatchOperation[]): Resource {
  try {
    return scimPatch(structuredClone(resource) as never, operations) as unknown as Resource;
  } catch (error) {
    throw new ScimError(400, (error as { scimType?: string }).scimType ?? 'invalidValue', `the patch could not be applied: ${(error as Error).message}`);
  }
}

/**
 * An integer as a query string carries it: optional sign, at most 9 digits (so a startIndex past
 * any real directory is still an OFFSET PostgreSQL takes).
 */
const SCIM_INTEGER = '^-?[0-9]{1,9}$';

// TypeBox schemas: the handlers' query, params and body types are inferred from them (the
// TypeBox type provider).
const querySchema = Type.Object(
  {
    filter: Type.Optional(Type.String({ maxLength: 1000 })),
    startIndex: Type.Optional(Type.String({ pattern: SCIM_INTEGER, description: '1-based index of the first result (RFC 7644 §3.4.2.4); below 1 is read as 1' })),
    count: Type.Optional(Type.String({ pattern: SCIM_INTEGER, description: `Most results on the page (at most ${MAX_PAGE}); 0 gives the total alone, a negative count is read as 0` })),
  },
  { additionalProperties: true }, // attributes/excludedAttributes and the like are accepted and ignored
);
const idParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
/**
 * Resources and PatchOp messages are checked by the handlers (RFC 7643 leaves extension
 * attributes open); the schema says that a body is an object, so operations that take one
 * are told apart from those that take none (http/app.ts refuses a body on those). Just
 * `{ type: 'object' }`, typed as the open resource it is.
 */
const resourceBody = { body: Type.Unsafe<Resource>({ type: 'object' }) };

export async function scimRoutes(app: FastifyInstance, deps: ScimRoutesDeps): Promise<void> {
  const { db, effects } = deps;
  const location = (kind: 'Users' | 'Groups', id: string) => `${deps.baseUrl}/scim/v2/${kind}/${id}`;
  const meta = (kind: 'User' | 'Group', row: { id: string; createdAt: Date; updatedAt: Date; version: number }) => ({
    resourceType: kind,
    created: new Date(row.createdAt).toISOString(),
    lastModified: new Date(row.updatedAt).toISOString(),
    location: location(kind === 'User' ? 'Users' : 'Groups', row.id),
    version: `W/"${row.version}"`,
  });
  const userOut = (row: store.ScimUserRow): Resource => ({
    ...row.resource,
    schemas: Array.isArray(row.resource.schemas) ? row.resource.schemas : [SCHEMA.user],
    id: row.id,
    userName: row.userName,
    ...(row.externalId ? { externalId: row.externalId } : {}),
    active: row.active,
    meta: meta('User', row),
  });
  const groupOut = (row: store.ScimGroupRow): Resource => ({
    ...row.resource,
    schemas: [SCHEMA.group],
    id: row.id,
    displayName: row.displayName,
    ...(row.externalId ? { externalId: row.externalId } : {}),
    members: row.memberIds.map((value) => ({ value, $ref: location('Users', value) })),
    meta: meta('Group', row),
  });
  const userFields = (resource: Resource) => ({
    userName: text(resource.userName, 'userName', true)!,
    externalId: text(resource.externalId, 'externalId', false),
    active: bool(resource.active, true),
    resource: storable(resource),
  });
  const groupFields = async (q: Queryable, resource: Resource) => {
    const members = resource.members ?? [];
    if (!Array.isArray(members) || members.length > 10_000) throw new ScimError(400, 'invalidValue', 'members must be a list');
    const ids = [...new Set(members.map((m: { value?: unknown }) => (typeof m?.value === 'string' && UUID.test(m.value) ? m.value.toLowerCase() : '')))];
    const known = await store.existingScimUserIds(q, ids.filter(Boolean));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw new ScimError(400, 'invalidValue', `members must be existing Users (unknown: ${unknown.slice(0, 3).join(', ') || 'a value that is not a User id'})`);
    const { members: _members, ...rest } = storable(resource);
    return { displayName: text(resource.displayName, 'displayName', true)!, externalId: text(resource.externalId, 'externalId', false), memberIds: ids, resource: rest };
  };
  const mustFind = <T>(row: T | undefined, what: string): T => {
    if (!row) throw new ScimError(404, undefined, `${what} not found`);
    return row;
  };
  const uuidOr404 = (id: string, what: string) => {
    if (!UUID.test(id)) throw new ScimError(404, undefined, `${what} not found`);
    return id.toLowerCase();
  };
  /** The connector that sent each request, as audit records name it. */
  const actors = new WeakMap<FastifyRequest, AuditActor>();
  const actorOf = (request: FastifyRequest): AuditActor => actors.get(request) ?? {};
  const list = (total: number, startIndex: number, resources: Resource[]) => ({ schemas: [SCHEMA.list], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources });

  await app.register(
    async (scope) => {
      const scim = scope.withTypeProvider<TypeBoxTypeProvider>();
      // Bearer authentication is authentication: failed attempts are counted per IP and
      // lock it out when repeated; good calls are not counted (a provisioning run makes thousands).
      scim.addHook('onRoute', (route) => {
        route.config = { ...route.config, rateLimit: { class: 'auth', failuresOnly: true } };
      });
      scim.removeAllContentTypeParsers();
      // The API's JSON rules (nesting bounded, prototype keys refused: http/json.ts), SCIM's errors.
      scim.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string' }, (_req, body, done) => {
        try {
          done(null, body === '' ? undefined : parseJsonBounded(body as string));
        } catch (error) {
          done(new ScimError(400, 'invalidSyntax', error instanceof JsonBodyError ? error.message : 'the body is not valid JSON'), undefined);
        }
      });
      scim.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number; code?: string }, request, reply) => {
        if (error instanceof ScimError) return sendScimError(reply, error);
        // A refusal of an earlier stage (rate limit, lockout: 429 with Retry-After), in SCIM's form.
        if (error instanceof Problem) {
          for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
          return sendScimError(reply, new ScimError(error.status, undefined, error.detail ?? error.title));
        }
        if (error.validation) return sendScimError(reply, new ScimError(400, 'invalidValue', error.message));
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendScimError(reply, new ScimError(413, undefined, 'the request body is too large'));
        if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendScimError(reply, new ScimError(415, undefined, 'send application/scim+json'));
        if (error.statusCode && error.statusCode < 500) return sendScimError(reply, new ScimError(error.statusCode, undefined, 'the request could not be read'));
        // What the database refuses because of the request (http/problems.ts problemForDatabaseError:
        // integrity and data exceptions) is the IdP's to fix, as on the rest of the API: a unique
        // violation is SCIM's `uniqueness` (409), anything else an `invalidValue` (400). The
        // database's own message is never passed on (it quotes values and names tables).
        const refused = isDatabaseError(error) ? problemForDatabaseError(error, request.method) : undefined;
        if (refused) {
          request.log.info({ event: 'scim.refused_by_database', err: loggableDatabaseError(error as DatabaseError) }, 'SCIM request refused by the database');
          return sendScimError(reply, (error as DatabaseError).code === '23505' ? new ScimError(409, 'uniqueness', 'another resource already holds one of these unique values') : new ScimError(400, 'invalidValue', refused.detail ?? refused.title));
        }
        request.log.error({ err: error }, 'SCIM request failed');
        return sendScimError(reply, new ScimError(500, undefined, 'internal error; it was logged with the request id'));
      });
      scim.addHook('onRequest', async (request: FastifyRequest) => {
        const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(request.headers.authorization ?? '')?.[1];
        const connector = token ? await store.scimTokenName(db, hashToken(token), new Date(deps.clock.now())) : undefined;
        if (!connector) throw new ScimError(401, undefined, 'a valid SCIM bearer token is required');
        const actor = { appId: `scim:${connector}` };
        actors.set(request, actor);
        // Everything recorded while serving this request (the sessions it ends, too) names the connector.
        const context = currentContext();
        if (context) Object.assign(context.actor, actor);
        request.log.info({ event: 'scim.request', connector, method: request.method }, 'SCIM request');
      });

      scim.get('/ServiceProviderConfig', async (_request, reply) =>
        reply.type('application/scim+json').send({
          schemas: [SCHEMA.config],
          patch: { supported: true },
          bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
          filter: { supported: true, maxResults: MAX_PAGE },
          changePassword: { supported: false },
          sort: { supported: false },
          etag: { supported: false },
          authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'A token from `palisade scim tokens create`' }],
        }),
      );

      // --- Users ---
      scim.get('/Users', { schema: { querystring: querySchema } }, async (request, reply) => {
        const { offset, limit, startIndex } = page(request.query);
        const { total, rows } = await store.listScimUsers(db, eqFilter(request.query.filter, ['userName', 'externalId'] as const), offset, limit);
        return reply.type('application/scim+json').send(list(total, startIndex, rows.map(userOut)));
      });
      scim.post('/Users', { schema: resourceBody }, async (request, reply) => {
        const fields = userFields(request.body ?? {});
        const row = await effects.change(actorOf(request), async (tx, change) => {
          const row = await store.insertScimUser(tx, fields);
          if (!row) throw new ScimError(409, 'uniqueness', 'a User with this userName exists');
          await change.userCreated(row);
          return row;
        });
        return reply.code(201).type('application/scim+json').header('location', location('Users', row.id)).send(userOut(row));
      });
      scim.get('/Users/:id', { schema: { params: idParams } }, async (request, reply) => {
        const row = mustFind(await store.findScimUser(db, uuidOr404(request.params.id, 'User')), 'User');
        return reply.type('application/scim+json').send(userOut(row));
      });
      /** PUT and PATCH: `next` makes the new resource from the current one, read locked in the same transaction. */
      const replaceUser = (request: FastifyRequest, id: string, next: (current: store.ScimUserRow) => Resource) =>
        effects.change(actorOf(request), async (tx, change) => {
          const current = mustFind(await store.findScimUser(tx, id, true), 'User');
          const row = await store.updateScimUser(tx, id, userFields(next(current)));
          if (row === 'conflict') throw new ScimError(409, 'uniqueness', 'another User has this userName');
          const updated = mustFind(row, 'User');
          await change.userReplaced(current, updated);
          return updated;
        });
      scim.put('/Users/:id', { schema: { params: idParams, ...resourceBody } }, async (request, reply) => {
        const id = uuidOr404(request.params.id, 'User');
        return reply.type('application/scim+json').send(userOut(await replaceUser(request, id, () => request.body ?? {})));
      });
      scim.patch('/Users/:id', { schema: { params: idParams, ...resourceBody } }, async (request, reply) => {
        const operations = patchOperations(request.body);
        const id = uuidOr404(request.params.id, 'User');
        return reply.type('application/scim+json').send(userOut(await replaceUser(request, id, (current) => applyPatch(userOut(current), operations))));
      });
      scim.delete('/Users/:id', { schema: { params: idParams } }, async (request, reply) => {
        const id = uuidOr404(request.params.id, 'User');
        await effects.change(actorOf(request), async (tx, change) => {
          const deleted = mustFind(await store.deleteScimUser(tx, id), 'User');
          await change.userDeleted(deleted.user, deleted.groups);
        });
        return reply.code(204).send();
      });

      // --- Groups ---
      scim.get('/Groups', { schema: { querystring: querySchema } }, async (request, reply) => {
        const { offset, limit, startIndex } = page(request.query);
        const { total, rows } = await store.listScimGroups(db, eqFilter(request.query.filter, ['displayName', 'externalId'] as const), offset, limit);
        return reply.type('application/scim+json').send(list(total, startIndex, rows.map(groupOut)));
      });
      scim.post('/Groups', { schema: resourceBody }, async (request, reply) => {
        const row = await effects.change(actorOf(request), async (tx, change) => {
          const row = await store.insertScimGroup(tx, await groupFields(tx, request.body ?? {}));
          if (!row) throw new ScimError(409, 'uniqueness', 'a Group with this displayName exists');
          await change.groupCreated(row);
          return row;
        });
        return reply.code(201).type('application/scim+json').header('location', location('Groups', row.id)).send(groupOut(row));
      });
      scim.get('/Groups/:id', { schema: { params: idParams } }, async (request, reply) => {
        const row = mustFind(await store.findScimGroup(db, uuidOr404(request.params.id, 'Group')), 'Group');
        return reply.type('application/scim+json').send(groupOut(row));
      });
      /** PUT and PATCH, as for Users: the membership before is read locked, so the roles recomputed are exact. */
      const replaceGroup = (request: FastifyRequest, id: string, next: (current: store.ScimGroupRow) => Resource) =>
        effects.change(actorOf(request), async (tx, change) => {
          const current = mustFind(await store.findScimGroup(tx, id, true), 'Group');
          const row = await store.updateScimGroup(tx, id, await groupFields(tx, next(current)));
          if (row === 'conflict') throw new ScimError(409, 'uniqueness', 'another Group has this displayName');
          const updated = mustFind(row, 'Group');
          await change.groupReplaced(current, updated);
          return updated;
        });
      scim.put('/Groups/:id', { schema: { params: idParams, ...resourceBody } }, async (request, reply) => {
        const id = uuidOr404(request.params.id, 'Group');
        return reply.type('application/scim+json').send(groupOut(await replaceGroup(request, id, () => request.body ?? {})));
      });
      scim.patch('/Groups/:id', { schema: { params: idParams, ...resourceBody } }, async (request, reply) => {
        const operations = patchOperations(request.body);
        const id = uuidOr404(request.params.id, 'Group');
        return reply.type('application/scim+json').send(groupOut(await replaceGroup(request, id, (current) => applyPatch(groupOut(current), operations))));
      });
      scim.delete('/Groups/:id', { schema: { params: idParams } }, async (request, reply) => {
        const id = uuidOr404(request.params.id, 'Group');
        await effects.change(actorOf(request), async (tx, change) => {
          const row = mustFind(await store.deleteScimGroup(tx, id), 'Group');
          await change.groupDeleted(row);
        });
        return reply.code(204).send();
      });
    },
    { prefix: '/scim/v2' },
  );
}
