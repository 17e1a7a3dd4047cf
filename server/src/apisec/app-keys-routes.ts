/**
 * The admin API for app keys: list, create, rotate and revoke an app's keys at
 * `/admin/v1/apps/{app}/keys`. The authorization stage decides: `apps.read` to list,
 * `apps.manage` (destructive: step-up) to create, rotate and revoke. The key itself is in the answer to create and
 * rotate, and nowhere else. Changes are recorded by AppKeys in their transaction
 * (`app_key.created|rotated|revoked`); every call, allowed or refused, as `admin.app_keys.*`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { DURATION_PATTERN, parseDuration } from '../duration.ts';
import { problems } from '../http/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { AppKeyError, DEFAULT_ROTATION_OVERLAP, type AppKeys } from './app-keys.ts';

export interface AppKeyRoutesDeps {
  keys: AppKeys;
  audit: AuditSink;
}

const Duration = (description: string) => Type.String({ pattern: DURATION_PATTERN, maxLength: 12, description });
const AppParams = Type.Object({ app: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) }, { additionalProperties: false });
const KeyParams = Type.Object({ app: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), id: Type.String({ pattern: '^[0-9A-Za-z]{12}$' }) }, { additionalProperties: false });
const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);
const KeyView = Type.Object(
  {
    id: Type.String({ description: 'Public id: the part after `pal_live_` and before the next `_`.' }),
    appId: Type.String(),
    name: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('rotating'), Type.Literal('expired'), Type.Literal('revoked')], {
      description: '`rotating`: replaced by `replacedBy`, accepted until `expiresAt`.',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
    lastUsedAt: Nullable(Type.String({ format: 'date-time', description: 'Up to a minute behind (written at most once a minute).' })),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
    revokedAt: Nullable(Type.String({ format: 'date-time' })),
    replacedBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
const WithKey = Type.Object(
  { key: Type.String({ description: 'The key, shown this once: only a keyed hash of it is stored.' }), appKey: KeyView },
  { additionalProperties: false },
);
const CreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), expiresIn: Type.Optional(Duration('The key stops working this long after creation. Default: never.')) },
  { additionalProperties: false },
);
const RotateBody = Type.Object(
  {
    overlap: Type.Optional(Duration('How long the old key keeps working. Default: 7d.')),
    expiresIn: Type.Optional(Duration('The new key stops working this long after creation. Default: never.')),
  },
  { additionalProperties: false },
);

/** 204: no body is sent (the schema says `null`, as the API has always published it). */
const NoContent = Type.Unsafe<undefined>({ type: 'null' });

type AdminAction = 'apps' | 'list' | 'create' | 'rotate' | 'revoke';

