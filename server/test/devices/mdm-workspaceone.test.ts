/**
 * The Workspace ONE UEM adapter against a fake UEM API serving the documented devices/search
 * payload: aw-tenant-code with Basic or OAuth, page / pagesize to Total and the 204 past the end,
 * 429 Retry-After, ComplianceStatus and CompromisedStatus mapping, and event notifications with
 * Basic credentials: right, wrong, missing, malformed, and the older payload form.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkspaceOneAdapter, type MdmDeviceState, type WorkspaceOneConfig } from '../../src/devices/mdm/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { startFakeWorkspaceOne, ws1Event, type FakeWorkspaceOne } from './fakes/workspaceone.ts';
import { basic, postNotification } from './fakes/fake-server.ts';
import { startReceiver, type Receiver } from './fakes/receiver.ts';

const HOOK = { username: 'ws1-events', password: 'pal-ws1-hook-8c7b6a5f4e3d' };

async function all(iterable: AsyncIterable<MdmDeviceState>): Promise<MdmDeviceState[]> {
  const out: MdmDeviceState[] = [];
  for await (const s of iterable) out.push(s);
  return out;
}

describe('Workspace ONE inventory from /api/mdm/devices/search', () => {
  let fake: FakeWorkspaceOne;
  const waits: number[] = [];
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const adapter = (overrides: Partial<WorkspaceOneConfig> = {}) =>
    new WorkspaceOneAdapter({
      baseUrl: fake.url,
      tenantCode: fake.tenantCode,
      auth: { type: 'basic', username: fake.username, password: fake.password },
      webhookAuth: HOOK,
      pageSize: 2,
      http: { clock, sleep: async (ms) => void waits.push(ms) },
      ...overrides,
    });
  before(async () => {
    fake = await startFakeWorkspaceOne();
  });
  after(() => fake.close());

  test('pages by page / pagesize until Total, with aw-tenant-code and Basic on every request', async () => {
    fake.requests.length = 0;
    assert.equal((await all(adapter().listDevices())).length, 3);
    assert.deepEqual(fake.requests.map((r) => r.url.searchParams.get('page')), ['0', '1']);
    assert.ok(fake.requests.every((r) => r.headers['aw-tenant-code'] === fake.tenantCode && r.headers.authorization === basic(fake.username, fake.password)));
  });

  test('a 204 No Content ends the listing (no devices)', async () => {
    const saved = fake.devices;
    fake.devices = [];
    try {
      assert.deepEqual(await all(adapter().listDevices()), []);
    } finally {
      fake.devices = saved;
    }
  });

  test('OAuth: one client-credentials token from the token URL, then bearer requests', async () => {
    fake.requests.length = 0;
    const devices = await all(adapter({ auth: { type: 'oauth', tokenUrl: `${fake.url}/connect/token`, clientId: fake.clientId, clientSecret: fake.clientSecret } }).listDevices());
    assert.equal(devices.length, 3);
    assert.equal(fake.requests.filter((r) => r.url.pathname === '/connect/token').length, 1);
    assert.ok(fake.requests.filter((r) => r.url.pathname === '/api/mdm/devices/search').every((r) => r.headers.authorization === `Bearer ${fake.tokensIssued.at(-1)}`));
  });

  test('a 429 waits for Retry-After and retries the page', async () => {
    waits.length = 0;
    fake.failures.push({ status: 429, headers: { 'retry-after': '12' } });
    assert.equal((await all(adapter().listDevices())).length, 3);
    assert.deepEqual(waits, [12_000]);
  });

  test('maps ComplianceStatus, CompromisedStatus and EnrollmentStatus', async () => {
    const byId = new Map((await all(adapter().listDevices())).map((d) => [d.mdmDeviceId, d]));
    assert.deepEqual(byId.get('D20E0F3D66AF4B92B31E1DA394DF1E88'), {
      vendor: 'workspaceone',
      mdmDeviceId: 'D20E0F3D66AF4B92B31E1DA394DF1E88',
      platform: 'ios',
      osVersion: '11.2.2',
      managed: true,
      compliant: true,
      jailbroken: false,
      serial: 'DMPVXXXXHP3R',
      model: 'iPad Pro with Wi-Fi + Cellular (10.5-inch)(256 GB Rose Gold)',
      lastSeen: new Date('2018-03-15T08:08:09.460Z'),
      user: 'terry@corp.test',
    });
    const galaxy = byId.get('8F2C7A1E3B5D4C6E9A0B1C2D3E4F5061')!;
    assert.equal(galaxy.compliant, false);
    assert.equal(galaxy.jailbroken, true, 'CompromisedStatus true is a rooted device');
    assert.equal(galaxy.platform, 'android');
    const wiping = byId.get('0A1B2C3D4E5F60718293A4B5C6D7E8F9')!;
    assert.equal(wiping.managed, false, 'EnterpriseWipePending is leaving management');
    assert.equal(wiping.compliant, undefined, 'PendingComplianceCheck says nothing yet');
  });

  test('a wrong tenant code is an http-status error naming no secret', async () => {
    await assert.rejects(all(adapter({ tenantCode: 'wrong-tenant-code-value' }).listDevices()), (error: unknown) => {
      assert.equal((error as { reason?: string }).reason, 'http-status');
      assert.doesNotMatch((error as Error).message, /wrong-tenant-code-value/);
      return true;
    });
  });
});

describe('Workspace ONE event notifications', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver(new WorkspaceOneAdapter({ baseUrl: 'http://127.0.0.1:9', tenantCode: 't', auth: { type: 'basic', username: 'u', password: 'p' }, webhookAuth: HOOK }));
  });
  after(() => receiver.close());

  test('Compromised Status Changed with the right credentials reports jailbroken and noncompliant', async () => {
    assert.equal((await postNotification(receiver.url, ws1Event('event-notification'), { authorization: basic(HOOK.username, HOOK.password) })).status, 202);
    assert.deepEqual(receiver.changes.pop(), {
      vendor: 'workspaceone',
      mdmDeviceId: 'D20E0F3D66AF4B92B31E1DA394DF1E88',
      event: 'Compromised Status Changed',
      occurredAt: new Date('2022-01-16T09:13:59.572Z'),
      observed: { managed: true, compliant: false, jailbroken: true, platform: 'ios', osVersion: '11.2.2', serial: 'DMPVXXXXHP3R', user: 'terry@corp.test' },
      refresh: false,
      removed: false,
    });
  });

  test('the older form: /Date(ms)/ times, no Udid (the numeric DeviceId instead), Break MDM removes the device', async () => {
    assert.equal((await postNotification(receiver.url, ws1Event('event-notification-legacy'), { authorization: basic(HOOK.username, HOOK.password) })).status, 202);
    const change = receiver.changes.pop()!;
    assert.equal(change.mdmDeviceId, '616');
    assert.equal(change.removed, true);
    assert.equal(change.observed.managed, false);
    assert.equal(change.observed.jailbroken, undefined, 'an empty CompromisedStatus is not "not compromised"');
    assert.equal(change.observed.compliant, undefined);
    assert.deepEqual(change.occurredAt, new Date(1368076258271));
  });

  test('wrong, missing or non-Basic credentials are refused with 401 and nothing is parsed', async () => {
    const count = receiver.changes.length;
    const body = ws1Event('event-notification');
    assert.equal((await postNotification(receiver.url, body, { authorization: basic(HOOK.username, 'pal-ws1-hook-8c7b6a5f4e3e') })).text, '{"type":"credentials-invalid"}');
    assert.equal((await postNotification(receiver.url, body, { authorization: 'Basic !!!' })).status, 401);
    assert.equal((await postNotification(receiver.url, body)).text, '{"type":"credentials-missing"}');
    assert.equal(receiver.changes.length, count);
  });

  test('XML or a body without EventType is a 400 even with the right credentials', async () => {
    const auth = { authorization: basic(HOOK.username, HOOK.password) };
    assert.equal((await postNotification(receiver.url, '<Event><EventType>x</EventType></Event>', { ...auth, 'content-type': 'application/xml' })).status, 400);
    assert.equal((await postNotification(receiver.url, { DeviceId: 1 }, auth)).status, 400);
    assert.equal((await postNotification(receiver.url, { EventType: 'Device Wipe' }, auth)).status, 400, 'an event naming no device');
  });
});
