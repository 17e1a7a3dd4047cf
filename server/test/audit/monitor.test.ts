/**
 * Security monitoring rules: each fires exactly at its threshold and not one event before,
 * forgets what fell out of its window, de-duplicates per rule and key, and keeps memory bounded
 * however many addresses an attacker sprays. The clock is moved by hand; nothing sleeps.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from 'typebox/value';
import { ManualClock } from '../../src/clock.ts';
import type { AuditEvent } from '../../src/audit/event.ts';
import { Monitor, MonitoringSchema, alertResource, monitoringProblems, type Alert, type MonitoringConfig } from '../../src/audit/monitor.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Monday 5 January 2026, 09:00 UTC: inside the default working hours. */
const MONDAY_9_UTC = Date.UTC(2026, 0, 5, 9);

function configWith(patch: (config: MonitoringConfig) => void = () => undefined): MonitoringConfig {
  const config = Value.Default(MonitoringSchema, {}) as MonitoringConfig;
  patch(config);
  return config;
}

function setup(patch?: (config: MonitoringConfig) => void, start = MONDAY_9_UTC) {
  const clock = new ManualClock(start);
  const alerts: Alert[] = [];
  const monitor = new Monitor({ config: configWith(patch), clock, raise: (alert) => alerts.push(alert) });
  const observe = (event: AuditEvent) => monitor.observe({ ...event, at: clock.now() });
  const fired = (rule: string) => alerts.filter((a) => a.rule === rule);
  return { clock, alerts, monitor, observe, fired };
}

const failedLogin = (actor: AuditEvent['actor'], detail?: Record<string, unknown>): AuditEvent => ({
  action: 'auth.login',
  outcome: 'failure',
  reason: 'upstream_denied',
  actor,
  ...(detail ? { detail } : {}),
});

