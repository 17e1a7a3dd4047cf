/**
 * Idle lock (the security guide's 15-minute inactivity timeout), enforced by the server.
 *
 * Every API call touches its session. Writing that to the database on every request would
 * cost a write per call, so each instance keeps the last activity it saw in memory and syncs
 * with the session row at most once per `syncEveryMs` (default a minute) per session — and
 * whenever its own view says the session may have gone idle, because another instance may
 * have served it meanwhile. The sync is one UPDATE that either records the activity or, if
 * no instance recorded any for the idle timeout, locks the session. A locked session stays
 * locked until the person unlocks it (sessions/unlock.ts) or signs in again.
 *
 * Bound: the row may lag an instance's real last activity by up to `syncEveryMs`, so a session
 * idle on every instance is locked after between (idle - syncEveryMs) and idle of true
 * inactivity — early rather than late.
 */
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { recordActivityOrIdleLock, touchSessionDevice } from './store.ts';

export type ActivityState = 'active' | 'locked' | 'unknown';

interface Entry {
  /** Last API call this instance served for the session (epoch ms). */
  seenAt: number;
  /** When this instance last synced with the row (epoch ms). */
  syncedAt: number;
  locked: boolean;
}

export interface ActivityOptions {
  /** Idle timeout of the app a session belongs to (ms). */
  idleMsFor(clientId: string): number;
  syncEveryMs?: number;
}

export class SessionActivity {
  private readonly entries = new Map<string, Entry>();
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly idleMsFor: (clientId: string) => number;
  private readonly syncEveryMs: number;

  constructor(db: Database, clock: Clock, options: ActivityOptions) {
    this.db = db;
    this.clock = clock;
    this.idleMsFor = options.idleMsFor;
    this.syncEveryMs = options.syncEveryMs ?? 60_000;
  }

  /** Records an API call of the session and says whether it may go on. */
  async touch(sessionId: string, clientId: string): Promise<ActivityState> {
    const now = this.clock.now();
    const idleMs = this.idleMsFor(clientId);
    const entry = this.entries.get(sessionId);
    // A cached lock is trusted for a minute like any other state: an unlock whose announcement
    // raced with this instance re-reading the row is then picked up at the next sync.
    if (entry?.locked && now - entry.syncedAt < this.syncEveryMs) return 'locked';
    if (entry && now - entry.syncedAt < this.syncEveryMs && now - entry.seenAt < idleMs) {
      entry.seenAt = now; // the hot path: no I/O
      return 'active';
    }
    const state = await this.sync(sessionId, entry?.seenAt, now, idleMs);
    if (state !== 'unknown') this.remember(sessionId, { seenAt: now, syncedAt: now, locked: state === 'locked' }, idleMs);
    return state;
  }

  /** Forgets what this instance knows (a session unlocked or ended elsewhere). */
  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  private async sync(sessionId: string, localSeenAt: number | undefined, now: number, idleMs: number): Promise<ActivityState> {
    const row = await recordActivityOrIdleLock(this.db, sessionId, localSeenAt === undefined ? null : new Date(localSeenAt), new Date(now), new Date(now - idleMs));
    if (!row) return 'unknown';
    if (row.locked) return 'locked';
    // The device was used now too (same coalescing: at most once a minute per instance).
    await touchSessionDevice(this.db, sessionId, new Date(now));
    return 'active';
  }

  private remember(sessionId: string, entry: Entry, idleMs: number): void {
    this.entries.set(sessionId, entry);
    // Entries of sessions nobody uses any more are dropped now and then, so memory stays bounded.
    if (this.entries.size % 4096 === 0) {
      const now = this.clock.now();
      for (const [id, e] of this.entries) if (now - e.seenAt > Math.max(idleMs, this.syncEveryMs) * 2) this.entries.delete(id);
    }
  }
}
