/**
 * Remote wipe and lock. An administrator, the CLI or an MDM event orders a command for
 * one device (one DPoP key of one user and app); it goes pending -> delivered -> acknowledged.
 *
 * - Wipe: the device is marked wiped at once (it can never sign in again with that key), every
 *   session on it ends on every instance (its access tokens fail, its refresh tokens are deleted)
 *   and the sessions' unlock keys are erased. The signed command tells the app to delete its own
 *   data and keys: Palisade wipes app data only, never a (possibly personal) device.
 * - Lock: the device's sessions are locked — the idle-lock state, so nothing is lost — and the
 *   app must lock itself. Until it acknowledges, its API calls and refreshes answer
 *   `device-locked`; afterwards the sessions unlock as after an idle lock (unlock key with user
 *   presence, or a new sign-in).
 *
 * The command reaches the app as a compact JWS signed by Palisade's active OAuth key
 * (`typ: palisade-device-command+jwt`), so the app can check it offline against the JWKS it
 * already trusts. The app acknowledges with a JWS signed by its device key (the DPoP key), since
 * its tokens no longer work. Nothing here knows HTTP.
 */
import { EmbeddedJWK, SignJWT, calculateJwkThumbprint, importJWK, jwtVerify, type JWK } from 'jose';
import type { Database } from '../../db/index.ts';
import type { Clock } from '../../clock.ts';
import type { AuditSink } from '../../audit/index.ts';
import { dropDeviceUnlockKeys, lockDeviceSessions, markDeviceLocked, type Devices, type Sessions } from '../../sessions/index.ts';
import {
  commandForKey,
  findCommand,
  insertCommand,
  listCommands,
  lockForSession,
  markAcknowledged,
  markDelivered,
  outstandingCommand,
  wipeForDevice,
  type CommandFilter,
  type CommandKind,
  type DeviceCommand,
  type DeviceCommandWithDevice,
} from './store.ts';
import { PalisadeError } from '../../errors/index.ts';

export type { CommandKind, CommandState, DeviceCommand, DeviceCommandWithDevice, CommandFilter } from './store.ts';

/** JWS `typ` of a command (RFC 8725 §3.11): never mistaken for a token or another document. */
export const COMMAND_TYP = 'palisade-device-command+jwt';
/** JWS `typ` of the app's acknowledgement, signed with its device key. */
export const COMMAND_ACK_TYP = 'palisade-command-ack+jwt';
/** A command JWS is valid this long after it was handed out; every hand-out signs a fresh one. */
export const COMMAND_LIFETIME_S = 24 * 3600;
/** An acknowledgement is accepted this long after its `iat` (and this much ahead: clock skew). */
export const ACK_MAX_AGE_S = 300;
export const ACK_SKEW_S = 60;
/** Asymmetric algorithms a device key may use (those DPoP accepts). */
export const DEVICE_KEY_ALGS = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'];
/** The lock reason of sessions a device lock locked (the idle lock writes `idle`). */
export const DEVICE_LOCK_REASON = 'device_lock';

/** A refused order or acknowledgement, with a stable code callers branch on. */
export class DeviceCommandError extends PalisadeError<'ERR_UNKNOWN_DEVICE' | 'ERR_DEVICE_NOT_ACTIVE' | 'ERR_UNKNOWN_COMMAND' | 'ERR_ACK_INVALID' | 'ERR_ACK_REPLAYED' | 'ERR_APP_KEY_REQUIRED'> {
  constructor(code: DeviceCommandError['code'], message: string) {
    super(code, message);
    this.name = 'DeviceCommandError';
  }
}

export interface DeviceCommandsDeps {
  db: Database;
  clock: Clock;
  sessions: Sessions;
  devices: Devices;
  audit: AuditSink;
  /** Palisade's issuer (`iss` of commands). */
  issuer?: string;
  /** The private JWK that signs now (the key set's active key); absent: commands cannot be handed out (CLI). */
  signingKey?: () => JWK;
}

export interface Ordered {
  command: DeviceCommand;
  /** false: a command of this kind was already outstanding for the device, and is returned. */
  created: boolean;
}

/** What the app receives: the command and its signed form. */
export interface Delivery {
  command: DeviceCommandWithDevice;
  jws: string;
}

export class DeviceCommands {
  private readonly deps: DeviceCommandsDeps;

  constructor(deps: DeviceCommandsDeps) {
    this.deps = deps;
  }

