/**
 * The request-signature stage in the HTTP pipeline (http/app.ts): where it runs (after
 * authentication, before schema validation), which bytes it digests, which routes and apps
 * it applies to, and what a refusal looks like (problem + audit record with the precise code).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { testApp } from '../helpers/app.ts';
import { Value } from 'typebox/value';
import { RateLimits, RateLimitStage, RequestSignatureStage, signRequest, type RateLimitsConfig, type SigningMode } from '../../src/apisec/index.ts';
import { ConfigSchema } from '../../src/config/schema.ts';
import type { BearerVerifier } from '../../src/http/bearer.ts';
import { MemoryCache } from '../../src/cache/index.ts';
import { ManualClock } from '../../src/clock.ts';
import type { AuditEvent } from '../../src/audit/index.ts';

const ORIGIN = 'https://palisade.test';
const keys = new Map([
  ['sid-1', { keyId: 'key-1', key: randomBytes(32) }],
  ['sid-2', { keyId: 'key-2', key: randomBytes(32) }],
]);

/** The stage as production builds it (signing required, 5-minute window) over the test keys. */
function requiredSigning(clock: ManualClock, cache: MemoryCache): RequestSignatureStage {
  return new RequestSignatureStage({ keys: { lookup: async (sid) => keys.get(sid) }, claimOnce: (k, ttl) => cache.claimOnce(k, ttl), clock, mode: 'required', windowMs: 5 * 60_000, clients: new Map(), publicOrigin: ORIGIN });
}

function build(options: { mode?: SigningMode; clients?: [string, SigningMode][] } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
  const cache = new MemoryCache();
  const audit: AuditEvent[] = [];
  const stage = new RequestSignatureStage({
    keys: { lookup: async (sid) => keys.get(sid) },
    claimOnce: (k, ttl) => cache.claimOnce(k, ttl),
    clock,
    mode: options.mode ?? 'required',
    windowMs: 5 * 60_000,
    clients: new Map(options.clients ?? []),
    publicOrigin: ORIGIN,
  });
  const app = testApp({ requestSignatures: stage, audit: { emit: (e: AuditEvent) => void audit.push(e), record: async () => undefined } });
  // Stands in for app.authenticate: `x-test-sid` is the verified session, `x-test-client` its app.
  const authenticate = async (request: FastifyRequest) => {
    const sid = String(request.headers['x-test-sid'] ?? 'sid-1');
    request.auth = { sub: 'user-1', sid, client_id: String(request.headers['x-test-client'] ?? 'field-app'), roles: [] };
  };
  const body = { type: 'object', additionalProperties: false, required: ['title'], properties: { title: { type: 'string', maxLength: 20 } } } as const;
  app.post('/api/v1/jobs', { onRequest: authenticate, schema: { body } }, async (request) => ({ got: request.body }));
  app.get('/api/v1/jobs', { onRequest: authenticate }, async () => ({ jobs: [] }));
  app.get('/api/v1/relaxed', { onRequest: authenticate, config: { signing: 'optional' } }, async () => ({ ok: true }));
  app.get('/admin/v1/things', { onRequest: authenticate }, async () => ({ things: [] }));
  app.get('/api/v1/public', async () => ({ open: true }));
  return { app, clock, audit };
}

function signed(clock: ManualClock, method: string, url: string, body = '', sid = 'sid-1', extra: Partial<Parameters<typeof signRequest>[0]> = {}) {
  const key = keys.get(sid)!;
  return signRequest({ method, targetUri: `${ORIGIN}${url}`, authorization: 'Bearer t', body, keyId: key.keyId, key: key.key, created: Math.floor(clock.now() / 1000), ...extra });
}

