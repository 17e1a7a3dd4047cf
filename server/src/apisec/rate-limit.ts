/**
 * Rate limits by class (issue 6): `standard`, `search` and `export` per user, `auth` per client
 * IP and per account, and a lockout that grows with repeated authentication failures. Counters
 * live in the shared cache (cache/index.ts), so they are exact across instances with Redis.
 *
 * Headers follow draft-ietf-httpapi-ratelimit-headers-09 (March 2025): `RateLimit-Policy:
 * "<class>";q=<quota>;w=<window s>` and `RateLimit: "<class>";r=<remaining>;t=<s to reset>`, on
 * successful answers as well as on the 429.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { CounterOptions } from '../cache/index.ts';
import type { AuditActor, AuditSink } from '../audit/index.ts';
import { parseDuration } from '../config/duration.ts';
import type { PalisadeConfig } from '../config/schema.ts';
import { problems } from '../http/problems.ts';

export const RATE_CLASSES = ['standard', 'auth', 'search', 'export'] as const;
export type RateClass = (typeof RATE_CLASSES)[number];
export type RateLimitsConfig = PalisadeConfig['rateLimits'];

/** What a route declares in its Fastify `config.rateLimit`. */
export interface RouteRateLimit {
  class: RateClass;
  /** Answers that are failed authentication attempts and feed the lockout (default: 401). */
  failureStatuses?: readonly number[];
  /**
   * Count only failed attempts against the class. SCIM: an IdP's provisioning run makes
   * thousands of well-authenticated calls; only guessing tokens must be slowed down.
   */
  failuresOnly?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's rate class; authenticated routes without one are `standard`, `false` exempts. */
    rateLimit?: RateClass | RouteRateLimit | false;
  }
}

export interface RateDecision {
  rateClass: RateClass;
  allowed: boolean;
  limit: number;
  remaining: number;
  windowS: number;
  /** Whole seconds until the window resets (at least 1 while anything is counted). */
  resetS: number;
}

/** The IETF headers for a decision (draft-ietf-httpapi-ratelimit-headers-09 §4, §5). */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    'ratelimit-policy': `"${d.rateClass}";q=${d.limit};w=${d.windowS}`,
    ratelimit: `"${d.rateClass}";r=${d.remaining};t=${d.resetS}`,
  };
}

const seconds = (duration: string) => Math.max(1, Math.ceil(parseDuration(duration) / 1000));
const ceilS = (ms: number) => Math.max(0, Math.ceil(ms / 1000));
const isRes = (value: unknown): value is RateLimiterRes => typeof value === 'object' && value !== null && 'msBeforeNext' in value && 'consumedPoints' in value;

/** The classes an app may set limits of its own for (authentication stays per IP and account). */
export const APP_RATE_CLASSES = ['standard', 'search', 'export'] as const;
export type AppRateClass = (typeof APP_RATE_CLASSES)[number];
/** An app's own limits (`clients[].rateLimits`): points per window, the window defaulting to the class's. */
export type AppRateLimits = Partial<Record<AppRateClass, { points: number; duration?: string }>>;

interface Counter {
  limiter: RateLimiterAbstract;
  points: number;
  windowS: number;
}

export interface RateLimitsDeps {
  config: RateLimitsConfig;
  /**
   * Apps (client ids) with limits of their own: a person's requests through such an app count
   * against the app's own budget for them; through every other app, against the class's.
   */
  apps?: Record<string, AppRateLimits>;
  /** Makes a counter family (the shared cache's `counters`). */
  counters(options: CounterOptions): RateLimiterAbstract;
  audit?: AuditSink;
  log?: { warn(details: object, message: string): void };
}

/**
 * The rules: how many requests each class allows a key, and when failures lock a key. Keys
 * are `ip:<address>` or `user:<id>`; nothing here knows HTTP.
 */
export class RateLimits {
  private readonly classes: Record<RateClass, Counter>;
  /** Apps with limits of their own (`clients[].rateLimits`): their own counters, per class. */
  private readonly apps = new Map<string, Partial<Record<AppRateClass, Counter>>>();
  private readonly failures: RateLimiterAbstract;
  private readonly strikes: RateLimiterAbstract;
  private readonly lockout: { after: number; baseS: number; maxS: number };
  private readonly deps: RateLimitsDeps;

  constructor(deps: RateLimitsDeps) {
    this.deps = deps;
    const c = deps.config;
    const make = (keyPrefix: string, points: number, duration: string): Counter => {
      const windowS = seconds(duration);
      return { limiter: deps.counters({ keyPrefix, points, durationS: windowS }), points, windowS };
    };
    this.classes = {
      standard: make('class:standard', c.standard.points, c.standard.duration),
      auth: make('class:auth', c.auth.points, c.auth.duration),
      search: make('class:search', c.search.points, c.search.duration),
      export: make('class:export', c.export.points, c.export.duration),
    };
    for (const [appId, own] of Object.entries(deps.apps ?? {})) {
      const counters: Partial<Record<AppRateClass, Counter>> = {};
      for (const cls of APP_RATE_CLASSES) {
        const limit = own[cls];
        if (limit) counters[cls] = make(`class:${cls}:app:${appId}`, limit.points, limit.duration ?? c[cls].duration);
      }
      this.apps.set(appId, counters);
    }
    this.lockout = { after: c.lockout.after, baseS: seconds(c.lockout.base), maxS: seconds(c.lockout.max) };
    this.failures = deps.counters({ keyPrefix: 'lockout:failures', points: c.lockout.after, durationS: seconds(c.lockout.window) });
    // How many locks a key has had recently: the k in base × 2^k.
    this.strikes = deps.counters({ keyPrefix: 'lockout:strikes', points: 1_000_000, durationS: seconds(c.lockout.forget) });
  }

