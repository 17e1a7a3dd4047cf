/**
 * PalisadeClient against a scripted server (a fetch function answering as Palisade does): the
 * single-flight refresh, Retry-After, and each problem type's app state. The real server is in
 * e2e/sdk-node.test.ts; these pin the client's decisions exactly, with no clock or network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT, decodeJwt, generateKeyPair } from 'jose';
import { PalisadeClient, PalisadeError, memoryDeviceKey, memorySecureStore, type Platform } from '../../../sdk/src/index.ts';

const ISSUER = 'https://palisade.test';
const PROBLEM = 'https://palisade.dev/problems/';

interface Script {
  /** Answers an API call (after the client added its headers). */
  api(request: Request): Response | Promise<Response>;
  /** Answers a token request; default: fresh tokens. */
  token?(request: Request, count: number): Response | Promise<Response>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers } });
const problem = (status: number, slug: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => json(status, { type: PROBLEM + slug, title: slug, status, ...extra }, headers);

let generation = 0;
const tokens = () => ({
  access_token: new UnsecuredJWT({ sid: 'session-1', n: (generation += 1) }).encode(),
  token_type: 'DPoP',
  expires_in: 900,
  refresh_token: `refresh-${generation}`,
  signing_key: Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url'),
  signing_key_id: 'key-1',
});

async function setUp(script: Script, options: Partial<ConstructorParameters<typeof PalisadeClient>[0]> = {}, extra: Partial<Platform> = {}) {
  let tokenRequests = 0;
  const seen: Request[] = [];
  const fetcher = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, { issuer: ISSUER, authorization_endpoint: `${ISSUER}/oauth2/auth`, token_endpoint: `${ISSUER}/oauth2/token`, jwks_uri: `${ISSUER}/oauth2/jwks` });
    }
    if (url.pathname === '/oauth2/token') {
      tokenRequests += 1;
      // Let every concurrent caller reach the client before the answer arrives.
      await new Promise((resolve) => setTimeout(resolve, 5));
      return script.token ? script.token(request, tokenRequests) : json(200, tokens());
    }
    seen.push(request);
    return script.api(request);
  }) as typeof fetch;
  const store = memorySecureStore();
  const appStore = memorySecureStore();
  await appStore.set('offline-jobs', 'cached');
  await store.set('palisade.session', JSON.stringify({ refreshToken: 'refresh-0', dpop: true, sessionId: 'session-1' }));
  const platform: Platform = { fetch: fetcher, deviceKey: memoryDeviceKey(), unlockKey: memoryDeviceKey(), store, describe: () => ({ platform: 'node', model: 'test', osVersion: '1', appVersion: '1.0.0' }), ...extra };
  const states: string[] = [];
  const waits: number[] = [];
  const client = new PalisadeClient({
    issuer: ISSUER,
    clientId: 'field-app',
    appKey: 'pk_test',
    platform,
    idleTimeoutMs: 0,
    onStateChange: (state, reason) => states.push(`${state}:${reason}`),
    sleep: async (ms) => void waits.push(ms),
    ...options,
  });
  client.registerStore(appStore);
  assert.equal(await client.restore(), true);
  return { client, store, appStore, states, waits, seen, tokenRequests: () => tokenRequests };
}

test('100 concurrent calls while the token is expired cause exactly one refresh, and all of them succeed', async () => {
  const { client, tokenRequests, seen } = await setUp({ api: () => json(200, { ok: true }) });
  const answers = await Promise.all(Array.from({ length: 100 }, () => client.fetch('/api/v1/me')));
  assert.equal(tokenRequests(), 1, 'one token request for a hundred callers: a second would present a rotated refresh token (reuse)');
  assert.ok(answers.every((a) => a.status === 200));
  const first = seen[0]!;
  assert.match(first.headers.get('authorization') ?? '', /^DPoP /, 'the DPoP scheme');
  assert.ok(first.headers.get('dpop'), 'a DPoP proof');
  assert.equal(first.headers.get('palisade-app-key'), 'pk_test', 'the app key');
  assert.match(first.headers.get('signature-input') ?? '', /^sig=\("@method" "@target-uri" "authorization" "content-digest"\);created=\d+;nonce="[^"]+";keyid="key-1";alg="hmac-sha256"$/);
  assert.match(first.headers.get('content-digest') ?? '', /^sha-256=:/);
});

