/**
 * Per-app API keys: the key format and its checksum, the service on a real database
 * (PGlite, and PostgreSQL with TEST_DATABASE_URL) with an injected clock, and the HTTP stage
 * in a real pipeline. Each refusal — missing, malformed, unknown, wrong secret, revoked,
 * expired, rotated out, another app's token — is tried, and what is stored is searched for
 * the key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { testApp } from '../helpers/app.ts';
import type { Database } from '../../src/db/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { Value } from 'typebox/value';
import { ConfigSchema } from '../../src/config/schema.ts';
import { MemoryCache } from '../../src/cache/index.ts';
import { RateLimits, type RateLimitsConfig } from '../../src/apisec/index.ts';
import { APP_KEY_PATTERN, AppKeyError, AppKeys, AppKeyStage, LAST_USED_EVERY_MS, VERIFIED_CACHE_MS, appKeyChecksum, parseAppKey } from '../../src/apisec/index.ts';
import { AuditTrail, requestContext, searchAudit } from '../../src/audit/index.ts';
import type { AccessClaims } from '../../src/http/bearer.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const quiet = { warn: () => undefined, error: () => undefined, info: () => undefined };
/** A well-formed key with a made-up id (the checksum is public): a key nobody was given. */
const madeUp = (id: string) => {
  const body = `pal_live_${id}_${'A'.repeat(43)}`;
  return body + appKeyChecksum(body);
};

describe('the key format', () => {
  test('a key is pal_live_, a 12-character id, 43 random characters and a CRC32 checksum that catches typos', () => {
    const body = `pal_live_AbCdEf012345_${'x'.repeat(43)}`;
    const key = body + appKeyChecksum(body);
    assert.match(key, APP_KEY_PATTERN);
    assert.deepEqual(parseAppKey(key), { id: 'AbCdEf012345' });
    const typo = key.slice(0, 30) + (key[30] === 'x' ? 'y' : 'x') + key.slice(31);
    assert.equal(parseAppKey(typo), undefined, 'one changed character fails the checksum: no database lookup for it');
    assert.equal(parseAppKey(key.replace('pal_live_', 'pal_test_')), undefined);
    assert.equal(parseAppKey(`${key}x`), undefined);
  });
});

