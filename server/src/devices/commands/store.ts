/**
 * The queries behind remote wipe and lock (service.ts): the `device_commands` table and
 * the lookups that find the command a caller's device must be told about. SQL only, no rules.
 */
import type { Queryable } from '../../db/index.ts';

export type CommandKind = 'wipe' | 'lock';
export type CommandState = 'pending' | 'delivered' | 'acknowledged';

export interface DeviceCommand {
  id: string;
  deviceId: string;
  kind: CommandKind;
  state: CommandState;
  reason: string;
  requestedBy: string;
  requestedAt: Date;
  deliveredAt: Date | null;
  acknowledgedAt: Date | null;
  deliveryCount: number;
}

/** A command with what its report and its delivery need of the device. */
export interface DeviceCommandWithDevice extends DeviceCommand {
  userId: string;
  clientId: string;
  jkt: string;
  deviceState: string;
  lastSeenAt: Date;
}

const COLUMNS = `c.id, c.device_id AS "deviceId", c.kind, c.state, c.reason, c.requested_by AS "requestedBy", c.requested_at AS "requestedAt",
  c.delivered_at AS "deliveredAt", c.acknowledged_at AS "acknowledgedAt", c.delivery_count AS "deliveryCount"`;
const WITH_DEVICE = `${COLUMNS}, d.user_id AS "userId", d.client_id AS "clientId", d.jkt, d.state AS "deviceState", d.last_seen_at AS "lastSeenAt"`;

/**
 * Records a command unless one of the same kind is still outstanding for the device (the partial
 * unique index decides, so two orders racing make one command). Returns the new command, or
 * undefined when one was outstanding.
 */
export async function insertCommand(db: Queryable, c: { deviceId: string; kind: CommandKind; reason: string; requestedBy: string; at: Date }): Promise<DeviceCommand | undefined> {
  const { rows } = await db.query<DeviceCommand>(
    `INSERT INTO device_commands AS c (device_id, kind, reason, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (device_id, kind) WHERE state <> 'acknowledged' DO NOTHING
     RETURNING ${COLUMNS}`,
    [c.deviceId, c.kind, c.reason, c.requestedBy, c.at],
  );
  return rows[0];
}

export async function outstandingCommand(db: Queryable, deviceId: string, kind: CommandKind): Promise<DeviceCommand | undefined> {
  const { rows } = await db.query<DeviceCommand>(`SELECT ${COLUMNS} FROM device_commands c WHERE device_id = $1 AND kind = $2 AND state <> 'acknowledged'`, [deviceId, kind]);
  return rows[0];
}

export async function findCommand(db: Queryable, id: string): Promise<DeviceCommandWithDevice | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const { rows } = await db.query<DeviceCommandWithDevice>(`SELECT ${WITH_DEVICE} FROM device_commands c JOIN devices d ON d.id = c.device_id WHERE c.id = $1`, [id]);
  return rows[0];
}

/**
 * The wipe command for the device that holds key `jkt` for this user and app, while the device
 * is wiped: whatever the command's state, a wiped device is told again (an app that kept a copy
 * of its data must wipe it). The newest, should there be several.
 */
export async function wipeForDevice(db: Queryable, userId: string, clientId: string, jkt: string): Promise<DeviceCommandWithDevice | undefined> {
  const { rows } = await db.query<DeviceCommandWithDevice>(
    `SELECT ${WITH_DEVICE} FROM devices d JOIN device_commands c ON c.device_id = d.id
     WHERE d.user_id = $1 AND d.client_id = $2 AND d.jkt = $3 AND d.state = 'wiped' AND c.kind = 'wipe'
     ORDER BY c.requested_at DESC LIMIT 1`,
    [userId, clientId, jkt],
  );
  return rows[0];
}

/**
 * The outstanding command a session's device must be told about: the session was locked by a
 * device lock not yet acknowledged (its device still locked).
 */
export async function lockForSession(db: Queryable, sessionId: string): Promise<DeviceCommandWithDevice | undefined> {
  const { rows } = await db.query<DeviceCommandWithDevice>(
    `SELECT ${WITH_DEVICE} FROM sessions s JOIN devices d ON d.id = s.device_id JOIN device_commands c ON c.device_id = d.id
     WHERE s.id = $1 AND s.locked_at IS NOT NULL AND s.lock_reason = 'device_lock' AND d.state = 'locked'
       AND c.kind = 'lock' AND c.state <> 'acknowledged'
     ORDER BY c.requested_at DESC LIMIT 1`,
    [sessionId],
  );
  return rows[0];
}

/**
 * At the token endpoint only the app and the DPoP key are known (a wipe deleted the refresh
 * tokens): the command of the device holding key `jkt` in app `clientId` — a wipe while the
 * device is wiped, a lock while it is locked and not acknowledged. Wipes first, then the newest.
 */
export async function commandForKey(db: Queryable, clientId: string, jkt: string): Promise<DeviceCommandWithDevice | undefined> {
  const { rows } = await db.query<DeviceCommandWithDevice>(
    `SELECT ${WITH_DEVICE} FROM devices d JOIN device_commands c ON c.device_id = d.id
     WHERE d.client_id = $1 AND d.jkt = $2
       AND ((c.kind = 'wipe' AND d.state = 'wiped') OR (c.kind = 'lock' AND d.state = 'locked' AND c.state <> 'acknowledged'))
     ORDER BY (c.kind = 'wipe') DESC, c.requested_at DESC LIMIT 1`,
    [clientId, jkt],
  );
  return rows[0];
}

/** Counts a hand-out; the first one moves a pending command to delivered. Returns the state before. */
export async function markDelivered(db: Queryable, id: string, at: Date): Promise<CommandState | undefined> {
  const { rows } = await db.query<{ before: CommandState }>(
    `UPDATE device_commands c SET delivery_count = c.delivery_count + 1,
       state = CASE WHEN c.state = 'pending' THEN 'delivered' ELSE c.state END,
       delivered_at = COALESCE(c.delivered_at, $2)
     FROM (SELECT id, state FROM device_commands WHERE id = $1 FOR UPDATE) old
     WHERE c.id = old.id RETURNING old.state AS before`,
    [id, at],
  );
  return rows[0]?.before;
}

/** Moves a command to acknowledged, once: false when it already was (a replayed acknowledgement). */
export async function markAcknowledged(db: Queryable, id: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE device_commands SET state = 'acknowledged', acknowledged_at = $2, delivered_at = COALESCE(delivered_at, $2)
     WHERE id = $1 AND state <> 'acknowledged'`,
    [id, at],
  );
  return rowCount > 0;
}

export interface CommandFilter {
  state?: CommandState | 'outstanding';
  /** Only commands requested before this (devices that have not come back since). */
  requestedBefore?: Date;
  deviceId?: string;
  limit?: number;
}

export async function listCommands(db: Queryable, filter: CommandFilter = {}): Promise<DeviceCommandWithDevice[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.state === 'outstanding') where.push(`c.state <> 'acknowledged'`);
  else if (filter.state) where.push(`c.state = $${params.push(filter.state)}`);
  if (filter.requestedBefore) where.push(`c.requested_at < $${params.push(filter.requestedBefore)}`);
  if (filter.deviceId) where.push(`c.device_id = $${params.push(filter.deviceId)}`);
  const { rows } = await db.query<DeviceCommandWithDevice>(
    `SELECT ${WITH_DEVICE} FROM device_commands c JOIN devices d ON d.id = c.device_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.requested_at ASC, c.id LIMIT $${params.push(filter.limit ?? 500)}`,
    params,
  );
  return rows;
}