test('a lost refresh response is retried with the same refresh token (the server’s retry window answers it)', async () => {
  const presented: string[] = [];
  const { client, tokenRequests } = await setUp({
    api: () => json(200, {}),
    token: async (request, count) => {
      presented.push(new URLSearchParams(await request.text()).get('refresh_token')!);
      if (count === 1) throw new TypeError('fetch failed');
      return json(200, tokens());
    },
  });
  assert.equal((await client.fetch('/api/v1/me')).status, 200);
  assert.equal(tokenRequests(), 2);
  assert.deepEqual(presented, ['refresh-0', 'refresh-0'], 'the retry presents the same token');
});

test('a refresh answered by a gateway (502/504) or 503 not-ready is retried with the same token; a refusal is not', async () => {
  const presented: string[] = [];
  const { client, tokenRequests, states } = await setUp({
    api: () => json(200, {}),
    token: async (request, count) => {
      presented.push(new URLSearchParams(await request.text()).get('refresh_token')!);
      // HAProxy's own pages are HTML; Palisade's 503 is a problem.
      if (count === 1) return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
      if (count === 2) return problem(503, 'not-ready', {}, { 'retry-after': '1' });
      if (count === 3) return new Response('<html>504 Gateway Time-out</html>', { status: 504, headers: { 'content-type': 'text/html' } });
      return json(200, tokens());
    },
  });
  assert.equal((await client.fetch('/api/v1/me')).status, 200);
  assert.equal(tokenRequests(), 4);
  assert.deepEqual(presented, ['refresh-0', 'refresh-0', 'refresh-0', 'refresh-0'], 'every retry presents the same token');
  assert.ok(!states.some((s) => s.startsWith('signed-out')), 'the session stays');
  // A 503 that is a refusal of this request (another problem type) is not retried.
  const refused = await setUp({ api: () => json(200, {}), token: async () => problem(503, 'photo-unavailable') });
  await assert.rejects(refused.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'photo-unavailable');
  assert.equal(refused.tokenRequests(), 1);
  // Unavailable for longer than the retries: the app gets not-ready, and the session stays.
  const down = await setUp({ api: () => json(200, {}), token: async () => problem(503, 'not-ready') });
  await assert.rejects(down.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'not-ready' && e.status === 503);
  assert.equal(down.tokenRequests(), 5);
  assert.ok(!down.states.some((s) => s.startsWith('signed-out')));
});

test('429 with Retry-After is waited for and retried; a longer wait than allowed is the app’s', async () => {
  let calls = 0;
  const { client, waits } = await setUp({ api: () => (++calls === 1 ? problem(429, 'rate-limited', { retryAfter: 3 }, { 'retry-after': '3' }) : json(200, {})) });
  assert.equal((await client.fetch('/api/v1/me')).status, 200);
  assert.deepEqual(waits, [3000], 'waited the server’s Retry-After');
  const slow = await setUp({ api: () => problem(429, 'rate-limited', {}, { 'retry-after': '600' }) });
  await assert.rejects(slow.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'rate-limited' && e.retryAfter === 600);
  assert.deepEqual(slow.waits, []);
});

test('session-locked locks the app: later calls are refused locally until unlock', async () => {
  const { client, states, seen } = await setUp({ api: () => problem(401, 'session-locked') });
  await assert.rejects(client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'session-locked');
  assert.equal(client.state, 'locked');
  await assert.rejects(client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'locked');
  assert.equal(seen.length, 1, 'the locked app sends nothing');
  assert.deepEqual(states.slice(-1), ['locked:session-locked']);
});

test('the idle timer mirrors the server: no call for the idle timeout locks the app on the device', async () => {
  let now = 1_000_000;
  const { client } = await setUp({ api: () => json(200, {}) }, { idleTimeoutMs: 15 * 60_000, now: () => now });
  assert.equal((await client.fetch('/api/v1/me')).status, 200);
  now += 15 * 60_000;
  await assert.rejects(client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'locked');
  assert.equal(client.state, 'locked');
});

test('426 means update required; session-revoked signs out and erases the SDK’s and the app’s stores', async () => {
  const update = await setUp({ api: () => problem(426, 'app-update-required', { minAppVersion: '3.0.0' }) });
  await assert.rejects(update.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'app-update-required' && e.status === 426);
  assert.equal(update.client.state, 'update-required');
  await assert.rejects(update.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'update-required');

  const revoked = await setUp({ api: () => problem(401, 'session-revoked') });
  await assert.rejects(revoked.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'session-revoked');
  assert.equal(revoked.client.state, 'signed-out');
  assert.equal(revoked.store.size, 0, 'the refresh token and signing key are gone');
  assert.equal(revoked.appStore.size, 0, 'the app’s registered store is erased too');
});

