/**
 * The reference field-service app (apps/field) in real Chromium at a phone-sized viewport: its
 * exported web build (`expo export --platform web`), served as http://localhost:8081 (on a port of its own) — the
 * origin Palisade's development IdP knows as the browser client `field-web` — against a
 * Palisade started in process with the development IdP and the demo data:
 *
 * - each demo person signs in and sees exactly their scope's jobs (the list the app shows is the
 *   list the API gives that person), a person with no role sees the refusal screen;
 * - the technician moves a job along; a step out of order gets the server's 409, shown as is;
 * - the technician uploads a photo; the dispatcher assigns a job; the manager sees the report
 *   and exports the CSV behind step-up: Palisade answers the RFC 9470 challenge, the SDK sends
 *   the same browser through the development IdP again (max_age), and the export completes;
 * - the dispatcher plans a shift and sees technicians' latest positions as a list; the
 *   technician on shift sends their position (the browser's geolocation, set by the test);
 * - the lock screen appears on the menu's Lock and after 15 minutes idle (the page's clock and
 *   Palisade's run ahead together: nobody waits 15 minutes), and unlocks;
 * - offline (the browser's network cut), the technician's list is the one kept in the SDK's
 *   encrypted offline store (ciphertext in IndexedDB) and the job detail says it needs a
 *   connection;
 * - the web build sends the SDK's signed web posture report with every token request: the first
 *   Palisade requires one of `field-web` and sets an app-version minimum, so every sign-in,
 *   refresh and unlock here passes through it;
 * - a second Palisade with the default device policy (a browser is a personal, BYOD, device):
 *   the export is hidden with the reason, the server refuses it anyway, nothing is kept
 *   offline;
 * - an administrator wipes the browser's device through the admin API: the app returns to
 *   sign-in, and IndexedDB, localStorage and sessionStorage are empty.
 *
 * Skipped (with the reason) when apps/field/node_modules is absent and PALISADE_REQUIRE_FIELD_APP
 * is unset; CI sets it. PALISADE_FIELD_DIST names an already exported build to serve instead of
 * exporting one (the export takes a minute or two). Screenshots of every screen go to
 * PALISADE_TEST_SCREENSHOTS (default: a folder in the test's data folder, removed afterwards).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/chromium.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess } from '../helpers/server.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import type { RunningServer } from '../../src/main.ts';

const APP_DIR = path.resolve(import.meta.dirname, '../../../apps/field');
const required = Boolean(process.env.PALISADE_REQUIRE_FIELD_APP);
const skip = !existsSync(path.join(APP_DIR, 'node_modules')) && !required
  ? 'apps/field/node_modules is absent: run `npm ci` in apps/field (or `npm run field:web` once) to test the field app; CI sets PALISADE_REQUIRE_FIELD_APP=1'
  : !existsSync(CHROMIUM) && !process.env.PALISADE_REQUIRE_BROWSER && !required
    ? `Chromium not found at ${CHROMIUM}: apt-get install -y chromium to run the browser tests`
    : false;
const ORIGIN_PORT = 8081;
const STEP = 60_000;
/** The step-up window of the test's Palisade, and how far its clock jumps to make a sign-in older than it (less than a DPoP proof's 5 minutes). */
const STEP_UP_MAX_AGE = '3m';
const PAST_STEP_UP_MS = 200_000;
/** The session idle timeout (sessions.idleTimeout, the app's mirror) and a bit. */
const IDLE_MS = 16 * 60_000;
/** The browser's position the technician sends (a test value, Playwright's geolocation). */
const HERE = { latitude: 52.3731, longitude: 4.8922, accuracy: 25 };
/** A phone: the viewport of a 6.1" handset. */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json', '.png': 'image/png', '.ico': 'image/x-icon', '.ttf': 'font/ttf', '.css': 'text/css' };

/**
 * The exported build as a static site with one fallback to index.html (Expo's `web.output:
 * single`), told where Palisade is: `palisades` by name, the first by default, another for a
 * browser context holding the cookie `field-test-palisade=<name>` (on this origin only).
 */
