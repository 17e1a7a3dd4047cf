/**
 * End to end, the way an app and a person use Palisade: the server is started with `npm start`,
 * a separate company IdP (an independent oidc-provider) signs people in, openid-client plays the
 * mobile app with a loopback redirect URI, and every request goes over HTTPS. Each attack below
 * must be refused for the reason named, on PGlite and on PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { createHmac, randomBytes } from 'node:crypto';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { PEOPLE, startUpstreamIdp, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { BEARER_FIELD_APP, relaxedPosture, signatureHeaders, signingKeyOf, type SigningKey } from '../helpers/mobile-app.ts';
import { freePort, startPalisade, type StartedServer } from '../helpers/server.ts';
import { Browser } from '../helpers/browser.ts';
import { ensureSigningKey, loadKeySet } from '../../src/oauth/keys.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { systemClock } from '../../src/clock.ts';

const SCOPE = 'openid profile email offline_access api';

for (const kind of databaseKinds()) {
  describe(`SSO through the company IdP (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let signingJwk: JWK;
    let port: number;
    const masterKey = generateMasterKey();

    before(async () => {
      database = await kind.create({ migrated: true });
      port = await freePort();
      upstream = await startUpstreamIdp(() => `https://localhost:${port}/auth/callback`);
      // Create the signing key before the server starts so the test can forge tokens with
      // Palisade's real key: then each forged token differs from a valid one in one claim only.
      const db = await openMigrated(database);
      const master = masterKeyFromBase64url(masterKey);
      await ensureSigningKey(db, master, 'ES256', systemClock);
      signingJwk = (await loadKeySet(db, master, systemClock)).privateJwks[0]!;
      await db.close();
      server = await startPalisade({
        PALISADE_DATA_DIR: database.dataDir,
        PALISADE_SERVER_PORT: String(port),
        PALISADE_MASTER_KEY: masterKey,
        DATABASE_URL: database.url,
        ...upstream.env,
        PALISADE_LOG_LEVEL: 'warn',
        // This suite is about the bearer-token flows; DPoP-bound devices: devices.test.ts.
        PALISADE_CLIENTS: BEARER_FIELD_APP,
        PALISADE_DEVICE_POLICY: relaxedPosture('field-app'),
      });
    });

    after(async () => {
      await server?.stop();
      await upstream?.close();
      await database?.drop();
    });

    async function app(clientId = 'field-app') {
      const browser = new Browser(server.ca);
      const config = await oidc.discovery(new URL(server.url), clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), {
        [oidc.customFetch]: browser.fetch as oidc.CustomFetch,
      });
      return { browser, config };
    }

    async function authorize(person: string | undefined, params: Record<string, string> = {}, clientId = 'field-app') {
      const { browser, config } = await app(clientId);
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        ...params,
      });
      for (const [k, v] of Object.entries(params)) if (v === '') url.searchParams.delete(k);
      const result = await browser.follow(url.href, redirectUri, person);
      return { browser, config, verifier, state, redirectUri, ...result };
    }

    async function login(person = 'u-tech', params: Record<string, string> = {}) {
      const flow = await authorize(person, params);
      assert.ok(flow.redirect, `expected a redirect back to the app, got a page at ${flow.page?.url}: ${flow.page?.body.slice(0, 300)}`);
      const tokens = keep(await oidc.authorizationCodeGrant(flow.config, flow.redirect, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, idTokenExpected: true }));
      return { ...flow, tokens };
    }

    /** The field app's API key (provisioned by startPalisade), as every API call carries it. */
    const appKey = () => ({ 'palisade-app-key': server.appKeys['field-app']! });

    /** Each session's request signing key (from its token response), by session id. */
    const signingKeys = new Map<string, SigningKey>();
    function keep<T extends oidc.TokenEndpointResponse>(tokens: T): T {
      const key = signingKeyOf(tokens);
      if (key) signingKeys.set(String(decodeJwt(tokens.access_token).sid), key);
      return tokens;
    }
    /** An API call as the app makes it: signed (RFC 9421) with the session's key when it has one. */
    function signedFetch(path: string, accessToken: string, init: { method?: string; headers?: Record<string, string>; body?: string; authorization?: string } = {}) {
      const url = `${server.url}${path}`;
      const authorization = init.authorization ?? `Bearer ${accessToken}`;
      let sid: string | undefined;
      try {
        sid = String(decodeJwt(accessToken).sid);
      } catch {
        sid = undefined;
      }
      const key = sid ? signingKeys.get(sid) : undefined;
      const signed = key ? signatureHeaders({ method: init.method ?? 'GET', url, authorization, body: init.body ?? '' }, key) : {};
      return fetch(url, { ...init, headers: { ...appKey(), ...init.headers, authorization, ...signed }, dispatcher: new Browser(server.ca).dispatcher } as RequestInit);
    }

    async function me(accessToken: string) {
      const response = await signedFetch('/api/v1/me', accessToken);
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    }

    test('start-up announces the URL, the certificate pin and every development default', () => {
      assert.match(server.pin, /^sha256\/[A-Za-z0-9+/]{43}=$/);
      assert.match(server.output(), /DEVELOPMENT ONLY: self-signed TLS certificate/);
      assert.doesNotMatch(server.output(), /DEVELOPMENT ONLY: development IdP/, 'a configured company IdP must replace the development IdP');
    });

    test('discovery advertises S256 only and the RFC 9068 token endpoint set', async () => {
      const { config } = await app();
      const meta = config.serverMetadata();
      assert.equal(meta.issuer, server.url);
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
      assert.ok(meta.revocation_endpoint && meta.introspection_endpoint && meta.userinfo_endpoint && meta.end_session_endpoint && meta.jwks_uri);
    });

    test('a person signs in through the company IdP and the app calls /api/v1/me', async () => {
      const { tokens } = await login('u-tech');
      const header = decodeProtectedHeader(tokens.access_token);
      assert.equal(header.typ, 'at+jwt', 'access tokens are RFC 9068 JWTs');
      assert.equal(header.alg, 'ES256');
      const claims = decodeJwt(tokens.access_token);
      for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'sid', 'auth_time', 'acr', 'amr', 'roles', 'department', 'territory', 'region']) {
        assert.ok(claim in claims, `access token must carry ${claim}`);
      }
      assert.equal(claims.exp! - claims.iat!, 900, 'access tokens live 15 minutes');
      assert.equal(claims.aud, `${server.url}/api`);
      assert.deepEqual(claims.roles, ['technician']);
      assert.deepEqual(claims.amr, ['pwd', 'mfa'], 'upstream amr is carried through');
      assert.equal(claims.acr, 'urn:corp:mfa');
      assert.ok(tokens.refresh_token, 'a refresh token is issued');
      const response = await me(tokens.access_token);
      assert.equal(response.status, 200);
      assert.equal(response.body.email, 'terry@corp.test');
      assert.deepEqual(response.body.roles, ['technician']);
      assert.deepEqual(response.body.attributes, { department: 'plumbing', territory: 'south', region: 'west', projects: [], employeeType: 'employee' });
      assert.equal((response.body.session as { id: string }).id, claims.sid);
    });

    test('contractor projects and several roles are mapped from groups and claims', async () => {
      const contractor = decodeJwt((await login('u-contractor')).tokens.access_token);
      assert.deepEqual(contractor.projects, ['P-7', 'P-9']);
      assert.equal(contractor.employee_type, 'contractor');
      const admin = decodeJwt((await login('u-admin')).tokens.access_token);
      assert.deepEqual(admin.roles, ['manager', 'admin']);
    });

    test('refresh rotates; reusing a rotated refresh token revokes the grant and every token of that login', async () => {
      const { config, tokens } = await login();
      const second = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.notEqual(second.refresh_token, tokens.refresh_token, 'refresh tokens rotate on every use');
      assert.equal((await me(second.access_token)).status, 200);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant', 'reuse is refused');
      await assert.rejects(oidc.refreshTokenGrant(config, second.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant', 'the newest refresh token of the family dies too');
      const after = await me(second.access_token);
      assert.equal(after.status, 401, 'access tokens of the revoked login stop working before they expire');
      assert.equal(after.body.type, 'https://palisade.dev/problems/session-revoked');
      const first = await me(tokens.access_token);
      assert.equal(first.status, 401);
      const sid = decodeJwt(tokens.access_token).sid as string;
      // Logged once the revocation has committed, which may be a moment after the refusal (the
      // 60-s bound is a hang guard: the loop ends as soon as the line is there).
      const reported = new RegExp(`"event":"token.refresh_reuse","sessionId":"${sid}"`);
      for (let waited = 0; !reported.test(server.output()) && waited < 60_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      assert.match(server.output(), reported, 'the reuse is reported as a security event');
      for (const secret of [tokens.refresh_token!, second.refresh_token!, tokens.access_token]) {
        assert.ok(!server.output().includes(secret), 'no token ever reaches the log');
      }
    });

    test('a refresh token presented several times at once rotates once; the rest is reuse and ends the login', async () => {
      const { config, tokens } = await login();
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => oidc.refreshTokenGrant(config, tokens.refresh_token!)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      assert.equal(won.length, 1, `exactly one concurrent refresh may succeed, got ${won.length}`);
      for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as oidc.ResponseBodyError).error, 'invalid_grant');
      const winner = (won[0] as PromiseFulfilledResult<oidc.TokenEndpointResponse>).value;
      assert.equal((await me(winner.access_token)).status, 401, 'the reuse revoked the session, the winner included');
      await assert.rejects(oidc.refreshTokenGrant(config, winner.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
    });

    test('revoking the refresh token (RFC 7009) ends the login', async () => {
      const { config, tokens } = await login();
      await oidc.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      assert.equal((await me(tokens.access_token)).status, 401);
    });

    test('signing out through the API ends the session and its refresh token', async () => {
      const { config, tokens } = await login();
      const response = await signedFetch('/api/v1/session/logout', tokens.access_token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { ended: 1 });
      assert.equal((await me(tokens.access_token)).status, 401);
      await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
    });

    describe('forged and misused access tokens are refused with 401 and a problem body', () => {
      let valid: Record<string, unknown>;
      let key: CryptoKey;
      before(async () => {
        valid = decodeJwt((await login()).tokens.access_token) as Record<string, unknown>;
        key = (await importJWK(signingJwk, 'ES256')) as CryptoKey;
      });
      const now = () => Math.floor(Date.now() / 1000);
      const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signingJwk.kid, ...header }).sign(key);

      async function refused(token: string, expectDetail: RegExp) {
        const response = await me(token);
        assert.equal(response.status, 401);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="palisade", error="invalid_token"/);
        assert.match(String(response.body.detail), expectDetail);
        assert.doesNotMatch(JSON.stringify(response.body), /at \w+ \(|node:internal|\.ts:\d+/, 'no stack trace in problem bodies');
      }

      test('the control: a token signed with Palisade’s key and valid claims is accepted', async () => {
        assert.equal((await me(await sign({ ...valid, jti: randomBytes(8).toString('hex') }))).status, 200, 'the forging harness itself must produce acceptable tokens');
      });
      test('alg: none', async () => {
        const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(valid)).toString('base64url')}.`;
        await refused(unsigned, /algorithm/);
      });
      test('HS256 signed with the public key (algorithm confusion)', async () => {
        const { d: _d, ...publicJwk } = signingJwk;
        const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: signingJwk.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(valid)).toString('base64url')}`;
        const mac = createHmac('sha256', JSON.stringify(publicJwk)).update(input).digest('base64url');
        await refused(`${input}.${mac}`, /algorithm/);
      });
      test('a foreign key, even with Palisade’s kid', async () => {
        const { privateKey } = await generateKeyPair('ES256');
        await refused(await new SignJWT(valid).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signingJwk.kid }).sign(privateKey), /signature/);
      });
      test('a foreign key with its own kid', async () => {
        const { privateKey, publicKey } = await generateKeyPair('ES256');
        const kid = (await exportJWK(publicKey)).x!.slice(0, 10);
        await refused(await new SignJWT(valid).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey), /not signed by a Palisade key/);
      });
      test('wrong issuer', async () => refused(await sign({ ...valid, iss: 'https://evil.example' }), /issued by someone else/));
      test('wrong audience', async () => refused(await sign({ ...valid, aud: 'https://other.example/api' }), /another audience/));
      test('expired beyond the 60 s skew', async () => refused(await sign({ ...valid, iat: now() - 1000, exp: now() - 61 }), /expired/));
      test('not yet valid beyond the 60 s skew', async () => refused(await sign({ ...valid, nbf: now() + 120 }), /not valid yet/));
      test('an ID token presented as an access token (typ)', async () => refused(await sign(valid, { typ: 'JWT' }), /typ/));
      test('a token without a session id', async () => {
        const { sid: _sid, ...noSid } = valid;
        await refused(await sign(noSid), /sid/);
      });
      test('no token and a non-Bearer scheme', async () => {
        const response = await fetch(`${server.url}/api/v1/me`, { headers: appKey(), dispatcher: new Browser(server.ca).dispatcher } as RequestInit);
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="palisade"');
        await refused.call(null, 'x', /could not be read|not valid/).catch(() => undefined);
        const basic = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: 'Basic dXNlcjpwYXNz', ...appKey() }, dispatcher: new Browser(server.ca).dispatcher } as RequestInit);
        assert.equal(basic.status, 401);
        assert.equal(basic.headers.get('www-authenticate'), 'Bearer realm="palisade"', 'another scheme gets the bare challenge (RFC 6750 §3.1)');
      });
      test('the scheme is case-insensitive; a malformed Bearer header is a 400 invalid_request', async () => {
        const ask = (authorization: string) => fetch(`${server.url}/api/v1/me`, { headers: { authorization, ...appKey() }, dispatcher: new Browser(server.ca).dispatcher } as RequestInit);
        const token = await sign(valid);
        assert.equal((await signedFetch('/api/v1/me', token, { authorization: `bearer ${token}` })).status, 200);
        for (const header of ['Bearer', 'Bearer two tokens', 'Bearer <script>']) {
          const response = await ask(header);
          assert.equal(response.status, 400, header);
          assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="palisade", error="invalid_request"');
          assert.equal(((await response.json()) as { type: string }).type, 'https://palisade.dev/problems/malformed-authorization');
        }
      });
      test('a key-bound (cnf) token used as a plain bearer token', async () => refused(await sign({ ...valid, cnf: { jkt: 'x'.repeat(43) } }), /bound to a key/));
    });

    describe('the authorization endpoint refuses what a secure native app flow forbids', () => {
      test('missing PKCE', async () => {
        const flow = await authorize('u-tech', { code_challenge: '', code_challenge_method: '' });
        assert.equal(flow.redirect?.searchParams.get('error'), 'invalid_request');
        assert.match(flow.redirect?.searchParams.get('error_description') ?? '', /PKCE/);
      });
      test('pushed authorization requests (RFC 9126) work at the advertised endpoint and keep the same rules', async () => {
        const { browser, config } = await app();
        assert.equal(config.serverMetadata().pushed_authorization_request_endpoint, `${server.url}/oauth2/par`);
        const verifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const redirectUri = 'http://127.0.0.1:61001/callback';
        const challenge = { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
        const url = await oidc.buildAuthorizationUrlWithPAR(config, { redirect_uri: redirectUri, scope: SCOPE, state, ...challenge });
        const flow = await browser.follow(url.href, redirectUri, 'u-tech');
        const tokens = keep(await oidc.authorizationCodeGrant(config, flow.redirect!, { pkceCodeVerifier: verifier, expectedState: state }));
        assert.equal((await me(tokens.access_token)).status, 200);
        await assert.rejects(oidc.buildAuthorizationUrlWithPAR(config, { redirect_uri: redirectUri, scope: SCOPE, state }), (e: oidc.ResponseBodyError) => e.error === 'invalid_request', 'no PKCE');
        await assert.rejects(oidc.buildAuthorizationUrlWithPAR(config, { redirect_uri: redirectUri, scope: SCOPE, ...challenge }), (e: oidc.ResponseBodyError) => e.error === 'invalid_request', 'no state');
      });
      test('plain PKCE', async () => {
        const flow = await authorize('u-tech', { code_challenge_method: 'plain' });
        assert.equal(flow.redirect?.searchParams.get('error'), 'invalid_request');
      });
      test('missing state', async () => {
        const flow = await authorize('u-tech', { state: '' });
        assert.equal(flow.redirect?.searchParams.get('error'), 'invalid_request');
        assert.match(flow.redirect?.searchParams.get('error_description') ?? '', /state/);
      });
      test('a redirect URI that was not registered is never redirected to', async () => {
        const flow = await authorize('u-tech', { redirect_uri: 'https://evil.example/callback' });
        assert.equal(flow.redirect, undefined);
        assert.equal(flow.page?.status, 400);
        assert.match(flow.page!.body, /redirect_uri/);
      });
      test('a loopback redirect URI matches on any port but not on another path', async () => {
        const flow = await authorize('u-tech', { redirect_uri: 'http://127.0.0.1:5555/other' });
        assert.equal(flow.redirect, undefined);
        assert.equal(flow.page?.status, 400);
      });
      test('an unknown client', async () => {
        const flow = await authorize('u-tech', { client_id: 'no-such-app' });
        assert.equal(flow.redirect, undefined);
        assert.equal(flow.page?.status, 400);
        assert.match(flow.page!.body, /invalid_client/);
      });
      test('with a company IdP the start page and its built-in client do not exist (no unbound side door)', async () => {
        const flow = await authorize('u-tech', { client_id: 'palisade-start' });
        assert.equal(flow.page?.status, 400);
        assert.match(flow.page!.body, /invalid_client/);
        const start = await fetch(`${server.url}/`, { dispatcher: new Browser(server.ca).dispatcher } as RequestInit);
        assert.equal(start.status, 404);
      });
      test('a wrong PKCE verifier at the token endpoint', async () => {
        const flow = await authorize('u-tech');
        await assert.rejects(
          oidc.authorizationCodeGrant(flow.config, flow.redirect!, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: flow.state }),
          (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
        );
      });
      test('a replayed authorization code', async () => {
        const flow = await login();
        await assert.rejects(
          oidc.authorizationCodeGrant(flow.config, flow.redirect!, { pkceCodeVerifier: flow.verifier, expectedState: flow.state }),
          (e: oidc.ResponseBodyError) => e.error === 'invalid_grant',
        );
        assert.equal((await me(flow.tokens.access_token)).status, 401, 'code replay revokes the tokens issued for that code (RFC 6749 §4.1.2)');
      });
      test('a person in no mapped group gets a clear page and the app gets access_denied — never a default role', async () => {
        const flow = await authorize('u-sales');
        assert.equal(flow.page?.status, 403);
        assert.match(flow.page!.body, /no group that grants a role/);
        const action = /action="([^"]+\/abort)"/.exec(flow.page!.body)![1]!;
        const back = await flow.browser.request(new URL(action, server.url).href, { method: 'POST' });
        const { redirect: location } = await flow.browser.follow(new URL(back.headers.get('location')!, server.url).href, flow.redirectUri);
        assert.ok(location, 'the app gets an answer at its redirect URI');
        assert.equal(location.searchParams.get('error'), 'access_denied');
        assert.equal(location.searchParams.get('state'), flow.state);
      });
      test('someone removed from every mapped group loses the sessions they already have at their next sign-in', async () => {
        const person = PEOPLE.find((p) => p.sub === 'u-contractor')!;
        const before = await login('u-contractor');
        const groups = person.groups;
        person.groups = ['former-contractors'];
        try {
          assert.equal((await authorize('u-contractor')).page?.status, 403);
        } finally {
          person.groups = groups;
        }
        assert.equal((await me(before.tokens.access_token)).status, 401, 'the earlier session ends');
        await assert.rejects(oidc.refreshTokenGrant(before.config, before.tokens.refresh_token!), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant', 'no more tokens with the old roles');
      });
      test('prompt=login is verified: an IdP that answers with an old authentication is refused', async () => {
        upstream.staleLoginSeconds = 600;
        try {
          const flow = await authorize('u-tech', { prompt: 'login' });
          assert.equal(flow.redirect?.searchParams.get('error'), 'access_denied');
          assert.match(flow.redirect?.searchParams.get('error_description') ?? '', /reauthentication_not_performed/);
          const sso = await login('u-tech');
          assert.ok(sso.tokens.access_token, 'without prompt=login an existing company SSO session is fine');
        } finally {
          upstream.staleLoginSeconds = 0;
        }
      });
      test('prompt=login and max_age are forwarded to the company IdP', async () => {
        upstream.requests.length = 0;
        await login('u-tech', { prompt: 'login', max_age: '300' });
        const sent = upstream.requests.at(-1)!;
        assert.equal(sent.get('prompt'), 'login');
        assert.equal(sent.get('max_age'), '300');
        assert.equal(sent.get('code_challenge_method'), 'S256', 'Palisade uses PKCE upstream too');
        assert.ok(sent.get('state') && sent.get('nonce'));
      });
    });

    describe('bad input gets problem+json and changes nothing', () => {
      let token: string;
      before(async () => {
        token = (await login()).tokens.access_token;
      });
      const post = (body: string, type = 'application/json') =>
        signedFetch('/api/v1/session/logout', token, { method: 'POST', headers: { 'content-type': type }, body });
      const problem = async (response: Response, status: number, type: string) => {
        assert.equal(response.status, status);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const body = (await response.json()) as Record<string, unknown>;
        assert.equal(body.type, `https://palisade.dev/problems/${type}`);
        assert.doesNotMatch(JSON.stringify(body), /at \w+ \(|node:internal|\.ts:\d+/);
      };
      test('malformed JSON', async () => problem(await post('{"everywhere":'), 400, 'malformed-body'));
      test('an unknown property', async () => problem(await post('{"everywhere":true,"admin":true}'), 400, 'validation-failed'));
      test('a wrong type', async () => problem(await post('{"everywhere":"yes"}'), 400, 'validation-failed'));
      test('an oversized body', async () => problem(await post(JSON.stringify({ everywhere: false, pad: 'x'.repeat(5000) })), 413, 'body-too-large'));
      test('a wrong content type', async () => problem(await post('everywhere=true', 'text/plain'), 415, 'unsupported-media-type'));
      test('an unknown route', async () => {
        const response = await fetch(`${server.url}/api/v1/nope`, { headers: appKey(), dispatcher: new Browser(server.ca).dispatcher } as RequestInit);
        await problem(response, 404, 'not-found');
      });
      test('after all of that the session is still alive', async () => {
        assert.equal((await me(token)).status, 200, 'refused requests must not have changed anything');
      });
    });
  });
}
