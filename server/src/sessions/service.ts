import type { Database, Queryable, Subscription } from '../db/index.ts';
import type { SharedCache } from '../cache/index.ts';
import type { Clock } from '../clock.ts';
import { noAudit, type AuditEvent, type AuditSink } from '../audit/index.ts';
import { activeSessionIds, rememberLogoutToken, sessionsForUpstreamLogout, findSession, findSessionView, insertSession, listUserSessions, markRevoked, notifyInTransaction, recentlyRevoked, type Session, type SessionView } from './store.ts';

export type RevocationReason = 'refresh_token_reuse' | 'revoked_by_client' | 'logout' | 'expired' | 'admin' | 'roles_removed' | 'upstream_logout' | 'deprovisioned' | 'device_cap' | 'incident' | 'device_noncompliant';

/** NOTIFY channel carrying the id of every revoked session (and `unlock:<id>`) to every instance. */
export const REVOCATION_CHANNEL = 'palisade_revocations';
const UNLOCK_PREFIX = 'unlock:';
/** Even with a healthy feed, the deny set is reloaded this often (a cheap indexed query). */
const RELOAD_EVERY_MS = 30_000;

export interface SessionsLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Deletes a module's own records of session `sessionId` in the revocation's transaction `tx`. */
export type SessionEnding = (tx: Queryable, sessionId: string) => Promise<void>;

/**
 * Sessions and their revocation. Access tokens are JWTs verified without a database call, so
 * a revoked session would otherwise keep working for the rest of the token's 15 minutes: every
 * bearer check also consults this in-memory deny set of revoked session ids.
 *
 * The set is kept current on every instance by the revocation feed: a revocation commits its
 * row and a `pg_notify` in one transaction, and each instance LISTENs (PostgreSQL delivers in
 * milliseconds; PGlite is a single process). At start, and whenever the feed's connection was
 * lost and comes back, the set is reloaded from the database (every revocation young enough for
 * a token to still be alive), so a notification missed during an outage is never a hole.
 */
export class Sessions {
  private readonly revoked = new Map<string, number>();
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly tokenLifetimeMs: number;
  private readonly log: SessionsLog;
  private feed: Subscription | undefined;
  private reloader: NodeJS.Timeout | undefined;
  private readonly unlockListeners: ((sessionId: string) => void)[] = [];
  private readonly endings: SessionEnding[] = [];

  private readonly bus: SharedCache | undefined;
  private readonly audit: AuditSink;

