/**
 * The processes of a bench run and what they cost: the load generator (a child process pinned to
 * a core of its own), the server process (this one, pinned to another), and the CPU counters read
 * around every measured window — this process's CPU, the PostgreSQL backends serving the bench's
 * database, the load generator's own, the machine's busy time and its load average.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Queryable } from '../src/db/index.ts';
import type { Command, LoadResult, Reply } from './loadgen.ts';

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ: 100 on every Linux build that matters). */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

export interface CoreLayout {
  /** Cores this process (the servers) runs on, or undefined when not pinned. */
  server: number[] | undefined;
  loadgen: number[] | undefined;
  cpus: number;
  /** One sentence for the report. */
  description: string;
}

function taskset(cores: number[], pid: number): boolean {
  const result = spawnSync('taskset', ['-a', '-cp', cores.join(','), String(pid)], { encoding: 'utf8' });
  return result.status === 0;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { encoding: 'utf8' }).status === 0;
}

/**
 * Splits the cores: the load generator gets the last one, the servers the rest (one of them when
 * `serverCores` says so, the default: per-core figures are then read straight off). PostgreSQL is
 * a service of its own and is not pinned: it shares the cores with both.
 */
export function planCores(serverCores = 1): { server: number[]; loadgen: number[] } | undefined {
  const cpus = os.cpus().length;
  if (process.platform !== 'linux' || cpus < 2 || !hasTaskset()) return undefined;
  const loadgen = [cpus - 1];
  const server = Array.from({ length: Math.min(serverCores, cpus - 1) }, (_, i) => i);
  return { server, loadgen };
}

export class LoadGenerator {
  private readonly child: ChildProcess;
  readonly layout: CoreLayout;
  private waiting: { onWindowStart?: () => void; resolve(result: LoadResult): void; reject(error: Error): void } | undefined;

  private constructor(child: ChildProcess, layout: CoreLayout) {
    this.child = child;
    this.layout = layout;
    child.on('message', (message: Reply) => {
      const waiting = this.waiting;
      if (!waiting) return;
      if ('type' in message) {
        waiting.onWindowStart?.();
        return;
      }
      this.waiting = undefined;
      if (message.ok) waiting.resolve(message);
      else waiting.reject(new Error(`load generator: ${message.error}`));
    });
    child.on('exit', (code) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(new Error(`the load generator exited (${code})`));
    });
  }

  static async start(init: { issuer: string; ca: string; clientId: string; appKey: string }): Promise<LoadGenerator> {
    const plan = planCores();
    const cpus = os.cpus().length;
    // The servers (this process and every thread it has or makes) on their cores.
    const serverPinned = plan ? taskset(plan.server, process.pid) : false;
    const child = fork(new URL('./loadgen.ts', import.meta.url), [], { execPath: process.execPath, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const loadgenPinned = plan && child.pid !== undefined ? taskset(plan.loadgen, child.pid) : false;
    const layout: CoreLayout = {
      server: serverPinned ? plan!.server : undefined,
      loadgen: loadgenPinned ? plan!.loadgen : undefined,
      cpus,
      description:
        serverPinned && loadgenPinned
          ? `${cpus} cores: Palisade, the bare baseline and the fake company IdP in one process pinned to core ${plan!.server.join(',')}; ` +
            `the load generator in its own process pinned to core ${plan!.loadgen.join(',')}; PostgreSQL not pinned (shares all ${cpus})`
          : `${cpus} core${cpus === 1 ? '' : 's'}, nothing pinned (${plan ? 'taskset failed' : cpus < 2 ? 'one core' : 'no taskset'}): the load generator is a separate process but shares the cores with the servers and PostgreSQL`,
    };
    const generator = new LoadGenerator(child, layout);
    await generator.command({ type: 'init', ...init });
    return generator;
  }

  /** Runs one command; `onWindowStart` fires when the measured window begins (after warm-up and pre-signing). */
  command(command: Command, onWindowStart?: () => void): Promise<LoadResult> {
    if (this.waiting) return Promise.reject(new Error('the load generator is busy'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, ...(onWindowStart ? { onWindowStart } : {}) };
      this.child.send(command);
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'exit' } satisfies Command);
    const timer = setTimeout(() => this.child.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** utime + stime of a process in ms, or undefined once it has gone (or /proc is not there). */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (1-based over the whole line).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = values[3]! + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export interface CpuWindow {
  seconds: number;
  /** This process (Palisade, the baseline, the fake IdP, the sealer): ms of CPU. */
  serverMs: number;
  /** The PostgreSQL backends connected to the bench's database (undefined: PGlite, or not on this machine). */
  databaseMs: number | undefined;
  /** Busy share of all cores over the window (0–1), whoever used them. */
  machineBusy: number | undefined;
  /** 1-minute load average at the end of the window. */
  loadAverage: number;
}

/**
 * Reads the counters at the start of a window and returns a function that reads them again and
 * gives the differences. `database` lists the backends of the bench's database (PostgreSQL on
 * this machine); their CPU is read from /proc, so it is only counted when PostgreSQL runs here.
 */
export async function cpuWindow(database: Queryable | undefined): Promise<() => Promise<CpuWindow>> {
  const backends = async (): Promise<Map<number, number>> => {
    const cpu = new Map<number, number>();
    if (!database) return cpu;
    const { rows } = await database.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) cpu.set(pid, ms);
    }
    return cpu;
  };
  const dbBefore = await backends();
  const machineBefore = machineTicks();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  return async () => {
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpuBefore);
    const machineAfter = machineTicks();
    const dbAfter = await backends();
    let databaseMs: number | undefined;
    if (database && (dbBefore.size > 0 || dbAfter.size > 0)) {
      databaseMs = 0;
      // A backend that started during the window counts from zero (its whole life is in it).
      for (const [pid, ms] of dbAfter) databaseMs += ms - (dbBefore.get(pid) ?? 0);
    }
    return {
      seconds,
      serverMs: (used.user + used.system) / 1000,
      databaseMs,
      machineBusy: machineBefore && machineAfter ? (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total) : undefined,
      loadAverage: os.loadavg()[0]!,
    };
  };
}
