/**
 * State shared between Palisade instances that does not belong in the database: one-time
 * markers (DPoP proof ids), rate-limit counters and a message feed (session revocations and
 * unlocks). In-process by default — correct for one instance; with `REDIS_URL`, Redis makes
 * all three span every instance.
 */
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Subscription } from '../db/index.ts';

/** One counter family: `points` per `durationS` seconds per key (fixed window). */
export interface CounterOptions {
  keyPrefix: string;
  points: number;
  durationS: number;
}

export interface SharedCache {
  readonly kind: 'memory' | 'redis';
  /** True the first time `key` is claimed within `ttlMs`; false for a repeat (a replay). */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  publish(channel: string, message: string): Promise<void>;
  /** `onResume` runs after a lost subscription is re-established (messages meanwhile are lost). */
  subscribe(channel: string, onMessage: (message: string) => void, onResume: () => void): Promise<Subscription>;
  /** Rate-limit counters (rate-limiter-flexible): exact across instances when the cache is shared. */
  counters(options: CounterOptions): RateLimiterAbstract;
  /** Resolves when the shared store answers (readiness); rejects while it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class MemoryCache implements SharedCache {
  readonly kind = 'memory' as const;
  private readonly claimed = new Map<string, number>();
  private readonly listeners = new Map<string, Set<(message: string) => void>>();

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    if (this.claimed.size > 10_000) for (const [k, until] of this.claimed) if (until < now) this.claimed.delete(k);
    const until = this.claimed.get(key);
    if (until !== undefined && until >= now) return false;
    this.claimed.set(key, now + ttlMs);
    return true;
  }

  async publish(channel: string, message: string): Promise<void> {
    for (const fn of this.listeners.get(channel) ?? []) fn(message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Subscription> {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(onMessage);
    this.listeners.set(channel, set);
    return { close: async () => void set.delete(onMessage) };
  }

  counters(options: CounterOptions): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix: options.keyPrefix, points: options.points, duration: options.durationS });
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

export async function openRedisCache(url: string): Promise<SharedCache> {
  const { Redis } = await import('ioredis');
  // Commands fail fast while Redis is unreachable (a replay check must not hang a request).
  const commands = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  // ioredis reports why a connection failed on 'error' and rejects connect() with a bare
  // "Connection is closed.": the first is what an operator needs to read.
  let lastError: Error | undefined;
  commands.on('error', (error: Error) => (lastError = error));
  try {
    await commands.connect();
  } catch (error) {
    commands.disconnect();
    throw lastError ?? error;
  }
  const subscriptions: Subscription[] = [];
  return {
    kind: 'redis',
    async claimOnce(key, ttlMs) {
      return (await commands.set(`palisade:once:${key}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },
    counters(options) {
      return new RateLimiterRedis({
        storeClient: commands,
        keyPrefix: `palisade:rl:${options.keyPrefix}`,
        points: options.points,
        duration: options.durationS,
        // While Redis is unreachable each instance keeps counting on its own: limits stay in force
        // (per instance) rather than failing open for everyone or refusing everyone.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: options.keyPrefix, points: options.points, duration: options.durationS }),
      });
    },
    async ping() {
      await commands.ping();
    },
    async publish(channel, message) {
      await commands.publish(`palisade:${channel}`, message);
    },
    async subscribe(channel, onMessage, onResume) {
      // Pub/sub needs a connection of its own. After a reconnect we subscribe again ourselves
      // (ioredis's autoResubscribe leaves that promise unobserved, so a close during the
      // reconnect surfaced as an unhandled rejection), and only once the subscription is live
      // is `onResume` told — a reload started earlier could miss a message sent in between.
      const name = `palisade:${channel}`;
      const sub = new Redis(url, { lazyConnect: true, autoResubscribe: false });
      sub.on('error', () => undefined);
      let ready = false;
      let closed = false;
      sub.on('ready', () => {
        if (ready && !closed) sub.subscribe(name).then(() => { if (!closed) onResume(); }, () => undefined);
        ready = true;
      });
      sub.on('message', (ch: string, message: string) => {
        if (ch === name) onMessage(message);
      });
      await sub.connect();
      await sub.subscribe(name);
      const subscription = {
        close: async () => {
          closed = true;
          await sub.quit().catch(() => sub.disconnect());
        },
      };
      subscriptions.push(subscription);
      return subscription;
    },
    async close() {
      await Promise.all([commands.quit().catch(() => commands.disconnect()), ...subscriptions.map((s) => s.close())]);
    },
  };
}
export { cacheModule } from './module.ts';
