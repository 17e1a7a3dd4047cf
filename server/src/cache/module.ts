/**
 * The cache module: Redis when `redis.url` is set (shared by every instance), else in-process.
 * It starts before the database, so an unreachable Redis is reported before any work is done.
 */
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { defineModule } from '../module.ts';
import { redisUnreachable } from '../start-errors.ts';
import { MemoryCache, openRedisCache, type SharedCache } from './index.ts';

export const cacheModule = defineModule({
  name: 'cache',
  dependencies: [],
  config: ['redis'],
  async start({ config, clock }: { config: ResolvedConfig; clock: Clock }) {
    const redisUrl = config.redis.url;
    // In process, the memory of used proofs and signatures begins now: one made before this
    // start (the process before it may have accepted it) is refused, as Redis's `since` does.
    const cache: SharedCache = redisUrl
      ? await openRedisCache(redisUrl).catch((error: unknown) => Promise.reject(redisUnreachable(redisUrl, error)))
      : new MemoryCache({ now: () => clock.now(), since: clock.now() });
    return { api: cache, stop: () => cache.close() };
  },
});