  /** The counter `cls` uses for a request of `appId`: the app's own, else the class's. */
  private counter(cls: RateClass, appId?: string): Counter {
    return (appId !== undefined && cls !== 'auth' ? this.apps.get(appId)?.[cls] : undefined) ?? this.classes[cls];
  }

  private decision(cls: RateClass, counter: Counter, res: RateLimiterRes | null, allowed: boolean): RateDecision {
    const limit = counter.points;
    // A memory counter whose window ended but whose timer has not fired yet reads as expired.
    const live = res && res.msBeforeNext > 0 ? res : null;
    return {
      rateClass: cls,
      allowed,
      limit,
      remaining: live ? Math.max(0, limit - live.consumedPoints) : limit,
      windowS: counter.windowS,
      resetS: live ? Math.max(1, ceilS(live.msBeforeNext)) : 0,
    };
  }

  /** Counts one request of `cls` for `key`, made with app `appId` (whose own limits apply, if it has any). */
  async consume(cls: RateClass, key: string, appId?: string): Promise<RateDecision> {
    const counter = this.counter(cls, appId);
    try {
      return this.decision(cls, counter, await counter.limiter.consume(key), true);
    } catch (rejection) {
      if (isRes(rejection)) return this.decision(cls, counter, rejection, false);
      throw rejection;
    }
  }

  /** Where `key` stands in `cls` without counting (for classes that count failures only). */
  async peek(cls: RateClass, key: string): Promise<RateDecision> {
    const counter = this.classes[cls];
    const d = this.decision(cls, counter, await counter.limiter.get(key), true);
    return { ...d, allowed: d.remaining > 0 };
  }

  /** Counts one request of `cls` for `key` without refusing it (a failure of a failures-only class). */
  async penalize(cls: RateClass, key: string): Promise<void> {
    await this.classes[cls].limiter.penalty(key);
  }

  /** Seconds `key` stays locked out (0: not locked). */
  async lockedForS(key: string): Promise<number> {
    const res = await this.failures.get(key);
    // A lock is the failure counter blocked past its points (see `recordFailure`).
    return res && res.consumedPoints > this.lockout.after && res.msBeforeNext > 0 ? ceilS(res.msBeforeNext) : 0;
  }

  /**
   * One failed authentication by `key`. The `after`-th within the window locks the key for
   * base × 2^k (k: locks it had within `forget`), capped at max — and says so in the audit
   * trail, because a lock is what a password-spraying or token-guessing run looks like.
   */
  async recordFailure(key: string, context: { actor: AuditActor; route: string; requestId?: string }): Promise<number> {
    let res: RateLimiterRes;
    try {
      res = await this.failures.penalty(key);
    } catch (error) {
      this.deps.log?.warn({ event: 'rate_limit.store_failed', err: String(error) }, 'recording an authentication failure failed');
      return 0;
    }
    if (res.consumedPoints !== this.lockout.after) return 0;
    const strike = (await this.strikes.penalty(key)).consumedPoints;
    const lockS = Math.min(this.lockout.maxS, this.lockout.baseS * 2 ** Math.min(strike - 1, 30));
    await this.failures.block(key, lockS);
    const [kind, ...rest] = key.split(':');
    this.deps.audit?.emit({
      action: 'security.rate_limit_lockout',
      outcome: 'denied',
      reason: 'repeated_authentication_failures',
      actor: context.actor,
      resource: { type: kind === 'user' ? 'user' : kind === 'key' ? 'app_key' : 'ip', id: rest.join(':') },
      ...(context.requestId ? { requestId: context.requestId } : {}),
      detail: { failures: this.lockout.after, lockSeconds: lockS, lockNumber: strike, route: context.route },
    });
    this.deps.log?.warn({ event: 'security.rate_limit_lockout', key: kind, lockSeconds: lockS, lockNumber: strike }, 'repeated authentication failures: locked out');
    return lockS;
  }
}

/** Requests refused for a reason that is no authentication attempt (see `notAnAttempt`). */
const notAttempts = new WeakSet<FastifyRequest>();

/**
 * The request was refused by a pipeline stage that proves nothing about the credentials the
 * route checks (a missing or stale request signature): its 401 does not count towards the
 * lockout. Otherwise anyone holding just a leaked access token could lock its person out of
 * unlocking with unsigned requests, and a device with a wrong clock would lock itself out.
 */
