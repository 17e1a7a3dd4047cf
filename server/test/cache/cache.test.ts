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
