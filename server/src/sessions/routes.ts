import type { FastifyInstance } from 'fastify';
import type { Sessions } from './service.ts';
import type { SessionView } from './store.ts';
import { problems } from '../http/problems.ts';

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** One session as its owner (and, later, an administrator) sees it. */
export const SessionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'clientId', 'state', 'authTime', 'expiresAt', 'lastSeenAt', 'lockedAt', 'endedAt', 'endedReason'],
  properties: {
    id: { type: 'string' },
    clientId: { type: 'string' },
    state: { type: 'string', enum: ['active', 'locked', 'ended'] },
    authTime: { type: 'string', format: 'date-time', description: 'When the person signed in at the company IdP.' },
    expiresAt: { type: 'string', format: 'date-time', description: 'When the session ends whatever happens (full sign-in needed).' },
    lastSeenAt: { type: 'string', format: 'date-time', description: 'Last API call recorded (to within a minute).' },
    lockedAt: nullableTime,
    endedAt: nullableTime,
    endedReason: { ...nullableString, description: 'Why the session ended early: logout, refresh_token_reuse, admin, roles_removed, …' },
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
  };
}

const SessionIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' } },
} as const;

const LogoutBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    everywhere: { type: 'boolean', description: 'End every session of the caller, on all devices.' },
  },
} as const;

const LogoutResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['ended'],
  properties: { ended: { type: 'integer', minimum: 0 } },
} as const;

export async function sessionRoutes(app: FastifyInstance, deps: { sessions: Sessions }): Promise<void> {
  app.get(
    '/api/v1/me/sessions',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['sessions'],
        summary: 'The caller’s sessions (one per sign-in on a device): active, locked, or ended early and why',
        security: [{ bearer: [] }],
        response: { 200: { type: 'object', additionalProperties: false, required: ['sessions'], properties: { sessions: { type: 'array', items: SessionSchema } } } },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const sessions = await deps.sessions.list(auth.sub);
      return { sessions: sessions.map((s) => ({ ...sessionView(s), current: s.id === auth.sid })) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/me/sessions/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['sessions'],
        summary: 'End one of the caller’s own sessions (for example on a lost phone); its tokens stop working at once',
        security: [{ bearer: [] }],
        params: SessionIdParams,
        response: { 204: { type: 'null' } },
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

  app.post<{ Body: { everywhere?: boolean } | undefined }>(
    '/api/v1/session/logout',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      schema: {
        tags: ['sessions'],
        summary: 'Sign out: end this session (or every session of the caller); its tokens stop working at once',
        security: [{ bearer: [] }],
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
