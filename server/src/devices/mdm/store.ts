/**
 * The MDM inventory as Palisade keeps it (`mdm_devices`, migration 0016): what each MDM last
 * said about each device, merged from the scheduled sync and from notifications, and the
 * answer to "what does the MDM say about the device this person signs in with" (`MdmView`).
 *
 * Merging: an inventory listing is the whole truth about a device (a field it leaves out is
 * unknown now); a notification carries only what it `observed`, so fields it does not mention
 * keep what the sync learned. A device that left management is unmanaged at once.
 */
import type { Database, Queryable } from '../../db/index.ts';
import type { Clock } from '../../clock.ts';
import { constantTimeEqual, hashToken } from '../../security/index.ts';
import { MDM_VENDORS, checkDeviceBinding, normalizeMdmDeviceId, normalizePlatform, type MdmDeviceChange, type MdmDeviceState, type MdmVendor } from './index.ts';

/**
 * What the device policy asks of the MDM inventory (the posture work defines the same
 * interface; they are unified at merge). Undefined: the MDM does not vouch for this device for
 * this person — unknown id, not managed, another person's device, another platform.
 */
export interface MdmView {
  stateFor(input: MdmStateQuery): Promise<MdmDeviceState | undefined>;
}

/** `MdmView.stateFor`'s input, and the Jamf enrollment token from the app's managed configuration when it has one. */
export interface MdmStateQuery {
  userId: string;
  mdmDeviceId?: string;
  platform: string;
  enrollmentToken?: string;
  /**
   * The token's SHA-256 as recorded from an accepted posture report (devices.posture), for a
   * re-evaluation, where the token itself is not at hand. `enrollmentToken` wins when both are given.
   */
  enrollmentTokenHash?: string;
}

/** One stored device: the common model, plus what only the store knows. */
export interface StoredMdmDevice {
  state: MdmDeviceState;
  /** SHA-256 of the enrollment token the MDM holds for the device, when it holds one. */
  enrollmentTokenHash: string | undefined;
  syncedAt: Date | undefined;
  updatedAt: Date;
  removedAt: Date | undefined;
}

/** The outcome of one write: the device before (undefined when new) and after. */
export interface MdmWrite {
  before: StoredMdmDevice | undefined;
  after: StoredMdmDevice;
  /** Something the device policy reads changed (or the device is new). */
  changed: boolean;
}

interface Row {
  vendor: MdmVendor;
  mdm_device_id: string;
  user_hint: string | null;
  platform: string;
  os_version: string;
  model: string | null;
  serial: string | null;
  managed: boolean;
  compliant: boolean | null;
  jailbroken: boolean | null;
  passcode_set: boolean | null;
  enrollment_token_hash: string | null;
  last_seen: Date | string | null;
  synced_at: Date | string | null;
  updated_at: Date | string;
  removed_at: Date | string | null;
}

const COLUMNS = 'vendor, mdm_device_id, user_hint, platform, os_version, model, serial, managed, compliant, jailbroken, passcode_set, enrollment_token_hash, last_seen, synced_at, updated_at, removed_at';
const date = (value: Date | string | null): Date | undefined => (value === null ? undefined : new Date(value));
const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function fromRow(row: Row): StoredMdmDevice {
  const state: MdmDeviceState = {
    vendor: row.vendor,
    mdmDeviceId: row.mdm_device_id,
    platform: normalizePlatform(row.platform),
    osVersion: row.os_version,
    managed: row.managed,
    compliant: opt(row.compliant),
    jailbroken: opt(row.jailbroken),
  };
  if (row.passcode_set !== null) state.passcodeSet = row.passcode_set;
  if (row.serial !== null) state.serial = row.serial;
  if (row.model !== null) state.model = row.model;
  if (row.last_seen !== null) state.lastSeen = new Date(row.last_seen);
  if (row.user_hint !== null) state.user = row.user_hint;
  return { state, enrollmentTokenHash: opt(row.enrollment_token_hash), syncedAt: date(row.synced_at), updatedAt: new Date(row.updated_at), removedAt: date(row.removed_at) };
}

/** The fields the device policy reads: a change in any of them is worth re-evaluating sessions for. */
function policyChanged(before: StoredMdmDevice, after: StoredMdmDevice): boolean {
  const a = before.state;
  const b = after.state;
  return (
    a.managed !== b.managed ||
    a.compliant !== b.compliant ||
    a.jailbroken !== b.jailbroken ||
    a.passcodeSet !== b.passcodeSet ||
    a.platform !== b.platform ||
    a.osVersion !== b.osVersion ||
    a.user?.toLowerCase() !== b.user?.toLowerCase() ||
    before.enrollmentTokenHash !== after.enrollmentTokenHash ||
    (before.removedAt === undefined) !== (after.removedAt === undefined)
  );
}

type Observed = MdmDeviceChange['observed'];

