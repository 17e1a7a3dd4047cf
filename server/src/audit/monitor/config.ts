/**
 * The `monitoring` configuration section: the rules' windows, thresholds and working hours, and
 * where alerts go; `monitoringProblems` checks what the schema cannot say.
 */
import Type, { type Static } from 'typebox';
import type { ConfigProblem } from '../../config/index.ts';
import { DURATION_PATTERN, parseDuration } from '../../duration.ts';
import { AlertsSchema, webhookProblems } from '../alerts.ts';

const DURATION_HINT = 'must be a duration such as 30s, 15m, 12h or 7d';

const Duration = (description: string, defaultValue: string) =>
  Type.String({ pattern: DURATION_PATTERN, patternHint: DURATION_HINT, description, default: defaultValue, examples: [defaultValue] });

const Enabled = (rule: string) => Type.Boolean({ default: true, description: `Whether the ${rule} rule raises alerts.` });

const Count = (description: string, defaultValue: number) => Type.Integer({ minimum: 1, maximum: 1_000_000_000, default: defaultValue, description });

const TIME_OF_DAY = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
const TIME_HINT = 'must be a 24-hour time such as 07:00 or 19:30';
export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
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

export const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

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

