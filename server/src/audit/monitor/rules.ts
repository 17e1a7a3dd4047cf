/**
 * The monitoring rules: each audit event (and API response) goes through `Monitor.observe*`,
 * which keeps per-key state in capped tables (store.ts) and sliding windows (window.ts) and
 * raises an alert, de-duplicated per rule and key.
 */
import type { Clock } from '../../clock.ts';
import { parseDuration } from '../../duration.ts';
import type { AuditActor, AuditEvent } from '../event.ts';
import { DAY_NAMES, minutesOf, monitoringProblems, type DayName, type MonitoringConfig } from './config.ts';
import { KeyTable, type Slot } from './store.ts';
import { countInWindow, SlicedWindow } from './window.ts';

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

export interface Alert {
  /** The rule that fired: brute_force, unusual_export, off_hours, api_error_spike, compromised_device, refresh_token_reuse. */
  rule: string;
  /** What it is about, as `kind:id` (`account:…`, `ip:…`, `user:…`, `app:…`, `device:…`, `session:…`); de-duplication is per rule and key. */
  key: string;
  severity: AlertSeverity;
  /**
   * One sentence in plain words for a person on call. Never secrets, and never a person: it is
   * the alert's audit record's free-text reason, which pseudonyms and erasure match only as whole
   * values (audit/subjects.ts); who it is about goes in `detail` (`userId`, `account`).
   */
  summary: string;
  /** When the event that fired the rule happened (ms since the epoch). */
  at: number;
  /**
   * Counts, window, thresholds and the actor's ids. Always carries `suppressed`: how many times
   * the rule fired again for this key during the previous de-duplication window and was not sent.
   */
  detail: Record<string, unknown>;
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

/** What an alert is about as an audit resource: its key's kind and id (`user:<id>` → { type: 'user', id: '<id>' }). */
export function alertResource(key: string): { type: string; id: string } {
  const colon = key.indexOf(':');
  return colon > 0 ? { type: key.slice(0, colon), id: key.slice(colon + 1) } : { type: 'alert', id: key };
}

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
          summary: `${failures} ${what} for one account within ${rule.window}.`,
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
          ? `A user exported ${volume} rows within ${rule.window}, with no earlier exports to compare against.`
          : `A user exported ${volume} rows within ${rule.window}, against a usual ${round(baseline)} per ${rule.window}.`,
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
      summary: `A user did ${event.action} outside working hours (${localTime} ${hours.timeZone}).`,
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

const round = (n: number) => Math.round(n * 100) / 100;
