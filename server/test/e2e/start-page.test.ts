/**
 * The start page at `/`, end to end in a real browser: Palisade is started the README's way
 * with development defaults only (embedded development IdP, self-signed certificate), and the
 * machine's Chromium — driven by playwright-core — signs a demo person in through the same
 * Authorization Code + PKCE flow an app uses. Chromium trusts the development certificate by
 * the SPKI pin Palisade announces, and by nothing else.
 *
 * Needs Chromium at /usr/bin/chromium (Debian: `apt-get install -y chromium`), or another
 * Chromium named by PALISADE_TEST_CHROMIUM. Set PALISADE_TEST_SCREENSHOTS to a folder to keep
 * the screenshots; otherwise they go to the test's temporary data folder and are removed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startPalisade, type StartedServer } from '../helpers/server.ts';

const CHROMIUM = process.env.PALISADE_TEST_CHROMIUM ?? '/usr/bin/chromium';
/**
 * `npm test` on a fresh machine passes without a browser installed: these tests then show as
 * skipped, naming the package to install. CI sets PALISADE_REQUIRE_BROWSER=1, so there a
 * missing browser fails the run instead of hiding the tests.
 */
const browserMissing =
  !existsSync(CHROMIUM) && !process.env.PALISADE_REQUIRE_BROWSER ? `Chromium not found at ${CHROMIUM}: apt-get install -y chromium to run the browser tests` : false;
/** Generous for a cold browser on a busy CI machine, still far below the runner's timeout. */
const STEP_TIMEOUT = 20_000;

interface Claims {
  jti: string;
  sub: string;
  roles: string[];
  territory?: string;
  [claim: string]: unknown;
}

