/**
 * Per-app API keys: every `/api` and `/admin` request names the registered app that
 * makes it, with `palisade-app-key: pal_live_<id>_<secret><checksum>`.
 *
 * - A key is 43 random base62 characters (256 bits) behind a public 12-character id, with a
 *   CRC32 checksum (6 base62 characters) so secret scanners can tell a real leaked key from
 *   look-alikes offline, as GitHub's token format allows. It is shown once, at creation.
 * - Stored: the id and an HMAC-SHA256 of the whole key under a key derived from the master key
 *   (never the key), its app, name, creation, last use, expiry and revocation. Verification
 *   recomputes the HMAC and compares in constant time.
 * - Several keys of an app may be active at once: `rotate` creates a new key and lets the old
 *   one expire after an overlap window, so apps in the field can be updated first.
 * - Cost per request: a verified key's row is cached in process for `VERIFIED_CACHE_MS` (5 s).
 *   A revocation by this instance (admin API) takes effect at once; other instances and the CLI
 *   reach every instance within those 5 s. `last_used_at` is written at most once a minute per
 *   key and instance, never on the request's path.
 */
import { crc32 } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Database, Queryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { base62Of32Bits, constantTimeEqual, deriveKey, keyedHash, randomBase62, type MasterKey } from '../security/index.ts';
import { currentContext, type AuditActor, type AuditSink } from '../audit/index.ts';
import { KEYED, problems } from '../http/index.ts';
import { findAppKey, insertAppKey, listAppKeys, markAppKeyRevoked, markAppKeyRotated, touchAppKey, type AppKeyRow } from './app-keys-store.ts';
import { PalisadeError } from '../errors/index.ts';
import { BoundedMap } from '../cache/index.ts';

/** The request header that carries the key. Never a query parameter: URLs end up in logs and histories. */
export const APP_KEY_HEADER = 'palisade-app-key';
export const APP_KEY_PREFIX = 'pal_live_';
const ID_LENGTH = 12;
const SECRET_LENGTH = 43;
/** `pal_live_<12 id>_<43 secret><6 checksum>`: what secret scanners match (then check the CRC). */
export const APP_KEY_PATTERN = /^pal_live_([0-9A-Za-z]{12})_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;
/** How long this instance trusts what it read about a key: the bound on cross-instance revocation. */
export const VERIFIED_CACHE_MS = 5_000;
/** `last_used_at` is written at most this often per key and instance. */
export const LAST_USED_EVERY_MS = 60_000;
/** Cached key rows (hits and misses) per instance; a flood of made-up ids cannot grow it further. */
const CACHE_ENTRIES = 10_000;
/** The longest expiry or overlap an operator may give (10 years): beyond, dates stop being dates. */
export const MAX_KEY_DURATION_MS = 10 * 365 * 86_400_000;
/** How long a rotated key keeps working unless the operator says otherwise (`--overlap`). */
export const DEFAULT_ROTATION_OVERLAP = '7d';
/** Label of the HMAC key derived from the master key; changing it invalidates every key. */
const HASH_KEY_PURPOSE = 'app key hashes v1';

/** The checksum suffix of a key body (`pal_live_<id>_<secret>`). */
export function appKeyChecksum(body: string): string {
  return base62Of32Bits(crc32(body));
}

/** The public id of a well-formed key (checksum included), else undefined. */
export function parseAppKey(presented: string): { id: string } | undefined {
  const match = APP_KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  if (appKeyChecksum(presented.slice(0, -6)) !== match[3]) return undefined;
  return { id: match[1]! };
}

function newAppKey(): { id: string; key: string } {
  const id = randomBase62(ID_LENGTH);
  const body = `${APP_KEY_PREFIX}${id}_${randomBase62(SECRET_LENGTH)}`;
  return { id, key: body + appKeyChecksum(body) };
}

/**
 * Why a key was refused — precise, for the audit trail and the log only; the client is told
 * no more than missing or invalid, so the answer is no oracle for which ids exist.
 */
export type AppKeyRefusal = 'missing' | 'malformed' | 'unknown' | 'mismatch' | 'revoked' | 'expired' | 'rotated_out' | 'unknown_app';

export type AppKeyVerdict = { ok: true; keyId: string; appId: string } | { ok: false; reason: AppKeyRefusal; keyId?: string };

