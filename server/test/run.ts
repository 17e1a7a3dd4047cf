/**
 * `npm test`: runs every test file under server/test with Node's test runner, two files at a
 * time, each in a process of its own. Database tests run on embedded PGlite, and also on
 * PostgreSQL when TEST_DATABASE_URL is set (.ci/run does).
 *
 * No file can hang the run: a file still running after PALISADE_TEST_FILE_TIMEOUT seconds
 * (default 600) has its process killed and is reported as failed by name; the other files
 * still run and the exit code is non-zero. Every process a file started (servers started with
 * `npm start` in a process group of their own, browsers, scanners) is found by a marker in its
 * environment and killed when the file ends, so a killed or careless file leaves no load
 * behind for the next ones. Each file's output is printed together when it ends, with its
 * duration; the slowest files are listed at the end.
 *
 * Temporary files (test databases, servers' data folders) live in memory where the machine has
 * room (/dev/shm), in a folder per file removed when the file ends; see scratchBase().
 *
 * The migrated database templates (helpers/databases.ts) are made once per run, while the
 * files that need none run: database files start when they are ready.
 *
 * The longest files start first, so the slots finish together rather than one long file
 * starting last: durations come from the last runs on this machine (kept in
 * node_modules/.cache/palisade-test-durations.json), else from KNOWN_DURATIONS below.
 * PALISADE_TEST_CONCURRENCY sets how many files run at a time (default 2).
 *
 *   node server/test/run.ts [substring …]        files whose path contains a substring
 *   node server/test/run.ts --root <dir> [...]   the files under <dir> instead of server/test
 *
 * Folders named `fixtures` are not searched (they hold files the runner's own test runs on
 * purpose, such as one that never ends), unless --root points into one.
 */
import { run } from 'node:test';
import type { TestEvent } from 'node:test/reporters';
import { spec } from 'node:test/reporters';
import { randomUUID } from 'node:crypto';
import { accessSync, chmodSync, constants as fsConstants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareTemplates } from './helpers/databases.ts';

const DEFAULT_FILE_TIMEOUT_S = 600;
const DEFAULT_CONCURRENCY = 2;
const SLOWEST_SHOWN = 10;
/** Where the last runs' durations are kept (per file, seconds), to start the longest first. */
const DURATIONS_FILE = path.resolve(import.meta.dirname, '../../node_modules/.cache/palisade-test-durations.json');
/**
 * Durations of the slowest files, for a run with no durations of its own yet (CI's `npm ci`
 * starts without node_modules/.cache). Only the order depends on them: the longest start first,
 * so that no long file is left to run alone at the end while the other slot idles. A file not
 * listed counts as 15 s under e2e/ and 5 s elsewhere, so a slow file that is missing here starts
 * among the last (domains/matrix was missing once).
 * Seconds of a quiet fresh-clone `bash .ci/run` on the 2-core machine (both databases, every
 * pass of the file), the 24 slowest files; a loaded machine takes two to three times as long,
 * in about the same order. Refresh them from the runner's per-file lines when the order shifts.
 */
const KNOWN_DURATIONS: Record<string, number> = {
  'server/test/e2e/console.test.ts': 155,
  // Not in the quiet run above (CI did not install apps/field then); its Expo web export is most of it.
  'server/test/e2e/field-app.test.ts': 120,
  'server/test/e2e/start-page.test.ts': 92,
  'server/test/e2e/fuzz.test.ts': 77,
  'server/test/e2e/scale-haproxy.test.ts': 71,
  'server/test/domains/matrix.test.ts': 69,
  'server/test/e2e/transport.test.ts': 59,
  'server/test/security/envelope.test.ts': 49,
  'server/test/e2e/sdk-node.test.ts': 45,
  'server/test/e2e/privacy.test.ts': 41,
  'server/test/e2e/startup-logs.test.ts': 36,
  'server/test/audit/chain.test.ts': 35,
  'server/test/e2e/app-keys.test.ts': 34,
  'server/test/runner.test.ts': 34,
  'server/test/e2e/request-signing.test.ts': 29,
  'server/test/e2e/operations.test.ts': 28,
  'server/test/e2e/operator-cli-output.test.ts': 26,
  'server/test/e2e/operator-cli.test.ts': 26,
  'server/test/e2e/shutdown.test.ts': 26,
  'server/test/e2e/mdm.test.ts': 24,
  'server/test/e2e/step-up-reauth.test.ts': 24,
  'server/test/e2e/dpop.test.ts': 22,
  'server/test/e2e/outages.test.ts': 22,
  'server/test/domains/export.test.ts': 21,
  'server/test/e2e/fieldservice.test.ts': 21,
};
/** The environment variable that marks every process a test file started, with the file's own value. */
const MARKER = 'PALISADE_TEST_FILE_RUN';

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return name === 'fixtures' || name === 'node_modules' ? [] : files(full);
      return name.endsWith('.test.ts') ? [full] : [];
    });
}

