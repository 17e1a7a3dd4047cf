/**
 * The admin side of sessions: list and end any user's sessions (remote logout). The
 * authorization stage decides: `sessions.read` to look, `sessions.end` (step-up) to end.
 * Every call, allowed or refused, goes to `audit` (the audit trail, as `admin.<action>`).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AuditSink } from '../audit/index.ts';
import type { Sessions } from './service.ts';
import { DeviceSchema, SessionIdParams, SessionSchema, deviceView, sessionView } from './routes.ts';
import type { Devices } from './devices.ts';
import { problems, NO_QUERY } from '../http/index.ts';

export interface AdminAuditEvent {
  action: 'sessions.list' | 'sessions.revoke_all' | 'session.read' | 'session.revoke' | 'device.read' | 'device.revoke';
  actor: { userId: string; sessionId: string };
  target: { type: 'user' | 'session' | 'device'; id: string };
  outcome: 'success' | 'denied' | 'not_found' | 'refused';
  detail?: Record<string, unknown>;
}

/**
 * The admin routes' events as audit records (`admin.<action>`): a lookup that found nothing and
 * a refused request are failures with that reason.
 */
export function adminAuditRecorder(audit: AuditSink): (event: AdminAuditEvent) => void {
  return (event) =>
    audit.emit({
      action: `admin.${event.action}`,
      outcome: event.outcome === 'success' ? 'success' : event.outcome === 'denied' ? 'denied' : 'failure',
      ...(event.outcome === 'not_found' || event.outcome === 'refused' ? { reason: event.outcome } : {}),
      actor: event.actor,
      resource: event.target,
      ...(event.detail ? { detail: event.detail } : {}),
    });
}

export interface AdminRoutesDeps {
  sessions: Sessions;
  devices: Devices;
  audit(event: AdminAuditEvent): void;
}

/**
 * User and device ids are PostgreSQL uuids. Not `format: 'uuid'`: Ajv's format also accepts the
 * `urn:uuid:` form, which PostgreSQL refuses — a 500 instead of a 404.
 */
const UserParams = Type.Object(
  { id: Type.String({ minLength: 36, maxLength: 36, pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }) },
  { additionalProperties: false },
);
/** Replies are serialized by their schemas, not typed from them (the views are built by sessionView/deviceView). */
const untyped = (schema: object): Readonly<Record<string, unknown>> => schema as Readonly<Record<string, unknown>>;
const AdminSession = untyped({ ...SessionSchema, required: [...SessionSchema.required, 'userId'], properties: { ...SessionSchema.properties, userId: { type: 'string' } } });