/** `rotating`: replaced by a newer key and still accepted until `expiresAt`. */
export type AppKeyStatus = 'active' | 'rotating' | 'expired' | 'revoked';

/** What operators see of a key: everything but its hash. */
export interface AppKeyView {
  id: string;
  appId: string;
  name: string;
  status: AppKeyStatus;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  replacedBy: string | null;
}

/** Why a key operation (create, rotate, revoke) was refused. */
export type AppKeyOperationRefusal = 'unknown_app' | 'not_found' | 'not_active' | 'invalid';
const APP_KEY_CODES = {
  unknown_app: 'ERR_APP_KEY_UNKNOWN_APP',
  not_found: 'ERR_APP_KEY_NOT_FOUND',
  not_active: 'ERR_APP_KEY_NOT_ACTIVE',
  invalid: 'ERR_APP_KEY_INVALID',
} as const satisfies Record<AppKeyOperationRefusal, string>;

/** A refused key operation: `reason` is what callers branch on, `code` the same in the one spelling. */
export class AppKeyError extends PalisadeError<'ERR_APP_KEY_UNKNOWN_APP' | 'ERR_APP_KEY_NOT_FOUND' | 'ERR_APP_KEY_NOT_ACTIVE' | 'ERR_APP_KEY_INVALID'> {
  readonly reason: AppKeyOperationRefusal;
  /** For `invalid`: the request field at fault (`name`, `expiresIn`, `overlap`). */
  readonly field: string | undefined;
  constructor(reason: AppKeyOperationRefusal, message: string, field?: string) {
    super(APP_KEY_CODES[reason], message);
    this.name = 'AppKeyError';
    this.reason = reason;
    this.field = field;
  }
}

export interface AppKeysDeps {
  db: Database;
  clock: Clock;
  master: MasterKey;
  /** The registered apps (clients[].id): keys are made for these only, and only theirs work. */
  apps: Iterable<string>;
  audit?: AuditSink;
  log?: { warn(details: object, message: string): void };
  /** Override of VERIFIED_CACHE_MS (tests of the bound). */
  cacheMs?: number;
}

/** Refuses a duration that is not a whole number of milliseconds up to MAX_KEY_DURATION_MS. */
function boundedDuration(ms: number | undefined, field: 'expiresIn' | 'overlap'): void {
  if (ms === undefined) return;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_KEY_DURATION_MS) throw new AppKeyError('invalid', `${field === 'overlap' ? 'the overlap' : 'the expiry'} must be at most 10 years (3650d)`, field);
}

const NAME = /^[\p{L}\p{N} ._:()/-]{1,100}$/u;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The rules: create, rotate, revoke, list and verify keys. Nothing here knows HTTP. */
export class AppKeys {
  readonly apps: ReadonlySet<string>;
  private readonly deps: AppKeysDeps;
  private readonly hashKey: KeyObject;
  private readonly cacheMs: number;
  /** Key rows as read from the database (undefined: no such key), with when they were read. */
  private readonly cache = new BoundedMap<string, { at: number; row: Promise<AppKeyRow | undefined> }>({ max: CACHE_ENTRIES, order: 'insert' });
  private readonly lastWritten = new Map<string, number>();
  /** Last-use writes in flight (off the request's path). */
  private readonly writes = new Set<Promise<void>>();

  constructor(deps: AppKeysDeps) {
    this.deps = deps;
    this.apps = new Set(deps.apps);
    this.hashKey = deriveKey(deps.master, HASH_KEY_PURPOSE);
    this.cacheMs = deps.cacheMs ?? VERIFIED_CACHE_MS;
  }

  private hash(key: string): string {
    return keyedHash(this.hashKey, key);
  }

  private status(row: AppKeyRow): AppKeyStatus {
    if (row.revokedAt) return 'revoked';
    if (row.expiresAt && row.expiresAt.getTime() <= this.deps.clock.now()) return 'expired';
    return row.replacedBy ? 'rotating' : 'active';
  }

  private view(row: AppKeyRow): AppKeyView {
    return {
      id: row.id,
      appId: row.appId,
      name: row.name,
      status: this.status(row),
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy,
      lastUsedAt: iso(row.lastUsedAt),
      expiresAt: iso(row.expiresAt),
      revokedAt: iso(row.revokedAt),
      replacedBy: row.replacedBy,
    };
  }