function fileTimeoutMs(): number {
  const raw = process.env.PALISADE_TEST_FILE_TIMEOUT;
  if (raw === undefined || raw === '') return DEFAULT_FILE_TIMEOUT_S * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    console.error(`PALISADE_TEST_FILE_TIMEOUT must be a positive number of seconds, not ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return seconds * 1000;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} must be a positive whole number, not ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

/**
 * The processes whose environment carries `MARKER=value`: everything a test file started,
 * however deep and whatever process group or session it moved to (a marker survives when a
 * parent dies and the child is re-parented, where a process tree would not). Linux only; an
 * empty list elsewhere.
 */
function markedProcesses(value: string): number[] {
  const needle = `\0${MARKER}=${value}\0`;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) return [];
    try {
      return `\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(needle) ? [Number(entry)] : [];
    } catch {
      return []; // gone meanwhile, or not ours to read
    }
  });
}

/** The parent of `pid`, or undefined when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Kills what a test file left running (SIGKILL: nothing of a finished file's may run on); returns
 * how many. The file's own process is this runner's child: after a timeout it may still be on its
 * way out when this runs (on a loaded machine), so it is killed too but not counted as something
 * the file started.
 */
function killLeftovers(value: string): number {
  let killed = 0;
  // Twice: a process caught between fork and exec on the first pass is seen on the second.
  for (let pass = 0; pass < 2; pass += 1) {
    for (const pid of markedProcesses(value)) {
      const own = parentOf(pid) === process.pid;
      try {
        process.kill(pid, 'SIGKILL');
        if (pass === 0 && !own) killed += 1;
      } catch {
        // already gone
      }
    }
  }
  return killed;
}

const { values, positionals } = parseArgs({ options: { root: { type: 'string' } }, allowPositionals: true });
const root = path.resolve(values.root ?? import.meta.dirname);
const selected = files(root).filter((f) => positionals.length === 0 || positionals.some((o) => f.includes(o)));
const timeoutMs = fileTimeoutMs();
const concurrency = positiveInteger('PALISADE_TEST_CONCURRENCY', DEFAULT_CONCURRENCY);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const shown = (file: string) => path.relative(process.cwd(), file);

/** One reporter for the whole run: each file's events are written to it together when the file ends. */
const reporter = new spec();
reporter.pipe(process.stdout);

interface FileResult {
  file: string;
  ms: number;
  failed: boolean;
  timedOut: boolean;
}

const counts = { tests: 0, suites: 0, passed: 0, failed: 0, cancelled: 0, skipped: 0, todo: 0 };
const cancellations = new Set(['cancelledByParent', 'testAborted', 'testTimeoutFailure']);

/** Tallies a test's result as Node's own summary does (a whole file's result is not a test). */
function count(event: TestEvent & { type: 'test:pass' | 'test:fail' }): void {
  if (event.data.details.type === 'suite') {
    counts.suites += 1;
    return;
  }
  counts.tests += 1;
  if (event.data.skip !== undefined) counts.skipped += 1;
  else if (event.data.todo !== undefined) counts.todo += 1;
  else if (event.type === 'test:pass') counts.passed += 1;
  else if (cancellations.has((event.data.details.error as { failureType?: string }).failureType ?? '')) counts.cancelled += 1;
  else counts.failed += 1;
}

/** The files running now: stopping the runner stops them too. */
const running = new Map<AbortController, string>();

