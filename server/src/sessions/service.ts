import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { activeSessionIds, destroyGrantRecords, findSession, insertSession, markRevoked, recentlyRevoked, type Session } from './store.ts';

export type RevocationReason = 'refresh_token_reuse' | 'revoked_by_client' | 'logout' | 'expired' | 'admin';

/**
 * Sessions and their revocation. Access tokens are JWTs verified without a database call, so
 * a revoked session would otherwise keep working for the rest of the token's 15 minutes: every
 * bearer check also consults this in-memory deny set of revoked session ids. It is loaded from
 * the database at start (every revocation young enough for a token to still be alive) and
 * updated on every revocation this instance performs. (Issue 4 adds the cross-instance feed.)
 */
export class Sessions {
  private readonly revoked = new Map<string, number>();
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly tokenLifetimeMs: number;

  constructor(db: Database, clock: Clock, tokenLifetimeMs: number) {
    this.db = db;
    this.clock = clock;
    this.tokenLifetimeMs = tokenLifetimeMs;
  }

  async load(): Promise<void> {
    const since = new Date(this.clock.now() - this.tokenLifetimeMs - 60_000);
    for (const id of await recentlyRevoked(this.db, since)) this.revoked.set(id, this.clock.now());
  }

  create(session: Omit<Session, 'createdAt' | 'revokedAt' | 'revokedReason'>, db = this.db): Promise<void> {
    return insertSession(db, session);
  }

  find(id: string): Promise<Session | undefined> {
    return findSession(this.db, id);
  }

  /** Hot path: is this session id revoked? (No I/O.) */
  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  /**
   * Ends a session: its access tokens fail from now on (deny set first, before any I/O), its
   * refresh tokens and grant records are deleted.
   */
  async revoke(id: string, reason: RevocationReason): Promise<boolean> {
    this.remember(id);
    return this.db.transaction(async (tx) => {
      const changed = await markRevoked(tx, id, reason, new Date(this.clock.now()));
      await destroyGrantRecords(tx, id);
      return changed;
    });
  }

  /** Ends every active session of a user; returns how many were ended. */
  async revokeAllOfUser(userId: string, reason: RevocationReason): Promise<number> {
    const ids = await activeSessionIds(this.db, userId, new Date(this.clock.now()));
    let count = 0;
    for (const id of ids) if (await this.revoke(id, reason)) count += 1;
    return count;
  }

  private remember(id: string): void {
    const now = this.clock.now();
    this.revoked.set(id, now);
    // Entries older than any token they could block are dropped, so the set stays small.
    if (this.revoked.size % 1024 === 0) {
      for (const [key, at] of this.revoked) if (now - at > this.tokenLifetimeMs + 60_000) this.revoked.delete(key);
    }
  }
}
