/**
 * DeviceTrust against a real database: a token request's posture is recorded on the device, a
 * refusal is audited with its reasons (and never the report), a replayed report is refused, the
 * attestation hook runs the app's verifier, and a device that falls out of policy while signed
 * in loses its sessions on another instance within a second.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { Devices, Sessions } from '../../src/sessions/index.ts';
import { systemClock } from '../../src/clock.ts';
import { MemoryCache } from '../../src/cache/index.ts';
import { hashToken, randomId } from '../../src/security/primitives.ts';
import { MdmStore } from '../../src/devices/mdm/store.ts';
import type { AuditEvent, AuditSink } from '../../src/audit/index.ts';
import { DeviceTrust, POSTURE_TYP, type MdmView } from '../../src/devices/index.ts';
import type { MdmDeviceState } from '../../src/devices/mdm/index.ts';
import type { AttestationVerifier } from '../../src/devices/attestation/index.ts';
import { Problem } from '../../src/http/problems.ts';

const silent = { warn: () => undefined, error: () => undefined, info: () => undefined };

class RecordingAudit implements AuditSink {
  readonly events: AuditEvent[] = [];
  async record(_tx: unknown, event: AuditEvent) {
    this.events.push(event);
  }
  emit(event: AuditEvent) {
    this.events.push(event);
  }
}

async function deviceKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  const jkt = await calculateJwkThumbprint(jwk);
  // The DPoP header oidc-provider verified: only its header (the key) is read by DeviceTrust.
  const dpop = await new SignJWT({ htm: 'POST', htu: 'https://palisade.test/oauth2/token', jti: randomUUID() }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt().sign(privateKey);
  return { privateKey, jwk, jkt, dpop };
}

async function posture(key: { privateKey: CryptoKey }, claims: Record<string, unknown> = {}) {
  return new SignJWT({ platform: 'ios', os_version: '17.4', app_version: '2.4.0', app_build: '1', jailbroken: false, passcode_set: true, biometry: true, managed: true, mdm_device_id: 'MDM-1', jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: POSTURE_TYP })
    .setIssuedAt()
    .sign(key.privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Problem, `a Problem, not ${String(error)}`);
    return error;
  }
  assert.fail('the device was accepted but must be refused');
}

for (const kind of databaseKinds()) {
  describe(`device trust service (${kind.kind})`, () => {
    let database: TestDatabase;
    const handles: Database[] = [];
    let sessions: Sessions;
    let other: Sessions;
    let devices: Devices;
    let trust: DeviceTrust;
    let audit: RecordingAudit;
    let mdmState: MdmDeviceState | undefined;
    let verifier: AttestationVerifier | undefined;
    const mdm: MdmView = { stateFor: async () => mdmState };

    before(async () => {
      database = await kind.create({ migrated: true });
      const db = await openMigrated(database);
      const second = kind.kind === 'postgres' ? await openMigrated(database) : db;
      handles.push(db, ...(second === db ? [] : [second]));
      audit = new RecordingAudit();
      sessions = new Sessions(db, systemClock, 900_000, silent, undefined, audit);
      other = new Sessions(second, systemClock, 900_000, silent);
      await sessions.start();
      await other.start();
      devices = new Devices(db, systemClock, sessions, 3, audit);
      const cache = new MemoryCache();
      trust = new DeviceTrust({
        db,
        clock: systemClock,
        sessions,
        policy: { default: { corporate: { minAppVersion: '2.4.0' }, byod: { requireMfa: false } } },
        mdm,
        claimOnce: (k, ttl) => cache.claimOnce(k, ttl),
        audit,
        attestation: (_client, platform) => (platform === 'apple-app-attest' ? verifier : undefined),
      });
    });
    after(async () => {
      await sessions.stop();
      await other.stop();
      for (const db of handles) await db.close();
      await database.drop();
    });

    /** A signed-in session on a recorded device, as after a code exchange. */
    async function signedIn(key: { jkt: string }, email: string | null = null) {
      const db = handles[0]!;
      const { rows } = await db.query<{ id: string }>(`INSERT INTO users (issuer, subject, email) VALUES ('https://idp.test', $1, $2) RETURNING id`, [randomId(), email]);
      const id = randomId();
      const now = Date.now();
      await sessions.create({ id, userId: rows[0]!.id, clientId: 'field-app', authTime: new Date(now), acr: null, amr: ['pwd'], expiresAt: new Date(now + 86_400_000) });
      const session = { id, userId: rows[0]!.id, clientId: 'field-app', acr: null, amr: ['pwd'] };
      assert.equal(await devices.tokensIssued(session, key.jkt, true), 'ok');
      const { rows: d } = await db.query<{ id: string }>('SELECT id FROM devices WHERE jkt = $1', [key.jkt]);
      return { session, deviceId: d[0]!.id };
    }
    const managed = (overrides: Partial<MdmDeviceState> = {}): MdmDeviceState => ({ vendor: 'intune', mdmDeviceId: 'MDM-1', platform: 'ios', osVersion: '17.4', managed: true, compliant: true, jailbroken: false, passcodeSet: true, ...overrides });

    test('an accepted refresh records the posture, ownership and compliance on the device, and says so in the claims', async () => {
      const key = await deviceKey();
      const { session, deviceId } = await signedIn(key);
      mdmState = managed();
      const check = await trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: await posture(key) });
      assert.deepEqual(check.claims, { device_ownership: 'corporate', device_compliant: true });
      await check.commit();
      const { rows } = await handles[0]!.query<{ ownership: string; compliance: string; mdm: string; posture: { appVersion: string } | string }>(
        'SELECT ownership, compliance, mdm_device_id AS mdm, posture FROM devices WHERE id = $1',
        [deviceId],
      );
      const row = rows[0]!;
      assert.equal(row.ownership, 'corporate');
      assert.equal(row.compliance, 'compliant');
      assert.equal(row.mdm, 'MDM-1');
      assert.equal((typeof row.posture === 'string' ? JSON.parse(row.posture) : row.posture).appVersion, '2.4.0');
    });

    test('no report: a device app is refused posture-required; a browser client is judged BYOD and not compliant, and its claims say so', async () => {
      const key = await deviceKey();
      const { session } = await signedIn(key);
      mdmState = undefined;
      await assert.rejects(
        trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: undefined }),
        (error) => error instanceof Problem && error.type === 'posture-required',
        'a device app must report its device',
      );
      const cache = new MemoryCache();
      const browser = new DeviceTrust({ db: handles[0]!, clock: systemClock, sessions, policy: { default: { byod: { requireMfa: false } } }, mdm, claimOnce: (k, ttl) => cache.claimOnce(k, ttl), audit, browserClients: ['field-app'] });
      const check = await browser.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: undefined });
      assert.deepEqual(check.claims, { device_ownership: 'byod', device_compliant: false }, 'an unknown device is BYOD, and its tokens say so');
    });

    test('a refusal is audited as device.noncompliant with its reasons, never the report itself', async () => {
      const key = await deviceKey();
      const { session } = await signedIn(key);
      mdmState = managed({ jailbroken: true });
      const report = await posture(key, { jailbroken: false });
      const problem = await refusal(trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: report }));
      assert.equal(problem.type, 'device-compromised', 'the MDM says jailbroken: it outweighs the app');
      const event = audit.events.findLast((e) => e.action === 'device.noncompliant')!;
      assert.equal(event.reason, 'device-compromised');
      assert.equal(event.actor.sessionId, session.id);
      assert.ok(!JSON.stringify(event).includes(report), 'the report is not copied into the trail');
      assert.ok(sessions.isRevoked(session.id), 'a compromised device loses its session even at a refresh');
      assert.ok(audit.events.some((e) => e.action === 'device.compromised' && e.actor.sessionId === session.id), 'the compromised_device alert rule watches device.compromised');
    });

    test('a refresh refused for an old app version keeps the session (the app updates and refreshes)', async () => {
      const key = await deviceKey();
      const { session } = await signedIn(key);
      mdmState = managed();
      const problem = await refusal(trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: await posture(key, { app_version: '2.3.9' }) }));
      assert.equal(problem.status, 426);
      assert.equal(sessions.isRevoked(session.id), false);
    });

    test('a replayed report is refused posture-invalid', async () => {
      const key = await deviceKey();
      const { session } = await signedIn(key);
      mdmState = undefined;
      const report = await posture(key);
      await trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: report });
      const problem = await refusal(trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: report }));
      assert.equal(problem.type, 'posture-invalid');
      assert.match(problem.detail ?? '', /already used/);
    });

    test('a report signed by a key other than the DPoP key is refused', async () => {
      const key = await deviceKey();
      const thief = await deviceKey();
      const { session } = await signedIn(key);
      const problem = await refusal(trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: thief.dpop, posture: await posture(thief) }));
      assert.equal(problem.type, 'posture-invalid');
    });

    test('attestation evidence goes through the app’s verifier: enrolment stores the key, a refused assertion refuses the request', async () => {
      const key = await deviceKey();
      const { session, deviceId } = await signedIn(key);
      mdmState = undefined;
      const seen: string[] = [];
      verifier = {
        platform: 'apple-app-attest',
        async verifyAttestation(input) {
          seen.push('attestation');
          return { ok: true, key: { platform: 'apple-app-attest', keyId: input.keyId, appId: 'ABCDE12345.com.example.field', environment: 'production', publicKey: {} as JWK, counter: 0 } };
        },
        async verifyAssertion() {
          seen.push('assertion');
          return { ok: false, reason: 'replayed-counter', detail: 'counter did not increase' };
        },
      };
      try {
        const enrol = await trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: await posture(key, { attestation_key_id: 'a2V5', attestation: 'AAAA' }) });
        await enrol.commit();
        const { rows } = await handles[0]!.query<{ key: unknown }>('SELECT attested_key AS key FROM devices WHERE id = $1', [deviceId]);
        assert.ok(rows[0]!.key, 'the attested key is stored with the device');
        const problem = await refusal(trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: await posture(key, { attestation_key_id: 'a2V5', assertion: 'AAAA' }) }));
        assert.equal(problem.type, 'posture-invalid');
        assert.match(problem.detail ?? '', /replayed-counter/);
        assert.deepEqual(seen, ['attestation', 'assertion']);
      } finally {
        verifier = undefined;
      }
    });

    test('reevaluate: a device that falls out of policy while signed in is marked noncompliant and its sessions end on another instance within a second', async () => {
      const key = await deviceKey();
      const { session, deviceId } = await signedIn(key);
      mdmState = managed();
      const check = await trust.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: await posture(key) });
      await check.commit();
      assert.equal(other.isRevoked(session.id), false);

      const unchanged = await trust.reevaluate(deviceId, 'mdm.sync');
      assert.equal(unchanged!.ended, 0, 'a device still in policy keeps its sessions');

      mdmState = managed({ compliant: false });
      const started = performance.now();
      const result = await trust.reevaluate(deviceId, 'mdm.webhook');
      assert.deepEqual(result!.decision.violations, ['mdm-noncompliant']);
      assert.equal(result!.ended, 1);
      while (!other.isRevoked(session.id)) {
        assert.ok(performance.now() - started < 1000, 'the other instance must refuse the session within a second');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const { rows } = await handles[0]!.query<{ compliance: string; reasons: string[] }>('SELECT compliance, compliance_reasons AS reasons FROM devices WHERE id = $1', [deviceId]);
      assert.equal(rows[0]!.compliance, 'noncompliant');
      assert.deepEqual(rows[0]!.reasons, ['mdm-noncompliant']);
      const event = audit.events.findLast((e) => e.action === 'device.noncompliant' && e.resource?.id === deviceId)!;
      assert.equal(event.detail?.trigger, 'mdm.webhook');
    });

    test('reevaluate: an MDM sync that no longer shows the OS version fails the OS minimum, and a missing app version fails the app minimum', async () => {
      const cache = new MemoryCache();
      const relaxed = (corporate: Record<string, unknown>) =>
        new DeviceTrust({ db: handles[0]!, clock: systemClock, sessions, policy: { default: { corporate: { requirePosture: false, ...corporate } } }, mdm, claimOnce: (k, ttl) => cache.claimOnce(k, ttl), audit });
      const key = await deviceKey();
      const { deviceId } = await signedIn(key);
      const osOnly = relaxed({ minOsVersion: { ios: '17.4' } });
      mdmState = managed({ osVersion: '17.4' });
      assert.equal((await osOnly.reevaluate(deviceId, 'mdm.sync'))!.ended, 0, 'the MDM shows the minimum is met');
      mdmState = managed({ osVersion: '' });
      const unshown = await osOnly.reevaluate(deviceId, 'mdm.sync');
      assert.deepEqual(unshown!.decision.violations, ['os-update-required'], 'an OS version nobody knows does not meet the minimum');
      assert.equal(unshown!.ended, 1);

      const key2 = await deviceKey();
      const second = await signedIn(key2);
      mdmState = managed();
      const appMin = await relaxed({ minAppVersion: '2.4.0' }).reevaluate(second.deviceId, 'mdm.sync');
      assert.deepEqual(appMin!.decision.violations, ['app-update-required'], 'no report: the app version is not shown');
      assert.equal(appMin!.ended, 1);
    });

    test('a device whose MDM record holds an enrollment token is corporate only with that token, which is never stored in clear nor audited', async () => {
      const db = handles[0]!;
      const store = new MdmStore(db, systemClock);
      const token = `enrol-${randomId()}`;
      const udid = '00008120-00A1B2C3D4E5F601';
      await store.storeInventory({ vendor: 'jamf', mdmDeviceId: udid, platform: 'ios', osVersion: '17.4', managed: true, compliant: undefined, jailbroken: false, passcodeSet: true, user: 'dana@corp.test', enrollmentToken: token });
      const cache = new MemoryCache();
      const stored = new DeviceTrust({
        db,
        clock: systemClock,
        sessions,
        policy: { default: { corporate: { minAppVersion: '2.4.0' }, byod: { requireMfa: false } } },
        // As main.ts wires it: the input spread into the store's query.
        mdm: { stateFor: (input) => store.stateFor({ ...input, platform: input.platform ?? 'unknown' }) },
        claimOnce: (k, ttl) => cache.claimOnce(k, ttl),
        audit,
      });
      const key = await deviceKey();
      const { session, deviceId } = await signedIn(key, 'dana@corp.test');
      const ownership = async (claims: Record<string, unknown>) => (await stored.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: await posture(key, { mdm_device_id: udid, ...claims }) })).claims.device_ownership;

      assert.equal(await ownership({}), 'byod', 'without the token the MDM does not vouch for the device');
      assert.equal(await ownership({ mdm_enrollment_token: `enrol-${randomId()}` }), 'byod', 'nor with another token');
      const before = audit.events.length;
      const bad = await refusal(stored.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: await posture(key, { mdm_device_id: udid, mdm_enrollment_token: 'has space in it' }) }));
      assert.equal(bad.status, 400, 'a token of the wrong form is a malformed report');
      assert.ok(!JSON.stringify(bad).includes('has space'), 'the refusal does not repeat the token');

      const check = await stored.check({ grantType: 'refresh_token', session, jkt: key.jkt, dpopProof: key.dpop, posture: await posture(key, { mdm_device_id: udid, mdm_enrollment_token: token }) });
      assert.deepEqual(check.claims, { device_ownership: 'corporate', device_compliant: true }, 'with the right token the device is corporate');
      await check.commit();
      const { rows } = await db.query<{ posture: unknown }>('SELECT posture::text AS posture FROM devices WHERE id = $1', [deviceId]);
      const text = String(rows[0]!.posture);
      assert.ok(!text.includes(token), 'the token is not stored in clear');
      assert.equal(JSON.parse(text).mdmEnrollmentTokenHash, hashToken(token));
      assert.ok(!JSON.stringify(audit.events.slice(before)).includes('has space'), 'nor audited');
      assert.ok(!JSON.stringify(audit.events).includes(token), 'nor audited');

      // A re-evaluation presents the recorded hash: the device stays corporate.
      const again = await stored.reevaluate(deviceId, 'mdm.sync');
      assert.equal(again!.decision.ownership, 'corporate');
      assert.equal(again!.ended, 0);
    });
  });
}