export async function appKeyRoutes(server: FastifyInstance, deps: AppKeyRoutesDeps): Promise<void> {
  // The TypeBox type provider: request and reply types are inferred from the schemas below.
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [], appKey: [] }];
  const labels = new WeakMap<FastifyRequest, AdminAction>();
  const record = (request: FastifyRequest, action: AdminAction, outcome: 'success' | 'denied' | 'failure', extra: { reason?: string; detail?: Record<string, unknown> } = {}) => {
    const params = request.params as { app?: string; id?: string };
    deps.audit.emit({
      action: `admin.app_keys.${action}`,
      outcome,
      ...(extra.reason ? { reason: extra.reason } : {}),
      actor: {},
      resource: params.id ? { type: 'app_key', id: params.id } : { type: 'app', ...(params.app ? { id: params.app } : {}) },
      detail: { app: params.app, ...extra.detail },
    });
  };
  // The authorization stage decides (`apps.read`, `apps.manage` with step-up, from the caller's
  // roles as the database holds them now). This hook, right after authentication, only labels
  // the request, so that every refusal after it is audited under the admin action too.
  const label = (action: AdminAction) => async (request: FastifyRequest) => {
    labels.set(request, action);
  };
  app.addHook('onError', async (request, _reply, error) => {
    const action = labels.get(request);
    if (!action) return;
    const status = (error as { statusCode?: number; status?: number }).status ?? (error as { statusCode?: number }).statusCode;
    if (status === 403) record(request, action, 'denied', { reason: 'forbidden' });
    else record(request, action, 'failure', { reason: (error as { type?: string }).type ?? 'error' });
  });
  /** Service errors as problems: unknown app or key → 404, a key that cannot be rotated → 409. */
  const answer = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof AppKeyError)) throw error;
      if (error.reason === 'not_active') throw problems.appKeyNotActive(error.message);
      if (error.reason === 'invalid') throw problems.validation([{ path: `body.${error.field ?? 'name'}`, message: error.message }]);
      throw problems.notFound();
    }
  };

  // The registered apps (clients[].id), so that a console can offer them without a config file.
  app.get(
    '/admin/v1/apps',
    {
      onRequest: [app.authenticate, label('apps')],
      config: { permission: 'apps.read' },
      schema: {
        tags: ['admin'],
        summary: 'The registered apps (clients[].id) whose keys can be managed (admin)',
        security,
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: Type.Object({ apps: Type.Array(Type.Object({ id: Type.String() }, { additionalProperties: false })) }, { additionalProperties: false }) },
      },
    },
    async (request) => {
      const apps = [...deps.keys.apps].sort().map((id) => ({ id }));
      record(request, 'apps', 'success', { detail: { count: apps.length } });
      return { apps };
    },
  );

  app.get(
    '/admin/v1/apps/:app/keys',
    {
      onRequest: [app.authenticate, label('list')],
      config: { permission: 'apps.read' },
      schema: {
        tags: ['admin'],
        summary: 'An app’s API keys, without their secrets (admin)',
        security,
        params: AppParams,
        response: { 200: Type.Object({ keys: Type.Array(KeyView) }, { additionalProperties: false }) },
      },
    },
    async (request) => {
      const keys = await answer(() => deps.keys.list(request.params.app));
      record(request, 'list', 'success', { detail: { count: keys.length } });
      return { keys };
    },
  );

  app.post(
    '/admin/v1/apps/:app/keys',
    {
      onRequest: [app.authenticate, label('create')],
      config: { permission: 'apps.manage' },
      schema: { tags: ['admin'], summary: 'Create an API key for an app; the key is in this answer only (admin, sensitive: step-up)', security, params: AppParams, body: CreateBody, response: { 201: WithKey } },
    },
    async (request, reply) => {
      const { expiresIn, name } = request.body;
      const created = await answer(() => deps.keys.create(request.params.app, { name, ...(expiresIn ? { expiresInMs: parseDuration(expiresIn) } : {}) }));
      record(request, 'create', 'success', { detail: { appKeyId: created.view.id } });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ key: created.key, appKey: created.view });
    },
  );

  app.post(
    '/admin/v1/apps/:app/keys/:id/rotate',
    {
      onRequest: [app.authenticate, label('rotate')],
      config: { permission: 'apps.manage' },
      schema: {
        tags: ['admin'],
        summary: 'Replace a key: a new key (in this answer only), the old one keeps working for the overlap (admin, sensitive: step-up)',
        security,
        params: KeyParams,
        body: RotateBody,
        response: { 201: Type.Object({ key: Type.String(), appKey: KeyView, previous: KeyView }, { additionalProperties: false }) },
      },
    },
    async (request, reply) => {
      const { overlap, expiresIn } = request.body ?? {};
      const rotated = await answer(() =>
        deps.keys.rotate(request.params.app, request.params.id, { overlapMs: parseDuration(overlap ?? DEFAULT_ROTATION_OVERLAP), ...(expiresIn ? { expiresInMs: parseDuration(expiresIn) } : {}) }),
      );
      record(request, 'rotate', 'success', { detail: { newAppKeyId: rotated.view.id } });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ key: rotated.key, appKey: rotated.view, previous: rotated.previous });
    },
  );

  app.delete(
    '/admin/v1/apps/:app/keys/:id',
    {
      onRequest: [app.authenticate, label('revoke')],
      config: { permission: 'apps.manage' },
      schema: { tags: ['admin'], summary: 'Revoke a key now (admin, sensitive: step-up)', security, params: KeyParams, response: { 204: NoContent } },
    },
    async (request, reply) => {
      await answer(() => deps.keys.revoke(request.params.app, request.params.id));
      record(request, 'revoke', 'success');
      return reply.code(204).send();
    },
  );
}