async function runFile(file: string): Promise<FileResult> {
  const started = performance.now();
  const abort = new AbortController();
  const marker = randomUUID();
  running.set(abort, marker);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  // run() kills the file's process when the signal aborts; what it started is found by the marker.
  // The file's own scratch folder (TMPDIR for it and everything it starts), removed when it ends.
  const scratch = mkdtempSync(path.join(runScratch, 'f-'));
  chmodSync(scratch, 0o755);
  const events = run({ files: [file], signal: abort.signal, env: { ...process.env, [MARKER]: marker, TMPDIR: scratch } });
  const kept: unknown[] = [];
  let failed = false;
  for await (const event of events) {
    // A long scenario (the bench's scale run) shows its output as it comes, not at the file's end.
    if (event.type === 'test:stdout' && process.env.PALISADE_TEST_ECHO_STDOUT === '1') process.stderr.write(event.data.message);
    if (event.type === 'test:summary') {
      if (!event.data.success) failed = true;
      continue;
    }
    // The per-file run's closing plan and tallies (no file: they are the run's, not a test's).
    if ((event.type === 'test:plan' || event.type === 'test:diagnostic') && event.data.nesting === 0 && !('file' in event.data && event.data.file)) continue;
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      const wholeFile = event.data.nesting === 0 && event.data.name === file;
      if (event.type === 'test:fail') {
        failed = true;
        if (wholeFile && timedOut) {
          const error = Object.assign(new Error(`did not finish within ${seconds(timeoutMs)} (PALISADE_TEST_FILE_TIMEOUT): its process was killed`), { failureType: 'fileTimeout' });
          error.stack = error.message;
          event.data.details.error = error as typeof event.data.details.error;
        }
      }
      if (!wholeFile) count(event);
    }
    kept.push(event);
  }
  clearTimeout(timer);
  const leftovers = killLeftovers(marker);
  running.delete(abort);
  rmSync(scratch, { recursive: true, force: true });
  const ms = performance.now() - started;
  for (const event of kept) reporter.write(event);
  reporter.write({ type: 'test:diagnostic', data: { nesting: 0, message: `${shown(file)}: ${seconds(ms)}${timedOut ? ', timed out' : failed ? ', failed' : ''}` } });
  if (leftovers > 0) reporter.write({ type: 'test:diagnostic', data: { nesting: 0, message: `${shown(file)} left ${leftovers} process${leftovers === 1 ? '' : 'es'} running: killed` } });
  return { file, ms, failed: failed || timedOut, timedOut };
}

/**
 * Where the run's temporary files go: every test database on PGlite (a copy of the 41 MB, 1 200
 * file migrated template per test), every server's data folder, browser profiles, scanners'
 * output. On a disk that is a copy and a delete of tens of megabytes per test, which on the shared
 * 2-core machine took 1 to 1.7 s per PGlite database against 0.1 s in memory. So the run keeps
 * them in memory, in /dev/shm (tmpfs) where Linux has one with room to spare, else in the system's
 * temporary folder; PALISADE_TEST_TMPDIR names another place. Each file gets a folder of its own
 * as its TMPDIR, removed when it ends (after its leftover processes are killed), so a file's
 * litter never outlives it and memory use is bounded by the files running at once. What is under
 * test is unchanged: Palisade reads and writes its PGlite folder the same way on either.
 */
function scratchBase(): string {
  const chosen = process.env.PALISADE_TEST_TMPDIR;
  if (chosen) return chosen;
  const memory = '/dev/shm';
  try {
    accessSync(memory, fsConstants.W_OK);
    const { bavail, bsize } = statfsSync(memory);
    if (bavail * bsize >= 4 * 1024 ** 3) return memory;
  } catch {
    // no /dev/shm here: the system's temporary folder
  }
  return tmpdir();
}
const runScratch = mkdtempSync(path.join(scratchBase(), 'palisade-run-'));
// Traversable by other users, as /tmp is: a private PostgreSQL (helpers/private-services.ts) runs
// initdb as the postgres user in a folder of its own under a file's scratch folder.
chmodSync(runScratch, 0o755);
process.once('exit', () => rmSync(runScratch, { recursive: true, force: true }));

