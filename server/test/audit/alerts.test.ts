/**
 * Alert delivery to webhooks: a signed JSON alert a receiver can verify (and cannot forge without
 * the secret), a Slack message that cannot smuggle markup, and a failing receiver that is retried,
 * given up on and logged without its URL or secret — all without ever throwing into the caller.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ManualClock } from '../../src/clock.ts';
import { WebhookDelivery, webhookProblems, type AlertLog, type WebhookConfig } from '../../src/audit/alerts.ts';
import type { Alert } from '../../src/audit/monitor.ts';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const SECRET_PATH = '/services/T0000/B0000/Zq9sEcReTpAtH';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback; `status` decides its answer, `null` never answers. */
let server: Server;
let base: string;
let received: Received[] = [];
let status: number | null = 200;

before(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (status !== null) response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received = [];
  status = 200;
});

function recordingLog() {
  const lines: { level: 'warn' | 'error'; obj: object; msg: string }[] = [];
  const log: AlertLog = {
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
  return { log, lines };
}

const webhook = (fields: Partial<WebhookConfig> = {}): WebhookConfig => ({ url: `${base}/hook`, format: 'json', minSeverity: 'low', ...fields });

const alert = (fields: Partial<Alert> = {}): Alert => ({
  rule: 'brute_force',
  key: 'account:user-1',
  severity: 'high',
  summary: '5 failed sign-ins for one account within 5m.',
  at: Date.UTC(2026, 0, 5, 9),
  detail: { failures: 5, threshold: 5, window: '5m', userId: 'user-1', suppressed: 0 },
  ...fields,
});

/** What a receiver does, written from the documentation rather than from the sender's code. */
function verifies(header: string | undefined, body: string, secret: string, nowSeconds: number): boolean {
  const fields = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(fields.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !fields.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(fields.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhook delivery', () => {
  test('a json delivery carries the alert and a signature that verifies with the secret and with no other', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 7, 500));
    const delivery = new WebhookDelivery({ webhooks: [webhook({ secret: SECRET })], log: recordingLog().log, clock });
    const sent = alert();
    delivery.deliver(sent);
    await delivery.flush();
    assert.equal(received.length, 1, 'one alert, one request');
    const [request] = received as [Received];
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), sent, 'the body is the alert itself');
    const header = request.headers['palisade-signature'] as string | undefined;
    const now = Math.floor(clock.now() / 1000);
    assert.match(header ?? '', new RegExp(`^t=${now},v1=[0-9a-f]{64}$`), 't is the injected clock in unix seconds');
    assert.equal(verifies(header, request.body, SECRET, now), true, 'the receiver holding the secret accepts it');
    assert.equal(verifies(header, request.body, 'another-secret-0123456789abcdef0123', now), false, 'any other secret rejects it');
    assert.equal(verifies(header, request.body.replace('user-1', 'user-2'), SECRET, now), false, 'a changed body rejects it');
    assert.equal(verifies(header, request.body, SECRET, now + 301), false, 'more than five minutes later it is a replay');
  });

  test('without a secret no signature is sent', async () => {
    const delivery = new WebhookDelivery({ webhooks: [webhook()], log: recordingLog().log, clock: new ManualClock() });
    delivery.deliver(alert());
    await delivery.flush();
    assert.equal(received.length, 1);
    assert.equal(received[0]!.headers['palisade-signature'], undefined);
  });

  test('a slack delivery is one line of text with severity, rule, summary and the user or account it is about, and markup in it is escaped', async () => {
    const delivery = new WebhookDelivery({ webhooks: [webhook({ format: 'slack' })], log: recordingLog().log, clock: new ManualClock() });
    delivery.deliver(alert({ summary: 'Someone <!channel> did\nexport & more <https://evil.example|click>.' }));
    delivery.deliver(alert({ summary: 'A user did auth.login outside working hours.', detail: { userId: '<@U123>', suppressed: 0 } }));
    delivery.deliver(alert({ summary: 'Many failed sign-ins.', detail: { account: 'a&b', suppressed: 0 } }));
    delivery.deliver(alert({ summary: 'A device reported itself compromised.', detail: { deviceId: 'd-1', suppressed: 0 } }));
    await delivery.flush();
    const texts = received.map((r) => (JSON.parse(r.body) as { text: string }).text).sort();
    const body = JSON.parse(received[0]!.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['text'], 'Slack incoming webhooks take { text }');
    // Who it is about comes from the detail (escaped like the rest); nobody when the detail names nobody.
    assert.deepEqual(texts, [
      '[HIGH] brute_force: A device reported itself compromised.',
      '[HIGH] brute_force: A user did auth.login outside working hours. (user &lt;@U123&gt;)',
      '[HIGH] brute_force: Many failed sign-ins. (account a&amp;b)',
      '[HIGH] brute_force: Someone &lt;!channel&gt; did export &amp; more &lt;https://evil.example|click&gt;. (user user-1)',
    ]);
    assert.equal(received[0]!.headers['content-type'], 'application/json');
  });

  test('a webhook only receives alerts at or above its minimum severity', async () => {
    const delivery = new WebhookDelivery({ webhooks: [webhook({ minSeverity: 'high' })], log: recordingLog().log, clock: new ManualClock() });
    delivery.deliver(alert({ rule: 'off_hours', severity: 'low' }));
    delivery.deliver(alert({ rule: 'api_error_spike', severity: 'medium' }));
    delivery.deliver(alert({ rule: 'brute_force', severity: 'high' }));
    delivery.deliver(alert({ rule: 'compromised_device', severity: 'critical' }));
    await delivery.flush();
    assert.deepEqual(received.map((r) => (JSON.parse(r.body) as Alert).rule).sort(), ['brute_force', 'compromised_device']);
  });

  test('a failing endpoint is retried, then given up without throwing, and the log names neither the URL path nor the secret', async () => {
    status = 500;
    const { log, lines } = recordingLog();
    const delivery = new WebhookDelivery({ webhooks: [webhook({ url: `${base}${SECRET_PATH}`, secret: SECRET })], log, clock: new ManualClock(), retryDelaysMs: [10, 20] });
    assert.doesNotThrow(() => delivery.deliver(alert()));
    await delivery.flush();
    assert.equal(received.length, 3, 'three attempts in all');
    assert.ok(received.every((r) => r.url === SECRET_PATH));
    assert.deepEqual(lines.map((l) => l.level), ['warn', 'warn', 'error'], 'each retry is a warning; giving up is an error');
    const logged = JSON.stringify(lines);
    assert.ok(!logged.includes('Zq9sEcReTpAtH') && !logged.includes('/services'), 'a webhook URL path may be a secret (Slack) and must not be logged');
    assert.ok(!logged.includes(SECRET), 'the signing secret must never be logged');
    assert.deepEqual(lines[2]!.obj, { event: 'alert.delivery_failed', rule: 'brute_force', webhook: base, attempt: 3, attempts: 3, reason: 'HTTP 500' });
  });

  test('every attempt is told to the delivery log, by origin only; a log that throws changes nothing', async () => {
    status = 500;
    const attempts: unknown[] = [];
    const delivery = new WebhookDelivery({
      webhooks: [webhook({ url: `${base}${SECRET_PATH}`, secret: SECRET }), webhook({ url: `${base}/second` })],
      log: recordingLog().log,
      clock: new ManualClock(),
      retryDelaysMs: [10],
      onAttempt: (a) => {
        attempts.push(a);
        throw new Error('the log is down');
      },
    });
    delivery.deliver(alert());
    await delivery.flush();
    assert.equal(received.length, 4, 'both webhooks, two attempts each, despite the throwing log');
    const told = (attempts as { webhook: number; attempt: number; outcome: string; reason: string; origin: string }[]).map((a) => [a.webhook, a.attempt, a.outcome, a.reason, a.origin]).sort();
    assert.deepEqual(told, [[0, 1, 'retrying', 'HTTP 500', base], [0, 2, 'failed', 'HTTP 500', base], [1, 1, 'retrying', 'HTTP 500', base], [1, 2, 'failed', 'HTTP 500', base]]);
    const text = JSON.stringify(attempts);
    assert.ok(!text.includes('Zq9sEcReTpAtH') && !text.includes(SECRET) && !text.includes('/second'));
    received = [];
    status = 200;
    delivery.deliver(alert());
    await delivery.flush();
    assert.deepEqual((attempts.slice(4) as { outcome: string; reason: string | null }[]).map((a) => [a.outcome, a.reason]), [['delivered', null], ['delivered', null]]);
  });

  test('an answer that retrying cannot fix (404) is given up at once', async () => {
    status = 404;
    const { log, lines } = recordingLog();
    const delivery = new WebhookDelivery({ webhooks: [webhook()], log, clock: new ManualClock(), retryDelaysMs: [10, 20] });
    delivery.deliver(alert());
    await delivery.flush();
    assert.equal(received.length, 1, 'a revoked webhook answers 404 however often it is asked');
    assert.deepEqual(lines.map((l) => l.level), ['error']);
  });

  test('an endpoint that does not answer is cut off by the timeout', async () => {
    status = null;
    const { log, lines } = recordingLog();
    const delivery = new WebhookDelivery({ webhooks: [webhook()], log, clock: new ManualClock(), timeoutMs: 100, retryDelaysMs: [] });
    const started = performance.now();
    delivery.deliver(alert());
    await delivery.flush();
    assert.ok(performance.now() - started < 5_000, 'the attempt ends at the timeout, not whenever the receiver pleases');
    assert.equal(lines.length, 1);
    assert.equal((lines[0]!.obj as { reason: string }).reason, 'timeout');
    server.closeAllConnections();
  });

  test('an unreachable endpoint is given up with the error code, not the error message', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { log, lines } = recordingLog();
    const delivery = new WebhookDelivery({ webhooks: [webhook({ url: `http://127.0.0.1:${port}${SECRET_PATH}` })], log, clock: new ManualClock(), retryDelaysMs: [] });
    delivery.deliver(alert());
    await delivery.flush();
    assert.equal((lines[0]!.obj as { reason: string }).reason, 'ECONNREFUSED');
    assert.ok(!JSON.stringify(lines).includes(SECRET_PATH));
  });

  test('an alert that cannot be encoded is logged, never thrown to the caller', async () => {
    const { log, lines } = recordingLog();
    const delivery = new WebhookDelivery({ webhooks: [webhook()], log, clock: new ManualClock() });
    assert.doesNotThrow(() => delivery.deliver(alert({ detail: { rows: 10n } })), 'a BigInt makes JSON.stringify throw');
    await delivery.flush();
    assert.equal(received.length, 0);
    assert.deepEqual(lines.map((l) => l.level), ['error']);
  });

  test('close gives up deliveries waiting to retry and refuses new alerts', async () => {
    status = 503;
    const { log, lines } = recordingLog();
    const delivery = new WebhookDelivery({ webhooks: [webhook()], log, clock: new ManualClock(), retryDelaysMs: [60_000] });
    delivery.deliver(alert());
    while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await delivery.close();
    assert.ok(performance.now() - started < 5_000, 'shutdown does not wait out a one-minute backoff');
    assert.deepEqual(lines.map((l) => l.level), ['warn', 'error']);
    delivery.deliver(alert());
    await delivery.flush();
    assert.equal(received.length, 1, 'nothing is sent after close');
    assert.equal(lines.at(-1)!.level, 'warn');
  });
});

describe('webhook configuration', () => {
  test('webhooks must use https, except a loopback receiver outside production', () => {
    const hooks = [
      webhook({ url: 'https://hooks.slack.com/services/T/B/X', format: 'slack' }),
      webhook({ url: 'http://127.0.0.1:9000/hook' }),
      webhook({ url: 'http://alerts.example.com/hook' }),
    ];
    assert.deepEqual(webhookProblems(hooks).map((p) => p.path), ['[2].url'], 'plain http to another host is refused');
    assert.deepEqual(webhookProblems(hooks, { production: true }).map((p) => p.path), ['[1].url', '[2].url'], 'production refuses plain http altogether');
    assert.deepEqual(webhookProblems([webhook({ format: 'slack', secret: SECRET })]).map((p) => p.path), ['[0].secret'], 'Slack messages are not signed');
  });

  test('delivery refuses to start with a bad webhook and does not repeat its URL', () => {
    assert.throws(
      () => new WebhookDelivery({ webhooks: [webhook({ url: `http://alerts.example.com${SECRET_PATH}` })], log: recordingLog().log, clock: new ManualClock() }),
      (error: Error) => /webhooks\[0\]\.url/.test(error.message) && !error.message.includes(SECRET_PATH),
    );
  });
});
