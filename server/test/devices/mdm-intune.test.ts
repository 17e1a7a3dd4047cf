/**
 * The Intune adapter against a fake Microsoft identity platform and Graph serving the
 * documented managedDevice payloads: client credentials, @odata.nextLink paging to the end,
 * 429 with Retry-After, a revoked token, the compliance and jailbreak enumerations ("Unknown"
 * included), and change notifications: the validationToken handshake, clientState right,
 * wrong, missing, and malformed bodies.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { IntuneAdapter, MdmError, syncInventory, type IntuneConfig, type MdmDeviceState } from '../../src/devices/mdm/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { startFakeIntune, type FakeIntune } from './fakes/intune.ts';
import { postNotification } from './fakes/fake-server.ts';
import { startReceiver, type Receiver } from './fakes/receiver.ts';

const CLIENT_STATE = 'pal-intune-clientstate-3c1f9e2a7b';
const notification = JSON.parse(readFileSync(new URL('./fixtures/graph-change-notification.json', import.meta.url), 'utf8')) as { value: Record<string, unknown>[] };
const withClientState = (clientState: unknown): { value: Record<string, unknown>[] } => ({ value: notification.value.map((n) => ({ ...n, clientState })) });

async function all(iterable: AsyncIterable<MdmDeviceState>): Promise<MdmDeviceState[]> {
  const out: MdmDeviceState[] = [];
  for await (const s of iterable) out.push(s);
  return out;
}

describe('Intune inventory from Graph managedDevices', () => {
  let fake: FakeIntune;
  const waits: number[] = [];
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const adapter = (overrides: Partial<IntuneConfig> = {}) =>
    new IntuneAdapter({
      tenantId: fake.tenantId,
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      clientState: CLIENT_STATE,
      loginBaseUrl: fake.url,
      graphBaseUrl: fake.url,
      http: { clock, sleep: async (ms) => void waits.push(ms) },
      ...overrides,
    });
  before(async () => {
    fake = await startFakeIntune(2);
  });
  after(() => fake.close());

  test('pages by @odata.nextLink to the last page, with one client-credentials token', async () => {
    fake.requests.length = 0;
    const devices = await all(adapter().listDevices());
    assert.equal(devices.length, 5, 'five devices over three pages of two');
    const pages = fake.requests.filter((r) => r.url.pathname === '/v1.0/deviceManagement/managedDevices');
    assert.equal(pages.length, 3, 'one request per page, none after the page without nextLink');
    assert.equal(pages[0]!.url.searchParams.get('$select')?.split(',').includes('jailBroken'), true, 'the adapter asks for the properties it maps');
    const tokenRequests = fake.requests.filter((r) => r.url.pathname.endsWith('/oauth2/v2.0/token'));
    assert.equal(tokenRequests.length, 1, 'the token is reused across pages');
    const form = new URLSearchParams(tokenRequests[0]!.body);
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), `${fake.url}/.default`);
    assert.ok(pages.every((p) => p.headers.authorization === `Bearer ${fake.tokensIssued.at(-1)}`), 'every page carries the bearer token');
  });

  test('maps complianceState, jailBroken ("True", "False", "Unknown") and managementState', async () => {
    const byId = new Map((await all(adapter().listDevices())).map((d) => [d.mdmDeviceId, d]));
    assert.deepEqual(byId.get('705c034c-034c-705c-4c03-5c704c035c70'), {
      vendor: 'intune',
      mdmDeviceId: '705c034c-034c-705c-4c03-5c704c035c70',
      platform: 'ios',
      osVersion: '17.4.1',
      managed: true,
      compliant: true,
      jailbroken: false,
      serial: 'F2LXK0AAHG7F',
      model: 'iPhone 15',
      lastSeen: new Date('2026-06-01T07:58:46.715Z'),
      user: 'terry@corp.test',
    });
    const pixel = byId.get('2c8a1e6b-91f4-4b7d-a0d3-6e5f4c3b2a19');
    assert.ok(pixel, 'an upper-case Graph id is stored in lower case, the spelling the app reports');
    assert.equal(pixel.compliant, false);
    assert.equal(pixel.jailbroken, true, '"True" is jailbroken');
    assert.equal(pixel.platform, 'android');
    const ipad = byId.get('9d1f5e0a-3b2c-4d8e-9f10-a1b2c3d4e5f6')!;
    assert.equal(ipad.jailbroken, undefined, '"Unknown" stays unknown, never "not jailbroken"');
    assert.equal(ipad.compliant, undefined, 'complianceState unknown stays unknown');
    assert.equal(ipad.user, undefined, 'an empty UPN is no user');
    assert.equal(ipad.platform, 'ios', 'iPadOS is an iOS device');
    const retiring = byId.get('c0ffee00-1111-2222-3333-444455556666')!;
    assert.equal(retiring.managed, false, 'retirePending is leaving management');
    assert.equal(retiring.compliant, true, 'inGracePeriod counts as compliant, as Intune Conditional Access does');
    assert.equal(byId.get('0e4d3c2b-1a09-4876-8543-210fedcba987')!.compliant, undefined, 'complianceState error says nothing');
  });

  test('a 429 waits for Retry-After and retries the same page', async () => {
    waits.length = 0;
    fake.failures.push({ status: 429, headers: { 'retry-after': '7' } }, { status: 503 });
    const devices = await all(adapter().listDevices());
    assert.equal(devices.length, 5, 'the listing completes after the throttled page is retried');
    assert.deepEqual(waits, [7000, 2000], 'Retry-After seconds are honoured; a 503 without it backs off exponentially (second attempt)');
  });

  test('throttling past the attempt limit ends the sync with rate-limited, reported incomplete', async () => {
    for (let i = 0; i < 5; i++) fake.failures.push({ status: 429, headers: { 'retry-after': '1' } });
    const stored: string[] = [];
    const report = await syncInventory(adapter(), async (s) => void stored.push(s.mdmDeviceId));
    assert.equal(report.complete, false, 'a cut-short listing must not be read as devices having left');
    assert.equal(report.error?.reason, 'rate-limited');
    assert.equal(stored.length, 0);
    fake.failures.length = 0;
  });

  test('a revoked token is renewed once and the page retried', async () => {
    const a = adapter();
    await all(a.listDevices());
    const before = fake.tokensIssued.length;
    fake.revokeTokens();
    assert.equal((await all(a.listDevices())).length, 5);
    assert.equal(fake.tokensIssued.length, before + 1, 'one new token after the 401');
  });

  test('a refused client secret is token-refused, and the error names no secret', async () => {
    await assert.rejects(all(adapter({ clientSecret: 'wrong-secret-value-xyz' }).listDevices()), (error: unknown) => {
      assert.ok(error instanceof MdmError);
      assert.equal(error.reason, 'token-refused');
      assert.match(error.message, /invalid_client/);
      assert.doesNotMatch(error.message, /wrong-secret-value-xyz|AADSTS/, 'the token endpoint echoed the secret; the error must not');
      return true;
    });
  });

  test('an @odata.nextLink to another host is refused: the token never leaves Graph', async () => {
    fake.foreignNextLink = 'http://127.0.0.2:9/v1.0/deviceManagement/managedDevices';
    try {
      await assert.rejects(all(adapter().listDevices()), (error: unknown) => error instanceof MdmError && error.reason === 'foreign-next-link');
      assert.ok(!fake.requests.some((r) => r.url.host === '127.0.0.2:9'));
    } finally {
      fake.foreignNextLink = undefined;
    }
  });

  test('getDevice reads one device, and undefined for one Graph does not know', async () => {
    const a = adapter();
    assert.equal((await a.getDevice('705C034C-034C-705C-4C03-5C704C035C70'))?.serial, 'F2LXK0AAHG7F');
    assert.equal(await a.getDevice('00000000-0000-0000-0000-000000000000'), undefined);
    assert.equal(await a.getDevice('{{deviceid}}'), undefined, 'an unexpanded AppConfig variable is no device id');
  });
});

describe('Intune change notifications', () => {
  let receiver: Receiver;
  const adapter = new IntuneAdapter({ tenantId: 't', clientId: 'c', clientSecret: 's', clientState: ['pal-old-clientstate-000000', CLIENT_STATE], loginBaseUrl: 'http://127.0.0.1:9', graphBaseUrl: 'http://127.0.0.1:9' });
  before(async () => {
    receiver = await startReceiver(adapter);
  });
  after(() => receiver.close());

  test('the validationToken handshake is echoed as text/plain', async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 7ef2b56d';
    const answer = await postNotification(`${receiver.url}?validationToken=${encodeURIComponent(token)}`, '');
    assert.equal(answer.status, 200);
    assert.match(answer.contentType ?? '', /^text\/plain/);
    assert.equal(answer.text, token, 'Graph requires the decoded token back exactly');
  });

  test('a handshake token with markup or control characters is not echoed', () => {
    assert.equal(adapter.handshake({ headers: {}, rawBody: '', query: new URLSearchParams({ validationToken: 'a\nb' }) }), undefined);
    assert.equal(adapter.handshake({ headers: {}, rawBody: '', query: new URLSearchParams({ validationToken: 'x'.repeat(2000) }) }), undefined);
  });

  test('a notification with the right clientState is accepted and asks for a refresh of that device', async () => {
    receiver.changes.length = 0;
    const answer = await postNotification(receiver.url, withClientState(CLIENT_STATE));
    assert.equal(answer.status, 202);
    assert.deepEqual(receiver.changes, [{ vendor: 'intune', mdmDeviceId: '705c034c-034c-705c-4c03-5c704c035c70', event: 'updated', observed: {}, refresh: true, removed: false }]);
    assert.equal((await postNotification(receiver.url, withClientState('pal-old-clientstate-000000'))).status, 202, 'the previous clientState still works during a rotation');
  });

  test('a wrong or missing clientState is refused, and nothing is parsed', async () => {
    receiver.changes.length = 0;
    assert.deepEqual(await postNotification(receiver.url, withClientState(`${CLIENT_STATE}x`)), { status: 401, contentType: 'application/json', text: '{"type":"credentials-invalid"}' });
    assert.equal((await postNotification(receiver.url, withClientState(undefined))).text, '{"type":"credentials-missing"}');
    const mixed = { value: [...withClientState(CLIENT_STATE).value, ...withClientState('forged').value] };
    assert.equal((await postNotification(receiver.url, mixed)).status, 401, 'one forged item refuses the whole delivery');
    assert.equal(receiver.changes.length, 0);
  });

  test('a malformed body is a 400', async () => {
    assert.equal((await postNotification(receiver.url, '{"value": [')).status, 400);
    assert.equal((await postNotification(receiver.url, { value: [] })).status, 400);
    assert.equal((await postNotification(receiver.url, { value: 'x' })).status, 400);
  });

  test('a deleted device is removed; lifecycle notifications name no device', () => {
    const deleted = withClientState(CLIENT_STATE);
    deleted.value[0]!.changeType = 'deleted';
    assert.deepEqual(adapter.parseWebhook(JSON.stringify(deleted))[0]?.removed, true);
    const lifecycle = { value: [{ subscriptionId: 's', clientState: CLIENT_STATE, lifecycleEvent: 'missed', resource: 'deviceManagement/managedDevices' }] };
    assert.deepEqual(adapter.parseWebhook(JSON.stringify(lifecycle)), []);
  });

  test('a weak clientState is refused at configuration', () => {
    assert.throws(() => new IntuneAdapter({ tenantId: 't', clientId: 'c', clientSecret: 's', clientState: 'short' }), /at least 16/);
  });
});