// The migrated PGlite template the test files copy their databases from (helpers/databases.ts)
// is made once for the whole run, not once per file.
let templates: string | undefined;
if (!process.env.PALISADE_TEST_TEMPLATE_DIR) {
  templates = mkdtempSync(path.join(runScratch, 'templates-'));
  process.env.PALISADE_TEST_TEMPLATE_DIR = templates;
}
// Every test file is a Node process, and most start more: servers the README's way (npm, then
// Palisade), CLI commands, helpers. Each one parses and compiles the same few thousand modules
// (Fastify, oidc-provider, jose, PGlite's JavaScript, Palisade's own stripped TypeScript). Node's
// on-disk compile cache lets every process after the first reuse that work: about a third of a
// process's start-up CPU, which over a run's processes is minutes on two cores. Children inherit
// the variable. The cache is keyed by each file's content, so an edited file is compiled afresh;
// a developer's own NODE_COMPILE_CACHE is kept.
process.env.NODE_COMPILE_CACHE ||= path.resolve(import.meta.dirname, '../../node_modules/.cache/palisade-node-compile');
// Stopped (Ctrl-C, or CI cancelling the job): the test files' processes are killed with the
// runner rather than left running on their own.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopRunning();
    if (templates) rmSync(templates, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
/**
 * Database files: the files that take their databases from helpers/databases.ts
 * `databaseKinds()`, which is what runs a file's database tests on PGlite and again on
 * PostgreSQL (TEST_DATABASE_URL). Every other file (crypto, parsing, configuration, docs, the
 * SDK's units…) has nothing to run twice and runs once. The rule is the call itself, not a list.
 */
const databaseFiles = new Set(selected.filter((file) => readFileSync(file, 'utf8').includes('databaseKinds(')));
/** Stops the files running now and their processes (the runner is about to exit). */
function stopRunning(): void {
  for (const [abort, marker] of running) {
    abort.abort();
    killLeftovers(marker);
  }
}
// The templates are made while the files that need none run: both slots are busy from the start.
const prepareStarted = performance.now();
let templatesMade = databaseFiles.size === 0;
const templatesReady: Promise<void> = templatesMade
  ? Promise.resolve()
  : prepareTemplates().then(
      () => {
        templatesMade = true;
        reporter.write({ type: 'test:diagnostic', data: { nesting: 0, message: `migrated database templates ready: ${seconds(performance.now() - prepareStarted)}` } });
      },
      (error: unknown) => {
        console.error(`could not make the migrated database templates: ${(error as Error).message}`);
        stopRunning();
        if (templates) rmSync(templates, { recursive: true, force: true });
        process.exit(1);
      },
    );

/** Durations from the last runs here, by file as shown (relative to the repository). */
function lastDurations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}
const durations = lastDurations();
const repoRelative = (file: string) => path.relative(path.resolve(import.meta.dirname, '../..'), file);
const expected = (file: string) => durations[repoRelative(file)] ?? KNOWN_DURATIONS[repoRelative(file)] ?? (repoRelative(file).includes('/e2e/') ? 15 : 5);

const started = performance.now();
// Longest first (stable: equal estimates keep the alphabetical order).
const queue = [...selected].sort((a, b) => expected(b) - expected(a));
const results: FileResult[] = [];
/** The next file for a free slot: the longest, but one that needs no template while they are being made. */
function nextFile(): string | undefined {
  const index = templatesMade ? 0 : queue.findIndex((file) => !databaseFiles.has(file));
  return queue.splice(Math.max(index, 0), 1)[0];
}
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let file = nextFile(); file !== undefined; file = nextFile()) {
      if (databaseFiles.has(file)) await templatesReady;
      results.push(await runFile(file));
    }
  }),
);
await templatesReady;

if (templates) rmSync(templates, { recursive: true, force: true });
// Kept for the next run's order (a timed-out file counts as long as its timeout); a run on
// another --root (the runner's own test) keeps nothing.
if (values.root === undefined) {
  for (const r of results) durations[repoRelative(r.file)] = Math.round(r.timedOut ? timeoutMs / 1000 : r.ms / 1000);
  try {
    mkdirSync(path.dirname(DURATIONS_FILE), { recursive: true });
    writeFileSync(DURATIONS_FILE, `${JSON.stringify(durations, null, 2)}\n`);
  } catch {
    // Only the order of a later run depends on it.
  }
}
const total = performance.now() - started;
const failedFiles = results.filter((r) => r.failed);
const lines = [
  `files ${results.length}, tests ${counts.tests}, suites ${counts.suites}, pass ${counts.passed}, fail ${counts.failed}, cancelled ${counts.cancelled}, skipped ${counts.skipped}, todo ${counts.todo}`,
  `database files ${databaseFiles.size} (PGlite${process.env.TEST_DATABASE_URL ? ' and PostgreSQL' : ''}), other files ${selected.length - databaseFiles.size} (once)`,
  `wall time ${seconds(total)} (${concurrency} files at a time; per-file timeout ${seconds(timeoutMs)})`,
  `slowest files:`,
  ...[...results].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST_SHOWN).map((r) => `  ${seconds(r.ms).padStart(8)}  ${shown(r.file)}`),
];
if (failedFiles.length > 0) {
  lines.push('failed files:', ...failedFiles.map((r) => `  ${shown(r.file)}${r.timedOut ? ` (timed out after ${seconds(timeoutMs)}, killed)` : ''}`));
}
if (selected.length === 0) lines.push(`no test file matches ${positionals.map((p) => JSON.stringify(p)).join(', ')}`);
for (const message of lines) reporter.write({ type: 'test:diagnostic', data: { nesting: 0, message } });
const flushed = new Promise((resolve) => reporter.once('end', resolve));
reporter.end();
await flushed;
if (failedFiles.length > 0 || counts.failed > 0 || counts.cancelled > 0 || selected.length === 0) process.exitCode = 1;
