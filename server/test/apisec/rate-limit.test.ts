/**
 * Rate limits by class, through the HTTP stage of a real app: each class admits
 * exactly its limit per window and then answers 429 with Retry-After and the IETF headers; the
 * lockout after repeated authentication failures grows and is audited; with TEST_REDIS_URL two
 * instances share one counter exactly. The clock is Node's mocked `Date`, which
 * rate-limiter-flexible reads, so windows end exactly when the test says.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Value } from 'typebox/value';
import { testApp } from '../helpers/app.ts';
import type { AccessClaims } from '../../src/http/bearer.ts';
import { ConfigSchema } from '../../src/config/schema.ts';
import { MemoryCache, openRedisCache, type SharedCache } from '../../src/cache/index.ts';
import { RateLimits, RateLimitStage, chargeAuth, developmentStartPageAllowance, type RateLimitsConfig } from '../../src/apisec/index.ts';
import type { AuditEvent, AuditSink } from '../../src/audit/index.ts';

const DEFAULTS = (Value.Default(ConfigSchema, {}) as { rateLimits: RateLimitsConfig }).rateLimits;

function withLimits(changes: Partial<{ [K in keyof RateLimitsConfig]: Partial<RateLimitsConfig[K]> }>): RateLimitsConfig {
  const copy = structuredClone(DEFAULTS) as RateLimitsConfig;
  for (const [key, value] of Object.entries(changes)) Object.assign(copy[key as keyof RateLimitsConfig], value);
  return copy;
}

/** A caller as `app.authenticate` would leave it: the verified subject. */
const asUser = async (request: FastifyRequest) => {
  const user = request.headers['x-test-user'];
  if (typeof user === 'string') request.auth = { sub: user } as AccessClaims;
};

async function buildApp(config: RateLimitsConfig, cache: SharedCache, audit?: AuditSink): Promise<FastifyInstance> {
  const app = testApp({ rateLimits: new RateLimitStage(new RateLimits({ config, counters: (o) => cache.counters(o), ...(audit ? { audit } : {}) })) });
  // Test-only routes, one per class; the real search and export routes declare theirs the same way.
  app.get('/api/test/standard', { onRequest: asUser }, async () => ({ ok: true }));
  app.get('/api/test/search', { onRequest: asUser, config: { rateLimit: 'search' } }, async () => ({ ok: true }));
  app.get('/api/test/export', { onRequest: asUser, config: { rateLimit: 'export' } }, async () => ({ ok: true }));
  // An authentication endpoint: `x-test-fail` makes it refuse, as a wrong grant or proof would.
  app.post('/api/test/auth', { onRequest: asUser, config: { rateLimit: 'auth' } }, async (request, reply) => {
    if (request.headers['x-test-fail']) return reply.code(401).send({ refused: true });
    return { ok: true };
  });
  app.post('/api/test/scim-like', { config: { rateLimit: { class: 'auth', failuresOnly: true } } }, async (request, reply) => {
    if (request.headers['x-test-fail']) return reply.code(401).send({ refused: true });
    return { ok: true };
  });
  await app.ready();
  return app;
}

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
function mockClock(t: TestContext): { advance(ms: number): void } {
  t.mock.timers.enable({ apis: ['Date'], now: START });
  return { advance: (ms) => t.mock.timers.tick(ms) };
}

const CLASSES = [
  { name: 'standard', url: '/api/test/standard', method: 'GET' as const, limit: 100, windowS: 60, perUser: true },
  { name: 'search', url: '/api/test/search', method: 'GET' as const, limit: 20, windowS: 60, perUser: true },
  { name: 'export', url: '/api/test/export', method: 'GET' as const, limit: 10, windowS: 3600, perUser: true },
  { name: 'auth', url: '/api/test/auth', method: 'POST' as const, limit: 5, windowS: 60, perUser: false },
];

