/**
 * Starts Palisade with the start script's own command (`node … server/bin/palisade.ts start`,
 * StartVia 'direct', the default) or the README's way (`npm start` in the repository root,
 * 'npm': the tests about that command — start-page, startup-logs, audit-anchor on PGlite, the
 * transport scan's server, the graceful stop — say so) with
 * configuration from the environment, waits for its start-up banner and reads the URL and pin
 * from it.
 * Before it starts, an API key is created for every configured app with the CLI, as an
 * operator would (`appKeys`; `MobileApp` sends its app's key by default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { provisionInProcess, provisionWithCli, rememberAppKeys } from './app-keys.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * A port free on 127.0.0.1 now, for a server a test starts a moment later (a child process, or a
 * server whose URL other parts must know first). Chosen below the kernel's ephemeral range, not by
 * the OS (`listen(0)`): a port from that range, once let go, can be taken by any outgoing
 * connection's local end before the server binds it (seen: two CI runs side by side, "port … is
 * already in use" at start-up). Below the range only another listener can take it, and picks are
 * random, so two runs side by side rarely even try the same one.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low - LOWEST_PICK < 1000) return bindFree(0);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = LOWEST_PICK + Math.floor(Math.random() * (low - LOWEST_PICK));
    const bound = await bindFree(port).catch(() => undefined);
    if (bound !== undefined) return bound;
  }
  return bindFree(0);
}

/** Above the ports services here use (PostgreSQL 5432, Redis 6379, Palisade 8443, Expo 8081). */
const LOWEST_PICK = 10_000;

/** The first port of the kernel's ephemeral range (Linux; 32768 where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Binds `port` on 127.0.0.1 (0: any) and lets it go; resolves with the port, rejects if it is taken. */
function bindFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      const { port: bound } = s.address() as { port: number };
      s.close(() => resolve(bound));
    });
  });
}

/**
 * The real rate limits (5 authentications a minute per IP) would refuse the suites that sign in
 * many times from 127.0.0.1; tests of the limits themselves set their own (`env` wins).
 */
export const GENEROUS_RATE_LIMITS: Record<string, string> = {
  PALISADE_RATE_LIMITS_STANDARD_POINTS: '1000000',
  PALISADE_RATE_LIMITS_AUTH_POINTS: '1000000',
  PALISADE_RATE_LIMITS_SEARCH_POINTS: '1000000',
  PALISADE_RATE_LIMITS_EXPORT_POINTS: '1000000',
  PALISADE_RATE_LIMITS_LOCKOUT_AFTER: '1000000',
};

