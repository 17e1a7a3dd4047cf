/**
 * The admin console in real Chromium (Playwright with the Debian Chromium), against Palisade
 * with its development IdP, on PGlite and PostgreSQL (some of it on one database: see below):
 *
 * - an administrator signs in at /console/ (Authorization Code + PKCE + DPoP as the browser
 *   client palisade-console), finds the technician by name, opens their page and ends one of
 *   their sessions; the technician's app, signed in beforehand, is refused at its next call;
 * - a dispatcher sees the refusal page, and the page asks the admin API for nothing; the
 *   admin lists answer the dispatcher's own token with 403;
 * - an app key is shown once and listed without its secret afterwards; the audit page finds the
 *   console's own actions with the admin as actor and verifies the chain; on the person page a
 *   role is granted and removed and the person contained and re-enabled; the overview shows an
 *   open incident's breach clock and the alerts page the webhook delivery log;
 * - every page is reached by keyboard, with no serious or critical axe-core finding;
 * - with the company IdP: wiping or locking a device, ending a session, changing a role and
 *   rotating an app key with an hour-old sign-in meet the RFC 9470 challenge (the API refuses
 *   them, 401 with `insufficient_user_authentication`); the console asks for a fresh sign-in
 *   (`prompt=login`), then the SDK sends the call again and it is carried out (the wipe shown
 *   delivered once the device fetched it, the rotated key shown once);
 * - on two instances (PostgreSQL, Redis when TEST_REDIS_URL is set): a session ended in the
 *   console through instance A is refused by instance B within a second;
 * - no CSP violation, page error or console error on the way; no token readable in
 *   localStorage, sessionStorage or document.cookie; screenshots of every page are written to
 *   test-results/console/ (gitignored; docs/images/ holds copies of two).
 *
 * One Chromium for the file, launched at its start: every server uses one development
 * certificate made up front (helpers/chromium.ts), and Chromium trusts its pin alone. One server
 * and one admin sign-in per describe; the step-up tests sign in twice by design (an old sign-in,
 * then the fresh one it asks for). The describes run one after another: side by side they were
 * slower on a busy 2-core machine (every step of both competes for the same cores). What costs
 * is a page load of the console (its script and styles parsed and run again): a sign-in is two.
 *
 * On both databases: the admin's sign-in, the person found and one of their sessions ended from
 * the console (the app refused), and the traversal check. Everything else on one database only
 * (ONE_DATABASE: PostgreSQL when TEST_DATABASE_URL is set, as in CI, else PGlite; screenshots
 * too), because what it checks in the browser is the console's own code, and the server's side
 * of it is covered on both databases by API tests (docs/testing.md, "Keeping it fast"):
 * - the app key, audit, overview and alerts, person page and dispatcher tests: see the comment
 *   above the app key test;
 * - the keyboard and axe pass over every page: the pages' reads in e2e/admin-console-api,
 *   e2e/admin-lists, e2e/audit and e2e/admin-audit-alerts-incidents;
 * - the step-up describe: the challenge to each of its actions with an old sign-in in
 *   e2e/admin-console-api (roles, key rotation, device lock, ending a session, disabling),
 *   e2e/device-commands (wipe) and e2e/admin-audit-alerts-incidents (the audit archive); the
 *   re-authentication with `max_age` and `prompt=login` giving a fresh `auth_time`, and the
 *   refused call going through after it, in e2e/step-up-reauth; the actions themselves with a
 *   fresh sign-in in e2e/device-commands, e2e/sessions, e2e/app-keys, domains/fieldservice
 *   and e2e/admin-audit-alerts-incidents.
 *
 * Needs Chromium at /usr/bin/chromium (PALISADE_TEST_CHROMIUM), like the start page's test.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { type Browser, type Page } from 'playwright-core';
import { chromiumMissing, fileBrowser } from '../helpers/chromium.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { REPO_ROOT, freePort, startInProcess } from '../helpers/server.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import { startTwoInstances, type TwoInstances } from '../helpers/instances.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import type { RunningServer } from '../../src/main.ts';
import { asRole, chainHead, publicAuditKeys, searchAudit, verifyBundle } from '../../src/audit/index.ts';
import { openIncident } from '../../src/privacy/index.ts';
import { systemClock } from '../../src/clock.ts';

const browserMissing = chromiumMissing;
const STEP_TIMEOUT = 30_000;
/** The console's pages: the navigation link, the page's heading and the screenshot's name. */
const PAGES = [
  ['Overview', 'Overview', 'overview'],
  ['People', 'People', 'people-list'],
  ['Sessions', 'Sessions', 'sessions'],
  ['Devices', 'Devices', 'devices'],
  ['App keys', 'App keys', 'app-keys-list'],
  ['Audit', 'Audit', 'audit-list'],
  ['Alerts', 'Alerts', 'alerts'],
  ['MDM', 'MDM', 'mdm'],
  ['Configuration', 'Configuration', 'configuration'],
  ['Compliance', 'Compliance', 'compliance'],
] as const;
/**
 * The database of the browser tests that run on one database only: PostgreSQL when
 * TEST_DATABASE_URL is set (CI), else PGlite. What they check in the browser (the pages' markup
 * and keyboard paths, the console's handling of the RFC 9470 challenge) is the same code on
 * either; what the server does for them on each database is covered on both by API tests (see
 * the file's comment and docs/testing.md).
 */
