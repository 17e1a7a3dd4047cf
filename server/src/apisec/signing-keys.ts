/**
 * Per-session request-signing keys. A session (an OAuth grant, decision 0002) gets one
 * HMAC-SHA256 key of 32 random bytes the first time tokens are issued for it (the code exchange);
 * every later token response for the session (refreshes) hands out the same key. The database
 * holds the key only wrapped under the master key, with a context naming the session; the row
 * is deleted when the session is revoked and goes with the session row.
 *
 * Verification needs the key on every API call, so unwrapped keys are kept per instance. A key
 * in that cache may outlive its session's row for a moment, but it is never usable: the bearer
 * check before the signature stage refuses a revoked session's tokens, and `lookup` drops the key of a
 * session in the deny set the revocation feed keeps (Sessions.isRevoked).
 */
import type { Database } from '../db/index.ts';
import { BoundedMap } from '../cache/index.ts';
import { randomId, unwrapSecret, wrapSecret, type MasterKey } from '../security/index.ts';
import { findSigningKey, insertSigningKey } from './signing-keys-store.ts';

/** The app's copy, as the token endpoint returns it (base64url of the 32 key bytes). */
export interface IssuedSigningKey {
  keyId: string;
  key: string;
}

export interface SessionSigningKey {
  keyId: string;
  key: Buffer;
}

/** The wrapping context: a wrapped key moved to another session's row does not unwrap. */
const context = (sessionId: string) => `session-signing-key:${sessionId}`;
/** Unwrapped keys kept per instance; beyond this the oldest are dropped (and re-read on use). */
const CACHE_LIMIT = 50_000;

/**
 * `bytes` in memory of its own, exactly its size. A small Buffer made by Buffer.from is a view of
 * a shared 8 KB pool slab, and a view keeps its whole slab alive: a cache holding one 32-byte key
 * per active session would hold one slab per session (80 MB at 10 000 sessions, since other
 * allocations fill each slab between two keys).
 */
export function ownCopy(bytes: Uint8Array): Buffer {
  const own = Buffer.allocUnsafeSlow(bytes.length);
  own.set(bytes);
  return own;
}

export interface SigningKeysDeps {
  db: Database;
  master: MasterKey;
  /** The session ended (the in-memory deny set): its key is forgotten and never returned. */
  isRevoked(sessionId: string): boolean;
}

export class SessionSigningKeys {
  private readonly deps: SigningKeysDeps;
  private readonly cache = new BoundedMap<string, SessionSigningKey>({ max: CACHE_LIMIT, order: 'insert' });

  constructor(deps: SigningKeysDeps) {
    this.deps = deps;
  }

  /**
   * The session's key for a token response: created on the first call (the code exchange),
   * the same key afterwards (refreshes, and the refresh retry window replays the response).
   * Two concurrent first calls agree: the losing INSERT reads the winner's row. Undefined when
   * the session has ended meanwhile (a concurrent refresh-token reuse revoked it while these
   * tokens were being issued): a dead session gets no key, and no row is left behind for it.
   */
  async issue(sessionId: string): Promise<IssuedSigningKey | undefined> {
    const existing = await this.lookup(sessionId);
    if (existing) return { keyId: existing.keyId, key: existing.key.toString('base64url') };
    if (this.deps.isRevoked(sessionId)) return undefined;
    const key = randomId(32);
    const keyId = randomId(16);
    const wrapped = await wrapSecret(this.deps.master, key, context(sessionId));
    await insertSigningKey(this.deps.db, sessionId, keyId, wrapped);
    const stored = await this.lookup(sessionId);
    return stored && { keyId: stored.keyId, key: stored.key.toString('base64url') };
  }

  /** The session's key (cached), or undefined when it has none or has ended. */
  async lookup(sessionId: string): Promise<SessionSigningKey | undefined> {
    if (this.deps.isRevoked(sessionId)) {
      this.cache.delete(sessionId);
      return undefined;
    }
    const cached = this.cache.get(sessionId);
    if (cached) return cached;
    const row = await findSigningKey(this.deps.db, sessionId);
    if (!row) return undefined;
    const found = { keyId: row.keyId, key: ownCopy(Buffer.from(await unwrapSecret(this.deps.master, row.wrappedKey, context(sessionId)), 'base64url')) };
    this.cache.set(sessionId, found);
    return found;
  }
}
