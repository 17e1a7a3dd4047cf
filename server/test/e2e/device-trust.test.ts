/**
 * Device trust end to end: Palisade started the README's way with a BYOD policy that requires a
 * posture report, minimum versions and no jailbreak; an app (openid-client) signs in and
 * refreshes with posture reports signed by its DPoP key. Refusals are RFC 9457 problems that
 * tell the app what to fix; a refused refresh leaves the refresh token usable once fixed; the
 * access token says BYOD; the managed configuration verifies against the JWKS and a tampered
 * copy does not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, compactVerify, createLocalJWKSet, decodeJwt, generateKeyPair, jwtVerify } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';

const POLICY = {
  default: {
    byod: { requirePosture: true, minAppVersion: '2.4.0', minOsVersion: { ios: '17.4' }, features: ['photos'] },
  },
};

/** What the app reports; tests change it between requests. */
let reported: Record<string, unknown> = {};
/** Signs with this key instead of the device's (a forgery). */
let signWith: CryptoKey | undefined;

async function postureOf(device: { keys: CryptoKeyPair }): Promise<string> {
  const claims = { platform: 'ios', os_version: '17.4', app_version: '2.4.0', app_build: '240', jailbroken: false, passcode_set: true, biometry: true, managed: false, jti: randomUUID(), ...reported };
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'palisade-posture+jwt' }).setIssuedAt().sign(signWith ?? device.keys.privateKey);
}

/** The answer of a token request openid-client refused (it throws on non-OAuth errors). */
async function refused(request: Promise<unknown>): Promise<{ status: number; type: string; body: Record<string, unknown>; contentType: string }> {
  try {
    await request;
  } catch (error) {
    const response = (error as { response?: Response }).response ?? (error as { cause?: Response }).cause;
    assert.ok(response instanceof Response, `the token request failed without an HTTP answer: ${String(error)}`);
    const body = (await response.clone().json()) as Record<string, unknown>;
    return { status: response.status, type: String(body.type), body, contentType: response.headers.get('content-type') ?? '' };
  }
  assert.fail('the token request succeeded but must be refused');
}

for (const kind of databaseKinds()) {
  describe(`device trust at sign-in and refresh (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let app: MobileApp;
    let phone: SignedIn;

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      server = await startPalisade({ ...federated.env, PALISADE_LOG_LEVEL: 'warn', PALISADE_DEVICE_POLICY: JSON.stringify(POLICY) });
      app = new MobileApp(server.url, server.ca);
      app.posture = (device) => postureOf(device);
      reported = {};
      phone = await app.signIn('u-tech');
    });
    after(async () => {
      await server?.stop();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('a compliant personal device gets tokens that say byod and compliant', () => {
      const claims = decodeJwt(phone.tokens.access_token);
      assert.equal(claims.device_ownership, 'byod', 'no MDM vouches for the device: it is personal');
      assert.equal(claims.device_compliant, true);
    });

    test('a refresh with an outdated app is refused 426 with the minimum version; the same refresh token works once updated', async () => {
      reported = { app_version: '2.3.9' };
      const answer = await refused(app.refresh(phone));
      assert.equal(answer.status, 426);
      assert.equal(answer.type, 'https://palisade.dev/problems/app-update-required');
      assert.match(answer.contentType, /application\/problem\+json/);
      assert.equal(answer.body.minAppVersion, '2.4.0');
      reported = { app_version: '2.4.0' };
      const tokens = await app.refresh(phone);
      phone = { ...phone, tokens };
      assert.equal(decodeJwt(tokens.access_token).device_compliant, true, 'the refused refresh did not spend the refresh token');
    });

    test('an OS one patch below the minimum is refused 426 os-update-required', async () => {
      reported = { os_version: '17.3.9' };
      const answer = await refused(app.refresh(phone));
      assert.equal(answer.status, 426);
      assert.equal(answer.type, 'https://palisade.dev/problems/os-update-required');
      assert.equal(answer.body.minOsVersion, '17.4');
      reported = {};
    });

    test('a report signed by another key is refused 400 posture-invalid', async () => {
      signWith = (await generateKeyPair('ES256')).privateKey;
      try {
        const answer = await refused(app.refresh(phone));
        assert.equal(answer.status, 400);
        assert.equal(answer.type, 'https://palisade.dev/problems/posture-invalid');
      } finally {
        signWith = undefined;
      }
    });

    test('a sign-in without a posture report is refused 400 posture-required', async () => {
      const bare = new MobileApp(server.url, server.ca);
      bare.posture = undefined;
      try {
        const answer = await refused(bare.signIn('u-tech'));
        assert.equal(answer.status, 400);
        assert.equal(answer.type, 'https://palisade.dev/problems/posture-required');
      } finally {
        await bare.close();
      }
    });

    test('a jailbroken device is refused 403 device-compromised at sign-in', async () => {
      reported = { jailbroken: true };
      try {
        const answer = await refused(app.signIn('u-tech'));
        assert.equal(answer.status, 403);
        assert.equal(answer.type, 'https://palisade.dev/problems/device-compromised');
      } finally {
        reported = {};
      }
    });

    test('the managed app configuration verifies against the JWKS, says BYOD rules, and a tampered copy fails', async () => {
      // The refusals above recorded the device as noncompliant; a good refresh records it compliant again.
      phone = { ...phone, tokens: await app.refresh(phone) };
      const answer = await app.call('/api/v1/app-config', phone.tokens.access_token);
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.headers.get('content-type') ?? '', /application\/jose/);
      const jwks = (await (await app.http.fetch(`${server.url}/oauth2/jwks`)).json()) as { keys: [] };
      const keys = createLocalJWKSet(jwks);
      const { payload, protectedHeader } = await jwtVerify(answer.text, keys, { issuer: server.url, typ: 'palisade-app-config+jwt' });
      assert.equal(protectedHeader.typ, 'palisade-app-config+jwt');
      assert.equal(payload.client_id, 'field-app');
      assert.equal(payload.ownership, 'byod');
      assert.equal(payload.compliance, 'compliant');
      assert.equal(payload.export_allowed, false);
      assert.equal(payload.offline_allowed, false);
      assert.deepEqual(payload.features, { photos: true, export: false, offline: false });
      assert.equal(payload.min_app_version, '2.4.0');
      assert.equal(payload.min_os_version, '17.4');
      assert.match(String(payload.sub), /^[0-9a-f-]{36}$/);
      assert.equal((payload.pins as { role: string }[])[0]!.role, 'current');
      assert.equal(payload.exp! - payload.iat!, 86_400);
      const [header, body, signature] = answer.text.split('.');
      const tampered = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
      tampered.export_allowed = true;
      await assert.rejects(compactVerify(`${header}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${signature}`, keys), /signature verification failed/);
    });
  });
}