async function send(app: FastifyInstance, method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: string) {
  const response = await app.inject({ method, url, headers: { authorization: 'Bearer t', ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(payload !== undefined ? { payload } : {}) });
  return { status: response.statusCode, body: response.json() as Record<string, unknown>, headers: response.headers };
}

describe('the request-signature stage', () => {
  test('a signed GET (digest of the empty body) and a signed POST pass; the handler sees the parsed body', async () => {
    const { app, clock } = build();
    assert.equal((await send(app, 'GET', '/api/v1/jobs?status=open', signed(clock, 'GET', '/api/v1/jobs?status=open'))).status, 200);
    const payload = '{"title":"pump"}';
    const post = await send(app, 'POST', '/api/v1/jobs', signed(clock, 'POST', '/api/v1/jobs', payload), payload);
    assert.deepEqual(post, { ...post, status: 200, body: { got: { title: 'pump' } } });
  });

  test('the digest is over the exact bytes received: the same JSON spelled differently is refused', async () => {
    const { app, clock } = build();
    const response = await send(app, 'POST', '/api/v1/jobs', signed(clock, 'POST', '/api/v1/jobs', '{"title":"pump"}'), '{ "title": "pump" }');
    assert.equal(response.status, 401);
    assert.equal(response.body.type, 'https://palisade.dev/problems/content-digest-mismatch');
  });

  test('unsigned requests are refused before schema validation, so invalid bodies learn nothing', async () => {
    const { app, audit } = build();
    const response = await send(app, 'POST', '/api/v1/jobs', {}, '{"title":"x","admin":true}');
    assert.equal(response.status, 401, 'not 400: the signature stage comes before validation');
    assert.equal(response.body.type, 'https://palisade.dev/problems/signature-required');
    assert.equal(response.body.code, 'signature_missing');
    assert.match(String(response.headers['accept-signature']), /"@method" "@target-uri" "authorization" "content-digest"/, 'RFC 9421 §5.1: the client is told what to sign');
    await new Promise((resolve) => setImmediate(resolve));
    const denied = audit.find((e) => e.action === 'http.denied');
    assert.equal(denied?.reason, 'signature_missing', 'the audit record names the precise reason');
    assert.deepEqual(denied?.detail, { status: 401, problem: 'signature-required' });
  });

  test('a signed but invalid body gets the validation error (the stage passes it on)', async () => {
    const { app, clock } = build();
    const payload = '{"title":"x","admin":true}';
    assert.equal((await send(app, 'POST', '/api/v1/jobs', signed(clock, 'POST', '/api/v1/jobs', payload), payload)).status, 400);
  });

  test('malformed JSON and prototype poisoning are still refused as malformed bodies', async () => {
    const { app, clock } = build();
    for (const payload of ['{"title":', '{"__proto__":{"admin":true},"title":"x"}', '{"constructor":{"prototype":{"admin":true}},"title":"x"}']) {
      const response = await send(app, 'POST', '/api/v1/jobs', signed(clock, 'POST', '/api/v1/jobs', payload), payload);
      assert.equal(response.status, 400, payload);
      assert.equal(response.body.type, 'https://palisade.dev/problems/malformed-body', payload);
    }
  });

  test('each refusal has its own problem type', async () => {
    const { app, clock } = build();
    const url = '/api/v1/jobs';
    const cases: [string, Record<string, string>, string][] = [
      ['changed path', signed(clock, 'GET', '/api/v1/jobs/1'), 'signature-invalid'],
      ['changed method', signed(clock, 'POST', url), 'signature-invalid'],
      ['another session’s key', signed(clock, 'GET', url, '', 'sid-2'), 'signature-invalid'],
      ['stale', signed(clock, 'GET', url, '', 'sid-1', { created: Math.floor(clock.now() / 1000) - 301 }), 'signature-expired'],
      ['future', signed(clock, 'GET', url, '', 'sid-1', { created: Math.floor(clock.now() / 1000) + 301 }), 'signature-expired'],
      ['no content-digest', { ...signed(clock, 'GET', url), 'content-digest': '' }, 'content-digest-required'],
    ];
    for (const [name, headers, type] of cases) {
      const response = await send(app, 'GET', url, Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== '')));
      assert.equal(response.status, 401, name);
      assert.equal(response.body.type, `https://palisade.dev/problems/${type}`, name);
    }
    const once = signed(clock, 'GET', url);
    assert.equal((await send(app, 'GET', url, once)).status, 200);
    const replay = await send(app, 'GET', url, once);
    assert.deepEqual([replay.status, replay.body.type], [401, 'https://palisade.dev/problems/signature-replayed']);
  });

  test('admin routes are signed too; unauthenticated routes are not the stage’s business', async () => {
    const { app, clock } = build();
    assert.equal((await send(app, 'GET', '/admin/v1/things', {})).status, 401);
    assert.equal((await send(app, 'GET', '/admin/v1/things', signed(clock, 'GET', '/admin/v1/things'))).status, 200);
    assert.equal((await send(app, 'GET', '/api/v1/public', {})).status, 200);
  });

  test('a route declaring signing: optional accepts unsigned calls but still verifies a signature that is sent', async () => {
    const { app, clock } = build();
    assert.equal((await send(app, 'GET', '/api/v1/relaxed', {})).status, 200);
    assert.equal((await send(app, 'GET', '/api/v1/relaxed', signed(clock, 'GET', '/api/v1/other'))).status, 401, 'a bad signature is never ignored');
  });

  test('per-app and global modes: off ignores, optional verifies when present, required refuses', async () => {
    const { app, clock } = build({ mode: 'off', clients: [['strict-app', 'required'], ['legacy-app', 'optional']] });
    assert.equal((await send(app, 'GET', '/api/v1/jobs', {})).status, 200, 'off');
    assert.equal((await send(app, 'GET', '/api/v1/jobs', { 'x-test-client': 'strict-app' })).status, 401, 'the app requires it');
    assert.equal((await send(app, 'GET', '/api/v1/jobs', { 'x-test-client': 'legacy-app' })).status, 200, 'optional: unsigned accepted');
    assert.equal((await send(app, 'GET', '/api/v1/jobs', { 'x-test-client': 'legacy-app', ...signed(clock, 'GET', '/api/v1/jobs', '', 'sid-2') })).status, 401, 'optional: a wrong signature refused');
  });
});

