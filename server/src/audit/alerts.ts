/**
 * Alert delivery: every alert the monitor raises is POSTed to the configured webhooks, in the
 * background — delivery never throws into, or waits in, the request that raised the alert. An
 * attempt times out after 5 s; a failed one is retried twice with backoff, then given up and
 * logged with the rule and the webhook's origin only (a Slack webhook URL is itself a secret).
 *
 * Signed deliveries (format json with a secret) carry, like Stripe's webhooks,
 *
 *     Palisade-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * A receiver verifies one by: reading t and v1 from the header; rejecting the delivery when t is
 * more than 5 minutes from its own clock (so a captured delivery cannot be replayed later);
 * computing the HMAC over t, a dot and the body exactly as received (before parsing the JSON);
 * and comparing it with v1 in constant time (e.g. crypto.timingSafeEqual), never with `===`,
 * which would tell an attacker through timing how much of a forged signature is right. Each
 * attempt is signed afresh, so a retry carries a new t. A retry after a timeout may deliver an
 * alert twice: rule, key and at identify it.
 *
 * Every attempt's outcome (delivered, retrying, failed) is also handed to `onAttempt`, which the
 * audit module keeps in a bounded table for the console (deliveries-store.ts): the alert by its
 * rule and severity (not its key, which may name a person), the webhook by its position and
 * origin, the failure by its kind — never the URL's path, its credentials or the
 * signing secret.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Type, { type Static } from 'typebox';
import type { Clock } from '../clock.ts';
import type { ConfigProblem } from '../config/index.ts';
import type { Alert, AlertSeverity } from './monitor.ts';
import type { DeliveryAttempt } from './deliveries-store.ts';

export const WebhookSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://[^\\s]+$',
      patternHint: 'must be an https:// URL (plain http only for a receiver on 127.0.0.1 or localhost, outside production)',
      description:
        'Where alerts are POSTed. A Slack incoming-webhook URL is itself a secret: prefer giving the webhooks in env PALISADE_MONITORING_WEBHOOKS (JSON).',
    }),
    format: Type.Union([Type.Literal('json'), Type.Literal('slack')], {
      default: 'json',
      description: '`json`: the alert as JSON, signed when a secret is set. `slack`: a Slack incoming-webhook message `{ "text": … }` with severity, rule and summary.',
    }),
    minSeverity: Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('critical')], {
      default: 'low',
      description: 'Only alerts at least this severe are sent here (low, medium, high, critical).',
    }),
    secret: Type.Optional(
      Type.String({
        minLength: 32,
        description:
          'json only: signs every delivery with HMAC-SHA256 in the Palisade-Signature header (t=<unix seconds>,v1=<hex>), so the receiver can tell alerts came from Palisade. At least 32 characters.',
      }),
    ),
  },
  { additionalProperties: false },
);

export type WebhookConfig = Static<typeof WebhookSchema>;

export const AlertsSchema = Type.Array(WebhookSchema, {
  default: [],
  description: 'Webhooks every alert is sent to. Empty: alerts reach only the log and the audit trail.',
});

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** URL rules the schema cannot express; paths are relative to the webhooks list (`[0].url`). */
export function webhookProblems(webhooks: readonly WebhookConfig[], options: { production?: boolean } = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  webhooks.forEach((webhook, i) => {
    let url: URL | undefined;
    try {
      url = new URL(webhook.url);
    } catch {
      problems.push({ path: `[${i}].url`, message: 'is not a URL' });
    }
    if (url && url.protocol !== 'https:') {
      if (url.protocol !== 'http:' || options.production || !LOOPBACK_HOSTS.has(url.hostname)) {
        // Alerts name users, IPs and devices; over plain http anyone on the path reads (or forges) them.
        problems.push({ path: `[${i}].url`, message: 'must use https (plain http is only accepted for a loopback receiver outside production)' });
      }
    }
    if (webhook.format === 'slack' && webhook.secret !== undefined) {
      problems.push({ path: `[${i}].secret`, message: 'Slack webhooks are not signed (their URL is the secret): remove secret or use format json' });
    }
  });
  return problems;
}

/** What delivery needs from a logger (pino's fits). */
export interface AlertLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WebhookDeliveryOptions {
  webhooks: readonly WebhookConfig[];
  log: AlertLog;
  clock: Clock;
  fetch?: typeof globalThis.fetch;
  /** Time limit of one attempt. */
  timeoutMs?: number;
  /** Waits before the second, third, … attempt: attempts = retryDelaysMs.length + 1. */
  retryDelaysMs?: readonly number[];
  /** Told of every attempt's outcome (the delivery log); must not throw (a throw is logged and ignored). */
  onAttempt?: (attempt: DeliveryAttempt) => void;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000];
const RANK: Record<AlertSeverity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

interface Target {
  /** Position in the configured list. */
  index: number;
  url: string;
  /** The only part of the URL that may be logged. */
  origin: string;
  format: WebhookConfig['format'];
  minRank: number;
  secret?: string;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Slack reads &, < and > as markup (`<!channel>`, links); values from requests must not become markup. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s+/g, ' ');

/**
 * The summary never names a person (it becomes the audit record's free text, monitor/rules.ts);
 * a Slack reader has nothing but this line, so who it is about is added from the detail.
 */
function about(detail: Alert['detail']): string {
  if (typeof detail.userId === 'string') return ` (user ${detail.userId})`;
  if (typeof detail.account === 'string') return ` (account ${detail.account})`;
  return '';
}