  private knownApp(appId: string): void {
    if (!this.apps.has(appId)) throw new AppKeyError('unknown_app', `no app "${appId}" is registered (clients[].id): ${[...this.apps].join(', ') || 'none'}`);
  }

  /** The key row, from this instance's cache when it was read less than `cacheMs` ago. */
  private lookup(id: string): Promise<AppKeyRow | undefined> {
    const now = this.deps.clock.now();
    const cached = this.cache.get(id);
    if (cached && now - cached.at < this.cacheMs) return cached.row;
    const row = findAppKey(this.deps.db, id);
    this.cache.set(id, { at: now, row });
    row.catch(() => this.cache.delete(id));
    return row;
  }

  /** Forgets what this instance cached about a key, so its own changes apply at once. */
  forget(id: string): void {
    this.cache.delete(id);
  }

  /** Checks a presented key. Never throws for a bad key: the verdict says why it was refused. */
  async verify(presented: string | undefined): Promise<AppKeyVerdict> {
    if (presented === undefined || presented === '') return { ok: false, reason: 'missing' };
    const parsed = presented.length <= 100 ? parseAppKey(presented) : undefined;
    if (!parsed) return { ok: false, reason: 'malformed' };
    const row = await this.lookup(parsed.id);
    if (!row) return { ok: false, reason: 'unknown', keyId: parsed.id };
    // The secret first: only the key's holder may learn (in the audit trail) that it is revoked.
    if (!constantTimeEqual(this.hash(presented), row.keyHash)) return { ok: false, reason: 'mismatch', keyId: row.id };
    if (row.revokedAt) return { ok: false, reason: 'revoked', keyId: row.id };
    const now = this.deps.clock.now();
    if (row.expiresAt && row.expiresAt.getTime() <= now) return { ok: false, reason: row.replacedBy ? 'rotated_out' : 'expired', keyId: row.id };
    if (!this.apps.has(row.appId)) return { ok: false, reason: 'unknown_app', keyId: row.id };
    this.noteUse(row.id, now);
    return { ok: true, keyId: row.id, appId: row.appId };
  }

  /** Records the use at most once a minute per key, after the answer and off its path. */
  private noteUse(id: string, now: number): void {
    const last = this.lastWritten.get(id);
    if (last !== undefined && now - last < LAST_USED_EVERY_MS) return;
    this.lastWritten.set(id, now);
    const write: Promise<void> = touchAppKey(this.deps.db, id, new Date(now))
      .catch((err: unknown) => this.deps.log?.warn({ event: 'app_key.last_used_failed', keyId: id, err: String(err) }, 'recording an app key’s last use failed'))
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
  }

  /** Resolves once every last-use write already started has finished (written or logged as failed). */
  async writesSettled(): Promise<void> {
    await Promise.all([...this.writes]);
  }

  /** A new key for `appId`; the returned `key` is the only time anyone sees it. */
  async create(appId: string, options: { name: string; expiresInMs?: number }): Promise<{ key: string; view: AppKeyView }> {
    this.knownApp(appId);
    boundedDuration(options.expiresInMs, 'expiresIn');
    if (!NAME.test(options.name)) throw new AppKeyError('invalid', 'the name must be 1 to 100 letters, digits, spaces or . _ : ( ) / -');
    return this.deps.db.transaction(async (tx) => this.insert(tx, appId, options.name, options.expiresInMs));
  }

  private async insert(tx: Queryable, appId: string, name: string, expiresInMs: number | undefined, rotatedFrom?: string) {
    const now = this.deps.clock.now();
    const createdBy = currentContext()?.actor.userId ?? 'system';
    for (let attempt = 0; ; attempt++) {
      const { id, key } = newAppKey();
      const row = { id, appId, name, keyHash: this.hash(key), createdAt: new Date(now), createdBy, expiresAt: expiresInMs === undefined ? null : new Date(now + expiresInMs) };
      // 12 base62 characters: a collision is a one-in-10^21 event, but it must not overwrite.
      if (!(await insertAppKey(tx, row))) {
        if (attempt < 3) continue;
        throw new Error('could not draw an unused app key id');
      }
      await this.deps.audit?.record(tx, {
        action: 'app_key.created',
        outcome: 'success',
        actor: {},
        resource: { type: 'app_key', id },
        changes: { after: { appId, name, expiresAt: iso(row.expiresAt) } },
        detail: { appId, ...(rotatedFrom ? { rotatedFrom } : {}) },
      });
      return { key, view: this.view({ ...row, lastUsedAt: null, revokedAt: null, replacedBy: null }) };
    }
  }

