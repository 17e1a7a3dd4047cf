/**
 * What the app key stage costs per request, measured in this process without HTTP: the same
 * AppKeys service Palisade uses, verifying one key over and over — as every request of a busy
 * app does, from the 5-second cache (an HMAC and a constant-time comparison) — and with the
 * cache off, where every verification is the single indexed lookup by key id.
 */
import type { Database } from '../src/db/index.ts';
import { systemClock } from '../src/clock.ts';
import type { MasterKey } from '../src/security/primitives.ts';
import { AppKeys } from '../src/apisec/index.ts';
import { rate } from './rate.ts';

export interface AppKeyCost {
  cachedPerSecond: number;
  lookupPerSecond: number;
}

export async function measureAppKeys(options: { db: Database; master: MasterKey; appId: string; key: string; durationMs: number }): Promise<AppKeyCost> {
  const deps = { db: options.db, clock: systemClock, master: options.master, apps: [options.appId] };
  const cached = new AppKeys(deps);
  const uncached = new AppKeys({ ...deps, cacheMs: 0 });
  const verify = (keys: AppKeys) => async () => {
    if (!(await keys.verify(options.key)).ok) throw new Error('the benchmark app key is not valid');
  };
  await rate(300, verify(cached)); // warm-up
  await rate(300, verify(uncached));
  // Alternating short rounds, so drift in machine load falls on both sides alike.
  const rounds = 10;
  let hits = 0;
  let lookups = 0;
  for (let round = 0; round < rounds; round += 1) {
    hits += await rate(options.durationMs / rounds / 2, verify(cached));
    lookups += await rate(options.durationMs / rounds / 2, verify(uncached));
  }
  return { cachedPerSecond: hits / rounds, lookupPerSecond: lookups / rounds };
}
