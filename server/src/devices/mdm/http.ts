/**
 * The HTTP plumbing every adapter shares: one request with bounded retries (429 and 503 wait
 * for `Retry-After`, other 5xx and network failures back off exponentially), a bearer token
 * cache that refreshes before expiry and once after a 401, and reading notification bodies.
 * Time and sleeping are injected so tests check the waits exactly without waiting.
 */
import { systemClock, type Clock } from '../../clock.ts';
import { MdmError, type MdmVendor } from './types.ts';

export interface MdmHttpOptions {
  clock?: Clock;
  /** Waits `ms`; rejects when `signal` aborts. Tests pass one that records and returns at once. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Tries per request, the first included (default 5). */
  maxAttempts?: number;
  /** A `Retry-After` longer than this ends the sync instead of stalling it (default 5 minutes). */
  maxRetryAfterMs?: number;
  /** First exponential backoff step when the answer names no `Retry-After` (default 1 s). */
  backoffMs?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export interface ResolvedHttp {
  clock: Clock;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  maxAttempts: number;
  maxRetryAfterMs: number;
  backoffMs: number;
  timeoutMs: number;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function resolveHttp(options: MdmHttpOptions = {}): ResolvedHttp {
  return {
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? abortableSleep,
    maxAttempts: options.maxAttempts ?? 5,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 5 * 60_000,
    backoffMs: options.backoffMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 30_000,
  };
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/**
 * One request, retried as the vendors ask: 429/503 after `Retry-After`, other 5xx and network
 * errors with exponential backoff, up to `maxAttempts`. Other statuses are returned to the
 * caller (a 401 means the token needs renewing; a 404 may be an answer). A 204 has body `null`.
 */
export async function requestJson(vendor: MdmVendor, http: ResolvedHttp, url: string, init: RequestInit, signal?: AbortSignal): Promise<JsonAnswer> {
  const what = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new MdmError(vendor, 'aborted', `${what}: aborted`);
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(http.timeoutMs);
      response = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      if (signal?.aborted) throw new MdmError(vendor, 'aborted', `${what}: aborted`);
      if (attempt >= http.maxAttempts) throw new MdmError(vendor, 'network', `${what}: ${(error as Error).name} after ${attempt} attempts`);
      try {
        await http.sleep(http.backoffMs * 2 ** (attempt - 1), signal);
      } catch {
        throw new MdmError(vendor, 'aborted', `${what}: aborted`);
      }
      continue;
    }
    const { status } = response;
    if (status === 429 || status >= 500) {
      await response.body?.cancel();
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), http.clock.now());
      if (attempt >= http.maxAttempts) {
        throw new MdmError(vendor, status === 429 ? 'rate-limited' : 'http-status', `${what}: ${status} after ${attempt} attempts`, status);
      }
      if (retryAfter !== undefined && retryAfter > http.maxRetryAfterMs) {
        throw new MdmError(vendor, 'rate-limited', `${what}: ${status} asks to wait ${Math.ceil(retryAfter / 1000)} s, longer than allowed`, status);
      }
      const wait = retryAfter ?? http.backoffMs * 2 ** (attempt - 1);
      try {
        await http.sleep(wait, signal);
      } catch {
        throw new MdmError(vendor, 'aborted', `${what}: aborted`);
      }
      continue;
    }
    if (status === 204) return { status, body: null };
    const text = await response.text();
    if (text === '') return { status, body: null };
    try {
      return { status, body: JSON.parse(text) as unknown };
    } catch {
      // The body is not echoed: it may carry a token or personal data.
      throw new MdmError(vendor, 'response-malformed', `${what}: ${status} answered with a body that is not JSON`, status);
    }
  }
}

export interface BearerToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * A bearer token shared by concurrent callers, renewed a minute before it expires and at once
 * after the API refused it.
 */
export class TokenCache {
  private current: BearerToken | undefined;
  private pending: Promise<BearerToken> | undefined;
  private readonly obtain: (signal?: AbortSignal) => Promise<BearerToken>;
  private readonly clock: Clock;
  constructor(obtain: (signal?: AbortSignal) => Promise<BearerToken>, clock: Clock) {
    this.obtain = obtain;
    this.clock = clock;
  }

  async get(signal?: AbortSignal): Promise<string> {
    if (this.current && this.current.expiresAt - 60_000 > this.clock.now()) return this.current.token;
    this.pending ??= this.obtain(signal).finally(() => {
      this.pending = undefined;
    });
    this.current = await this.pending;
    return this.current.token;
  }

  invalidate(): void {
    this.current = undefined;
  }
}

/** A GET with the bearer token, renewing the token once if the API answers 401. */
export async function authorizedGet(vendor: MdmVendor, http: ResolvedHttp, tokens: TokenCache, url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<JsonAnswer> {
  for (let renewed = false; ; renewed = true) {
    const token = await tokens.get(signal);
    const answer = await requestJson(vendor, http, url, { headers: { accept: 'application/json', ...headers, authorization: `Bearer ${token}` } }, signal);
    if (answer.status !== 401 || renewed) return answer;
    tokens.invalidate();
  }
}

/** The OAuth 2.0 client credentials grant (RFC 6749 §4.4) with the client authenticated in the body. */
export async function clientCredentialsToken(
  vendor: MdmVendor,
  http: ResolvedHttp,
  tokenUrl: string,
  form: Record<string, string>,
  signal?: AbortSignal,
): Promise<BearerToken> {
  const answer = await requestJson(
    vendor,
    http,
    tokenUrl,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ grant_type: 'client_credentials', ...form }).toString() },
    signal,
  );
  const body = answer.body as { access_token?: unknown; expires_in?: unknown; error?: unknown } | null;
  if (answer.status !== 200 || typeof body?.access_token !== 'string') {
    // RFC 6749 §5.2 `error` is a code, safe to name; the description may echo the request.
    const code = typeof body?.error === 'string' && /^[\w.-]{1,64}$/.test(body.error) ? ` (${body.error})` : '';
    throw new MdmError(vendor, 'token-refused', `token request to ${new URL(tokenUrl).pathname} answered ${answer.status}${code}`, answer.status);
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
  return { token: body.access_token, expiresAt: http.clock.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000 };
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export function header(headers: MdmHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

type MdmHeaders = Record<string, string | string[] | undefined>;

/** Joins a base URL and a path without losing a path prefix on the base (`https://host/mdm` + `/api/…`). */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** A notification body as JSON; undefined when it is not (the caller refuses it). */
export function parseJsonBody(rawBody: Uint8Array | string): unknown {
  try {
    const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function date(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}
