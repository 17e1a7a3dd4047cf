/**
 * The statements of devices.ts: the `devices` rows sessions record and end, and the session
 * columns that bind a session to its device. The rules (the device cap, blocked keys) are in
 * devices.ts.
 *
 * The sessions module owns the `devices` table: every statement that writes it is here, also
 * those other modules call through sessions/index.ts — device trust's compliance record and
 * attestation key (devices/trust.ts), a lock ordered by an administrator and the sessions a wipe
 * or lock reaches (devices/commands), the retention purge and a person's erasure.
 */
import type { Queryable } from '../db/index.ts';
import type { Device, DeviceDescription, DeviceState } from './devices.ts';

const COLUMNS = `id, user_id AS "userId", client_id AS "clientId", jkt, platform, model, os_version AS "osVersion", app_version AS "appVersion",
  first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", state, state_reason AS "stateReason", state_at AS "stateAt"`;

/**
 * Records a use of the device with key `jkt` at `now` (creating it, or bringing an evicted or
 * locked one back to active); a revoked or wiped device keeps its state. Returns the row.
 */
export async function upsertDeviceUse(db: Queryable, userId: string, clientId: string, jkt: string, description: DeviceDescription, now: Date): Promise<Device> {
  const { rows } = await db.query<Device>(
    `INSERT INTO devices (user_id, client_id, jkt, platform, model, os_version, app_version, first_seen_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     ON CONFLICT (user_id, client_id, jkt) DO UPDATE SET
       platform = COALESCE(EXCLUDED.platform, devices.platform), model = COALESCE(EXCLUDED.model, devices.model),
       os_version = COALESCE(EXCLUDED.os_version, devices.os_version), app_version = COALESCE(EXCLUDED.app_version, devices.app_version),
       last_seen_at = EXCLUDED.last_seen_at,
       state = CASE WHEN devices.state IN ('revoked', 'wiped') THEN devices.state ELSE 'active' END,
       state_reason = CASE WHEN devices.state IN ('revoked', 'wiped') THEN devices.state_reason ELSE NULL END,
       state_at = CASE WHEN devices.state IN ('revoked', 'wiped') THEN devices.state_at ELSE $8 END
     RETURNING ${COLUMNS}`,
    [userId, clientId, jkt, description.platform ?? null, description.model ?? null, description.osVersion ?? null, description.appVersion ?? null, now],
  );
  return rows[0]!;
}

/** Whether the user has a revoked or wiped device with key `jkt` (in any app). */
export async function hasBlockedDevice(db: Queryable, userId: string, jkt: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM devices WHERE user_id = $1 AND jkt = $2 AND state IN ('revoked', 'wiped')`, [userId, jkt]);
  return rows.length > 0;
}

/** What the app said about its device at sign-in (stored on the session; JSON text or an object). */
export async function sessionDeviceDescription(db: Queryable, sessionId: string): Promise<DeviceDescription | string | null> {
  const { rows } = await db.query<{ description: DeviceDescription | string | null }>('SELECT device_description AS description FROM sessions WHERE id = $1', [sessionId]);
  return rows[0]?.description ?? null;
}

/** Binds the session to its device, once. */
export async function bindSessionDevice(db: Queryable, sessionId: string, deviceId: string): Promise<void> {
  await db.query('UPDATE sessions SET device_id = $2 WHERE id = $1 AND device_id IS NULL', [sessionId, deviceId]);
}

/** The active or locked devices whose posture named this MDM device id (any case). */
export async function deviceIdsByMdmDeviceId(db: Queryable, mdmDeviceId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM devices WHERE lower(mdm_device_id) = lower($1) AND state IN ('active', 'locked')", [mdmDeviceId]);
  return rows.map((row) => row.id);
}

/** The user's active and locked devices, `current` first, then by last use. */
export async function liveDevicesOfUser(db: Queryable, userId: string, current: string): Promise<Device[]> {
  const { rows } = await db.query<Device>(
    `SELECT ${COLUMNS} FROM devices WHERE user_id = $1 AND state IN ('active', 'locked')
     ORDER BY (id = $2) DESC, last_seen_at DESC, first_seen_at DESC`,
    [userId, current],
  );
  return rows;
}

export async function findDevice(db: Queryable, id: string): Promise<Device | undefined> {
  const { rows } = await db.query<Device>(`SELECT ${COLUMNS} FROM devices WHERE id = $1`, [id]);
  return rows[0];
}

/** The user's devices, most recently used first (at most 100). */
export async function devicesOfUser(db: Queryable, userId: string): Promise<Device[]> {
  const { rows } = await db.query<Device>(`SELECT ${COLUMNS} FROM devices WHERE user_id = $1 ORDER BY last_seen_at DESC LIMIT 100`, [userId]);
  return rows;
}

/** The sessions on the device that have not ended. */
export async function liveSessionIdsOfDevice(db: Queryable, deviceId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM sessions WHERE device_id = $1 AND revoked_at IS NULL', [deviceId]);
  return rows.map((row) => row.id);
}

/** Sets the device's state (with why and when) unless it is in that state already: whether it changed. */
export async function setDeviceState(db: Queryable, id: string, state: DeviceState, reason: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE devices SET state = $2, state_reason = $3, state_at = $4 WHERE id = $1 AND state <> $2`, [id, state, reason, now]);
  return rowCount > 0;
}

/** A device as its app, user and DPoP key name it (the row's natural key). */
export interface DeviceKey {
  userId: string;
  clientId: string;
  jkt: string;
}

