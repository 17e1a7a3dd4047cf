/**
 * The bare baseline: Fastify over the same TLS 1.3 setup as Palisade, with two routes that run
 * the data queries of the headline's routes and nothing else — no security headers, no request
 * ids, no token or proof or signature, no rate limits, no authorization, no transaction, no
 * audit, no logging, no response schema. Whatever Palisade's routes cost beyond these is what
 * Palisade adds.
 *
 *   /baseline/users/:id  the single-row user query `/api/v1/me` runs (findUser)
 *   /baseline/jobs/:id   the job query `/api/v1/jobs/:id` runs (the same columns by primary
 *                        key), as a plain query on a connection of its own — the table owner's,
 *                        as a bare app without row-level security would run it
 */
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database, Queryable } from '../src/db/index.ts';
import { findUser } from '../src/users/store.ts';
import { JOB_COLUMNS } from '../src/domains/fieldservice/store.ts';

export interface Baseline {
  /** Origin (https://127.0.0.1:port). */
  origin: string;
  userUrl(id: string): string;
  jobUrl(id: string): string;
  close(): Promise<void>;
}

export async function startBaseline(options: { db: Database; jobs: Queryable; dataDir: string }): Promise<Baseline> {
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
  app.get<{ Params: { id: string } }>('/baseline/users/:id', async (request, reply) => {
    const user = await findUser(options.db, request.params.id);
    if (!user) return reply.code(404).send({ error: 'no such user' });
    return user;
  });
  app.get<{ Params: { id: string } }>('/baseline/jobs/:id', async (request, reply) => {
    const { rows } = await options.jobs.query(`SELECT ${JOB_COLUMNS} FROM fs_jobs j WHERE j.id = $1`, [request.params.id]);
    if (!rows[0]) return reply.code(404).send({ error: 'no such job' });
    return rows[0];
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = https.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;
  return {
    origin,
    userUrl: (id) => `${origin}/baseline/users/${id}`,
    jobUrl: (id) => `${origin}/baseline/jobs/${id}`,
    async close() {
      const closing = app.close();
      // Keep-alive sockets of the load generator would hold close() open until they time out.
      https.closeAllConnections();
      await closing;
    },
  };
}
