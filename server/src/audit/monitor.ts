/**
 * Security monitoring: rules that watch the stream of audit events (and API responses) and
 * raise an alert when something looks like an attack — repeated failed sign-ins, an export far
 * above a user's habit, work outside working hours, a burst of refused API calls, a device that
 * reports itself compromised, a replayed refresh token.
 *
 * The monitor keeps its state in memory, per instance: windows are computed from the events'
 * own times and stale state is dropped by the injected clock, so there are no timers. Every
 * table of keys (accounts, IPs, users, apps, …) is capped and forgets the least recently seen
 * key first, so an attacker spraying addresses cannot grow memory without limit — and, because
 * each kind of key has its own table, cannot push the account under attack out of memory either.
 * State starts empty on restart (export baselines are relearned).
 */
import Type, { type Static } from 'typebox';
import type { Clock } from '../clock.ts';
import type { ConfigProblem } from '../config/load.ts';
import { DURATION_PATTERN, parseDuration } from '../duration.ts';
import type { AuditActor, AuditEvent } from './event.ts';
import { AlertsSchema, webhookProblems } from './alerts.ts';

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface Alert {
  /** The rule that fired: brute_force, unusual_export, off_hours, api_error_spike, compromised_device, refresh_token_reuse. */
  rule: string;
  /** What it is about, as `kind:id` (`account:…`, `ip:…`, `user:…`, `app:…`, `device:…`, `session:…`); de-duplication is per rule and key. */
  key: string;
  severity: AlertSeverity;
  /** One sentence in plain words for a person on call. Never secrets. */
  summary: string;
  /** When the event that fired the rule happened (ms since the epoch). */
  at: number;
  /**
   * Counts, window, thresholds and the actor's ids. Always carries `suppressed`: how many times
   * the rule fired again for this key during the previous de-duplication window and was not sent.
   */
  detail: Record<string, unknown>;
}

const DURATION_HINT = 'must be a duration such as 30s, 15m, 12h or 7d';

const Duration = (description: string, defaultValue: string) =>
  Type.String({ pattern: DURATION_PATTERN, patternHint: DURATION_HINT, description, default: defaultValue, examples: [defaultValue] });

const Enabled = (rule: string) => Type.Boolean({ default: true, description: `Whether the ${rule} rule raises alerts.` });

const Count = (description: string, defaultValue: number) => Type.Integer({ minimum: 1, maximum: 1_000_000_000, default: defaultValue, description });

const TIME_OF_DAY = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
const TIME_HINT = 'must be a 24-hour time such as 07:00 or 19:30';
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type DayName = (typeof DAY_NAMES)[number];