export function notAnAttempt(request: FastifyRequest): void {
  notAttempts.add(request);
}

/** Raw requests answered by oidc-provider for a reason that is no authentication attempt. */
const notAttemptsRaw = new WeakSet<IncomingMessage>();

/**
 * The same for answers oidc-provider writes itself (it sees only the raw request): a DPoP nonce
 * challenge (RFC 9449 §8, 400 `use_dpop_nonce`) is the protocol asking the app to retry with the
 * server's nonce, which every DPoP app's first token request gets. Counted, ten people signing in
 * behind one office NAT would lock its address out.
 */
export function notAnAttemptRaw(raw: IncomingMessage): void {
  notAttemptsRaw.add(raw);
}

const routeLimit = (request: FastifyRequest): RouteRateLimit | false | undefined => {
  const declared = request.routeOptions.config?.rateLimit;
  return typeof declared === 'string' ? { class: declared } : declared;
};

/** The decision with the fewest requests left is the one a client must respect. */
const tighter = (a: RateDecision | undefined, b: RateDecision) => (!a || b.remaining < a.remaining || !b.allowed ? b : a);

/**
 * The HTTP stage (http/app.ts registers both hooks by name). Two steps, because the keys become
 * known at different points of the pipeline:
 *  - `byAddress` (onRequest, before authentication): authentication routes per client IP, and
 *    an IP lockout is refused before any token or password work is done for it — unless the
 *    request carries a verified app key (the app key stage ran first): the IP lock is for
 *    callers nothing identifies, and must not lock everyone behind one NAT out. A failed
 *    attempt counts against the account when the caller was authenticated (unlock), against
 *    the IP only when not;
 *  - `byUser` (preHandler, after `app.authenticate` ran in onRequest): per-user classes. They
 *    key on the *verified* subject — keying on a claim read before verification would let
 *    anyone spend someone else's budget with a forged token.
 */
export class RateLimitStage {
  readonly limits: RateLimits;
  private readonly seen = new WeakMap<FastifyRequest, RateDecision>();

  constructor(limits: RateLimits) {
    this.limits = limits;
  }

  private apply(request: FastifyRequest, reply: FastifyReply, decision: RateDecision): void {
    const shown = tighter(this.seen.get(request), decision);
    this.seen.set(request, shown);
    for (const [name, value] of Object.entries(rateLimitHeaders(shown))) reply.header(name, value);
    if (!decision.allowed) throw problems.rateLimited(decision.rateClass, Math.max(1, decision.resetS), rateLimitHeaders(decision));
  }

  private async refuseIfLocked(key: string): Promise<void> {
    const lockedS = await this.limits.lockedForS(key);
    if (lockedS > 0) throw problems.lockedOut(lockedS);
  }

  readonly byAddress = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const limit = routeLimit(request);
    if (!limit || limit.class !== 'auth') return;
    const ipKey = `ip:${request.ip}`;
    if (!request.appKey) await this.refuseIfLocked(ipKey);
    this.apply(request, reply, limit.failuresOnly ? await this.limits.peek('auth', ipKey) : await this.limits.consume('auth', ipKey));
    // Failures are known only from the answer, which oidc-provider writes to the raw response
    // itself (Fastify's onResponse does not see hijacked replies), so the raw response tells.
    const failureStatuses = limit.failureStatuses ?? [401];
    reply.raw.once('finish', () => {
      if (!failureStatuses.includes(reply.raw.statusCode) || notAttempts.has(request) || notAttemptsRaw.has(request.raw)) return;
      const userId = request.auth?.sub;
      const actor: AuditActor = { ip: request.ip, ...(userId ? { userId } : {}) };
      const context = { actor, route: `${request.method} ${request.routeOptions.url ?? request.url}`, requestId: request.id };
      // The failing credential: the authenticated account, else (nothing identified) the IP.
      const keys = [userId ? `user:${userId}` : ipKey];
      void Promise.all([
        ...keys.map((key) => this.limits.recordFailure(key, context)),
        ...(limit.failuresOnly ? [this.limits.penalize('auth', ipKey)] : []),
      ]).catch((err: unknown) => request.log.warn({ err }, 'recording an authentication failure failed'));
    });
  };

  readonly byUser = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const limit = routeLimit(request);
    if (limit === false) return;
    const userId = request.auth?.sub;
    if (limit?.class === 'auth') {
      // Per account as well as per IP (unlock: the session's person), so guessing from many
      // addresses is slowed down as much as from one.
      if (!userId) return;
      await this.refuseIfLocked(`user:${userId}`);
      if (!limit.failuresOnly) this.apply(request, reply, await this.limits.consume('auth', `user:${userId}`));
      return;
    }
    // Unauthenticated routes without a declared class (health, discovery, JWKS) are not limited.
    if (!limit && !userId) return;
    const cls = limit?.class ?? 'standard';
    // The verified token's app (the app key's too, once appKeyMatchesToken has run) picks the limits.
    this.apply(request, reply, await this.limits.consume(cls, userId ? `user:${userId}` : `ip:${request.ip}`, request.auth?.client_id));
  };
}