test('invalid_grant at refresh (7-day limit, user disabled, revoked) signs out and erases', async () => {
  const { client, store, appStore } = await setUp({ api: () => json(200, {}), token: () => json(400, { error: 'invalid_grant', error_description: 'grant request is invalid' }, { 'content-type': 'application/json' }) });
  await assert.rejects(client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'signed-out');
  assert.equal(client.state, 'signed-out');
  assert.equal(store.size + appStore.size, 0);
});

test('a step-up challenge re-authenticates with max_age and acr, then retries the call', async () => {
  let calls = 0;
  const asked: unknown[] = [];
  const { client } = await setUp(
    { api: () => (++calls === 1 ? problem(401, 'step-up-required', { maxAge: 300, acrValues: 'mfa' }, { 'www-authenticate': 'DPoP error="insufficient_user_authentication", max_age=300' }) : json(200, { done: true })) },
    { reauthenticate: async (request) => void asked.push(request) },
  );
  const answer = await client.fetch('/api/v1/jobs/1/cancel', { method: 'POST', body: {} });
  assert.equal(answer.status, 200);
  assert.deepEqual(asked, [{ maxAge: 300, acr: 'mfa' }]);
  const without = await setUp({ api: () => problem(401, 'step-up-required', { maxAge: 300 }, { 'www-authenticate': 'DPoP error="insufficient_user_authentication"' }) });
  await assert.rejects(without.client.fetch('/api/v1/x'), (e: PalisadeError) => e.code === 'step-up-required' && e.problem?.maxAge === 300);
});

test('a step-up that signs in a different person does not send the call again', async () => {
  let calls = 0;
  let reauthenticate: () => Promise<void> = async () => undefined;
  const { client, store, seen } = await setUp(
    { api: () => (++calls === 1 ? problem(401, 'step-up-required', { maxAge: 300 }, { 'www-authenticate': 'DPoP error="insufficient_user_authentication", max_age=300' }) : json(200, { done: true })) },
    { reauthenticate: async () => reauthenticate() },
  );
  await store.set('palisade.session', JSON.stringify({ refreshToken: 'refresh-0', dpop: true, sessionId: 'session-1', subject: 'u-alice' }));
  assert.equal(await client.restore(), true);
  // At the company IdP the person picks another account: the re-authentication keeps Bob's session.
  reauthenticate = async () => {
    await store.set('palisade.session', JSON.stringify({ refreshToken: 'refresh-9', dpop: true, sessionId: 'session-2', subject: 'u-bob' }));
    await client.restore();
  };
  await assert.rejects(client.fetch('/api/v1/jobs/1/cancel', { method: 'POST', body: {} }), (e: PalisadeError) => e.code === 'sign-in-failed' && /different person/.test(e.message));
  assert.equal(seen.filter((r) => r.url.endsWith('/api/v1/jobs/1/cancel')).length, 1, 'Alice’s call is not sent as Bob');
});

/** A token answer with an ID token for `sub` and `nonce` (oauth4webapi checks its claims; TLS vouches for the token endpoint). */
async function signInTokens(sub: string, nonce: string) {
  const { privateKey } = await generateKeyPair('RS256');
  const id_token = await new SignJWT({ nonce, auth_time: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: 'RS256' }).setIssuer(ISSUER).setAudience('field-app').setSubject(sub).setIssuedAt().setExpirationTime('5m').sign(privateKey);
  return { ...tokens(), id_token };
}

/**
 * A step-up across a full-page redirect (the web): `reauthenticate` gets the refused call, keeps
 * it with the sign-in in progress, and leaves; the page that comes back completes the sign-in,
 * which sends the call again.
 */
