/**
 * Device trust across instances: a device the MDM stops vouching for mid-session loses access within
 * a second on another instance. Two Palisade processes (helpers/instances.ts) share one
 * PostgreSQL and one Redis, both configured with Jamf Pro pointed at a fake (devices/fakes/jamf.ts)
 * and a policy under which the field app runs on company-managed devices only.
 *
 * The fake's inventory holds Terry's iPhone, managed, passcode set, not jailbroken, user
 * terry@corp.test (the fake company IdP's Terry); the scheduled sync stores it. Terry signs in
 * with the token exchange answered by instance B, the app's posture report naming the device's
 * UDID: the token says corporate and B serves the API. Then Jamf's real `MobileDeviceUnEnrolled`
 * webhook reaches instance A (the public URL).
 *
 * Why an unenrolment and not "not compliant" or "jailbroken": Jamf has no compliance verdict, and
 * its webhooks carry no jailbreak or passcode state (docs/mdm.md, mdm/jamf.ts `parseWebhook`);
 * what a Jamf webhook can tell Palisade mid-session is that the device left management. Under a
 * policy that requires MDM, the device is then out of policy (`mdm-enrollment-required`):
 * A re-evaluates it, ends its session, and B must refuse the token and the refresh within a
 * second (the revocation feed). A forged webhook (wrong Basic password) changes nothing.
 *
 * PostgreSQL and Redis only: skipped with the reason when TEST_DATABASE_URL or TEST_REDIS_URL is
 * not set.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { Agent } from 'undici';
import { databaseKinds, openMigrated } from '../helpers/databases.ts';
import { startTwoInstances, type TwoInstances } from '../helpers/instances.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import { PEOPLE } from '../helpers/upstream-idp.ts';
import { JAMF_DEVICES, jamfWebhook, startFakeJamf, type FakeJamf } from '../devices/fakes/jamf.ts';
import { basic } from '../devices/fakes/fake-server.ts';

const HOOK_USER = 'jamf-webhooks';
const HOOK_PASSWORD = 'pal-e2e-jamf-hook-3b9e1f7a5c2d4e6f';
/** Terry's iPhone in the Jamf fixtures, as Jamf spells it there (lower case) and as Palisade keeps it. */
const UDID = '00008110-000a1b2c3d4e5f60';
const STORED_UDID = UDID.toUpperCase();
const TERRY = PEOPLE.find((p) => p.sub === 'u-tech')!;
/** The field app on company-managed devices only: a device the MDM does not vouch for is refused. */
const POLICY = { apps: { 'field-app': { byod: { requireMdm: true } } } };
const PROBLEM = 'https://palisade.dev/problems/';

const postgres = databaseKinds().find((k) => k.kind === 'postgres');
const skip = !postgres ? 'needs TEST_DATABASE_URL: two instances share one PostgreSQL' : !process.env.TEST_REDIS_URL ? 'needs TEST_REDIS_URL: the instances share one Redis' : false;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Terry's iPhone as the Jamf inventory lists it: managed, passcode set, not jailbroken, Terry's. */
function compliantIphone(): Record<string, unknown> {
  const fixture = JAMF_DEVICES.find((d) => String((d.general as { udid: string }).udid) === UDID)!;
  const copy = structuredClone(fixture) as { general: Record<string, unknown>; security: Record<string, unknown>; userAndLocation: Record<string, unknown> };
  copy.general.managed = true;
  copy.security = { ...copy.security, jailBreakDetected: false, passcodePresent: true };
  copy.userAndLocation = { ...copy.userAndLocation, emailAddress: TERRY.email };
  return copy;
}

