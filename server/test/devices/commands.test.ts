/**
 * The command store and its state machine, in process on each database: one outstanding command
 * per kind and device, pending -> delivered (counted) -> acknowledged (once), what ordering does
 * to the device, its sessions and unlock keys, and which lookups find a command.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, decodeJwt, decodeProtectedHeader } from 'jose';
import { randomUUID } from 'node:crypto';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { Devices, Sessions } from '../../src/sessions/index.ts';
import { DeviceCommands, DeviceCommandError } from '../../src/devices/commands/service.ts';
import { noAudit } from '../../src/audit/index.ts';

const log = { warn: () => undefined, error: () => undefined };

for (const kind of databaseKinds()) {
  describe(`device commands: store and state machine (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let sessions: Sessions;
    let devices: Devices;
    let commands: DeviceCommands;
    const clock = new ManualClock(Date.now());
    const signing = { kty: 'EC', crv: 'P-256', alg: 'ES256', kid: 'k1' } as Record<string, string>;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      sessions = new Sessions(db, clock, 15 * 60_000, log);
      devices = new Devices(db, clock, sessions, 5);
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      Object.assign(signing, await exportJWK(privateKey));
      commands = new DeviceCommands({ db, clock, sessions, devices, audit: noAudit, issuer: 'https://palisade.test', signingKey: () => signing });
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });

    /** A user signed in on a device with key pair `keys`, with an unlock key on the session. */
    async function signedInDevice() {
      const keys = await generateKeyPair('ES256', { extractable: true });
      const jkt = await calculateJwkThumbprint(await exportJWK(keys.publicKey));
      const { rows } = await db.query<{ id: string }>(`INSERT INTO users (issuer, subject, roles) VALUES ('https://idp.test', $1, '{technician}') RETURNING id`, [randomUUID()]);
      const userId = rows[0]!.id;
      const sessionId = randomUUID().replace(/-/g, '');
      await sessions.create({ id: sessionId, userId, clientId: 'field-app', authTime: new Date(clock.now()), acr: null, amr: [], expiresAt: new Date(clock.now() + 86_400_000), unlockJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } });
      assert.equal(await devices.tokensIssued({ id: sessionId, userId, clientId: 'field-app' }, jkt, true), 'ok');
      const deviceId = (await devices.listOfUser(userId))[0]!.id;
      return { keys, jkt, userId, sessionId, deviceId };
    }
    const ack = async (keys: CryptoKeyPair, id: string, iat = Math.floor(clock.now() / 1000)) =>
      new SignJWT({ jti: id }).setProtectedHeader({ alg: 'ES256', typ: 'palisade-command-ack+jwt', jwk: await exportJWK(keys.publicKey) }).setIssuedAt(iat).sign(keys.privateKey);

    test('ordering a wipe records it pending, wipes the device, ends its sessions and erases their unlock keys', async () => {
      const d = await signedInDevice();
      const { command, created } = await commands.orderCommand(d.deviceId, 'wipe', 'cli', 'lost');
      assert.deepEqual([created, command.state, command.kind, command.requestedBy, command.deliveryCount], [true, 'pending', 'wipe', 'cli', 0]);
      assert.equal((await devices.find(d.deviceId))?.state, 'wiped');
      assert.equal(sessions.isRevoked(d.sessionId), true, 'its tokens are refused at once');
      const { rows } = await db.query<{ unlock: unknown }>('SELECT unlock_jwk AS unlock FROM sessions WHERE id = $1', [d.sessionId]);
      assert.equal(rows[0]!.unlock, null, 'the unlock key is gone');
      assert.equal(await devices.isBlocked(d.userId, d.jkt), true, 'the key cannot sign in again');
      const again = await commands.orderCommand(d.deviceId, 'wipe', 'mdm:intune', 'lost');
      assert.deepEqual([again.created, again.command.id], [false, command.id], 'one outstanding wipe per device');
    });

    test('delivery signs the command with the active key and counts; pending becomes delivered once', async () => {
      const d = await signedInDevice();
      const { command } = await commands.orderCommand(d.deviceId, 'wipe', 'cli', 'lost');
      const found = await commands.wipeFor({ userId: d.userId, clientId: 'field-app', jkt: d.jkt });
      assert.equal(found?.id, command.id);
      assert.equal(await commands.wipeFor({ userId: d.userId, clientId: 'other-app', jkt: d.jkt }), undefined, 'another app’s device is not this one');
      const first = await commands.deliver(found!);
      assert.deepEqual(decodeProtectedHeader(first.jws), { alg: 'ES256', kid: 'k1', typ: 'palisade-device-command+jwt' });
      const claims = decodeJwt(first.jws);
      assert.deepEqual([claims.sub, claims.jkt, claims.cmd, claims.jti, claims.iss], [d.deviceId, d.jkt, 'wipe', command.id, 'https://palisade.test']);
      clock.advance(1000);
      await commands.deliver(found!);
      const after = await commands.find(command.id);
      assert.deepEqual([after?.state, after?.deliveryCount, after?.deliveredAt?.getTime()], ['delivered', 2, clock.now() - 1000], 'delivered at the first hand-out, counted at each');
    });

    test('an acknowledgement holds once, with the device key, for this command, fresh', async () => {
      const d = await signedInDevice();
      const other = await signedInDevice();
      const { command } = await commands.orderCommand(d.deviceId, 'wipe', 'cli', 'lost');
      const { command: otherCommand } = await commands.orderCommand(other.deviceId, 'wipe', 'cli', 'lost');
      const code = async (p: Promise<unknown>) => (await p.then(() => 'accepted', (e: unknown) => (e instanceof DeviceCommandError ? e.code : String(e)))) as string;
      assert.equal(await code(commands.acknowledge(command.id, await ack(other.keys, command.id), 'field-app')), 'ERR_ACK_INVALID', 'another device’s key');
      assert.equal(await code(commands.acknowledge(command.id, await ack(d.keys, otherCommand.id), 'field-app')), 'ERR_ACK_INVALID', 'signed for another command');
      assert.equal(await code(commands.acknowledge(command.id, await ack(d.keys, command.id, Math.floor(clock.now() / 1000) - 600), 'field-app')), 'ERR_ACK_INVALID', 'stale');
      assert.equal(await code(commands.acknowledge(command.id, await ack(d.keys, command.id), 'kiosk-app')), 'ERR_ACK_INVALID', 'another app’s key');
      assert.equal(await code(commands.acknowledge(command.id, 'not.a.jws', 'field-app')), 'ERR_ACK_INVALID', 'garbage');
      assert.equal(await code(commands.acknowledge(randomUUID(), await ack(d.keys, command.id), 'field-app')), 'ERR_UNKNOWN_COMMAND');
      assert.equal((await commands.find(command.id))?.state, 'pending', 'refusals change nothing');
      const proof = await ack(d.keys, command.id);
      assert.equal(await code(commands.acknowledge(command.id, proof, 'field-app')), 'accepted');
      const done = await commands.find(command.id);
      assert.equal(done?.state, 'acknowledged');
      assert.ok(done?.deliveredAt && done.acknowledgedAt, 'an acknowledged command has both times');
      assert.equal(await code(commands.acknowledge(command.id, proof, 'field-app')), 'ERR_ACK_REPLAYED', 'once');
      const next = await commands.orderCommand(d.deviceId, 'wipe', 'cli', 'again');
      assert.equal(next.created, true, 'after acknowledgement a new wipe may be ordered');
    });

    test('a lock locks the sessions (not ends them) until acknowledged; a wiped device cannot be locked', async () => {
      const d = await signedInDevice();
      const { command } = await commands.orderCommand(d.deviceId, 'lock', 'u-admin', 'suspicious');
      assert.equal((await devices.find(d.deviceId))?.state, 'locked');
      assert.equal(sessions.isRevoked(d.sessionId), false, 'the session is not ended');
      const { rows } = await db.query<{ locked: boolean; reason: string; unlock: unknown }>('SELECT locked_at IS NOT NULL AS locked, lock_reason AS reason, unlock_jwk AS unlock FROM sessions WHERE id = $1', [d.sessionId]);
      assert.deepEqual([rows[0]!.locked, rows[0]!.reason, rows[0]!.unlock !== null], [true, 'device_lock', true], 'locked, with its unlock key kept');
      assert.equal((await commands.lockFor(d.sessionId))?.id, command.id);
      assert.equal((await commands.forKey('field-app', d.jkt))?.id, command.id, 'the token endpoint finds it by key');
      await commands.acknowledge(command.id, await ack(d.keys, command.id), 'field-app');
      assert.equal(await commands.lockFor(d.sessionId), undefined, 'acknowledged: no longer told');
      assert.equal(await commands.forKey('field-app', d.jkt), undefined, 'refreshes pass again');
      await commands.orderCommand(d.deviceId, 'wipe', 'cli', 'lost for good');
      await assert.rejects(commands.orderCommand(d.deviceId, 'lock', 'cli', 'x'), (e: DeviceCommandError) => e.code === 'ERR_DEVICE_NOT_ACTIVE');
      assert.equal((await commands.forKey('field-app', d.jkt))?.kind, 'wipe', 'the wipe is what the key is told now');
      await assert.rejects(commands.orderCommand(randomUUID(), 'wipe', 'cli', 'x'), (e: DeviceCommandError) => e.code === 'ERR_UNKNOWN_DEVICE');
    });

    test('the report: outstanding, by state, and orders older than a moment (devices that never came back)', async () => {
      const d = await signedInDevice();
      const { command } = await commands.orderCommand(d.deviceId, 'wipe', 'cli', 'lost');
      clock.advance(3 * 86_400_000);
      const old = await commands.list({ state: 'pending', requestedBefore: new Date(clock.now() - 2 * 86_400_000) });
      assert.ok(old.some((c) => c.id === command.id && c.deviceState === 'wiped'), 'pending for three days: reported');
      assert.ok(!(await commands.list({ state: 'pending', requestedBefore: new Date(clock.now() - 4 * 86_400_000) })).some((c) => c.id === command.id));
      assert.ok((await commands.list({ state: 'outstanding', deviceId: d.deviceId })).some((c) => c.id === command.id));
      assert.deepEqual(await commands.list({ state: 'acknowledged', deviceId: d.deviceId }), []);
    });
  });
}
