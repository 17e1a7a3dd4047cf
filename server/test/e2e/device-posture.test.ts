/**
 * Not reporting the device is no way around the device rules, over HTTPS against a server
 * started the README's way. A device app (a public client) must send a posture report with
 * every token request: without one, sign-in and refresh are refused with a problem. An app
 * whose operator relaxed `requirePosture` may sign in without one, and its session is then
 * judged as BYOD — the most restrictive ownership — by every decision: the token's claims,
 * export, the managed configuration (offline, export) and the MFA rule.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, compliantPosture } from '../helpers/mobile-app.ts';

const CLIENTS = [
  // A device app as configured by default: DPoP required, posture required.
  { id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'] },
  // A device app whose operator relaxed the posture requirement (and that accepts bearer tokens).
  { id: 'kiosk-app', name: 'Kiosk', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' },
];
const POLICY = { apps: { 'kiosk-app': { corporate: { requirePosture: false }, byod: { requirePosture: false } } } };

const PROBLEM = 'https://palisade.dev/problems/';

/** The answer of a token request openid-client refused (it throws on non-OAuth errors). */
async function refused(request: Promise<unknown>): Promise<{ status: number; type: string; contentType: string }> {
  try {
    await request;
  } catch (error) {
    const response = (error as { response?: Response }).response ?? (error as { cause?: Response }).cause;
    assert.ok(response instanceof Response, `the token request failed without an HTTP answer: ${String(error)}`);
    const body = (await response.clone().json()) as Record<string, unknown>;
    return { status: response.status, type: String(body.type), contentType: response.headers.get('content-type') ?? '' };
  }
  assert.fail('the token request succeeded but must be refused');
}

for (const kind of databaseKinds()) {
  describe(`a device that does not report itself (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let field: MobileApp;
    let kiosk: MobileApp;

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      server = await startPalisade({ ...federated.env, PALISADE_LOG_LEVEL: 'warn', PALISADE_CLIENTS: JSON.stringify(CLIENTS), PALISADE_DEVICE_POLICY: JSON.stringify(POLICY) });
      field = new MobileApp(server.url, server.ca, 'field-app');
      kiosk = new MobileApp(server.url, server.ca, 'kiosk-app');
      kiosk.posture = undefined;
    });
    after(async () => {
      await server?.stop();
      await field?.close();
      await kiosk?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('by default a device app that omits the posture report is refused at sign-in: 400 posture-required, problem+json', async () => {
      field.posture = undefined;
      try {
        const answer = await refused(field.signIn('u-manager'));
        assert.equal(answer.status, 400);
        assert.equal(answer.type, `${PROBLEM}posture-required`, 'a device app must say what device it runs on');
        assert.match(answer.contentType, /application\/problem\+json/);
      } finally {
        field.posture = (device) => compliantPosture(device);
      }
    });

    test('a device app that stops sending the report at refresh is refused 400 posture-required; with it the same refresh token works', async () => {
      const session = await field.signIn('u-manager');
      assert.equal(decodeJwt(session.tokens.access_token).device_ownership, 'byod');
      const withPosture = field.posture;
      field.posture = undefined;
      try {
        const answer = await refused(field.refresh(session));
        assert.equal(answer.status, 400);
        assert.equal(answer.type, `${PROBLEM}posture-required`);
        assert.match(answer.contentType, /application\/problem\+json/);
      } finally {
        field.posture = withPosture;
      }
      const tokens = await field.refresh(session);
      assert.equal(decodeJwt(tokens.access_token).device_ownership, 'byod', 'the refused refresh did not spend the refresh token');
    });

    test('an app relaxed by its operator signs in without a report, and its tokens say BYOD, not compliant', async () => {
      const session = await kiosk.signIn('u-manager');
      const claims = decodeJwt(session.tokens.access_token);
      assert.equal(claims.device_ownership, 'byod', 'an unknown device is the most restrictive kind');
      assert.equal(claims.device_compliant, false, 'nothing was reported: nothing is known to be compliant');
    });

    test('export is refused to a relaxed session without a report, and its managed configuration agrees', async () => {
      // A manager just signed in (step-up satisfied): only the device rule can refuse.
      const session = await kiosk.signIn('u-manager');
      const exported = await kiosk.call('/api/v1/exports/jobs.csv', session.tokens.access_token);
      assert.equal(exported.status, 403, `the export must be refused to an unreported device, got ${exported.status}: ${exported.text.slice(0, 200)}`);
      assert.equal(exported.body.type, `${PROBLEM}export-not-allowed-on-byod`);
      assert.match(exported.headers.get('content-type') ?? '', /application\/problem\+json/);
      const config = await kiosk.call('/api/v1/app-config', session.tokens.access_token);
      assert.equal(config.status, 200, config.text);
      assert.equal(decodeProtectedHeader(config.text).typ, 'palisade-app-config+jwt');
      const payload = decodeJwt(config.text);
      assert.equal(payload.ownership, 'byod');
      assert.equal(payload.export_allowed, false, 'the configuration says what the server enforces');
      assert.equal(payload.offline_allowed, false, 'no offline data on an unreported device');
    });

    test('a relaxed session with bearer tokens (no device key at all) is BYOD too: export refused', async () => {
      const session = await kiosk.signIn('u-manager', { dpop: false });
      assert.equal(decodeJwt(session.tokens.access_token).device_ownership, 'byod');
      const exported = await kiosk.call('/api/v1/exports/jobs.csv', session.tokens.access_token);
      assert.equal(exported.status, 403, exported.text.slice(0, 200));
      assert.equal(exported.body.type, `${PROBLEM}export-not-allowed-on-byod`);
    });

    test('the MFA rule of BYOD applies to a relaxed session without a report: a password-only sign-in is refused 401 mfa-required', async () => {
      upstream.singleFactor = true;
      try {
        const answer = await refused(kiosk.signIn('u-manager'));
        assert.equal(answer.status, 401);
        assert.equal(answer.type, `${PROBLEM}mfa-required`);
        assert.match(answer.contentType, /application\/problem\+json/);
      } finally {
        upstream.singleFactor = false;
      }
    });
  });
}