describe('monitoring configuration', () => {
  test('an empty monitoring section gets every default', () => {
    const config = configWith();
    assert.ok(Value.Check(MonitoringSchema, config), 'the defaults must satisfy the schema they come from');
    assert.equal(config.dedupWindow, '15m');
    assert.equal(config.maxTrackedKeys, 100_000);
    assert.deepEqual(config.bruteForce, { enabled: true, window: '5m', perAccount: 5, perIp: 20 });
    assert.deepEqual(config.unusualExport, { enabled: true, window: '1h', baselineWindows: 168, multiplier: 5, minimumRows: 10_000 });
    assert.deepEqual(config.offHours, {
      enabled: true,
      workingHours: { timeZone: 'UTC', start: '07:00', end: '19:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
      actions: ['auth.login', 'export.', 'job.', 'customer.', 'site.'],
    });
    assert.deepEqual(config.apiErrorSpike, { enabled: true, window: '5m', minRequests: 50, threshold: 0.25 });
    assert.deepEqual(config.compromisedDevice, { enabled: true });
    assert.deepEqual(config.refreshTokenReuse, { enabled: true });
    assert.deepEqual(config.webhooks, []);
  });

  test('a webhook entry gets format json and minSeverity low by default', () => {
    const config = Value.Default(MonitoringSchema, { webhooks: [{ url: 'https://alerts.example.com/palisade' }] }) as MonitoringConfig;
    assert.deepEqual(config.webhooks, [{ url: 'https://alerts.example.com/palisade', format: 'json', minSeverity: 'low' }]);
    assert.ok(Value.Check(MonitoringSchema, config));
  });

  test('a time zone that does not exist, an empty working day and a zero window are refused', () => {
    const config = configWith((c) => {
      c.offHours.workingHours.timeZone = 'Europe/Atlantis';
      c.offHours.workingHours.start = '08:00';
      c.offHours.workingHours.end = '08:00';
      c.bruteForce.window = '0s';
    });
    assert.deepEqual(
      monitoringProblems(config).map((p) => p.path),
      ['bruteForce.window', 'offHours.workingHours.timeZone', 'offHours.workingHours.end'],
      'each problem names its setting',
    );
    assert.throws(() => new Monitor({ config, clock: new ManualClock(), raise: () => undefined }), /offHours\.workingHours\.timeZone: "Europe\/Atlantis" is not a time zone/, 'the monitor must not start on a bad time zone, and says which setting is wrong');
    assert.deepEqual(monitoringProblems(configWith()), [], 'the defaults have no problem');
  });

  test('the schema refuses unknown settings and malformed times', () => {
    assert.equal(Value.Check(MonitoringSchema, configWith((c) => Object.assign(c.bruteForce, { perAcount: 3 }))), false, 'a misspelt setting is an error, not ignored');
    assert.equal(Value.Check(MonitoringSchema, configWith((c) => (c.offHours.workingHours.start = '7am'))), false);
    assert.equal(Value.Check(MonitoringSchema, configWith((c) => (c.offHours.workingHours.end = '24:00'))), true, '24:00 means midnight');
  });
});

describe('brute_force', () => {
  test('the fifth failed sign-in for an account within five minutes raises one alert; four do not', () => {
    const { observe, fired, clock } = setup();
    for (let i = 1; i <= 4; i += 1) {
      observe(failedLogin({ userId: 'user-1', ip: `198.51.100.${i}` }));
      clock.advance(MINUTE);
    }
    assert.equal(fired('brute_force').length, 0, 'four failures are below the threshold of five');
    observe(failedLogin({ userId: 'user-1', ip: '198.51.100.5' }));
    const alerts = fired('brute_force');
    assert.equal(alerts.length, 1, 'the fifth failure raises exactly one alert');
    assert.equal(alerts[0]!.key, 'account:user-1');
    assert.equal(alerts[0]!.severity, 'high');
    assert.equal(alerts[0]!.at, clock.now(), 'the alert carries the time of the event that fired it');
    assert.deepEqual(
      { failures: alerts[0]!.detail.failures, threshold: alerts[0]!.detail.threshold, window: alerts[0]!.detail.window, userId: alerts[0]!.detail.userId, suppressed: alerts[0]!.detail.suppressed },
      { failures: 5, threshold: 5, window: '5m', userId: 'user-1', suppressed: 0 },
    );
  });

  test('failures older than the window do not count', () => {
    const { observe, fired, clock } = setup();
    for (let i = 0; i < 4; i += 1) observe(failedLogin({ userId: 'user-1' }));
    clock.advance(5 * MINUTE);
    observe(failedLogin({ userId: 'user-1' }));
    assert.equal(fired('brute_force').length, 0, 'four failures exactly five minutes old are outside the window, so this is the first');
    for (let i = 0; i < 3; i += 1) observe(failedLogin({ userId: 'user-1' }));
    assert.equal(fired('brute_force').length, 0, 'four within the window');
    observe(failedLogin({ userId: 'user-1' }));
    assert.equal(fired('brute_force').length, 1, 'the fifth within the window raises the alert');
  });

  test('failed session unlocks count, and an account unknown to Palisade is counted by detail.account', () => {
    const { observe, fired } = setup();
    for (let i = 0; i < 4; i += 1) observe({ action: 'session.unlock', outcome: 'failure', actor: { userId: 'user-2', sessionId: 's1' } });
    observe({ action: 'session.unlock', outcome: 'failure', actor: { userId: 'user-2', sessionId: 's1' } });
    assert.deepEqual(fired('brute_force').map((a) => a.key), ['account:user-2'], 'five failed unlocks are five failures');

    for (let i = 0; i < 5; i += 1) observe(failedLogin({}, { account: 'mallory@example.com' }));
    const unknown = fired('brute_force').find((a) => a.key === 'account:mallory@example.com');
    assert.ok(unknown, 'failures for a name Palisade does not know are still counted per account');
    assert.equal(unknown.detail.account, 'mallory@example.com');
  });

  test('successful sign-ins, refusals of other kinds and other actions are not counted', () => {
    const { observe, fired } = setup();
    for (let i = 0; i < 10; i += 1) {
      observe({ action: 'auth.login', outcome: 'success', actor: { userId: 'user-3' } });
      observe({ action: 'token.refresh', outcome: 'failure', actor: { userId: 'user-3' } });
    }
    assert.equal(fired('brute_force').length, 0);
  });

  test('the twentieth failure from one IP within five minutes raises an alert; nineteen do not', () => {
    const { observe, fired } = setup();
    // A different account each time: password spraying from one address.
    for (let i = 0; i < 19; i += 1) observe(failedLogin({ ip: '203.0.113.7' }, { account: `user${i}@example.com` }));
    assert.equal(fired('brute_force').length, 0, 'nineteen failures are below the per-IP threshold of twenty');
    observe(failedLogin({ ip: '203.0.113.7' }, { account: 'user19@example.com' }));
    const alerts = fired('brute_force');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.key, 'ip:203.0.113.7');
    assert.equal(alerts[0]!.detail.failures, 20);
    assert.equal(alerts[0]!.detail.threshold, 20);
  });

  test('a disabled rule raises nothing', () => {
    const { observe, alerts } = setup((c) => (c.bruteForce.enabled = false));
    for (let i = 0; i < 30; i += 1) observe(failedLogin({ userId: 'user-1', ip: '203.0.113.7' }));
    assert.equal(alerts.length, 0);
  });
});