describe('rate limits by class', () => {
  for (const cls of CLASSES) {
    test(`the ${cls.name} class admits exactly ${cls.limit} requests per ${cls.windowS} s, then answers 429 with Retry-After and the IETF headers`, async (t) => {
      const clock = mockClock(t);
      const app = await buildApp(DEFAULTS, new MemoryCache());
      try {
        // The auth class counts per IP when no account is known.
        const call = (user = 'alice', ip = '198.51.100.1') =>
          app.inject({ method: cls.method, url: cls.url, remoteAddress: ip, headers: cls.perUser ? { 'x-test-user': user } : {} });
        for (let i = 1; i <= cls.limit; i += 1) {
          const ok = await call();
          assert.equal(ok.statusCode, 200, `request ${i} of ${cls.limit} is within the ${cls.name} limit`);
          assert.equal(ok.headers['ratelimit-policy'], `"${cls.name}";q=${cls.limit};w=${cls.windowS}`, 'successful answers state the policy');
          assert.equal(ok.headers['ratelimit'], `"${cls.name}";r=${cls.limit - i};t=${cls.windowS}`, 'successful answers say how many are left and when the window resets');
        }
        clock.advance(cls.windowS * 1000 - 20_000);
        const over = await call();
        assert.equal(over.statusCode, 429, `request ${cls.limit + 1} is refused`);
        assert.match(String(over.headers['content-type']), /^application\/problem\+json/);
        assert.equal(over.json().type, 'https://palisade.dev/problems/rate-limited');
        assert.equal(over.json().rateClass, cls.name);
        assert.equal(over.headers['retry-after'], '20', 'Retry-After is the rest of the window');
        assert.equal(over.headers['ratelimit'], `"${cls.name}";r=0;t=20`);
        assert.equal(over.headers['ratelimit-policy'], `"${cls.name}";q=${cls.limit};w=${cls.windowS}`);

        const other = cls.perUser ? await call('bob') : await call('alice', '198.51.100.2');
        assert.equal(other.statusCode, 200, cls.perUser ? 'another person has a budget of their own' : 'another address has a budget of its own');

        clock.advance(20_000);
        const next = await call();
        assert.equal(next.statusCode, 200, 'a new window admits requests again');
        assert.equal(next.headers['ratelimit'], `"${cls.name}";r=${cls.limit - 1};t=${cls.windowS}`);
      } finally {
        await app.close();
      }
    });
  }

  test('a flood of 429s is one audit record per class and key and window; the next window’s first 429 is another', async (t) => {
    const clock = mockClock(t);
    const events: AuditEvent[] = [];
    const audit: AuditSink = { record: async () => undefined, emit: (event) => void events.push(event) };
    const app = await buildApp(withLimits({ search: { points: 2 } }), new MemoryCache(), audit);
    try {
      const call = (user: string) => app.inject({ method: 'GET', url: '/api/test/search', headers: { 'x-test-user': user } });
      const refused = () => events.filter((e) => e.action === 'security.rate_limited');
      for (let i = 0; i < 2; i += 1) assert.equal((await call('alice')).statusCode, 200);
      for (let i = 0; i < 50; i += 1) assert.equal((await call('alice')).statusCode, 429);
      assert.equal(refused().length, 1, '50 refusals, one record');
      assert.deepEqual(refused()[0]!.resource, { type: 'user', id: 'alice' });
      assert.equal(refused()[0]!.detail?.rateClass, 'search');
      assert.equal(refused()[0]!.detail?.route, 'GET /api/test/search');
      for (let i = 0; i < 3; i += 1) await call('bob');
      assert.equal(refused().length, 2, 'another key is recorded on its own');
      clock.advance(60_000);
      for (let i = 0; i < 5; i += 1) await call('alice');
      assert.equal(refused().length, 3, 'the next window’s flood is recorded once again');
    } finally {
      await app.close();
    }
  });

  test('unauthenticated routes without a class (health, discovery) carry no limit', async () => {
    const app = await buildApp(withLimits({ standard: { points: 1 } }), new MemoryCache());
    try {
      for (let i = 0; i < 3; i += 1) {
        const health = await app.inject({ method: 'GET', url: '/healthz' });
        assert.equal(health.statusCode, 200);
        assert.equal(health.headers['ratelimit'], undefined);
      }
    } finally {
      await app.close();
    }
  });

  test('an authentication route counts per account as well as per IP: many addresses do not multiply the budget', async (t) => {
    mockClock(t);
    const app = await buildApp(DEFAULTS, new MemoryCache());
    try {
      for (let i = 1; i <= 5; i += 1) {
        const ok = await app.inject({ method: 'POST', url: '/api/test/auth', remoteAddress: `203.0.113.${i}`, headers: { 'x-test-user': 'carol' } });
        assert.equal(ok.statusCode, 200, `attempt ${i} for the account`);
      }
      const over = await app.inject({ method: 'POST', url: '/api/test/auth', remoteAddress: '203.0.113.99', headers: { 'x-test-user': 'carol' } });
      assert.equal(over.statusCode, 429, 'the sixth attempt for one account is refused from a fresh address too');
      assert.equal(over.json().rateClass, 'auth');
    } finally {
      await app.close();
    }
  });

  test('a failures-only route (SCIM) counts refused attempts, not good calls', async (t) => {
    mockClock(t);
    const app = await buildApp(withLimits({ auth: { points: 2 } }), new MemoryCache());
    try {
      const call = (fail: boolean) => app.inject({ method: 'POST', url: '/api/test/scim-like', remoteAddress: '192.0.2.10', headers: fail ? { 'x-test-fail': '1' } : {} });
      for (let i = 0; i < 10; i += 1) assert.equal((await call(false)).statusCode, 200, 'a provisioning run is not slowed down');
      assert.equal((await call(true)).statusCode, 401);
      assert.equal((await call(true)).statusCode, 401);
      await new Promise((resolve) => setImmediate(resolve));
      const refused = await call(false);
      assert.equal(refused.statusCode, 429, 'two refused tokens use up the budget of 2');
      assert.equal(refused.headers['retry-after'], '60');
    } finally {
      await app.close();
    }
  });
});

