/**
 * Remote wipe and lock end to end over HTTPS, with openid-client as the app on a DPoP device key:
 * an administrator orders (with step-up), the app's next API call and refresh receive the signed
 * command, which verifies with the JWKS; the app acknowledges with its device key; a device that
 * never comes back stays pending in the report.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { SignJWT, createLocalJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit } from '../../src/audit/index.ts';

const PROBLEM = 'https://palisade.dev/problems/';

for (const kind of databaseKinds()) {
  describe(`remote wipe and lock (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    let admin: SignedIn;

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port));
      app = new MobileApp(server.url, ca);
      admin = await app.signIn('u-admin');
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    const deviceOf = async (session: SignedIn) => {
      const sid = decodeJwt(session.tokens.access_token).sid as string;
      const listed = (await app.call('/api/v1/me/sessions', session.tokens.access_token)).body.sessions as { id: string; deviceId: string }[];
      return listed.find((s) => s.id === sid)!.deviceId;
    };
    const order = (kind: 'wipe' | 'lock', deviceId: string, token = admin.tokens.access_token) =>
      app.call(`/admin/v1/devices/${deviceId}/${kind}`, token, { method: 'POST', body: JSON.stringify({ reason: 'phone reported lost' }) });
    const jwks = async () => createLocalJWKSet((await (await app.http.fetch(`${server.url}/oauth2/jwks`)).json()) as { keys: JWK[] });
    const ackProof = async (keys: CryptoKeyPair, commandId: string, iat = Math.floor(Date.now() / 1000)) =>
      new SignJWT({ jti: commandId })
        .setProtectedHeader({ alg: 'ES256', typ: 'palisade-command-ack+jwt', jwk: await exportJWK(keys.publicKey) })
        .setIssuedAt(iat)
        .sign(keys.privateKey);
    const ack = (commandId: string, proof: string, init: { appKey?: string | null } = {}) =>
      app.call(`/api/v1/device/commands/${commandId}/ack`, '', { method: 'POST', body: JSON.stringify({ proof }), ...(init.appKey === null ? { headers: { 'palisade-app-key': '' } } : {}) });
    const report = async (query: string) => (await app.call(`/admin/v1/device-commands?${query}`, admin.tokens.access_token)).body.commands as { id: string; state: string; deliveryCount: number; device: { state: string } }[];

    test('a wipe: the next API call and refresh get the signed command, the device key acknowledges it, and the key never signs in again', async () => {
      const tech = await app.signIn('u-tech');
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200);
      const deviceId = await deviceOf(tech);

      const ordered = await order('wipe', deviceId);
      assert.equal(ordered.status, 201, JSON.stringify(ordered.body));
      assert.equal(ordered.body.state, 'pending');
      assert.equal(ordered.body.requestedBy, decodeJwt(admin.tokens.access_token).sub, 'the administrator is recorded as who asked');
      const commandId = ordered.body.id as string;
      assert.equal((await order('wipe', deviceId)).status, 200, 'ordering again returns the outstanding command');

      const refused = await app.call('/api/v1/me', tech.tokens.access_token);
      assert.equal(refused.status, 403, 'the wiped device’s token is refused at once');
      assert.equal(refused.body.type, `${PROBLEM}device-wiped`, 'device-wiped rather than plain session-revoked');
      assert.equal(refused.body.commandId, commandId);
      const { payload, protectedHeader } = await jwtVerify(refused.body.command as string, await jwks(), { typ: 'palisade-device-command+jwt', issuer: server.url });
      assert.deepEqual([payload.sub, payload.jkt, payload.cmd, payload.jti], [deviceId, tech.jkt, 'wipe', commandId], 'the command names the device, its key and the command');
      assert.ok(protectedHeader.kid && typeof payload.exp === 'number' && payload.exp > payload.iat!);

      let delivered = (await report('state=delivered')).find((c) => c.id === commandId);
      assert.equal(delivered?.deliveryCount, 1, 'the first hand-out delivered it');

      await assert.rejects(app.refreshRaw(tech), (e: oidc.ResponseBodyError) => {
        assert.equal(e.status, 403);
        assert.equal(e.error, 'invalid_grant', 'OAuth clients see the grant is gone');
        const body = e.cause as Record<string, unknown>;
        assert.equal(body.type, `${PROBLEM}device-wiped`, 'the refresh gets the same problem');
        assert.equal(decodeJwt(body.command as string).jti, commandId);
        return true;
      });
      delivered = (await report('state=delivered')).find((c) => c.id === commandId);
      assert.equal(delivered?.deliveryCount, 2, 'every hand-out is counted');

      const stranger = await generateKeyPair('ES256', { extractable: true });
      const forged = await ack(commandId, await ackProof(stranger, commandId));
      assert.equal(forged.status, 401, 'an acknowledgement signed with another key is refused');
      assert.equal(forged.body.type, `${PROBLEM}command-ack-refused`);
      assert.equal((await ack(commandId, await ackProof(tech.keys!, commandId, Math.floor(Date.now() / 1000) - 3600))).status, 401, 'a stale acknowledgement is refused');
      assert.equal((await ack(commandId, await ackProof(tech.keys!, commandId), { appKey: null })).status, 401, 'the app key is still required');

      const proof = await ackProof(tech.keys!, commandId);
      const acknowledged = await ack(commandId, proof);
      assert.equal(acknowledged.status, 200, JSON.stringify(acknowledged.body));
      assert.equal(acknowledged.body.state, 'acknowledged');
      const replay = await ack(commandId, proof);
      assert.equal(replay.status, 409, 'a replayed acknowledgement is refused');
      assert.equal((await report('state=acknowledged')).find((c) => c.id === commandId)?.device.state, 'wiped');

      await assert.rejects(app.signIn('u-tech', { keys: tech.keys! }), /ended on a page \(403/, 'the wiped key cannot sign in again');

      await server.audit.flush();
      const trail = (await searchAudit(server.db, { limit: 500 })).events.filter((e) => e.resource?.id === deviceId).map((e) => `${e.action}:${e.outcome}`);
      for (const expected of ['device.wipe.ordered:success', 'device.wiped:success', 'device.wipe.delivered:success', 'device.wipe.acknowledged:denied', 'device.wipe.acknowledged:success']) {
        assert.ok(trail.includes(expected), `the audit trail has ${expected} (has ${trail.join(', ')})`);
      }
    });

    test('a device that never comes back stays pending and is reported', async () => {
      const tech = await app.signIn('u-tech');
      const deviceId = await deviceOf(tech);
      const commandId = (await order('wipe', deviceId)).body.id as string;
      const pending = (await report('state=pending&olderThan=0s')).find((c) => c.id === commandId);
      assert.equal(pending?.state, 'pending', 'never fetched: pending');
      assert.equal(pending?.deliveryCount, 0);
      assert.equal((await report('state=pending&olderThan=1d')).find((c) => c.id === commandId), undefined, 'not yet older than a day');
    });

    test('a lock: the sessions stay, the app is told until it acknowledges, then unlocks as after an idle lock', async () => {
      const unlockKey = await generateKeyPair('ES256', { extractable: true });
      const unlockJwk = Buffer.from(JSON.stringify(await exportJWK(unlockKey.publicKey))).toString('base64url');
      const tech = await app.signIn('u-tech', { params: { unlock_jwk: unlockJwk } });
      const token = tech.tokens.access_token;
      assert.equal((await app.call('/api/v1/me', token)).status, 200, 'the session is active and cached as such');
      const ordered = await order('lock', await deviceOf(tech));
      assert.equal(ordered.status, 201);
      const commandId = ordered.body.id as string;

      const locked = await app.call('/api/v1/me', token);
      assert.equal(locked.body.type, `${PROBLEM}device-locked`, 'the lock applies at once despite the cached activity');
      assert.equal(locked.status, 403);
      const { payload } = await jwtVerify(locked.body.command as string, await jwks(), { typ: 'palisade-device-command+jwt' });
      assert.equal(payload.cmd, 'lock');
      assert.equal((await app.call('/api/v1/session/unlock/challenge', token, { method: 'POST' })).body.type, `${PROBLEM}device-locked`, 'no unlocking before the app acknowledged');
      await assert.rejects(app.refreshRaw(tech), (e: oidc.ResponseBodyError) => (e.cause as { type?: string }).type === `${PROBLEM}device-locked`);

      assert.equal((await ack(commandId, await ackProof(tech.keys!, commandId))).status, 200);
      const refreshed = await app.refresh(tech);
      const after = await app.call('/api/v1/me', refreshed.access_token);
      assert.equal(after.body.type, `${PROBLEM}session-locked`, 'acknowledged: the session is locked like after an idle lock');
      const challenge = (await app.call('/api/v1/session/unlock/challenge', refreshed.access_token, { method: 'POST' })).body.challenge as string;
      const sid = decodeJwt(refreshed.access_token).sid as string;
      const proof = await new SignJWT({ challenge, sid }).setProtectedHeader({ alg: 'ES256', typ: 'palisade-unlock+jwt' }).setIssuedAt().sign(unlockKey.privateKey);
      assert.equal((await app.call('/api/v1/session/unlock', refreshed.access_token, { method: 'POST', body: JSON.stringify({ proof }) })).status, 200, 'the person unlocks with user presence');
      assert.equal((await app.call('/api/v1/me', refreshed.access_token)).status, 200);
    });

    test('only administrators order, with a recent sign-in; unknown devices are 404', async () => {
      const tech = await app.signIn('u-tech');
      const deviceId = await deviceOf(tech);
      assert.equal((await order('wipe', deviceId, tech.tokens.access_token)).status, 403, 'a technician cannot wipe');
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'and nothing happened');
      upstream.staleLoginSeconds = 3600;
      let stale: SignedIn;
      try {
        stale = await app.signIn('u-admin');
      } finally {
        upstream.staleLoginSeconds = 0;
      }
      const challenged = await order('wipe', deviceId, stale.tokens.access_token);
      assert.equal(challenged.body.type, `${PROBLEM}step-up-required`, 'an old sign-in must step up');
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'and nothing happened');
      assert.equal((await order('wipe', '00000000-0000-4000-8000-000000000000')).status, 404);
    });
  });
}