const ONE_DATABASE = databaseKinds().at(-1)!.kind;

test('the console keeps nothing in web storage or script-readable cookies (source scan)', () => {
  const dir = path.resolve(import.meta.dirname, '../../../console/src');
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    assert.doesNotMatch(text, /localStorage|sessionStorage|document\.cookie/, `${file} must not use web storage or document.cookie`);
  }
});

const shared = fileBrowser(browserMissing);

/** The browser every describe shares, once `server` is up: its banner must announce the pin Chromium trusts. */
async function browserFor(server: { pin: string }): Promise<Browser> {
  assert.equal(server.pin, shared.certificate.pin, 'the server announces the pin of the certificate Chromium trusts');
  return shared.browser();
}

async function noSecretsReadable(page: Page): Promise<void> {
  const readable = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
  assert.deepEqual(readable, { local: 0, session: 0, cookie: '' }, 'no token in web storage or script-readable cookies');
}

for (const kind of databaseKinds()) {
  describe(`the admin console in a browser (${kind.kind})`, { skip: browserMissing }, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let app: MobileApp;
    let browser: Browser;
    let screenshots: string;

    before(async () => {
      database = await kind.create({ migrated: true });
      shared.certificate.install(database.dataDir);
      let ca: string;
      // No company IdP: Palisade's development IdP signs the demo people in.
      ({ server, ca } = await startInProcess(database, { env: {} }, await freePort(), { PALISADE_DEMO_SEED: 'false' }));
      app = new MobileApp(server.url, ca);
      // Gitignored; the README's two images are copied from here (docs/images/).
      screenshots = process.env.PALISADE_TEST_SCREENSHOTS ?? path.join(REPO_ROOT, 'test-results', 'console', kind.kind);
      mkdirSync(screenshots, { recursive: true });
      browser = await browserFor(server);
    });
    after(async () => {
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

    /** The administrator's one sign-in in this file: a page that every admin test goes on with. */
    let adminPage: { page: Page; problems: string[] } | undefined;
    async function asAdmin(): Promise<{ page: Page; problems: string[] }> {
      if (adminPage) return adminPage;
      const { page, problems } = await openConsole();
      if (kind.kind === ONE_DATABASE) await page.screenshot({ path: path.join(screenshots, 'console-sign-in.png'), fullPage: true });
      await signInAs(page, 'demo-admin');
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      assert.match(await page.locator('#signed-in-as').innerText(), /Ada Admin/);
      adminPage = { page, problems };
      return adminPage;
    }
    async function go(page: Page, link: string, heading: string): Promise<void> {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
    }

    test('an admin finds the technician by name and ends one of their sessions; the technician’s app is refused', async () => {
      const tech = await app.signIn('demo-technician');
      const techSid = decodeJwt(tech.tokens.access_token).sid as string;
      const other = await app.signIn('demo-technician');
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'the technician’s app works before');

      const { page, problems } = await asAdmin();
      await go(page, 'People', 'People');
      await page.locator('#people-search').fill('Tess');
      await page.getByRole('button', { name: 'Search' }).click();
      // The search's answer replaces the first page (which listed everyone signed in so far).
      await page.waitForFunction(() => document.querySelectorAll('[data-person]').length === 1);
      const person = page.getByRole('link', { name: 'Tess Technician' });
      await person.waitFor();
      if (kind.kind === ONE_DATABASE) await page.screenshot({ path: path.join(screenshots, 'console-people.png'), fullPage: true });
      await person.click();
      await page.getByRole('heading', { name: 'Tess Technician' }).waitFor();
      // One screen: attributes, status, roles (where they come from), sessions and devices.
      await page.getByText('hvac').waitFor();
      assert.equal(await page.locator('#person-status').innerText(), 'active');
      await page.locator('[data-role="technician"]').waitFor();
      assert.match(await page.locator('[data-role="technician"]').innerText(), /from groups/);
      const row = page.locator(`[data-session="${techSid}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), /active/);
      await page.locator('[data-device]').first().waitFor();
      if (kind.kind === ONE_DATABASE) await page.screenshot({ path: path.join(screenshots, 'console-person.png'), fullPage: true });

      await row.getByRole('button', { name: 'End session' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'End session' }).click();
      // innerText, not textContent: the row also holds the closed confirmation dialog, whose text
      // ("…is ended at once…") would match before the end is carried out.
      await page.waitForFunction((sid) => /ended/.test((document.querySelector(`[data-session="${sid}"]`) as HTMLElement | null)?.innerText ?? ''), techSid);

      const refused = await app.call('/api/v1/me', tech.tokens.access_token);
      assert.equal(refused.status, 401, 'the ended session’s app is refused');
      assert.equal((await app.call('/api/v1/me', other.tokens.access_token)).status, 200, 'the technician’s other session goes on');
      await noSecretsReadable(page);
      assert.deepEqual(problems, [], 'no CSP violation, page error or console error');
    });

    // From here to the end of the describe, the browser tests run on one database (ONE_DATABASE;
    // the traversal check, which needs no browser, on both). The server's side of each is covered
    // on both databases: app keys in e2e/app-keys and e2e/admin-console-api, the audit search in
    // e2e/audit, the chain's verification in e2e/admin-console-api, incidents and webhook
    // deliveries in e2e/admin-audit-alerts-incidents, role changes in domains/fieldservice,
    // containment in e2e/admin-console-api, every page's reads in e2e/admin-console-api,
    // e2e/admin-lists, e2e/audit and e2e/admin-audit-alerts-incidents, the dispatcher's refusals
    // in e2e/admin-lists and e2e/admin-console-api.
    if (kind.kind === ONE_DATABASE) test('an app key is shown once; listed again it has no secret, on the page or in the API', async () => {
      const { page, problems } = await asAdmin();
      await go(page, 'App keys', 'App keys');
      await page.locator('#app-keys-app').selectOption('field-app');
      await page.locator('#app-key-name').fill('console e2e');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Create key' }).click();
      await page.locator('#secret-value').waitFor();
      const secret = await page.locator('#secret-value').innerText();
      assert.match(secret, /^pal_live_/, 'the key is shown');
      const keyId = secret.split('_')[2]!;
      await page.locator(`[data-app-key="${keyId}"]`).waitFor();
      await page.screenshot({ path: path.join(screenshots, 'console-app-keys.png'), fullPage: true });

      // Leave and come back: the list is read again from the server, and the key is gone.
      await go(page, 'Audit', 'Audit');
      await go(page, 'App keys', 'App keys');
      await page.locator(`[data-app-key="${keyId}"]`).waitFor();
      assert.equal(await page.locator('#secret-value').count(), 0, 'not shown again');
      assert.ok(!(await page.content()).includes(secret), 'the key is nowhere on the page');
      const admin = await app.signIn('demo-admin');
      const listed = await app.call('/admin/v1/apps/field-app/keys', admin.tokens.access_token);
      assert.equal(listed.status, 200);
      assert.ok(!listed.text.includes(secret) && !listed.text.includes(secret.slice(-20)), 'the API lists it without its secret');
      assert.ok((listed.body.keys as { id: string }[]).some((k) => k.id === keyId));
      assert.deepEqual(problems, []);
    });

    if (kind.kind === ONE_DATABASE) test('the audit page finds the console’s own actions with the admin as actor, shows a record, and verifies the chain', async () => {
      const { page, problems } = await asAdmin();
      await server.audit.flush();
      await go(page, 'Audit', 'Audit');
      await page.locator('#audit-action').fill('admin.app_keys.create');
      await page.getByRole('button', { name: 'Search' }).click();
      // The search's answer replaces the first page (everything, newest first).
      await page.waitForFunction(() => {
        const rows = Array.from(document.querySelectorAll('[data-audit]'));
        return rows.length >= 1 && rows.every((row) => row.getAttribute('data-action') === 'admin.app_keys.create');
      });
      const rows = await page.locator('[data-audit]').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
      assert.ok(rows.length >= 1 && rows.every((text) => text.includes('admin.app_keys.create')), 'only the filtered action');
      assert.match(rows[0]!, /Ada Admin \(you\)/, 'the admin is the actor');
      await page.locator('[data-audit]').first().getByRole('button').click();
      await page.locator('#audit-detail').waitFor();
      assert.match(await page.locator('#audit-detail').innerText(), /Before[\s\S]*After/);
      await page.locator('#verify-chain').click();
      await page.locator('#verify-report').waitFor();
      assert.match(await page.locator('#verify-report').innerText(), /The chain verifies/);
      await page.screenshot({ path: path.join(screenshots, 'console-audit.png'), fullPage: true });
      assert.deepEqual(problems, []);
    });

    if (kind.kind === ONE_DATABASE) test('the overview shows an open breach’s 72-hour clock; the alerts page has the webhook delivery log', async () => {
      const { page, problems } = await asAdmin();
      await openIncident({ db: server.db, audit: server.audit, clock: systemClock }, { summary: 'Lost laptop with a job export', detectedAt: new Date(Date.now() - 50.5 * 3_600_000), openedBy: 'console e2e' });
      await go(page, 'Alerts', 'Alerts');
      await page.getByRole('heading', { name: 'Webhook deliveries' }).waitFor();
      await go(page, 'Overview', 'Overview');
      const clock = page.locator('#breach-clocks');
      await clock.getByText('Lost laptop with a job export').waitFor();
      // 72 h from detection, 50½ h ago: 21 h and about 30 minutes left, however long the page took
      // (at exactly 50 h a quick machine showed the rounded "22 h 0 min").
      assert.match(await clock.innerText(), /21 h \d+ min left/);
      assert.deepEqual(problems, []);
    });

    if (kind.kind === ONE_DATABASE) test('on the person page an admin grants and removes a role, disables the person (contained) and re-enables them', async () => {
      const { page, problems } = await asAdmin();
      const tech = await app.signIn('demo-technician');
      await go(page, 'People', 'People');
      await page.getByRole('link', { name: 'Tess Technician' }).click();
      await page.getByRole('heading', { name: 'Tess Technician' }).waitFor();
      const confirm = async (button: string) => {
        await page.getByRole('button', { name: button, exact: true }).click();
        await page.getByRole('alertdialog').getByRole('button', { name: button, exact: true }).click();
      };
      await confirm('Grant dispatcher');
      await page.waitForFunction(() => /granted here/.test((document.querySelector('[data-role="dispatcher"]') as HTMLElement | null)?.innerText ?? ''));
      await confirm('Remove dispatcher');
      await page.waitForFunction(() => /Grant dispatcher/.test((document.querySelector('[data-role="dispatcher"]') as HTMLElement | null)?.innerText ?? ''));

      await confirm('Disable (contain)');
      await page.waitForFunction(() => document.querySelector('#person-status')?.textContent === 'disabled');
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 401, 'the contained person’s app is refused at once');
      await confirm('Re-enable');
      await page.waitForFunction(() => document.querySelector('#person-status')?.textContent === 'active');
      await server.audit.flush();
      const adminSub = (await server.db.query<{ id: string }>(`SELECT id FROM users WHERE subject = 'demo-admin'`)).rows[0]!.id;
      for (const action of ['user.roles.change', 'user.disable', 'user.enable']) {
        const found = (await searchAudit(server.db, { action, limit: 10 })).events;
        assert.ok(found.some((e) => e.actor.userId === adminSub), `${action} recorded with the admin as actor`);
      }
      assert.deepEqual(problems, []);
    });

    if (kind.kind === ONE_DATABASE) test('every page: reachable by keyboard, no CSP violation or console error, no serious or critical axe finding', async () => {
      const { page, problems } = await asAdmin();
      const axeSource = readFileSync(path.join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
      const findings: string[] = [];
      const scan = async (name: string) => {
        // Injected through the DevTools protocol, not a <script>: the page's CSP stays as it is.
        // Once per document: the console moves between its pages without loading a new one.
        if (await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'undefined')) await page.evaluate(axeSource);
        const result = await page.evaluate(() => (globalThis as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] }));
        for (const v of result.violations) if (v.impact === 'serious' || v.impact === 'critical') findings.push(`${name}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      };
      for (const [link, heading, file] of PAGES) {
        // Keyboard only: from the top of the page, Tab to the page's link in the main navigation and press Enter.
        await page.locator('body').focus();
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        let reached = false;
        for (let presses = 0; presses < 40 && !reached; presses++) {
          await page.keyboard.press('Tab');
          reached = await page.evaluate((name) => document.activeElement?.tagName === 'A' && document.activeElement.textContent === name && !!document.activeElement.closest('nav'), link);
        }
        assert.ok(reached, `${link}: reachable by Tab`);
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
        await page.waitForLoadState('networkidle');
        await scan(link);
        await page.screenshot({ path: path.join(screenshots, `console-${file}.png`), fullPage: true });
      }
      // The person page, and a confirmation dialog opened and closed by keyboard.
      await go(page, 'People', 'People');
      await page.getByRole('link', { name: 'Tess Technician' }).click();
      await page.getByRole('heading', { name: 'Tess Technician' }).waitFor();
      await page.waitForLoadState('networkidle');
      await scan('person');
      const end = page.getByRole('button', { name: 'End all sessions' });
      if (await end.count()) {
        await end.focus();
        await page.keyboard.press('Enter');
        await page.getByRole('alertdialog').waitFor();
        assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'focus moves into the dialog, on the harmless choice');
        await page.keyboard.press('Escape');
        await page.getByRole('alertdialog').waitFor({ state: 'hidden' });
      }
      assert.deepEqual(findings, [], 'axe: no serious or critical finding');
      assert.deepEqual(problems, [], 'no CSP violation, page error or console error on any page');
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

    if (kind.kind === ONE_DATABASE) test('a dispatcher sees the refusal page and no data; the admin API refuses their token', async () => {
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

// On one database (ONE_DATABASE): the challenge, the fresh sign-in and the retried actions are
// covered on both by API tests (e2e/step-up-reauth, e2e/device-commands, e2e/sessions,
// e2e/admin-console-api, e2e/admin-audit-alerts-incidents).
for (const kind of databaseKinds().filter((k) => k.kind === ONE_DATABASE)) {
  describe(`the console meets a step-up challenge: re-authenticates and retries (${kind.kind})`, { skip: browserMissing }, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    let browser: Browser;

    before(async () => {
      database = await kind.create({ migrated: true });
      shared.certificate.install(database.dataDir);
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      // A checkpoint every 5 records: the audit export has signed records to archive early on.
      ({ server, ca } = await startInProcess(database, upstream, port, { PALISADE_AUDIT_CHECKPOINT_EVERY: '5' }));
      app = new MobileApp(server.url, ca);
      browser = await browserFor(server);
    });
    after(async () => {
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

    test('wiping a device asks for a fresh sign-in, then shows the command delivered once the device fetches it', async () => {
      const tech = await app.signIn('u-tech');
      const techSid = decodeJwt(tech.tokens.access_token).sid as string;
      const mine = (await app.call('/api/v1/me/sessions', tech.tokens.access_token)).body.sessions as { id: string; deviceId: string }[];
      const deviceId = mine.find((s) => s.id === techSid)!.deviceId;
      const { page, problems, close } = await staleAdmin('/console/people');
      await page.locator('#people-search').fill('Terry');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-person]').length === 1);
      await page.getByRole('link', { name: 'Terry Tech' }).click();
      const row = page.locator(`[data-device="${deviceId}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: 'Wipe' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.getByRole('textbox').fill('phone reported stolen');
      await dialog.getByRole('button', { name: 'Wipe' }).click();

      // The hour-old sign-in is not enough: the company IdP is asked for a fresh login first.
      upstream.staleLoginSeconds = 0;
      await companyLogin(page, 'u-admin');
      assert.equal(upstream.requests.at(-1)!.get('prompt'), 'login');
      await page.locator('#notice').waitFor();
      assert.match(await page.locator('#notice').innerText(), /carried out/);
      await page.locator(`[data-device="${deviceId}"] [data-command-state="pending"]`).waitFor();

      // The device's next call fetches the signed command: the console shows it delivered.
      const fetched = await app.call('/api/v1/me', tech.tokens.access_token);
      assert.equal(fetched.status, 403);
      assert.match(String(fetched.body.type), /device-wiped$/);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator(`[data-device="${deviceId}"] [data-command-state="delivered"]`).waitFor();
      await page.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'console', kind.kind, 'console-wipe-delivered.png'), fullPage: true });
      await server.audit.flush();
      const ordered = (await searchAudit(server.db, { action: 'admin.device.wipe', outcome: 'success', resourceId: deviceId, limit: 10 })).events;
      assert.equal(ordered.length, 1, 'ordered once, audited');
      assert.deepEqual(problems, []);
      await close();
    });

    test('exporting the audit trail with an old sign-in asks for a fresh one, then the signed archive downloads and verifies', async () => {
      const { page, problems, close } = await staleAdmin('/console/audit');
      await page.getByRole('heading', { name: 'Audit', level: 2 }).waitFor();
      for (const started = Date.now(); ; ) {
        const head = await asRole(server.db, 'palisade_audit_reader', (q) => chainHead(q));
        if (head.checkpointSeq >= 5) break;
        assert.ok(Date.now() - started < 60_000, 'a signed checkpoint within a minute');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await page.locator('#export-audit').click();
      // The hour-old sign-in is not enough to take the trail away: a fresh login first, then the download.
      const downloaded = page.waitForEvent('download', { timeout: 60_000 });
      upstream.staleLoginSeconds = 0;
      await companyLogin(page, 'u-admin');
      assert.equal(upstream.requests.at(-1)!.get('prompt'), 'login');
      const download = await downloaded;
      assert.match(download.suggestedFilename(), /^palisade-audit-\d+-\d+\.json$/);
      const text = readFileSync((await download.path())!, 'utf8');
      await page.locator('#notice').waitFor();
      assert.match(await page.locator('#notice').innerText(), /Signed archive of \d+ records/);
      const report = await verifyBundle(text, await publicAuditKeys(server.db));
      assert.ok(report.ok && report.checked >= 5, `the downloaded archive verifies: ${JSON.stringify(report.broken ?? report.checked)}`);
      const bundle = JSON.parse(text) as { files: Record<string, string> };
      const jsonl = Object.keys(bundle.files).find((f) => f.endsWith('.jsonl'))!;
      bundle.files[jsonl] = bundle.files[jsonl]!.replace('"outcome":"success"', '"outcome":"failure"');
      assert.equal((await verifyBundle(JSON.stringify(bundle), await publicAuditKeys(server.db))).ok, false, 'a changed record fails it');
      await server.audit.flush();
      const exports = (await searchAudit(server.db, { action: 'audit.export', limit: 10 })).events;
      const adminId = (await server.db.query<{ id: string }>(`SELECT id FROM users WHERE subject = 'u-admin'`)).rows[0]!.id;
      assert.ok(exports.some((e) => e.actor.userId === adminId && e.detail?.via === 'admin_api'), 'the export is in the trail with the admin as actor');
      assert.deepEqual(problems, []);
      await close();
    });

    test('ending a session with an old sign-in asks for a fresh one, then the end is carried out', async () => {
      const tech = await app.signIn('u-tech');
      const techSid = decodeJwt(tech.tokens.access_token).sid as string;
      // The admin's sign-in at the company IdP is an hour old: reading is fine, ending is not.
      const { page, problems, close } = await staleAdmin('/console/people');
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
      await close();
    });

    /**
     * The console in a fresh profile, signed in as the admin with an hour-old sign-in at the
     * company IdP: reading works, sensitive actions meet the RFC 9470 challenge. `challenged`
     * collects every API answer that carried it, as the browser received it. (One profile for the
     * describe, signed out between tests, was tried: the sign-out's page load and the next start
     * cost more than a fresh profile's cold cache.)
     */
    async function staleAdmin(start: string): Promise<{ page: Page; problems: string[]; challenged: { call: string; status: number; challenge: string }[]; close: () => Promise<void> }> {
      const context = await browser.newContext({ acceptDownloads: true });
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      const problems: string[] = [];
      const challenged: { call: string; status: number; challenge: string }[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
      });
      page.on('response', (r) => {
        const challenge = r.headers()['www-authenticate'] ?? '';
        if (/insufficient_user_authentication/.test(challenge)) challenged.push({ call: `${r.request().method()} ${new URL(r.url()).pathname}`, status: r.status(), challenge });
      });
      await page.goto(`${server.url}${start}`);
      upstream.staleLoginSeconds = 3600;
      await page.locator('#sign-in').click();
      await companyLogin(page, 'u-admin');
      return { page, problems, challenged, close: () => context.close() };
    }

    /** The fresh login the challenge sends the browser to: a real one (`prompt=login`), then back. */
    async function freshLogin(page: Page): Promise<void> {
      upstream.staleLoginSeconds = 0;
      await companyLogin(page, 'u-admin');
      assert.equal(upstream.requests.at(-1)!.get('prompt'), 'login', 'the company IdP is asked for a real login');
    }

    /** The admin API from outside the browser with an hour-old sign-in: refused with the RFC 9470 challenge. */
    async function refusedWithoutFreshSignIn(path: string, init: RequestInit): Promise<void> {
      upstream.staleLoginSeconds = 3600;
      const admin = await app.signIn('u-admin');
      upstream.staleLoginSeconds = 0;
      const answer = await app.call(path, admin.tokens.access_token, init);
      assert.equal(answer.status, 401, `${init.method} ${path} with an old sign-in`);
      assert.match(answer.headers.get('www-authenticate') ?? '', /error="insufficient_user_authentication"/);
      assert.match(answer.headers.get('www-authenticate') ?? '', /max_age=/);
      assert.match(String(answer.body.type), /step-up-required$/);
    }

    test('locking a device asks for a fresh sign-in, then the lock is carried out; without it the API refuses', async () => {
      const tech = await app.signIn('u-tech');
      const techSid = decodeJwt(tech.tokens.access_token).sid as string;
      const mine = (await app.call('/api/v1/me/sessions', tech.tokens.access_token)).body.sessions as { id: string; deviceId: string }[];
      const deviceId = mine.find((s) => s.id === techSid)!.deviceId;
      await refusedWithoutFreshSignIn(`/admin/v1/devices/${deviceId}/lock`, { method: 'POST', body: JSON.stringify({ reason: 'stale' }), headers: { 'content-type': 'application/json' } });
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'the refused lock did nothing');

      const { page, problems, challenged, close } = await staleAdmin('/console/people');
      await page.locator('#people-search').fill('Terry');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-person]').length === 1);
      await page.getByRole('link', { name: 'Terry Tech' }).click();
      const row = page.locator(`[data-device="${deviceId}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: 'Lock' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.getByRole('textbox').fill('left in a taxi');
      await dialog.getByRole('button', { name: 'Lock' }).click();

      await freshLogin(page);
      await page.locator('#notice').waitFor();
      assert.match(await page.locator('#notice').innerText(), /carried out/);
      // (The person page's roles panel, loading, met it too: looking declines the re-authentication.)
      assert.deepEqual(challenged.filter((c) => c.call.startsWith('POST')).map((c) => [c.call, c.status]), [[`POST /admin/v1/devices/${deviceId}/lock`, 401]], 'the first attempt met the challenge');
      const locked = await app.call('/api/v1/me', tech.tokens.access_token);
      assert.ok([401, 403].includes(locked.status), `the device is locked (${locked.status})`);
      assert.match(String(locked.body.type), /(session|device)-locked$/);
      await server.audit.flush();
      const ordered = (await searchAudit(server.db, { action: 'admin.device.lock', outcome: 'success', resourceId: deviceId, limit: 10 })).events;
      assert.equal(ordered.length, 1, 'locked once, audited');
      assert.deepEqual(problems, []);
      await close();
    });

    test('changing a role asks for a fresh sign-in, then the role is granted; without it the API refuses', async () => {
      await app.signIn('u-tech');
      const techId = (await server.db.query<{ id: string }>(`SELECT id FROM users WHERE subject = 'u-tech'`)).rows[0]!.id;
      await refusedWithoutFreshSignIn(`/admin/v1/users/${techId}/roles`, { method: 'PUT', body: JSON.stringify({ granted: ['dispatcher'], removed: [] }), headers: { 'content-type': 'application/json' } });

      const { page, problems, challenged, close } = await staleAdmin(`/console/people/${techId}`);
      await page.getByRole('heading', { name: 'Terry Tech' }).waitFor();
      // Where each role comes from is part of role management: with the old sign-in it is not shown.
      await page.getByRole('button', { name: 'Sign in again to manage roles' }).click();
      await freshLogin(page);
      await page.getByRole('heading', { name: 'Terry Tech' }).waitFor();
      await page.locator('[data-role="dispatcher"]').waitFor();
      // The panel's load and the button's call met the challenge with the old sign-in; nothing after the fresh one.
      assert.ok(challenged.length >= 1 && challenged.every((c) => c.call === `GET /admin/v1/users/${techId}/roles` && c.status === 401), JSON.stringify(challenged));
      const beforeFresh = challenged.length;
      await page.getByRole('button', { name: 'Grant dispatcher', exact: true }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Grant dispatcher', exact: true }).click();
      await page.waitForFunction(() => /granted here/.test((document.querySelector('[data-role="dispatcher"]') as HTMLElement | null)?.innerText ?? ''));
      assert.equal(challenged.length, beforeFresh, 'with the fresh sign-in the role change met no challenge');
      const granted = (await server.db.query<{ roles_added: string[] }>('SELECT roles_added FROM users WHERE id = $1', [techId])).rows[0]!.roles_added;
      assert.deepEqual(granted, ['dispatcher'], 'granted in the database');
      await server.audit.flush();
      const changed = (await searchAudit(server.db, { action: 'user.roles.change', outcome: 'success', limit: 10 })).events;
      assert.equal(changed.length, 1, 'changed once, audited');
      assert.deepEqual(problems, []);
      await close();
    });

    test('rotating an app key asks for a fresh sign-in, then shows the new key once; without it the API refuses', async () => {
      const admin = await app.signIn('u-admin');
      const created = await app.call('/admin/v1/apps/field-app/keys', admin.tokens.access_token, { method: 'POST', body: JSON.stringify({ name: 'to rotate' }), headers: { 'content-type': 'application/json' } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const keyId = String((created.body as { id?: string }).id ?? String(created.body.key).split('_')[2]);
      await refusedWithoutFreshSignIn(`/admin/v1/apps/field-app/keys/${keyId}/rotate`, { method: 'POST', body: JSON.stringify({ overlap: '7d' }), headers: { 'content-type': 'application/json' } });

      const { page, problems, challenged, close } = await staleAdmin('/console/app-keys');
      await page.getByRole('heading', { name: 'App keys', level: 2 }).waitFor();
      await page.locator('#app-keys-app').selectOption('field-app');
      const row = page.locator(`[data-app-key="${keyId}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: 'Rotate' }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Rotate' }).click();

      await freshLogin(page);
      await page.locator('#notice').waitFor();
      assert.match(await page.locator('#notice').innerText(), /carried out/);
      const secret = await page.locator('#secret-value').innerText();
      assert.match(secret, /^pal_live_/, 'the new key, from the retried call, is shown once');
      assert.deepEqual(challenged.filter((c) => c.call.startsWith('POST')).map((c) => [c.call, c.status]), [[`POST /admin/v1/apps/field-app/keys/${keyId}/rotate`, 401]], 'the first attempt met the challenge');
      const listed = await app.call('/admin/v1/apps/field-app/keys', admin.tokens.access_token);
      const keys = listed.body.keys as { id: string; status: string }[];
      assert.equal(keys.find((k) => k.id === keyId)?.status, 'rotating', 'the old key overlaps');
      assert.ok(keys.some((k) => k.id === secret.split('_')[2] && k.status === 'active'), 'the new key is active');
      assert.ok(!listed.text.includes(secret), 'listed without its secret');
      await server.audit.flush();
      const rotated = (await searchAudit(server.db, { action: 'admin.app_keys.rotate', outcome: 'success', limit: 10 })).events;
      assert.equal(rotated.length, 1, 'rotated once, audited');
      assert.deepEqual(problems, []);
      await close();
    });
  });
}

for (const kind of databaseKinds().filter((k) => k.kind === 'postgres')) {
  describe('the console on one instance ends a session; the app on the other instance is refused within a second (PostgreSQL + Redis)', { skip: browserMissing }, () => {
    let instances: TwoInstances;
    let app: MobileApp;
    let appAtB: MobileApp;
    let browser: Browser;

    before(async () => {
      instances = await startTwoInstances(kind, { redis: Boolean(process.env.TEST_REDIS_URL), certificateA: shared.certificate });
      app = new MobileApp(instances.publicUrl, instances.a.ca);
      appAtB = new MobileApp(instances.publicUrl, instances.b.ca);
      browser = await browserFor(instances.a);
    });
    after(async () => {
      await app?.close();
      await appAtB?.close();
      await instances?.close();
    });

    /** A call to instance B directly, signed for the public URL (the load balancer keeps the URL the app signed). */
    const callB = (path: string, tokens: { access_token: string }) => {
      appAtB.remember(tokens as Parameters<MobileApp['remember']>[0]);
      return appAtB.call(path, tokens.access_token, { signing: { targetUri: `${instances.publicUrl}${path}` } }, instances.bUrl);
    };

    test('an admin ends the technician’s session in the browser; instance B refuses the app within 1 s', async () => {
      const tech = await app.signIn('u-tech', { dpop: false });
      const techSid = decodeJwt(tech.tokens.access_token).sid as string;
      assert.equal((await callB('/api/v1/me', tech.tokens)).status, 200, 'instance B serves the app before');

      const context = await browser.newContext();
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
      });
      await page.goto(`${instances.publicUrl}/console/people`);
      await page.locator('#sign-in').click();
      await page.locator('input[name="person"]').fill('u-admin');
      await page.locator('input[name="person"]').press('Enter');
      await page.waitForURL(new RegExp(`^${instances.publicUrl}/console/`));
      await page.locator('#people-search').fill('Terry');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-person]').length === 1);
      await page.getByRole('link', { name: 'Terry Tech' }).click();
      const row = page.locator(`[data-session="${techSid}"]`);
      await row.waitFor();
      await row.getByRole('button', { name: 'End session' }).click();
      const ended = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes(`/admin/v1/sessions/`));
      await page.getByRole('alertdialog').getByRole('button', { name: 'End session' }).click();
      assert.equal((await ended).status(), 204, 'instance A ended the session');

      // From the moment instance A answered: instance B must refuse the app's token within a second.
      const started = performance.now();
      let last: { status: number; body: Record<string, unknown> };
      do {
        last = await callB('/api/v1/me', tech.tokens);
      } while (last.status === 200 && performance.now() - started < 1000);
      const ms = performance.now() - started;
      assert.equal(last.status, 401, `instance B still served the ended session ${ms.toFixed(0)} ms after the console ended it`);
      assert.equal(last.body.type, 'https://palisade.dev/problems/session-revoked');
      console.log(`ended in the console through instance A, refused by instance B after ${ms.toFixed(1)} ms`);
      assert.deepEqual(problems, []);
      await context.close();
    });
  });
}
