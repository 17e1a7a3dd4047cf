/**
 * The test runner (server/test/run.ts) itself: a test file that never ends is killed after the
 * per-file timeout, with the processes it started, and reported as failed by name; the other
 * files still run, and the run exits non-zero. Runs the runner on server/test/fixtures/runner, which `npm test` skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processGone, waitForExit } from './helpers/server-process.ts';

const runner = path.join(import.meta.dirname, 'run.ts');
const fixtures = path.join(import.meta.dirname, 'fixtures', 'runner');

/** Runs the runner; `signal` (the test's) kills it if the test itself is cancelled or times out. */
function runRunner(args: string[], env: Record<string, string>, signal: AbortSignal): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Started from a test file, the runner would otherwise see the test context and run nothing.
    const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
    const child = spawn(process.execPath, [runner, ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('a file that never ends is killed after PALISADE_TEST_FILE_TIMEOUT with what it started, reported by name, and fails the run; the other files still run', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-runner-'));
  try {
    const pidFile = path.join(dir, 'pid');
    const childPidFile = path.join(dir, 'child-pid');
    // Thirty seconds: far more than the passing fixture needs even on a loaded machine (where
    // starting its process alone has taken 14 s), so only the hanging one runs out.
    const { code, output } = await runRunner(['--root', fixtures], { PALISADE_TEST_FILE_TIMEOUT: '30', RUNNER_FIXTURE_PID_FILE: pidFile, RUNNER_FIXTURE_CHILD_PID_FILE: childPidFile }, t.signal);
    assert.notEqual(code, 0, `the run fails:\n${output}`);
    assert.match(output, /failed files:\s*\n\S*\s+server\/test\/fixtures\/runner\/hangs\.test\.ts \(timed out after 30\.0 s, killed\)/, output);
    assert.match(output, /hangs\.test\.ts[^\n]*\n\s*\[?did not finish within 30\.0 s \(PALISADE_TEST_FILE_TIMEOUT\): its process was killed/, 'the failure says why');
    assert.match(output, /✔ passes \(/, 'the other file ran and passed');
    assert.match(output, /server\/test\/fixtures\/runner\/passes\.test\.ts: \d+\.\d s\n/, 'with its duration');
    assert.doesNotMatch(output, /failed files:[^]*passes\.test\.ts/, 'only the file that hung is failed');
    assert.match(output, /slowest files:\s*\n\S*\s+\d+\.\d s {2}server\/test\/fixtures\/runner\/hangs\.test\.ts/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitForExit(pid, 5000);
    assert.ok(processGone(pid), 'the hanging file’s process was killed');
    const childPid = Number(readFileSync(childPidFile, 'utf8'));
    try {
      await waitForExit(childPid, 5000);
    } finally {
      // Never leave it behind, even when the runner did.
      if (!processGone(childPid)) process.kill(childPid, 'SIGKILL');
    }
    assert.ok(processGone(childPid), 'and so was the process it started in a process group of its own');
    assert.match(output, /hangs\.test\.ts left 1 process running: killed/, 'the leftover is reported');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the runner fixtures are not part of the normal run', { timeout: 60_000 }, async (t) => {
  const { code, output } = await runRunner(['fixtures/runner'], {}, t.signal);
  assert.notEqual(code, 0);
  assert.match(output, /no test file matches "fixtures\/runner"/);
  assert.doesNotMatch(output, /hangs\.test\.ts/);
});

test('a per-file timeout that is not a positive number of seconds is refused', { timeout: 60_000 }, async (t) => {
  const { code, output } = await runRunner(['--root', fixtures], { PALISADE_TEST_FILE_TIMEOUT: '10m' }, t.signal);
  assert.equal(code, 2);
  assert.match(output, /PALISADE_TEST_FILE_TIMEOUT must be a positive number of seconds, not "10m"/);
});

test('a concurrency that is not a positive whole number is refused', { timeout: 60_000 }, async (t) => {
  const { code, output } = await runRunner(['--root', fixtures], { PALISADE_TEST_CONCURRENCY: '1.5' }, t.signal);
  assert.equal(code, 2);
  assert.match(output, /PALISADE_TEST_CONCURRENCY must be a positive whole number, not "1\.5"/);
});

/**
 * Two runs of the suite side by side (two clones on one CI machine): each runner kills what its
 * own files left running, never a process of the other run. Each file's processes carry a
 * marker of their own (PALISADE_TEST_FILE_RUN, a fresh random value per file and run), and a
 * runner kills only its files' markers. The "other run" is both a second runner started at the
 * same moment on the same fixture, and a process marked as another run's file's would be.
 */
test('two runners side by side each kill their own file’s leftover process, and no other run’s', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-runner-'));
  const foreign = spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PALISADE_TEST_FILE_RUN: randomUUID() },
  });
  const pids: number[] = [foreign.pid!];
  try {
    const root = path.join(import.meta.dirname, 'fixtures', 'runner-leftover');
    const childPidFiles = [path.join(dir, 'a'), path.join(dir, 'b')];
    const runs = await Promise.all(childPidFiles.map((file) => runRunner(['--root', root], { RUNNER_FIXTURE_CHILD_PID_FILE: file }, t.signal)));
    const children = childPidFiles.map((file) => Number(readFileSync(file, 'utf8')));
    pids.push(...children);
    for (const [i, { code, output }] of runs.entries()) {
      assert.equal(code, 0, `run ${i + 1} passes:\n${output}`);
      assert.match(output, /leaves-a-process\.test\.ts left 1 process running: killed/, `run ${i + 1} killed exactly its own file's leftover:\n${output}`);
    }
    assert.notEqual(children[0], children[1]);
    for (const child of children) await waitForExit(child, 5000);
    assert.ok(children.every(processGone), 'both leftovers were killed');
    assert.ok(!processGone(foreign.pid!), 'the process of another run is still running');
  } finally {
    for (const pid of pids) if (!processGone(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