  /**
   * `bus`: carry the feed over Redis pub/sub instead of PostgreSQL LISTEN/NOTIFY.
   * `audit`: every session start and end is recorded in the transaction that makes it.
   */
  constructor(db: Database, clock: Clock, tokenLifetimeMs: number, log: SessionsLog, bus?: SharedCache, audit: AuditSink = noAudit) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.tokenLifetimeMs = tokenLifetimeMs;
    this.log = log;
    this.bus = bus?.kind === 'redis' ? bus : undefined;
  }

  /** Subscribes to the revocation feed, then loads the deny set (in that order: nothing falls between). */
  async start(): Promise<void> {
    const subscribe = this.bus ? this.bus.subscribe.bind(this.bus) : this.db.listen.bind(this.db);
    this.feed = await subscribe(
      REVOCATION_CHANNEL,
      // Session ids are base64url, so "unlock:<id>" cannot be mistaken for a revoked id.
      (message) => (message.startsWith(UNLOCK_PREFIX) ? this.unlockListeners.forEach((fn) => fn(message.slice(UNLOCK_PREFIX.length))) : this.remember(message)),
      () => void this.load().catch((err: unknown) => this.log.error({ err, event: 'sessions.reload_failed' }, 'reloading revoked sessions after the feed reconnected failed')),
    );
    await this.load();
    // A backstop behind the feed: whatever a silent network fault could hide is reloaded.
    this.reloader = setInterval(() => void this.load().catch((err: unknown) => this.log.error({ err, event: 'sessions.reload_failed' }, 'periodic reload of revoked sessions failed')), RELOAD_EVERY_MS);
    this.reloader.unref();
  }

  /**
   * Registers what another module deletes when a session ends, run in the revocation's own
   * transaction: that module's records of the session, through its own store (oauth: the grant's
   * refresh tokens and codes; apisec: the request signing key). Every Sessions that revokes
   * needs them: the modules register at start, the CLI through `cli/sessions.ts`.
   */
  onEnd(ending: SessionEnding): void {
    this.endings.push(ending);
  }

  /** Runs `fn` with the id of every session unlocked anywhere (to drop cached lock states). */
  onUnlock(fn: (sessionId: string) => void): void {
    this.unlockListeners.push(fn);
  }

  /** Tells every instance, when `tx` commits, that the session was unlocked (PostgreSQL feed). */
  announceUnlock(tx: Queryable, sessionId: string): Promise<void> {
    return this.sendInTransaction(tx, UNLOCK_PREFIX + sessionId);
  }

  /**
   * After the unlock committed: this instance's listeners hear it at once (its own feed message
   * comes a moment later), and every instance over Redis, when that carries the feed.
   */
  async unlockCommitted(sessionId: string): Promise<void> {
    for (const fn of this.unlockListeners) fn(sessionId);
    await this.sendAfterCommit(UNLOCK_PREFIX + sessionId);
  }

  /** Feed messages ride the transaction over PostgreSQL (delivered only if it commits)… */
  private async sendInTransaction(tx: Queryable, message: string): Promise<void> {
    if (!this.bus) await notifyInTransaction(tx, REVOCATION_CHANNEL, message);
  }

  /** …or are published right after the commit over Redis (the periodic reload covers a crash in between). */
  private async sendAfterCommit(message: string): Promise<void> {
    await this.bus?.publish(REVOCATION_CHANNEL, message);
  }

  async stop(): Promise<void> {
    clearInterval(this.reloader);
    await this.feed?.close();
    this.feed = undefined;
  }

  private async load(): Promise<void> {
    const since = new Date(this.clock.now() - this.tokenLifetimeMs - 60_000);
    for (const id of await recentlyRevoked(this.db, since)) this.remember(id);
  }

  /** Starts a session; `event` (the successful login) is recorded with it. */
  create(session: Omit<Session, 'createdAt' | 'revokedAt' | 'revokedReason'>, event?: AuditEvent): Promise<void> {
    return this.db.transaction(async (tx) => {
      await insertSession(tx, session, new Date(this.clock.now()));
      if (event) await this.audit.record(tx, event);
    });
  }

  find(id: string): Promise<Session | undefined> {
    return findSession(this.db, id);
  }

  /** The user's sessions still within their lifetime, with their state. */
  list(userId: string): Promise<SessionView[]> {
    return listUserSessions(this.db, userId, new Date(this.clock.now()));
  }

  /** One session with its state (for its owner or an administrator). */
  view(id: string): Promise<SessionView | undefined> {
    return findSessionView(this.db, id);
  }

  /** Hot path: is this session id revoked? (No I/O.) */
  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  /**
   * Ends a session: its access tokens fail from now on (deny set first, before any I/O), its
   * refresh tokens and grant records are deleted.
   */
  async revoke(id: string, reason: RevocationReason, event?: Omit<AuditEvent, 'resource'>): Promise<boolean> {
    // Into the deny set before any I/O: this instance refuses the session's tokens at once.
    this.remember(id);
    const changed = await this.db.transaction((tx) => this.revokeWithin(tx, id, reason, event));
    if (changed) await this.revokeCommitted(id);
    return changed;
  }

  /**
   * The revocation as part of a caller's transaction (a device eviction ends its sessions in the
   * same commit as its state change: a crash cannot leave an evicted device's sessions alive).
   * Call `revokeCommitted` after the commit for each id that changed.
   */
  async revokeWithin(tx: Queryable, id: string, reason: RevocationReason, event?: Omit<AuditEvent, 'resource'>): Promise<boolean> {
    this.remember(id);
    const changed = await markRevoked(tx, id, reason, new Date(this.clock.now()));
    for (const ending of this.endings) await ending(tx, id);
    if (changed) {
      await this.sendInTransaction(tx, id);
      await this.audit.record(tx, { action: reason === 'logout' ? 'auth.logout' : 'session.revoke', outcome: 'success', reason, actor: {}, ...event, resource: { type: 'session', id } });
    }
    return changed;
  }

  async revokeCommitted(id: string): Promise<void> {
    await this.sendAfterCommit(id);
  }

  /**
   * A one-time credential (a rotated refresh token, a used code) was presented again: the whole
   * session ends, and that is reported as a security event. Every path that detects reuse —
   * oidc-provider's own check, the atomic consume, the retry window — comes here.
   */
  async endForReuse(id: string, details: object = {}): Promise<void> {
    if (await this.revoke(id, 'refresh_token_reuse', { action: 'token.reuse', outcome: 'denied', reason: 'refresh_token_reuse', actor: { sessionId: id }, detail: { ...details } })) {
      this.log.warn({ event: 'token.refresh_reuse', sessionId: id, ...details }, 'a rotated refresh token was presented again: the whole session is revoked');
    }
  }

  /**
   * Acts on a validated back-channel logout token from the company IdP: ends the sessions it
   * names. Returns undefined when its jti was already used (a replay), else how many ended.
   */
  async endUpstream(token: { issuer: string; jti: string; sub?: string; sid?: string }, keepJtiMs: number): Promise<number | undefined> {
    const now = this.clock.now();
    if (!(await rememberLogoutToken(this.db, token.issuer, token.jti, new Date(now + keepJtiMs), new Date(now)))) return undefined;
    let ended = 0;
    for (const id of await sessionsForUpstreamLogout(this.db, token.issuer, token.sub, token.sid)) if (await this.revoke(id, 'upstream_logout')) ended += 1;
    return ended;
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
