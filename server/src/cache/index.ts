/**
 * State shared between Palisade instances that does not belong in the database: one-time
 * markers (DPoP proof ids), rate-limit counters and a message feed (session revocations and
 * unlocks). In-process by default — correct for one instance; with `REDIS_URL`, Redis makes
 * all three span every instance.
 */
import { hash } from 'node:crypto';
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
  /**
   * True the first time `key` is claimed within `ttlMs`; false for a repeat (a replay).
   * `issuedAtS`: the second the one-time value says it was made in (a DPoP proof's `iat`, a
   * signature's `created`). Both stores refuse it when that second ended before their memory of
   * claims began (`madeBeforeMemory`): Redis's `palisade:once:since` (a Redis restarted without
   * its data cannot know whether the value was used before it was lost), the in-process store's
   * start (a restarted process forgot every claim). A fresh value, made after, passes.
   */
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
  publish(channel: string, message: string): Promise<void>;
  /** `onResume` runs after a lost subscription is re-established (messages meanwhile are lost). */
  subscribe(channel: string, onMessage: (message: string) => void, onResume: () => void): Promise<Subscription>;
  /** Rate-limit counters (rate-limiter-flexible): exact across instances when the cache is shared. */
  counters(options: CounterOptions): RateLimiterAbstract;
  /** Resolves when the shared store answers (readiness); rejects while it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Options of the in-process cache; `now` is the clock its claims expire by (tests move it). */
export interface MemoryCacheOptions {
  now?: () => number;
  /**
   * When this memory of claims began (ms): the server passes its clock's time at start, so a
   * value made before a restart cannot be claimed again after it. Without it (unit tests that
   * make values on a clock of their own) no value is refused for its age.
   */
  since?: number;
}

/**
 * The one rule both stores apply (the Redis store in its claim script, `CLAIM_ONCE`): a value
 * made in a second that ended before the memory of claims began at `sinceMs` may have been used
 * before that memory was lost, and is refused (fail closed). A value made in the second the
 * memory began, or later, is judged by the memory. `issuedAtS` absent or negative: no age.
 */
export function madeBeforeMemory(issuedAtS: number | undefined, sinceMs: number | undefined): boolean {
  return issuedAtS !== undefined && issuedAtS >= 0 && sinceMs !== undefined && (issuedAtS + 1) * 1000 <= sinceMs;
}

/**
 * What the in-process replay store files a claim under: the first 128 bits of the key's SHA-256,
 * as a 16-character one-byte string of its own (32 bytes of heap). A key as callers build it
 * (`dpop:${jkt}:${jti}`, about 90 characters) is a rope of concatenated parts that V8 flattens
 * into a second copy when it is first hashed, about 150 bytes, and one is kept for every DPoP
 * proof and signature nonce of the last five minutes. Two keys sharing a digest would only make
 * the second look like a replay (refused, never let through), and at 2^-128 per pair that does
 * not happen.
 */
export function claimDigest(key: string): string {
  return hash('sha256', key, 'buffer').toString('latin1', 0, 16);
}

export class MemoryCache implements SharedCache {
  readonly kind = 'memory' as const;
  /** Live claims: a key's digest (`claimDigest`) → the time (ms) until which a repeat is refused. */
  private readonly claimed = new Map<string, number>();
  /**
   * The same keys filed by the second their claim runs out in. Expiry walks only the seconds
   * that have passed since the last call and visits only the keys filed in them, so a claim
   * costs the same with ten entries or a million: each key is filed once and visited once.
   */
  private readonly expiring = new Map<number, string[]>();
  /** Every second before this one has been swept. */
  private sweptTo: number;
  private readonly now: () => number;
  /** When this memory of claims began (`MemoryCacheOptions.since`). */
  readonly since: number | undefined;
  /** Keys looked at while expiring claims, since this cache was made (tests count the work). */
  expiryVisits = 0;
  private readonly listeners = new Map<string, Set<(message: string) => void>>();

  constructor(options: MemoryCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.since = options.since;
    this.sweptTo = Math.floor(this.now() / 1000);
  }

