/**
 * The Palisade process behind a `startPalisade` server. `npm start` runs it as a child of npm,
 * so the started server's own handle is npm's (a `direct` start's is Palisade's own; the pid
 * read here is the same either way): tests that kill the server itself, or must wait
 * for its graceful shutdown to finish (npm exits on SIGTERM before Palisade has flushed and
 * sealed its audit queue and closed the database), find it here.
 */
import { readFileSync } from 'node:fs';
import type { StartedServer } from './server.ts';

/**
 * The pid of the Palisade process, read from its log (pino stamps every line with it), so it
 * must log at level info or lower and have served a request (waits briefly for the line).
 */
export async function serverPid(server: StartedServer, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let pid = Number(/"pid":(\d+)/.exec(server.output())?.[1]);
  while (!(pid > 0)) {
    if (Date.now() > deadline) throw new Error('no log line names the server process: log at level info or lower, and make a request first');
    await new Promise((resolve) => setTimeout(resolve, 20));
    pid = Number(/"pid":(\d+)/.exec(server.output())?.[1]);
  }
  // Palisade's own pid, never a recycled one of another process.
  if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('palisade.ts')) throw new Error(`process ${pid} is not Palisade`);
  return pid;
}

/** Gone, or a zombie its parent has yet to reap: either way it runs no more code. */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export async function waitForExit(pid: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!processGone(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not exit within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `npm start` as a user does when the start is expected to fail: waits for the exit (a
 * hang guard kills it) and returns the exit code and everything it printed.
 */
export async function startExpectingFailure(env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  const { spawn } = await import('node:child_process');
  const { REPO_ROOT, ambientEnv, withOwnPort } = await import('./server.ts');
  const child = spawn('npm', ['start', '--silent'], {
    cwd: REPO_ROOT,
    env: { ...ambientEnv(), NODE_ENV: 'development', PALISADE_LOG_FORMAT: 'json', ...(await withOwnPort(env)) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const guard = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(guard);
  return { code, output };
}
