/**
 * The admin console in real Chromium (Playwright with the Debian Chromium), against Palisade
 * with its development IdP, on PGlite and PostgreSQL:
 *
 * - an administrator signs in at /console/ (Authorization Code + PKCE + DPoP as the browser
 *   client palisade-console), finds the technician by name, opens their page and ends one of
 *   their sessions; the technician's app, signed in beforehand, is refused at its next call;
 * - a dispatcher sees the refusal page, and the page asks the admin API for nothing; the
 *   admin lists answer the dispatcher's own token with 403;
 * - no CSP violation, page error or console error on the way; no token readable in
 *   localStorage, sessionStorage or document.cookie; screenshots are written by the run.
 *
 * Needs Chromium at /usr/bin/chromium (PALISADE_TEST_CHROMIUM), like the start page's test.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess } from '../helpers/server.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit } from '../../src/audit/index.ts';

const CHROMIUM = process.env.PALISADE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const browserMissing =
  !existsSync(CHROMIUM) && !process.env.PALISADE_REQUIRE_BROWSER ? `Chromium not found at ${CHROMIUM}: apt-get install -y chromium to run the browser tests` : false;
const STEP_TIMEOUT = 30_000;

test('the console keeps nothing in web storage or script-readable cookies (source scan)', () => {
  const dir = path.resolve(import.meta.dirname, '../../../console/src');
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    assert.doesNotMatch(text, /localStorage|sessionStorage|document\.cookie/, `${file} must not use web storage or document.cookie`);
  }
});

for (const kind of databaseKinds()) {
  describe(`the admin console in a browser (${kind.kind})`, { skip: browserMissing }, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let app: MobileApp;
    let browser: Browser;
    let screenshots: string;

    before(async () => {
      database = await kind.create({ migrated: true });
      let ca: string;
      // No company IdP: Palisade's development IdP signs the demo people in.
      ({ server, ca } = await startInProcess(database, { env: {} }, await freePort(), { PALISADE_DEMO_SEED: 'false' }));
      app = new MobileApp(server.url, ca);
      screenshots = process.env.PALISADE_TEST_SCREENSHOTS ?? path.join(database.dataDir, 'screenshots');
      mkdirSync(screenshots, { recursive: true });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${server.pin.replace(/^sha256\//, '')}`],
      });
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await app?.close();
      await database?.drop();
    });

    /** A fresh profile on /console/, collecting CSP violations, page errors, console errors and admin API calls. */
    async function openConsole(): Promise<{ page: Page; problems: string[]; adminCalls: string[] }> {
      const context = await browser.newContext();
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      const problems: string[] = [];
      const adminCalls: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // Chromium logs every 4xx as "Failed to load resource"; the protocol has expected ones (the
      // token endpoint's use_dpop_nonce answer), so statuses are judged below instead: a 404 or
      // any 5xx is a failure. Every other console error — a CSP violation above all — is one.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
      });
      page.on('response', (r) => {
        if (r.status() === 404 || r.status() >= 500) problems.push(`${r.status()}: ${r.url()}`);
      });
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/admin/')) adminCalls.push(`${request.method()} ${new URL(request.url()).pathname}`);
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
      });
      const response = await page.goto(`${server.url}/console/`);
      assert.equal(response?.status(), 200, 'the console is served');
      const csp = response!.headers()['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'/, 'under the strict CSP');
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');
      return { page, problems, adminCalls };
    }

    async function signInAs(page: Page, person: string): Promise<void> {
      await page.locator('#sign-in').click();
      await page.waitForURL(/\/dev-idp\/interaction\//);
      await page.click(`button[data-person="${person}"]`);
      await page.waitForURL(new RegExp(`^${server.url}/console/`));
    }

    async function noSecretsReadable(page: Page): Promise<void> {
      const readable = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
      assert.deepEqual(readable, { local: 0, session: 0, cookie: '' }, 'no token in web storage or script-readable cookies');
    }

    test('an admin finds the technician by name and ends one of their sessions; the technician’s app is refused', async () => {
      const tech = await app.signIn('demo-technician');
      const techSid = decodeJwt(tech.tokens.access_token).sid as string;
      const other = await app.signIn('demo-technician');
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'the technician’s app works before');

      const { page, problems } = await openConsole();
      await page.screenshot({ path: path.join(screenshots, 'console-sign-in.png'), fullPage: true });
      await signInAs(page, 'demo-admin');
      await page.getByRole('heading', { name: 'People' }).waitFor();
      assert.match(await page.locator('#signed-in-as').innerText(), /Ada Admin/);

      await page.locator('#people-search').fill('Tess');
      await page.getByRole('button', { name: 'Search' }).click();
      // The search's answer replaces the first page (which listed everyone signed in so far).
      await page.waitForFunction(() => document.querySelectorAll('[data-person]').length === 1);
      const person = page.getByRole('link', { name: 'Tess Technician' });
      await person.waitFor();
      await page.screenshot({ path: path.join(screenshots, 'console-people.png'), fullPage: true });
      await person.click();
      await page.getByRole('heading', { name: 'Tess Technician' }).waitFor();
      const row = page.locator(`[data-session="${techSid}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), /active/);
      await page.screenshot({ path: path.join(screenshots, 'console-person.png'), fullPage: true });

      await row.getByRole('button', { name: 'End session' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'End session' }).click();
      await page.waitForFunction((sid) => /ended/.test(document.querySelector(`[data-session="${sid}"]`)?.textContent ?? ''), techSid);

      const refused = await app.call('/api/v1/me', tech.tokens.access_token);
      assert.equal(refused.status, 401, 'the ended session’s app is refused');
      assert.equal((await app.call('/api/v1/me', other.tokens.access_token)).status, 200, 'the technician’s other session goes on');
      await noSecretsReadable(page);
      assert.deepEqual(problems, [], 'no CSP violation, page error or console error');
      await page.context().close();
    });

    test('only files of the build are served under /console/: traversal gets the app page or a 404, never another file', async () => {
      const http = app.http;
      for (const attack of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2f..%2fpackage.json', '/console/assets/..%2f..%2f..%2fpackage.json', '/console/assets/%2e%2e%2f%2e%2e%2fserver%2fsrc%2fmain.ts', '/console//etc/passwd', '/console/assets/nope.js']) {
        const answer = await http.fetch(`${server.url}${attack}`);
        const text = await answer.text();
        assert.ok([200, 400, 404].includes(answer.status), `${attack}: ${answer.status}`);
        assert.doesNotMatch(text, /"workspaces"|startServer|root:x:0/, `${attack} must not reveal a file outside the build`);
        if (answer.status === 200) assert.match(text, /<div id="root">/, `${attack}: the console's own page`);
      }
      const index = await http.fetch(`${server.url}/console/people/some-id`);
      assert.equal(index.status, 200, 'the app’s own routes get its page');
      assert.equal(index.headers.get('cache-control'), 'no-store');
    });

    test('a dispatcher sees the refusal page and no data; the admin API refuses their token', async () => {
      const { page, problems, adminCalls } = await openConsole();
      await signInAs(page, 'demo-dispatcher');
      await page.locator('#refused').waitFor();
      assert.match(await page.locator('#refused').innerText(), /do not have access/);
      assert.equal(await page.locator('table').count(), 0, 'no data on the page');
      assert.deepEqual(adminCalls, [], 'the console asked the admin API for nothing');
      await page.screenshot({ path: path.join(screenshots, 'console-refused.png'), fullPage: true });
      await noSecretsReadable(page);
      assert.deepEqual(problems, []);
      await page.context().close();

      const dispatcher = await app.signIn('demo-dispatcher');
      for (const list of ['/admin/v1/users', '/admin/v1/sessions', '/admin/v1/devices', '/admin/v1/users?q=Tess']) {
        assert.equal((await app.call(list, dispatcher.tokens.access_token)).status, 403, list);
      }
    });
  });
}