describe('an MDM webhook to one instance ends a device’s access on the other (PostgreSQL + Redis)', { skip }, () => {
  let fake: FakeJamf;
  let instances: TwoInstances;
  let app: MobileApp;
  let agentA: Agent;
  let agentB: Agent;
  let phone: SignedIn;
  let deviceId: string;

  /** A Jamf webhook delivered to instance A (the public URL), with these Basic credentials. */
  const deliver = async (name: 'mobile-device-unenrolled', password: string) => {
    const response = await fetch(`${instances.publicUrl}/mdm/v1/jamf/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(HOOK_USER, password) },
      body: JSON.stringify(jamfWebhook(name)),
      dispatcher: agentA,
    } as RequestInit);
    await response.arrayBuffer();
    return response.status;
  };
  const owner = async <T,>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const db = await openMigrated(instances.database);
    try {
      return (await db.asOwner((q) => q.query<T>(sql, params))).rows;
    } finally {
      await db.close();
    }
  };
  /** `/api/v1/me` on instance B (the app's traffic goes there; proofs and signatures name the public URL). */
  const meAtB = () => app.call('/api/v1/me', phone.tokens.access_token);

  before(async () => {
    fake = await startFakeJamf();
    fake.devices = [compliantIphone()];
    instances = await startTwoInstances(postgres!, {
      redis: true,
      env: {
        PALISADE_DEVICE_POLICY: JSON.stringify(POLICY),
        PALISADE_MDM_JAMF_BASE_URL: fake.url,
        PALISADE_MDM_JAMF_AUTH_CLIENT_ID: fake.clientId,
        PALISADE_MDM_JAMF_AUTH_CLIENT_SECRET: fake.clientSecret,
        PALISADE_MDM_JAMF_WEBHOOK_AUTH_USERNAME: HOOK_USER,
        PALISADE_MDM_JAMF_WEBHOOK_AUTH_PASSWORD: HOOK_PASSWORD,
      },
    });
    const { a, b, publicUrl, bUrl } = instances;
    agentA = new Agent({ connect: { ca: a.ca } });
    // The first inventory sync runs within 10 s of the start, on whichever instance claims it.
    const deadline = Date.now() + 25_000;
    while ((await owner(`SELECT 1 FROM mdm_devices WHERE vendor = 'jamf' AND mdm_device_id = $1 AND synced_at IS NOT NULL`, [STORED_UDID])).length === 0) {
      if (Date.now() > deadline) throw new Error(`the Jamf inventory sync stored no device:\n${a.output()}\n${b.output()}`);
      await sleep(200);
    }
    // The browser's sign-in goes to the public URL (instance A, where the company IdP sends people
    // back). Everything the app itself sends (discovery, the code exchange with its posture
    // report, API calls, refreshes) reaches instance B, as a load balancer may route it: with the
    // public Host header, and DPoP proofs and request signatures naming the public URL (an
    // instance names its endpoints and checks a proof's htu after the Host it was called at).
    app = new MobileApp(publicUrl, a.ca);
    agentB = new Agent({ connect: { ca: b.ca } });
    // A load balancer keeps the public Host header; fetch would replace it, the dispatcher does not.
    const publicHost = new URL(publicUrl).host;
    const toB = agentB.compose((dispatch) => (options, handler) => {
      const given = options.headers;
      const headers = Array.isArray(given)
        ? [...given.flatMap((value, i) => (i % 2 === 0 && String(value).toLowerCase() !== 'host' ? [value, given[i + 1]!] : [])), 'host', publicHost]
        : { ...(given as Record<string, string> | undefined), host: publicHost };
      return dispatch({ ...options, headers }, handler);
    });
    app.http.fetch = ((url: string | URL, init?: RequestInit) => {
      const href = String(url);
      assert.ok(href.startsWith(`${publicUrl}/`), `the app called ${href}`);
      return fetch(`${bUrl}${href.slice(publicUrl.length)}`, { ...init, dispatcher: toB } as unknown as RequestInit);
    }) as typeof fetch;
    app.posture = (device) =>
      new SignJWT({ platform: 'ios', os_version: '17.4.1', app_version: '2.4.0', app_build: '240', jailbroken: false, passcode_set: true, biometry: true, managed: true, mdm_device_id: UDID, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'palisade-posture+jwt' })
        .setIssuedAt()
        .sign(device.keys.privateKey);
    phone = await app.signIn('u-tech');
    const [device] = await owner<{ id: string; ownership: string; compliance: string; mdm_device_id: string }>(`SELECT d.id, d.ownership, d.compliance, d.mdm_device_id FROM devices d JOIN users u ON u.id = d.user_id WHERE u.email = $1`, [TERRY.email]);
    assert.ok(device, 'the sign-in recorded Terry’s device');
    assert.deepEqual({ ownership: device.ownership, compliance: device.compliance, mdm: device.mdm_device_id }, { ownership: 'corporate', compliance: 'compliant', mdm: STORED_UDID });
    deviceId = device.id;
  });
  after(async () => {
    await app?.close();
    await agentA?.close();
    await agentB?.close();
    await instances?.close();
    await fake?.close();
  });

  test('the device the Jamf inventory vouches for signs in as corporate, and instance B serves the API', async () => {
    const claims = decodeJwt(phone.tokens.access_token);
    assert.equal(claims.device_ownership, 'corporate');
    assert.equal(claims.device_compliant, true);
    assert.ok((claims.cnf as { jkt?: string } | undefined)?.jkt, 'the token is bound to the device key');
    const me = await meAtB();
    assert.equal(me.status, 200, me.text);
  });

  test('a forged Jamf webhook (wrong Basic password) to instance A is refused 401 and changes nothing: B keeps serving', async () => {
    assert.equal(await deliver('mobile-device-unenrolled', 'forged-password-0123456789abcdef'), 401);
    // As long as a genuine one is given to take effect (below).
    await sleep(1000);
    const me = await meAtB();
    assert.equal(me.status, 200, me.text);
    const [stored] = await owner<{ managed: boolean; removed_at: Date | null }>(`SELECT managed, removed_at FROM mdm_devices WHERE vendor = 'jamf' AND mdm_device_id = $1`, [STORED_UDID]);
    assert.deepEqual(stored, { managed: true, removed_at: null });
    const [device] = await owner<{ compliance: string }>('SELECT compliance FROM devices WHERE id = $1', [deviceId]);
    assert.equal(device!.compliance, 'compliant');
    const refused = await owner<{ reason: string }>(`SELECT reason FROM audit_events WHERE action = 'mdm.webhook.refused'`);
    assert.deepEqual(refused.map((r) => r.reason), ['credentials-invalid']);
  });

  test('Jamf’s unenrolment webhook to instance A ends the session: B refuses the token within a second, and the refresh', async () => {
    const started = performance.now();
    assert.equal(await deliver('mobile-device-unenrolled', HOOK_PASSWORD), 202);
    const answered = performance.now() - started;
    let last: Awaited<ReturnType<typeof meAtB>>;
    do {
      last = await meAtB();
    } while (last.status === 200 && performance.now() - started < 1000);
    const ms = performance.now() - started;
    assert.equal(last.status, 401, `instance B still served the unenrolled device’s token ${ms.toFixed(0)} ms after the webhook: ${last.text}`);
    assert.equal(last.body.type, `${PROBLEM}session-revoked`);
    console.log(`Jamf webhook to instance A answered after ${answered.toFixed(1)} ms; instance B refused the token ${ms.toFixed(1)} ms after it was sent`);

    // The refresh token ended with the session (also at instance B).
    let refresh: { status: number; body: Record<string, unknown> } | undefined;
    try {
      await app.refresh(phone);
    } catch (error) {
      // openid-client: an OAuth error answer is a ResponseBodyError (status, the parsed body as
      // `cause`); another answer (a problem+json) comes with its unread Response.
      const { status, cause, response } = error as { status?: number; cause?: unknown; response?: Response };
      if (typeof status === 'number' && cause && typeof cause === 'object') refresh = { status, body: cause as Record<string, unknown> };
      else if (response instanceof Response) refresh = { status: response.status, body: (await response.json()) as Record<string, unknown> };
      else throw error;
    }
    assert.ok(refresh, 'the refresh of the ended session succeeded');
    assert.equal(refresh.status, 400);
    assert.equal(refresh.body.error, 'invalid_grant');

    // Recorded: the device is noncompliant, for the reason the policy gives, triggered by the notification.
    const [device] = await owner<{ ownership: string; compliance: string; compliance_reasons: string[] }>('SELECT ownership, compliance, compliance_reasons FROM devices WHERE id = $1', [deviceId]);
    assert.deepEqual(device, { ownership: 'byod', compliance: 'noncompliant', compliance_reasons: ['mdm-enrollment-required'] });
    let audited: { outcome: string; reason: string; detail: { trigger: string; violations: string[] } }[] = [];
    for (const deadline = Date.now() + 3000; audited.length === 0 && Date.now() < deadline; await sleep(100)) {
      audited = await owner(`SELECT outcome, reason, detail FROM audit_events WHERE action = 'device.noncompliant' AND resource_type = 'device' AND resource_id = $1`, [deviceId]);
    }
    assert.equal(audited.length, 1, 'one device.noncompliant record for the device');
    assert.equal(audited[0]!.outcome, 'success');
    assert.equal(audited[0]!.reason, 'mdm-enrollment-required');
    assert.equal(audited[0]!.detail.trigger, 'mdm.notification');
    const [session] = await owner<{ revoked_reason: string }>('SELECT revoked_reason FROM sessions WHERE device_id = $1', [deviceId]);
    assert.equal(session?.revoked_reason, 'device_noncompliant');
  });
});