  /**
   * Orders `kind` for device `deviceId`. `requestedBy`: an administrator's user id, `cli` or
   * `mdm:<vendor>`. Ordering again while a command of that kind is outstanding returns it (and
   * finishes what a crash may have left half done: the wipe itself is idempotent).
   */
  async orderCommand(deviceId: string, kind: CommandKind, requestedBy: string, reason: string): Promise<Ordered> {
    const device = await this.deps.devices.find(deviceId);
    if (!device) throw new DeviceCommandError('ERR_UNKNOWN_DEVICE', `no device ${deviceId}`);
    if (kind === 'lock' && device.state !== 'active' && device.state !== 'locked') {
      // A wiped, revoked or evicted device has no session left to lock.
      throw new DeviceCommandError('ERR_DEVICE_NOT_ACTIVE', `the device is ${device.state}: there is nothing to lock`);
    }
    return kind === 'wipe' ? this.orderWipe(device.id, requestedBy, reason) : this.orderLock(device.id, requestedBy, reason);
  }

  private async orderWipe(deviceId: string, requestedBy: string, reason: string): Promise<Ordered> {
    const now = new Date(this.deps.clock.now());
    const ordered = await this.deps.db.transaction(async (tx) => {
      const created = await insertCommand(tx, { deviceId, kind: 'wipe', reason, requestedBy, at: now });
      // The unlock keys go with the command: a stolen phone's biometric key must not reopen anything.
      await dropDeviceUnlockKeys(tx, deviceId);
      if (created) await this.deps.audit.record(tx, this.ordered(created));
      return created ? { command: created, created: true } : { command: (await outstandingCommand(tx, deviceId, 'wipe'))!, created: false };
    });
    // Marks the device wiped and ends its sessions, announced on the revocation feed (every
    // instance refuses their tokens within a second). Its own transaction; run on every order,
    // so an order interrupted after the command was recorded is completed by ordering again.
    await this.deps.devices.wipe(deviceId, `wipe ordered: ${reason}`);
    return ordered;
  }

  private async orderLock(deviceId: string, requestedBy: string, reason: string): Promise<Ordered> {
    const now = new Date(this.deps.clock.now());
    const { ordered, locked } = await this.deps.db.transaction(async (tx) => {
      const created = await insertCommand(tx, { deviceId, kind: 'lock', reason, requestedBy, at: now });
      await markDeviceLocked(tx, deviceId, `lock ordered: ${reason}`, now);
      // The idle-lock state, whatever the session's activity: unlocking needs the person again.
      const rows = await lockDeviceSessions(tx, deviceId, now, DEVICE_LOCK_REASON);
      // Instances cache a session's lock state for up to a minute (sessions/activity.ts); the
      // feed's unlock message makes them drop it, so they re-read the row — locked — at once.
      for (const id of rows) await this.deps.sessions.announceUnlock(tx, id);
      if (created) await this.deps.audit.record(tx, this.ordered(created));
      return { ordered: created ? { command: created, created: true } : { command: (await outstandingCommand(tx, deviceId, 'lock'))!, created: false }, locked: rows };
    });
    for (const id of locked) await this.deps.sessions.unlockCommitted(id);
    return ordered;
  }

  private ordered(command: DeviceCommand) {
    return {
      action: `device.${command.kind}.ordered`,
      outcome: 'success' as const,
      reason: command.reason,
      actor: {},
      resource: { type: 'device', id: command.deviceId },
      detail: { commandId: command.id, requestedBy: command.requestedBy },
    };
  }

  find(id: string): Promise<DeviceCommandWithDevice | undefined> {
    return findCommand(this.deps.db, id);
  }

  list(filter: CommandFilter = {}): Promise<DeviceCommandWithDevice[]> {
    return listCommands(this.deps.db, filter);
  }

  /**
   * The API stage found the caller's session revoked: was it revoked because its device was
   * wiped? (User, app and key from the verified token; only then, after its DPoP proof held.)
   */
  wipeFor(token: { userId: string; clientId: string; jkt: string }): Promise<DeviceCommandWithDevice | undefined> {
    return wipeForDevice(this.deps.db, token.userId, token.clientId, token.jkt);
  }

  /** The session guard found the session locked: by a device lock not yet acknowledged? */
  lockFor(sessionId: string): Promise<DeviceCommandWithDevice | undefined> {
    return lockForSession(this.deps.db, sessionId);
  }

  /** The token endpoint: the command for the device holding key `jkt` in app `clientId`, if any. */
  forKey(clientId: string, jkt: string): Promise<DeviceCommandWithDevice | undefined> {
    return commandForKey(this.deps.db, clientId, jkt);
  }

  /**
   * Hands `command` out: signs it afresh with the active key and counts the delivery; the first
   * one moves it from pending to delivered (audited `device.<kind>.delivered`).
   */
  async deliver(command: DeviceCommandWithDevice): Promise<Delivery> {
    const jws = await this.sign(command);
    const now = new Date(this.deps.clock.now());
    await this.deps.db.transaction(async (tx) => {
      const before = await markDelivered(tx, command.id, now);
      if (before === 'pending') {
        await this.deps.audit.record(tx, { action: `device.${command.kind}.delivered`, outcome: 'success', actor: {}, resource: { type: 'device', id: command.deviceId }, detail: { commandId: command.id } });
      }
    });
    return { command, jws };
  }