  /** The app's key `keyId`, locked until the transaction ends. */
  private async lockedKey(tx: Queryable, appId: string, keyId: string): Promise<AppKeyRow> {
    const row = await findAppKey(tx, keyId, true);
    if (!row || row.appId !== appId) throw new AppKeyError('not_found', `app "${appId}" has no key "${keyId}"`);
    return row;
  }

  /**
   * A new key in place of `keyId`, which keeps working for `overlapMs` (never longer than it
   * would have anyway) so apps in the field can switch; the new key inherits its name.
   */
  async rotate(appId: string, keyId: string, options: { overlapMs: number; expiresInMs?: number }): Promise<{ key: string; view: AppKeyView; previous: AppKeyView }> {
    this.knownApp(appId);
    boundedDuration(options.overlapMs, 'overlap');
    boundedDuration(options.expiresInMs, 'expiresIn');
    const result = await this.deps.db.transaction(async (tx) => {
      const old = await this.lockedKey(tx, appId, keyId);
      const status = this.status(old);
      if (status !== 'active') throw new AppKeyError('not_active', `key "${keyId}" is ${status}${old.replacedBy ? ` (replaced by ${old.replacedBy})` : ''}: rotate the app’s current key`);
      const now = this.deps.clock.now();
      const ends = new Date(Math.min(now + options.overlapMs, old.expiresAt?.getTime() ?? Infinity));
      const created = await this.insert(tx, appId, old.name, options.expiresInMs, old.id);
      await markAppKeyRotated(tx, old.id, ends, created.view.id);
      await this.deps.audit?.record(tx, {
        action: 'app_key.rotated',
        outcome: 'success',
        actor: {},
        resource: { type: 'app_key', id: old.id },
        changes: { before: { expiresAt: iso(old.expiresAt), replacedBy: null }, after: { expiresAt: ends.toISOString(), replacedBy: created.view.id } },
        detail: { appId, overlapSeconds: Math.round(options.overlapMs / 1000) },
      });
      return { ...created, previous: this.view({ ...old, expiresAt: ends, replacedBy: created.view.id }) };
    });
    this.forget(keyId);
    return result;
  }

  /** Revokes a key at once (on this instance now, on the others within VERIFIED_CACHE_MS). */
  async revoke(appId: string, keyId: string): Promise<AppKeyView> {
    this.knownApp(appId);
    const view = await this.deps.db.transaction(async (tx) => {
      const row = await this.lockedKey(tx, appId, keyId);
      if (row.revokedAt) return this.view(row); // already revoked: nothing changes, nothing recorded
      const at = new Date(this.deps.clock.now());
      await markAppKeyRevoked(tx, row.id, at);
      await this.deps.audit?.record(tx, {
        action: 'app_key.revoked',
        outcome: 'success',
        actor: {},
        resource: { type: 'app_key', id: row.id },
        changes: { before: { revokedAt: null }, after: { revokedAt: at.toISOString() } },
        detail: { appId, name: row.name },
      });
      return this.view({ ...row, revokedAt: at });
    });
    this.forget(keyId);
    return view;
  }

  async list(appId: string): Promise<AppKeyView[]> {
    this.knownApp(appId);
    return (await listAppKeys(this.deps.db, appId)).map((row) => this.view(row));
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified app key of this request (set by the app key stage). */
    appKey?: { id: string; appId: string };
  }
}


/**
 * The HTTP stage (http/app.ts registers both hooks by name):
 *  - `check` (onRequest, right after the request context, before rate limits and bearer
 *    verification): verifies the key and names the app in the request context, so every audit
 *    record and metric of the request says which app made it;
 *  - `matchToken` (preValidation, after bearer verification): the token must belong to the
 *    key's app — a token stolen from one app is no use inside another app's requests — and a
 *    request without a key passes only with a token of an app declared `appKey: off`.
 */