export const MonitoringSchema = Type.Object(
  {
    dedupWindow: Duration(
      'An alert for the same rule and key (account, IP, user, app, device, session) is sent at most once in this window; the occurrences held back are counted and reported as `suppressed` in the next alert for that rule and key.',
      '15m',
    ),
    maxTrackedKeys: Type.Integer({
      minimum: 1_000,
      maximum: 10_000_000,
      default: 100_000,
      description:
        'Most keys of one kind (accounts, IPs, exporting users, apps, alerted keys) the monitor remembers at once; the least recently seen is forgotten first, so spraying addresses cannot exhaust memory.',
    }),
    bruteForce: Type.Object(
      {
        enabled: Enabled('brute_force'),
        window: Duration('Sliding window in which failed sign-ins and failed session unlocks are counted.', '5m'),
        perAccount: Count('Failures for one account within the window that raise an alert (the alert comes with this failure, not before).', 5),
        perIp: Count('Failures from one IP address within the window that raise an alert.', 20),
      },
      { additionalProperties: false, default: {}, description: 'brute_force: failed sign-ins (auth.login) and session unlocks, per account and per IP.' },
    ),
    unusualExport: Type.Object(
      {
        enabled: Enabled('unusual_export'),
        window: Duration('Sliding window (kept in 60 slices) over which a user’s exported rows are added up, and the length of one baseline period.', '1h'),
        baselineWindows: Count('How many past periods (of `window`) make a user’s baseline: the average rows exported per period.', 168),
        multiplier: Type.Number({ minimum: 1, maximum: 1_000_000, default: 5, description: 'Alert when the rows in the window reach this many times the user’s baseline…' }),
        minimumRows: Count('…and at least this many rows; a user without history is judged against this alone.', 10_000),
      },
      { additionalProperties: false, default: {}, description: 'unusual_export: export.* events that delivered rows (finished or cut off), volume from detail.rows (1 when absent), per user.' },
    ),
    offHours: Type.Object(
      {
        enabled: Enabled('off_hours'),
        workingHours: Type.Object(
          {
            timeZone: Type.String({ minLength: 1, default: 'UTC', description: 'IANA time zone of the working hours, such as Europe/Berlin (daylight saving time is followed).' }),
            start: Type.String({ pattern: TIME_OF_DAY, patternHint: TIME_HINT, default: '07:00', description: 'Local time working hours begin.' }),
            end: Type.String({
              pattern: TIME_OF_DAY,
              patternHint: TIME_HINT,
              default: '19:00',
              description: 'Local time working hours end (exclusive; 24:00 for midnight). Earlier than start means a night shift that ends the next day.',
            }),
            days: Type.Array(
              Type.Union([Type.Literal('sun'), Type.Literal('mon'), Type.Literal('tue'), Type.Literal('wed'), Type.Literal('thu'), Type.Literal('fri'), Type.Literal('sat')]),
              {
                uniqueItems: true,
                default: ['mon', 'tue', 'wed', 'thu', 'fri'],
                description: 'Working days (sun, mon, tue, wed, thu, fri, sat); for a night shift, the day it starts.',
              },
            ),
          },
          { additionalProperties: false, default: {}, description: 'When people normally work.' },
        ),
        actions: Type.Array(Type.String({ minLength: 1 }), {
          default: ['auth.login', 'export.', 'job.', 'customer.', 'site.'],
          description: 'Action prefixes watched: a successful event by a user whose action starts with one of these, outside working hours, raises an alert.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'off_hours: a person’s successful actions outside working hours.' },
    ),
    apiErrorSpike: Type.Object(
      {
        enabled: Enabled('api_error_spike'),
        window: Duration('Sliding window of API responses per app (kept in 60 slices, so a response leaves it up to 1/60 of the window late).', '5m'),
        minRequests: Count('Fewest responses in the window before the rule judges the rate at all.', 50),
        threshold: Type.Number({
          minimum: 0.01,
          maximum: 1,
          default: 0.25,
          description: 'Share of responses that are server errors (5xx) or refusals (401, 403, 429) that raises an alert.',
        }),
      },
      { additionalProperties: false, default: {}, description: 'api_error_spike: an app receiving many errors or refusals at once (probing, a stolen token, a broken release).' },
    ),
    compromisedDevice: Type.Object(
      { enabled: Enabled('compromised_device') },
      { additionalProperties: false, default: {}, description: 'compromised_device: a device reported rooted, jailbroken or failing attestation (device.compromised); critical.' },
    ),
    refreshTokenReuse: Type.Object(
      { enabled: Enabled('refresh_token_reuse') },
      { additionalProperties: false, default: {}, description: 'refresh_token_reuse: a rotated refresh token presented again (token.reuse), a sign of a stolen token; high.' },
    ),
    webhooks: AlertsSchema,
  },
  { additionalProperties: false, default: {}, description: 'Security monitoring rules over the audit events, and where their alerts go.' },
);

export type MonitoringConfig = Static<typeof MonitoringSchema>;

function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return `"${timeZone}" is not a time zone: use an IANA name such as Europe/Berlin or America/New_York`;
  }
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * What the schema cannot say: a real time zone, windows longer than zero, working hours that are
 * not empty (start ≠ end), webhook URLs over https. For the configuration loader (paths are below the
 * `monitoring` section; `production` refuses plain http even on loopback); `Monitor` and
 * `WebhookDelivery` also refuse to start with these.
 */
export function monitoringProblems(config: MonitoringConfig, options: { production?: boolean } = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const windows: [string, string][] = [
    ['dedupWindow', config.dedupWindow],
    ['bruteForce.window', config.bruteForce.window],
    ['unusualExport.window', config.unusualExport.window],
    ['apiErrorSpike.window', config.apiErrorSpike.window],
  ];
  for (const [path, value] of windows) {
    if (parseDuration(value) <= 0) problems.push({ path, message: 'must be longer than zero' });
  }
  const hours = config.offHours.workingHours;
  const zone = timeZoneProblem(hours.timeZone);
  if (zone) problems.push({ path: 'offHours.workingHours.timeZone', message: zone });
  if (minutesOf(hours.start) === minutesOf(hours.end) % (24 * 60)) {
    problems.push({ path: 'offHours.workingHours.end', message: 'must differ from start (00:00 to 24:00 is the whole day)' });
  }
  problems.push(...webhookProblems(config.webhooks, options).map((p) => ({ path: `webhooks${p.path}`, message: p.message })));
  return problems;
}

/**
 * Sums over a sliding window kept in fixed slices, so memory per key stays the same however busy
 * the key is. Slice i covers [i·slice, (i+1)·slice); the window at time t counts every slice that
 * overlaps (t − window, t], so an entry leaves between `window` and `window + slice` after it.
 */
class SlicedWindow {
  readonly #windowMs: number;
  readonly #sliceMs: number;
  /** Ascending by index. */
  readonly #slices: { index: number; sums: number[] }[] = [];

  constructor(windowMs: number, slices: number) {
    this.#windowMs = windowMs;
    this.#sliceMs = Math.max(1, Math.ceil(windowMs / slices));
  }

  #first(at: number): number {
    return Math.floor((at - this.#windowMs) / this.#sliceMs);
  }

  /** Adds `values` at time `at` and returns the window's sums as of `at`. */
  add(at: number, values: readonly number[]): number[] {
    const index = Math.floor(at / this.#sliceMs);
    const first = this.#first(at);
    // A late event for a slice already outside the window can no longer matter.
    if (index >= first) {
      let i = this.#slices.length;
      while (i > 0 && this.#slices[i - 1]!.index > index) i -= 1;
      const slice = this.#slices[i - 1];
      if (slice && slice.index === index) values.forEach((v, k) => (slice.sums[k] = (slice.sums[k] ?? 0) + v));
      else this.#slices.splice(i, 0, { index, sums: [...values] });
    }
    const newest = Math.max(at, (this.#slices.at(-1)?.index ?? 0) * this.#sliceMs);
    const keepFrom = this.#first(newest);
    while (this.#slices.length > 0 && this.#slices[0]!.index < keepFrom) this.#slices.shift();
    const totals = values.map(() => 0);
    for (const slice of this.#slices) {
      if (slice.index < first) continue;
      slice.sums.forEach((v, k) => (totals[k] = (totals[k] ?? 0) + v));
    }
    return totals;
  }
}

/** One remembered key: the rule's state for it and its de-duplication bookkeeping. */
interface Slot<S> {
  state: S;
  /** clock.now() when last seen, for forgetting stale keys. */
  seen: number;
  lastRaised?: number;
  suppressed: number;
}

interface Node<S> extends Slot<S> {
  key: string;
  older?: Node<S>;
  newer?: Node<S>;
}

/**
 * Keys in least-recently-seen order: a Map for lookup and a linked list for the order, so
 * touching a key, forgetting the stalest and sweeping are each O(1). (Re-inserting into a Map to
 * move a key to the end leaves holes V8 skips on every walk from the front: quadratic under a spray.)
 * Stale keys are dropped from the front as time passes; past the cap, the least recently seen is
 * forgotten.
 */
class KeyTable<S> {
  readonly #nodes = new Map<string, Node<S>>();
  readonly #cap: number;
  readonly #retentionMs: number;
  #oldest: Node<S> | undefined;
  #newest: Node<S> | undefined;

  constructor(cap: number, retentionMs: number) {
    this.#cap = cap;
    this.#retentionMs = retentionMs;
  }

  get size(): number {
    return this.#nodes.size;
  }

  touch(key: string, now: number, create: () => S): Slot<S> {
    let node = this.#nodes.get(key);
    if (node) {
      this.#unlink(node);
    } else {
      node = { key, state: create(), seen: now, suppressed: 0 };
      this.#nodes.set(key, node);
    }
    node.seen = Math.max(node.seen, now);
    node.older = this.#newest;
    node.newer = undefined;
    if (this.#newest) this.#newest.newer = node;
    else this.#oldest = node;
    this.#newest = node;
    if (this.#nodes.size > this.#cap) this.#forget(this.#oldest!);
    return node;
  }

  /** Drops keys not seen for the retention; cheap, since the stalest keys are at the front. */
  sweep(now: number): void {
    while (this.#oldest && now - this.#oldest.seen >= this.#retentionMs) this.#forget(this.#oldest);
  }

  #forget(node: Node<S>): void {
    this.#unlink(node);
    this.#nodes.delete(node.key);
  }

  #unlink(node: Node<S>): void {
    if (node.older) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.#newest = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}

interface ExportState {
  recent: SlicedWindow;
  /** Baseline period (floor(at / window)) of the user's first export seen. */
  firstPeriod: number;
  /** Rows per past period with any export, ascending, at most baselineWindows + 1 entries. */
  periods: { period: number; rows: number }[];
}

interface ParsedConfig {
  dedupMs: number;
  bruteForceMs: number;
  exportMs: number;
  spikeMs: number;
  startMinute: number;
  endMinute: number;
  days: ReadonlySet<string>;
  zone: Intl.DateTimeFormat;
}

/** Keys come from requests (a typed account name, an IP): long ones are cut so one key cannot be large. */
const MAX_KEY_ID = 200;
const keyId = (value: string) => (value.length > MAX_KEY_ID ? value.slice(0, MAX_KEY_ID) : value);

/** The actor's identifiers worth putting in an alert (not the user agent). */
function actorIds(actor: AuditActor): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const field of ['userId', 'sessionId', 'deviceId', 'appId', 'ip'] as const) {
    const value = actor[field];
    if (value !== undefined) ids[field] = value;
  }
  return ids;
}

/** Not people: work nobody asked for over HTTP (event.ts). */
const NOT_PEOPLE = new Set(['system', 'cli']);

const REFUSAL_STATUSES = new Set([401, 403, 429]);

/** API response window resolution: 60 slices per window. */
const SPIKE_SLICES = 60;
/** Export window resolution. */
const EXPORT_SLICES = 60;

export interface MonitorOptions {
  config: MonitoringConfig;
  clock: Clock;
  /**
   * Receives each alert, synchronously, on the caller of observe(). Must not throw (an audit
   * write must not fail because an alert could not be sent): WebhookDelivery.deliver never does.
   */
  raise: (alert: Alert) => void;
}

export class Monitor {
  readonly #config: MonitoringConfig;
  readonly #clock: Clock;
  readonly #raise: (alert: Alert) => void;
  readonly #parsed: ParsedConfig;
  readonly #accounts: KeyTable<number[]>;
  readonly #ips: KeyTable<number[]>;
  readonly #exports: KeyTable<ExportState>;
  readonly #apps: KeyTable<SlicedWindow>;
  /** Rules without state of their own (off_hours, compromised_device, refresh_token_reuse): only de-duplication. */
  readonly #alerted: KeyTable<null>;
  readonly #tables: KeyTable<unknown>[];

  constructor(options: MonitorOptions) {
    const problems = monitoringProblems(options.config);
    if (problems.length > 0) {
      throw new TypeError(`monitoring configuration: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    }
    const config = options.config;
    this.#config = config;
    this.#clock = options.clock;
    this.#raise = options.raise;
    const hours = config.offHours.workingHours;
    this.#parsed = {
      dedupMs: parseDuration(config.dedupWindow),
      bruteForceMs: parseDuration(config.bruteForce.window),
      exportMs: parseDuration(config.unusualExport.window),
      spikeMs: parseDuration(config.apiErrorSpike.window),
      startMinute: minutesOf(hours.start),
      endMinute: minutesOf(hours.end),
      days: new Set(hours.days),
      zone: new Intl.DateTimeFormat('en-US', { timeZone: hours.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    };
    const { dedupMs, bruteForceMs, exportMs, spikeMs } = this.#parsed;
    const cap = config.maxTrackedKeys;
    // A key is kept while its window or its de-duplication window can still matter.
    this.#accounts = new KeyTable(cap, Math.max(bruteForceMs, dedupMs));
    this.#ips = new KeyTable(cap, Math.max(bruteForceMs, dedupMs));
    this.#exports = new KeyTable(cap, Math.max(exportMs * (config.unusualExport.baselineWindows + 1), dedupMs));
    this.#apps = new KeyTable(cap, Math.max(spikeMs, dedupMs));
    this.#alerted = new KeyTable(cap, dedupMs);
    this.#tables = [this.#accounts, this.#ips, this.#exports, this.#apps, this.#alerted];
  }

  /** Keys remembered across all tables (each table is capped at maxTrackedKeys). */
  size(): number {
    return this.#tables.reduce((sum, table) => sum + table.size, 0);
  }

  /** Called for every audit event; `at` is when it happened (ms since the epoch). */
  observe(event: AuditEvent & { at: number }): void {
    const now = this.#clock.now();
    this.#sweep(now);
    const config = this.#config;
    if (config.bruteForce.enabled && (event.action === 'auth.login' || event.action === 'session.unlock') && event.outcome === 'failure') {
      this.#bruteForce(event, now);
    }
    // An export cut off just before its end has still delivered its rows: failures count too.
    if (config.unusualExport.enabled && event.action.startsWith('export.') && event.outcome !== 'denied' && event.actor.userId) {
      this.#unusualExport(event, event.actor.userId, now);
    }
    if (config.offHours.enabled && event.outcome === 'success') this.#offHours(event, now);
    if (config.compromisedDevice.enabled && event.action === 'device.compromised') {
      const key = event.actor.deviceId ? `device:${keyId(event.actor.deviceId)}` : event.actor.userId ? `user:${keyId(event.actor.userId)}` : 'device:unknown';
      this.#fire(this.#alerted.touch(`compromised_device ${key}`, now, () => null), {
        rule: 'compromised_device',
        key,
        severity: 'critical',
        summary: 'A device reported itself compromised (rooted, jailbroken or failing attestation); its sessions should be considered stolen.',
        at: event.at,
        detail: { ...actorIds(event.actor), ...(event.reason ? { reason: event.reason } : {}) },
      });
    }
    if (config.refreshTokenReuse.enabled && event.action === 'token.reuse') {
      const { sessionId, userId } = event.actor;
      const key = sessionId ? `session:${keyId(sessionId)}` : userId ? `user:${keyId(userId)}` : 'session:unknown';
      this.#fire(this.#alerted.touch(`refresh_token_reuse ${key}`, now, () => null), {
        rule: 'refresh_token_reuse',
        key,
        severity: 'high',
        summary: 'A refresh token that had already been rotated was presented again, a sign it was copied; the session was revoked.',
        at: event.at,
        detail: actorIds(event.actor),
      });
    }
  }

  /** Called for every API response (too frequent to be audit events). */
  observeResponse(response: { appId: string; status: number; at: number }): void {
    const now = this.#clock.now();
    this.#sweep(now);
    const rule = this.#config.apiErrorSpike;
    if (!rule.enabled) return;
    const key = `app:${keyId(response.appId)}`;
    const slot = this.#apps.touch(key, now, () => new SlicedWindow(this.#parsed.spikeMs, SPIKE_SLICES));
    const failed = response.status >= 500 || REFUSAL_STATUSES.has(response.status);
    const [requests = 0, errors = 0] = slot.state.add(response.at, [1, failed ? 1 : 0]);
    if (requests < rule.minRequests || errors / requests < rule.threshold) return;
    this.#fire(slot, {
      rule: 'api_error_spike',
      key,
      severity: 'medium',
      summary: `${errors} of the last ${requests} responses to app ${response.appId} were errors or refusals (${Math.round((errors / requests) * 100)}% within ${rule.window}).`,
      at: response.at,
      detail: { appId: response.appId, requests, errors, errorRate: errors / requests, threshold: rule.threshold, minRequests: rule.minRequests, window: rule.window },
    });
  }

  #sweep(now: number): void {
    for (const table of this.#tables) table.sweep(now);
  }

  #bruteForce(event: AuditEvent & { at: number }, now: number): void {
    const rule = this.#config.bruteForce;
    const windowMs = this.#parsed.bruteForceMs;
    const account = event.actor.userId ?? (typeof event.detail?.account === 'string' ? event.detail.account : undefined);
    const what = event.action === 'session.unlock' ? 'failed session unlocks' : 'failed sign-ins';
    const common = { action: event.action, window: rule.window, ...actorIds(event.actor), ...(account !== undefined && !event.actor.userId ? { account } : {}) };
    if (account !== undefined) {
      const key = `account:${keyId(account)}`;
      const slot = this.#accounts.touch(key, now, () => []);
      const failures = countInWindow(slot.state, event.at, windowMs, rule.perAccount);
      if (failures >= rule.perAccount) {
        this.#fire(slot, {
          rule: 'brute_force',
          key,
          severity: 'high',
          summary: `${failures} ${what} for one account within ${rule.window}${event.actor.userId ? ` (user ${event.actor.userId})` : ''}.`,
          at: event.at,
          detail: { ...common, failures, threshold: rule.perAccount },
        });
      }
    }
    if (event.actor.ip !== undefined) {
      const key = `ip:${keyId(event.actor.ip)}`;
      const slot = this.#ips.touch(key, now, () => []);
      const failures = countInWindow(slot.state, event.at, windowMs, rule.perIp);
      if (failures >= rule.perIp) {
        this.#fire(slot, {
          rule: 'brute_force',
          key,
          severity: 'medium',
          summary: `${failures} ${what} from IP address ${event.actor.ip} within ${rule.window}.`,
          at: event.at,
          detail: { ...common, failures, threshold: rule.perIp },
        });
      }
    }
  }

  #unusualExport(event: AuditEvent & { at: number }, userId: string, now: number): void {
    const rule = this.#config.unusualExport;
    const windowMs = this.#parsed.exportMs;
    const rowsValue = event.detail?.rows;
    const rows = typeof rowsValue === 'number' && Number.isFinite(rowsValue) && rowsValue >= 0 ? rowsValue : 1;
    const period = Math.floor(event.at / windowMs);
    const key = `user:${keyId(userId)}`;
    const slot = this.#exports.touch(key, now, () => ({ recent: new SlicedWindow(windowMs, EXPORT_SLICES), firstPeriod: period, periods: [] }));
    const state = slot.state;
    state.firstPeriod = Math.min(state.firstPeriod, period);

    // The baseline is the average over completed periods since the user was first seen (at most
    // baselineWindows of them), so a user seen for a day is not diluted over a week of zeros.
    const from = period - rule.baselineWindows;
    const observed = Math.min(rule.baselineWindows, period - state.firstPeriod);
    let past = 0;
    for (const p of state.periods) if (p.period >= from && p.period < period) past += p.rows;
    const baseline = observed > 0 ? past / observed : undefined;

    let i = state.periods.length;
    while (i > 0 && state.periods[i - 1]!.period > period) i -= 1;
    const entry = state.periods[i - 1];
    if (entry && entry.period === period) entry.rows += rows;
    else state.periods.splice(i, 0, { period, rows });
    const newest = state.periods.at(-1)!.period;
    while (state.periods.length > 0 && state.periods[0]!.period < newest - rule.baselineWindows) state.periods.shift();

    const [volume = 0] = state.recent.add(event.at, [rows]);
    const threshold = Math.max(rule.multiplier * (baseline ?? 0), rule.minimumRows);
    if (volume < threshold) return;
    this.#fire(slot, {
      rule: 'unusual_export',
      key,
      severity: 'high',
      summary:
        baseline === undefined
          ? `User ${userId} exported ${volume} rows within ${rule.window}, with no earlier exports to compare against.`
          : `User ${userId} exported ${volume} rows within ${rule.window}, against a usual ${round(baseline)} per ${rule.window}.`,
      at: event.at,
      detail: {
        ...actorIds(event.actor),
        action: event.action,
        rows: volume,
        window: rule.window,
        baselineRowsPerWindow: baseline === undefined ? null : round(baseline),
        baselineWindowsObserved: observed,
        threshold,
        multiplier: rule.multiplier,
        minimumRows: rule.minimumRows,
      },
    });
  }

  #offHours(event: AuditEvent & { at: number }, now: number): void {
    const userId = event.actor.userId;
    if (userId === undefined || NOT_PEOPLE.has(userId)) return;
    const rule = this.#config.offHours;
    if (!rule.actions.some((prefix) => event.action.startsWith(prefix))) return;
    const local = this.#localTime(event.at);
    if (this.#isWorkingTime(local)) return;
    const key = `user:${keyId(userId)}`;
    const hours = rule.workingHours;
    const localTime = `${local.day} ${String(Math.floor(local.minute / 60)).padStart(2, '0')}:${String(local.minute % 60).padStart(2, '0')}`;
    this.#fire(this.#alerted.touch(`off_hours ${key}`, now, () => null), {
      rule: 'off_hours',
      key,
      severity: 'low',
      summary: `User ${userId} did ${event.action} outside working hours (${localTime} ${hours.timeZone}).`,
      at: event.at,
      detail: {
        ...actorIds(event.actor),
        action: event.action,
        localTime,
        timeZone: hours.timeZone,
        workingHours: `${hours.start}-${hours.end} ${hours.days.join(',')}`,
      },
    });
  }

  /** Day and minute of the day at `at` in the working-hours time zone; Intl applies the zone's DST rules. */
  #localTime(at: number): { day: DayName; minute: number } {
    let day = 'sun';
    let hour = 0;
    let minute = 0;
    for (const part of this.#parsed.zone.formatToParts(at)) {
      if (part.type === 'weekday') day = part.value.toLowerCase();
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    return { day: day as DayName, minute: hour * 60 + minute };
  }

  #isWorkingTime(local: { day: DayName; minute: number }): boolean {
    const { startMinute, endMinute, days } = this.#parsed;
    if (startMinute < endMinute) return days.has(local.day) && local.minute >= startMinute && local.minute < endMinute;
    // A night shift (start after end): the hours after midnight belong to the day before.
    const yesterday = DAY_NAMES[(DAY_NAMES.indexOf(local.day) + 6) % 7]!;
    return (days.has(local.day) && local.minute >= startMinute) || (days.has(yesterday) && local.minute < endMinute);
  }

  /** Raises the alert unless this rule and key raised one within the de-duplication window. */
  #fire(slot: Slot<unknown>, alert: Alert): void {
    if (slot.lastRaised !== undefined && alert.at - slot.lastRaised < this.#parsed.dedupMs) {
      slot.suppressed += 1;
      return;
    }
    const suppressed = slot.suppressed;
    slot.suppressed = 0;
    slot.lastRaised = alert.at;
    this.#raise({ ...alert, detail: { ...alert.detail, suppressed } });
  }
}

/**
 * Records a failure at `at` in `times` (ascending, the most recent `keep` only — enough to tell
 * whether `keep` fell within the window) and returns how many are within the window ending at `at`.
 */
function countInWindow(times: number[], at: number, windowMs: number, keep: number): number {
  let i = times.length;
  while (i > 0 && times[i - 1]! > at) i -= 1;
  times.splice(i, 0, at);
  while (times.length > keep) times.shift();
  let count = 0;
  for (const t of times) if (t <= at && at - t < windowMs) count += 1;
  return count;
}

const round = (n: number) => Math.round(n * 100) / 100;