  /** Live claims held (expired ones are dropped as time passes). */
  get size(): number {
    return this.claimed.size;
  }

  async claimOnce(claim: string, ttlMs: number, issuedAtS?: number): Promise<boolean> {
    if (madeBeforeMemory(issuedAtS, this.since)) return false;
    const key = claimDigest(claim);
    const now = this.now();
    this.expire(now);
    const until = this.claimed.get(key);
    if (until !== undefined && until >= now) return false;
    const expires = now + ttlMs;
    this.claimed.set(key, expires);
    // Never file into a second already swept (the clock may step back): a later second is
    // swept later, when the claim has run out all the more.
    const second = Math.max(Math.floor(expires / 1000), this.sweptTo);
    const bucket = this.expiring.get(second);
    if (bucket) bucket.push(key);
    else this.expiring.set(second, [key]);
    return true;
  }

  /** Drops the claims filed under every second that has fully passed. */
  private expire(now: number): void {
    const second = Math.floor(now / 1000);
    if (second <= this.sweptTo) return;
    // After a long idle spell there are fewer filed seconds than passed ones: walk those.
    const seconds = second - this.sweptTo > this.expiring.size ? [...this.expiring.keys()].filter((s) => s < second) : undefined;
    if (seconds) for (const s of seconds) this.expireSecond(s, now);
    else for (let s = this.sweptTo; s < second; s += 1) this.expireSecond(s, now);
    this.sweptTo = second;
  }

  private expireSecond(second: number, now: number): void {
    const keys = this.expiring.get(second);
    if (!keys) return;
    this.expiring.delete(second);
    this.expiryVisits += keys.length;
    for (const key of keys) {
      // A key claimed again after it ran out is filed again under its new second: keep it.
      const until = this.claimed.get(key);
      if (until !== undefined && until < now) this.claimed.delete(key);
    }
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

/**
 * When this Redis's memory of one-time claims began (ms, Redis's clock): set by the first claim
 * a Redis without it sees — at the first start, or after it lost its data (a restart without
 * persistence, a replica promoted without it). Never expires; keep `maxmemory-policy noeviction`.
 */
const CLAIMS_SINCE = 'palisade:once:since';

/**
 * One claim, atomically: note when the memory began if nobody has; refuse a value made in a
 * second that ended before that (`madeBeforeMemory`, the same rule as the in-process store's,
 * here in Lua so that reading the start and claiming are one step); else SET NX with the claim's
 * lifetime. 1 = claimed, 0 = refused.
 */
const NOTE_SINCE = `
local since = tonumber(redis.call('GET', KEYS[1]))
if not since then
  local t = redis.call('TIME')
  since = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('SET', KEYS[1], since)
end
return since
`;
const CLAIM_ONCE = `
local since = tonumber(redis.call('GET', KEYS[2]))
if not since then
  local t = redis.call('TIME')
  since = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('SET', KEYS[2], since)
end
local made = tonumber(ARGV[2])
if made >= 0 and (made + 1) * 1000 <= since then return 0 end
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 1 end
return 0
`;

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
    // The memory's start is noted as soon as Redis answers (at start-up, and again on every
    // reconnection: a Redis that came back empty), not by the first claim, so that proofs made
    // just before that claim, by devices already at work, are not taken for old ones.
    await commands.eval(NOTE_SINCE, 1, CLAIMS_SINCE);
  } catch (error) {
    commands.disconnect();
    throw lastError ?? error;
  }
  commands.on('ready', () => void commands.eval(NOTE_SINCE, 1, CLAIMS_SINCE).catch(() => undefined));
  const subscriptions: Subscription[] = [];
  return {
    kind: 'redis',
    async claimOnce(key, ttlMs, issuedAtS) {
      const claimed = await commands.eval(CLAIM_ONCE, 2, `palisade:once:${key}`, CLAIMS_SINCE, Math.max(1, Math.ceil(ttlMs)), issuedAtS ?? -1);
      return claimed === 1;
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
export { BoundedMap, type BoundedMapOptions } from './bounded-map.ts';
export { cacheModule } from './module.ts';