for (const kind of databaseKinds()) {
  describe(`the console meets a step-up challenge: re-authenticates and retries (${kind.kind})`, { skip: browserMissing }, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    let browser: Browser;

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port));
      app = new MobileApp(server.url, ca);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--ignore-certificate-errors-spki-list=${server.pin.replace(/^sha256\//, '')}`],
      });
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    /** Signs in at the company IdP's form (the test IdP takes the person's id). */
    async function companyLogin(page: Page, person: string): Promise<void> {
      await page.waitForURL(new RegExp(`^${upstream.issuer}/interaction/`));
      await page.locator('input[name="person"]').fill(person);
      await page.locator('input[name="person"]').press('Enter');
      await page.waitForURL(new RegExp(`^${server.url}/console/`));
    }

    test('ending a session with an old sign-in asks for a fresh one, then the end is carried out', async () => {
      const tech = await app.signIn('u-tech');
      const techSid = decodeJwt(tech.tokens.access_token).sid as string;
      const context = await browser.newContext();
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
      });
      await page.goto(`${server.url}/console/`);
      // The admin's sign-in at the company IdP is an hour old: reading is fine, ending is not.
      upstream.staleLoginSeconds = 3600;
      await page.locator('#sign-in').click();
      await companyLogin(page, 'u-admin');
      await page.locator('#people-search').fill('Terry');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-person]').length === 1);
      await page.getByRole('link', { name: 'Terry Tech' }).click();
      const row = page.locator(`[data-session="${techSid}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: 'End session' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'End session' }).click();

      // The RFC 9470 challenge sends the browser back to the company IdP, asking for a new login.
      upstream.staleLoginSeconds = 0;
      await companyLogin(page, 'u-admin');
      const forwarded = upstream.requests.at(-1)!;
      assert.equal(forwarded.get('prompt'), 'login', 'the IdP is asked for a real login');
      await page.locator('#notice').waitFor();
      assert.match(await page.locator('#notice').innerText(), /carried out/);
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 401, 'the session was ended by the retried call');
      await server.audit.flush();
      const ended = (await searchAudit(server.db, { action: 'admin.session.revoke', outcome: 'success', resourceId: techSid, limit: 10 })).events;
      assert.equal(ended.length, 1, 'ended once, audited');
      const refusedFirst = (await searchAudit(server.db, { action: 'http.denied', limit: 50 })).events.filter((e) => e.resource?.id === 'DELETE /admin/v1/sessions/:id');
      assert.ok(refusedFirst.length >= 1, 'the first attempt, with the old sign-in, was refused with the challenge');
      assert.deepEqual(problems, []);
      await context.close();
    });
  });
}
