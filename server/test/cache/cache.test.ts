/**
 * The shared cache: one-time claims (DPoP proof ids) and the message feed, in-process and —
 * with TEST_REDIS_URL, as .ci/run sets it — on the real Redis, where two instances are two
 * connections that must see each other's claims and messages.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MemoryCache, openRedisCache, type SharedCache } from '../../src/cache/index.ts';

const kinds: { name: string; open(): Promise<SharedCache> }[] = [{ name: 'memory', open: async () => new MemoryCache() }];
if (process.env.TEST_REDIS_URL) kinds.push({ name: 'redis', open: () => openRedisCache(process.env.TEST_REDIS_URL!) });

for (const kind of kinds) {
  describe(`shared cache (${kind.name})`, () => {
    test('a key is claimed once within its lifetime, by any instance', async () => {
      const a = await kind.open();
      const b = kind.name === 'redis' ? await kind.open() : a;
      try {
        const key = `test:${randomUUID()}`;
        assert.equal(await a.claimOnce(key, 60_000), true);
        assert.equal(await b.claimOnce(key, 60_000), false, 'a replay to another instance is caught');
        assert.equal(await a.claimOnce(`test:${randomUUID()}`, 60_000), true);
      } finally {
        await a.close();
        if (b !== a) await b.close();
      }
    });

    test('a published message reaches every subscriber', async () => {
      const a = await kind.open();
      const b = kind.name === 'redis' ? await kind.open() : a;
      try {
        const channel = `test_${randomUUID().slice(0, 8)}`;
        const heard: string[] = [];
        const sub = await b.subscribe(channel, (m) => heard.push(m), () => undefined);
        await a.publish(channel, 'hello');
        for (let i = 0; i < 200 && heard.length === 0; i += 1) await new Promise((r) => setTimeout(r, 5));
        assert.deepEqual(heard, ['hello']);
        await sub.close();
      } finally {
        await a.close();
        if (b !== a) await b.close();
      }
    });
  });
}

describe('in-process replay store', () => {
  test('its memory begins at its start: a value made in a second that ended before is refused', async () => {
    const start = 1_800_000_000_500;
    let now = start;
    // A process that started at `start`, half-way through second 1_800_000_000.
    const cache = new MemoryCache({ now: () => now, since: start });
    assert.equal(await cache.claimOnce('dpop:jkt:made-before', 60_000, 1_799_999_999), false, 'made in a second that ended before the start');
    assert.equal(await cache.claimOnce('dpop:jkt:same-second', 60_000, 1_800_000_000), true, 'made in the second the memory began: judged by the memory');
    now += 10_000;
    assert.equal(await cache.claimOnce('dpop:jkt:same-second', 60_000, 1_800_000_000), false, 'and then claimed once only');
    assert.equal(await cache.claimOnce('dpop:jkt:after', 60_000, 1_800_000_010), true, 'a fresh value passes');
    assert.equal(await cache.claimOnce('other:no-age', 60_000), true, 'a value without a time has no age');
    assert.equal(await new MemoryCache({ now: () => now }).claimOnce('dpop:jkt:old', 60_000, 1_000), true, 'without a start, no value is refused for its age');
  });

  test('a claim is refused until it runs out and accepted after; run-out claims are dropped', async () => {
    let now = 1_800_000_000_000;
    const cache = new MemoryCache({ now: () => now });
    assert.equal(await cache.claimOnce('dpop:jkt:jti-1', 60_000), true);
    now += 59_999;
    assert.equal(await cache.claimOnce('dpop:jkt:jti-1', 60_000), false, 'a replay one millisecond before expiry is refused');
    now += 1;
    assert.equal(await cache.claimOnce('dpop:jkt:jti-1', 60_000), false, 'a replay at the expiry instant is refused');
    now += 1;
    assert.equal(await cache.claimOnce('dpop:jkt:jti-1', 60_000), true, 'after expiry the key may be claimed again');
    // Claimed again, it is refused for its new lifetime, even after its first second is swept.
    now += 5_000;
    assert.equal(await cache.claimOnce('other', 60_000), true);
    assert.equal(await cache.claimOnce('dpop:jkt:jti-1', 60_000), false, 'the renewed claim survives the sweep of its first one');

    // Memory stays bounded by the claims alive within one lifetime.
    for (let i = 0; i < 20_000; i += 1) {
      now += 10;
      assert.equal(await cache.claimOnce(`flood:${i}`, 60_000), true);
    }
    assert.ok(cache.size <= 6_002, `only the last minute's claims are held (${cache.size})`);
    now += 61_001;
    await cache.claimOnce('last', 60_000);
    assert.equal(cache.size, 1, 'every run-out claim is dropped');
  });

  test('a claim costs the same work with 100 000 live entries as with ten', async () => {
    let now = 1_800_000_000_000;
    const cache = new MemoryCache({ now: () => now });
    // 100 000 live claims of ten minutes each, one per millisecond.
    for (let i = 0; i < 100_000; i += 1) {
      now += 1;
      await cache.claimOnce(`live:${i}`, 600_000);
    }
    // Each further claim visits only claims that ran out, never the live ones: over 50 000
    // more claims (each run out after 1 ms) the visits match the claims that expired.
    const before = cache.expiryVisits;
    for (let i = 0; i < 50_000; i += 1) {
      now += 1;
      assert.equal(await cache.claimOnce(`short:${i}`, 1), true);
      assert.equal(await cache.claimOnce(`live:${i}`, 600_000), false, 'a live claim is still refused');
    }
    const visits = cache.expiryVisits - before;
    assert.ok(visits <= 50_000, `expiry visited ${visits} keys for 50 000 short claims (the old full scan visited over 5 000 000 000)`);
    assert.ok(cache.size >= 100_000 && cache.size <= 100_002, `the live claims are kept, the short ones dropped (${cache.size})`);
  });
});