export interface StartedServer {
  url: string;
  pin: string;
  ca: string;
  /** The API key made for each configured app (clients[].id) before the start. */
  appKeys: Record<string, string>;
  output: () => string;
  /** `npm start`'s exit code, once it has exited (null: ended by a signal). */
  exitCode: () => Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * How long `stop()` waits for a stopped server's process to end before killing it. A hang guard,
 * far above the server's own bound (server.shutdownTimeout plus its margin), never a speed limit.
 */
const STOP_HANG_GUARD_MS = 180_000;

/**
 * The port a test server listens on: the test's own, else a free one. Never Palisade's default
 * (8443): two files of one run, or two runs of the suite side by side on one machine, would
 * both take it. A test that configures Palisade with a file (PALISADE_CONFIG) names the port there.
 */
export async function withOwnPort(env: Record<string, string | undefined>): Promise<Record<string, string | undefined>> {
  if (env.PALISADE_SERVER_PORT !== undefined || env.PALISADE_CONFIG !== undefined) return env;
  return { ...env, PALISADE_SERVER_PORT: String(await freePort()) };
}

/**
 * How `startPalisade` runs the server. `npm`: `npm start` exactly as the README says. `direct`:
 * what the `start` script runs (`node --max-old-space-size=128 server/bin/palisade.ts start`, on
 * this test's Node, the project's pinned one) without npm in front, for tests that are not about
 * the README's command: npm's own process costs every start about a second of CPU (several
 * seconds of wall time on a loaded machine) and does nothing for the test. The server is the
 * same either way: same arguments, environment, process group and output; `stop()` signals the
 * group either way, and `exitCode()` is then Palisade's own exit code rather than npm's.
 */
export type StartVia = 'npm' | 'direct';

/** The arguments `node` gets from package.json's `start` script (`node <args…>`): what `direct` runs. */
function directStartArgs(): string[] {
  const script = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = script.trim().split(/\s+/);
  if (node !== 'node' || args.some((arg) => /["'$&|;<>`]/.test(arg))) throw new Error(`the start script is no longer plain "node <args>": ${script}`);
  return args;
}

export async function startPalisade(givenEnv: Record<string, string | undefined>, timeoutMs = 240_000, via: StartVia = 'direct'): Promise<StartedServer> {
  const env = await withOwnPort(givenEnv);
  const appKeys = await provisionWithCli({ ...GENEROUS_RATE_LIMITS, ...env });
  // A direct start keeps the test run's WebAssembly flag (package.json's test script: Liftoff only).
  const [command, args]: [string, string[]] = via === 'npm' ? ['npm', ['start', '--silent']] : [process.execPath, [...process.execArgv.filter((a) => a === '--liftoff-only'), ...directStartArgs()]];
  const child: ChildProcess = spawn(command, args, {
    cwd: REPO_ROOT,
    // JSON log lines, which tests read (a test of the pretty format sets PALISADE_LOG_FORMAT).
    env: { ...ambientEnv(), NODE_ENV: 'development', PALISADE_LOG_FORMAT: 'json', ...GENEROUS_RATE_LIMITS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await new Promise<{ url: string; pin: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started server behind: it would keep the test process alive.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`Palisade did not start in time:\n${output}`));
    }, timeoutMs);
    const check = () => {
      // The banner's lines, as JSON (`"msg":"… open https://…/"`) or as pretty lines.
      const url = /open (https:\/\/[^\s"]+?)\/(?:"|\n)/.exec(output)?.[1];
      const pin = /pin \(SPKI\): (sha256\/[A-Za-z0-9+/]+=*)/.exec(output)?.[1];
      if (url && pin && output.includes('Palisade is ready.')) {
        clearTimeout(timer);
        resolve({ url, pin });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Palisade exited with ${code} before starting:\n${output}`));
    });
  });
  // The certificate clients must trust: the operator's when one is configured, else the development one.
  const ca = readFileSync(env.PALISADE_SERVER_TLS_CERT_FILE ?? path.join(env.PALISADE_DATA_DIR!, 'tls', 'dev-cert.pem'), 'utf8');
  rememberAppKeys(started.url, appKeys);
  return {
    ...started,
    ca,
    appKeys,
    output: () => output,
    exitCode: () => exited,
    async stop() {
      // SIGTERM to the process group, as a terminal's Ctrl-C or systemd does: npm only forwards a
      // signal to the shell that runs the start script, which dies of it without passing it on,
      // so Palisade itself must get the signal directly. Palisade gets it exactly once.
      // Idempotent: a child ended by a signal has no exit code, and a gone group is nothing to signal.
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // the group is gone already
        }
      }
      // Done means every output line is read: both pipes end only when npm and Palisade (which
      // shares them) have exited, after its audit queue, sealing and database close. The wait
      // has no speed assumption; STOP_HANG_GUARD_MS only ends a server that never stops, loudly.
      const closed = new Promise<void>((resolve) => {
        if (child.stdout!.closed && child.stderr!.closed) resolve();
        else child.once('close', () => resolve());
      });
      let guard: NodeJS.Timeout | undefined;
      const hung = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((resolve) => (guard = setTimeout(() => resolve(true), STOP_HANG_GUARD_MS))),
      ]);
      clearTimeout(guard);
      if (hung) {
        output += `\n[test helper] Palisade had not stopped ${STOP_HANG_GUARD_MS / 1000} s after SIGTERM: killed\n`;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        await closed;
      }
      // A member of the group still running (a zombie runs no more code) would hold the data
      // folder or the port: wait for it, within the same guard.
      const groupAlive = () =>
        readdirSync('/proc').some((entry) => {
          if (!/^\d+$/.test(entry)) return false;
          try {
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            return fields[2] === String(child.pid) && fields[0] !== 'Z';
          } catch {
            return false;
          }
        });
      const deadline = Date.now() + STOP_HANG_GUARD_MS;
      while (groupAlive()) {
        if (Date.now() > deadline) {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            break;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/**
 * Palisade in this test's process (where a test must reach inside: an injected clock, the
 * database handle), federating to `upstream`, on the test database's own folder and database.
 * `env` adds or overrides settings; `start` what only code can give (a test root for App
 * Attest). `ca` is the development certificate clients must trust; `appKeys` the API key made
 * for each configured app before the start.
 */
export async function startInProcess(
  database: { dataDir: string; url: string | undefined },
  upstream: { env: Record<string, string> },
  port: number,
  env: Record<string, string> = {},
  clock?: import('../../src/clock.ts').Clock,
  start: Pick<import('../../src/main.ts').StartOptions, 'appAttestRoots'> = {},
): Promise<{ server: import('../../src/main.ts').RunningServer; ca: string; appKeys: Record<string, string> }> {
  const { loadConfig } = await import('../../src/config/load.ts');
  const { startServer } = await import('../../src/main.ts');
  const { generateMasterKey } = await import('../../src/security/primitives.ts');
  const config = loadConfig({
    env: {
      PALISADE_DATA_DIR: database.dataDir,
      PALISADE_SERVER_PORT: String(port),
      PALISADE_MASTER_KEY: generateMasterKey(),
      DATABASE_URL: database.url,
      PALISADE_LOG_LEVEL: 'silent',
      ...GENEROUS_RATE_LIMITS,
      ...upstream.env,
      ...env,
    },
  });
  const appKeys = await provisionInProcess(config);
  const server = await startServer({ config, announce: () => undefined, ...(clock ? { clock } : {}), ...start });
  rememberAppKeys(server.url, appKeys);
  return { server, ca: readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8'), appKeys };
}

/**
 * Runs the `palisade` command as an operator would, and returns its exit code and output (never
 * throws). By default the command runs in this test's own process (`cliInProcess` below): the
 * same commander program `server/bin/palisade.ts` builds, parsing the same arguments, with the
 * same environment, its stdout and stderr captured apart and its exit code caught. A new process
 * per call costs about a second of CPU to load the server's modules again, which on a busy
 * 2-core machine is several seconds of wall time, and the tests make hundreds of calls.
 *
 * Tests about the process itself keep one: `process` runs what `npm run palisade -- <args>` runs
 * (the package.json script: server/bin/palisade.ts on the project's Node 24) without npm in
 * front; `viaNpm` goes through `npm run palisade` exactly as the README says.
 */
export async function palisadeCli(
  args: string[],
  env: Record<string, string | undefined>,
  options: { viaNpm?: boolean; process?: boolean } = {},
): Promise<{ code: number; out: string; stdout: string; stderr: string }> {
  if (!options.viaNpm && !options.process) return cliInProcess(args, env);
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const [command, commandArgs] = options.viaNpm
    ? ['npm', ['run', '--silent', 'palisade', '--', ...args]]
    : [process.execPath, [path.join(REPO_ROOT, 'server', 'bin', 'palisade.ts'), ...args]];
  try {
    const { stdout, stderr } = await promisify(execFile)(command, commandArgs, { cwd: REPO_ROOT, env: { ...ambientEnv(), NODE_ENV: 'development', ...env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr, stdout: e.stdout, stderr: e.stderr };
  }
}

/** What `process.exit` throws while a command runs in this process (the first code is the exit code). */
class CliExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`process.exit(${code}) of an in-process palisade command`);
    this.code = code;
  }
}

/** One command at a time: each borrows the process's environment, exit and output streams. */
let cliQueue: Promise<unknown> = Promise.resolve();

/** This process's own environment while an in-process command has borrowed `process.env`. */
let lentEnv: NodeJS.ProcessEnv | undefined;

/**
 * The environment of this test process, as a base for what it starts: `process.env`, except
 * while an in-process `palisade` command runs, when that holds the command's environment
 * (another database's DATABASE_URL, data folder and key) for the command's whole length, across
 * awaits. Tests that run side by side (two databases' describes) start servers and commands
 * during each other's commands: built on `process.env`, a PGlite server (no DATABASE_URL of its
 * own) would inherit the other describe's PostgreSQL URL.
 */
export function ambientEnv(): NodeJS.ProcessEnv {
  return { ...(lentEnv ?? process.env) };
}

function cliInProcess(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; stdout: string; stderr: string }> {
  const result = cliQueue.then(() => runCliInProcess(args, env));
  cliQueue = result.catch(() => undefined);
  return result;
}

/**
 * The command's process, as far as it can see, for the length of one command: the working
 * directory is the repository's (as `npm run` gives it), `process.env` is
 * what the spawned command would get (this process's environment, NODE_ENV=development, then
 * `env`; an undefined value unsets), `process.exit(code)` ends the command with that code (the
 * first call wins: the CLI's error handler calls it again for the exit it caught), and text
 * written to stdout and stderr (console.log/error, commander's messages, progress bars) is
 * captured. Only strings are captured: the test runner's own reports on stdout are binary and
 * pass through. An error the CLI does not handle ends the command with code 1 and its stack on
 * stderr, as an uncaught error ends a process, so a test asserting "no stack trace" still sees one.
 */
async function runCliInProcess(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; stdout: string; stderr: string }> {
  const { buildCli } = await import('../../src/cli.ts');
  const saved = { ...process.env };
  lentEnv = saved;
  const { exit, exitCode } = process;
  const cwd = process.cwd();
  const writes = { out: process.stdout.write, err: process.stderr.write };
  let stdout = '';
  let stderr = '';
  let code: number | undefined;
  const capture = (stream: NodeJS.WriteStream, original: typeof process.stdout.write, onText: (text: string) => void) =>
    function write(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      if (typeof chunk !== 'string') return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      onText(chunk);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (callback) queueMicrotask(callback);
      return true;
    } as typeof process.stdout.write;
  for (const key of Object.keys(process.env)) delete process.env[key];
  for (const [key, value] of Object.entries({ ...saved, NODE_ENV: 'development', ...env })) if (value !== undefined) process.env[key] = value;
  process.chdir(REPO_ROOT);
  // A command starts as a new process does, with no exit code: this test process's own (set by
  // node:test after a failed test, or by an error elsewhere) must not become the command's.
  process.exitCode = undefined;
  process.exit = ((c?: number | string | null) => {
    code ??= Number(c ?? process.exitCode ?? 0);
    throw new CliExit(code);
  }) as typeof process.exit;
  process.stdout.write = capture(process.stdout, writes.out, (t) => (stdout += t));
  process.stderr.write = capture(process.stderr, writes.err, (t) => (stderr += t));
  try {
    await buildCli().parseAsync(['node', 'palisade', ...args]);
    code ??= Number(process.exitCode ?? 0);
  } catch (error) {
    if (!(error instanceof CliExit)) {
      stderr += `${(error as Error).stack ?? String(error)}\n`;
      code ??= 1;
    }
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.exit = exit;
    process.exitCode = exitCode;
    process.chdir(cwd);
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
    lentEnv = undefined;
  }
  // The CLI's error handler prints the exit it caught (`palisade: process.exit(2) of …`) before
  // exiting again: a spawned command never got that far.
  const echo = /^palisade: process\.exit\(\d+\) of an in-process palisade command\n/m;
  stderr = stderr.replace(echo, '');
  // `out` as the spawned command's: stdout, then stderr.
  return { code: code ?? 0, out: stdout + stderr, stdout, stderr };
}
