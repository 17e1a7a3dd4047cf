/**
 * Step-up re-authentication through the development IdP in ONE browser, as the field app's web
 * build does it: the person signs in, their sign-in grows older than `sessions.stepUpMaxAge`,
 * the export answers the RFC 9470 challenge, the app sends the same browser to the
 * authorization endpoint with max_age and prompt=login, the person signs in again at the
 * development IdP, and the browser must come back to the app with a code whose tokens carry a
 * fresh auth_time, which the export then accepts.
 *
 * The browser keeps its cookies across both sign-ins (helpers/browser.ts: per host and path, as
 * a browser does). Palisade's authorization server and the development IdP it embeds live on
 * the same host: were their cookies named alike (`_session` on `/`), the development IdP's
 * sign-in would overwrite Palisade's session cookie, and the resumed authorization would find
 * another session than the one the step-up started from ("Sign-in could not continue").
 *
 * The attacker's side next to it: a finished interaction cannot be resumed again, a resume
 * without the interaction's cookie is refused, and a code from the step-up is still bound to
 * its PKCE verifier.
 *
 * "Past the window" without waiting: Palisade's clock (only Palisade's) runs ahead by more than
 * the window while the stale token is presented, and is set back before the new sign-in.
 *
 * The same two sign-ins run once more in real Chromium with the field app's browser client
 * (field-web at http://localhost:8081), where the symptom was seen (skipped without Chromium).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { type Browser as Chromium } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../helpers/chromium.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess } from '../helpers/server.ts';
import { APP_SCOPE, MobileApp } from '../helpers/mobile-app.ts';
import { Browser } from '../helpers/browser.ts';
import type { RunningServer } from '../../src/main.ts';

const browserMissing = chromiumMissing;
/** The field app's web build (the development client field-web) and its callback. */
const FIELD_WEB_ORIGIN = 'http://localhost:8081';
const STEP_UP_MAX_AGE_S = 120;
/** Palisade's interactions last 10 minutes (oauth/provider.ts, ttl.Interaction). */
const INTERACTION_TTL_S = 600;

/** A browser that remembers every URL it requested, so a test can replay one. */
class RecordingBrowser extends Browser {
  readonly visited: string[] = [];
  override async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    this.visited.push(url);
    return super.request(url, init);
  }
}
const REDIRECT_URI = 'http://127.0.0.1/callback';
const EXPORT = '/api/v1/exports/jobs.csv';

