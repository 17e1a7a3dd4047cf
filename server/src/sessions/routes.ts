import type { FastifyInstance } from 'fastify';
import type { Sessions } from './service.ts';

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