export function slackMessage(alert: Alert): { text: string } {
  return { text: slackEscape(`[${alert.severity.toUpperCase()}] ${alert.rule}: ${alert.summary}${about(alert.detail)}`) };
}

/** Why an attempt failed, in words that cannot carry the URL (error messages may). */
function failureReason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timeout';
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string') return code;
    return error.name;
  }
  return 'unknown';
}

export class WebhookDelivery {
  readonly #targets: Target[];
  readonly #log: AlertLog;
  readonly #clock: Clock;
  readonly #fetch: typeof globalThis.fetch;
  readonly #timeoutMs: number;
  readonly #retryDelaysMs: readonly number[];
  readonly #onAttempt: ((attempt: DeliveryAttempt) => void) | undefined;
  readonly #pending = new Set<Promise<void>>();
  /** Cuts backoff waits short on close(). */
  readonly #closing = new AbortController();
  #closed = false;

  constructor(options: WebhookDeliveryOptions) {
    const problems = webhookProblems(options.webhooks);
    if (problems.length > 0) {
      // The URL itself is not repeated: it may be a secret.
      throw new TypeError(`monitoring webhooks: ${problems.map((p) => `webhooks${p.path}: ${p.message}`).join('; ')}`);
    }
    this.#targets = options.webhooks.map((w, index) => ({
      index,
      url: w.url,
      origin: new URL(w.url).origin,
      format: w.format,
      minRank: RANK[w.minSeverity],
      ...(w.secret !== undefined && w.format === 'json' ? { secret: w.secret } : {}),
    }));
    this.#log = options.log;
    this.#clock = options.clock;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#onAttempt = options.onAttempt;
  }

  #tell(target: Target, alert: Alert, attempt: number, attempts: number, outcome: DeliveryAttempt['outcome'], reason: string | null): void {
    if (!this.#onAttempt) return;
    try {
      this.#onAttempt({ at: new Date(this.#clock.now()), rule: alert.rule, severity: alert.severity, webhook: target.index, origin: target.origin, attempt, attempts, outcome, reason });
    } catch (error) {
      this.#log.warn({ event: 'alert.delivery_log_failed', rule: alert.rule, reason: failureReason(error) }, 'the delivery log did not take an attempt');
    }
  }

  /** Sends `alert` to every webhook that wants its severity, in the background. Never throws. */
  deliver(alert: Alert): void {
    try {
      if (this.#closed) {
        this.#log.warn({ event: 'alert.not_delivered', rule: alert.rule, reason: 'shutting down' }, 'alert raised during shutdown was not sent to webhooks');
        return;
      }
      for (const target of this.#targets) {
        if (RANK[alert.severity] < target.minRank) continue;
        const body = JSON.stringify(target.format === 'slack' ? slackMessage(alert) : alert);
        const sending: Promise<void> = this.#send(target, alert, body)
          .catch((error: unknown) => this.#log.error({ event: 'alert.delivery_failed', rule: alert.rule, webhook: target.origin, reason: failureReason(error) }, 'alert not delivered to webhook'))
          .finally(() => this.#pending.delete(sending));
        this.#pending.add(sending);
      }
    } catch (error) {
      // E.g. a detail value JSON cannot encode: the caller's work must go on regardless.
      this.#log.error({ event: 'alert.delivery_failed', rule: (alert as Partial<Alert> | undefined)?.rule, reason: failureReason(error) }, 'alert could not be prepared for delivery');
    }
  }

  /** Resolves when every delivery started so far has succeeded or been given up. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Stops accepting alerts, gives up deliveries waiting to retry, and waits for attempts in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    await this.flush();
  }

  async #send(target: Target, alert: Alert, body: string): Promise<void> {
    const rule = alert.rule;
    const attempts = this.#retryDelaysMs.length + 1;
    for (let attempt = 1; ; attempt += 1) {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Palisade-Alerts' };
      if (target.secret) headers['palisade-signature'] = signatureHeader(target.secret, body, Math.floor(this.#clock.now() / 1000));
      let reason: string;
      let retryable = true;
      try {
        // Redirects are not followed: an alert goes only where it was configured to go.
        const response = await this.#fetch(target.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.#timeoutMs) });
        await response.body?.cancel().catch(() => undefined);
        if (response.ok) {
          this.#tell(target, alert, attempt, attempts, 'delivered', null);
          return;
        }
        reason = `HTTP ${response.status}`;
        // Other 4xx answers mean the request itself is wrong (a revoked Slack URL): retrying cannot help.
        retryable = response.status >= 500 || response.status === 408 || response.status === 429;
      } catch (error) {
        reason = failureReason(error);
      }
      const context = { event: 'alert.delivery_failed', rule, webhook: target.origin, attempt, attempts, reason };
      if (!retryable || attempt >= attempts || this.#closed) {
        this.#log.error(context, 'alert not delivered to webhook: giving up');
        this.#tell(target, alert, attempt, attempts, 'failed', reason);
        return;
      }
      this.#log.warn(context, 'alert delivery to webhook failed: retrying');
      this.#tell(target, alert, attempt, attempts, 'retrying', reason);
      await sleep(this.#retryDelaysMs[attempt - 1], undefined, { signal: this.#closing.signal }).catch(() => undefined);
      if (this.#closed) {
        this.#log.error({ ...context, reason: 'shutting down' }, 'alert not delivered to webhook: giving up');
        return;
      }
    }
  }
}
