/**
 * `npm run bench -- --only scale`: the scale-out scenario of server/test/e2e/scale-haproxy.test.ts
 * (three instances behind HAProxy on PostgreSQL and Redis: rolling restart, remote logout,
 * replays across instances, kill -9) with 200 simulated devices instead of the test's six and a
 * longer run after the kill. It runs that very file through the test runner, so the scenario and
 * its assertions are written once; the figures it prints are gathered into the report.
 *
 * Needs PostgreSQL (BENCH_DATABASE_URL, DATABASE_URL or TEST_DATABASE_URL), Redis (REDIS_URL or
 * TEST_REDIS_URL) and HAProxy (Debian's package).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ScaleSettings {
  devices: number;
  killWindowMs: number;
}

export interface ScaleResult {
  ok: boolean;
  /** The scenario's figure lines (sign-ins, requests answered and failed, writes acknowledged). */
  figures: string[];
  seconds: number;
}

/** The scenario's lines worth reporting: its figures and the runner's verdict per test. */
const FIGURE = /devices signed in|rolling restart:|kill -9:|kill -9 of|sign-out through|✔|✖/;
/** A figure line without the list of every failure some lines end with (their counts stay). */
const figureOf = (line: string) => line.replace(/\(\[.*\]\)/, '').trimEnd();

export async function measureScale(settings: ScaleSettings, progress: (line: string) => void): Promise<ScaleResult> {
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL ?? process.env.TEST_REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('--only scale needs PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL) and Redis (REDIS_URL)');
  progress(`scale: three instances behind HAProxy, ${settings.devices} devices (about 10 minutes on a busy two-core machine)`);
  const started = performance.now();
  const haproxyLog = path.join(os.tmpdir(), `palisade-bench-haproxy-${Date.now()}.log`);
  const root = path.resolve(import.meta.dirname, '../..');
  const child = spawn(process.execPath, ['server/test/run.ts', 'e2e/scale-haproxy'], {
    cwd: root,
    env: {
      ...process.env,
      TEST_DATABASE_URL: databaseUrl,
      TEST_REDIS_URL: redisUrl,
      PALISADE_REQUIRE_HAPROXY: '1',
      PALISADE_SCALE_DEVICES: String(settings.devices),
      PALISADE_SCALE_KILL_WINDOW_MS: String(settings.killWindowMs),
      PALISADE_TEST_FILE_TIMEOUT: '3600',
      PALISADE_TEST_ECHO_STDOUT: '1',
      PALISADE_HAPROXY_LOG: haproxyLog,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Each figure line is shown as it comes too: the run takes long, and one stopped before its
  // end (a deadline, a hang guard) still tells what it measured so far.
  // (The runner echoes the file's output as it comes and reports it again at the file's end.)
  let streamed = 0;
  const shown = new Set<string>();
  const take = (c: Buffer) => {
    output += c.toString();
    const complete = output.lastIndexOf('\n');
    if (complete <= streamed) return;
    for (const line of output.slice(streamed, complete).split('\n')) {
      const figure = figureOf(line).trim();
      if (FIGURE.test(line) && !shown.has(figure)) progress(`scale: ${figure}`);
      shown.add(figure);
    }
    streamed = complete + 1;
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const figures = [...new Set(output.split('\n').filter((line) => FIGURE.test(line)).map((line) => figureOf(line).trim()))];
  if (code !== 0) {
    // Whole, for the failures' causes (HAProxy's log of each abnormal answer is in it).
    const log = path.join(os.tmpdir(), `palisade-bench-scale-${Date.now()}.log`);
    writeFileSync(log, output);
    progress(`scale: the scenario failed (its whole output: ${log}; HAProxy's log of every answer and health check: ${haproxyLog}):\n${output.slice(-4000)}`);
  }
  return { ok: code === 0, figures, seconds: (performance.now() - started) / 1000 };
}

export function scaleReport(result: ScaleResult, settings: ScaleSettings): string {
  return [`Scale-out behind HAProxy (${settings.devices} devices, ${result.seconds.toFixed(0)} s): ${result.ok ? 'every check passed' : 'FAILED'}`, ...result.figures.map((l) => `  ${l.trim()}`)].join('\n');
}
