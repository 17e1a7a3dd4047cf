/**
 * oidc-provider's persistence (its Adapter interface) on Palisade's database. Several of the
 * stored ids are bearer secrets — authorization codes, refresh tokens, browser session ids —
 * so rows are keyed by the SHA-256 of the id and the raw value is never written. oidc-provider
 * always looks rows up with the raw id, so hashing on the way in is transparent to it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { hashToken } from '../security/index.ts';
import { claimReplayId, consumePayload, deleteExpiredPayloads, deletePayload, deletePayloadsOfGrant, findPayload, grantOfPayload, upsertPayload, type StoredPayload } from './store.ts';

/** Models whose records belong to a grant and die with it (RFC 6749 §10.5, refresh reuse). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/**
 * Called when a second use of a one-time credential (an authorization code, or a refresh token
 * under rotation) lost the race to consume it: the grant is revoked, as for any other reuse.
 */
export type ReplayHandler = (model: string, grantId: string | null) => Promise<void>;

/**
 * How long a DPoP proof's or client assertion's `jti` is held once seen. oidc-provider asks to
 * hold a DPoP proof's for 300 s (its acceptance window) and a client assertion's until the
 * assertion expires; the claim is made at the lookup, before that is known, so it holds for
 * longer than the DPoP window, and a longer request is written when it comes (`upsert`).
 */
const REPLAY_HOLD_S = 600;
/** A save asking for no more than this is covered by the claim (the margin: time since the claim). */
const REPLAY_COVERED_S = 480;

/** A refresh token's row as the retry window (refresh-retry.ts) read it for this request. */
export interface PrefetchedToken {
  /** The stored id (the token's hash). */
  id: string;
  payload: AdapterPayload | string;
  consumed_at: Date | null;
  expires_at: Date | null;
}

const prefetched = new AsyncLocalStorage<{ token: PrefetchedToken | undefined }>();

/**
 * Runs `fn` (oidc-provider's handling of a refresh grant) with the refresh token's row already
 * read, so oidc-provider's own lookup of the same row costs no statement. Used once: a second
 * lookup in the request reads the database. Only the request that holds the token's retry
 * claim uses it (no other can be rotating the token meanwhile); if the row changed anyway, the
 * atomic `consume` below still lets only one request rotate it.
 */
export function withPrefetchedRefreshToken<T>(token: PrefetchedToken | undefined, fn: () => T): T {
  return prefetched.run({ token }, fn);
}

export function createAdapterFactory(db: Database, clock: Clock, onReplay: ReplayHandler) {
  return class PalisadeAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(clock.now() + expiresIn * 1000) : null;
      // Strip the raw id: the payload of a refresh token or code carries its own value as `jti`.
      const { jti: _jti, ...stored } = payload as AdapterPayload & { jti?: string };
      // An interaction carries the raw browser-session cookie value; nothing reads it back.
      if (stored.session) stored.session = { ...stored.session, cookie: undefined };
      const json = JSON.stringify(stored);
      // Payloads keep request parameters (state, ui_locales, …); PostgreSQL's jsonb cannot hold
      // NUL, so one sent in a parameter would fail the statement (a 500). Refused as a bad request.
      if (json.includes('\\u0000')) throw new errors.InvalidRequest('request parameters must not contain NUL characters');
      // Replay detection claimed the id when it looked it up (`find`); only a longer hold is written.
      if (this.model === 'ReplayDetection' && expiresIn <= REPLAY_COVERED_S) return;
      await upsertPayload(db, {
        model: this.model,
        id: hashToken(id),
        json,
        grantId: GRANTABLE.has(this.model) || this.model === 'Grant' ? (payload.grantId ?? (this.model === 'Grant' ? id : null)) : null,
        uid: payload.uid ?? null,
        expiresAt,
      });
    }

    private async findWhere(column: 'id' | 'uid', value: string, raw: string | undefined): Promise<AdapterPayload | undefined> {
      const row = (column === 'id' && this.model === 'RefreshToken' ? this.prefetched(value) : undefined) ?? (await this.select(column, value));
      if (!row) return undefined;
      const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as AdapterPayload) : row.payload;
      return {
        ...payload,
        // The raw id comes back only from the caller who already holds it.
        ...(raw !== undefined ? { jti: raw } : {}),
        ...(row.consumed_at ? { consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : {}),
      };
    }

    private select(column: 'id' | 'uid', value: string): Promise<StoredPayload | undefined> {
      return findPayload(db, this.model, column, value, new Date(clock.now()));
    }

    /** The row the retry window read for this request, once, if it is this one and still live. */
    private prefetched(id: string): StoredPayload | false | undefined {
      const store = prefetched.getStore();
      const token = store?.token;
      if (!store || token?.id !== id) return undefined;
      store.token = undefined;
      // Expired: as the SELECT would have answered (nothing), without asking again.
      if (token.expires_at && new Date(token.expires_at).getTime() <= clock.now()) return false;
      return token;
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'ReplayDetection') return this.claimReplay(hashToken(id));
      return this.findWhere('id', hashToken(id), id);
    }

    /**
     * oidc-provider's replay detection looks the id up and, if it is not there, saves it: two
     * requests with the same DPoP proof (or client assertion) at once could both find nothing.
     * Here the lookup claims the id atomically in one statement: the first request's lookup
     * finds nothing and holds the id; any later one (while held) finds it and is a replay.
     */
    private async claimReplay(id: string): Promise<AdapterPayload | undefined> {
      const now = clock.now();
      const claimed = await claimReplayId(db, id, new Date(now + REPLAY_HOLD_S * 1000), new Date(now));
      return claimed ? undefined : { jti: id };
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('uid', uid, undefined);
    }

    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined; // the device flow is not enabled
    }

    /**
     * oidc-provider checks `consumed`, then consumes: two requests presenting the same code or
     * refresh token at once would both pass its check. Consuming is therefore atomic here — only
     * the request whose UPDATE flips `consumed_at` goes on; any other is a reuse: its grant is
     * revoked and it gets `invalid_grant`, exactly as if it had come a moment later.
     */
    async consume(id: string): Promise<void> {
      if (await consumePayload(db, this.model, hashToken(id), new Date(clock.now()))) return;
      await onReplay(this.model, await grantOfPayload(db, this.model, hashToken(id)));
      throw new errors.InvalidGrant(`${this.model === 'AuthorizationCode' ? 'authorization code' : 'refresh token'} already used`);
    }

    async destroy(id: string): Promise<void> {
      await deletePayload(db, this.model, hashToken(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await deletePayloadsOfGrant(db, this.model, grantId);
    }
  };
}

/**
 * Marks a one-time credential used without redeeming it, if it is not yet: an authorization
 * code whose redemption failed (RFC 6749 §4.1.2: a code is good for one attempt). Presented
 * again, oidc-provider finds it consumed, refuses it and revokes its grant. Unknown ids change nothing.
 */
export async function consumeUnused(db: Database, clock: Clock, model: 'AuthorizationCode', id: string): Promise<void> {
  await consumePayload(db, model, hashToken(id), new Date(clock.now()));
}

/**
 * Removes authorization-server records that expired more than `graceMs` ago. Expired records
 * are already invisible to oidc-provider (see findWhere); this keeps the table from growing
 * with every sign-in and refresh. The grace leaves a just-expired record for inspection.
 */
export async function sweepExpiredPayloads(db: Database, clock: Clock, graceMs = 60 * 60_000): Promise<number> {
  return deleteExpiredPayloads(db, new Date(clock.now() - graceMs));
}
