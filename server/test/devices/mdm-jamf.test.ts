/**
 * The Jamf Pro adapter against a fake Jamf Pro serving the documented
 * /api/v2/mobile-devices/detail payload: API client and user tokens, page / page-size to
 * totalCount, 429 Retry-After, jailbreak and passcode mapping, the enrollment token extension
 * attribute, and webhooks with Basic and header authentication: right, wrong, missing, malformed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JamfAdapter, checkDeviceBinding, normalizeMdmDeviceId, syncInventory, type JamfConfig, type MdmDeviceState } from '../../src/devices/mdm/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { startFakeJamf, jamfWebhook, type FakeJamf } from './fakes/jamf.ts';
import { basic, postNotification } from './fakes/fake-server.ts';
import { startReceiver, type Receiver } from './fakes/receiver.ts';

const HOOK_USER = 'jamf-webhooks';
const HOOK_PASSWORD = 'pal-jamf-hook-5e1d0c9b8a7f';
const HEADER = { name: 'x-palisade-webhook-secret', value: 'pal-jamf-header-0a9b8c7d6e5f' };

async function all(iterable: AsyncIterable<MdmDeviceState>): Promise<MdmDeviceState[]> {
  const out: MdmDeviceState[] = [];
  for await (const s of iterable) out.push(s);
  return out;
}

describe('Jamf Pro inventory from /api/v2/mobile-devices/detail', () => {
  let fake: FakeJamf;
  const waits: number[] = [];
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const adapter = (overrides: Partial<JamfConfig> = {}) =>
    new JamfAdapter({
      baseUrl: fake.url,
      auth: { type: 'client-credentials', clientId: fake.clientId, clientSecret: fake.clientSecret },
      webhookAuth: { type: 'basic', username: HOOK_USER, password: HOOK_PASSWORD },
      pageSize: 2,
      enrollmentTokenAttribute: 'Palisade enrollment token',
      http: { clock, sleep: async (ms) => void waits.push(ms) },
      ...overrides,
    });
  before(async () => {
    fake = await startFakeJamf();
  });
  after(() => fake.close());

  test('pages by page / page-size until totalCount, with an API client token', async () => {
    fake.requests.length = 0;
    const devices = await all(adapter().listDevices());
    assert.equal(devices.length, 3);
    const pages = fake.requests.filter((r) => r.url.pathname === '/api/v2/mobile-devices/detail');
    assert.deepEqual(pages.map((p) => [p.url.searchParams.get('page'), p.url.searchParams.get('page-size')]), [['0', '2'], ['1', '2']], 'two pages for three devices, no request past totalCount');
    assert.deepEqual(pages[0]!.url.searchParams.getAll('section'), ['GENERAL', 'HARDWARE', 'SECURITY', 'USER_AND_LOCATION']);
    const tokens = fake.requests.filter((r) => r.url.pathname === '/api/oauth/token');
    assert.equal(tokens.length, 1, 'one client-credentials token for the whole listing');
    assert.equal(new URLSearchParams(tokens[0]!.body).get('grant_type'), 'client_credentials');
  });

  test('a user account gets its token from /api/v1/auth/token with Basic (servers before 10.49)', async () => {
    fake.requests.length = 0;
    const devices = await all(adapter({ auth: { type: 'basic', username: fake.username, password: fake.password } }).listDevices());
    assert.equal(devices.length, 3);
    assert.equal(fake.requests.filter((r) => r.url.pathname === '/api/v1/auth/token').length, 1);
  });

  test('maps jailBreakDetected, passcodePresent, managed, the user and the enrollment token attribute', async () => {
    const byId = new Map((await all(adapter().listDevices())).map((d) => [d.mdmDeviceId, d]));
    assert.deepEqual(byId.get('0DAD565FB40B010A9E490440188063A378721069'), {
      vendor: 'jamf',
      mdmDeviceId: '0DAD565FB40B010A9E490440188063A378721069',
      platform: 'ios',
      osVersion: '11.4',
      managed: true,
      compliant: undefined,
      jailbroken: false,
      passcodeSet: false,
      serial: '5c28fdae',
      model: 'iPad 7th Generation (Wi-Fi)',
      lastSeen: new Date('2022-10-17T11:48:56.307Z'),
      user: 'ITBob@jamf.com',
    });
    const terry = byId.get('00008110-000A1B2C3D4E5F60')!;
    assert.equal(terry.jailbroken, true);
    assert.equal(terry.passcodeSet, true);
    assert.equal(terry.enrollmentToken, 'pal_enr_2f1c9a0b7d4e4b8f9a3c5d6e7f8091a2');
    const spare = byId.get('00008103-001122334455667E')!;
    assert.equal(spare.managed, false);
    assert.equal(spare.jailbroken, undefined, 'no security section: unknown');
    assert.equal(spare.user, undefined, 'a bare Jamf user name is not compared with a UPN');
  });

  test('a 429 waits for Retry-After (an HTTP date too) and the page is retried', async () => {
    waits.length = 0;
    fake.failures.push({ status: 429, headers: { 'retry-after': new Date(clock.now() + 30_000).toUTCString() } });
    assert.equal((await all(adapter().listDevices())).length, 3);
    assert.deepEqual(waits, [30_000]);
  });

  test('a Retry-After beyond the limit ends the sync at once, reported incomplete with the devices so far', async () => {
    waits.length = 0;
    const a = adapter({ http: { clock, sleep: async (ms) => void waits.push(ms), maxRetryAfterMs: 60_000 } });
    const states: string[] = [];
    // After the first page (two devices) is delivered, the second is throttled for an hour.
    const failures = fake.failures;
    let call = 0;
    const report = await syncInventory(
      {
        vendor: 'jamf',
        verifyWebhook: () => ({ ok: true }),
        parseWebhook: () => [],
        listDevices: (signal) => {
          return (async function* () {
            for await (const s of a.listDevices(signal)) {
              yield s;
              if (++call === 2) failures.push({ status: 429, headers: { 'retry-after': '3600' } });
            }
          })();
        },
      },
      async (s) => void states.push(s.mdmDeviceId),
    );
    assert.equal(report.complete, false);
    assert.equal(report.error?.reason, 'rate-limited');
    assert.equal(report.seen, 2, 'the first page was delivered before the throttled one');
    assert.deepEqual(waits, [], 'an hour is not slept through');
  });

  test('a sink failure on one device is counted and the sync goes on', async () => {
    const failed: string[] = [];
    const report = await syncInventory(adapter(), async (s) => {
      if (s.serial === '5c28fdae') throw new Error('database down');
    }, { onSinkError: (s) => failed.push(s.mdmDeviceId) });
    assert.equal(report.complete, true);
    assert.equal(report.seen, 3);
    assert.equal(report.stored, 2);
    assert.deepEqual(report.sinkFailures, ['0DAD565FB40B010A9E490440188063A378721069']);
    assert.deepEqual(failed, report.sinkFailures);
  });

  test('the enrollment token binds only with the same token; another person never binds', async () => {
    const terry = (await all(adapter().listDevices())).find((d) => d.user === 'terry@corp.test');
    assert.deepEqual(checkDeviceBinding(terry, { user: 'Terry@corp.test', enrollmentToken: 'pal_enr_2f1c9a0b7d4e4b8f9a3c5d6e7f8091a2', platform: 'ios' }), { ok: true });
    assert.deepEqual(checkDeviceBinding(terry, { user: 'terry@corp.test', enrollmentToken: 'pal_enr_2f1c9a0b7d4e4b8f9a3c5d6e7f8091a3' }), { ok: false, refusal: 'token-mismatch' });
    assert.deepEqual(checkDeviceBinding(terry, { user: 'terry@corp.test' }), { ok: false, refusal: 'token-mismatch' });
    assert.deepEqual(checkDeviceBinding(terry, { user: 'mallory@corp.test', enrollmentToken: 'pal_enr_2f1c9a0b7d4e4b8f9a3c5d6e7f8091a2' }), { ok: false, refusal: 'user-mismatch' });
    assert.deepEqual(checkDeviceBinding(terry, { user: 'terry@corp.test', enrollmentToken: 'pal_enr_2f1c9a0b7d4e4b8f9a3c5d6e7f8091a2', platform: 'android' }), { ok: false, refusal: 'platform-mismatch' });
    assert.deepEqual(checkDeviceBinding(undefined, { user: 'terry@corp.test' }), { ok: false, refusal: 'unknown-device' });
    assert.equal(normalizeMdmDeviceId('jamf', '$UDID'), undefined, 'an unexpanded Jamf variable is no device id');
  });
});

describe('Jamf Pro webhooks', () => {
  let basicReceiver: Receiver;
  let headerReceiver: Receiver;
  const config = { baseUrl: 'http://127.0.0.1:9', auth: { type: 'client-credentials' as const, clientId: 'c', clientSecret: 's' } };
  before(async () => {
    basicReceiver = await startReceiver(new JamfAdapter({ ...config, webhookAuth: { type: 'basic', username: HOOK_USER, password: HOOK_PASSWORD } }));
    headerReceiver = await startReceiver(new JamfAdapter({ ...config, webhookAuth: { type: 'header', ...HEADER } }));
  });
  after(async () => {
    await basicReceiver.close();
    await headerReceiver.close();
  });

  test('MobileDeviceCheckIn with the right Basic credentials: managed, seen, no user from a bare user name', async () => {
    const answer = await postNotification(basicReceiver.url, jamfWebhook('mobile-device-check-in'), { authorization: basic(HOOK_USER, HOOK_PASSWORD) });
    assert.equal(answer.status, 202);
    assert.deepEqual(basicReceiver.changes.pop(), {
      vendor: 'jamf',
      mdmDeviceId: '00008110-000A1B2C3D4E5F60',
      event: 'MobileDeviceCheckIn',
      occurredAt: new Date(1780300000000),
      observed: { platform: 'ios', managed: true, osVersion: '17.4.1', serial: 'F2LDXXXXXXHD1', model: 'iPhone 13', lastSeen: new Date(1780300000000) },
      refresh: false,
      removed: false,
    });
  });

  test('MobileDeviceUnEnrolled removes the device; ComputerCheckIn reads the nested computer', async () => {
    await postNotification(basicReceiver.url, jamfWebhook('mobile-device-unenrolled'), { authorization: basic(HOOK_USER, HOOK_PASSWORD) });
    const gone = basicReceiver.changes.pop()!;
    assert.equal(gone.removed, true);
    assert.equal(gone.observed.managed, false);
    await postNotification(basicReceiver.url, jamfWebhook('computer-check-in'), { authorization: basic(HOOK_USER, HOOK_PASSWORD) });
    const mac = basicReceiver.changes.pop()!;
    assert.equal(mac.mdmDeviceId, '5A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9');
    assert.equal(mac.observed.platform, 'macos');
    assert.equal(mac.observed.user, 'alex@corp.test');
  });

  test('wrong or missing Basic credentials are refused with 401 and nothing is parsed', async () => {
    const count = basicReceiver.changes.length;
    const body = jamfWebhook('mobile-device-check-in');
    assert.equal((await postNotification(basicReceiver.url, body, { authorization: basic(HOOK_USER, `${HOOK_PASSWORD}x`) })).text, '{"type":"credentials-invalid"}');
    assert.equal((await postNotification(basicReceiver.url, body, { authorization: basic('someone', HOOK_PASSWORD) })).status, 401);
    assert.equal((await postNotification(basicReceiver.url, body, { authorization: `Bearer ${HOOK_PASSWORD}` })).status, 401);
    assert.equal((await postNotification(basicReceiver.url, body)).text, '{"type":"credentials-missing"}');
    assert.equal((await postNotification(basicReceiver.url, body, { [HEADER.name]: HEADER.value })).status, 401, 'the header secret does not open a Basic webhook');
    assert.equal(basicReceiver.changes.length, count);
  });

  test('header authentication: the right header is accepted, a wrong or absent one refused', async () => {
    const body = jamfWebhook('mobile-device-check-in');
    assert.equal((await postNotification(headerReceiver.url, body, { [HEADER.name]: HEADER.value })).status, 202);
    assert.equal((await postNotification(headerReceiver.url, body, { [HEADER.name]: HEADER.value.slice(0, -1) })).status, 401);
    assert.equal((await postNotification(headerReceiver.url, body, { authorization: basic(HOOK_USER, HOOK_PASSWORD) })).text, '{"type":"credentials-missing"}');
  });

  test('a malformed body with the right credentials is a 400; an event Palisade does not use is accepted and ignored', async () => {
    const auth = { authorization: basic(HOOK_USER, HOOK_PASSWORD) };
    assert.equal((await postNotification(basicReceiver.url, '<xml/>', auth)).text, '{"type":"webhook-malformed"}');
    assert.equal((await postNotification(basicReceiver.url, { webhook: { webhookEvent: 'MobileDeviceCheckIn' }, event: { deviceName: 'no udid' } }, auth)).status, 400);
    const count = basicReceiver.changes.length;
    assert.equal((await postNotification(basicReceiver.url, { webhook: { webhookEvent: 'JSSStartup', eventTimestamp: 1 }, event: { jssUrl: 'x' } }, auth)).status, 202);
    assert.equal(basicReceiver.changes.length, count);
  });
});
