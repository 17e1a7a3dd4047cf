/**
 * The bare baseline: Fastify over the same TLS 1.3 setup as Palisade, one route that runs the
 * same single-row user query `/api/v1/me` runs, and nothing else — no security headers, no
 * request ids, no bearer verification, no logging, no response schema. Whatever `/api/v1/me`
 * costs beyond this is what Palisade adds.
 */
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from '../src/db/index.ts';
import { findUser } from '../src/users/store.ts';

export const BASELINE_PATH = '/baseline';

export interface Baseline {
  url: string;
  close(): Promise<void>;
}

export async function startBaseline(options: { db: Database; dataDir: string; userId: string }): Promise<Baseline> {
  const tls = path.join(options.dataDir, 'tls');
  const https = createServer({
    cert: readFileSync(path.join(tls, 'dev-cert.pem')),
    key: readFileSync(path.join(tls, 'dev-key.pem')),
    minVersion: 'TLSv1.3',
  });
  const app: FastifyInstance = Fastify({
    serverFactory: (handler) => https.on('request', handler),
    logger: false,
  });
  app.get(BASELINE_PATH, async (_request, reply) => {
    const user = await findUser(options.db, options.userId);
    if (!user) return reply.code(404).send({ error: 'no such user' });
    return user;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = https.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}${BASELINE_PATH}`,
    async close() {
      const closing = app.close();
      // Keep-alive sockets of the load generator would hold close() open until they time out.
      https.closeAllConnections();
      await closing;
    },
  };
}
