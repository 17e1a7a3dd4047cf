/**
 * `npm test`: runs every test file under server/test with Node's test runner, two files at a
 * time, each in a process of its own. Database tests run on embedded PGlite, and also on
 * PostgreSQL when TEST_DATABASE_URL is set (.ci/run does).
 *
 * No file can hang the run: a file still running after PALISADE_TEST_FILE_TIMEOUT seconds
 * (default 600) has its process killed and is reported as failed by name; the other files
 * still run and the exit code is non-zero. Each file's output is printed together when it ends,
 * with its duration; the slowest files are listed at the end.
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
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareTemplates } from './helpers/databases.ts';

const DEFAULT_FILE_TIMEOUT_S = 600;
const CONCURRENCY = 2;
const SLOWEST_SHOWN = 10;

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

const { values, positionals } = parseArgs({ options: { root: { type: 'string' } }, allowPositionals: true });
const root = path.resolve(values.root ?? import.meta.dirname);
const selected = files(root).filter((f) => positionals.length === 0 || positionals.some((o) => f.includes(o)));
const timeoutMs = fileTimeoutMs();
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
const running = new Set<AbortController>();

async function runFile(file: string): Promise<FileResult> {
  const started = performance.now();
  const abort = new AbortController();
  running.add(abort);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  // run() kills the file's process when the signal aborts.
  const events = run({ files: [file], signal: abort.signal });
  const kept: unknown[] = [];
  let failed = false;
  for await (const event of events) {
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
  running.delete(abort);
  const ms = performance.now() - started;
  for (const event of kept) reporter.write(event);
  reporter.write({ type: 'test:diagnostic', data: { nesting: 0, message: `${shown(file)}: ${seconds(ms)}${timedOut ? ', timed out' : failed ? ', failed' : ''}` } });
  return { file, ms, failed: failed || timedOut, timedOut };
}

// The migrated PGlite template the test files copy their databases from (helpers/databases.ts)
// is made once for the whole run, not once per file.
let templates: string | undefined;
if (!process.env.PALISADE_TEST_TEMPLATE_DIR) {
  templates = mkdtempSync(path.join(tmpdir(), 'palisade-test-templates-'));
  process.env.PALISADE_TEST_TEMPLATE_DIR = templates;
}
// Stopped (Ctrl-C, or CI cancelling the job): the test files' processes are killed with the
// runner rather than left running on their own.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const abort of running) abort.abort();
    if (templates) rmSync(templates, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
const prepareStarted = performance.now();
if (selected.some((file) => readFileSync(file, 'utf8').includes('databaseKinds('))) {
  try {
    await prepareTemplates();
  } catch (error) {
    console.error(`could not make the migrated database templates: ${(error as Error).message}`);
    if (templates) rmSync(templates, { recursive: true, force: true });
    process.exit(1);
  }
  reporter.write({ type: 'test:diagnostic', data: { nesting: 0, message: `migrated database templates ready: ${seconds(performance.now() - prepareStarted)}` } });
}

const started = performance.now();
const queue = [...selected];
const results: FileResult[] = [];
await Promise.all(
  Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) results.push(await runFile(file));
  }),
);

if (templates) rmSync(templates, { recursive: true, force: true });
const total = performance.now() - started;
const failedFiles = results.filter((r) => r.failed);
const lines = [
  `files ${results.length}, tests ${counts.tests}, suites ${counts.suites}, pass ${counts.passed}, fail ${counts.failed}, cancelled ${counts.cancelled}, skipped ${counts.skipped}, todo ${counts.todo}`,
  `wall time ${seconds(total)} (${CONCURRENCY} files at a time; per-file timeout ${seconds(timeoutMs)})`,
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
