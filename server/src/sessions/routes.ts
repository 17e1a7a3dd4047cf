import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Sessions } from './service.ts';
import type { SessionView } from './store.ts';
import type { Device, Devices } from './devices.ts';
import { UNLOCK_PROOF_TYP, type SessionUnlock } from './unlock.ts';
import { problems, NO_QUERY, untypedReply } from '../http/index.ts';

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** One session as its owner (and, later, an administrator) sees it. */
export const SessionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'clientId', 'state', 'authTime', 'expiresAt', 'lastSeenAt', 'lockedAt', 'endedAt', 'endedReason', 'deviceId'],
  properties: {
    id: { type: 'string' },
    clientId: { type: 'string' },
    state: { type: 'string', enum: ['active', 'locked', 'ended'] },
    authTime: { type: 'string', format: 'date-time', description: 'When the person signed in at the company IdP.' },
    expiresAt: { type: 'string', format: 'date-time', description: 'When the session ends whatever happens (full sign-in needed).' },
    lastSeenAt: { type: 'string', format: 'date-time', description: 'Last API call recorded (to within a minute).' },
    lockedAt: nullableTime,
    endedAt: nullableTime,
    endedReason: { ...nullableString, description: 'Why the session ended early: logout, refresh_token_reuse, admin, roles_removed, device_cap, …' },
    deviceId: { ...nullableString, description: 'The device (DPoP key) the session is bound to.' },
    current: { type: 'boolean', description: 'The session making this request.' },
  },
} as const;

export function sessionView(s: SessionView) {
  return {
    id: s.id,
    clientId: s.clientId,
    state: s.revokedAt ? ('ended' as const) : s.lockedAt ? ('locked' as const) : ('active' as const),
    authTime: s.authTime.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    lockedAt: s.lockedAt?.toISOString() ?? null,
    endedAt: s.revokedAt?.toISOString() ?? null,
    endedReason: s.revokedReason,
    deviceId: s.deviceId ?? null,
  };
}

/** A device as its owner (and an administrator) sees it. */
export const DeviceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'clientId', 'platform', 'model', 'osVersion', 'appVersion', 'firstSeenAt', 'lastSeenAt', 'state', 'stateReason', 'stateAt'],
  properties: {
    id: { type: 'string' },
    clientId: { type: 'string' },
    platform: nullableString,
    model: nullableString,
    osVersion: nullableString,
    appVersion: nullableString,
    firstSeenAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time' },
    state: { type: 'string', enum: ['active', 'locked', 'evicted', 'wiped', 'revoked'] },
    stateReason: { ...nullableString, description: 'Why the device is no longer active (e.g. evicted by the device limit).' },
    stateAt: nullableTime,
  },
} as const;

export function deviceView(d: Device) {
  return {
    id: d.id,
    clientId: d.clientId,
    platform: d.platform,
    model: d.model,
    osVersion: d.osVersion,
    appVersion: d.appVersion,
    firstSeenAt: d.firstSeenAt.toISOString(),
    lastSeenAt: d.lastSeenAt.toISOString(),
    state: d.state,
    stateReason: d.stateReason,
    stateAt: d.stateAt?.toISOString() ?? null,
  };
}

// Params and bodies are TypeBox schemas: the handlers' types are inferred from them (the TypeBox
// type provider). The admin routes (admin-routes.ts) take the same session id.
export const SessionIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });

const LogoutBody = Type.Object({ everywhere: Type.Optional(Type.Boolean({ description: 'End every session of the caller, on all devices.' })) }, { additionalProperties: false });
const UnlockBody = Type.Object({ proof: Type.String({ minLength: 1, maxLength: 3000 }) }, { additionalProperties: false });

const LogoutResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['ended'],
  properties: { ended: { type: 'integer', minimum: 0 } },
} as const;

