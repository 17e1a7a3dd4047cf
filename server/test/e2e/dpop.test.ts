/**
 * Devices are keys: with the default configuration the field app's tokens are bound to the
 * DPoP key (RFC 9449) the app keeps in its platform keystore. Palisade started the README's
 * way; openid-client makes the proofs an app makes, and the test hand-crafts the ones an
 * attacker would try.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, relaxedPosture, signatureHeaders, signingKeyOf, type SignedIn } from '../helpers/mobile-app.ts';
import { Browser } from '../helpers/browser.ts';

for (const kind of databaseKinds()) {
  describe(`DPoP-bound devices (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let app: MobileApp;
    let phone: SignedIn;

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      server = await startPalisade({
        ...federated.env,
        PALISADE_LOG_LEVEL: 'warn',
        // The field app as configured by default (DPoP required), and an app that merely allows DPoP.
        PALISADE_CLIENTS: JSON.stringify([
          { id: 'field-app', name: 'Field Service', redirectUris: ['com.example.field:/oauth2redirect', 'http://127.0.0.1/callback'] },
          { id: 'kiosk-app', name: 'Kiosk', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' },
        ]),
        // The kiosk's requests below carry no posture report: only the revoked key may refuse them.
        PALISADE_DEVICE_POLICY: relaxedPosture('kiosk-app'),
      });
      app = new MobileApp(server.url, server.ca);
      phone = await app.signIn('u-tech');
    });
    after(async () => {
      await server?.stop();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    const meUrl = () => `${server.url}/api/v1/me`;
    /** A proof as an app (or an attacker holding `privateKey`) would make it. */
    async function proof(privateKey: CryptoKey, jwk: JWK, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
      return new SignJWT({ htm: 'GET', htu: meUrl(), jti: randomUUID(), ath: createHash('sha256').update(phone.tokens.access_token).digest('base64url'), ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
        .setIssuedAt((claims.iat as number | undefined) ?? Math.floor(Date.now() / 1000))
        .sign(privateKey);
    }
    /** GET /api/v1/me with these headers, signed (RFC 9421) with the phone's session key as the app would. */
    async function me(headers: Record<string, string>) {
      const key = app.signingKeyFor(phone.tokens.access_token);
      const signed = headers.authorization && key ? signatureHeaders({ method: 'GET', url: meUrl(), authorization: headers.authorization }, key) : {};
      const response = await app.http.fetch(meUrl(), { headers: { 'palisade-app-key': server.appKeys['field-app']!, ...headers, ...signed } });
      return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as { type: string; detail: string } };
    }
    const phoneJwk = async () => exportJWK(phone.keys!.publicKey);

    test('the tokens are bound to the device key and work with its proofs', async () => {
      assert.equal(phone.tokens.token_type.toLowerCase(), 'dpop');
      assert.deepEqual(decodeJwt(phone.tokens.access_token).cnf, { jkt: phone.jkt });
      const bySdk = app.sent.sdk;
      assert.equal((await app.call('/api/v1/me', phone.tokens.access_token)).status, 200);
      const refreshed = await app.refresh(phone);
      assert.deepEqual(decodeJwt(refreshed.access_token).cnf, { jkt: phone.jkt }, 'refreshing keeps the binding');
      assert.equal((await app.call('/api/v1/me', refreshed.access_token)).status, 200);
      assert.equal(app.sent.sdk - bySdk, 3, 'the client SDK sent both calls and the refresh (the helper’s SDK path)');
      phone = { ...phone, tokens: refreshed };
    });

    test('a bound token presented as a plain Bearer token is refused', async () => {
      const response = await me({ authorization: `Bearer ${phone.tokens.access_token}` });
      assert.equal(response.status, 401);
      assert.match(response.body.detail, /bound to a key/);
    });

    test('proofs that must fail: none, another key, replayed, another URL or method, another token, stale, HMAC, private key inside', async () => {
      const auth = { authorization: `DPoP ${phone.tokens.access_token}` };
      const jwk = await phoneJwk();
      const good = await proof(phone.keys!.privateKey, jwk);
      assert.equal((await me({ ...auth, dpop: good })).status, 200, 'the control: a hand-made proof of the right key passes');
      const thief = await generateKeyPair('ES256', { extractable: true });
      const cases: [string, Record<string, string>, RegExp][] = [
        ['no proof', auth, /proof is required/],
        ['replayed proof', { ...auth, dpop: good }, /already used/],
        ['another key', { ...auth, dpop: await proof(thief.privateKey, await exportJWK(thief.publicKey)) }, /another key/],
        ['another URL', { ...auth, dpop: await proof(phone.keys!.privateKey, jwk, { htu: `${server.url}/api/v1/me/sessions` }) }, /another URL/],
        ['another method', { ...auth, dpop: await proof(phone.keys!.privateKey, jwk, { htm: 'POST' }) }, /another HTTP method/],
        ['another token (ath)', { ...auth, dpop: await proof(phone.keys!.privateKey, jwk, { ath: 'x'.repeat(43) }) }, /ath/],
        ['stale', { ...auth, dpop: await proof(phone.keys!.privateKey, jwk, { iat: Math.floor(Date.now() / 1000) - 3600 }) }, /not fresh/],
        ['two proofs', { ...auth, dpop: `${good},${good}` }, /exactly one/],
        ['a private key in the header', { ...auth, dpop: await proof(phone.keys!.privateKey, { ...(await exportJWK(thief.privateKey)) }) }, /not valid|public key/],
      ];
      for (const [name, headers, detail] of cases) {
        const response = await me(headers);
        assert.equal(response.status, 401, name);
        assert.equal(response.body.type, 'https://palisade.dev/problems/invalid-dpop-proof', name);
        assert.match(response.body.detail, detail, name);
        assert.match(response.challenge ?? '', /^DPoP algs="[^"]+", error="invalid_dpop_proof"/, name);
      }
      const hmac = await new SignJWT({ htm: 'GET', htu: meUrl(), jti: randomUUID(), ath: 'x' }).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } as JWK }).setIssuedAt().sign(new TextEncoder().encode('secret'));
      assert.equal((await me({ ...auth, dpop: hmac })).status, 401, 'HMAC proves nothing');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk })).toString('base64url')}.${Buffer.from(JSON.stringify({ htm: 'GET', htu: meUrl(), jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })).toString('base64url')}.`;
      assert.equal((await me({ ...auth, dpop: unsigned })).status, 401, 'alg none');
    });

    test('a stolen refresh token is useless on another device', async () => {
      const thiefDevice = await app.newDevice(phone.config);
      await assert.rejects(oidc.refreshTokenGrant(phone.config, phone.tokens.refresh_token!, undefined, { DPoP: thiefDevice.dpop }), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      await assert.rejects(oidc.refreshTokenGrant(phone.config, phone.tokens.refresh_token!), (e: oidc.ResponseBodyError) => /invalid_(grant|request|dpop_proof)/.test(e.error), 'nor without any proof');
    });

    test('the app must name its device key when it asks for a code (dpop_jkt), and only that key can redeem the code', async () => {
      const config = await app.discover();
      const verifier = oidc.randomPKCECodeVerifier();
      const redirectUri = 'http://127.0.0.1:61003/callback';
      const base = { redirect_uri: redirectUri, scope: 'openid offline_access api', state: 'st', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
      const browser = new Browser(server.ca);
      try {
        const unbound = await browser.follow(oidc.buildAuthorizationUrl(config, base).href, redirectUri, 'u-tech');
        assert.equal(unbound.redirect?.searchParams.get('error'), 'invalid_request');
        assert.match(unbound.redirect?.searchParams.get('error_description') ?? '', /dpop_jkt/);
        const device = await app.newDevice(config);
        const flow = await browser.follow(oidc.buildAuthorizationUrl(config, { ...base, dpop_jkt: device.jkt }).href, redirectUri, 'u-tech');
        const intercepted = await app.newDevice(config);
        await assert.rejects(
          oidc.authorizationCodeGrant(config, flow.redirect!, { pkceCodeVerifier: verifier, expectedState: 'st' }, undefined, { DPoP: intercepted.dpop }),
          (e: oidc.ResponseBodyError) => e.error === 'invalid_grant' || e.error === 'invalid_request',
          'a code bound to one key cannot be redeemed with another',
        );
      } finally {
        await browser.close();
      }
    });

    describe('refresh retry grace window', () => {
      test('a retry of the just-rotated refresh token by the same device gets the same successor tokens', async () => {
        const session = await app.signIn('u-admin');
        const first = await app.refresh(session);
        const retry = await app.refresh(session, session.tokens.refresh_token!); // the response was "lost"
        assert.equal(retry.refresh_token, first.refresh_token, 'the same successor refresh token');
        assert.equal(retry.access_token, first.access_token, 'the same access token');
        assert.ok(signingKeyOf(retry), 'the retry carries the request signing key as well');
        assert.deepEqual(signingKeyOf(retry), signingKeyOf(session.tokens), 'the session’s key, the same as at sign-in');
        assert.equal((await app.call('/api/v1/me', first.access_token)).status, 200, 'the session lives on');
        const next = await app.refresh(session, first.refresh_token!);
        assert.equal((await app.call('/api/v1/me', next.access_token)).status, 200, 'and keeps rotating normally');
      });

      test('concurrent refreshes by the same device all get the one successor; none trips reuse detection', async () => {
        const session = await app.signIn('u-admin');
        const results = await Promise.all([app.refresh(session), app.refresh(session), app.refresh(session)]);
        assert.equal(new Set(results.map((r) => r.refresh_token)).size, 1);
        assert.equal((await app.call('/api/v1/me', results[0]!.access_token)).status, 200);
      });

      test('the same rotated token from another device key is reuse: the whole session ends', async () => {
        const session = await app.signIn('u-admin');
        const first = await app.refresh(session);
        const thief = await app.newDevice(session.config);
        await assert.rejects(oidc.refreshTokenGrant(session.config, session.tokens.refresh_token!, undefined, { DPoP: thief.dpop }), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
        assert.equal((await app.call('/api/v1/me', first.access_token)).status, 401, 'the family is revoked');
        await assert.rejects(app.refresh(session, first.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      });
    });

    describe('devices', () => {
      type Listed = { sessions: { id: string; deviceId: string | null; endedReason: string | null; current?: boolean }[]; devices: { id: string; platform: string; model: string; osVersion: string; appVersion: string; state: string; stateReason: string | null }[] };
      const listed = async (session: SignedIn) => (await app.call('/api/v1/me/sessions', session.tokens.access_token)).body as unknown as Listed;

      test('a sign-in records the device the app describes, and its session is bound to it', async () => {
        const tablet = await app.signIn('u-contractor', { device: { platform: 'android', model: 'Pixel 9', osVersion: '15', appVersion: '2.5.1' } });
        const { sessions, devices } = await listed(tablet);
        const current = sessions.find((s) => s.current)!;
        const device = devices.find((d) => d.id === current.deviceId)!;
        assert.deepEqual({ platform: device.platform, model: device.model, osVersion: device.osVersion, appVersion: device.appVersion, state: device.state }, { platform: 'android', model: 'Pixel 9', osVersion: '15', appVersion: '2.5.1', state: 'active' });
      });

      test('a fourth device evicts the least recently used: its tokens stop at once and the person sees why', async () => {
        const first = await app.signIn('u-contractor'); // the tablet above is older still
        const others = [await app.signIn('u-contractor'), await app.signIn('u-contractor')];
        const newest = await app.signIn('u-contractor');
        assert.equal((await app.call('/api/v1/me', first.tokens.access_token)).status, 401, 'evicted');
        for (const session of [...others, newest]) assert.equal((await app.call('/api/v1/me', session.tokens.access_token)).status, 200);
        const { sessions, devices } = await listed(newest);
        assert.equal(devices.filter((d) => d.state === 'active').length, 3);
        const evicted = devices.filter((d) => d.state === 'evicted');
        assert.equal(evicted.length, 2, 'the tablet and the first phone');
        assert.match(evicted[0]!.stateReason ?? '', /device limit/);
        assert.ok(sessions.some((s) => s.endedReason === 'device_cap'));
      });

      test('an administrator revokes a lost device: its session ends and it cannot sign in again', async () => {
        const lost = await app.signIn('u-tech');
        const admin = await app.signIn('u-admin');
        const deviceId = (await listed(lost)).sessions.find((s) => s.current)!.deviceId!;
        const read = await app.call(`/admin/v1/devices/${deviceId}`, admin.tokens.access_token);
        assert.equal(read.body.platform, 'ios');
        assert.equal((await app.call(`/admin/v1/devices/${deviceId}`, admin.tokens.access_token, { method: 'DELETE' })).status, 204);
        assert.equal((await app.call('/api/v1/me', lost.tokens.access_token)).status, 401);
        await assert.rejects(app.signIn('u-tech', { keys: lost.keys! }), /403/, 'the same device key is refused at sign-in');
        assert.equal((await app.call('/api/v1/me', (await app.signIn('u-tech')).tokens.access_token)).status, 200, 'another device is fine');
        // Nor through an app that only allows DPoP, by proving the key at the token endpoint alone.
        const kiosk = new MobileApp(server.url, server.ca, 'kiosk-app');
        try {
          const config = await kiosk.discover();
          const stolen = oidc.getDPoPHandle(config, lost.keys!);
          const verifier = oidc.randomPKCECodeVerifier();
          const redirectUri = 'http://127.0.0.1:61004/callback';
          const browser = new Browser(server.ca);
          const flow = await browser.follow(oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid api', state: 'k', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }).href, redirectUri, 'u-tech');
          await browser.close();
          await assert.rejects(
            oidc.authorizationCodeGrant(config, flow.redirect!, { pkceCodeVerifier: verifier, expectedState: 'k' }, undefined, { DPoP: stolen }),
            (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
            'the revoked key gets no tokens from any app',
          );
        } finally {
          await kiosk.close();
        }
      });

      test('authorization requests naming keys nobody proves create no devices and evict nothing', async () => {
        const real = await app.signIn('u-contractor');
        const before = (await listed(real)).devices.length;
        const config = await app.discover();
        const redirectUri = 'http://127.0.0.1:61005/callback';
        for (let i = 0; i < 4; i += 1) {
          const browser = new Browser(server.ca);
          const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid api', state: 'x', dpop_jkt: Buffer.alloc(32, i + 1).toString('base64url'), code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
          assert.ok((await browser.follow(url.href, redirectUri, 'u-contractor')).redirect?.searchParams.get('code'), 'the code is issued but never redeemed');
          await browser.close();
        }
        assert.equal((await app.call('/api/v1/me', real.tokens.access_token)).status, 200, 'the real device was not evicted');
        assert.equal((await listed(real)).devices.length, before, 'no device records for unproven keys');
      });
    });
  });
}