async function redirectedStepUp(subjectBefore: string, subjectAfter: string, answerAfter: () => Response) {
  let calls = 0;
  let authorization: URL | undefined;
  const context: { call?: unknown }[] = [];
  let nonce = '';
  const setup = await setUp(
    {
      api: () => (++calls === 1 ? problem(401, 'step-up-required', { maxAge: 0 }, { 'www-authenticate': 'DPoP error="insufficient_user_authentication", max_age=0' }) : answerAfter()),
      token: async () => json(200, await signInTokens(subjectAfter, nonce)),
    },
    {
      reauthenticate: async (request, ctx) => {
        context.push({ call: ctx.call });
        authorization = await ctx.client.beginSignIn({ redirectUri: 'https://console.test/console/', ...request, appState: '/console/app-keys', ...(ctx.call ? { resume: ctx.call } : {}) });
        // The page leaves here: the promise a browser would never see settle.
        throw new Error('left the page');
      },
    },
  );
  await setup.store.set('palisade.session', JSON.stringify({ refreshToken: 'refresh-0', dpop: true, sessionId: 'session-1', subject: subjectBefore }));
  assert.equal(await setup.client.restore(), true);
  await assert.rejects(setup.client.fetch('/admin/v1/apps/field-app/keys/k1/rotate', { method: 'POST', body: { overlap: '7d' }, headers: { 'x-trace': 't1' } }), /left the page/);
  assert.equal(authorization!.searchParams.get('max_age'), '0', 'the challenge’s max_age is asked for');
  assert.deepEqual(context, [{ call: { path: '/admin/v1/apps/field-app/keys/k1/rotate', method: 'POST', body: '{"overlap":"7d"}', headers: [['x-trace', 't1']] } }]);
  // The page is reloaded: a new client finds the sign-in in progress in the secure store.
  const reloaded = new PalisadeClient({ ...setup.client.options, reauthenticate: async () => assert.fail('a second challenge must not start another sign-in') });
  nonce = authorization!.searchParams.get('nonce')!;
  const callback = new URL(`https://console.test/console/?code=c1&state=${authorization!.searchParams.get('state')}`);
  const result = await reloaded.completeSignIn(callback);
  return { result, seen: setup.seen, reloaded };
}

test('a step-up across a redirect: the refused call is kept with the sign-in and sent again once it completes', async () => {
  const { result, seen } = await redirectedStepUp('u-admin', 'u-admin', () => json(201, { key: 'pal_live_new' }));
  assert.equal(result.appState, '/console/app-keys');
  assert.equal(result.resumed?.response?.status, 201, 'the retried call’s answer is handed to the page');
  assert.deepEqual(await result.resumed!.response!.json(), { key: 'pal_live_new' });
  const sent = seen.filter((r) => r.url.endsWith('/rotate'));
  assert.equal(sent.length, 2, 'refused once, then sent again');
  assert.equal(await sent[1]!.text(), '{"overlap":"7d"}', 'with the same body');
  assert.equal(sent[1]!.headers.get('x-trace'), 't1', 'and the same headers');
  assert.ok(sent[1]!.headers.get('dpop') && sent[1]!.headers.get('signature'), 'DPoP-bound and signed like any call');
});

test('a step-up across a redirect that signs in a different person does not send the call again', async () => {
  const { result, seen, reloaded } = await redirectedStepUp('u-admin', 'u-mallory', () => json(201, { key: 'pal_live_new' }));
  assert.equal(result.resumed?.response, undefined);
  assert.match(String((result.resumed?.error as Error).message), /different person/);
  assert.equal(seen.filter((r) => r.url.endsWith('/rotate')).length, 1, 'the admin’s call is not sent as someone else');
  assert.equal(reloaded.identity?.subject, 'u-mallory', 'the new person is signed in, without the call');
});

test('a second challenge to the resumed call is handed back, not followed by another sign-in', async () => {
  const { result } = await redirectedStepUp('u-admin', 'u-admin', () => problem(401, 'step-up-required', { acrValues: 'urn:corp:mfa' }, { 'www-authenticate': 'DPoP error="insufficient_user_authentication"' }));
  assert.equal((result.resumed?.error as PalisadeError).code, 'step-up-required');
});

test('a call may decline re-authentication: the challenge is thrown, reauthenticate is not started', async () => {
  let started = 0;
  const { client } = await setUp({ api: () => problem(401, 'step-up-required', { maxAge: 300 }) }, { reauthenticate: async () => void (started += 1) });
  await assert.rejects(client.fetch('/admin/v1/users/u1/roles', { reauthenticate: false }), (e: PalisadeError) => e.code === 'step-up-required' && e.status === 401);
  assert.equal(started, 0);
});

test('a public browser client without an app key sends no palisade-app-key header', async () => {
  const { client, seen } = await setUp({ api: () => json(200, {}) }, { appKey: undefined });
  await client.fetch('/api/v1/me');
  assert.equal(seen[0]!.headers.has('palisade-app-key'), false);
  const keyed = await setUp({ api: () => json(200, {}) });
  await keyed.client.fetch('/api/v1/me');
  assert.equal(keyed.seen[0]!.headers.get('palisade-app-key'), 'pk_test', 'the control: an app with a key sends it');
});