describe('de-duplication', () => {
  test('an attack going on raises one alert per dedup window, and the next one reports how many were held back', () => {
    const { observe, fired, clock } = setup();
    // One failure a minute for 20 minutes: five in any five minutes from the fifth on.
    for (let minute = 0; minute < 20; minute += 1) {
      observe(failedLogin({ userId: 'user-1' }));
      clock.advance(MINUTE);
    }
    const alerts = fired('brute_force');
    assert.equal(alerts.length, 2, 'minute 4 raises, minutes 5 to 18 are within 15 minutes of it, minute 19 raises again');
    assert.equal(alerts[1]!.at - alerts[0]!.at, 15 * MINUTE);
    assert.equal(alerts[0]!.detail.suppressed, 0);
    assert.equal(alerts[1]!.detail.suppressed, 14, 'the fourteen failures held back are reported with the next alert');
  });

  test('de-duplication is per key: another account still raises its own alert', () => {
    const { observe, fired } = setup();
    for (let i = 0; i < 5; i += 1) observe(failedLogin({ userId: 'user-1' }));
    for (let i = 0; i < 5; i += 1) observe(failedLogin({ userId: 'user-2' }));
    assert.deepEqual(fired('brute_force').map((a) => a.key), ['account:user-1', 'account:user-2']);
  });
});