for (const kind of databaseKinds()) {
  describe(`step-up through the development IdP in one browser (${kind.kind})`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let app: MobileApp;
    let config: oidc.Configuration;
    /** How far ahead of the real time Palisade's clock runs (ms). */
    let ahead = 0;
    let ca: string;

    before(async () => {
      database = await kind.create({ migrated: true });
      ({ server, ca } = await startInProcess(
        database,
        { env: {} },
        await freePort(),
        {
          PALISADE_SESSIONS_STEP_UP_MAX_AGE: `${STEP_UP_MAX_AGE_S}s`,
          PALISADE_CLIENTS: JSON.stringify([{ id: 'field-app', name: 'Field Service', redirectUris: [REDIRECT_URI], dpop: 'allowed' }]),
          // Bearer sign-ins have no device key to sign a posture report with; the export is
          // allowed on a personal device here, so the step-up is the only thing asked.
          PALISADE_DEVICE_POLICY: JSON.stringify({ apps: { 'field-app': { corporate: { requirePosture: false }, byod: { requirePosture: false, allowExport: true } } } }),
        },
        { now: () => Date.now() + ahead },
      ));
      app = new MobileApp(server.url, ca);
      config = await app.discover();
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await database?.drop();
    });

    /** An authorization request as the app makes it, followed in `browser` until the app's redirect or a page. */
    async function authorize(browser: Browser, person: string | undefined, extra: Record<string, string> = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: APP_SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      });
      const flow = await browser.follow(url.href, REDIRECT_URI, person);
      return { flow, verifier, state, nonce };
    }

    async function redeem(signIn: Awaited<ReturnType<typeof authorize>>, maxAge?: number) {
      assert.ok(signIn.flow.redirect, `the sign-in returned to the app, not to a page: ${signIn.flow.page?.status} at ${signIn.flow.page?.url}: ${signIn.flow.page?.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
      const tokens = await oidc.authorizationCodeGrant(config, signIn.flow.redirect, {
        pkceCodeVerifier: signIn.verifier,
        expectedState: signIn.state,
        expectedNonce: signIn.nonce,
        idTokenExpected: true,
        ...(maxAge !== undefined ? { maxAge } : {}),
      });
      app.remember(tokens);
      return tokens;
    }

    /** The export with a token, while Palisade's clock is `aheadMs` ahead. */
    async function exportWith(accessToken: string, aheadMs = 0) {
      ahead = aheadMs;
      try {
        return await app.call(EXPORT, accessToken);
      } finally {
        ahead = 0;
      }
    }

    test('the challenge’s re-authentication (max_age, prompt=login) returns to the app with a fresh auth_time, and the export goes through', async () => {
      const browser = new Browser(ca);
      try {
        const first = await redeem(await authorize(browser, 'demo-manager'));
        assert.equal((await exportWith(first.access_token)).status, 200, 'a fresh sign-in exports');
        const refused = await exportWith(first.access_token, (STEP_UP_MAX_AGE_S + 60) * 1000);
        assert.equal(refused.status, 401);
        assert.match(String(refused.body.type), /step-up-required$/);
        const maxAge = Number(/max_age=(\d+)/.exec(refused.headers.get('www-authenticate') ?? '')?.[1]);
        assert.equal(maxAge, STEP_UP_MAX_AGE_S);

        // The same browser, still holding Palisade's session cookie from the first sign-in.
        const again = await authorize(browser, 'demo-manager', { max_age: String(maxAge), prompt: 'login' });
        const fresh = await redeem(again, maxAge);
        const firstAuth = decodeJwt(first.access_token).auth_time as number;
        const freshAuth = decodeJwt(fresh.access_token).auth_time as number;
        assert.ok(freshAuth >= firstAuth, 'auth_time is the new sign-in’s');
        assert.ok(Math.floor(Date.now() / 1000) - freshAuth <= maxAge, 'auth_time within max_age');
        assert.equal(decodeJwt(fresh.access_token).sub, decodeJwt(first.access_token).sub, 'the same person');
        const exported = await exportWith(fresh.access_token);
        assert.equal(exported.status, 200, exported.text.slice(0, 300));
      } finally {
        await browser.close();
      }
    });

    /** A signed-in browser whose sign-in is past the step-up window, and the challenge's max_age. */
    async function staleSignIn(browser: Browser) {
      const first = await redeem(await authorize(browser, 'demo-manager'));
      const refused = await exportWith(first.access_token, (STEP_UP_MAX_AGE_S + 60) * 1000);
      assert.equal(refused.status, 401);
      return { first, maxAge: String(refused.body.maxAge) };
    }

    test('a finished step-up cannot be replayed: the resumed authorization and the IdP’s callback, sent again, give no second code; the code is bound to its PKCE verifier', async () => {
      const browser = new RecordingBrowser(ca);
      try {
        const { maxAge } = await staleSignIn(browser);
        browser.visited.length = 0;
        const again = await authorize(browser, 'demo-manager', { max_age: maxAge, prompt: 'login' });
        assert.ok(again.flow.redirect, 'the step-up returned to the app');
        const resume = browser.visited.find((url) => /\/oauth2\/authorize\/[A-Za-z0-9_-]+$/.test(new URL(url).pathname));
        const callback = browser.visited.find((url) => new URL(url).pathname === '/auth/callback');
        assert.ok(resume && callback, `the flow went through the resume and the callback: ${browser.visited.map((u) => new URL(u).pathname).join(' ')}`);

        for (const url of [resume, callback]) {
          const replay = await browser.follow(url, REDIRECT_URI);
          assert.equal(replay.redirect, undefined, `${new URL(url).pathname} replayed gave the app a redirect: ${replay.redirect?.href}`);
          assert.ok(replay.page && replay.page.status >= 400, `${new URL(url).pathname} replayed is refused (${replay.page?.status})`);
        }
        // Another browser (the attacker's) replaying the resume URL has no cookie for it at all.
        const other = new Browser(ca);
        try {
          const stolen = await other.follow(resume, REDIRECT_URI);
          assert.equal(stolen.redirect, undefined);
          assert.equal(stolen.page?.status, 400);
        } finally {
          await other.close();
        }

        // The step-up's code, redeemed with another verifier, is refused (and then spent).
        await assert.rejects(
          oidc.authorizationCodeGrant(config, again.flow.redirect, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: again.state, expectedNonce: again.nonce, idTokenExpected: true }),
          (error: { error?: string }) => error.error === 'invalid_grant',
        );
        await assert.rejects(redeem(again), (error: { error?: string }) => error.error === 'invalid_grant', 'a refused code is spent');
      } finally {
        await browser.close();
      }
    });

    test('a step-up interaction left longer than its lifetime is refused when the IdP returns: no code, and the old token still cannot export', async () => {
      const browser = new Browser(ca);
      try {
        const { first, maxAge } = await staleSignIn(browser);
        // The person reaches the development IdP's page and leaves it open.
        const started = await authorize(browser, undefined, { max_age: maxAge, prompt: 'login' });
        assert.match(started.flow.page?.url ?? '', /\/dev-idp\/interaction\//, 'the development IdP asks who signs in');
        // …and picks a person after Palisade's interaction expired.
        ahead = (INTERACTION_TTL_S + 60) * 1000;
        let late;
        try {
          late = await browser.follow(started.flow.page!.url, REDIRECT_URI, 'demo-manager');
        } finally {
          ahead = 0;
        }
        assert.equal(late.redirect, undefined, `an expired interaction gave the app a redirect: ${late.redirect?.href}`);
        assert.ok(late.page && late.page.status >= 400, `refused (${late.page?.status})`);
        assert.equal((await exportWith(first.access_token, (STEP_UP_MAX_AGE_S + 60) * 1000)).status, 401, 'the stale sign-in is still not enough');
      } finally {
        await browser.close();
      }
    });
  });
}

// The same second sign-in in real Chromium, as the field app's web build makes it: the browser
// client field-web at http://localhost:8081 (answered here by the test, nothing listens there),
// signed in once, then sent again with prompt=login and max_age while Palisade's and the
// development IdP's cookies from the first sign-in are in the browser.
describe('step-up through the development IdP in Chromium, as the field app’s web build', { skip: browserMissing }, () => {
  let database: TestDatabase;
  let server: RunningServer;
  let http: Browser;
  let chrome: Chromium;
  let config: oidc.Configuration;

  before(async () => {
    database = await databaseKinds()[0]!.create({ migrated: true });
    let ca: string;
    ({ server, ca } = await startInProcess(database, { env: {} }, await freePort()));
    http = new Browser(ca);
    config = await oidc.discovery(new URL(server.url), 'field-web', { token_endpoint_auth_method: 'none' }, oidc.None(), { [oidc.customFetch]: http.fetch as oidc.CustomFetch });
    chrome = await launchChromium({ pin: server.pin, localhostToLoopback: true });
  });
  after(async () => {
    await chrome?.close();
    await server?.close();
    await http?.close();
    await database?.drop();
  });

  test('the re-authentication with prompt=login and max_age returns to the app’s callback with a code, not to “Sign-in could not continue”', async () => {
    const context = await chrome.newContext();
    context.setDefaultTimeout(60_000);
    await context.route(`${FIELD_WEB_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title>' }));
    const page = await context.newPage();
    try {
      const attempts: Record<string, string>[] = [{}, { prompt: 'login', max_age: String(STEP_UP_MAX_AGE_S) }];
      for (const extra of attempts) {
        const state = oidc.randomState();
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: `${FIELD_WEB_ORIGIN}/callback`,
          scope: APP_SCOPE,
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
          state,
          ...extra,
        });
        await page.goto(url.href);
        await page.waitForURL(/\/dev-idp\/interaction\//);
        await page.click('button[data-person="demo-manager"]');
        // Wherever the sign-in ends: the app's callback, or Palisade's page at the resumed authorization.
        await page.waitForURL((at) => at.href.startsWith(`${FIELD_WEB_ORIGIN}/callback`) || /^\/oauth2\/authorize\/./.test(at.pathname));
        const landed = new URL(page.url());
        assert.ok(landed.href.startsWith(`${FIELD_WEB_ORIGIN}/callback`), `${JSON.stringify(extra)}: ended at ${landed.pathname}: ${(await page.locator('body').innerText()).slice(0, 300)}`);
        assert.equal(landed.searchParams.get('state'), state);
        assert.ok(landed.searchParams.get('code'), 'with a code');
      }
      const names = (await context.cookies()).map((c) => `${c.name} ${c.path}`);
      assert.ok(names.includes('dev-idp.session /dev-idp') && names.includes('_session /'), `each server keeps its own session cookie: ${names.join(', ')}`);
    } finally {
      await context.close();
    }
  });
});
