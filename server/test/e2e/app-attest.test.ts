/**
 * App Attest end to end: Palisade in process with `clients[].attestation.apple` configured for
 * the field app and a BYOD policy that requires attestation; the only thing a test changes is
 * the trust anchor (a fake Apple's root, given to startServer, never through configuration).
 * The app (openid-client on a DPoP key) enrols its App Attest key with an attestation of its
 * DPoP key's thumbprint in the posture report at sign-in, and proves it with an assertion over
 * `<jkt>.<jti>` at each refresh. A chain from another root, an attestation for another app or
 * Android evidence (Play Integrity is not built) are refused posture-invalid; no evidence at all
 * is refused attestation-required.
 */
import 'reflect-metadata'; // @peculiar/x509 (the fake Apple) needs it before it loads
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { APP_ID, OTHER_APP_ID, assertion, attest, deviceKey, fakeApple, type DeviceKey, type FakeApple } from '../devices/fakes/app-attest.ts';

const PROBLEM = 'https://palisade.dev/problems/';

const CLIENTS = [
  {
    id: 'field-app',
    name: 'Field Service',
    redirectUris: ['http://127.0.0.1/callback'],
    attestation: { apple: { appIds: [APP_ID], environment: 'production' } },
  },
];
const POLICY = { default: { byod: { requirePosture: true, requireAttestation: true } } };

/** The App Attest evidence a posture report carries, made for this device key and report. */
type Evidence = (device: { jkt: string }, jti: string) => Promise<Record<string, unknown>>;

/** The answer of a token request openid-client refused (it throws on non-OAuth errors). */
async function refused(request: Promise<unknown>): Promise<{ status: number; type: string; detail: string }> {
  try {
    await request;
  } catch (error) {
    const response = (error as { response?: Response }).response ?? (error as { cause?: Response }).cause;
    assert.ok(response instanceof Response, `the token request failed without an HTTP answer: ${String(error)}`);
    const body = (await response.clone().json()) as Record<string, unknown>;
    return { status: response.status, type: String(body.type), detail: String(body.detail) };
  }
  assert.fail('the token request succeeded but must be refused');
}

for (const kind of databaseKinds()) {
  describe(`App Attest configured for an app (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    let apple: FakeApple;
    let stranger: FakeApple;
    let platform = 'ios';
    let evidence: Evidence = async () => ({});

    before(async () => {
      apple = await fakeApple('Fake App Attestation', Date.now());
      stranger = await fakeApple('Stranger', Date.now());
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(
        database,
        upstream,
        port,
        { PALISADE_CLIENTS: JSON.stringify(CLIENTS), PALISADE_DEVICE_POLICY: JSON.stringify(POLICY) },
        undefined,
        { appAttestRoots: [apple.root] },
      ));
      app = new MobileApp(server.url, ca);
      app.posture = async (device) => {
        const jti = randomUUID();
        const claims = { platform, os_version: '18.4', app_version: '2.4.0', app_build: '240', jailbroken: false, passcode_set: true, biometry: true, managed: false, jti, ...(await evidence(device, jti)) };
        return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'palisade-posture+jwt' }).setIssuedAt().sign(device.keys.privateKey);
      };
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    /** Enrolment: Apple (or another CA) attests `secure` for `appId`, over SHA-256 of the DPoP key's thumbprint. */
    const enrol = (secure: DeviceKey, options: { by?: FakeApple; appId?: string } = {}): Evidence => async (device) => ({
      attestation_key_id: secure.keyId,
      attestation: (await attest({ apple: options.by ?? apple, device: secure, now: Date.now(), challenge: device.jkt, ...(options.appId ? { appId: options.appId } : {}) })).toString('base64'),
    });
    const attestedKeyOf = async (jkt: string) => {
      const { rows } = await server.db.query<{ key: unknown }>('SELECT attested_key AS key FROM devices WHERE jkt = $1', [jkt]);
      const raw = rows[0]?.key;
      return (typeof raw === 'string' ? JSON.parse(raw) : raw) as { keyId: string; appId: string; environment: string; counter: number } | null | undefined;
    };

    test('an attestation from Apple for the configured app is accepted at sign-in and the device records its key; assertions then carry the refreshes', async () => {
      const secure = await deviceKey();
      evidence = enrol(secure);
      const phone = await app.signIn('u-tech');
      assert.equal(decodeJwt(phone.tokens.access_token).device_compliant, true, 'attested: requireAttestation holds');
      const stored = await attestedKeyOf(phone.jkt!);
      assert.deepEqual(
        stored && { keyId: stored.keyId, appId: stored.appId, environment: stored.environment, counter: stored.counter },
        { keyId: secure.keyId, appId: APP_ID, environment: 'production', counter: 0 },
        'the device row holds the key Apple attested',
      );

      let counter = 0;
      evidence = async (device, jti) => ({ attestation_key_id: secure.keyId, assertion: assertion(secure, { counter: ++counter, clientData: `${device.jkt}.${jti}` }).toString('base64') });
      const refreshed = await app.refresh(phone);
      assert.equal(decodeJwt(refreshed.access_token).device_compliant, true);
      assert.equal((await attestedKeyOf(phone.jkt!))?.counter, counter, 'the accepted counter is stored');

      // A refresh carrying no evidence proves nothing about this request.
      evidence = async () => ({});
      const bare = await refused(app.refresh({ ...phone, tokens: refreshed }));
      assert.equal(bare.status, 403);
      assert.equal(bare.type, `${PROBLEM}attestation-required`);
    });

    test('an attestation whose chain leads to another root is refused posture-invalid', async () => {
      evidence = enrol(await deviceKey(), { by: stranger });
      const answer = await refused(app.signIn('u-tech'));
      assert.equal(answer.status, 400);
      assert.equal(answer.type, `${PROBLEM}posture-invalid`);
      assert.match(answer.detail, /bad-chain/);
    });

    test('an attestation Apple made for another app is refused posture-invalid', async () => {
      evidence = enrol(await deviceKey(), { appId: OTHER_APP_ID });
      const answer = await refused(app.signIn('u-tech'));
      assert.equal(answer.status, 400);
      assert.equal(answer.type, `${PROBLEM}posture-invalid`);
      assert.match(answer.detail, /wrong-app-id/);
    });

    test('Android evidence is refused posture-invalid: Play Integrity is not configured', async () => {
      platform = 'android';
      try {
        evidence = enrol(await deviceKey());
        const answer = await refused(app.signIn('u-tech'));
        assert.equal(answer.status, 400);
        assert.equal(answer.type, `${PROBLEM}posture-invalid`);
        assert.match(answer.detail, /not-configured/);
      } finally {
        platform = 'ios';
      }
    });

    test('a sign-in without evidence is refused attestation-required', async () => {
      evidence = async () => ({});
      const answer = await refused(app.signIn('u-tech'));
      assert.equal(answer.status, 403);
      assert.equal(answer.type, `${PROBLEM}attestation-required`);
    });
  });
}