/**
 * Applies what was observed to a stored row. `full`: the inventory's view, where a field left
 * out is unknown now; otherwise only the fields present change. `lastSeen` only moves forward:
 * a late notification does not make a device look older.
 */
function merge(row: Row, observed: Observed, full: boolean, removed: boolean, now: Date): Row {
  const next: Row = { ...row };
  const take = <K extends keyof Observed>(key: K): boolean => full || (key in observed && observed[key] !== undefined);
  if (take('user')) next.user_hint = observed.user ?? null;
  if (take('platform')) next.platform = observed.platform ?? 'other';
  if (take('osVersion')) next.os_version = observed.osVersion ?? '';
  if (take('model')) next.model = observed.model ?? null;
  if (take('serial')) next.serial = observed.serial ?? null;
  if (take('managed')) next.managed = observed.managed ?? false;
  if (take('compliant')) next.compliant = observed.compliant ?? null;
  if (take('jailbroken')) next.jailbroken = observed.jailbroken ?? null;
  if (take('passcodeSet')) next.passcode_set = observed.passcodeSet ?? null;
  if (take('enrollmentToken')) next.enrollment_token_hash = observed.enrollmentToken === undefined ? null : hashToken(observed.enrollmentToken);
  if (observed.lastSeen !== undefined) {
    const current = date(row.last_seen);
    if (!current || observed.lastSeen > current) next.last_seen = observed.lastSeen;
  }
  if (removed) {
    next.managed = false;
    next.removed_at = row.removed_at ?? now;
  } else if (next.managed) {
    // Enrolled again (or never gone): the device is back under management.
    next.removed_at = null;
  }
  if (full) next.synced_at = now;
  next.updated_at = now;
  return next;
}

export class MdmStore implements MdmView {
  private readonly db: Database;
  private readonly clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /** One device as an inventory sync listed it: the whole truth about it now. */
  storeInventory(state: MdmDeviceState): Promise<MdmWrite> {
    const { vendor, mdmDeviceId, ...observed } = state;
    return this.write(vendor, mdmDeviceId, observed, { full: true, removed: false });
  }

  /** What one notification observed: only those fields change; `removed` unmanages the device at once. */
  applyChange(change: MdmDeviceChange): Promise<MdmWrite> {
    return this.write(change.vendor, change.mdmDeviceId, change.observed, { full: false, removed: change.removed });
  }

  /** The device left management (its MDM no longer knows it). Undefined when Palisade never knew it either. */
  async markRemoved(vendor: MdmVendor, mdmDeviceId: string): Promise<MdmWrite | undefined> {
    if (!(await this.get(vendor, mdmDeviceId))) return undefined;
    return this.write(vendor, mdmDeviceId, {}, { full: false, removed: true });
  }

  /**
   * After a complete listing that started at `since`: devices neither listed nor notified about
   * since then have left the MDM. Only a complete listing may say so (mdm/sync.ts).
   */
  async markAbsent(vendor: MdmVendor, since: Date): Promise<StoredMdmDevice[]> {
    const now = new Date(this.clock.now());
    const { rows } = await this.db.query<Row>(
      `UPDATE mdm_devices SET managed = false, removed_at = $3, updated_at = $3
       WHERE vendor = $1 AND removed_at IS NULL AND (synced_at IS NULL OR synced_at < $2) AND updated_at < $2
       RETURNING ${COLUMNS}`,
      [vendor, since, now],
    );
    return rows.map(fromRow);
  }