test('other answers are returned as they are; json() throws them with the problem type as the code', async () => {
  const { client } = await setUp({ api: () => problem(404, 'not-found') });
  assert.equal((await client.fetch('/api/v1/nothing')).status, 404);
  await assert.rejects(client.json('/api/v1/nothing'), (e: PalisadeError) => e instanceof PalisadeError && e.code === 'not-found' && e.status === 404);
});

test('sign-out ends the session on the server with a signed DPoP call, then erases locally; offline it still erases', async () => {
  const { client, seen, store, appStore } = await setUp({ api: () => json(200, { ended: 1 }) });
  await client.fetch('/api/v1/me');
  await client.signOut();
  const logout = seen.find((r) => new URL(r.url).pathname === '/api/v1/session/logout')!;
  assert.ok(logout, 'the server was told');
  assert.equal(logout.method, 'POST');
  assert.ok(logout.headers.get('dpop') && logout.headers.get('signature'), 'with a DPoP proof and a signature');
  assert.equal(client.state, 'signed-out');
  assert.equal(store.size + appStore.size, 0);

  const offline = await setUp({ api: () => Promise.reject(new TypeError('fetch failed')) });
  await offline.client.signOut();
  assert.equal(offline.client.state, 'signed-out');
  assert.equal(offline.store.size, 0, 'erased even though the server could not be reached');
});

test('the posture report shows the app version the platform is configured with when the facts name none, and the facts’ own otherwise', async () => {
  const shown: unknown[] = [];
  const facts = { platform: 'ios' as const, osVersion: '18.1', appBuild: '1', jailbroken: false, passcodeSet: true, biometry: true, managed: false };
  const named: { own?: string } = {};
  const { client } = await setUp(
    {
      api: () => json(200, {}),
      token: async (request) => {
        const report = request.headers.get('palisade-device-posture');
        shown.push(report ? decodeJwt(report).app_version : undefined);
        return json(200, tokens());
      },
    },
    {},
    { posture: async () => ({ ...facts, ...(named.own ? { appVersion: named.own } : {}) }) },
  );
  assert.equal((await client.fetch('/api/v1/me')).status, 200);
  named.own = '2.0.0';
  await client.refresh();
  assert.deepEqual(shown, ['1.0.0', '2.0.0']);
});

test('a proof or signature refused as used or made before a restart is sent again once, new; a second refusal is the answer', async () => {
  const challenge = { 'www-authenticate': 'DPoP algs="ES256", error="invalid_dpop_proof", error_description="the DPoP proof was already used"' };
  for (const slug of ['invalid-dpop-proof', 'signature-replayed']) {
    let calls = 0;
    const { client, seen } = await setUp({
      api: () => ((calls += 1) === 1 ? problem(401, slug, { detail: 'made before this server began remembering' }, slug === 'invalid-dpop-proof' ? challenge : {}) : json(200, { ok: true })),
    });
    assert.equal((await client.fetch('/api/v1/me')).status, 200, `${slug}: the second try passes`);
    assert.equal(seen.length, 2, `${slug}: one retry`);
    assert.notEqual(seen[0]!.headers.get('dpop'), seen[1]!.headers.get('dpop'), 'with a new proof');
    assert.notEqual(seen[0]!.headers.get('signature-input'), seen[1]!.headers.get('signature-input'), 'and a new signature (nonce)');

    const refusing = await setUp({ api: () => problem(401, slug, {}, slug === 'invalid-dpop-proof' ? challenge : {}) });
    assert.equal((await refusing.client.fetch('/api/v1/me')).status, 401, `${slug}: refused again, the answer is the app's`);
    assert.equal(refusing.seen.length, 2, `${slug}: never more than one retry`);
  }
});

test('json() gives undefined for an answer without a body (204, or an empty 200) and still parses a body', async () => {
  const { client } = await setUp({
    api: (request) => {
      const path = new URL(request.url).pathname;
      if (path === '/api/v1/none') return new Response(null, { status: 204 });
      if (path === '/api/v1/empty') return new Response('', { status: 200 });
      return json(200, { ok: true });
    },
  });
  assert.equal(await client.json('/api/v1/none', { method: 'DELETE' }), undefined, '204 No Content');
  assert.equal(await client.json('/api/v1/empty'), undefined, 'an empty 200');
  assert.deepEqual(await client.json('/api/v1/me'), { ok: true });
});