describe('lockout after repeated authentication failures', () => {
  test('the lock grows (base × 2^k, capped at max), is answered 429 with its Retry-After, and each lock is a security event', async (t) => {
    const clock = mockClock(t);
    const audit: AuditEvent[] = [];
    const cache = new MemoryCache();
    const config = withLimits({ auth: { points: 1000 }, lockout: { after: 3, window: '15m', base: '1m', max: '4m', forget: '24h' } });
    const limits = new RateLimits({ config, counters: (o) => cache.counters(o), audit: { emit: (e: AuditEvent) => void audit.push(e) } as unknown as AuditSink });
    const app = testApp({ rateLimits: new RateLimitStage(limits) });
    app.post('/oauth-like/token', { config: { rateLimit: { class: 'auth', failureStatuses: [400, 401] } } }, async (request, reply) =>
      request.headers['x-test-fail'] ? reply.code(400).send({ error: 'invalid_grant' }) : { ok: true },
    );
    await app.ready();
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const fail = () => app.inject({ method: 'POST', url: '/oauth-like/token', remoteAddress: '192.0.2.66', headers: { 'x-test-fail': '1' } });
    const good = () => app.inject({ method: 'POST', url: '/oauth-like/token', remoteAddress: '192.0.2.66' });
    try {
      const seen: number[] = [];
      for (const expectedS of [60, 120, 240, 240]) {
        for (let i = 1; i <= 3; i += 1) {
          assert.equal((await fail()).statusCode, 400, `failure ${i} is answered by the endpoint itself`);
          await settle();
        }
        const locked = await good();
        assert.equal(locked.statusCode, 429, 'after 3 failures even a correct request is refused');
        assert.equal(locked.json().type, 'https://palisade.dev/problems/locked-out');
        assert.equal(locked.headers['retry-after'], String(expectedS), `lock ${seen.length + 1} lasts ${expectedS} s`);
        seen.push(expectedS);
        clock.advance(expectedS * 1000 - 1000);
        assert.equal((await good()).statusCode, 429, 'still locked a second before the lock ends');
        clock.advance(1000);
        assert.equal((await good()).statusCode, 200, 'the lock ends on time');
      }
      assert.equal((await app.inject({ method: 'POST', url: '/oauth-like/token', remoteAddress: '192.0.2.67' })).statusCode, 200, 'other addresses are not locked');
      const locks = audit.filter((e) => e.action === 'security.rate_limit_lockout');
      assert.deepEqual(
        locks.map((e) => e.detail?.lockSeconds),
        [60, 120, 240, 240],
        'every lock is recorded, with its growing length',
      );
      assert.deepEqual(locks.map((e) => [e.outcome, e.reason, e.actor.ip, e.resource?.type, e.resource?.id]), Array(4).fill(['denied', 'repeated_authentication_failures', '192.0.2.66', 'ip', '192.0.2.66']));
    } finally {
      await app.close();
    }
  });

  test('failures against one account from many addresses lock the account', async (t) => {
    mockClock(t);
    const audit: AuditEvent[] = [];
    const cache = new MemoryCache();
    const config = withLimits({ auth: { points: 1000 }, lockout: { after: 3 } });
    const limits = new RateLimits({ config, counters: (o) => cache.counters(o), audit: { emit: (e: AuditEvent) => void audit.push(e) } as unknown as AuditSink });
    const app = testApp({ rateLimits: new RateLimitStage(limits) });
    app.post('/unlock-like', { onRequest: asUser, config: { rateLimit: 'auth' } }, async (request, reply) =>
      request.headers['x-test-fail'] ? reply.code(401).send({ refused: true }) : { ok: true },
    );
    await app.ready();
    try {
      for (let i = 1; i <= 3; i += 1) {
        await app.inject({ method: 'POST', url: '/unlock-like', remoteAddress: `203.0.113.${i}`, headers: { 'x-test-user': 'dave', 'x-test-fail': '1' } });
        await new Promise((resolve) => setImmediate(resolve));
      }
      const locked = await app.inject({ method: 'POST', url: '/unlock-like', remoteAddress: '203.0.113.50', headers: { 'x-test-user': 'dave' } });
      assert.equal(locked.statusCode, 429, 'the account is locked whichever address asks');
      assert.equal(locked.json().type, 'https://palisade.dev/problems/locked-out');
      assert.equal((await app.inject({ method: 'POST', url: '/unlock-like', remoteAddress: '203.0.113.50', headers: { 'x-test-user': 'erin' } })).statusCode, 200, 'other people are not locked');
      const lock = audit.find((e) => e.action === 'security.rate_limit_lockout' && e.resource?.type === 'user');
      assert.ok(lock, 'the account lock is a security event');
      assert.equal(lock.resource?.id, 'dave');
      assert.equal(lock.actor.userId, 'dave');
    } finally {
      await app.close();
    }
  });
});