for (const kind of databaseKinds()) {
  describe(`app keys on ${kind.kind}`, () => {
    let database: TestDatabase;
    let db: Database;
    let audit: AuditTrail;
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 9));
    const master = masterKeyFromBase64url(generateMasterKey());
    const service = (options: { cacheMs?: number } = {}) => new AppKeys({ db, clock, master, apps: ['field-app', 'kiosk-app'], audit, log: quiet, ...options });
    let keys: AppKeys;
    const asOperator = <T>(fn: () => Promise<T>) => requestContext.run({ actor: { userId: 'cli' } }, fn);

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      audit = new AuditTrail(db, clock, quiet, { flushIntervalMs: 10 });
      keys = service();
    });
    after(async () => {
      await audit?.close();
      await db?.close();
      await database?.drop();
    });

    test('a new key works, names its app, and is stored only as a keyed hash — in no table, no audit record', async () => {
      const { key, view } = await asOperator(() => keys.create('field-app', { name: 'iOS release' }));
      assert.match(key, APP_KEY_PATTERN);
      assert.deepEqual(await keys.verify(key), { ok: true, keyId: view.id, appId: 'field-app' });
      assert.equal(view.createdBy, 'cli', 'who created it comes from the request context');
      const { rows } = await db.query<{ key_hash: string }>('SELECT key_hash FROM app_keys WHERE id = $1', [view.id]);
      assert.match(rows[0]!.key_hash, /^[0-9a-f]{64}$/);
      assert.notEqual(rows[0]!.key_hash, (await import('node:crypto')).createHash('sha256').update(key).digest('hex'), 'keyed, not a plain hash: a stolen table cannot be checked against guesses');
      await audit.flush();
      const stored = await db.query<{ t: string }>(`SELECT coalesce(string_agg(a::text, ''), '') AS t FROM app_keys a`);
      const records = (await searchAudit(db, { limit: 500 })).events;
      for (const text of [stored.rows[0]!.t, JSON.stringify(records)]) assert.ok(!text.includes(key.slice(22)), 'the secret part appears nowhere in the database');
      assert.deepEqual(records.filter((e) => e.action === 'app_key.created').map((e) => e.resource?.id), [view.id], 'the creation is audited by key id');
    });

    test('each refusal has its precise reason: missing, malformed, unknown, wrong secret', async () => {
      const { key, view } = await keys.create('field-app', { name: 'refusals' });
      assert.deepEqual(await keys.verify(undefined), { ok: false, reason: 'missing' });
      assert.deepEqual(await keys.verify('pal_live_nonsense'), { ok: false, reason: 'malformed' });
      assert.deepEqual(await keys.verify('x'.repeat(10_000)), { ok: false, reason: 'malformed' });
      const body = `pal_live_${'Z'.repeat(12)}_${'q'.repeat(43)}`;
      assert.deepEqual(await keys.verify(body + appKeyChecksum(body)), { ok: false, reason: 'unknown', keyId: 'Z'.repeat(12) });
      // The same id with another secret (and a valid checksum): someone who saw the id only.
      const forged = `pal_live_${view.id}_${'q'.repeat(43)}`;
      assert.deepEqual(await keys.verify(forged + appKeyChecksum(forged)), { ok: false, reason: 'mismatch', keyId: view.id });
      assert.equal((await keys.verify(key)).ok, true, 'the real key still works');
    });

    test('a revoked key stops at once on the instance that revoked it, and on others within the cache bound', async () => {
      const other = service(); // a second instance, with its own cache
      const { key, view } = await keys.create('field-app', { name: 'to revoke' });
      assert.equal((await keys.verify(key)).ok, true);
      assert.equal((await other.verify(key)).ok, true);
      await asOperator(() => keys.revoke('field-app', view.id));
      assert.deepEqual(await keys.verify(key), { ok: false, reason: 'revoked', keyId: view.id }, 'this instance: at once');
      assert.equal((await other.verify(key)).ok, true, 'another instance may trust its cached row a little longer…');
      clock.advance(VERIFIED_CACHE_MS);
      assert.deepEqual(await other.verify(key), { ok: false, reason: 'revoked', keyId: view.id }, '…but never longer than VERIFIED_CACHE_MS');
      assert.equal((await keys.list('field-app')).find((k) => k.id === view.id)?.status, 'revoked');
    });

    test('an expiring key works until its expiry and not a millisecond after', async () => {
      const { key, view } = await keys.create('kiosk-app', { name: 'short', expiresInMs: 10 * MINUTE });
      clock.advance(10 * MINUTE - 1);
      assert.equal((await keys.verify(key)).ok, true);
      clock.advance(1);
      assert.deepEqual(await keys.verify(key), { ok: false, reason: 'expired', keyId: view.id });
      assert.equal((await keys.list('kiosk-app')).find((k) => k.id === view.id)?.status, 'expired');
    });

    test('rotation: both keys work during the overlap, then only the new one; the old one is "rotated_out"', async () => {
      const first = await keys.create('field-app', { name: 'rotating' });
      const rotated = await asOperator(() => keys.rotate('field-app', first.view.id, { overlapMs: 7 * DAY }));
      assert.equal(rotated.view.name, 'rotating', 'the new key keeps the name');
      assert.equal(rotated.previous.status, 'rotating');
      assert.equal(rotated.previous.replacedBy, rotated.view.id);
      assert.equal((await keys.verify(first.key)).ok, true, 'old key during the overlap');
      assert.equal((await keys.verify(rotated.key)).ok, true, 'new key');
      clock.advance(7 * DAY);
      assert.deepEqual(await keys.verify(first.key), { ok: false, reason: 'rotated_out', keyId: first.view.id });
      assert.equal((await keys.verify(rotated.key)).ok, true);
      await assert.rejects(keys.rotate('field-app', first.view.id, { overlapMs: DAY }), (e: AppKeyError) => e.reason === 'not_active', 'only the current key is rotated');
      await audit.flush();
      const records = (await searchAudit(db, { action: 'app_key.', limit: 500 })).events.filter((e) => [first.view.id, rotated.view.id].includes(e.resource!.id!)).reverse();
      assert.deepEqual(records.map((e) => [e.action, e.resource!.id]), [
        ['app_key.created', first.view.id],
        ['app_key.created', rotated.view.id],
        ['app_key.rotated', first.view.id],
      ]);
    });

    test('a rotation never extends a key that expires before the overlap ends', async () => {
      const first = await keys.create('field-app', { name: 'short-lived', expiresInMs: DAY });
      const rotated = await keys.rotate('field-app', first.view.id, { overlapMs: 7 * DAY });
      assert.equal(Date.parse(rotated.previous.expiresAt!), Date.parse(first.view.expiresAt!));
    });

    test('an expiry or overlap beyond ten years is refused (no date past the calendar), nothing is written', async () => {
      const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_keys')).rows[0]!.n;
      const huge = 100_000_000 * DAY;
      await assert.rejects(keys.create('field-app', { name: 'forever', expiresInMs: huge }), (e: AppKeyError) => e.reason === 'invalid' && e.field === 'expiresIn');
      await assert.rejects(keys.create('field-app', { name: 'forever', expiresInMs: 3651 * DAY }), (e: AppKeyError) => e.reason === 'invalid');
      const { view } = await keys.create('field-app', { name: 'ten years', expiresInMs: 3650 * DAY });
      await assert.rejects(keys.rotate('field-app', view.id, { overlapMs: huge }), (e: AppKeyError) => e.reason === 'invalid' && e.field === 'overlap');
      await assert.rejects(keys.rotate('field-app', view.id, { overlapMs: DAY, expiresInMs: huge }), (e: AppKeyError) => e.reason === 'invalid' && e.field === 'expiresIn');
      assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_keys')).rows[0]!.n, before + 1, 'only the ten-year key was made');
      assert.equal((await keys.list('field-app')).find((k) => k.id === view.id)!.status, 'active', 'the refused rotations left it current');
    });

    test('keys belong to registered apps: an unknown app is refused by name, another app’s key id is not found', async () => {
      await assert.rejects(keys.create('nope', { name: 'x' }), (e: AppKeyError) => e.reason === 'unknown_app' && /field-app, kiosk-app/.test(e.message));
      const { view } = await keys.create('field-app', { name: 'mine' });
      await assert.rejects(keys.revoke('kiosk-app', view.id), (e: AppKeyError) => e.reason === 'not_found');
      await assert.rejects(keys.create('field-app', { name: '' }), (e: AppKeyError) => e.reason === 'invalid');
      // A key of an app taken out of the configuration stops working.
      const { key } = await keys.create('kiosk-app', { name: 'kiosk' });
      const withoutKiosk = new AppKeys({ db, clock, master, apps: ['field-app'] });
      assert.deepEqual(await withoutKiosk.verify(key), { ok: false, reason: 'unknown_app', keyId: parseAppKey(key)!.id });
      // And keys hashed under another master key do not verify.
      const otherMaster = new AppKeys({ db, clock, master: masterKeyFromBase64url(generateMasterKey()), apps: ['field-app', 'kiosk-app'] });
      assert.equal((await otherMaster.verify(key)).ok, false);
    });

    test('last use is written at most once a minute per key, not once per request', async () => {
      const fresh = service();
      const { key, view } = await fresh.create('field-app', { name: 'busy' });
      const lastUsed = async () => (await db.query<{ t: Date | null }>('SELECT last_used_at AS t FROM app_keys WHERE id = $1', [view.id])).rows[0]!.t;
      // The write is off the request's path: wait for the writes started, not for a while.
      const settle = () => fresh.writesSettled();
      await fresh.verify(key);
      await settle();
      const first = await lastUsed();
      assert.equal(new Date(first!).getTime(), clock.now());
      for (let i = 0; i < 50; i++) {
        clock.advance(1000);
        await fresh.verify(key);
      }
      await settle();
      assert.equal(new Date((await lastUsed())!).getTime(), first!.getTime(), '50 requests within a minute: no further write');
      clock.advance(LAST_USED_EVERY_MS);
      await fresh.verify(key);
      await settle();
      assert.equal(new Date((await lastUsed())!).getTime(), clock.now(), 'a minute later: written again');
    });
  });
}

