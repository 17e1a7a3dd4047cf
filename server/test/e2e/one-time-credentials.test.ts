/**
 * One-time credentials as an attacker tries them, over HTTPS with openid-client as the app:
 * a rotated refresh token is reuse in whatever form it comes back (no proof, another device's
 * proof, the right device after the retry window) and ends the whole sign-in, with a record and
 * an alert; an authorization code is spent by its first redemption attempt, even a failed one
 * (RFC 6749 §4.1.2); and a refused authorization request leaves an audit record. The server
 * runs in this process (its clock is real time plus an offset the test moves, so "after the
 * retry window" is a clock step, never a sleep).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { APP_SCOPE, MobileApp, relaxedPosture, type SignedIn } from '../helpers/mobile-app.ts';
import { Browser } from '../helpers/browser.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit, type AuditFilter } from '../../src/audit/index.ts';

for (const kind of databaseKinds()) {
  describe(`one-time credentials under attack (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let ca: string;
    let app: MobileApp;
    const offset = { ms: 0 };
    const clock = { now: () => Date.now() + offset.ms };
    const audited = async (filter: AuditFilter) => {
      await server.audit.flush();
      return (await searchAudit(server.db, { ...filter, limit: 500 })).events;
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      ({ server, ca } = await startInProcess(
        database,
        upstream,
        port,
        {
          // field-app as configured by default (DPoP required); two apps that accept bearer tokens.
          PALISADE_CLIENTS: JSON.stringify([
            { id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'] },
            { id: 'kiosk-app', name: 'Kiosk', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' },
            { id: 'other-app', name: 'Other', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' },
          ]),
          PALISADE_TOKENS_REFRESH_RETRY_GRACE: '30s',
          // The hand-made token requests and the bearer apps send no posture report.
          PALISADE_DEVICE_POLICY: relaxedPosture('field-app', 'kiosk-app', 'other-app'),
        },
        clock,
      ));
      app = new MobileApp(server.url, ca);
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    const form = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
      app.http.fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString() });

    describe('a rotated refresh token presented again ends the whole sign-in, in any form', () => {
      /** A sign-in on a DPoP-bound device whose refresh token has just been rotated. */
      async function rotated(): Promise<{ session: SignedIn; successor: oidc.TokenEndpointResponse; sid: string }> {
        const session = await app.signIn('u-tech');
        const successor = await app.refresh(session);
        assert.equal((await app.call('/api/v1/me', successor.access_token)).status, 200, 'the control: the successor works');
        return { session, successor, sid: String(decodeJwt(session.tokens.access_token).sid) };
      }

      async function assertRevoked(session: SignedIn, successor: oidc.TokenEndpointResponse, sid: string, form: string, presented: string) {
        const me = await app.call('/api/v1/me', successor.access_token);
        assert.equal(me.status, 401, `${form}: the successor access token stops working at once`);
        assert.equal(me.body.type, 'https://palisade.dev/problems/session-revoked', form);
        await assert.rejects(app.refresh(session, successor.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant', `${form}: the successor refresh token is refused`);
        const reuse = await audited({ action: 'token.reuse', resourceType: 'session', resourceId: sid });
        assert.equal(reuse.length, 1, `${form}: the reuse is one audit record`);
        assert.equal(reuse[0]!.outcome, 'denied');
        assert.equal(reuse[0]!.detail?.presented, presented, `${form}: the record says how the token came back`);
        const alerts = await audited({ action: 'alert.refresh_token_reuse' });
        assert.ok(alerts.some((a) => a.detail?.sessionId === sid), `${form}: the refresh_token_reuse alert is raised for this session`);
      }

      test('without a DPoP proof (a thief who copied the token but not the device key)', async () => {
        const { session, successor, sid } = await rotated();
        const replay = await form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: session.tokens.refresh_token!, client_id: 'field-app' });
        assert.equal(replay.status, 400, 'refused');
        await assertRevoked(session, successor, sid, 'no proof', 'without_proof');
      });

      test('with a proof of another key', async () => {
        const { session, successor, sid } = await rotated();
        const thief = await app.newDevice(session.config);
        await assert.rejects(oidc.refreshTokenGrant(session.config, session.tokens.refresh_token!, undefined, { DPoP: thief.dpop }), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
        await assertRevoked(session, successor, sid, 'another key', 'not_a_retry');
      });

      test('with a proof of the right key, after the retry window', async () => {
        const { session, successor, sid } = await rotated();
        offset.ms += 31_000;
        try {
          await assert.rejects(app.refresh(session, session.tokens.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
          await assertRevoked(session, successor, sid, 'right key, late', 'not_a_retry');
        } finally {
          offset.ms -= 31_000;
        }
      });

      test('an app without DPoP: the rotated bearer refresh token, within the window', async () => {
        const kiosk = new MobileApp(server.url, ca, 'kiosk-app');
        try {
          const session = await kiosk.signIn('u-tech', { dpop: false });
          const successor = await kiosk.refresh(session);
          await assert.rejects(kiosk.refresh(session, session.tokens.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
          assert.equal((await kiosk.call('/api/v1/me', successor.access_token)).status, 401, 'the successor access token stops working');
          await assert.rejects(kiosk.refresh(session, successor.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
          assert.equal((await audited({ action: 'token.reuse', resourceId: String(decodeJwt(session.tokens.access_token).sid) })).length, 1);
        } finally {
          await kiosk.close();
        }
      });

      test('the control: the same device retrying within the window still gets the successor, and nothing is revoked', async () => {
        const { session, successor, sid } = await rotated();
        const retry = await app.refresh(session, session.tokens.refresh_token!);
        assert.equal(retry.refresh_token, successor.refresh_token);
        assert.equal((await app.call('/api/v1/me', successor.access_token)).status, 200);
        assert.equal((await audited({ action: 'token.reuse', resourceId: sid })).length, 0);
      });
    });

    test('tokens are stamped by Palisade’s clock: 4 minutes ahead, a refresh’s access and ID tokens expire 15 minutes after Palisade’s now', async () => {
      const session = await app.signIn('u-tech');
      offset.ms = 240_000;
      try {
        const refreshed = await app.refreshRaw(session);
        const palisadeNow = Math.floor(clock.now() / 1000);
        for (const [name, token] of [['access', refreshed.access_token], ['ID', refreshed.id_token!]] as const) {
          const { exp } = decodeJwt(token);
          // A client judging by Palisade's time (a device whose clock agrees with it) must not get a
          // token already 4 minutes into its life: the ID token was, and a browser refused the refresh.
          assert.ok(Math.abs(exp! - (palisadeNow + 900)) <= 5, `the ${name} token expires ${exp! - palisadeNow} s after Palisade's now, not 900`);
        }
      } finally {
        offset.ms = 0;
      }
    });

    describe('an authorization code is spent by its first redemption attempt, even a failed one', () => {
      /** A code for `clientId` (a bearer app), as the app receives it at its redirect URI. */
      async function code(clientId = 'kiosk-app') {
        const config = await new MobileApp(server.url, ca, clientId).discover();
        const verifier = oidc.randomPKCECodeVerifier();
        const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
        const url = oidc.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: APP_SCOPE,
          state: oidc.randomState(),
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        });
        const browser = new Browser(ca);
        try {
          const flow = await browser.follow(url.href, redirectUri, 'u-tech');
          const value = flow.redirect?.searchParams.get('code');
          assert.ok(value, `a code comes back to the app (got ${flow.page?.status} ${flow.page?.body.slice(0, 200)})`);
          return { code: value, verifier, redirectUri, clientId };
        } finally {
          await browser.close();
        }
      }
      const redeem = async (c: { code: string; verifier: string; redirectUri: string; clientId: string }, changes: Record<string, string> = {}) => {
        const response = await form('/oauth2/token', { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: c.redirectUri, client_id: c.clientId, ...changes });
        return { status: response.status, body: (await response.json()) as { error?: string; access_token?: string } };
      };

      test('the control: a code redeemed right the first time gives tokens', async () => {
        const right = await redeem(await code());
        assert.equal(right.status, 200);
        assert.ok(right.body.access_token);
      });

      const attempts: [string, (c: Awaited<ReturnType<typeof code>>) => Record<string, string>][] = [
        ['a wrong PKCE verifier', () => ({ code_verifier: oidc.randomPKCECodeVerifier() })],
        ['a wrong redirect URI', () => ({ redirect_uri: 'http://127.0.0.1:1/elsewhere' })],
        ['another client', () => ({ client_id: 'other-app' })],
      ];
      for (const [name, wrong] of attempts) {
        test(`after ${name}, the right redemption is refused too`, async () => {
          const c = await code();
          const failed = await redeem(c, wrong(c));
          assert.equal(failed.status, 400, name);
          assert.equal(failed.body.error, 'invalid_grant', name);
          const then = await redeem(c);
          assert.equal(then.status, 400, `${name}: the code was spent by the failed attempt`);
          assert.equal(then.body.error, 'invalid_grant');
          assert.equal(then.body.access_token, undefined, 'no tokens');
        });
      }

      test('a DPoP-bound app’s sign-in (with the server-nonce retry) still redeems its code', async () => {
        const session = await app.signIn('u-tech');
        assert.equal((await app.call('/api/v1/me', session.tokens.access_token)).status, 200, 'use_dpop_nonce asks for a retry: it spends nothing');
      });
    });

    describe('refused authorization requests are recorded', () => {
      test('unknown client, unregistered redirect URI, no PKCE, plain PKCE, no state: one record each, with the request id', async () => {
        const config = await app.discover();
        const base = { client_id: 'kiosk-app', response_type: 'code', redirect_uri: 'http://127.0.0.1:5555/callback', scope: APP_SCOPE, state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' };
        const cases: [string, Record<string, string>, string][] = [
          ['unknown client', { client_id: 'no-such-app' }, 'invalid_client'],
          ['unregistered redirect URI', { redirect_uri: 'https://evil.example/callback' }, 'invalid_redirect_uri'],
          ['no PKCE', { code_challenge: '', code_challenge_method: '' }, 'invalid_request'],
          ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
          ['no state', { state: '' }, 'invalid_request'],
        ];
        for (const [name, change, error] of cases) {
          const url = new URL(config.serverMetadata().authorization_endpoint!);
          for (const [k, v] of Object.entries({ ...base, ...change })) if (v !== '') url.searchParams.set(k, v);
          const response = await app.http.fetch(url.href, { redirect: 'manual' });
          await response.arrayBuffer();
          assert.ok(response.status === 400 || response.status === 303, `${name}: refused (${response.status})`);
          const requestId = response.headers.get('x-request-id');
          assert.ok(requestId, name);
          const records = (await audited({ action: 'auth.authorize' })).filter((e) => e.requestId === requestId);
          assert.equal(records.length, 1, `${name}: one record`);
          assert.equal(records[0]!.outcome, 'failure', name);
          assert.equal(records[0]!.reason, error, name);
          assert.equal(records[0]!.actor.ip, '127.0.0.1', name);
          if (name === 'unknown client') assert.equal(records[0]!.detail?.claimedClientId, 'no-such-app');
          else assert.equal(records[0]!.actor.appId, 'kiosk-app', name);
          if (name === 'unregistered redirect URI') assert.equal(records[0]!.detail?.redirectUri, 'https://evil.example/callback');
        }
      });
    });
  });
}
