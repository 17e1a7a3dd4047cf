/**
 * PgBouncer (Debian's package) in transaction mode on a free loopback port, in front of the
 * test PostgreSQL, started by the test and stopped with it. Absent from the machine, tests that
 * need it are skipped — unless PALISADE_REQUIRE_PGBOUNCER=1, which makes absence a failure.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './server.ts';
import { startDaemon, toolSkip } from './daemon.ts';

/** Why a PgBouncer test does not run here, or undefined when it does (the `skip` option of node:test). */
export function pgbouncerSkip(): string | undefined {
  return toolSkip('pgbouncer', ['--version'], 'PALISADE_REQUIRE_PGBOUNCER');
}

export interface Pgbouncer {
  port: number;
  /** The same database URL, through PgBouncer. */
  through(url: string): string;
  /** PgBouncer's own output (its log goes to stderr). */
  output(): string;
  close(): Promise<void>;
}

/**
 * `poolSize`: server connections per database and user. With 1, every client shares one server
 * connection, which makes session state leaking between clients certain rather than likely.
 */
export async function startPgbouncer(databaseUrl: string, options: { poolSize?: number } = {}): Promise<Pgbouncer> {
  const target = new URL(databaseUrl);
  const user = decodeURIComponent(target.username || 'postgres');
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-pgbouncer-'));
  // PgBouncer refuses to run as root: it drops to `nobody`, which must read these files.
  chmodSync(dir, 0o755);
  const ini = path.join(dir, 'pgbouncer.ini');
  writeFileSync(path.join(dir, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 20}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits',
      'server_reset_query =',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const args = process.getuid?.() === 0 ? ['-u', 'nobody', ini] : [ini];
  const daemon = await startDaemon('pgbouncer', args, port, dir);
  return {
    port,
    through(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    output: daemon.output,
    close: daemon.close,
  };
}