  /** The command as the app receives it: `{ iss, sub: device id, jkt, cmd, jti: command id, iat, exp }`. */
  async sign(command: DeviceCommandWithDevice): Promise<string> {
    const jwk = this.deps.signingKey?.();
    if (!jwk) throw new Error('no signing key: commands are handed out by the server');
    if (!jwk.kid || (jwk.alg !== 'ES256' && jwk.alg !== 'EdDSA')) throw new Error('the active signing key has no kid or an unexpected alg');
    const nowS = Math.floor(this.deps.clock.now() / 1000);
    return new SignJWT({ jkt: command.jkt, cmd: command.kind })
      .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: COMMAND_TYP })
      .setIssuer(this.deps.issuer ?? '')
      .setSubject(command.deviceId)
      .setJti(command.id)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + COMMAND_LIFETIME_S)
      .sign(await importJWK(jwk, jwk.alg));
  }

  /**
   * The app's acknowledgement of command `id`: a JWS (`typ: palisade-command-ack+jwt`) over
   * `{ jti: <command id>, iat }`, signed by the device key and carrying its public half in the
   * `jwk` header, whose thumbprint must be the device's. Accepted once; a replay, another key,
   * another command or a stale proof is refused. `appId`: the app whose key came with the
   * request (it must be the device's app).
   */
  /** `keylessApps`: the request had no app key; the command's device must belong to one of these apps. */
  async acknowledge(id: string, proof: string, appId: string | undefined, keylessApps?: readonly string[]): Promise<DeviceCommandWithDevice> {
    const command = await this.find(id);
    if (!command) throw new DeviceCommandError('ERR_UNKNOWN_COMMAND', 'no such command');
    if (keylessApps && !keylessApps.includes(command.clientId)) throw new DeviceCommandError('ERR_APP_KEY_REQUIRED', 'the device’s app sends an app key');
    const why = await this.checkAck(command, proof, appId);
    if (why) {
      await this.deps.db.transaction((tx) =>
        this.deps.audit.record(tx, { action: `device.${command.kind}.acknowledged`, outcome: 'denied', reason: 'ack_invalid', actor: {}, resource: { type: 'device', id: command.deviceId }, detail: { commandId: command.id, why } }),
      );
      throw new DeviceCommandError('ERR_ACK_INVALID', why);
    }
    const now = new Date(this.deps.clock.now());
    const acknowledged = await this.deps.db.transaction(async (tx) => {
      const changed = await markAcknowledged(tx, command.id, now);
      await this.deps.audit.record(tx, {
        action: `device.${command.kind}.acknowledged`,
        outcome: changed ? 'success' : 'denied',
        ...(changed ? {} : { reason: 'ack_replayed' }),
        actor: {},
        resource: { type: 'device', id: command.deviceId },
        detail: { commandId: command.id },
      });
      return changed;
    });
    if (!acknowledged) throw new DeviceCommandError('ERR_ACK_REPLAYED', 'the command was already acknowledged');
    return { ...command, state: 'acknowledged', acknowledgedAt: now, deliveredAt: command.deliveredAt ?? now };
  }

  /** Why an acknowledgement is refused (for the record), or undefined when it holds. */
  private async checkAck(command: DeviceCommandWithDevice, proof: string, appId: string | undefined): Promise<string | undefined> {
    if (appId !== undefined && appId !== command.clientId) return 'the app key is of another app than the device';
    let payload;
    let jwk: JWK | undefined;
    try {
      ({ payload, protectedHeader: { jwk } } = await jwtVerify(proof, EmbeddedJWK, { typ: COMMAND_ACK_TYP, algorithms: DEVICE_KEY_ALGS }));
    } catch (error) {
      return `the proof is not a valid JWS (${(error as { code?: string }).code ?? 'unreadable'})`;
    }
    if (!jwk || 'd' in jwk || 'k' in jwk) return 'the proof must carry a public key';
    // The thumbprint is public; it names the key, the signature above proves holding it.
    if ((await calculateJwkThumbprint(jwk, 'sha256')) !== command.jkt) return 'the proof is signed with another key than the device’s';
    if (payload.jti !== command.id) return 'the proof acknowledges another command';
    const nowS = Math.floor(this.deps.clock.now() / 1000);
    if (typeof payload.iat !== 'number' || payload.iat < nowS - ACK_MAX_AGE_S || payload.iat > nowS + ACK_SKEW_S) return 'the proof is not fresh';
    return undefined;
  }
}
