/**
 * A PostgreSQL 15 and a Redis of the test's own, on free loopback ports in temporary folders,
 * which the test may stop and start again (an outage) without touching the machine's shared
 * servers. PostgreSQL comes from Debian's `postgresql-15` binaries (initdb, postgres), Redis from
 * `redis-server`. Absent, the tests that need them are skipped — unless
 * PALISADE_REQUIRE_PRIVATE_SERVICES=1 (as .ci/run sets), which makes absence a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { accepts } from './daemon.ts';
import { freePort } from './server.ts';

const REQUIRE = 'PALISADE_REQUIRE_PRIVATE_SERVICES';
const POSTGRES_BIN = process.env.PALISADE_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

function missing(what: string, install: string): string {
  if (process.env[REQUIRE] === '1') throw new Error(`${REQUIRE}=1 but ${what} is not installed (${install})`);
  return `${what} is not installed (${install}); ${REQUIRE}=1 makes this a failure`;
}

/** Why a private-PostgreSQL test does not run here, or undefined when it does. */
export function privatePostgresSkip(): string | undefined {
  if (existsSync(path.join(POSTGRES_BIN, 'initdb')) && existsSync(path.join(POSTGRES_BIN, 'postgres'))) return undefined;
  return missing(`PostgreSQL 15 (${POSTGRES_BIN}/initdb)`, 'apt-get install -y postgresql-15');
}

/** Why a private-Redis test does not run here, or undefined when it does. */
export function privateRedisSkip(): string | undefined {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) return undefined;
  return missing('redis-server', 'apt-get install -y redis-server');
}

/** A server process the test stops (an outage) and starts again on the same port and data. */
export interface PrivateService {
  port: number;
  /** postgres://… or redis://… */
  url: string;
  /** Stops it: `kill` is SIGKILL (a crash), otherwise the server's fast clean stop. */
  stop(kill?: boolean): Promise<void>;
  /** Starts it again on the same port (PostgreSQL: on the same data) and waits until it serves. */
  start(): Promise<void>;
  output(): string;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, its files and processes belong to `postgres`. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!uid) throw new Error('running as root, and there is no `postgres` user to run a private PostgreSQL as');
  return { uid, gid };
}

function service(command: string, args: () => string[], port: number, url: string, dir: string, ready: () => Promise<boolean>, stopSignal: NodeJS.Signals, user?: { uid: number; gid: number }): PrivateService {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const stop = async (kill = false) => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(kill ? 'SIGKILL' : stopSignal);
    await exited;
    child = undefined;
  };
  const start = async () => {
    const started = spawn(command, args(), { stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
    child = started;
    started.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    started.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
    // A hang guard for a server that never comes up, not a speed limit.
    const deadline = Date.now() + 60_000;
    while (!(await ready())) {
      if (started.exitCode !== null || Date.now() > deadline) {
        await stop(true);
        throw new Error(`${command} did not start:\n${output.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    port,
    url,
    stop,
    start,
    output: () => output,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh PostgreSQL 15 cluster (superuser `postgres`, trust on loopback, no fsync: a test's
 * throwaway) with a database `test`. `url` names that database.
 */
export async function startPrivatePostgres(): Promise<PrivateService> {
  const user = postgresUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-postgres-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(POSTGRES_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { encoding: 'utf8', ...(user ?? {}) });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
  }
  const port = await freePort();
  const base = `postgres://postgres@127.0.0.1:${port}`;
  const ready = async () => {
    if (!(await accepts(port))) return false;
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const args = () => ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200', '-c', 'shared_buffers=32MB'];
  // SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing half-committed stays.
  const postgres = service(path.join(POSTGRES_BIN, 'postgres'), args, port, `${base}/test`, dir, ready, 'SIGINT', user);
  await postgres.start();
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    await admin.query('CREATE DATABASE test');
  } finally {
    await admin.end();
  }
  return postgres;
}

/** A Redis without persistence (a restart forgets everything, as a lost cache node would). */
export async function startPrivateRedis(): Promise<PrivateService> {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-redis-'));
  const port = await freePort();
  const args = () => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const redis = service('redis-server', args, port, `redis://127.0.0.1:${port}`, dir, () => accepts(port), 'SIGTERM');
  await redis.start();
  return redis;
}
