/**
 * What the simulated devices' HTTP client (undici, under the helpers' fetch) did on each
 * connection, so a request that failed on the wire can be explained: which connection it went
 * out on (the local port, which HAProxy's log names as the client's), how many requests that
 * connection had carried, and how long it had been idle when this one was sent. A request sent
 * on a connection idle for longer than the load balancer keeps an idle client connection (HAProxy
 * `timeout http-keep-alive`) met a connection the balancer was closing; one sent on a connection
 * that had just answered did not.
 *
 * Read from undici's diagnostics channels, which every undici in the process publishes on.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

interface Connection {
  socket: Socket;
  /** Requests sent on it so far, this one included. */
  requests: number;
  /** When the last answer on it was complete (performance.now()), if any. */
  answered?: number;
  /** The request on it now: its method and path, when it was sent, how long the connection had been idle then. */
  current?: { method: string; path: string; sentAt: number; idleMs?: number };
}

const byPort = new Map<number, Connection>();
const socketOf = new WeakMap<object, Socket>();
let started = false;

/** Starts recording (once per process; cheap: a few map updates per request). */
export function traceConnections(): void {
  if (started) return;
  started = true;
  subscribe('undici:client:sendHeaders', (message) => {
    const { request, socket } = message as { request: { method: string; path: string }; socket: Socket };
    if (socket.localPort === undefined) return;
    socketOf.set(request, socket);
    const now = performance.now();
    const known = byPort.get(socket.localPort);
    // A port seen before on another (closed) connection starts a new record.
    const connection: Connection = known?.socket === socket ? known : { socket, requests: 0 };
    connection.requests += 1;
    connection.current = { method: request.method, path: request.path, sentAt: now, ...(connection.answered !== undefined ? { idleMs: now - connection.answered } : {}) };
    byPort.set(socket.localPort, connection);
  });
  subscribe('undici:request:trailers', (message) => {
    const { request } = message as { request: object };
    const port = socketOf.get(request)?.localPort;
    const connection = port === undefined ? undefined : byPort.get(port);
    if (connection) connection.answered = performance.now();
  });
}

/** The local port of the connection a fetch error names (undici's SocketError carries it), if any. */
function portOf(error: unknown): number | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const port = (e as { socket?: { localPort?: unknown } }).socket?.localPort;
    if (typeof port === 'number') return port;
  }
  return undefined;
}

/**
 * The connection a request failed on, in words: "connection :41234, request 5 on it (GET
 * /api/v1/me), idle 812 ms before it was sent, failed 3 ms after", or undefined when the error
 * names no connection.
 */
export function describeConnection(error: unknown): string | undefined {
  const port = portOf(error);
  if (port === undefined) return undefined;
  const connection = byPort.get(port);
  const current = connection?.current;
  if (!connection || !current) return `connection :${port} (not traced)`;
  const idle = current.idleMs === undefined ? 'its first request' : `idle ${current.idleMs.toFixed(0)} ms before it was sent`;
  return `connection :${port}, request ${connection.requests} on it (${current.method} ${current.path}), ${idle}, failed ${(performance.now() - current.sentAt).toFixed(0)} ms after`;
}
