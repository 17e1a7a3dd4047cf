/**
 * A version minimum is not skipped by not showing the version, over HTTPS against a server
 * started the README's way. An app whose operator relaxed `requirePosture` but set
 * `minAppVersion` is refused `426 app-update-required` when it omits the posture report, at
 * sign-in and at refresh, as when its report names an older version; a conforming report signs
 * in; an app whose policy sets no minimum still signs in without a report. A web app
 * (`platform: web`, the SDK's web build) meets its app minimum with a web report, is refused
 * when it omits it, and a device app's web report (to escape the device rules) is refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, compliantPosture } from '../helpers/mobile-app.ts';

const CLIENTS = [
  { id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'] },
  { id: 'kiosk-app', name: 'Kiosk', redirectUris: ['http://127.0.0.1/callback'] },
  { id: 'web-app', name: 'Field Service on the web', platform: 'web', redirectUris: ['http://127.0.0.1/callback'] },
];
const RELAXED = { requirePosture: false, requireMfa: false };
const POLICY = {
  apps: {
    'field-app': { corporate: { ...RELAXED, minAppVersion: '2.4.0' }, byod: { ...RELAXED, minAppVersion: '2.4.0' } },
    'kiosk-app': { corporate: RELAXED, byod: RELAXED },
    'web-app': { byod: { requireMfa: false, requirePosture: true, minAppVersion: '2.4.0', minOsVersion: { ios: '17.4' } } },
  },
};
const PROBLEM = 'https://palisade.dev/problems/';

/** A report from an unmanaged iPhone with the given claims over the compliant ones. */
function report(device: { keys: CryptoKeyPair }, claims: Record<string, unknown>): Promise<string> {
  const all = { platform: 'ios', os_version: '18.1', app_version: '2.4.0', app_build: '240', jailbroken: false, passcode_set: true, biometry: true, managed: false, jti: randomUUID(), ...claims };
  return new SignJWT(all).setProtectedHeader({ alg: 'ES256', typ: 'palisade-posture+jwt' }).setIssuedAt().sign(device.keys.privateKey);
}

/** A browser's report as the SDK's web build makes it: the app version and the user agent's hints. */
function webReport(device: { keys: CryptoKeyPair }, claims: Record<string, unknown> = {}): Promise<string> {
  const all = { platform: 'web', app_version: '2.4.0', app_build: '240', browser: 'Chromium', browser_version: '131', os: 'Linux', mobile: false, jti: randomUUID(), ...claims };
  return new SignJWT(all).setProtectedHeader({ alg: 'ES256', typ: 'palisade-posture+jwt' }).setIssuedAt().sign(device.keys.privateKey);
}

async function refused(request: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    await request;
  } catch (error) {
    const response = (error as { response?: Response }).response ?? (error as { cause?: Response }).cause;
    assert.ok(response instanceof Response, `the token request failed without an HTTP answer: ${String(error)}`);
    return { status: response.status, body: (await response.clone().json()) as Record<string, unknown> };
  }
  assert.fail('the token request succeeded but must be refused');
}

