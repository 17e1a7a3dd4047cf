/**
 * Whether an error says that a service Palisade depends on — PostgreSQL or Redis — cannot be
 * reached right now, rather than that the request or the data was wrong. Such a request is
 * answered 503 `not-ready` with `Retry-After` (the instance's `/readyz` says the same), not 500
 * `internal`: the client may retry, and nothing was half-written (every handler's writes and its
 * audit record are one transaction, which the database rolled back or never began).
 */

/** Node's socket errors of a connection refused, cut or unreachable. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs of a server that cannot serve: class 08 (connection exception), 57P01–57P03
 * (shutting down, crashed, not accepting connections yet) and 53300 (too many connections).
 */
function unavailableSqlstate(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/**
 * The drivers' own words for a lost connection (node-postgres, PGlite and ioredis throw plain
 * Errors without a code for these).
 */
const MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
  /Cannot use a pool after calling end/,
  /^Connection is closed/,
  /Stream isn't writeable/,
];

export function isDependencyUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && unavailableSqlstate(code)))) return true;
    // ioredis: a command that could not be sent while Redis is away.
    if (e.name === 'MaxRetriesPerRequestError') return true;
    if (MESSAGES.some((m) => m.test(e.message))) return true;
  }
  return false;
}
