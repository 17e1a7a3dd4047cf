/**
 * Sessions as their owner sees and controls them, and the idle lock, end to end over HTTPS
 * with openid-client as the app. The server runs in this process with an injected clock, so
 * "15 minutes without a call" is a clock step, never a sleep.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, relaxedPosture } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit, type AuditFilter } from '../../src/audit/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { DPOP_ALGS } from '../../src/http/dpop.ts';

const MINUTE = 60_000;

for (const kind of databaseKinds()) {
  describe(`sessions and the idle lock (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    const clock = new ManualClock(Date.now());
    /** What the audit trail holds for `filter` (queued events written first). */
    const audited = async (filter: AuditFilter) => {
      await server.audit.flush();
      return (await searchAudit(server.db, { ...filter, limit: 500 })).events;
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(
        database,
        upstream,
        port,
        {
          PALISADE_SESSIONS_IDLE_TIMEOUT: '5m',
          // field-app binds tokens to device keys (DPoP). The idle-lock test moves this server's
          // clock minutes ahead of the proofs' real-time iat, so it signs in as an app without DPoP.
          PALISADE_CLIENTS: JSON.stringify([
            { id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'] },
            { id: 'kiosk-app', name: 'Kiosk', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' },
          ]),
          // The kiosk signs in with bearer tokens: no device key to sign a posture report.
          PALISADE_DEVICE_POLICY: relaxedPosture('kiosk-app'),
          PALISADE_SESSIONS_STEP_UP_MAX_AGE: '2m',
        },
        clock,
      ));
      // DPoP proofs carry the real time: the server's clock starts from it once the server is up
      // (however long the start took), not from when this file was loaded.
      clock.set(Date.now());
      app = new MobileApp(server.url, ca);
      app.clock = () => clock.now();
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    type Listed = { id: string; state: string; current?: boolean; endedReason: string | null; clientId: string };
    const list = async (token: string) => (await app.call('/api/v1/me/sessions', token)).body.sessions as Listed[];

    test('the caller sees their sessions and can end another of their own; its tokens stop at once', async () => {
      const phone = await app.signIn('u-contractor');
      clock.advance(1000);
      const tablet = await app.signIn('u-contractor');
      const sid = (t: oidc.TokenEndpointResponse) => JSON.parse(Buffer.from(t.access_token.split('.')[1]!, 'base64url').toString()).sid as string;
      const listed = await list(phone.tokens.access_token);
      assert.deepEqual(
        listed.map((s) => [s.id, s.state, s.current]),
        [
          [sid(tablet.tokens), 'active', false],
          [sid(phone.tokens), 'active', true],
        ],
      );
      assert.equal((await app.call(`/api/v1/me/sessions/${sid(tablet.tokens)}`, phone.tokens.access_token, { method: 'DELETE' })).status, 204);
      const refused = await app.call('/api/v1/me', tablet.tokens.access_token);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.type, 'https://palisade.dev/problems/session-revoked');
      await assert.rejects(app.refresh(tablet), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      const after = await list(phone.tokens.access_token);
      assert.deepEqual(after.find((s) => s.id === sid(tablet.tokens)), { ...after.find((s) => s.id === sid(tablet.tokens))!, state: 'ended', endedReason: 'logout' });
    });

    test('nobody can see or end another person’s session', async () => {
      const mine = await app.signIn('u-tech');
      const theirs = await app.signIn('u-admin');
      const theirSid = (await list(theirs.tokens.access_token))[0]!.id;
      assert.ok((await list(mine.tokens.access_token)).every((s) => s.id !== theirSid));
      const attempt = await app.call(`/api/v1/me/sessions/${theirSid}`, mine.tokens.access_token, { method: 'DELETE' });
      assert.equal(attempt.status, 404, 'answered as if it did not exist');
      assert.equal((await app.call('/api/v1/me', theirs.tokens.access_token)).status, 200, 'their session is untouched');
    });

    describe('the admin side', () => {
      // The company IdP stamps auth_time with real time; earlier tests moved the clock ahead.
      before(() => clock.set(Date.now()));
      const sidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;
      const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;

      test('only admins reach the admin API', async () => {
        const tech = await app.signIn('u-tech');
        const refused = await app.call(`/admin/v1/users/${subOf(tech.tokens.access_token)}/sessions`, tech.tokens.access_token);
        assert.equal(refused.status, 403);
        assert.equal(refused.body.type, 'https://palisade.dev/problems/forbidden');
        assert.equal((await app.call(`/admin/v1/sessions/${sidOf(tech.tokens.access_token)}`, tech.tokens.access_token, { method: 'DELETE' })).status, 403, 'not even step-up is offered');
        const denials = await audited({ action: 'admin.session.revoke', outcome: 'denied', userId: subOf(tech.tokens.access_token) });
        assert.equal(denials.length, 1, 'the denial is audited, attributed to the caller');
        const http = await audited({ action: 'http.denied', userId: subOf(tech.tokens.access_token) });
        assert.ok(http.some((e) => e.reason === 'permission_missing' && e.resource?.id === 'DELETE /admin/v1/sessions/:id' && e.actor.ip && e.requestId), 'every 403 is recorded with route, IP and request id');
      });

      test('an admin lists a user’s sessions and ends one remotely: its tokens stop at once', async () => {
        const tech = await app.signIn('u-tech');
        const admin = await app.signIn('u-admin');
        const listed = await app.call(`/admin/v1/users/${subOf(tech.tokens.access_token)}/sessions`, admin.tokens.access_token);
        assert.equal(listed.status, 200);
        assert.ok((listed.body.sessions as { id: string }[]).some((s) => s.id === sidOf(tech.tokens.access_token)));
        const one = await app.call(`/admin/v1/sessions/${sidOf(tech.tokens.access_token)}`, admin.tokens.access_token);
        assert.equal(one.body.userId, subOf(tech.tokens.access_token));
        assert.equal((await app.call(`/admin/v1/sessions/${sidOf(tech.tokens.access_token)}`, admin.tokens.access_token, { method: 'DELETE' })).status, 204);
        const after = await app.call('/api/v1/me', tech.tokens.access_token);
        assert.equal(after.body.type, 'https://palisade.dev/problems/session-revoked');
        assert.equal((await app.call(`/admin/v1/sessions/not-a-session`, admin.tokens.access_token, { method: 'DELETE' })).status, 404);
      });

      test('ending sessions needs a recent sign-in: an old one gets the RFC 9470 challenge, a fresh one passes', async () => {
        const tech = await app.signIn('u-tech');
        const target = `/admin/v1/users/${subOf(tech.tokens.access_token)}/sessions`;
        upstream.staleLoginSeconds = 180; // the admin's company sign-in was 3 minutes ago (limit: 2)
        let stale;
        try {
          stale = await app.signIn('u-admin');
        } finally {
          upstream.staleLoginSeconds = 0;
        }
        assert.equal((await app.call(target, stale.tokens.access_token)).status, 200, 'reading needs no step-up');
        const challenged = await app.call(target, stale.tokens.access_token, { method: 'DELETE' });
        assert.equal(challenged.status, 401);
        assert.equal(challenged.body.type, 'https://palisade.dev/problems/step-up-required');
        assert.equal(challenged.body.maxAge, 120);
        assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'nothing was ended');
        assert.ok(
          (await audited({ action: 'admin.sessions.revoke_all', outcome: 'failure' })).some((e) => e.reason === 'refused' && e.detail?.problem === 'step-up-required'),
          'the refused attempt is audited',
        );
        const fresh = await app.signIn('u-admin');
        const ended = await app.call(target, fresh.tokens.access_token, { method: 'DELETE' });
        assert.equal(ended.status, 200);
        assert.ok((ended.body.ended as number) >= 1, 'the technician’s sessions (from earlier tests too) are ended');
        assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 401);
      });

      test('the challenge header follows RFC 9470', async () => {
        upstream.staleLoginSeconds = 600;
        let stale;
        try {
          stale = await app.signIn('u-admin');
        } finally {
          upstream.staleLoginSeconds = 0;
        }
        const response = await app.call(`/admin/v1/sessions/${sidOf(stale.tokens.access_token)}`, stale.tokens.access_token, { method: 'DELETE' });
        // field-app binds its tokens to the device key: the challenge is in the DPoP scheme (RFC 9449 §7.1).
        assert.equal(response.headers.get('www-authenticate'), `DPoP algs="${DPOP_ALGS.join(' ')}", realm="palisade", error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=120`);
      });
    });

    describe('back-channel logout from the company IdP', () => {
      before(() => clock.set(Date.now()));
      const ca = () => readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
      const sidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;
      const upstreamSid = async (sessionId: string) =>
        (await server.db.query<{ upstream_sid: string }>('SELECT upstream_sid FROM sessions WHERE id = $1', [sessionId])).rows[0]!.upstream_sid;
      const post = (body: string) =>
        app.http.fetch(`${server.url}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

      test('the IdP ending one of its sessions ends exactly the Palisade sessions signed in through it', async () => {
        const phone = await app.signIn('u-contractor');
        const laptop = await app.signIn('u-contractor');
        const sid = await upstreamSid(sidOf(phone.tokens.access_token));
        assert.ok(sid, 'the IdP session id was recorded at sign-in');
        assert.notEqual(sid, await upstreamSid(sidOf(laptop.tokens.access_token)));
        await upstream.backchannelLogout('u-contractor', sid, ca()); // rejects unless Palisade answers 200
        const ended = await app.call('/api/v1/me', phone.tokens.access_token);
        assert.equal(ended.body.type, 'https://palisade.dev/problems/session-revoked');
        await assert.rejects(app.refresh(phone), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
        assert.equal((await app.call('/api/v1/me', laptop.tokens.access_token)).status, 200, 'the other IdP session is untouched');
      });

      test('a logout token is acted on once: a replay is refused', async () => {
        const victim = await app.signIn('u-contractor');
        await upstream.backchannelLogout('u-contractor', await upstreamSid(sidOf(victim.tokens.access_token)), ca());
        const replay = await post(new URLSearchParams({ logout_token: upstream.sentLogoutTokens.at(-1)! }).toString());
        assert.equal(replay.status, 400);
        const body = (await replay.json()) as { type: string; error: string; detail: string };
        assert.equal(body.type, 'https://palisade.dev/problems/logout-token-refused');
        assert.equal(body.error, 'invalid_request');
        assert.match(body.detail, /already used/);
      });

      test('forged, foreign and malformed logout tokens are refused with 400 and end nothing', async () => {
        const bystander = await app.signIn('u-contractor');
        const { privateKey } = await generateKeyPair('ES256');
        const claims = { iss: upstream.issuer, aud: upstream.clientId, sub: 'u-contractor', jti: randomUUID(), events: { 'http://schemas.openid.net/event/backchannel-logout': {} } };
        const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'logout+jwt', kid: 'forged' }).setIssuedAt().sign(privateKey);
        for (const [name, body] of [
          ['signed by a key the IdP never published', new URLSearchParams({ logout_token: forged }).toString()],
          ['Palisade’s own access token', new URLSearchParams({ logout_token: bystander.tokens.access_token }).toString()],
          ['not a JWT', 'logout_token=not-a-jwt'],
          ['no token', 'something=else'],
        ] as const) {
          const response = await post(body);
          assert.equal(response.status, 400, name);
        }
        const json = await app.http.fetch(`${server.url}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ logout_token: forged }) });
        assert.equal(json.status, 415, 'the specification says form encoding');
        assert.equal((await app.call('/api/v1/me', bystander.tokens.access_token)).status, 200);
      });
    });

    test('after the idle timeout without an API call the session is locked: 401 session-locked, even with refreshed tokens', async () => {
      const kiosk = new MobileApp(server.url, readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8'), 'kiosk-app');
      kiosk.clock = () => clock.now();
      after(() => kiosk.close());
      const session = await kiosk.signIn('u-tech', { dpop: false });
      const { tokens } = session;
      assert.equal((await kiosk.call('/api/v1/me', tokens.access_token)).status, 200);
      clock.advance(4 * MINUTE);
      assert.equal((await kiosk.call('/api/v1/me', tokens.access_token)).status, 200, 'a call within the timeout keeps it alive');
      clock.advance(5 * MINUTE + 1000);
      const locked = await kiosk.call('/api/v1/me', tokens.access_token);
      assert.equal(locked.status, 401);
      assert.equal(locked.body.type, 'https://palisade.dev/problems/session-locked');
      const refreshed = await kiosk.refresh(session);
      assert.equal((await kiosk.call('/api/v1/me', refreshed.access_token)).status, 401, 'new tokens of a locked session are locked too');
      const fresh = await kiosk.signIn('u-tech', { dpop: false });
      assert.equal((await kiosk.call('/api/v1/me', fresh.tokens.access_token)).status, 200, 'a new sign-in is a new, active session');
      // Through the kiosk app: its token travels with its own app key, signed with the session's key it holds.
      const listed = (await kiosk.call('/api/v1/me/sessions', fresh.tokens.access_token)).body.sessions as Listed[];
      assert.equal(listed.find((s) => !s.current && s.state === 'locked')?.clientId, 'kiosk-app', 'the owner sees the locked session');
    });

    describe('biometric unlock', () => {
      let kiosk: MobileApp;
      before(() => {
        clock.set(Date.now());
        kiosk = new MobileApp(server.url, readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8'), 'kiosk-app');
        kiosk.clock = () => clock.now();
      });
      after(() => kiosk.close());

      /** Signs in registering an unlock key (its private half stays "in the keystore": here). */
      async function signInWithUnlockKey() {
        const unlockKey = await generateKeyPair('ES256', { extractable: true });
        const jwk = await exportJWK(unlockKey.publicKey);
        const session = await kiosk.signIn('u-tech', { dpop: false, params: { unlock_jwk: Buffer.from(JSON.stringify(jwk)).toString('base64url') } });
        return { session, unlockKey, sid: decodeJwt(session.tokens.access_token).sid as string };
      }
      const sign = (key: CryptoKey, claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'palisade-unlock+jwt' }).setIssuedAt().sign(key);
      const challenge = async (token: string) => (await kiosk.call('/api/v1/session/unlock/challenge', token, { method: 'POST' })).body.challenge as string;
      const unlock = (token: string, proof: string) => kiosk.call('/api/v1/session/unlock', token, { method: 'POST', body: JSON.stringify({ proof }) });
      async function lock(token: string) {
        assert.equal((await kiosk.call('/api/v1/me', token)).status, 200);
        clock.advance(6 * MINUTE);
        assert.equal((await kiosk.call('/api/v1/me', token)).body.type, 'https://palisade.dev/problems/session-locked');
      }

      test('a locked session is unlocked by the registered key signing a fresh challenge', async () => {
        const { session, unlockKey, sid } = await signInWithUnlockKey();
        const token = session.tokens.access_token;
        await lock(token);
        const issued = await challenge(token);
        assert.equal((await unlock(token, await sign(unlockKey.privateKey, { challenge: issued, sid }))).status, 200);
        assert.equal((await kiosk.call('/api/v1/me', token)).status, 200, 'unlocked');
      });

      test('wrong key, wrong session, no or replayed challenge are refused; five failures block until a new sign-in', async () => {
        const { session, unlockKey, sid } = await signInWithUnlockKey();
        const token = session.tokens.access_token;
        await lock(token);
        const stranger = await generateKeyPair('ES256');
        const first = await challenge(token);
        assert.equal((await unlock(token, await sign(stranger.privateKey, { challenge: first, sid }))).body.type, 'https://palisade.dev/problems/unlock-failed', 'another key');
        const second = await challenge(token);
        assert.equal((await unlock(token, await sign(unlockKey.privateKey, { challenge: second, sid: 'another-session' }))).status, 401, 'another session');
        const third = await challenge(token);
        const good = await sign(unlockKey.privateKey, { challenge: third, sid });
        clock.advance(3 * MINUTE);
        assert.equal((await unlock(token, good)).status, 401, 'an expired challenge');
        assert.equal((await unlock(token, good)).status, 401, 'a replayed proof (the challenge is single-use)');
        const blocked = await unlock(token, await sign(unlockKey.privateKey, { challenge: 'made-up', sid }));
        assert.equal(blocked.body.type, 'https://palisade.dev/problems/unlock-blocked', 'the fifth failure blocks');
        const now = await challenge(token);
        assert.equal((await unlock(token, await sign(unlockKey.privateKey, { challenge: now, sid }))).status, 401, 'even a correct proof');
        assert.equal((await kiosk.call('/api/v1/me', token)).body.type, 'https://palisade.dev/problems/session-locked');
      });

      test('a session without an unlock key cannot be unlocked; the key must be a public key', async () => {
        const plain = await kiosk.signIn('u-tech', { dpop: false });
        assert.equal((await kiosk.call('/api/v1/session/unlock/challenge', plain.tokens.access_token, { method: 'POST' })).status, 409);
        const { privateKey } = await generateKeyPair('ES256', { extractable: true });
        await assert.rejects(
          kiosk.signIn('u-tech', { dpop: false, params: { unlock_jwk: Buffer.from(JSON.stringify(await exportJWK(privateKey))).toString('base64url') } }),
          (e: oidc.AuthorizationResponseError) => e.error === 'invalid_request' && /unlock_jwk/.test(e.error_description ?? ''),
          'a private key is refused at the authorization request',
        );
      });
    });

    describe('the 7-day limit', () => {
      before(() => clock.set(Date.now()));

      test('a session ends 7 days after the SSO login however often it was refreshed', async () => {
        const kiosk = new MobileApp(server.url, readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8'), 'kiosk-app');
        kiosk.clock = () => clock.now();
      kiosk.clock = () => clock.now();
        try {
          const session = await kiosk.signIn('u-tech', { dpop: false });
          clock.advance(3 * 24 * 60 * MINUTE);
          const day3 = await kiosk.refresh(session);
          clock.advance(3 * 24 * 60 * MINUTE + 23 * 60 * MINUTE); // 6 days 23 hours after the login
          const lastDay = await kiosk.refresh(session, day3.refresh_token!);
          assert.ok(lastDay.refresh_token, 'still within the 7 days: rotation goes on');
          clock.advance(2 * 60 * MINUTE); // 7 days and 1 hour
          await assert.rejects(kiosk.refresh(session, lastDay.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant', 'a full sign-in is needed');
        } finally {
          await kiosk.close();
        }
      });
    });

    test('where an acr is configured for sensitive actions, a sign-in without it gets the challenge naming it', async () => {
      const second = await kind.create({ migrated: true });
      const { upstream: strict, port } = await federatedTo(second);
      const { server: strictServer, ca } = await startInProcess(second, strict, port, { PALISADE_SESSIONS_STEP_UP_ACR: 'urn:corp:hardware-key' });
      const strictApp = new MobileApp(strictServer.url, ca);
      try {
        const admin = await strictApp.signIn('u-admin'); // the IdP says acr urn:corp:mfa
        const sub = decodeJwt(admin.tokens.access_token).sub as string;
        const refused = await strictApp.call(`/admin/v1/users/${sub}/sessions`, admin.tokens.access_token, { method: 'DELETE' });
        assert.equal(refused.status, 401);
        assert.equal(refused.body.acrValues, 'urn:corp:hardware-key');
        assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_user_authentication".*acr_values="urn:corp:hardware-key"/);
      } finally {
        await strictApp.close();
        await strictServer.close();
        await strict.close();
        await second.drop();
      }
    });
  });
}