export async function adminSessionRoutes(server: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const actor = (request: FastifyRequest) => ({ userId: request.auth!.sub, sessionId: request.auth!.sid });
  const target = (request: FastifyRequest, type: 'user' | 'session' | 'device') => ({ type, id: (request.params as { id: string }).id });

  // The authorization stage decides (`sessions.read`, `sessions.end`: the caller's roles as the
  // database holds them now, then step-up for ending). This hook, right after authentication,
  // only labels the request, so that every refusal after it — no permission, no recent
  // sign-in, invalid input — is audited under the admin action as well.
  const label = (action: AdminAuditEvent['action'], type: 'user' | 'session' | 'device') => async (request: FastifyRequest) => {
    auditLabels.set(request, { action, type });
  };
  const auditLabels = new WeakMap<FastifyRequest, { action: AdminAuditEvent['action']; type: 'user' | 'session' | 'device' }>();
  app.addHook('onError', async (request, _reply, error) => {
    const label = auditLabels.get(request);
    if (!label) return; // unauthenticated
    const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 404) return; // not_found is audited by the handler
    if (status === 403) {
      deps.audit({ action: label.action, actor: actor(request), target: target(request, label.type), outcome: 'denied' });
      return;
    }
    deps.audit({ action: label.action, actor: actor(request), target: target(request, label.type), outcome: 'refused', detail: { status, problem: (error as { type?: string }).type } });
  });
  const security = [{ bearer: [] }];

  app.get(
    '/admin/v1/users/:id/sessions',
    {
      onRequest: [app.authenticate, label('sessions.list', 'user')],
      config: { permission: 'sessions.read' },
      schema: {
        tags: ['admin'],
        summary: 'A user’s sessions (admin)',
        security,
        params: UserParams,
        querystring: NO_QUERY,
        response: { 200: { type: 'object', additionalProperties: false, required: ['sessions'], properties: { sessions: { type: 'array', items: AdminSession } } } },
      },
    },
    async (request) => {
      const sessions = await deps.sessions.list(request.params.id);
      deps.audit({ action: 'sessions.list', actor: actor(request), target: target(request, 'user'), outcome: 'success', detail: { count: sessions.length } });
      return { sessions: sessions.map((s) => ({ ...sessionView(s), userId: s.userId })) };
    },
  );

  app.delete(
    '/admin/v1/users/:id/sessions',
    {
      onRequest: [app.authenticate, label('sessions.revoke_all', 'user')],
      config: { permission: 'sessions.end' },
      schema: {
        tags: ['admin'],
        summary: 'End every session of a user on every device (admin, sensitive: step-up)',
        security,
        params: UserParams,
        querystring: NO_QUERY,
        response: { 200: { type: 'object', additionalProperties: false, required: ['ended'], properties: { ended: { type: 'integer', minimum: 0 } } } },
      },
    },
    async (request) => {
      const ended = await deps.sessions.revokeAllOfUser(request.params.id, 'admin');
      deps.audit({ action: 'sessions.revoke_all', actor: actor(request), target: target(request, 'user'), outcome: 'success', detail: { ended } });
      return { ended };
    },
  );

  app.get(
    '/admin/v1/sessions/:id',
    {
      onRequest: [app.authenticate, label('session.read', 'session')],
      config: { permission: 'sessions.read' },
      schema: { tags: ['admin'], summary: 'One session (admin)', security, params: SessionIdParams, querystring: NO_QUERY, response: { 200: AdminSession } },
    },
    async (request) => {
      const session = await deps.sessions.view(request.params.id);
      if (!session) {
        deps.audit({ action: 'session.read', actor: actor(request), target: target(request, 'session'), outcome: 'not_found' });
        throw problems.notFound();
      }
      deps.audit({ action: 'session.read', actor: actor(request), target: target(request, 'session'), outcome: 'success' });
      return { ...sessionView(session), userId: session.userId };
    },
  );

  app.delete(
    '/admin/v1/sessions/:id',
    {
      onRequest: [app.authenticate, label('session.revoke', 'session')],
      config: { permission: 'sessions.end' },
      schema: { tags: ['admin'], summary: 'End one session now, on every instance (admin, sensitive: step-up)', security, params: SessionIdParams, querystring: NO_QUERY, response: { 204: untyped({ type: 'null' }) } },
    },
    async (request, reply) => {
      const session = await deps.sessions.find(request.params.id);
      if (!session) {
        deps.audit({ action: 'session.revoke', actor: actor(request), target: target(request, 'session'), outcome: 'not_found' });
        throw problems.notFound();
      }
      await deps.sessions.revoke(session.id, 'admin');
      deps.audit({ action: 'session.revoke', actor: actor(request), target: target(request, 'session'), outcome: 'success', detail: { userId: session.userId } });
      return reply.code(204).send();
    },
  );

  const AdminDevice = untyped({ ...DeviceSchema, required: [...DeviceSchema.required, 'userId'], properties: { ...DeviceSchema.properties, userId: { type: 'string' } } });

  app.get(
    '/admin/v1/devices/:id',
    {
      onRequest: [app.authenticate, label('device.read', 'device')],
      config: { permission: 'sessions.read' },
      schema: { tags: ['admin'], summary: 'One device (admin)', security, params: UserParams, querystring: NO_QUERY, response: { 200: AdminDevice } },
    },
    async (request) => {
      const device = await deps.devices.find(request.params.id);
      deps.audit({ action: 'device.read', actor: actor(request), target: target(request, 'device'), outcome: device ? 'success' : 'not_found' });
      if (!device) throw problems.notFound();
      return { ...deviceView(device), userId: device.userId };
    },
  );

  app.delete(
    '/admin/v1/devices/:id',
    {
      onRequest: [app.authenticate, label('device.revoke', 'device')],
      config: { permission: 'sessions.end' },
      schema: { tags: ['admin'], summary: 'Revoke a device (lost or stolen): its sessions end now and it cannot sign in again (admin, sensitive: step-up)', security, params: UserParams, querystring: NO_QUERY, response: { 204: untyped({ type: 'null' }) } },
    },
    async (request, reply) => {
      const device = await deps.devices.find(request.params.id);
      if (!device) {
        deps.audit({ action: 'device.revoke', actor: actor(request), target: target(request, 'device'), outcome: 'not_found' });
        throw problems.notFound();
      }
      await deps.devices.revoke(device.id, 'revoked by an administrator');
      deps.audit({ action: 'device.revoke', actor: actor(request), target: target(request, 'device'), outcome: 'success', detail: { userId: device.userId } });
      return reply.code(204).send();
    },
  );
}
