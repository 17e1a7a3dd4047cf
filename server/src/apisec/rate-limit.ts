/**
 * Rate limits by class: `standard`, `search` and `export` per user, `auth` per client
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
import { parseDuration } from '../duration.ts';
import type { PalisadeConfig } from '../config/index.ts';
import { problems } from '../http/index.ts';

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
  /**
   * Where the request names its OAuth client, so a client with an allowance of its own
   * (`RateLimitsDeps.authAllowances`: the development start page) is counted against that:
   * `query` — `client_id` in the query string, read before anything else runs; `body` — the
   * handler reads the body and calls `chargeAuth` with the client it names (until it does, only
   * the lockout has been checked). Any other client, or none, counts against the auth class.
   */
  client?: 'query' | 'body';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's rate class; authenticated routes without one are `standard`, `false` exempts. */
    rateLimit?: RateClass | RouteRateLimit | false;
  }
}

export interface RateDecision {
  rateClass: RateClass;
  /** The policy's name in the headers: the class's, or the allowance's (`auth-development`). */
  policy: string;
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
    'ratelimit-policy': `"${d.policy}";q=${d.limit};w=${d.windowS}`,
    ratelimit: `"${d.policy}";r=${d.remaining};t=${d.resetS}`,
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
  /** The policy's name in the headers (default: the class's). */
  policy?: string;
}

/**
 * An OAuth client's own authentication budget per client IP, apart from the auth class (see
 * `authAllowances`). Only the development start page has one, and only while the development
 * IdP is active: signing in spends two authentication requests (authorize, token), so a
 * newcomer trying the demo people would be refused at the third sign-in by the auth class.
 */
export interface AuthAllowance {
  points: number;
  duration: string;
  /** Its name in the RateLimit headers. */
  policy: string;
}

/**
 * The development start page's allowance: 60 authentication requests a minute per address (30
 * sign-ins), or the auth class's own number if that is higher. main.ts gives it only when the
 * development IdP is active, which production refuses; the auth class is unchanged for every
 * other client (decision 0013).
 */
export function developmentStartPageAllowance(auth: { points: number }): AuthAllowance {
  return { points: Math.max(60, auth.points), duration: '1m', policy: 'auth-development' };
}