describe('unusual_export', () => {
  const exported = (userId: string, rows?: number, outcome: AuditEvent['outcome'] = 'success'): AuditEvent => ({
    action: 'export.jobs',
    outcome,
    actor: { userId, appId: 'field-app' },
    ...(rows === undefined ? {} : { detail: { rows } }),
  });

  test('a user without history alerts when the hour’s rows reach minimumRows, not one row before', () => {
    const { observe, fired, clock } = setup();
    observe(exported('user-1', 9_000));
    clock.advance(10 * MINUTE);
    observe(exported('user-1', 998));
    observe(exported('user-1'));
    assert.equal(fired('unusual_export').length, 0, '9 999 rows (an export without detail.rows counts one) are below 10 000');
    observe(exported('user-1', 1));
    const alerts = fired('unusual_export');
    assert.equal(alerts.length, 1, 'the 10 000th row raises the alert');
    assert.equal(alerts[0]!.key, 'user:user-1');
    assert.equal(alerts[0]!.detail.rows, 10_000);
    assert.equal(alerts[0]!.detail.baselineRowsPerWindow, null, 'no history to compare against');
  });

  test('a user with a steady habit alerts at multiplier times the baseline', () => {
    const { observe, fired, clock } = setup((c) => (c.unusualExport.minimumRows = 2_000));
    for (let hour = 0; hour < 24; hour += 1) {
      observe(exported('user-1', 1_000));
      clock.advance(HOUR);
    }
    assert.equal(fired('unusual_export').length, 0, 'a thousand rows every hour is this user’s habit');
    clock.advance(30 * MINUTE);
    observe(exported('user-1', 4_999));
    assert.equal(fired('unusual_export').length, 0, '4 999 rows are below 5 × 1 000');
    observe(exported('user-1', 1));
    const alerts = fired('unusual_export');
    assert.equal(alerts.length, 1, '5 000 rows reach 5 × the baseline');
    assert.deepEqual(
      { rows: alerts[0]!.detail.rows, baseline: alerts[0]!.detail.baselineRowsPerWindow, threshold: alerts[0]!.detail.threshold, observed: alerts[0]!.detail.baselineWindowsObserved },
      { rows: 5_000, baseline: 1_000, threshold: 5_000, observed: 24 },
    );
  });

  test('the baseline is per user: another user’s habit does not raise yours', () => {
    const { observe, fired, clock } = setup((c) => (c.unusualExport.minimumRows = 100));
    for (let hour = 0; hour < 24; hour += 1) {
      observe(exported('heavy', 50_000));
      observe(exported('light', 50));
      clock.advance(HOUR);
    }
    assert.deepEqual(fired('unusual_export').map((a) => a.key), ['user:heavy'], 'only the heavy user’s very first export, without history, alerts');
    clock.advance(30 * MINUTE);
    observe(exported('heavy', 50_000));
    observe(exported('light', 249));
    assert.equal(fired('unusual_export').length, 1, '50 000 rows is the heavy user’s habit; 249 is below 5 × 50 for the light one');
    observe(exported('light', 1));
    assert.deepEqual(fired('unusual_export').map((a) => a.key), ['user:heavy', 'user:light'], 'the light user’s 250 rows reach 5 × their own baseline');
  });

  test('rows exported more than the window ago no longer count toward the current volume', () => {
    // multiplier 1: with the earlier 6 000 rows as baseline the threshold stays at minimumRows (10 000).
    const late = setup((c) => (c.unusualExport.multiplier = 1), Date.UTC(2026, 0, 5, 9, 0));
    late.observe(exported('user-1', 6_000));
    late.clock.advance(61 * MINUTE);
    late.observe(exported('user-1', 6_000));
    assert.equal(late.fired('unusual_export').length, 0, '6 000 rows an hour and a minute ago are out of the window');

    const early = setup((c) => (c.unusualExport.multiplier = 1), Date.UTC(2026, 0, 5, 9, 0));
    early.observe(exported('user-1', 6_000));
    early.clock.advance(59 * MINUTE);
    early.observe(exported('user-1', 6_000));
    assert.equal(early.fired('unusual_export').length, 1, 'within the hour the two exports add up to 12 000');
  });

  test('refused exports are not counted; one cut off near its end counts the rows it delivered', () => {
    const refused = setup();
    refused.observe(exported('user-1', 50_000, 'denied'));
    assert.equal(refused.fired('unusual_export').length, 0);
    const cutOff = setup();
    cutOff.observe(exported('user-1', 50_000, 'failure'));
    assert.equal(cutOff.fired('unusual_export').length, 1, 'an aborted download still carried 50 000 rows away');
  });
});

