/**
 * Devices: the DPoP key an app signs in with, per user and app. A person may use at most
 * `sessions.maxDevices` devices at once: signing in on one more evicts the least recently used
 * — its sessions end at once, on every instance — and the person sees why in their device
 * list. A device an administrator revoked (or wiped) cannot sign in again.
 */
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { Sessions } from './service.ts';
import { noAudit, type AuditSink } from '../audit/index.ts';
import {
  bindSessionDevice,
  deviceIdsByMdmDeviceId,
  devicesOfUser,
  findDevice,
  hasBlockedDevice,
  liveDevicesOfUser,
  liveSessionIdsOfDevice,
  sessionDeviceDescription,
  setDeviceState,
  upsertDeviceUse,
} from './devices-store.ts';

export type DeviceState = 'active' | 'locked' | 'evicted' | 'wiped' | 'revoked';

export interface Device {
  id: string;
  userId: string;
  clientId: string;
  jkt: string;
  platform: string | null;
  model: string | null;
  osVersion: string | null;
  appVersion: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  state: DeviceState;
  stateReason: string | null;
  stateAt: Date | null;
}

export interface DeviceDescription {
  platform?: string;
  model?: string;
  osVersion?: string;
  appVersion?: string;
}

export class Devices {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly sessions: Sessions;
  private readonly maxDevices: number;

  private readonly audit: AuditSink;

  constructor(db: Database, clock: Clock, sessions: Sessions, maxDevices: number, audit: AuditSink = noAudit) {
    this.audit = audit;
    this.db = db;
    this.clock = clock;
    this.sessions = sessions;
    this.maxDevices = maxDevices;
  }

  /**
   * Tokens were issued to the device with key `jkt`: records it (or brings an evicted one back)
   * and returns it, or 'blocked' when an administrator revoked or wiped it meanwhile.
   */
  private async recordUse(userId: string, clientId: string, jkt: string, description: DeviceDescription): Promise<Device | 'blocked'> {
    const now = new Date(this.clock.now());
    const device = await upsertDeviceUse(this.db, userId, clientId, jkt, description, now);
    return device.state === 'revoked' || device.state === 'wiped' ? 'blocked' : device;
  }

  /**
   * Whether an administrator revoked (or wiped) this key for this user — in any app: a lost
   * phone's key must not come back through another app that accepts it. Reads only.
   */
  async isBlocked(userId: string, jkt: string): Promise<boolean> {
    return hasBlockedDevice(this.db, userId, jkt);
  }

  /**
   * Called when tokens bound to key `jkt` are issued for a session — after the token endpoint
   * verified the proof of that key. On the first issuance (the code redeemed) the device is
   * recorded, the session bound to it and the device cap enforced; on every issuance a revoked
   * device is refused. Nothing is recorded for a key nobody has proven to hold.
   */
  async tokensIssued(session: { id: string; userId: string; clientId: string }, jkt: string, firstIssuance: boolean): Promise<'ok' | 'blocked'> {
    if (await this.isBlocked(session.userId, jkt)) return 'blocked';
    if (!firstIssuance) return 'ok';
    const raw = await sessionDeviceDescription(this.db, session.id);
    const description = (typeof raw === 'string' ? JSON.parse(raw) : raw) ?? {};
    const device = await this.recordUse(session.userId, session.clientId, jkt, description);
    if (device === 'blocked') return 'blocked';
    await bindSessionDevice(this.db, session.id, device.id);
    await this.enforceCap(session.userId, device.id);
    return 'ok';
  }

  /** The active or locked devices whose posture named this MDM device id (any case). */
  async idsByMdmDeviceId(mdmDeviceId: string): Promise<string[]> {
    return deviceIdsByMdmDeviceId(this.db, mdmDeviceId);
  }

  /**
   * Enforces the device cap after `current` signed in: every active device of the user beyond
   * the newest `maxDevices` (by last use; the current one always stays) is evicted and its
   * sessions end. Returns the evicted devices.
   */
  async enforceCap(userId: string, current: string): Promise<Device[]> {
    const rows = await liveDevicesOfUser(this.db, userId, current);
    const evicted = rows.slice(this.maxDevices);
    for (const device of evicted) await this.end(device.id, 'evicted', `device limit: a newer device signed in (at most ${this.maxDevices})`, 'device_cap');
    return evicted;
  }

  /** Revokes (administrator) a device: it cannot sign in again, its sessions end now. */
  async revoke(id: string, reason: string): Promise<boolean> {
    return this.end(id, 'revoked', reason, 'admin');
  }

  /**
   * Marks a device wiped (incident containment, and the wipe command the MDM and the app carry
   * out): it cannot sign in again and its sessions end now.
   */
  async wipe(id: string, reason: string): Promise<boolean> {
    return this.end(id, 'wiped', reason, 'incident');
  }

  async find(id: string): Promise<Device | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return findDevice(this.db, id);
  }

  async listOfUser(userId: string): Promise<Device[]> {
    return devicesOfUser(this.db, userId);
  }

  private async end(id: string, state: DeviceState, reason: string, revocation: 'device_cap' | 'admin' | 'incident'): Promise<boolean> {
    const now = new Date(this.clock.now());
    // The state change, the end of every session on the device and their records commit together.
    const { changed, ended } = await this.db.transaction(async (tx) => {
      const changed = await setDeviceState(tx, id, state, reason, now);
      if (changed) await this.audit.record(tx, { action: state === 'evicted' ? 'device.evict' : `device.${state}`, outcome: 'success', reason, actor: {}, resource: { type: 'device', id } });
      const ended: string[] = [];
      for (const session of await liveSessionIdsOfDevice(tx, id)) if (await this.sessions.revokeWithin(tx, session, revocation)) ended.push(session);
      return { changed, ended };
    });
    for (const session of ended) await this.sessions.revokeCommitted(session);
    return changed;
  }
}