for (const kind of databaseKinds()) {
  describe(`version minimums a device does not show (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let field: MobileApp;
    let kiosk: MobileApp;
    let web: MobileApp;

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      server = await startPalisade({ ...federated.env, PALISADE_LOG_LEVEL: 'warn', PALISADE_CLIENTS: JSON.stringify(CLIENTS), PALISADE_DEVICE_POLICY: JSON.stringify(POLICY) });
      field = new MobileApp(server.url, server.ca, 'field-app');
      kiosk = new MobileApp(server.url, server.ca, 'kiosk-app');
      web = new MobileApp(server.url, server.ca, 'web-app');
    });
    after(async () => {
      await server?.stop();
      await field?.close();
      await kiosk?.close();
      await web?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('omitting the posture report under minAppVersion: 426 app-update-required at sign-in', async () => {
      const withPosture = field.posture;
      field.posture = undefined;
      try {
        const answer = await refused(field.signIn('u-manager'));
        assert.equal(answer.status, 426);
        assert.equal(answer.body.type, `${PROBLEM}app-update-required`, 'a minimum the device does not show it meets is not met');
        assert.equal(answer.body.minAppVersion, '2.4.0');
      } finally {
        field.posture = withPosture;
      }
    });

    test('a report with a lower app version: 426 app-update-required', async () => {
      const withPosture = field.posture;
      field.posture = (device) => report(device, { app_version: '2.3.9' });
      try {
        const answer = await refused(field.signIn('u-manager'));
        assert.equal(answer.status, 426);
        assert.equal(answer.body.type, `${PROBLEM}app-update-required`);
      } finally {
        field.posture = withPosture;
      }
    });

    test('a report without an app version is refused (the report is malformed)', async () => {
      const withPosture = field.posture;
      field.posture = (device) => report(device, { app_version: undefined });
      try {
        const answer = await refused(field.signIn('u-manager'));
        assert.equal(answer.status, 400);
        assert.equal(answer.body.type, `${PROBLEM}posture-invalid`);
      } finally {
        field.posture = withPosture;
      }
    });

    test('a conforming report signs in; a refresh that then omits the report is refused 426, with it the refresh works', async () => {
      const session = await field.signIn('u-manager');
      assert.equal(decodeJwt(session.tokens.access_token).device_compliant, true);
      const withPosture = field.posture;
      field.posture = undefined;
      try {
        const answer = await refused(field.refresh(session));
        assert.equal(answer.status, 426);
        assert.equal(answer.body.type, `${PROBLEM}app-update-required`);
      } finally {
        field.posture = withPosture;
      }
      field.posture = (device) => compliantPosture(device);
      const tokens = await field.refresh(session);
      assert.equal(decodeJwt(tokens.access_token).device_compliant, true, 'the refused refresh did not spend the refresh token');
    });

    test('a policy without minimums: a relaxed app still signs in without a report', async () => {
      kiosk.posture = undefined;
      const session = await kiosk.signIn('u-manager');
      assert.equal(decodeJwt(session.tokens.access_token).device_ownership, 'byod');
    });

    test('a web app meets its app minimum with a web report (no OS minimum applies to a browser); below it, 426', async () => {
      web.posture = (device) => webReport(device);
      const session = await web.signIn('u-manager');
      const claims = decodeJwt(session.tokens.access_token);
      assert.deepEqual([claims.device_ownership, claims.device_compliant], ['byod', true], 'a browser is never a managed device');
      await web.refresh(session);
      web.posture = (device) => webReport(device, { app_version: '2.3.9' });
      const answer = await refused(web.signIn('u-manager'));
      assert.equal(answer.status, 426);
      assert.equal(answer.body.type, `${PROBLEM}app-update-required`);
    });

    test('attacker: a web app omitting its required report is refused 400 posture-required; a web report with device facts is refused', async () => {
      web.posture = undefined;
      const omitted = await refused(web.signIn('u-manager'));
      assert.equal(omitted.status, 400);
      assert.equal(omitted.body.type, `${PROBLEM}posture-required`);
      web.posture = (device) => webReport(device, { jailbroken: false, passcode_set: true });
      const claimed = await refused(web.signIn('u-manager'));
      assert.equal(claimed.body.type, `${PROBLEM}posture-invalid`);
    });

    test('attacker: a device app claiming to be a browser (to escape the device rules) is refused; a web app claiming a phone too', async () => {
      const withPosture = field.posture;
      field.posture = (device) => webReport(device);
      try {
        const answer = await refused(field.signIn('u-manager'));
        assert.equal(answer.status, 400);
        assert.equal(answer.body.type, `${PROBLEM}posture-invalid`);
        assert.match(String(answer.body.detail), /registered for ios and android/);
      } finally {
        field.posture = withPosture;
      }
      web.posture = (device) => report(device, {});
      const phone = await refused(web.signIn('u-manager'));
      assert.equal(phone.body.type, `${PROBLEM}posture-invalid`);
    });

    // Not a refusal: what a public web client is. Its id needs no secret, so the person on a
    // jailbroken phone whom the device app refuses signs in as the web app with a web report
    // (a browser states no device fact). `palisade config check` names every such client.
    test('residual: a jailbroken phone refused by the device app gets byod tokens as the public web app', async () => {
      const withPosture = field.posture;
      field.posture = (device) => report(device, { jailbroken: true, root_indicators: ['cydia'] });
      try {
        const answer = await refused(field.signIn('u-manager'));
        assert.equal(answer.body.type, `${PROBLEM}device-compromised`);
      } finally {
        field.posture = withPosture;
      }
      web.posture = (device) => webReport(device, { os: 'iOS', mobile: true });
      const session = await web.signIn('u-manager');
      const claims = decodeJwt(session.tokens.access_token);
      assert.deepEqual([claims.client_id, claims.device_ownership, claims.device_compliant], ['web-app', 'byod', true]);
    });
  });
}