describe('off_hours', () => {
  const login = (userId: string): AuditEvent => ({ action: 'auth.login', outcome: 'success', actor: { userId, appId: 'field-app' } });

  test('working hours start at 07:00 and end before 19:00 on weekdays (UTC by default)', () => {
    const { observe, fired, clock } = setup();
    const at = (day: number, hour: number, minute: number, userId: string) => {
      clock.set(Date.UTC(2026, 0, day, hour, minute));
      observe(login(userId));
    };
    at(5, 6, 59, 'early');
    at(5, 7, 0, 'on-time');
    at(5, 18, 59, 'late-but-fine');
    at(5, 19, 0, 'too-late');
    at(10, 10, 0, 'saturday');
    assert.deepEqual(fired('off_hours').map((a) => a.key), ['user:early', 'user:too-late', 'user:saturday']);
    const saturday = fired('off_hours')[2]!;
    assert.equal(saturday.severity, 'low');
    assert.equal(saturday.detail.localTime, 'sat 10:00');
    assert.equal(saturday.detail.timeZone, 'UTC');
  });

  test('only watched actions by people count', () => {
    const { observe, fired } = setup(undefined, Date.UTC(2026, 0, 5, 2, 0));
    observe({ action: 'token.refresh', outcome: 'success', actor: { userId: 'user-1' } });
    observe({ action: 'job.read', outcome: 'failure', actor: { userId: 'user-1' } });
    observe({ action: 'job.read', outcome: 'success', actor: { userId: 'system' } });
    observe({ action: 'job.read', outcome: 'success', actor: {} });
    assert.equal(fired('off_hours').length, 0, 'not watched, not successful, or not a person');
    observe({ action: 'job.read', outcome: 'success', actor: { userId: 'user-1' } });
    assert.equal(fired('off_hours').length, 1, 'a person reading a job at 02:00 is watched');
  });

  test('working hours follow the time zone across the change to daylight saving time', () => {
    const { observe, fired, clock } = setup((c) => (c.offHours.workingHours.timeZone = 'Europe/Berlin'));
    const at = (utc: number, userId: string) => {
      clock.set(utc);
      observe(login(userId));
    };
    // Friday 27 March 2026 is CET (UTC+1); Monday 30 March is CEST (UTC+2).
    at(Date.UTC(2026, 2, 27, 5, 30), 'fri-0630');
    at(Date.UTC(2026, 2, 27, 6, 30), 'fri-0730');
    at(Date.UTC(2026, 2, 27, 17, 30), 'fri-1830');
    at(Date.UTC(2026, 2, 30, 5, 30), 'mon-0730');
    at(Date.UTC(2026, 2, 30, 17, 30), 'mon-1930');
    assert.deepEqual(
      fired('off_hours').map((a) => a.key),
      ['user:fri-0630', 'user:mon-1930'],
      '05:30 UTC is before work in winter but inside it in summer; 17:30 UTC the other way round',
    );
    assert.equal(fired('off_hours')[1]!.detail.localTime, 'mon 19:30');
  });

  test('a night shift belongs to the day it starts', () => {
    const { observe, fired, clock } = setup((c) => Object.assign(c.offHours.workingHours, { start: '22:00', end: '06:00' }));
    const at = (utc: number, userId: string) => {
      clock.set(utc);
      observe(login(userId));
    };
    at(Date.UTC(2026, 0, 10, 3, 0), 'saturday-0300'); // Friday's shift
    at(Date.UTC(2026, 0, 5, 3, 0), 'monday-0300'); // Sunday has no shift
    at(Date.UTC(2026, 0, 5, 12, 0), 'monday-noon');
    at(Date.UTC(2026, 0, 5, 22, 0), 'monday-2200');
    assert.deepEqual(fired('off_hours').map((a) => a.key), ['user:monday-0300', 'user:monday-noon']);
  });
});

