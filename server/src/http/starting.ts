/**
 * The https server's answers while Palisade starts. The port is bound first (so a port in use
 * is found before anything touches the database); migrations, keys and the app follow. Load
 * balancers and Kubernetes probe from the first moment, so until the app is ready this gate
 * answers every request at once: `/healthz` 200 (the process lives), `/readyz` and every other
 * route 503 problem+json `not-ready` with `Retry-After`. Nothing reaches Fastify before
 * `app.ready()` (a request routed into an app still registering its plugins crashed the
 * process). `open()` hands every later request to the app.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problems } from './problems.ts';
import { HSTS, hstsHeader } from './hsts.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** The headers of every gate answer: what helmet would add, and never cached. */
const HEADERS = {
  'strict-transport-security': hstsHeader(HSTS),
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export interface StartupGate {
  /** The https server's one `request` listener. */
  readonly listener: Handler;
  /** From now on every request goes to `handler` (the ready app's `app.routing`). */
  open(handler: Handler): void;
}

export function startupGate(): StartupGate {
  let handler: Handler | undefined;
  const starting: Handler = (request, response) => {
    // A body sent anyway is read and dropped, so the connection stays usable.
    request.resume();
    const path = (request.url ?? '/').split('?')[0];
    const requestId = randomUUID();
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      response.writeHead(200, { ...HEADERS, 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId });
      response.end(request.method === 'HEAD' ? undefined : JSON.stringify({ status: 'ok' }));
      return;
    }
    const problem = problems.notReady('Palisade is starting; try again in a moment.');
    response.writeHead(problem.status, { ...HEADERS, 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': '1', 'x-request-id': requestId });
    response.end(request.method === 'HEAD' ? undefined : JSON.stringify(problem.body(`urn:palisade:request:${requestId}`)));
  };
  return {
    listener: (request, response) => (handler ?? starting)(request, response),
    open(next) {
      handler = next;
    },
  };
}
