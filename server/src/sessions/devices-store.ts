/**
 * The statements of devices.ts: the `devices` rows sessions record and end, and the session
 * columns that bind a session to its device. The rules (the device cap, blocked keys) are in
 * devices.ts.
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
