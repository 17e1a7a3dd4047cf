/**
 * The start page at `/`, end to end in a real browser: Palisade is started the README's way
 * with development defaults only (embedded development IdP, self-signed certificate), and the
 * machine's Chromium — driven by playwright-core — signs a demo person in through the same
 * Authorization Code + PKCE flow an app uses. Chromium trusts the development certificate by
 * the SPKI pin Palisade announces, and by nothing else.
 *
 * The server keeps the real authentication limit (5 a minute per address): the demo people sign
 * in one after another on the development allowance, past it a browser gets the HTML 429 page
 * and an API client problem+json.
 *
 * Needs Chromium at /usr/bin/chromium (Debian: `apt-get install -y chromium`), or another
 * Chromium named by PALISADE_TEST_CHROMIUM. Set PALISADE_TEST_SCREENSHOTS to a folder to keep
 * the screenshots; otherwise they go to the test's temporary data folder and are removed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { Agent } from 'undici';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { chromiumMissing, fileBrowser } from '../helpers/chromium.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startPalisade, type StartedServer } from '../helpers/server.ts';
import { DEMO_PEOPLE } from '../../src/oauth/dev-idp.ts';
import { permissionsOf } from '../../src/authz/index.ts';

/**
 * `npm test` on a fresh machine passes without a browser installed: these tests then show as
 * skipped, naming the package to install. CI sets PALISADE_REQUIRE_BROWSER=1, so there a
 * missing browser fails the run instead of hiding the tests.
 */
const browserMissing = chromiumMissing;
/** Generous for a cold browser on a busy CI machine, still far below the runner's timeout. */
const STEP_TIMEOUT = 20_000;

/** Chromium's Accept header for a navigation: a browser that prefers HTML. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';
const PHONE = { width: 375, height: 812 };

/** What the summary must show for each demo person with a role (from the development IdP's people). */
const EXPECTED: Record<string, { roles: string[]; territory: RegExp }> = {
  'demo-technician': { roles: ['technician'], territory: /^north$/ },
  'demo-dispatcher': { roles: ['dispatcher'], territory: /^north$/ },
  'demo-manager': { roles: ['manager'], territory: /^region east$/ },
  'demo-admin': { roles: ['admin'], territory: /^unscoped/ },
  'demo-contractor': { roles: ['technician'], territory: /^north$/ },
};

interface Claims {
  jti: string;
  sub: string;
  roles: string[];
  territory?: string;
  [claim: string]: unknown;
}

// One Chromium for the file, launched while the first server starts: both servers use one
// development certificate made up front (helpers/chromium.ts), and Chromium trusts its pin alone.
const shared = fileBrowser(browserMissing);