/**
 * The authentication lockout (apisec/rate-limit.ts `RateLimits`) as the app key stage uses it.
 * A failure counts against the credential that failed, the client IP only when none did:
 *  - a wrong secret for a real key id counts against that key id (`key:<id>`): once locked, its
 *    wrong secrets are refused as locked-out; the genuine key keeps working, because a key id
 *    is no secret (listings, audit records) and anyone could otherwise lock an app's fleet out;
 *  - a key nobody was given (malformed, unknown id) names no credential and counts against the
 *    client IP;
 *  - a locked-out IP refuses every request whose key does not verify, and none whose key does:
 *    one bad client behind an office's NAT must not lock out the other apps and people there.
 */
export interface KeyGuessLimit {
  lockedForS(key: string): Promise<number>;
  recordFailure(key: string, context: { actor: AuditActor; route: string; requestId?: string }): Promise<number>;
  /** Records a lockout refusal (at most one record per key and window). */
  recordRefusal?(kind: 'lockout', key: string, context: { route: string; retryAfterS: number }): Promise<void>;
}

/** Refusals that are guesses (a key nobody was given); revoked, expired and rotated-out keys were real. */
const GUESSES: ReadonlySet<AppKeyRefusal> = new Set(['malformed', 'unknown', 'mismatch']);

export class AppKeyStage {
  readonly keys: AppKeys;
  private readonly keylessApps: ReadonlySet<string>;
  private readonly keyless = new WeakSet<FastifyRequest>();
  private readonly guesses: KeyGuessLimit | undefined;

  /**
   * `keylessApps`: apps whose requests need no key (`clients[].appKey: off`, the start page).
   * `guesses`: the lockout that made-up keys count against (absent: not counted; unit tests).
   */
  constructor(keys: AppKeys, keylessApps: Iterable<string>, guesses?: KeyGuessLimit) {
    this.keys = keys;
    this.keylessApps = new Set(keylessApps);
    this.guesses = guesses;
  }

  static requiresKey(request: FastifyRequest): boolean {
    // A CORS preflight carries no credentials by definition (Fetch standard).
    if (request.method === 'OPTIONS') return false;
    return KEYED.test(request.routeOptions.url ?? request.url.split('?')[0]!);
  }

  readonly check = async (request: FastifyRequest): Promise<void> => {
    if (!AppKeyStage.requiresKey(request)) return;
    const header = request.headers[APP_KEY_HEADER];
    const presented = Array.isArray(header) ? header.join(',') : header;
    if ((presented === undefined || presented === '') && this.keylessApps.size > 0) {
      // Decided once the token says which app this is (matchToken).
      this.keyless.add(request);
      return;
    }
    const verdict = await this.keys.verify(presented);
    if (!verdict.ok) {
      const failing = verdict.reason === 'mismatch' && verdict.keyId ? `key:${verdict.keyId}` : `ip:${request.ip}`;
      if (this.guesses) {
        // The matched route's pattern (never the raw path, which would spread one route's
        // failures over as many entries as there are ids), or the path when nothing matched.
        const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
        const lockedS = await this.guesses.lockedForS(failing);
        if (lockedS > 0) {
          await this.guesses.recordRefusal?.('lockout', failing, { route, retryAfterS: lockedS });
          throw problems.lockedOut(lockedS);
        }
        if (GUESSES.has(verdict.reason)) {
          void this.guesses.recordFailure(failing, { actor: { ip: request.ip }, route, requestId: request.id }).catch((err: unknown) => request.log.warn({ err }, 'counting an app key guess failed'));
        }
      }
      const detail = verdict.keyId ? { appKeyId: verdict.keyId } : undefined;
      throw verdict.reason === 'missing' ? problems.missingAppKey() : problems.invalidAppKey(`app_key_${verdict.reason}`, detail);
    }
    request.appKey = { id: verdict.keyId, appId: verdict.appId };
    const context = currentContext();
    if (context) context.actor.appId = verdict.appId;
  };

  readonly matchToken = async (request: FastifyRequest): Promise<void> => {
    const tokenApp = request.auth?.client_id;
    if (this.keyless.has(request)) {
      if (tokenApp === undefined && request.routeOptions.config?.keylessAck === true) return;
      if (tokenApp === undefined || !this.keylessApps.has(tokenApp)) throw problems.missingAppKey();
      return;
    }
    const key = request.appKey;
    if (key && tokenApp !== undefined && tokenApp !== key.appId) {
      throw problems.tokenAppMismatch({ appKeyId: key.id, keyApp: key.appId, tokenApp });
    }
  };
}