describe('rate limits across instances (Redis)', { skip: process.env.TEST_REDIS_URL ? false : 'TEST_REDIS_URL is not set' }, () => {
  test('two instances on one Redis share one counter exactly', async () => {
    const [cacheA, cacheB] = [await openRedisCache(process.env.TEST_REDIS_URL!), await openRedisCache(process.env.TEST_REDIS_URL!)];
    const [a, b] = [await buildApp(DEFAULTS, cacheA), await buildApp(DEFAULTS, cacheB)];
    try {
      // A fresh person per run: counters of earlier runs live on in Redis for their window.
      const user = `user-${randomUUID()}`;
      const call = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/api/test/search', headers: { 'x-test-user': user } });
      // 20 requests alternating between the instances, some of them at once.
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i % 2 === 0 ? a : b)));
      assert.deepEqual(answers.map((r) => r.statusCode), Array(20).fill(200), 'the 20 allowed searches pass, wherever they land');
      assert.deepEqual(answers.map((r) => /r=(\d+)/.exec(r.headers['ratelimit'] as string)![1]).map(Number).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i), 'each request saw a distinct count: one counter, no lost updates');
      const [overA, overB] = [await call(a), await call(b)];
      assert.equal(overA.statusCode, 429, 'the 21st is refused by instance A');
      assert.equal(overB.statusCode, 429, 'and by instance B');
      assert.ok(Number(overA.headers['retry-after']) >= 1 && Number(overA.headers['retry-after']) <= 60);
    } finally {
      await a.close();
      await b.close();
      await cacheA.close();
      await cacheB.close();
    }
  });

  test('a flood of 429s spread over two instances is one audit record', async () => {
    const [cacheA, cacheB] = [await openRedisCache(process.env.TEST_REDIS_URL!), await openRedisCache(process.env.TEST_REDIS_URL!)];
    const events: AuditEvent[] = [];
    const audit: AuditSink = { record: async () => undefined, emit: (event) => void events.push(event) };
    const [a, b] = [await buildApp(DEFAULTS, cacheA, audit), await buildApp(DEFAULTS, cacheB, audit)];
    try {
      const user = `user-${randomUUID()}`;
      const call = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/api/test/search', headers: { 'x-test-user': user } });
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 === 0 ? a : b)));
      assert.equal(answers.filter((r) => r.statusCode === 429).length, 20);
      assert.equal(events.filter((e) => e.action === 'security.rate_limited').length, 1, 'claimed once across the instances');
    } finally {
      await a.close();
      await b.close();
      await cacheA.close();
      await cacheB.close();
    }
  });
});