for (const kind of databaseKinds()) {
  describe(`the start page in a browser (${kind.kind})`, { skip: browserMissing }, () => {
    let database: TestDatabase;
    let server: StartedServer;
    let browser: Browser;
    let screenshots: string;

    before(async () => {
      database = await kind.create();
      server = await startPalisade({
        PALISADE_DATA_DIR: database.dataDir,
        PALISADE_SERVER_PORT: String(await freePort()),
        DATABASE_URL: database.url,
      });
      screenshots = process.env.PALISADE_TEST_SCREENSHOTS ?? database.dataDir;
      mkdirSync(screenshots, { recursive: true });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          // Trust exactly this run's self-signed certificate, by the pin from the banner.
          `--ignore-certificate-errors-spki-list=${server.pin.replace(/^sha256\//, '')}`,
        ],
      });
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
      await database?.drop();
    });

    /**
     * A fresh browser profile per scenario: no development-IdP or Palisade session carries
     * over, so each sign-in really shows the list of demo people. Page errors and CSP
     * violations are collected so the test fails on them.
     */
    async function openStartPage(): Promise<{ context: BrowserContext; page: Page; problems: string[]; response: Response }> {
      const context = await browser.newContext();
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // HTTP error statuses are asserted where they matter (the no-role page is a 403, and there
      // is no favicon); every other console error — a CSP violation above all — is a failure.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
      });
      const response = await page.goto(`${server.url}/`);
      assert.ok(response, 'navigating to the start page gets a response');
      assert.equal(response.status(), 200, 'the start page is served');
      return { context, page, problems, response };
    }

    /** Clicks "Sign in" and picks `person` on the development IdP's list of demo people. */
    async function signInAs(page: Page, person: string): Promise<void> {
      await page.click('#sign-in');
      await page.waitForURL(/\/dev-idp\/interaction\//);
      assert.match(await page.locator('h1').innerText(), /Development IdP/, 'the development IdP asks who is signing in');
      assert.ok((await page.locator('button[data-person]').count()) >= 6, 'the development IdP lists every demo person');
      await page.click(`button[data-person="${person}"]`);
    }

    const claimsOn = async (page: Page): Promise<Claims> => JSON.parse(await page.locator('#claims').innerText()) as Claims;

    test('start-up announces every development default', () => {
      assert.match(server.output(), /DEVELOPMENT ONLY: development IdP/, 'with no company IdP configured, npm start must say it uses the development IdP');
      assert.match(server.output(), /DEVELOPMENT ONLY: self-signed TLS certificate/, 'with no certificate configured, npm start must say it made a self-signed one');
      assert.match(server.output(), /Demo data loaded: 400 jobs/, 'in development the field-service demo data is loaded, and said so');
      assert.match(server.output(), /DEVELOPMENT ONLY: field-service demo dataset/);
    });

    test('the start page is served with a strict CSP and HSTS', async () => {
      const { context, page, problems, response } = await openStartPage();
      try {
        const csp = response.headers()['content-security-policy'] ?? '';
        assert.match(csp, /(^|;)\s*script-src 'self'\s*(;|$)/, `scripts may come from Palisade's origin only, got: ${csp}`);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, 'the start page must work without inline or eval’d script');
        assert.equal(response.headers()['strict-transport-security'], 'max-age=31536000; includeSubDomains', 'browsers must stick to https for a year');
        await page.locator('#sign-in').waitFor({ state: 'visible' });
        assert.ok(await page.locator('.banner').isVisible(), 'development mode is announced on the page too');
        assert.deepEqual(problems, [], 'the start page runs under its CSP without errors');
      } finally {
        await context.close();
      }
    });

    test('a dispatcher signs in, sees the token claims and /api/v1/me, and refreshes', async () => {
      const { context, page, problems } = await openStartPage();
      try {
        await signInAs(page, 'demo-dispatcher');
        await page.waitForURL(`${server.url}/`);
        await page.locator('#signed-in').waitFor({ state: 'visible' });
        // #me is filled after the API call returns, so wait for its content, not just the section.
        await page.waitForFunction(() => (document.getElementById('me')?.textContent ?? '').includes('"email"'));
        assert.equal(await page.locator('#error').innerText(), '', 'the sign-in must not leave an error on the page');

        const claims = await claimsOn(page);
        assert.deepEqual(claims.roles, ['dispatcher'], 'the fs-dispatch group maps to the dispatcher role');
        assert.equal(claims.territory, 'north', 'the dispatcher’s territory is carried into the access token');
        assert.ok(claims.jti, 'access tokens have a jti');

        const me = JSON.parse(await page.locator('#me').innerText()) as { email?: string; roles?: string[] };
        assert.equal(me.email, 'dan@example.com', 'GET /api/v1/me answers for the person who signed in');
        assert.deepEqual(me.roles, ['dispatcher']);

        const shot = path.join(screenshots, `start-page-signed-in-${kind.kind}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        assert.ok(statSync(shot).size > 10_000, 'the signed-in page renders to a non-trivial screenshot');

        await page.click('#refresh');
        await page.waitForFunction((old) => !(document.getElementById('claims')?.textContent ?? '').includes(old), claims.jti);
        const refreshed = await claimsOn(page);
        assert.notEqual(refreshed.jti, claims.jti, 'the refresh grant issues a new access token');
        assert.equal(refreshed.sub, claims.sub, 'the refreshed token is for the same person');
        assert.deepEqual(refreshed.roles, ['dispatcher']);
        assert.equal(refreshed.territory, 'north');
        assert.equal(await page.locator('#error').innerText(), '', 'the refresh must not leave an error on the page');
        assert.match(await page.locator('#me').innerText(), /dan@example\.com/, '/api/v1/me still answers with the refreshed token');
        assert.deepEqual(problems, [], 'no script errors or CSP violations during sign-in and refresh');
        assert.match(server.output(), /"url":"\/\?\[redacted\]"/, 'the start page received its code, and the log shows the request');
        assert.doesNotMatch(server.output(), /[?&](code|state|code_challenge)=/, 'no authorization code or state in the log');
      } finally {
        await context.close();
      }
    });

    test('a person with no role is told so, and the start page gets access_denied', async () => {
      const { context, page, problems } = await openStartPage();
      try {
        await signInAs(page, 'demo-norole');
        await page.getByText('No access to Palisade apps').waitFor();
        assert.match(await page.locator('main').innerText(), /no group that grants a role/, 'the page says why there is no access');
        const [abort] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/abort')),
          page.getByRole('button', { name: 'Return to the app' }).click(),
        ]);
        if (abort.status() !== 303) {
          assert.fail(`"Return to the app" is a form post as a browser sends it (form-encoded) and must lead back to the app, got ${abort.status()}: ${(await abort.text()).slice(0, 200)}`);
        }
        await page.waitForURL(`${server.url}/`);
        await page.waitForFunction(() => (document.getElementById('error')?.textContent ?? '') !== '');
        assert.match(await page.locator('#error').innerText(), /^access_denied/, 'the app learns the sign-in was refused');
        assert.ok(await page.locator('#signed-in').isHidden(), 'nothing is shown as signed in');
        assert.deepEqual(problems, [], 'no script errors or CSP violations on the refusal path');
      } finally {
        await context.close();
      }
    });
  });
}
