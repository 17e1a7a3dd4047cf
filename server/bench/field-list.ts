/**
 * The field app's job list of 500 jobs in Chromium's performance trace: rendering it and
 * scrolling it, at the phone viewport of the browser test. A Palisade in this process with the
 * demo data of exactly 500 jobs (`palisade demo seed --jobs 500`); the administrator, whose
 * scope is every job, signs in to the exported web build (PALISADE_FIELD_DIST, or exported
 * now) and the list is traced while it loads and while it is scrolled to the end.
 *
 * From the trace (categories devtools.timeline and the frame pipeline):
 * - long tasks: main-thread tasks of the page over 50 ms (RunTask);
 * - frames: the compositor's frames while scrolling, and how many of them were dropped
 *   (PipelineReporter with state STATE_DROPPED, or DroppedFrame on older Chromium);
 * and, measured in the page, the requestAnimationFrame intervals over 2 × 16.7 ms while scrolling.
 *
 * Needs apps/field/node_modules and Chromium (/usr/bin/chromium or PALISADE_TEST_CHROMIUM). Run
 * alone: `./node_modules/.bin/node server/bench/field-list.ts` (port 8081 must be free: the
 * development IdP knows the web build there). On a shared, loaded machine the figures include
 * whatever else the cores were doing; run it on an idle one for the number to quote.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { databaseKinds } from '../test/helpers/databases.ts';
import { freePort, palisadeCli, startInProcess } from '../test/helpers/server.ts';

const APP_DIR = path.resolve(import.meta.dirname, '../../apps/field');
const CHROMIUM = process.env.PALISADE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ORIGIN_PORT = 8081;
const JOBS = 500;
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json', '.png': 'image/png', '.ttf': 'font/ttf', '.css': 'text/css' };

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: { state?: string }; name?: string };
}

function serve(dist: string, palisadeUrl: string): Promise<Server> {
  const index = readFileSync(path.join(dist, 'index.html'), 'utf8').replace('</head>', `<meta name="palisade-url" content="${palisadeUrl}"></head>`);
  const server = createServer((request, response) => {
    const file = path.join(dist, path.normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)));
    if (file.startsWith(dist + path.sep) && existsSync(file) && path.extname(file) !== '') {
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      return response.end(readFileSync(file));
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(index);
  });
  return new Promise((resolve) => server.listen(ORIGIN_PORT, '127.0.0.1', () => resolve(server)));
}

/** The page's renderer main thread: the thread named CrRendererMain of the process with the most RunTask time. */
function summarise(events: TraceEvent[], from: number, to: number) {
  const inWindow = events.filter((e) => e.ts >= from && e.ts <= to);
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const tasks = inWindow.filter((e) => e.name === 'RunTask' && e.ph === 'X' && main.has(`${e.pid}:${e.tid}`));
  const long = tasks.filter((e) => (e.dur ?? 0) > 50_000);
  const reporters = inWindow.filter((e) => e.name === 'PipelineReporter' && e.ph === 'b');
  const dropped = reporters.filter((e) => e.args?.data?.state === 'STATE_DROPPED').length + inWindow.filter((e) => e.name === 'DroppedFrame').length;
  return { tasks: tasks.length, longTasks: long.length, longestMs: Math.max(0, ...tasks.map((e) => (e.dur ?? 0) / 1000)), frames: reporters.length, dropped };
}