export async function sessionRoutes(server: FastifyInstance, deps: { sessions: Sessions; devices: Devices; unlock: SessionUnlock }): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/session/unlock/challenge',
    {
      onRequest: app.authenticateLocked,
      // Unlocking is authentication: per IP and per person; a refused proof feeds the lockout.
      config: { permission: 'account.self', rateLimit: 'auth' },
      schema: {
        tags: ['sessions'],
        summary: 'A fresh, single-use challenge to sign with the session’s unlock key (works while the session is locked)',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        response: { 200: { type: 'object', additionalProperties: false, required: ['challenge', 'expiresAt'], properties: { challenge: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } } },
      },
    },
    async (request) => {
      const result = await deps.unlock.challenge(request.auth!.sid);
      if (result === 'no-key') throw problems.noUnlockKey();
      if (result === 'blocked') throw problems.unlockBlocked();
      return { challenge: result.challenge, expiresAt: result.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/session/unlock',
    {
      onRequest: app.authenticateLocked,
      // Unlocking is authentication: per IP and per person; a refused proof feeds the lockout.
      config: { permission: 'account.self', rateLimit: 'auth' },
      bodyLimit: 4096,
      schema: {
        tags: ['sessions'],
        summary: `Unlock an idle-locked session: a JWS (typ ${UNLOCK_PROOF_TYP}) over {challenge, sid} signed with the unlock key registered at sign-in`,
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        body: UnlockBody,
        response: { 200: { type: 'object', additionalProperties: false, required: ['unlocked'], properties: { unlocked: { const: true } } } },
      },
    },
    async (request) => {
      const outcome = await deps.unlock.unlock(request.auth!.sid, request.body.proof);
      if (outcome === 'no-key') throw problems.noUnlockKey();
      if (outcome === 'blocked') {
        request.log.warn({ event: 'session.unlock_blocked', sessionId: request.auth!.sid }, 'too many failed unlock attempts: a full sign-in is needed');
        throw problems.unlockBlocked();
      }
      if (outcome === 'refused') {
        request.log.warn({ event: 'session.unlock_failed', sessionId: request.auth!.sid }, 'unlock refused');
        throw problems.unlockRefused();
      }
      request.log.info({ event: 'session.unlocked', sessionId: request.auth!.sid }, 'session unlocked');
      return { unlocked: true as const };
    },
  );

  app.get(
    '/api/v1/me/sessions',
    {
      onRequest: app.authenticate,
      config: { permission: 'account.self' },
      schema: {
        tags: ['sessions'],
        summary: 'The caller’s devices and sessions (one per sign-in on a device): active, locked, or ended early and why',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['sessions', 'devices'],
            properties: { sessions: { type: 'array', items: SessionSchema }, devices: { type: 'array', items: DeviceSchema } },
          },
        },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const [sessions, devices] = await Promise.all([deps.sessions.list(auth.sub), deps.devices.listOfUser(auth.sub)]);
      return { sessions: sessions.map((s) => ({ ...sessionView(s), current: s.id === auth.sid })), devices: devices.map(deviceView) };
    },
  );

  app.delete(
    '/api/v1/me/sessions/:id',
    {
      onRequest: app.authenticate,
      config: { permission: 'account.self' },
      schema: {
        tags: ['sessions'],
        summary: 'End one of the caller’s own sessions (for example on a lost phone); its tokens stop working at once',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        params: SessionIdParams,
        response: { 204: untypedReply({ type: 'null' }) },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      const session = await deps.sessions.find(request.params.id);
      // Someone else's session is answered exactly like one that does not exist.
      if (!session || session.userId !== auth.sub) throw problems.notFound();
      await deps.sessions.revoke(session.id, 'logout');
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/session/logout',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      config: { permission: 'session.signout' },
      schema: {
        tags: ['sessions'],
        summary: 'Sign out: end this session (or every session of the caller); its tokens stop working at once',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        body: LogoutBody,
        response: { 200: LogoutResponse },
      },
    },
    async (request) => {
      const auth = request.auth!;
      if (request.body?.everywhere) return { ended: await deps.sessions.revokeAllOfUser(auth.sub, 'logout') };
      return { ended: (await deps.sessions.revoke(auth.sid, 'logout')) ? 1 : 0 };
    },
  );
}
