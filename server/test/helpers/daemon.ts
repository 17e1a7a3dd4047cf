/**
 * Debian-packaged daemons the tests start themselves (HAProxy, PgBouncer): whether the machine
 * has one, and running one in the foreground on a loopback port until the test closes it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Why a test that needs `command` does not run here, or undefined when it does (the `skip`
 * option of node:test). With `${requireVariable}=1` (as .ci/run sets) absence is a failure.
 */
export function toolSkip(command: string, versionArgs: string[], requireVariable: string): string | undefined {
  if (spawnSync(command, versionArgs, { stdio: 'ignore' }).status === 0) return undefined;
  const install = `apt-get install -y ${command}`;
  if (process.env[requireVariable] === '1') throw new Error(`${requireVariable}=1 but ${command} is not installed (${install})`);
  return `${command} is not installed (${install}); ${requireVariable}=1 makes this a failure`;
}

export interface Daemon {
  /** The daemon's own output (stdout and stderr). */
  output(): string;
  /** Stops it (SIGTERM), waits for it to exit, and removes its folder. */
  close(): Promise<void>;
}

/**
 * Starts `command args` in the foreground and waits until it accepts connections on `port`
 * (127.0.0.1). `dir` (its configuration folder) is removed when it is closed, or when it does
 * not start. The 30-s limit is a hang guard for a daemon that never listens, not a speed limit.
 */
export async function startDaemon(command: string, args: string[], port: number, dir: string): Promise<Daemon> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${command} did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { output: () => output, close };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