describe('api_error_spike', () => {
  test('49 failing responses are too few to judge; the 50th raises the alert', () => {
    const { monitor, fired, clock } = setup();
    for (let i = 0; i < 49; i += 1) monitor.observeResponse({ appId: 'field-app', status: 503, at: clock.now() });
    assert.equal(fired('api_error_spike').length, 0, 'below minRequests (50) the rate is not judged');
    monitor.observeResponse({ appId: 'field-app', status: 503, at: clock.now() });
    const alerts = fired('api_error_spike');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.key, 'app:field-app');
    assert.deepEqual({ requests: alerts[0]!.detail.requests, errors: alerts[0]!.detail.errors }, { requests: 50, errors: 50 });
  });

  test('12 errors or refusals in 50 responses stay under 25%; the 13th raises the alert', () => {
    const { monitor, fired, clock } = setup();
    const respond = (status: number) => monitor.observeResponse({ appId: 'field-app', status, at: clock.now() });
    for (let i = 0; i < 38; i += 1) respond(i % 2 === 0 ? 200 : 404); // a 404 is the app's business, not a spike
    for (const status of [401, 403, 429, 500, 502, 503, 401, 403, 429, 500, 502, 503]) respond(status);
    assert.equal(fired('api_error_spike').length, 0, '12 of 50 is 24%');
    respond(401);
    assert.equal(fired('api_error_spike').length, 1, '13 of 51 is 25.5%');
    assert.equal(fired('api_error_spike')[0]!.detail.errors, 13);
  });

  test('responses older than the window no longer count, and each app is judged alone', () => {
    const { monitor, fired, clock } = setup();
    const respond = (appId: string) => monitor.observeResponse({ appId, status: 500, at: clock.now() });
    for (let i = 0; i < 49; i += 1) respond('field-app');
    clock.advance(6 * MINUTE);
    respond('field-app');
    respond('other-app');
    assert.equal(fired('api_error_spike').length, 0, 'the 49 earlier responses left the five-minute window');
    for (let i = 0; i < 48; i += 1) respond('field-app');
    assert.equal(fired('api_error_spike').length, 0, '49 in the window');
    respond('field-app');
    assert.deepEqual(fired('api_error_spike').map((a) => a.key), ['app:field-app'], 'the 50th in the window; other-app has one response');
  });
});

describe('compromised_device and refresh_token_reuse', () => {
  test('a compromised device raises a critical alert at once, then once per dedup window', () => {
    const { observe, fired, clock } = setup();
    const event: AuditEvent = { action: 'device.compromised', outcome: 'success', reason: 'attestation_failed', actor: { userId: 'user-1', deviceId: 'jkt-1' } };
    observe(event);
    let alerts = fired('compromised_device');
    assert.equal(alerts.length, 1, 'no threshold: the first report raises');
    assert.deepEqual({ key: alerts[0]!.key, severity: alerts[0]!.severity, reason: alerts[0]!.detail.reason }, { key: 'device:jkt-1', severity: 'critical', reason: 'attestation_failed' });
    clock.advance(14 * MINUTE);
    observe(event);
    assert.equal(fired('compromised_device').length, 1, 'a repeat within 15 minutes is held back');
    clock.advance(MINUTE);
    observe(event);
    alerts = fired('compromised_device');
    assert.equal(alerts.length, 2, '15 minutes after the first alert, the next one goes out');
    assert.equal(alerts[1]!.detail.suppressed, 1);
  });

  test('a reused refresh token raises a high alert keyed by the session', () => {
    const { observe, fired } = setup();
    observe({ action: 'token.reuse', outcome: 'denied', actor: { userId: 'user-1', sessionId: 'sess-1', deviceId: 'jkt-1', ip: '198.51.100.9' } });
    const alerts = fired('refresh_token_reuse');
    assert.equal(alerts.length, 1);
    assert.deepEqual({ key: alerts[0]!.key, severity: alerts[0]!.severity, ip: alerts[0]!.detail.ip }, { key: 'session:sess-1', severity: 'high', ip: '198.51.100.9' });
  });

  test('each can be disabled', () => {
    const { observe, alerts } = setup((c) => {
      c.compromisedDevice.enabled = false;
      c.refreshTokenReuse.enabled = false;
    });
    observe({ action: 'device.compromised', outcome: 'success', actor: { deviceId: 'jkt-1' } });
    observe({ action: 'token.reuse', outcome: 'denied', actor: { sessionId: 'sess-1' } });
    assert.equal(alerts.length, 0);
  });
});

