/**
 * Why the server could not start, in one line an operator can act on: the thing that failed
 * (the port, the database, Redis), where, why, and the setting to change. Connection strings
 * are shown without their credentials.
 */
import { PalisadeError } from './errors/index.ts';

export class StartupError extends PalisadeError<'ERR_STARTUP'> {
  override readonly name = 'StartupError';
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_STARTUP', message, options);
  }
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** host:port (and database) of a connection URL, never its user or password. */
function where(url: string, defaultPort: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname && u.pathname !== '/' ? u.pathname : '';
    return `${u.hostname}:${u.port || defaultPort}${path}`;
  } catch {
    return 'the configured address';
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { errors?: unknown[] };
  // Node reports a refused dual-stack connect as an AggregateError of its attempts.
  const code = e.code ?? (e.errors?.[0] as NodeJS.ErrnoException | undefined)?.code;
  if (code && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  // PostgreSQL's own refusals (wrong password, no such database) are safe to repeat.
  const message = (e.message || String(error)).split('\n')[0]!;
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

export function databaseUnreachable(url: string, error: unknown): StartupError {
  return new StartupError(`cannot reach the PostgreSQL database at ${where(url, '5432')} (${reason(error)}): check DATABASE_URL (database.url)`);
}

export function redisUnreachable(url: string, error: unknown): StartupError {
  return new StartupError(`cannot reach Redis at ${where(url, '6379')} (${reason(error)}): check REDIS_URL (redis.url)`);
}

export function portUnavailable(host: string, port: number, error: unknown): StartupError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'EADDRINUSE' ? 'is already in use by another process' : code === 'EACCES' ? 'needs privileges this process does not have' : code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : `cannot be opened (${reason(error)})`;
  return new StartupError(`port ${port} on ${host} ${why}: stop the other process or choose another port with PALISADE_SERVER_PORT (server.port)${code === 'EADDRNOTAVAIL' ? ' and PALISADE_SERVER_HOST (server.host)' : ''}`);
}