async function main(): Promise<void> {
  if (!existsSync(path.join(APP_DIR, 'node_modules'))) throw new Error('apps/field/node_modules is absent: run `npm ci` in apps/field');
  let dist = process.env.PALISADE_FIELD_DIST;
  let exported: string | undefined;
  if (!dist) {
    exported = mkdtempSync(path.join(os.tmpdir(), 'palisade-field-bench-'));
    dist = exported;
    execFileSync('npx', ['expo', 'export', '--platform', 'web', '--output-dir', dist], { cwd: APP_DIR, stdio: 'ignore', env: { ...process.env, CI: '1' } });
  }
  const kind = databaseKinds()[0]!;
  const database = await kind.create({ migrated: true });
  const port = await freePort();
  const env = { PALISADE_DATA_DIR: database.dataDir, PALISADE_SERVER_PORT: String(port), PALISADE_MASTER_KEY: randomBytes(32).toString('base64url'), ...(database.url ? { DATABASE_URL: database.url } : {}) };
  const seeded = await palisadeCli(['demo', 'seed', '--jobs', String(JOBS)], env);
  if (seeded.code !== 0) throw new Error(`demo seed: ${seeded.out}`);
  const { server } = await startInProcess(database, { env: {} }, port, { PALISADE_DEMO_SEED: 'false', PALISADE_MASTER_KEY: env.PALISADE_MASTER_KEY });
  const site = await serve(path.resolve(dist), server.url);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--host-resolver-rules=MAP localhost 127.0.0.1', `--ignore-certificate-errors-spki-list=${server.pin.replace(/^sha256\//, '')}`],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    context.setDefaultTimeout(120_000);
    const page = await context.newPage();
    await page.goto(`http://localhost:${ORIGIN_PORT}/`);
    await page.getByTestId('sign-in').click();
    await page.waitForURL(/\/dev-idp\/interaction\//);
    await page.click('button[data-person="demo-admin"]');
    await page.waitForURL(new RegExp(`^http://localhost:${ORIGIN_PORT}/`));

    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'benchmark', 'cc'] });
    const t0 = await page.evaluate(() => performance.timeOrigin + performance.now());
    await page.getByText(`Jobs in my scope (${JOBS})`).waitFor();
    await page.locator('[data-testid^="job-"]').first().waitFor();
    const t1 = await page.evaluate(() => performance.timeOrigin + performance.now());
    // Scroll the list to its end with the wheel, as a person would, while the page counts frames.
    await page.evaluate(() => {
      const w = window as unknown as { gaps: number[]; counting: boolean };
      w.gaps = [];
      w.counting = true;
      let last = performance.now();
      const tick = (now: number) => {
        w.gaps.push(now - last);
        last = now;
        if (w.counting) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const list = page.getByTestId('office-jobs');
    const box = (await list.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 100);
    for (let i = 0; i < 120; i += 1) {
      await page.mouse.wheel(0, 400);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
    }
    const gaps = await page.evaluate(() => {
      const w = window as unknown as { gaps: number[]; counting: boolean };
      w.counting = false;
      return w.gaps.slice(1);
    });
    const t2 = await page.evaluate(() => performance.timeOrigin + performance.now());
    const rows = await page.locator('[data-testid^="job-"]:not([data-testid="job-status"])').count();
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    // Trace timestamps are microseconds on the browser's monotonic clock; align on the first page task.
    const events = trace.traceEvents;
    const spanUs = (t2 - t0) * 1000;
    const start = Math.min(...events.filter((e) => e.ph === 'X' && e.name === 'RunTask').map((e) => e.ts));
    const renderEnd = start + (t1 - t0) * 1000;
    const render = summarise(events, start, renderEnd);
    const scroll = summarise(events, renderEnd, start + spanUs);
    const slow = gaps.filter((g) => g > 2 * 16.7).length;
    console.log(
      [
        `Field app, job list of ${JOBS} jobs (Chromium ${browser.version()}, 390×844 @2x, headless):`,
        `  render (sign-in to list shown, ${((t1 - t0) / 1000).toFixed(2)} s): ${render.tasks} main-thread tasks, ${render.longTasks} over 50 ms (longest ${render.longestMs.toFixed(0)} ms)`,
        `  scroll to the end (${((t2 - t1) / 1000).toFixed(2)} s, ${rows} rows mounted at the end): ${scroll.frames} frames in the trace, ${scroll.dropped} dropped; ${scroll.longTasks} tasks over 50 ms (longest ${scroll.longestMs.toFixed(0)} ms)`,
        `  requestAnimationFrame while scrolling: ${gaps.length} frames, ${slow} longer than 33 ms (p95 ${[...gaps].sort((a, b) => a - b)[Math.floor(gaps.length * 0.95)]?.toFixed(1)} ms)`,
        `  machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      ].join('\n'),
    );
    await context.close();
  } finally {
    await browser.close();
    await new Promise((resolve) => site.close(resolve));
    await server.close();
    await database.drop();
    if (exported) rmSync(exported, { recursive: true, force: true });
  }
}

await main();