/** A compliance judgement to record on a device (devices/trust.ts). */
export interface ComplianceRecord {
  ownership: string;
  compliance: string;
  reasons: readonly string[];
  /** The accepted posture report (kept as it was when absent). */
  posture?: Record<string, unknown> | undefined;
  /** The MDM's id of the device (kept as it was when absent). */
  mdmDeviceId?: string | undefined;
}

/** Records the device's ownership and compliance at `now`, with the posture report it was judged on. */
export async function recordCompliance(db: Queryable, device: DeviceKey, r: ComplianceRecord, now: Date): Promise<void> {
  await db.query(
    `UPDATE devices SET ownership = $4, compliance = $5, compliance_reasons = $6::text[], compliance_at = $7,
         posture = COALESCE($8::jsonb, posture), posture_at = CASE WHEN $8::jsonb IS NULL THEN posture_at ELSE $7 END,
         mdm_device_id = COALESCE($9, mdm_device_id)
       WHERE user_id = $1 AND client_id = $2 AND jkt = $3`,
    [device.userId, device.clientId, device.jkt, r.ownership, r.compliance, [...r.reasons], now, r.posture ? JSON.stringify(r.posture) : null, r.mdmDeviceId ?? null],
  );
}

/** The platform attestation key the device enrolled (JSON text or an object; undefined: none). */
export async function attestedKeyOf(db: Queryable, device: DeviceKey): Promise<unknown> {
  const { rows } = await db.query<{ key: unknown }>('SELECT attested_key AS key FROM devices WHERE user_id = $1 AND client_id = $2 AND jkt = $3', [device.userId, device.clientId, device.jkt]);
  return rows[0]?.key;
}

/**
 * Stores the device's attestation key with its assertion counter. The counter only moves
 * forward: of two requests racing with the same counter, one stores it.
 */
export async function storeAttestedKey(db: Queryable, device: DeviceKey, key: { counter: number }): Promise<void> {
  await db.query(
    `UPDATE devices SET attested_key = $4::jsonb WHERE user_id = $1 AND client_id = $2 AND jkt = $3 AND (attested_key IS NULL OR (attested_key->>'counter')::bigint < $5)`,
    [device.userId, device.clientId, device.jkt, JSON.stringify(key), key.counter],
  );
}

/** What a re-evaluation of a device's compliance starts from: its key, platform, last posture report and MDM id. */
export interface RecordedPosture extends DeviceKey {
  platform: string | null;
  /** JSON text or an object; null: no report accepted yet. */
  posture: unknown;
  mdmDeviceId: string | null;
  compliance: string;
}

export async function recordedPosture(db: Queryable, deviceId: string): Promise<RecordedPosture | undefined> {
  const { rows } = await db.query<RecordedPosture>(
    `SELECT user_id AS "userId", client_id AS "clientId", jkt, platform, posture, mdm_device_id AS "mdmDeviceId", compliance FROM devices WHERE id = $1`,
    [deviceId],
  );
  return rows[0];
}

/** The compliance record of a session's device (ownership null: never judged). */
export async function sessionDeviceCompliance(
  db: Queryable,
  sessionId: string,
): Promise<{ id: string; clientId: string; platform: string | null; ownership: string | null; compliance: string; posture: unknown } | undefined> {
  const { rows } = await db.query<{ id: string; clientId: string; platform: string | null; ownership: string | null; compliance: string; posture: unknown }>(
    `SELECT d.id, d.client_id AS "clientId", d.platform, d.ownership, d.compliance, d.posture FROM sessions s JOIN devices d ON d.id = s.device_id WHERE s.id = $1`,
    [sessionId],
  );
  return rows[0];
}

/** Marks an active (or already locked) device locked at `now`, with why. */
export async function markDeviceLocked(db: Queryable, deviceId: string, reason: string, now: Date): Promise<void> {
  await db.query(`UPDATE devices SET state = 'locked', state_reason = $2, state_at = $3 WHERE id = $1 AND state IN ('active', 'locked')`, [deviceId, reason, now]);
}

/** Retention: device keys wiped, revoked or evicted before the cutoff (their commands go with them). */
export async function purgeEndedDevices(q: Queryable, cutoff: Date, limit: number): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM devices WHERE id IN (
       SELECT id FROM devices WHERE state IN ('wiped', 'revoked', 'evicted') AND coalesce(state_at, last_seen_at) < $1 LIMIT $2)`,
    [cutoff, limit],
  );
  return rowCount;
}

/** Erasure: every device of the person; how many. */
export async function deleteDevicesOfUser(q: Queryable, userId: string): Promise<number> {
  return (await q.query('DELETE FROM devices WHERE user_id = $1', [userId])).rowCount;
}

/** Wipe (devices/commands): forgets the unlock keys of the device's sessions (a wiped phone's biometric key must not reopen anything). */
export async function dropDeviceUnlockKeys(db: Queryable, deviceId: string): Promise<void> {
  await db.query(`UPDATE sessions SET unlock_jwk = NULL, unlock_challenge = NULL, unlock_challenge_expires_at = NULL WHERE device_id = $1 AND unlock_jwk IS NOT NULL`, [deviceId]);
}

/** Wipe and lock (devices/commands): locks every live session on the device (keeping an earlier lock time) with `lockReason`: their ids. */
export async function lockDeviceSessions(db: Queryable, deviceId: string, now: Date, lockReason: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE sessions SET locked_at = COALESCE(locked_at, $2), lock_reason = $3
     WHERE device_id = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING id`,
    [deviceId, now, lockReason],
  );
  return rows.map((row) => row.id);
}
