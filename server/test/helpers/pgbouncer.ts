/**
 * PgBouncer (Debian's package) in transaction mode on a free loopback port, in front of the
 * test PostgreSQL, started by the test and stopped with it. Absent from the machine, tests that
 * need it are skipped — unless PALISADE_REQUIRE_PGBOUNCER=1, which makes absence a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './server.ts';

export function pgbouncerInstalled(): boolean {
  return spawnSync('pgbouncer', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Why a PgBouncer test does not run here, or undefined when it does (the `skip` option of node:test). */
export function pgbouncerSkip(): string | undefined {
  if (pgbouncerInstalled()) return undefined;
  if (process.env.PALISADE_REQUIRE_PGBOUNCER === '1') throw new Error('PALISADE_REQUIRE_PGBOUNCER=1 but pgbouncer is not installed (apt-get install -y pgbouncer)');
  return 'pgbouncer is not installed (apt-get install -y pgbouncer); PALISADE_REQUIRE_PGBOUNCER=1 makes this a failure';
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
  const child: ChildProcess = spawn('pgbouncer', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`pgbouncer did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    port,
    through(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    output: () => output,
    close,
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