  async get(vendor: MdmVendor, mdmDeviceId: string, q: Queryable = this.db): Promise<StoredMdmDevice | undefined> {
    const { rows } = await q.query<Row>(`SELECT ${COLUMNS} FROM mdm_devices WHERE vendor = $1 AND mdm_device_id = $2`, [vendor, mdmDeviceId]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /**
   * Insert-if-absent, then lock and merge: two notifications about one device (or a
   * notification during a sync) are applied one after the other, neither losing the other's fields.
   */
  private async write(vendor: MdmVendor, mdmDeviceId: string, observed: Observed, options: { full: boolean; removed: boolean }): Promise<MdmWrite> {
    const now = new Date(this.clock.now());
    return this.db.transaction(async (tx) => {
      const inserted = await tx.query(`INSERT INTO mdm_devices (vendor, mdm_device_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [vendor, mdmDeviceId, now]);
      const { rows } = await tx.query<Row>(`SELECT ${COLUMNS} FROM mdm_devices WHERE vendor = $1 AND mdm_device_id = $2 FOR UPDATE`, [vendor, mdmDeviceId]);
      const current = rows[0]!;
      const next = merge(current, observed, options.full, options.removed, now);
      await tx.query(
        `UPDATE mdm_devices SET user_hint = $3, platform = $4, os_version = $5, model = $6, serial = $7, managed = $8, compliant = $9, jailbroken = $10,
           passcode_set = $11, enrollment_token_hash = $12, last_seen = $13, synced_at = $14, updated_at = $15, removed_at = $16
         WHERE vendor = $1 AND mdm_device_id = $2`,
        [vendor, mdmDeviceId, next.user_hint, next.platform, next.os_version, next.model, next.serial, next.managed, next.compliant, next.jailbroken, next.passcode_set, next.enrollment_token_hash, next.last_seen, next.synced_at, next.updated_at, next.removed_at],
      );
      const before = inserted.rowCount === 1 ? undefined : fromRow(current);
      const after = fromRow(next);
      return { before, after, changed: before === undefined || policyChanged(before, after) };
    });
  }

  /**
   * The MDM's state of the device an app claims, when the MDM vouches for it for this person:
   * the id in the vendor's spelling (the app does not say which MDM, so each vendor's spelling
   * is looked up), a managed device whose MDM user is this person (e-mail or user name, as the
   * company IdP and SCIM name them), the same platform, and — where the MDM holds an enrollment
   * token — the same token. A device the MDM names no user for is not bound: its id alone,
   * which is no secret, must not lend anyone its compliance.
   */
  async stateFor(input: MdmStateQuery): Promise<MdmDeviceState | undefined> {
    if (input.mdmDeviceId === undefined) return undefined;
    const pairs = MDM_VENDORS.flatMap((vendor) => {
      const id = normalizeMdmDeviceId(vendor, input.mdmDeviceId!);
      return id === undefined ? [] : [{ vendor, id }];
    });
    if (pairs.length === 0) return undefined;
    const people = await this.db.query<{ email: string | null; user_name: string | null }>('SELECT email, user_name FROM users WHERE id::text = $1 AND disabled_at IS NULL', [input.userId]);
    const person = people.rows[0];
    const names = [person?.email, person?.user_name].filter((n): n is string => typeof n === 'string' && n.trim() !== '');
    if (names.length === 0) return undefined;
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM mdm_devices WHERE vendor = ANY($1::text[]) AND mdm_device_id = ANY($2::text[]) ORDER BY last_seen DESC NULLS LAST`,
      [pairs.map((p) => p.vendor), pairs.map((p) => p.id)],
    );
    const platform = input.platform ? normalizePlatform(input.platform) : undefined;
    const presented = input.enrollmentToken !== undefined ? hashToken(input.enrollmentToken) : input.enrollmentTokenHash;
    for (const row of rows) {
      if (!pairs.some((p) => p.vendor === row.vendor && p.id === row.mdm_device_id)) continue;
      const stored = fromRow(row);
      if (stored.state.user === undefined) continue;
      if (stored.enrollmentTokenHash !== undefined) {
        // Compared as hashes, in constant time: only the hash is stored (like every other bearer secret).
        if (presented === undefined || !constantTimeEqual(presented, stored.enrollmentTokenHash)) continue;
      }
      const bound = names.some((user) => checkDeviceBinding(stored.state, { user, ...(platform ? { platform } : {}) }).ok);
      if (bound) return stored.state;
    }
    return undefined;
  }

  /**
   * Claims the next inventory sync of `vendor` for this instance. The advisory lock is tried,
   * not waited for: an instance that finds another one claiming gives up at once. The claim
   * itself is a row (`mdm_sync_runs`), so no connection is held open while the sync pages
   * through the vendor's API, and the next run is due only `intervalMs` later on any instance.
   */
  async claimSync(vendor: MdmVendor, intervalMs: number, leaseMs: number): Promise<Date | undefined> {
    const now = new Date(this.clock.now());
    return this.db.transaction(async (tx) => {
      const lock = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', [SYNC_LOCK, MDM_VENDORS.indexOf(vendor)]);
      if (!lock.rows[0]?.locked) return undefined;
      const { rows } = await tx.query<{ next_due_at: Date | string; running_until: Date | string | null }>('SELECT next_due_at, running_until FROM mdm_sync_runs WHERE vendor = $1 FOR UPDATE', [vendor]);
      const run = rows[0];
      if (run && (new Date(run.next_due_at) > now || (run.running_until !== null && new Date(run.running_until) > now))) return undefined;
      await tx.query(
        `INSERT INTO mdm_sync_runs (vendor, next_due_at, running_until, started_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (vendor) DO UPDATE SET next_due_at = EXCLUDED.next_due_at, running_until = EXCLUDED.running_until, started_at = EXCLUDED.started_at`,
        [vendor, new Date(now.getTime() + intervalMs), new Date(now.getTime() + leaseMs), now],
      );
      return now;
    });
  }

  async finishSync(vendor: MdmVendor, report: { complete: boolean; seen: number; stored: number }): Promise<void> {
    await this.db.query('UPDATE mdm_sync_runs SET running_until = NULL, finished_at = $2, complete = $3, seen = $4, stored = $5 WHERE vendor = $1', [
      vendor,
      new Date(this.clock.now()),
      report.complete,
      report.seen,
      report.stored,
    ]);
  }
}

/** First key of the sync's advisory lock ("mdm"); the second is the vendor. */
const SYNC_LOCK = 0x6d646d;