export interface RateLimitsDeps {
  config: RateLimitsConfig;
  /**
   * Apps (client ids) with limits of their own: a person's requests through such an app count
   * against the app's own budget for them; through every other app, against the class's.
   */
  apps?: Record<string, AppRateLimits>;
  /**
   * OAuth clients (client ids) with an authentication budget of their own per client IP, counted
   * instead of the auth class for the requests that name them (`RouteRateLimit.client`). Absent
   * in production: there every client counts against the auth class.
   */
  authAllowances?: Record<string, AuthAllowance>;
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
  /** Clients with an authentication allowance of their own (`authAllowances`). */
  private readonly authAllowances = new Map<string, Counter>();
  private readonly failures: RateLimiterAbstract;
  private readonly strikes: RateLimiterAbstract;
  private readonly lockout: { after: number; baseS: number; maxS: number };
  /** One claim per class (or lockout) and key per window: which refusals get an audit record. */
  private readonly refusalRecords: Record<RateClass | 'lockout', RateLimiterAbstract>;
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
    for (const [clientId, allowance] of Object.entries(deps.authAllowances ?? {})) {
      this.authAllowances.set(clientId, { ...make(`class:auth:client:${clientId}`, allowance.points, allowance.duration), policy: allowance.policy });
    }
    this.lockout = { after: c.lockout.after, baseS: seconds(c.lockout.base), maxS: seconds(c.lockout.max) };
    this.failures = deps.counters({ keyPrefix: 'lockout:failures', points: c.lockout.after, durationS: seconds(c.lockout.window) });
    // How many locks a key has had recently: the k in base × 2^k.
    this.strikes = deps.counters({ keyPrefix: 'lockout:strikes', points: 1_000_000, durationS: seconds(c.lockout.forget) });
    const onePer = (keyPrefix: string, durationS: number) => deps.counters({ keyPrefix: `audit:refused:${keyPrefix}`, points: 1, durationS });
    this.refusalRecords = {
      standard: onePer('standard', this.classes.standard.windowS),
      auth: onePer('auth', this.classes.auth.windowS),
      search: onePer('search', this.classes.search.windowS),
      export: onePer('export', this.classes.export.windowS),
      lockout: onePer('lockout', this.lockout.baseS),
    };
  }

  /**
   * A 429 answered to `key`: recorded as `security.rate_limited`, but only the first per class
   * (or lockout) and key within the class's window (a lock: within `lockout.base`). The claim is
   * a shared counter, so that holds across instances with Redis; a flood of refused requests
   * thus costs the trail one record per key and window, never one per request.
   */
  async recordRefusal(kind: RateClass | 'lockout', key: string, context: { route: string; retryAfterS: number; limit?: number; windowS?: number }): Promise<void> {
    try {
      await this.refusalRecords[kind].consume(key);
    } catch (rejection) {
      if (isRes(rejection)) return; // already recorded in this window
      this.deps.log?.warn({ event: 'rate_limit.store_failed', err: String(rejection) }, 'recording a rate-limit refusal failed');
      return;
    }
    const [keyKind, ...rest] = key.split(':');
    const id = rest.join(':');
    this.deps.audit?.emit({
      action: 'security.rate_limited',
      outcome: 'denied',
      reason: kind === 'lockout' ? 'locked_out' : 'rate_limited',
      // The key locked or limited: a person, an app key (by id) or an address.
      actor: keyKind === 'user' ? { userId: id } : keyKind === 'key' ? {} : { ip: id },
      resource: { type: keyKind === 'user' ? 'user' : keyKind === 'key' ? 'app_key' : 'ip', id },
      detail: {
        ...(kind === 'lockout' ? {} : { rateClass: kind, limit: context.limit, windowSeconds: context.windowS }),
        retryAfterSeconds: context.retryAfterS,
        route: context.route,
      },
    });
  }

  /** Whether some client has an authentication allowance of its own. */
  get hasAuthAllowances(): boolean {
    return this.authAllowances.size > 0;
  }

  /**
   * The counter `cls` uses for a request of `appId`: the app's own, else the class's. For the
   * auth class, `appId` is the OAuth client the request names, with an allowance or without.
   */
  private counter(cls: RateClass, appId?: string): Counter {
    if (appId === undefined) return this.classes[cls];
    return (cls === 'auth' ? this.authAllowances.get(appId) : this.apps.get(appId)?.[cls]) ?? this.classes[cls];
  }

  private decision(cls: RateClass, counter: Counter, res: RateLimiterRes | null, allowed: boolean): RateDecision {
    const limit = counter.points;
    // A memory counter whose window ended but whose timer has not fired yet reads as expired.
    const live = res && res.msBeforeNext > 0 ? res : null;
    return {
      rateClass: cls,
      policy: counter.policy ?? cls,
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

  /**
   * Counts one request of `cls` for `key` without refusing it (a failure of a failures-only
   * class, or an authentication request that ended before it named its client).
   */
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

/**
 * Authentication requests whose route names the client in the body (`client: 'body'`), not yet
 * counted: the route counts them with `chargeAuth` once it has read the body.
 */
const pendingCharges = new WeakMap<FastifyRequest, (clientId: string | undefined) => Promise<void>>();

/**
 * Counts an authentication request of a `client: 'body'` route against the allowance of the
 * client its body names (`clientId`), or against the auth class; throws the 429 problem when
 * that budget is used up. Does nothing when the request was counted already (no allowances are
 * configured, as in production) or no rate limits run.
 */
export async function chargeAuth(request: FastifyRequest, clientId: string | undefined): Promise<void> {
  const charge = pendingCharges.get(request);
  if (!charge) return;
  pendingCharges.delete(request);
  await charge(clientId);
}

const queryClientId = (request: FastifyRequest): string | undefined => {
  const id = (request.query as Record<string, unknown> | undefined)?.client_id;
  return typeof id === 'string' ? id : undefined;
};

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

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url ?? request.url}`;

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

  private async apply(request: FastifyRequest, reply: FastifyReply, decision: RateDecision, key: string): Promise<void> {
    const shown = tighter(this.seen.get(request), decision);
    this.seen.set(request, shown);
    for (const [name, value] of Object.entries(rateLimitHeaders(shown))) reply.header(name, value);
    if (decision.allowed) return;
    const retryAfterS = Math.max(1, decision.resetS);
    await this.limits.recordRefusal(decision.rateClass, key, { route: routeOf(request), retryAfterS, limit: decision.limit, windowS: decision.windowS });
    throw problems.rateLimited(decision.rateClass, retryAfterS, rateLimitHeaders(decision));
  }

  private async refuseIfLocked(request: FastifyRequest, key: string): Promise<void> {
    const lockedS = await this.limits.lockedForS(key);
    if (lockedS <= 0) return;
    await this.limits.recordRefusal('lockout', key, { route: routeOf(request), retryAfterS: lockedS });
    throw problems.lockedOut(lockedS);
  }

  readonly byAddress = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const limit = routeLimit(request);
    if (!limit || limit.class !== 'auth') return;
    const ipKey = `ip:${request.ip}`;
    // A request whose app key verified is not refused for its address's lock: one bad client
    // behind an office NAT must not lock out the others (its failures lock its own credential).
    if (!request.appKey) await this.refuseIfLocked(request, ipKey);
    if (limit.failuresOnly) await this.apply(request, reply, await this.limits.peek('auth', ipKey), ipKey);
    else if (limit.client === 'body' && this.limits.hasAuthAllowances) {
      // The client is named in the body, which the route reads: it counts the request then.
      pendingCharges.set(request, async (clientId) => this.apply(request, reply, await this.limits.consume('auth', ipKey, clientId), ipKey));
      // An answer given before the route named the client (a body too large, a broken stream)
      // still counts against the auth class.
      reply.raw.once('finish', () => {
        if (pendingCharges.delete(request)) void this.limits.penalize('auth', ipKey).catch((err: unknown) => request.log.warn({ err }, 'counting an authentication request failed'));
      });
    } else await this.apply(request, reply, await this.limits.consume('auth', ipKey, limit.client === 'query' ? queryClientId(request) : undefined), ipKey);
    // Failures are known only from the answer, which oidc-provider writes to the raw response
    // itself (Fastify's onResponse does not see hijacked replies), so the raw response tells.
    const failureStatuses = limit.failureStatuses ?? [401];
    reply.raw.once('finish', () => {
      if (!failureStatuses.includes(reply.raw.statusCode) || notAttempts.has(request) || notAttemptsRaw.has(request.raw)) return;
      const userId = request.auth?.sub;
      const actor: AuditActor = { ip: request.ip, ...(userId ? { userId } : {}) };
      const context = { actor, route: routeOf(request), requestId: request.id };
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
      await this.refuseIfLocked(request, `user:${userId}`);
      if (!limit.failuresOnly) await this.apply(request, reply, await this.limits.consume('auth', `user:${userId}`), `user:${userId}`);
      return;
    }
    // Unauthenticated routes without a declared class (health, discovery, JWKS) are not limited.
    if (!limit && !userId) return;
    const cls = limit?.class ?? 'standard';
    // The verified token's app (the app key's too, once appKeyMatchesToken has run) picks the limits.
    const key = userId ? `user:${userId}` : `ip:${request.ip}`;
    await this.apply(request, reply, await this.limits.consume(cls, key, request.auth?.client_id), key);
  };
}
