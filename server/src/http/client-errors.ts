/**
 * Requests that never become Fastify requests still get a problem document: a URL whose
 * percent-encoding is broken (Fastify's `frameworkErrors`), and HTTP that Node's parser refuses
 * (headers over the size limit, malformed request lines: `clientErrorHandler`, answered on the
 * raw socket). Fastify's own answers here are plain JSON and echo the URL back.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { problems, type Problem } from './problems.ts';

/** The problem for an HTTP-level error Node's parser reports (`clientError`). */
export function clientErrorProblem(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW') return problems.headersTooLarge();
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return problems.requestTimeout();
  return problems.malformedRequest();
}

/** Writes `problem` as the whole answer on a socket Node's parser gave up on, then closes it. */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const problem = clientErrorProblem(error.code);
    const body = JSON.stringify(problem.body());
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\ncontent-type: application/problem+json\r\ncache-control: no-store\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