describe('alerts name people only as whole values', () => {
  // An alert's summary becomes its audit record's free text and its key its resource; pseudonyms
  // and erasure replace a person's identifiers only where they stand as a whole value. A person in
  // the summary, or glued into `user:<id>`, would survive their erasure in every archive.
  test('no rule puts the person, their session or device into the summary; the audit resource carries the id whole', () => {
    const person = { userId: 'a1b2c3d4-person', sessionId: 'sess-person', deviceId: 'jkt-person', ip: '198.51.100.7', appId: 'field-app' };
    const { observe, alerts, clock } = setup(undefined, Date.UTC(2026, 0, 3, 23));
    for (let i = 0; i < 20; i += 1) observe(failedLogin({ ...person }));
    for (let i = 0; i < 5; i += 1) observe(failedLogin({ ip: person.ip }, { account: 'account-person@corp.test' }));
    observe({ action: 'auth.login', outcome: 'success', actor: { ...person } });
    observe({ action: 'export.jobs', outcome: 'success', actor: { ...person }, detail: { rows: 20_000 } });
    observe({ action: 'device.compromised', outcome: 'success', actor: { ...person } });
    observe({ action: 'token.reuse', outcome: 'denied', actor: { ...person } });
    clock.advance(MINUTE);
    assert.deepEqual([...new Set(alerts.map((a) => a.rule))].sort(), ['brute_force', 'compromised_device', 'off_hours', 'refresh_token_reuse', 'unusual_export']);
    for (const alert of alerts) {
      for (const value of [person.userId, person.sessionId, person.deviceId, 'account-person@corp.test']) {
        assert.ok(!alert.summary.includes(value), `${alert.rule}: "${alert.summary}" names ${value}`);
      }
      const resource = alertResource(alert.key);
      assert.ok(!resource.id.includes(':') || resource.type === 'ip', `${alert.rule}: ${JSON.stringify(resource)}`);
      assert.equal(`${resource.type}:${resource.id}`, alert.key, 'nothing of the key is lost');
    }
    const byKey = new Map(alerts.map((a) => [a.key, alertResource(a.key)]));
    assert.deepEqual(byKey.get(`user:${person.userId}`), { type: 'user', id: person.userId });
    assert.deepEqual(byKey.get(`session:${person.sessionId}`), { type: 'session', id: person.sessionId });
    assert.deepEqual(byKey.get(`device:${person.deviceId}`), { type: 'device', id: person.deviceId });
    assert.deepEqual(byKey.get('account:account-person@corp.test'), { type: 'account', id: 'account-person@corp.test' });
    assert.deepEqual(alertResource('nokind'), { type: 'alert', id: 'nokind' });
  });
});

describe('memory', () => {
  test('spraying 200 000 IPs keeps memory at the cap and does not make the monitor forget the account under attack', () => {
    const { observe, fired, monitor } = setup();
    for (let i = 0; i < 4; i += 1) observe(failedLogin({ userId: 'victim', ip: '198.51.100.1' }));
    for (let i = 0; i < 200_000; i += 1) {
      observe(failedLogin({ ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }));
    }
    // The IP table holds at most maxTrackedKeys; the account table one key, the victim.
    assert.ok(monitor.size() <= 100_000 + 1, `tracked keys must stay at the cap (100 000 IPs + 1 account), got ${monitor.size()}`);
    observe(failedLogin({ userId: 'victim', ip: '198.51.100.1' }));
    assert.deepEqual(
      fired('brute_force').map((a) => a.key),
      ['account:victim'],
      'the sprayed addresses are evicted among themselves; the account’s four earlier failures are still counted',
    );
  });

  test('keys are forgotten once neither their window nor their dedup window can matter', () => {
    const { observe, monitor, clock } = setup();
    for (let i = 0; i < 1_000; i += 1) observe(failedLogin({ ip: `10.0.${i >> 8}.${i & 255}` }));
    assert.equal(monitor.size(), 1_000);
    clock.advance(15 * MINUTE - 1);
    observe({ action: 'job.read', outcome: 'success', actor: {} });
    assert.equal(monitor.size(), 1_000, 'kept for the dedup window (15 minutes)');
    clock.advance(1);
    observe({ action: 'job.read', outcome: 'success', actor: {} });
    assert.equal(monitor.size(), 0, 'after it, nothing is left');
  });
});