for (const kind of databaseKinds()) {
  describe(`the start page in a browser (${kind.kind})`, { skip: browserMissing }, () => {
    let database: TestDatabase;
    let server: StartedServer;
    let browser: Browser;
    let screenshots: string;
    let api: Agent;

    before(async () => {
      database = await kind.create({ migrated: true });
      shared.certificate.install(database.dataDir);
      server = await startPalisade(
        {
          PALISADE_DATA_DIR: database.dataDir,
          PALISADE_SERVER_PORT: String(await freePort()),
          DATABASE_URL: database.url,
          // The real authentication limit, not the test suites' generous one.
          PALISADE_RATE_LIMITS_AUTH_POINTS: '5',
        },
        // A hang guard only: loading the demo data into PGlite takes its time on a busy machine.
        180_000,
        // The README's `npm start` on its default database (embedded PGlite); the PostgreSQL
        // server is the same process started without npm in front (helpers/server.ts StartVia).
        kind.kind === 'pglite' ? 'npm' : 'direct',
      );
      api = new Agent({ connect: { ca: server.ca } });
      screenshots = process.env.PALISADE_TEST_SCREENSHOTS ?? database.dataDir;
      mkdirSync(screenshots, { recursive: true });
      browser = await shared.browser();
    });

    after(async () => {
      await server?.stop();
      await api?.close();
      await database?.drop();
    });

    /** A request from Node, as an API client or script sends it (same address as the browser). */
    const fetchAs = (path: string, accept?: string) =>
      fetch(`${server.url}${path}`, { redirect: 'manual', headers: accept ? { accept } : {}, dispatcher: api } as RequestInit);
    const rateOf = (response: globalThis.Response) => {
      const m = /;r=(\d+);t=(\d+)$/.exec(response.headers.get('ratelimit') ?? '');
      return m ? { remaining: Number(m[1]), resetS: Number(m[2]) } : undefined;
    };

    /**
     * Spends the start page's allowance down to `remaining`, with at least 20 s of its window
     * left, so the browser step that follows meets the budget this test set (a window that
     * ends sooner is waited out and spent again). An allowance already spent is what
     * `remaining` 0 asks for: a 429 with time left in its window is not waited out.
     */
    async function spendAllowanceTo(remaining: number): Promise<void> {
      for (let i = 0; i < 400; i += 1) {
        const r = await fetchAs(`/oauth2/authorize?client_id=palisade-start`, 'application/json');
        await r.arrayBuffer();
        const rate = rateOf(r);
        assert.ok(rate, 'every authorize answer carries the RateLimit header');
        assert.match(r.headers.get('ratelimit-policy') ?? '', /^"auth-development";q=60;w=60$/, 'the start page’s client is counted on the development allowance');
        if (r.status === 429) assert.equal(rate.remaining, 0, 'a refused request says nothing is left');
        if (r.status === 429 && remaining === 0 && rate.resetS >= 20) return;
        if (r.status === 429 || (rate.remaining === remaining && rate.resetS < 20)) {
          await new Promise((resolve) => setTimeout(resolve, (rate.resetS + 1) * 1000));
          continue;
        }
        if (rate.remaining === remaining) return;
      }
      assert.fail('the allowance was not spent down');
    }

    /**
     * A fresh browser profile per scenario: no development-IdP or Palisade session carries
     * over, so each sign-in really shows the list of demo people. Page errors, CSP violations
     * and 404s (a missing favicon) are collected so the test fails on them.
     */
    async function openStartPage(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; problems: string[]; response: Response }> {
      const context = await browser.newContext(viewport ? { viewport, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {});
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // HTTP error statuses are asserted where they matter (the no-role page is a 403, a 429
      // past the allowance); every other console error — a CSP violation above all — and any
      // 404 (the favicon) is a failure.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
      });
      page.on('response', (r) => {
        if (r.status() === 404) problems.push(`404: ${r.url()}`);
      });
      const response = await page.goto(`${server.url}/`);
      assert.ok(response, 'navigating to the start page gets a response');
      assert.equal(response.status(), 200, 'the start page is served');
      return { context, page, problems, response };
    }

    /** Clicks "Sign in" and picks `person` on the development IdP's list of demo people. */
    async function signInAs(page: Page, person: string): Promise<void> {
      const [authorize] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/oauth2/authorize'), page.click('#sign-in')]);
      assert.notEqual(authorize.status(), 429, `signing in as ${person} must not be refused by the rate limit`);
      await page.waitForURL(/\/dev-idp\/interaction\//);
      assert.match(await page.locator('h1').innerText(), /Development IdP/, 'the development IdP asks who is signing in');
      assert.ok((await page.locator('button[data-person]').count()) >= 6, 'the development IdP lists every demo person');
      await page.click(`button[data-person="${person}"]`);
    }

    /** After a sign-in: waits for the summary, filled once both API calls have answered. */
    async function summaryShown(page: Page): Promise<void> {
      await page.waitForURL(`${server.url}/`);
      await page.waitForFunction(() => (document.getElementById('calls')?.children.length ?? 0) >= 2 || !document.getElementById('error')?.hidden);
      if (await page.locator('#error').isVisible()) assert.fail(`the sign-in ended in an error: ${await page.locator('#error').innerText()}`);
      await page.locator('#signed-in').waitFor({ state: 'visible' });
    }

    const textOf = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();
    const claimsOn = async (page: Page): Promise<Claims> => JSON.parse(await textOf(page, '#claims')) as Claims;

    test('start-up announces every development default, and the start page’s allowance', () => {
      assert.equal(server.pin, shared.certificate.pin, 'the banner announces the pin of the certificate Chromium trusts');
      assert.match(server.output(), /DEVELOPMENT ONLY: development IdP/, 'with no company IdP configured, npm start must say it uses the development IdP');
      assert.match(server.output(), /DEVELOPMENT ONLY: self-signed TLS certificate/, 'with no certificate configured, npm start must say it made a self-signed one');
      assert.match(server.output(), /Demo data loaded: 400 jobs/, 'in development the field-service demo data is loaded, and said so');
      assert.match(server.output(), /DEVELOPMENT ONLY: field-service demo dataset/);
      assert.match(server.output(), /DEVELOPMENT ONLY: start page sign-ins may use 60 authentication requests a minute per address; apps keep rateLimits\.auth \(5 per 1m\)/);
    });

    test('the start page is served with a strict CSP and HSTS, and has a favicon', async () => {
      const { context, page, problems, response } = await openStartPage();
      try {
        const csp = response.headers()['content-security-policy'] ?? '';
        assert.match(csp, /(^|;)\s*script-src 'self'\s*(;|$)/, `scripts may come from Palisade's origin only, got: ${csp}`);
        assert.match(csp, /(^|;)\s*style-src 'self'\s*(;|$)/, `styles may come from Palisade's origin only, got: ${csp}`);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, 'the start page must work without inline or eval’d script');
        assert.equal(response.headers()['strict-transport-security'], 'max-age=31536000; includeSubDomains', 'browsers must stick to https for a year');
        await page.locator('#sign-in').waitFor({ state: 'visible' });
        assert.ok(await page.locator('.banner').isVisible(), 'development mode is announced on the page too');
        assert.equal(await page.locator('script').count(), 1, 'one script, from a file');
        assert.equal(await page.locator('[style]').count(), 0, 'no inline styles');
        const icon = await page.locator('link[rel="icon"]').getAttribute('href');
        assert.equal(icon, '/favicon.svg');
        const fetched = (url: string) =>
          page.evaluate(async (u) => {
            const r = await fetch(u);
            return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
          }, url);
        const favicon = await fetched(icon!);
        assert.deepEqual([favicon.status, favicon.type], [200, 'image/svg+xml']);
        assert.match(favicon.body, /^<svg /);
        assert.equal((await fetched('/favicon.ico')).status, 200, 'browsers showing a JSON answer ask for /favicon.ico');
        assert.deepEqual(problems, [], 'the start page runs under its CSP without errors or 404s');
      } finally {
        await context.close();
      }
    });

    /** Elements wider than the phone's screen, or reaching past it, and the page's own scroll width. */
    const overflow = (page: Page) =>
      page.evaluate((width) => {
        const wide = Array.from(document.querySelectorAll('body *'))
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && (r.width > width || r.right > width + 0.5 || r.left < -0.5);
          })
          .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
        return { wide, scrollWidth: document.documentElement.scrollWidth, bodyScroll: document.body.scrollWidth };
      }, PHONE.width);
    const fitsPhone = { wide: [], scrollWidth: PHONE.width, bodyScroll: PHONE.width };

    // One sign-in per demo person, each checked in full; the same sign-ins also carry the
    // scenarios that need a signed-in page (the dispatcher refreshes, the contractor is on a
    // phone), rather than signing in again for them.
    test('an API client gets exactly the auth class (5) and then problem+json 429, while every demo person signs in in turn on the start page', async () => {
      // Five authentication requests of an app (any client but the start page) from this
      // address, then the sixth is refused: the class keeps its meaning in development.
      for (let i = 1; i <= 5; i += 1) {
        const r = await fetchAs('/oauth2/authorize?client_id=field-app', 'application/json');
        await r.arrayBuffer();
        assert.notEqual(r.status, 429, `app request ${i} of 5`);
        assert.equal(r.headers.get('ratelimit-policy'), '"auth";q=5;w=60');
      }
      const refused = await fetchAs('/oauth2/authorize?client_id=field-app', 'application/json');
      assert.equal(refused.status, 429, 'the sixth authentication request of an app is refused');
      assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/, 'an API client gets problem+json');
      const problem = (await refused.json()) as { type: string; retryAfter: number };
      assert.equal(problem.type, 'https://palisade.dev/problems/rate-limited');
      assert.equal(String(problem.retryAfter), refused.headers.get('retry-after'));

      // Every demo person with a role, one after another from the same address: 10 sign-ins'
      // worth of authentication requests, which the auth class alone would refuse at the third.
      const people = DEMO_PEOPLE.filter((p) => EXPECTED[p.sub]);
      assert.equal(people.length, 5);
      for (const person of people) {
        const expected = EXPECTED[person.sub]!;
        const permissions = permissionsOf(expected.roles).length;
        // The contractor signs in at phone width (375 px): nothing may be wider than the screen.
        const phone = person.sub === 'demo-contractor';
        const { context, page, problems } = await openStartPage(phone ? PHONE : undefined);
        try {
          if (phone) {
            assert.equal(await page.locator('meta[name="viewport"]').getAttribute('content'), 'width=device-width, initial-scale=1');
            assert.deepEqual(await overflow(page), fitsPhone, 'phone, signed out');
            await page.screenshot({ path: path.join(screenshots, `start-page-phone-signed-out-${kind.kind}.png`), fullPage: true });
          }
          await signInAs(page, person.sub);
          if (phone) assert.deepEqual(await overflow(page), fitsPhone, 'phone: the development IdP’s list of people');
          await summaryShown(page);
          assert.equal(await textOf(page, '#who-name'), person.name, `${person.sub}: the name is shown`);
          assert.equal(await textOf(page, '#who-email'), person.email);
          assert.deepEqual(await page.locator('#who-roles .chip').allTextContents(), expected.roles, `${person.sub}: the roles are shown`);
          assert.match(await textOf(page, '#who-territory'), expected.territory, `${person.sub}: the territory is shown`);
          assert.match(await textOf(page, '#who-device'), /this browser/, 'the device is named: this browser, whose tokens are not bound to a device key');
          assert.deepEqual(await page.locator('#token-scope .chip').allTextContents(), ['api'], 'the access token’s scope is shown');
          assert.match(await textOf(page, '#token-expiry'), /\(in \d+ (s|min)\)$/, 'the access token’s expiry is shown');
          assert.equal(await page.locator('#permissions li').count(), permissions, `${person.sub}: the permissions of the role are listed`);
          assert.equal(await textOf(page, '#permission-count'), String(permissions));
          const calls = await page.locator('#calls li').allTextContents();
          assert.equal(calls.length, 2, 'the API calls made are listed');
          assert.match(calls[0]!, /^GET \/api\/v1\/me200signed \(RFC 9421, hmac-sha256, key \S+\)/);
          assert.match(calls[1]!, /^GET \/api\/v1\/me\/permissions200signed/);
          if (person.sub === 'demo-admin') {
            assert.ok((await page.locator('#permissions li', { hasText: 'users.roles.manage' }).locator('.badge').innerText()).includes('step-up'), 'permissions that need step-up say so');
            const shot = path.join(screenshots, `start-page-signed-in-${kind.kind}.png`);
            await page.screenshot({ path: shot, fullPage: true });
            assert.ok(statSync(shot).size > 10_000, 'the signed-in page renders to a non-trivial screenshot');
          }
          assert.equal(await page.locator('#raw').getAttribute('open'), null, 'the raw JSON is folded away');
          assert.ok(await page.locator('#claims').isHidden());
          await page.click('#raw summary');
          assert.ok(await page.locator('#claims').isVisible(), 'one click shows the raw JSON');
          const claims = await claimsOn(page);
          assert.deepEqual(claims.roles, expected.roles, 'the access token carries the roles shown');
          assert.equal(JSON.parse(await textOf(page, '#me')).email, person.email);
          assert.equal(JSON.parse(await textOf(page, '#permissions-json')).permissions.length, permissions);
          if (phone) {
            assert.deepEqual(await overflow(page), fitsPhone, 'phone: signed in, with the raw JSON open (long lines scroll inside their box)');
            const shot = path.join(screenshots, `start-page-phone-signed-in-${kind.kind}.png`);
            await page.screenshot({ path: shot, fullPage: true });
            assert.ok(statSync(shot).size > 10_000);
          }
          if (person.sub === 'demo-dispatcher') await refreshesTokens(page, claims);
          assert.deepEqual(problems, [], `${person.sub}: no script errors, CSP violations or 404s`);
        } finally {
          await context.close();
        }
      }
    });

    /**
     * The dispatcher, signed in: the start page refreshes the tokens and shows the summary of
     * the refreshed ones; the log shows the start page received its code, and never the code.
     */
    async function refreshesTokens(page: Page, claims: Claims): Promise<void> {
      assert.deepEqual(claims.roles, ['dispatcher'], 'the fs-dispatch group maps to the dispatcher role');
      assert.equal(claims.territory, 'north', 'the dispatcher’s territory is carried into the access token');
      assert.ok(claims.jti, 'access tokens have a jti');

      await page.click('#refresh');
      await page.waitForFunction((old) => !(document.getElementById('claims')?.textContent ?? '').includes(old), claims.jti);
      const refreshed = await claimsOn(page);
      assert.notEqual(refreshed.jti, claims.jti, 'the refresh grant issues a new access token');
      assert.equal(refreshed.sub, claims.sub, 'the refreshed token is for the same person');
      assert.deepEqual(refreshed.roles, ['dispatcher']);
      assert.equal(refreshed.territory, 'north');
      assert.ok(await page.locator('#error').isHidden(), 'the refresh must not leave an error on the page');
      assert.equal(await textOf(page, '#who-name'), 'Dan Dispatcher', 'the summary is shown again for the refreshed token');
      assert.match(server.output(), /"url":"\/\?\[redacted\]"/, 'the start page received its code, and the log shows the request');
      assert.doesNotMatch(server.output(), /[?&](code|state|code_challenge)=/, 'no authorization code or state in the log');
    }

    test('a person with no role is told so, and the start page shows access_denied as an error', async () => {
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
        await page.locator('#error').waitFor({ state: 'visible' });
        assert.equal(await textOf(page, '#error-code'), 'access_denied', 'the app learns the sign-in was refused');
        assert.equal(await textOf(page, '#error-description'), 'your account has no access to this app');
        assert.equal(await page.locator('#error').getAttribute('role'), 'alert', 'announced as an alert');
        const style = await page.locator('#error').evaluate((e) => ({ border: getComputedStyle(e).borderLeftColor, background: getComputedStyle(e).backgroundColor }));
        assert.deepEqual(style, { border: 'rgb(185, 28, 28)', background: 'rgb(254, 242, 242)' }, 'styled as an error: red edge on a pale red panel');
        assert.ok(await page.locator('#signed-in').isHidden(), 'nothing is shown as signed in');
        assert.ok(await page.locator('#sign-in').isVisible(), 'signing in again is one click away');
        await page.screenshot({ path: path.join(screenshots, `start-page-access-denied-${kind.kind}.png`), fullPage: true });
        assert.deepEqual(problems, [], 'no script errors or CSP violations on the refusal path');
      } finally {
        await context.close();
      }
    });

    test('what the IdP or a crafted link puts on the page stays text: a <script> name, an error with markup', async () => {
      const { context, page, problems } = await openStartPage();
      try {
        const evil = `/?error=${encodeURIComponent('<img src=x onerror="window.pwned=1">')}&error_description=${encodeURIComponent('<script>window.pwned=2</script><b>bold</b>')}`;
        await page.goto(`${server.url}${evil}`);
        await page.locator('#error').waitFor({ state: 'visible' });
        assert.equal(await textOf(page, '#error-code'), '<img src=x onerror="window.pwned=1">', 'the error code is shown as text');
        assert.equal(await textOf(page, '#error-description'), '<script>window.pwned=2</script><b>bold</b>');
        assert.equal(await page.locator('#error img, #error script, #error b').count(), 0, 'no element was made from the link');

        // A company IdP may send any name: the page shows what /api/v1/me answers, as text.
        const name = '<script>window.pwned=3</script><img src=x onerror="window.pwned=4">Eve';
        // The browser's signed request is passed on from Node (which trusts the development
        // certificate), and the answer changed on its way back.
        await page.route('**/api/v1/me', async (route) => {
          const request = route.request();
          const response = await fetch(request.url(), { headers: await request.allHeaders(), dispatcher: api } as RequestInit);
          const me = (await response.json()) as Record<string, unknown>;
          await route.fulfill({ status: response.status, contentType: 'application/json', body: JSON.stringify({ ...me, name, attributes: { ...(me.attributes as object), territory: '<i>north</i>' } }) });
        });
        await page.goto(`${server.url}/`);
        await signInAs(page, 'demo-technician');
        await summaryShown(page);
        assert.equal(await textOf(page, '#who-name'), name, 'the name is shown exactly, as text');
        assert.equal(await textOf(page, '#who-territory'), '<i>north</i>');
        assert.equal(await page.locator('#signed-in script, #signed-in img, #signed-in i').count(), 0, 'no element was made from the name');
        assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'nothing ran');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    test('past the allowance a browser gets an HTML 429 page saying when to retry; an API client gets problem+json', async () => {
      // The last request of the allowance goes to the authorize step: the code exchange after it
      // is refused, and the start page shows that as an error with the wait.
      await spendAllowanceTo(1);
      {
        const { context, page, problems } = await openStartPage();
        try {
          await signInAs(page, 'demo-manager');
          await page.waitForURL(`${server.url}/`);
          await page.locator('#error').waitFor({ state: 'visible' });
          assert.equal(await textOf(page, '#error-code'), 'rate-limited', 'the refused code exchange is shown as an error');
          assert.match(await textOf(page, '#error-hint'), /Try again in \d+ seconds\./);
          assert.deepEqual(problems, []);
        } finally {
          await context.close();
        }
      }
      await spendAllowanceTo(0);
      const { context, page } = await openStartPage(PHONE);
      try {
        const [refused] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/oauth2/authorize'), page.click('#sign-in')]);
        assert.equal(refused.status(), 429, 'the browser’s authorization request is refused');
        assert.match(refused.headers()['content-type'] ?? '', /^text\/html/, 'a browser gets a page, not JSON');
        const retryAfter = Number(refused.headers()['retry-after']);
        assert.ok(retryAfter > 0 && retryAfter <= 60, 'Retry-After is within the window');
        await page.locator('.error-panel').waitFor();
        assert.equal(await page.locator('h1').innerText(), 'Too many requests');
        assert.equal(await textOf(page, '.error-panel code'), 'rate-limited');
        assert.equal(await page.locator('#retry-after').getAttribute('data-seconds'), String(retryAfter), 'the page names the Retry-After it was sent with');
        assert.match(await page.locator('main').innerText(), new RegExp(`Try again in ${retryAfter} seconds? \\(after \\d\\d:\\d\\d:\\d\\d UTC\\)`));
        const retry = await page.locator('#retry').getAttribute('href');
        assert.match(retry ?? '', /^\/oauth2\/authorize\?client_id=palisade-start&/, 'trying again repeats the same sign-in');
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.equal(width, PHONE.width, 'the 429 page fits a phone too');
        await page.screenshot({ path: path.join(screenshots, `rate-limited-page-${kind.kind}.png`), fullPage: true });
      } finally {
        await context.close();
      }

      const asApi = await fetchAs('/oauth2/authorize?client_id=palisade-start', 'application/json');
      assert.equal(asApi.status, 429);
      assert.match(asApi.headers.get('content-type') ?? '', /^application\/problem\+json/, 'an API client still gets problem+json');
      assert.equal(((await asApi.json()) as { type: string }).type, 'https://palisade.dev/problems/rate-limited');
      const asBrowser = await fetchAs('/oauth2/authorize?client_id=palisade-start', BROWSER_ACCEPT);
      assert.equal(asBrowser.status, 429);
      assert.match(await asBrowser.text(), /Try again in/);
    });
  });
}