describe('limits of an app’s own (clients[].rateLimits)', () => {
  test('a person’s calls through an app with its own limit count against that limit, apart from other apps', async (t) => {
    const clock = mockClock(t);
    const limits = new RateLimits({ config: DEFAULTS, apps: { 'kiosk-app': { standard: { points: 3 }, search: { points: 2, duration: '10s' } } }, counters: (o) => new MemoryCache().counters(o) });
    const app = testApp({ rateLimits: new RateLimitStage(limits) });
    const asAppUser = async (request: FastifyRequest) => {
      request.auth = { sub: String(request.headers['x-test-user']), client_id: String(request.headers['x-test-client']) } as AccessClaims;
    };
    app.get('/api/test/standard', { onRequest: asAppUser }, async () => ({ ok: true }));
    app.get('/api/test/search', { onRequest: asAppUser, config: { rateLimit: 'search' } }, async () => ({ ok: true }));
    await app.ready();
    try {
      const call = (url: string, client: string, user = 'alice') => app.inject({ method: 'GET', url, headers: { 'x-test-user': user, 'x-test-client': client } });
      for (let i = 1; i <= 3; i += 1) {
        const ok = await call('/api/test/standard', 'kiosk-app');
        assert.equal(ok.statusCode, 200);
        assert.equal(ok.headers['ratelimit-policy'], '"standard";q=3;w=60', 'the kiosk’s own policy is stated');
      }
      const refused = await call('/api/test/standard', 'kiosk-app');
      assert.equal(refused.statusCode, 429, 'the fourth call through the kiosk is over its limit');
      const field = await call('/api/test/standard', 'field-app');
      assert.equal(field.statusCode, 200, 'the same person through another app still has the class’s budget');
      assert.equal(field.headers['ratelimit-policy'], '"standard";q=100;w=60');
      assert.equal((await call('/api/test/standard', 'kiosk-app', 'bob')).statusCode, 200, 'and the kiosk’s limit is per person');
      // The window defaults to the class's, or is the app's own.
      assert.equal((await call('/api/test/search', 'kiosk-app')).headers['ratelimit-policy'], '"search";q=2;w=10');
      await call('/api/test/search', 'kiosk-app');
      assert.equal((await call('/api/test/search', 'kiosk-app')).statusCode, 429);
      clock.advance(10_000);
      assert.equal((await call('/api/test/search', 'kiosk-app')).statusCode, 200, 'the kiosk’s own 10 s window has ended');
    } finally {
      await app.close();
    }
  });
});