function serveBuild(dist: string, palisades: Record<string, () => string>): Promise<Server> {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const server = createServer((request, response) => {
    const chosen = /(?:^|;\s*)field-test-palisade=([a-z]+)/.exec(request.headers.cookie ?? '')?.[1];
    const palisadeUrl = (palisades[chosen ?? ''] ?? Object.values(palisades)[0]!)();
    const index = html.replace('</head>', `<meta name="palisade-url" content="${palisadeUrl}"></head>`);
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = path.join(dist, path.normalize(pathname));
    if (file.startsWith(dist + path.sep) && existsSync(file) && !file.endsWith(path.sep) && path.extname(file) !== '') {
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      response.end(readFileSync(file));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(index);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // A free port: Chromium sends localhost:8081 here (launchChromium's localhostPorts).
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// One database kind is enough: the app is under test here, not the database.
const kind = databaseKinds()[0]!;

describe('the field-service app’s web build in Chromium (phone viewport)', { skip }, () => {
  let database: TestDatabase;
  let server: RunningServer;
  let app: MobileApp;
  /** A second Palisade with the default device policy (BYOD: no export, nothing offline). */
  let strictDatabase: TestDatabase;
  let strict: RunningServer;
  let strictApp: MobileApp;
  let strictPort: number;
  let strictCa: string;
  const strictMasterKey = generateMasterKey();
  /** How far ahead of the real time the main Palisade's clock runs (ms). */
  let ahead = 0;
  let browser: Browser;
  let site: Server;
  let screenshots: string;
  let exported: string | undefined;

  before(async () => {
    let dist = process.env.PALISADE_FIELD_DIST;
    if (!dist) {
      exported = mkdtempSync(path.join(os.tmpdir(), 'palisade-field-web-'));
      dist = exported;
      // Metro keeps its cache under the temporary folder: this clone's own (in its node_modules),
      // so two clones exporting at once never write the same cache files under /tmp.
      const tmp = path.join(APP_DIR, 'node_modules', '.cache', 'palisade-export-tmp');
      mkdirSync(tmp, { recursive: true });
      execFileSync('npx', ['expo', 'export', '--platform', 'web', '--output-dir', dist], { cwd: APP_DIR, stdio: 'ignore', env: { ...process.env, CI: '1', TMPDIR: tmp }, timeout: 480_000 });
    }
    database = await kind.create({ migrated: true });
    let ca: string;
    // The development IdP and its demo data (Tess has jobs). The BYOD policy of the field app's
    // web build is relaxed for export and offline data so the step-up path runs to the download
    // and the offline list is kept; the second Palisade below keeps the defaults. Its clock can
    // run ahead (`ahead`): past the step-up window, past the idle timeout.
    ({ server, ca } = await startInProcess(
      database,
      { env: {} },
      await freePort(),
      {
        PALISADE_SESSIONS_STEP_UP_MAX_AGE: STEP_UP_MAX_AGE,
        // The web build must also show its posture: every sign-in and refresh below carries the
        // SDK's web report (the app version meets the minimum), or Palisade refuses it.
        PALISADE_DEVICE_POLICY: JSON.stringify({ apps: { 'field-web': { byod: { allowExport: true, allowOffline: true, requirePosture: true, minAppVersion: '1.0.0' } } } }),
      },
      { now: () => Date.now() + ahead },
    ));
    app = new MobileApp(server.url, ca);
    strictDatabase = await kind.create({ migrated: true });
    strictPort = await freePort();
    ({ server: strict, ca: strictCa } = await startStrict());
    strictApp = new MobileApp(strict.url, strictCa);
    site = await serveBuild(path.resolve(dist), { main: () => server.url, strict: () => strict.url });
    screenshots = process.env.PALISADE_TEST_SCREENSHOTS ?? path.join(database.dataDir, 'field-screenshots');
    mkdirSync(screenshots, { recursive: true });
    // The page's origin stays http://localhost:8081 (field-web's registered origin and callback)
    // while the build is served on this run's own port: two runs side by side never share one.
    browser = await launchChromium({ pin: [server.pin, strict.pin], localhostToLoopback: true, localhostPorts: { [ORIGIN_PORT]: (site.address() as AddressInfo).port } });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
    await server?.close();
    await app?.close();
    await strict?.close();
    await strictApp?.close();
    await database?.drop();
    await strictDatabase?.drop();
    if (exported) rmSync(exported, { recursive: true, force: true });
  });

  /** The second Palisade, on its own database and port; `policy` adds to the default device policy. */
  function startStrict(policy: Record<string, unknown> = {}) {
    // One master key for its restarts (a start without one makes a new key its data does not open).
    return startInProcess(strictDatabase, { env: {} }, strictPort, { PALISADE_DEVICE_POLICY: JSON.stringify(policy), PALISADE_MASTER_KEY: strictMasterKey });
  }

  async function phone(options: { palisade?: 'strict'; clock?: boolean; geolocation?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ ...PHONE, acceptDownloads: true, ...(options.geolocation ? { geolocation: HERE, permissions: ['geolocation'] } : {}) });
    context.setDefaultTimeout(STEP);
    if (options.palisade) await context.addCookies([{ name: 'field-test-palisade', value: options.palisade, url: `http://localhost:${ORIGIN_PORT}` }]);
    const page = await context.newPage();
    // The page's clock, which the test moves forward (installed before the app's first timer).
    if (options.clock) await page.clock.install();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (r) => {
      if (r.status() >= 500) problems.push(`${r.status()}: ${r.url()}`);
    });
    await page.goto(`http://localhost:${ORIGIN_PORT}/`);
    return { context, page, problems };
  }

  async function signIn(page: Page, person: string): Promise<void> {
    await page.getByTestId('sign-in').click();
    await page.waitForURL(/\/dev-idp\/interaction\//);
    await page.click(`button[data-person="${person}"]`);
    await page.waitForURL(new RegExp(`^http://localhost:${ORIGIN_PORT}/`));
  }

  /**
   * The offline store's records in the page's IndexedDB (its database `palisade-field-offline`),
   * each ciphertext read as text; undefined while the database does not exist (never created
   * here: opening it would make an empty one under the app).
   */
  const offlineRecords = (page: Page) =>
    page.evaluate(async () => {
      if (!(await indexedDB.databases()).some((d) => d.name === 'palisade-field-offline')) return undefined;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('palisade-field-offline');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const texts: string[] = [];
      for (const name of Array.from(db.objectStoreNames)) {
        const values = await new Promise<unknown[]>((resolve) => (db.transaction(name).objectStore(name).getAll().onsuccess = (e) => resolve((e.target as IDBRequest<unknown[]>).result)));
        for (const v of values) {
          const data = (v as { data?: ArrayBuffer } | null)?.data;
          if (data instanceof ArrayBuffer) texts.push(new TextDecoder('latin1').decode(data));
        }
      }
      db.close();
      return texts;
    });

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshots, `${name}.png`) });

  /**
   * One native app session per person, reused: each sign-in is a session, and Palisade keeps a
   * bounded number per person (the oldest is evicted), which would end the browser's.
   */
  const sessions = new Map<string, Promise<SignedIn>>();
  const sessionOf = (person: string): Promise<SignedIn> => {
    if (!sessions.has(person)) sessions.set(person, app.signIn(person));
    return sessions.get(person)!;
  };
  /** A call in `person`'s native session; signed in again once when that session ended (evicted by the browser's sign-ins, or idle). */
  async function callAs(person: string, pathAndQuery: string, init: RequestInit = {}) {
    let answer = await app.call(pathAndQuery, (await sessionOf(person)).tokens.access_token, init);
    if (answer.status === 401) {
      sessions.delete(person);
      answer = await app.call(pathAndQuery, (await sessionOf(person)).tokens.access_token, init);
    }
    return answer;
  }
  /** Waits for `what` on `page`; on a timeout the failure says what the page shows instead. */
  async function see(page: Page, what: ReturnType<Page['getByTestId']>): Promise<void> {
    await what.waitFor().catch(async (error: unknown) => assert.fail(`${String(error).split('\n')[0]} — the page shows: ${(await page.locator('body').innerText().catch(() => '?')).replace(/\s+/g, ' ').slice(0, 600)}`));
  }

  /** The jobs the API gives this person (through a native app session of theirs). */
  async function apiJobs(person: string, query = ''): Promise<{ id: string; title: string; status: string; assignedTo: string | null; siteId: string }[]> {
    const jobs: { id: string; title: string; status: string; assignedTo: string | null; siteId: string }[] = [];
    // Every page, as the app reads them.
    for (let cursor = ''; ; ) {
      const answer = await callAs(person, `/api/v1/jobs?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(answer.status, 200, answer.text);
      jobs.push(...(answer.body.jobs as never[]));
      if (!answer.body.next) return jobs;
      cursor = String(answer.body.next);
    }
  }

  const listed = async (page: Page) => (await page.locator('[data-testid^="job-"]:not([data-testid="job-status"])').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')!.slice(4)))).sort();

  test('a person with no role is told so by Palisade, and back in the app sees the refusal screen', async () => {
    const { context, page, problems } = await phone();
    await shot(page, 'sign-in');
    await page.getByTestId('sign-in').click();
    await page.waitForURL(/\/dev-idp\/interaction\//);
    await page.click('button[data-person="demo-norole"]');
    await page.getByText('No access to Palisade apps').waitFor();
    await page.getByRole('button', { name: 'Return to the app' }).click();
    await page.waitForURL(new RegExp(`^http://localhost:${ORIGIN_PORT}/`));
    await page.getByTestId('refused-screen').waitFor();
    await shot(page, 'norole-refused');
    assert.equal(await page.getByTestId('home').count(), 0, 'no home screen');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the technician sees exactly their jobs for today, moves one along (a step out of order gets the 409) and uploads a photo', async () => {
    const { context, page, problems } = await phone();
    await signIn(page, 'demo-technician');
    await page.getByTestId('my-jobs').waitFor();
    await page.locator('[data-testid^="job-"]').first().waitFor();
    await shot(page, 'technician-home');
    const open = (await apiJobs('demo-technician')).filter((j) => ['assigned', 'en_route', 'on_site'].includes(j.status));
    const shown = await listed(page);
    for (const job of open) assert.ok(shown.includes(job.id), `the open job ${job.title} is shown`);
    const theirs = new Set((await apiJobs('demo-technician')).map((j) => j.id));
    for (const id of shown) assert.ok(theirs.has(id), 'every job shown is one of the technician’s');
    assert.equal(await page.getByTestId('office-jobs').count(), 0, 'no dispatcher list');
    assert.equal(await page.getByTestId('open-report').count(), 0, 'no report');

    const job = open.find((j) => j.status === 'assigned');
    assert.ok(job, 'the demo data gives Tess an assigned job');
    await page.getByTestId(`job-${job.id}`).click();
    await page.getByTestId('job-detail').waitFor();
    await page.getByTestId('access-notes').waitFor();
    await shot(page, 'technician-job');
    // Out of order: completed straight from assigned. The server refuses; the app says so plainly.
    await page.getByTestId('move-completed').click();
    await page.getByTestId('job-notice').waitFor();
    assert.match(await page.getByTestId('job-notice').innerText(), /assigned|completed|cannot|not/i);
    await shot(page, 'technician-409');
    assert.match(await page.getByTestId('detail-status').innerText(), /Assigned/, 'nothing changed');
    await page.getByTestId('move-en_route').click();
    await page.getByTestId('job-info').waitFor();
    assert.match(await page.getByTestId('detail-status').innerText(), /En route/);
    await page.getByTestId('move-on_site').click();
    await page.waitForFunction(() => /On site/.test(document.querySelector('[data-testid="detail-status"]')?.textContent ?? ''));
    const now = (await apiJobs('demo-technician')).find((j) => j.id === job.id);
    assert.equal(now?.status, 'on_site', 'the server holds the new status');

    // A photo: a 1×1 PNG chosen in the file picker; the server strips its metadata.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==', 'base64');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('add-photo').click();
    await (await chooser).setFiles({ name: 'meter.png', mimeType: 'image/png', buffer: png });
    await page.getByText('Photo uploaded.').waitFor();
    await shot(page, 'technician-photo');
    const session = await sessionOf('demo-technician');
    const photos = await app.call(`/api/v1/jobs/${job.id}/photos`, session.tokens.access_token);
    assert.equal((photos.body.photos as unknown[]).length, 1, 'the photo is on the job');

    // The lock screen: locked from the menu, unlocked with the device's unlock key.
    await page.goBack();
    await page.getByTestId('lock').click();
    await page.getByTestId('lock-screen').waitFor();
    await shot(page, 'technician-locked');
    await page.getByTestId('unlock').click();
    await page.getByTestId('home').waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the dispatcher sees every job in scope, filters and searches, and assigns one', async () => {
    const { context, page, problems } = await phone();
    await signIn(page, 'demo-dispatcher');
    await page.getByTestId('office-jobs').waitFor();
    const expected = (await apiJobs('demo-dispatcher')).map((j) => j.id).sort();
    assert.ok(expected.length > 0, 'the demo data has jobs in the dispatcher’s territory');
    // Exactly the API's jobs for this person: the count, and every row shown is one of them.
    await page.getByText(`Jobs in my scope (${expected.length})`).waitFor();
    await shot(page, 'dispatcher-home');
    for (const id of await listed(page)) assert.ok(expected.includes(id), 'every job shown is in the dispatcher’s scope');
    assert.equal(await page.getByTestId('my-jobs').count(), 0);
    assert.equal(await page.getByTestId('open-report').count(), 0, 'a dispatcher has no report');

    const unassigned = (await apiJobs('demo-dispatcher', '&status=new'))[0];
    assert.ok(unassigned, 'the demo data has a new job in the dispatcher’s scope');
    await page.getByTestId('filter-new').click();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="job-status"]')).every((e) => e.textContent === 'New'));
    await page.getByTestId('search').fill(unassigned.title.split(' ')[0]!);
    await page.getByTestId(`job-${unassigned.id}`).waitFor();
    await shot(page, 'dispatcher-filtered');
    await page.getByTestId(`job-${unassigned.id}`).click();
    await page.getByTestId('assign').waitFor();
    await page.locator('[data-testid^="assign-"]').first().waitFor();
    await shot(page, 'dispatcher-job');
    await page.locator('[data-testid^="assign-"]').first().click();
    await page.getByText('Assigned.').waitFor();
    const after = (await apiJobs('demo-dispatcher')).find((j) => j.id === unassigned.id);
    assert.equal(after?.status, 'assigned');
    assert.ok(after?.assignedTo);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the manager sees the report and exports the CSV behind step-up: the RFC 9470 challenge, a new sign-in at the IdP, the export completes', async () => {
    const { context, page, problems } = await phone();
    await signIn(page, 'demo-manager');
    await page.getByTestId('office-jobs').waitFor();
    // The region's jobs: the count shown is the API's for the manager (more than the dispatcher's territory).
    const expected = (await apiJobs('demo-manager')).length;
    assert.ok(expected > 0, 'the demo data has jobs in the manager’s region');
    await page.getByText(`Jobs in my scope (${expected})`).waitFor();
    await shot(page, 'manager-home');
    await page.getByTestId('open-report').click();
    await page.getByTestId('report-row').first().waitFor();
    await shot(page, 'manager-report');
    // The sign-in is made older than the step-up window: Palisade's clock jumps ahead while the
    // export is asked for (less than a DPoP proof's lifetime, so the proofs still pass), and is
    // set back once the browser is at the IdP, where the second sign-in happens at the real time.
    const exports: number[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/exports/jobs.csv') exports.push(r.status());
    });
    const challenged = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/exports/jobs.csv' && r.status() === 401, { timeout: 3 * STEP });
    const download = page.waitForEvent('download', { timeout: 3 * STEP });
    ahead = PAST_STEP_UP_MS;
    try {
      await page.getByTestId('export').click();
      await page.waitForURL(/\/dev-idp\/interaction\//, { timeout: 3 * STEP });
    } finally {
      ahead = 0;
    }
    // The body is gone with the page that asked (the SDK navigated to the IdP): the header says it.
    const header = (await challenged).headers()['www-authenticate'] ?? '';
    assert.match(header, /insufficient_user_authentication/, 'an RFC 9470 challenge');
    assert.match(header, /max_age=180/);
    assert.match(page.url(), /\/dev-idp\/interaction\//, 'the SDK sent the browser to sign in again');
    await shot(page, 'manager-step-up');
    await page.click('button[data-person="demo-manager"]');
    await page.waitForURL(new RegExp(`^http://localhost:${ORIGIN_PORT}/`)).catch(async (error: unknown) => {
      // Where the sign-in ended instead (Palisade's own error page says why).
      assert.fail(`the step-up sign-in did not return to the app: ${page.url()} — ${(await page.locator('body').innerText()).slice(0, 300)} (${String(error)})`);
    });
    // Back on the report, the export the manager asked for goes on by itself.
    await page.getByTestId('report').waitFor();
    const file = await download;
    const csv = readFileSync((await file.path())!, 'utf8');
    assert.match(csv.split('\r\n')[0]!, /id/, 'a CSV with its header');
    await page.getByText(/Exported \(\d+ bytes\)/).waitFor();
    await shot(page, 'manager-exported');
    assert.deepEqual(exports, [401, 200], 'one challenge, then the export: the new sign-in satisfied the step-up');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('the dispatcher plans a shift and sees technicians’ latest positions; the technician on shift sends theirs', async () => {
    const technicians = await callAs('demo-dispatcher', '/api/v1/technicians?active=true&limit=200');
    assert.equal(technicians.status, 200, technicians.text);
    const tess = (technicians.body.technicians as { id: string; displayName: string }[]).find((t) => /Tess/.test(t.displayName));
    assert.ok(tess, 'Tess is a technician in the dispatcher’s scope');
    // A shift going on now (the UI plans whole hours on coming days; this one must cover the test's time).
    const now = Date.now();
    const planned = await callAs('demo-dispatcher', '/api/v1/shifts', { method: 'POST', body: JSON.stringify({ technicianId: tess.id, startsAt: new Date(now - 3_600_000).toISOString(), endsAt: new Date(now + 6 * 3_600_000).toISOString() }) });
    assert.equal(planned.status, 201, planned.text);

    const technician = await phone({ geolocation: true });
    await signIn(technician.page, 'demo-technician');
    await see(technician.page, technician.page.getByTestId('on-shift'));
    await technician.page.getByTestId('report-location').click();
    await see(technician.page, technician.page.getByTestId('location-sent'));
    await shot(technician.page, 'technician-on-shift');
    assert.equal(await technician.page.getByTestId('open-team').count(), 0, 'a technician has no team screen');
    assert.deepEqual(technician.problems, []);
    await technician.context.close();

    const { context, page, problems } = await phone();
    await signIn(page, 'demo-dispatcher');
    await page.getByTestId('open-team').click();
    await page.getByTestId(`technician-${tess.id}`).waitFor();
    await page.getByTestId(`technician-${tess.id}`).getByTestId('shift').first().waitFor();
    await page.getByTestId(`plan-${tess.id}`).click();
    await page.getByTestId('plan-day-1').click();
    await page.getByTestId('plan-hour-8').click();
    await shot(page, 'dispatcher-plan-shift');
    await page.getByTestId('plan-save').click();
    await page.getByText('Shift planned.').waitFor();
    const shifts = await callAs('demo-dispatcher', `/api/v1/shifts?technicianId=${tess.id}`);
    const tomorrow8 = new Date(now);
    tomorrow8.setDate(tomorrow8.getDate() + 1);
    tomorrow8.setHours(8, 0, 0, 0);
    assert.ok((shifts.body.shifts as { startsAt: string }[]).some((x) => Date.parse(x.startsAt) === tomorrow8.getTime()), `the shift of tomorrow 08:00 is planned: ${shifts.text}`);
    await page.getByTestId('show-positions').click();
    const position = page.getByTestId(`technician-${tess.id}`).getByTestId('position');
    await position.waitFor();
    assert.match(await position.innerText(), new RegExp(`${HERE.latitude.toFixed(4)}, ${HERE.longitude.toFixed(4)}`), 'Tess’s latest position, as her browser sent it');
    await shot(page, 'dispatcher-team');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('after 15 minutes idle the app locks itself, and unlocks', async () => {
    const { context, page, problems } = await phone({ clock: true });
    try {
      await signIn(page, 'demo-technician');
      await page.getByTestId('my-jobs').waitFor();
      await page.locator('[data-testid^="job-"]').first().waitFor();
      // Fifteen minutes pass for the page and for Palisade alike (their clocks stay together, as
      // a DPoP proof's iat and a signature's created must): the app's idle timer fires.
      ahead = IDLE_MS;
      await page.clock.fastForward(IDLE_MS);
      await page.getByTestId('lock-screen').waitFor();
      await shot(page, 'technician-idle-locked');
      assert.equal(await page.getByTestId('my-jobs').count(), 0, 'nothing of the jobs behind the lock');
      await page.getByTestId('unlock').click();
      await see(page, page.getByTestId('home'));
      await page.getByTestId('refresh').click();
      await page.locator('[data-testid^="job-"]').first().waitFor();
      assert.deepEqual(problems, []);
    } finally {
      ahead = 0;
      await context.close();
    }
  });

  test('offline: the technician’s list is the one kept encrypted on the device, and a job says it needs a connection', async () => {
    const { context, page, problems } = await phone();
    await signIn(page, 'demo-technician');
    await page.getByTestId('my-jobs').waitFor();
    await page.locator('[data-testid^="job-"]').first().waitFor();
    const online = await listed(page);
    const count = await page.getByText(/My jobs today \(\d+\)/).innerText();
    const theirs = await apiJobs('demo-technician');
    const title = theirs.find((j) => j.id === online[0])!.title;
    // What the offline store holds: its record, ciphertext (the title appears in none).
    let stored = await offlineRecords(page);
    for (const started = Date.now(); !stored?.length; stored = await offlineRecords(page)) {
      assert.ok(Date.now() - started < STEP, 'the job list is kept within a minute');
      await page.waitForTimeout(100);
    }
    for (const text of stored) assert.ok(!text.includes(title), 'no job title in plaintext in IndexedDB');

    await context.setOffline(true);
    await page.getByTestId('refresh').click();
    await page.getByTestId('offline-kept').waitFor();
    // The same list (the rows mounted are the list's first ones: it renders as it scrolls).
    await page.getByText(count).waitFor();
    for (const id of await listed(page)) assert.ok(theirs.some((j) => j.id === id), 'every kept row is one of the technician’s jobs');
    await shot(page, 'technician-offline');
    await page.getByTestId(`job-${online[0]}`).click();
    await page.getByText('This job needs a connection.').waitFor();
    assert.equal(await page.getByTestId('access-notes').count(), 0, 'no access notes offline');
    await shot(page, 'technician-offline-job');
    await context.setOffline(false);
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(p)), []);
    await context.close();
  });

  test('on a personal (BYOD) device under the default policy: the export is hidden with the reason, the server refuses it anyway, nothing is kept offline', async () => {
    const { context, page, problems } = await phone({ palisade: 'strict' });
    await signIn(page, 'demo-manager');
    await page.getByTestId('office-jobs').waitFor();
    await page.locator('[data-testid^="job-"]').first().waitFor();
    await page.getByTestId('open-report').click();
    await page.getByTestId('export-refused').waitFor();
    assert.match(await page.getByTestId('export-refused').innerText(), /personal \(BYOD\) device/);
    assert.equal(await page.getByTestId('export').count(), 0, 'no export button');
    await shot(page, 'manager-byod-export-refused');
    // The server refuses it anyway, whatever the UI shows.
    const manager = await strictApp.signIn('demo-manager');
    const refused = await strictApp.call('/api/v1/exports/jobs.csv', manager.tokens.access_token);
    assert.equal(refused.status, 403, refused.text);
    assert.match(String(refused.body.type), /export-not-allowed-on-byod$/);
    // Offline data is off here: the store is empty, and offline the list needs a connection.
    await page.goBack();
    await page.getByTestId('office-jobs').waitFor();
    const kept = await offlineRecords(page);
    assert.equal(kept?.length ?? 0, 0, 'nothing kept offline on a personal device');
    await context.setOffline(true);
    await page.getByTestId('refresh').click();
    await page.getByText(/the job list needs one/).waitFor();
    assert.equal(await page.locator('[data-testid^="job-"]:not([data-testid="job-status"])').count(), 0, 'no list without a connection');
    await shot(page, 'manager-byod-offline');
    await context.setOffline(false);
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(p)), []);
    await context.close();

  });

  test('the admin sees the console link', async () => {
    const { context, page } = await phone();
    await signIn(page, 'demo-admin');
    await page.getByTestId('open-console').waitFor();
    await shot(page, 'admin-home');
    await context.close();
  });

  test('a wipe from the admin API returns the app to sign-in with IndexedDB and web storage empty', async () => {
    // Ordering a wipe needs a recent sign-in (step-up): the administrator signs in now.
    const admin = await app.signIn('demo-admin');
    type Listed = { id: string; platform: string | null; compliance: string };
    const fieldDevices = async () => {
      const listed = await app.call('/admin/v1/devices?app=field-web&state=active&limit=200', admin.tokens.access_token);
      assert.equal(listed.status, 200, listed.text);
      return listed.body.devices as Listed[];
    };
    // This browser's device is the one its sign-in adds. Not the one seen last: the idle test's
    // device was last seen with Palisade's clock 16 minutes ahead, later than anything since.
    const before = new Set((await fieldDevices()).map((d) => d.id));
    const { context, page, problems } = await phone();
    await signIn(page, 'demo-technician');
    await page.getByTestId('my-jobs').waitFor();
    const added = (await fieldDevices()).filter((d) => !before.has(d.id));
    assert.equal(added.length, 1, `the browser's sign-in adds one field-web device: ${JSON.stringify(added)}`);
    const device = added[0]!;
    assert.deepEqual([device.platform, device.compliance], ['web', 'compliant'], 'judged on the web report it sent (without one it would be unknown, and refused here)');
    const ordered = await app.call(`/admin/v1/devices/${device.id}/wipe`, admin.tokens.access_token, { method: 'POST', body: JSON.stringify({ reason: 'laptop lost' }) });
    assert.equal(ordered.status, 201, ordered.text);
    // The refresh makes the next call, which meets the wipe. Under load the app can meet it on a
    // call of its own first: the sign-in screen then replaces the button while Playwright is
    // still clicking it, and the click would wait for a button that never comes back. What must
    // happen is the sign-in screen, either way.
    const clicking = page.getByTestId('refresh').click().catch(() => undefined);
    await page.getByTestId('sign-in-screen').waitFor();
    assert.match(await page.getByTestId('signed-out-reason').innerText(), /wiped/);
    await shot(page, 'wiped');
    const left = await page.evaluate(async () => {
      const stores: Record<string, number> = {};
      for (const info of await indexedDB.databases()) {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(info.name!);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        for (const name of Array.from(db.objectStoreNames)) {
          stores[`${info.name}/${name}`] = await new Promise<number>((resolve) => {
            const count = db.transaction(name).objectStore(name).count();
            count.onsuccess = () => resolve(count.result);
          });
        }
        db.close();
      }
      return { stores, local: localStorage.length, session: sessionStorage.length, cookie: document.cookie };
    });
    assert.deepEqual({ ...left, stores: Object.values(left.stores).filter((n) => n > 0) }, { stores: [], local: 0, session: 0, cookie: '' }, `nothing left: ${JSON.stringify(left)}`);
    assert.deepEqual(problems, []);
    await context.close();
    await clicking;
  });

  test('under a minimum app version above the web build’s: the update-required screen (426), and the server refuses the grant anyway', async () => {
    await strict.close();
    ({ server: strict, ca: strictCa } = await startStrict({ apps: { 'field-web': { byod: { minAppVersion: '99.0' } } } }));
    try {
      const { context, page, problems } = await phone({ palisade: 'strict' });
      // The refusal is the server's: the token request carries the web build's posture report
      // (its version, 1.0.0) and is answered 426 app-update-required.
      // (A first answer asking for a DPoP nonce, RFC 9449 §8, is the protocol, not a refusal.)
      const grants: { status: number; type: string }[] = [];
      page.on('response', async (r) => {
        if (new URL(r.url()).pathname !== '/oauth2/token') return;
        const body = (await r.json().catch(() => ({}))) as { type?: string; error?: string };
        if (body.error !== 'use_dpop_nonce') grants.push({ status: r.status(), type: String(body.type) });
      });
      await signIn(page, 'demo-technician');
      await page.getByTestId('device-update-required').waitFor();
      assert.match(await page.getByTestId('device-reason').innerText(), /no longer allowed/);
      assert.equal(await page.getByTestId('my-jobs').count(), 0, 'no jobs behind the update screen');
      await shot(page, 'technician-update-required');
      assert.deepEqual(grants.map((g) => g.status), [426], JSON.stringify(grants));
      assert.match(grants[0]!.type, /app-update-required$/);
      assert.deepEqual(problems, []);
      await context.close();
    } finally {
      await strict.close();
      ({ server: strict, ca: strictCa } = await startStrict());
    }
  });
});