describe('the app key stage in the pipeline', () => {
  let database: TestDatabase;
  let db: Database;
  let keys: AppKeys;
  let app: FastifyInstance;
  let fieldKey: string;
  let kioskKey: string;
  const denied: { reason?: string; detail?: Record<string, unknown>; actor: Record<string, unknown> }[] = [];
  const clock = new ManualClock(Date.now());

  /** Stands in for `app.authenticate`: a verified token of the app named by `x-test-client`. */
  const asToken = async (request: FastifyRequest) => {
    const client = request.headers['x-test-client'];
    if (typeof client === 'string') request.auth = { sub: 'u1', client_id: client, roles: [] } as unknown as AccessClaims;
  };

  before(async () => {
    database = await databaseKinds()[0]!.create({ migrated: true });
    db = await openMigrated(database);
    keys = new AppKeys({ db, clock, master: masterKeyFromBase64url(generateMasterKey()), apps: ['field-app', 'kiosk-app', 'web-app'] });
    fieldKey = (await keys.create('field-app', { name: 'field' })).key;
    kioskKey = (await keys.create('kiosk-app', { name: 'kiosk' })).key;
    app = testApp({
      appKeys: new AppKeyStage(keys, ['web-app']),
      audit: { record: async () => undefined, emit: (event) => void (event.action === 'http.denied' && denied.push(event as never)) },
    });
    app.get('/api/v1/thing', { onRequest: asToken }, async (request) => ({ app: request.appKey?.appId ?? null }));
    app.get('/admin/v1/thing', { onRequest: asToken }, async () => ({ ok: true }));
    app.get('/oauth2/thing', async () => ({ ok: true }));
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
    await database?.drop();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  test('an API call with its app’s key and token passes and knows its app', async () => {
    const ok = await get('/api/v1/thing', { 'palisade-app-key': fieldKey, 'x-test-client': 'field-app' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { app: 'field-app' });
  });

  test('missing and invalid keys are refused with stable types; the audit record says precisely why', async () => {
    denied.length = 0;
    const missing = await get('/admin/v1/thing', { 'x-test-client': 'field-app' });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().type, 'https://palisade.dev/problems/missing-app-key');
    assert.match(String(missing.headers['www-authenticate']), /^AppKey /);
    const revokedKey = await keys.create('field-app', { name: 'gone' });
    await keys.revoke('field-app', revokedKey.view.id);
    const bad = await get('/api/v1/thing', { 'palisade-app-key': revokedKey.key, 'x-test-client': 'field-app' });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().type, 'https://palisade.dev/problems/invalid-app-key');
    const malformed = await get('/api/v1/thing', { 'palisade-app-key': 'pal_live_123', 'x-test-client': 'field-app' });
    const withoutInstance = ({ instance: _, ...rest }: Record<string, unknown>) => rest;
    assert.deepEqual(withoutInstance(malformed.json()), withoutInstance(bad.json()), 'the client is not told which check failed');
    assert.deepEqual(denied.map((d) => d.reason), ['app_key_missing', 'app_key_revoked', 'app_key_malformed']);
    assert.equal(denied[1]!.detail!.appKeyId, revokedKey.view.id);
    assert.equal(denied[1]!.detail!.problem, 'invalid-app-key');
  });

  test('made-up keys lock the address, a wrong secret locks its key id; a valid key passes a locked address; revoked keys are not guesses', async () => {
    const cache = new MemoryCache();
    const config = structuredClone((Value.Default(ConfigSchema, {}) as { rateLimits: RateLimitsConfig }).rateLimits);
    config.lockout.after = 3;
    const limits = new RateLimits({ config, counters: (o) => cache.counters(o) });
    const guarded = testApp({ appKeys: new AppKeyStage(keys, [], limits) });
    guarded.get('/api/v1/thing', { onRequest: asToken }, async () => ({ ok: true }));
    await guarded.ready();
    const call = (key: string, address: string, client = 'field-app') => guarded.inject({ method: 'GET', url: '/api/v1/thing', remoteAddress: address, headers: { 'palisade-app-key': key, 'x-test-client': client } });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
    try {
      // A revoked key, sent again and again by an old build, is no guess.
      const revoked = await keys.create('field-app', { name: 'old build' });
      await keys.revoke('field-app', revoked.view.id);
      for (let i = 0; i < 5; i += 1) assert.equal((await call(revoked.key, '10.0.0.1')).statusCode, 401);
      await settle();
      assert.equal((await call(madeUp('cccccccccccc'), '10.0.0.1')).statusCode, 401, 'revoked keys did not lock the address');
      // Well-formed keys with made-up ids (the checksum is public) name no credential: the address's failures.
      for (const id of ['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'dddddddddddd']) assert.equal((await call(madeUp(id), '10.0.0.2')).statusCode, 401);
      await settle();
      const locked = await call(madeUp('eeeeeeeeeeee'), '10.0.0.2');
      assert.equal(locked.statusCode, 429, 'after three made-up keys the address is locked for keys that do not verify');
      assert.equal(locked.json().type, 'https://palisade.dev/problems/locked-out');
      assert.equal((await call(fieldKey, '10.0.0.2')).statusCode, 200, 'a valid key from the locked address passes: one bad client must not lock its NAT out');
      assert.equal((await call(kioskKey, '10.0.0.2', 'kiosk-app')).statusCode, 200, 'another app from the locked address passes too');
      // A wrong secret for a real key id is that key's failure, not the address's.
      const wrongSecret = fieldKey.slice(0, 22) + (fieldKey[22] === 'A' ? 'B' : 'A') + fieldKey.slice(23, -6);
      const wrong = wrongSecret + appKeyChecksum(wrongSecret);
      for (let i = 0; i < 3; i += 1) assert.equal((await call(wrong, '10.0.0.4')).statusCode, 401);
      await settle();
      const keyLocked = await call(wrong, '10.0.0.5');
      assert.equal(keyLocked.statusCode, 429, 'the key id that failed is locked, from every address');
      assert.equal(keyLocked.json().type, 'https://palisade.dev/problems/locked-out');
      assert.equal((await call(madeUp('ffffffffffff'), '10.0.0.4')).statusCode, 401, 'the address of the wrong secrets is not locked');
      assert.equal((await call(fieldKey, '10.0.0.4')).statusCode, 200, 'the genuine key keeps working: its id is no secret, so nobody can lock an app out with it');
    } finally {
      await guarded.close();
    }
  });

  test('a key in the query string is not a key', async () => {
    const asked = await get(`/api/v1/thing?palisade-app-key=${fieldKey}`, { 'x-test-client': 'field-app' });
    assert.equal(asked.statusCode, 401);
    assert.equal(asked.json().type, 'https://palisade.dev/problems/missing-app-key');
  });

  test('a token of another app than the key’s is refused (403 token-app-mismatch)', async () => {
    denied.length = 0;
    const crossed = await get('/api/v1/thing', { 'palisade-app-key': kioskKey, 'x-test-client': 'field-app' });
    assert.equal(crossed.statusCode, 403);
    assert.equal(crossed.json().type, 'https://palisade.dev/problems/token-app-mismatch');
    assert.equal(denied[0]!.reason, 'token_app_mismatch');
    assert.deepEqual([denied[0]!.detail!.keyApp, denied[0]!.detail!.tokenApp], ['kiosk-app', 'field-app']);
  });

  test('an app declared appKey: off passes without a key, but only with its own token', async () => {
    assert.equal((await get('/api/v1/thing', { 'x-test-client': 'web-app' })).statusCode, 200);
    const other = await get('/api/v1/thing', { 'x-test-client': 'field-app' });
    assert.equal(other.statusCode, 401, 'a keyed app’s token without a key');
    assert.equal(other.json().type, 'https://palisade.dev/problems/missing-app-key');
    assert.equal((await get('/api/v1/thing')).statusCode, 401, 'no token, no key');
    const wrong = await get('/api/v1/thing', { 'x-test-client': 'web-app', 'palisade-app-key': 'pal_live_x' });
    assert.equal(wrong.statusCode, 401, 'a key that is sent is checked, even for a keyless app');
  });

  test('health, discovery, OAuth and unknown non-API paths need no key; unknown API paths do', async () => {
    assert.equal((await get('/healthz')).statusCode, 200);
    assert.equal((await get('/oauth2/thing')).statusCode, 200);
    assert.equal((await get('/nothing-here')).statusCode, 404);
    assert.equal((await get('/api/v1/nothing-here')).statusCode, 401, 'API paths do not reveal which routes exist without a key');
    assert.equal((await app.inject({ method: 'OPTIONS', url: '/api/v1/thing' })).statusCode !== 401, true, 'CORS preflights carry no credentials');
  });
});