describe('signature refusals and the authentication lockout', () => {
  test('unsigned requests to an authentication route do not lock the person out; refusals by the route itself do', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
    const cache = new MemoryCache();
    const defaults = structuredClone((Value.Default(ConfigSchema, {}) as { rateLimits: RateLimitsConfig }).rateLimits);
    defaults.auth.points = 1000;
    defaults.lockout.after = 3;
    const limits = new RateLimits({ config: defaults, counters: (o) => cache.counters(o) });
    const stage = requiredSigning(clock, cache);
    const app = testApp({ requestSignatures: stage, rateLimits: new RateLimitStage(limits) });
    const authenticate = async (request: FastifyRequest) => {
      request.auth = { sub: 'user-1', sid: 'sid-1', client_id: 'field-app', roles: [] };
    };
    // As the unlock routes are: the authentication class; the handler refuses a wrong proof with 401.
    app.post('/api/v1/session/unlock', { onRequest: authenticate, config: { rateLimit: 'auth' } }, async (_request, reply) => reply.code(401).send({ refused: true }));
    app.post('/api/v1/unsigned-unlock', { onRequest: authenticate, config: { rateLimit: 'auth', signing: 'off' } }, async (_request, reply) => reply.code(401).send({ refused: true }));
    await app.ready();
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20)); // failures are counted after the answer
    for (let i = 0; i < 6; i += 1) {
      const answer = await send(app, 'POST', '/api/v1/session/unlock', {}, '{}');
      assert.equal(answer.body.type, 'https://palisade.dev/problems/signature-required');
    }
    await settle();
    assert.equal(await limits.lockedForS('user:user-1'), 0, 'six unsigned requests did not lock the account');
    assert.equal(await limits.lockedForS('ip:127.0.0.1'), 0, 'nor the address');
    // The control: three refusals by the route itself do lock (so the counting above was live).
    for (let i = 0; i < 3; i += 1) assert.equal((await send(app, 'POST', '/api/v1/unsigned-unlock', {}, '{}')).status, 401);
    await settle();
    assert.ok((await limits.lockedForS('user:user-1')) > 0, 'three refused proofs lock the account');
    await app.close();
  });
});

describe('signature refusals and the idle lock', () => {
  test('a request refused for its signature is not the person’s activity: the session guard runs only for requests that pass', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 26, 8, 0, 0));
    const cache = new MemoryCache();
    const guarded: string[] = [];
    const stage = requiredSigning(clock, cache);
    // The real `app.authenticate`, over a verifier that accepts the test's token.
    const bearer = { verify: async () => ({ sub: 'user-1', sid: 'sid-1', client_id: 'field-app', roles: [] }) } as unknown as BearerVerifier;
    const app = testApp({ bearer, requestSignatures: stage, sessionGuard: async (claims) => void guarded.push(claims.sid) });
    app.get('/api/v1/jobs', { onRequest: [app.authenticate] }, async () => ({ jobs: [] }));
    await app.ready();
    for (const headers of [{}, { ...signed(clock, 'GET', '/api/v1/jobs'), signature: 'sig=:AAAA:' }, signed(clock, 'GET', '/api/v1/other')]) {
      assert.equal((await send(app, 'GET', '/api/v1/jobs', headers)).status, 401);
    }
    assert.deepEqual(guarded, [], 'no refused request touched the session');
    assert.equal((await send(app, 'GET', '/api/v1/jobs', signed(clock, 'GET', '/api/v1/jobs'))).status, 200);
    assert.deepEqual(guarded, ['sid-1'], 'the signed request did, once');
    await app.close();
  });
});