describe('the development start page’s authentication allowance (decision 0013)', () => {
  const START_PAGE = 'palisade-start';
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  /**
   * Authorize names its client in the query, token in a form body the route reads itself (as
   * oauth/routes.ts does): `x-test-early` makes the token route answer before it has read the
   * body, as a body too large would.
   */
  async function oauthLikeApp(allowances: boolean): Promise<FastifyInstance> {
    const cache = new MemoryCache();
    const limits = new RateLimits({
      config: DEFAULTS,
      counters: (o) => cache.counters(o),
      ...(allowances ? { authAllowances: { [START_PAGE]: developmentStartPageAllowance(DEFAULTS.auth) } } : {}),
    });
    const app = testApp({ rateLimits: new RateLimitStage(limits) });
    app.get('/oauth-like/authorize', { config: { rateLimit: { class: 'auth', failureStatuses: [], client: 'query' } } }, async () => ({ ok: true }));
    await app.register(async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));
      scope.post<{ Body: { client_id?: string } }>('/oauth-like/token', { config: { rateLimit: { class: 'auth', failureStatuses: [400, 401], client: 'body' } } }, async (request, reply) => {
        if (request.headers['x-test-early']) return reply.code(413).send({ tooLarge: true });
        await chargeAuth(request, request.body.client_id);
        return { ok: true };
      });
    });
    await app.ready();
    return app;
  }
  const authorize = (app: FastifyInstance, query: string, ip = '192.0.2.80', accept?: string) =>
    app.inject({ method: 'GET', url: `/oauth-like/authorize?${query}`, remoteAddress: ip, headers: accept ? { accept } : {} });
  const token = (app: FastifyInstance, form: Record<string, string>, headers: Record<string, string> = {}, ip = '192.0.2.80') =>
    app.inject({ method: 'POST', url: '/oauth-like/token', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(form).toString() });

  test('the start page’s client has 60 a minute per address of its own; every other client keeps exactly the auth class’s 5', async (t) => {
    mockClock(t);
    const app = await oauthLikeApp(true);
    try {
      // Thirty sign-ins: an authorize and a token request each.
      for (let i = 1; i <= 30; i += 1) {
        const a = await authorize(app, `client_id=${START_PAGE}&state=s${i}`);
        assert.equal(a.statusCode, 200, `sign-in ${i}: authorize`);
        assert.equal(a.headers['ratelimit-policy'], '"auth-development";q=60;w=60', 'the allowance is a policy of its own, named as such');
        const tk = await token(app, { client_id: START_PAGE, grant_type: 'authorization_code' });
        assert.equal(tk.statusCode, 200, `sign-in ${i}: token`);
        assert.equal(tk.headers['ratelimit'], `"auth-development";r=${60 - 2 * i};t=60`);
      }
      const over = await authorize(app, `client_id=${START_PAGE}`);
      assert.equal(over.statusCode, 429, 'the 61st request of the allowance is refused');
      assert.equal(over.json().type, 'https://palisade.dev/problems/rate-limited');
      assert.equal((await token(app, { client_id: START_PAGE })).statusCode, 429, 'the token endpoint shares the allowance');

      // The allowance spent nothing of the auth class: an app from the same address has all 5.
      for (let i = 1; i <= 5; i += 1) {
        const r = i % 2 ? await authorize(app, 'client_id=field-app') : await token(app, { client_id: 'field-app' });
        assert.equal(r.statusCode, 200, `app request ${i} of 5`);
        assert.equal(r.headers['ratelimit-policy'], '"auth";q=5;w=60');
      }
      assert.equal((await authorize(app, 'client_id=field-app')).statusCode, 429, 'the sixth is refused, exactly as without an allowance');
    } finally {
      await app.close();
    }
  });

  test('naming the start page anywhere but where the endpoint reads its client counts against the auth class', async (t) => {
    mockClock(t);
    const app = await oauthLikeApp(true);
    try {
      const attempts = [
        () => authorize(app, `client_id=${START_PAGE}&client_id=${START_PAGE}`), // twice: which one would the endpoint use?
        () => authorize(app, `x=${START_PAGE}`),
        () => token(app, { client_id: 'field-app' }, { 'x-client': START_PAGE }),
        () => app.inject({ method: 'POST', url: `/oauth-like/token?client_id=${START_PAGE}`, remoteAddress: '192.0.2.80', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'client_id=field-app' }),
      ];
      for (const attempt of attempts) assert.equal((await attempt()).headers['ratelimit-policy'], '"auth";q=5;w=60');
      // Answered before the body named a client (413): still counted, against the class.
      assert.equal((await token(app, { client_id: START_PAGE }, { 'x-test-early': '1' })).statusCode, 413);
      await settle();
      const refused = await authorize(app, 'client_id=field-app');
      assert.equal(refused.statusCode, 429, 'four named elsewhere and one answered early used up the class');
      assert.equal((await authorize(app, `client_id=${START_PAGE}`)).statusCode, 200, 'the start page itself still has its allowance');
    } finally {
      await app.close();
    }
  });

  test('without the development IdP (production) the start page’s client counts against the auth class: exactly 5', async (t) => {
    mockClock(t);
    const app = await oauthLikeApp(false);
    try {
      for (let i = 1; i <= 5; i += 1) {
        const r = i % 2 ? await authorize(app, `client_id=${START_PAGE}`) : await token(app, { client_id: START_PAGE });
        assert.equal(r.statusCode, 200, `request ${i} of 5`);
        assert.equal(r.headers['ratelimit'], `"auth";r=${5 - i};t=60`);
      }
      assert.equal((await token(app, { client_id: START_PAGE })).statusCode, 429, 'the sixth is refused');
      assert.equal((await authorize(app, `client_id=${START_PAGE}`)).statusCode, 429);
    } finally {
      await app.close();
    }
  });

  test('a browser over the limit gets an HTML page saying when to retry; API clients get problem+json', async (t) => {
    const clock = mockClock(t);
    const app = await oauthLikeApp(false);
    const CHROME = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
    try {
      for (let i = 0; i < 5; i += 1) await authorize(app, 'client_id=field-app');
      clock.advance(18_000);
      const page = await authorize(app, 'client_id=field-app&state=%3Cscript%3Ealert(1)%3C/script%3E', '192.0.2.80', CHROME);
      assert.equal(page.statusCode, 429);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.equal(page.headers['retry-after'], '42', 'Retry-After is sent with the page as with the problem');
      assert.equal(page.headers['ratelimit'], '"auth";r=0;t=42');
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.match(page.body, /class="error-panel"/, 'the refusal is shown as an error');
      assert.match(page.body, /<code>rate-limited<\/code>/);
      assert.match(page.body, /Try again in <strong id="retry-after" data-seconds="42">42 seconds<\/strong> \(after 09:01:00 UTC\)/, 'the page says when: the Retry-After, as a time too');
      assert.doesNotMatch(page.body, /<script>alert/, 'the request’s own query is escaped in the retry link');
      assert.match(page.body, /href="\/oauth-like\/authorize\?client_id=field-app&#38;state=%3Cscript%3Ealert\(1\)%3C\/script%3E"/, 'the retry link repeats this request');

      for (const accept of [undefined, '*/*', 'application/json', 'application/problem+json', 'application/json, text/html;q=0.5', 'text/html;q=0.5, application/json']) {
        const api = await authorize(app, 'client_id=field-app', '192.0.2.80', accept);
        assert.equal(api.statusCode, 429);
        assert.match(String(api.headers['content-type']), /^application\/problem\+json/, `Accept: ${accept ?? '(none)'} gets problem+json`);
        assert.equal(api.json().retryAfter, 42);
      }
      const post = await app.inject({ method: 'POST', url: '/oauth-like/token', remoteAddress: '192.0.2.80', headers: { accept: CHROME, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'client_id=field-app' });
      assert.match(String(post.headers['content-type']), /^text\/html/);
      assert.doesNotMatch(post.body, /id="retry"/, 'a POST cannot be repeated by a link');
    } finally {
      await app.close();
    }
  });
});
