/**
 * SQL of the data-subject rights: what Palisade holds about one person (export) and what erasure
 * deletes or re-attributes. Privacy is the one module that reads every module's personal tables,
 * because the point of an export or an erasure is that nothing is left out; each query names the
 * table's owning module.
 */
import type { Queryable } from '../db/index.ts';
import { deleteDevicesOfUser } from '../sessions/index.ts';

type Row = Record<string, unknown>;

const all = async (q: Queryable, sql: string, params: readonly unknown[]): Promise<Row[]> => (await q.query<Row>(sql, params)).rows;

/** users: the profile, with the effective roles. */
export async function profileOf(q: Queryable, userId: string): Promise<Row | undefined> {
  const rows = await all(
    q,
    `SELECT id, issuer, subject, email, name, user_name AS "userName", groups, roles AS "rolesFromGroups", roles_added AS "rolesGranted",
            roles_removed AS "rolesRemoved", palisade_effective_roles(roles, roles_added, roles_removed) AS "effectiveRoles",
            department, territory, region, projects, employee_type AS "employeeType", created_at AS "createdAt", updated_at AS "updatedAt",
            last_login_at AS "lastLoginAt", disabled_at AS "disabledAt"
       FROM users WHERE id = $1`,
    [userId],
  );
  return rows[0];
}

/** A user id, or the people whose e-mail or user name is `who` (case-insensitive). */
export async function usersMatching(q: Queryable, who: string): Promise<string[]> {
  const rows = await all(q, `SELECT id::text AS id FROM users WHERE id::text = lower($1) OR lower(email) = lower($1) OR lower(user_name) = lower($1) LIMIT 2`, [who]);
  return rows.map((r) => String(r.id));
}

/** scim: the IdP's record of the person (by user name). */
export async function scimRecordsOf(q: Queryable, userName: string | null): Promise<Row[]> {
  if (!userName) return [];
  return all(q, `SELECT id, user_name AS "userName", external_id AS "externalId", active, resource, created_at AS "createdAt", updated_at AS "updatedAt" FROM scim_users WHERE lower(user_name) = lower($1)`, [userName]);
}

/** sessions: every sign-in (no token material is stored, so none is exported). */
export async function sessionsOf(q: Queryable, userId: string): Promise<Row[]> {
  return all(
    q,
    `SELECT id, client_id AS "clientId", auth_time AS "authTime", acr, amr, created_at AS "createdAt", expires_at AS "expiresAt",
            revoked_at AS "revokedAt", revoked_reason AS "revokedReason", device_id AS "deviceId", device_description AS "deviceDescription"
       FROM sessions WHERE user_id = $1 ORDER BY created_at`,
    [userId],
  );
}

/** sessions/devices: the person's device keys, with posture and the commands sent to them. */
export async function devicesOf(q: Queryable, userId: string): Promise<Row[]> {
  return all(
    q,
    `SELECT d.id, d.client_id AS "clientId", d.jkt, d.platform, d.model, d.os_version AS "osVersion", d.app_version AS "appVersion",
            d.first_seen_at AS "firstSeenAt", d.last_seen_at AS "lastSeenAt", d.state, d.state_reason AS "stateReason", d.state_at AS "stateAt",
            d.ownership, d.posture, d.compliance, d.compliance_reasons AS "complianceReasons", d.mdm_device_id AS "mdmDeviceId",
            coalesce((SELECT json_agg(json_build_object('id', c.id, 'kind', c.kind, 'state', c.state, 'reason', c.reason, 'requestedAt', c.requested_at,
                                                        'acknowledgedAt', c.acknowledged_at) ORDER BY c.requested_at)
                        FROM device_commands c WHERE c.device_id = d.id), '[]'::json) AS commands
       FROM devices d WHERE d.user_id = $1 ORDER BY d.first_seen_at`,
    [userId],
  );
}

/** devices/mdm: what the company's MDM reported for devices it lists under the person. */
export async function mdmDevicesOf(q: Queryable, hints: readonly string[]): Promise<Row[]> {
  if (hints.length === 0) return [];
  return all(
    q,
    `SELECT vendor, mdm_device_id AS "mdmDeviceId", user_hint AS "userHint", platform, os_version AS "osVersion", model, serial, managed, compliant,
            jailbroken, passcode_set AS "passcodeSet", last_seen AS "lastSeen", removed_at AS "removedAt"
       FROM mdm_devices WHERE lower(user_hint) = ANY($1::text[])`,
    [hints.map((h) => h.toLowerCase())],
  );
}

/** fieldservice: the person as a technician. */
export async function technicianOf(q: Queryable, userId: string): Promise<Row | undefined> {
  const rows = await all(q, `SELECT user_id AS "userId", display_name AS "displayName", territory, region, department, skills, active, updated_at AS "updatedAt" FROM fs_technicians WHERE user_id = $1`, [userId]);
  return rows[0];
}

/** fieldservice: jobs the person was assigned, created, moved or is named in the history of; with their part of the history. */
export async function jobsTouchedBy(q: Queryable, userId: string): Promise<Row[]> {
  return all(
    q,
    `SELECT j.id, j.title, j.status, j.priority, j.territory, j.project, j.window_start AS "windowStart", j.window_end AS "windowEnd",
            j.created_at AS "createdAt", j.assigned_to = $1 AS "assignedToThem", j.created_by = $1 AS "createdByThem",
            coalesce((SELECT json_agg(json_build_object('kind', e.kind, 'fromStatus', e.from_status, 'toStatus', e.to_status, 'at', e.at,
                                                        'byThem', e.by_user = $1, 'technicianIsThem', e.technician = $1) ORDER BY e.id)
                        FROM fs_job_events e WHERE e.job_id = j.id AND (e.by_user = $1 OR e.technician = $1)), '[]'::json) AS events
       FROM fs_jobs j
      WHERE j.assigned_to = $1 OR j.created_by = $1 OR j.status_changed_by = $1
         OR EXISTS (SELECT 1 FROM fs_job_events e WHERE e.job_id = j.id AND (e.by_user = $1 OR e.technician = $1))
      ORDER BY j.created_at`,
    [userId],
  );
}

/** fieldservice: planned shifts. */
export async function shiftsOf(q: Queryable, userId: string): Promise<Row[]> {
  return all(q, `SELECT id, starts_at AS "startsAt", ends_at AS "endsAt", created_at AS "createdAt" FROM fs_shifts WHERE technician_id = $1 ORDER BY starts_at`, [userId]);
}

/** fieldservice: the location trail, as stored (sealed under the person's key; fieldservice opens it). */
export async function locationsOf(
  q: Queryable,
  userId: string,
): Promise<{ technicianId: string; at: Date; sealed: string | null; latitude: number | null; longitude: number | null; accuracyM: number | null }[]> {
  const { rows } = await q.query<{ technicianId: string; at: Date; sealed: string | null; latitude: number | null; longitude: number | null; accuracyM: number | null }>(
    `SELECT technician_id::text AS "technicianId", at, sealed, latitude, longitude, accuracy_m AS "accuracyM" FROM fs_locations WHERE technician_id = $1 ORDER BY at, id`,
    [userId],
  );
  return rows;
}

/** fieldservice: photos the person uploaded (the blobs are read from the blob store). */
export async function photosBy(
  q: Queryable,
  userId: string,
): Promise<{ id: string; jobId: string; blobKey: string; mediaType: string; size: number; sha256: string; createdAt: Date; uploadedBy: string; sealed: boolean }[]> {
  const { rows } = await q.query<{ id: string; jobId: string; blobKey: string; mediaType: string; size: number; sha256: string; createdAt: Date; uploadedBy: string; sealed: boolean }>(
    `SELECT id, job_id AS "jobId", blob_key AS "blobKey", media_type AS "mediaType", size, sha256, created_at AS "createdAt", uploaded_by::text AS "uploadedBy", sealed
       FROM fs_photos WHERE uploaded_by = $1 ORDER BY created_at`,
    [userId],
  );
  return rows;
}

/** audit: records where the person is the actor or the subject (read as the audit reader). */
export async function auditRecordsOf(q: Queryable, userId: string, sessionIds: readonly string[]): Promise<Row[]> {
  return all(
    q,
    `SELECT e.id::text AS id, e.at, e.action, e.outcome, e.reason, e.actor, e.resource_type AS "resourceType", e.resource_id AS "resourceId",
            e.request_id AS "requestId", e.changes, e.detail
       FROM audit_events e
      WHERE e.actor ->> 'userId' = $1 OR (e.resource_type = 'user' AND e.resource_id = $1) OR e.actor ->> 'sessionId' = ANY($2::text[])
         OR (e.resource_type = 'session' AND e.resource_id = ANY($2::text[]))
      ORDER BY e.id`,
    [userId, sessionIds],
  );
}

/** privacy: the legal hold on the person, if any. */
export async function legalHoldOf(q: Queryable, userId: string): Promise<{ reason: string; placedBy: string; placedAt: Date } | undefined> {
  const { rows } = await q.query<{ reason: string; placedBy: string; placedAt: Date }>('SELECT reason, placed_by AS "placedBy", placed_at AS "placedAt" FROM privacy_legal_holds WHERE user_id = $1', [userId]);
  return rows[0];
}

export async function placeLegalHold(q: Queryable, userId: string, reason: string, placedBy: string, at: Date): Promise<boolean> {
  const { rowCount } = await q.query('INSERT INTO privacy_legal_holds (user_id, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING', [userId, reason, placedBy, at]);
  return rowCount > 0;
}

export async function liftLegalHold(q: Queryable, userId: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM privacy_legal_holds WHERE user_id = $1', [userId]);
  return rowCount > 0;
}

/** Locks the person's row for the erasure (a sign-in racing with it waits, then finds no one). */
export async function lockUser(q: Queryable, userId: string): Promise<{ name: string | null; userName: string | null; email: string | null; subject: string } | undefined> {
  const { rows } = await q.query<{ name: string | null; userName: string | null; email: string | null; subject: string }>('SELECT name, user_name AS "userName", email, subject FROM users WHERE id = $1 FOR UPDATE', [userId]);
  return rows[0];
}

/**
 * The tombstone that keeps job history whole: a person row (and a technician row, when the
 * person was one) under a fresh id that names no one. Jobs, their events, shifts and the
 * technician foreign keys move to it.
 */
export async function insertTombstone(q: Queryable, tombstoneId: string, pseudonym: string, technician: Row | undefined, at: Date): Promise<void> {
  await q.query(`INSERT INTO users (id, issuer, subject, disabled_at) VALUES ($1, 'urn:palisade:erased', $2, $3)`, [tombstoneId, pseudonym, at]);
  if (technician) {
    await q.query(`INSERT INTO fs_technicians (user_id, display_name, territory, region, active, updated_at) VALUES ($1, $2, $3, $4, false, $5)`, [
      tombstoneId,
      `Erased person ${pseudonym.slice(4, 12)}`,
      technician.territory,
      technician.region,
      at,
    ]);
  }
}

export interface ErasedCounts {
  sessions: number;
  devices: number;
  oauthRecords: number;
  scimRecords: number;
  mdmHints: number;
  locations: number;
  photos: number;
  shifts: number;
  jobsReattributed: number;
  jobEventsReattributed: number;
  /** Jobs and sites whose free text named the person and now names the tombstone (decision 0029). */
  freeTextJobs?: number;
  freeTextSites?: number;
  /** Site access notes that did not open (altered at rest), so could not be searched. */
  freeTextUnreadable?: number;
}

const n = async (q: Queryable, sql: string, params: readonly unknown[]): Promise<number> => (await q.query(sql, params)).rowCount;

/** Deletes the person's records and moves what history needs to the tombstone; the photo blob keys are returned for deletion. */
export async function erasePersonRows(
  q: Queryable,
  userId: string,
  tombstoneId: string,
  person: { userName: string | null; email: string | null; subject: string },
): Promise<{ counts: ErasedCounts; blobKeys: string[] }> {
  const { rows: sessionRows } = await q.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1', [userId]);
  const sessionIds = sessionRows.map((r) => r.id);
  // The authorization server's records of their grants, and any other (browser sessions,
  // interactions) that mention them anywhere in the payload.
  const needles = [userId, person.email, person.userName, person.subject].filter((v): v is string => !!v && v.length >= 4);
  const oauthRecords = await n(
    q,
    'DELETE FROM oauth_payloads WHERE grant_id = ANY($1::text[]) OR EXISTS (SELECT 1 FROM unnest($2::text[]) AS needle WHERE strpos(payload::text, needle) > 0)',
    [sessionIds, needles],
  );
  await q.query(`DELETE FROM refresh_retries WHERE jkt IN (SELECT jkt FROM devices WHERE user_id = $1)`, [userId]);
  const sessions = await n(q, 'DELETE FROM sessions WHERE user_id = $1', [userId]);
  const devices = await deleteDevicesOfUser(q, userId);
  // Commands an administrator requested stay with the device's history, under the tombstone.
  await q.query('UPDATE device_commands SET requested_by = $2 WHERE requested_by = $1', [userId, tombstoneId]);
  const hints = [person.userName, person.email].filter((h): h is string => !!h).map((h) => h.toLowerCase());
  const mdmHints = hints.length ? await n(q, 'UPDATE mdm_devices SET user_hint = NULL WHERE lower(user_hint) = ANY($1::text[])', [hints]) : 0;
  let scimRecords = 0;
  if (person.userName) {
    const { rows: scim } = await q.query<{ id: string }>('DELETE FROM scim_users WHERE lower(user_name) = lower($1) RETURNING id', [person.userName]);
    scimRecords = scim.length;
    for (const { id } of scim) await q.query('UPDATE scim_groups SET member_ids = array_remove(member_ids, $1::uuid) WHERE $1::uuid = ANY(member_ids)', [id]);
  }
  const locations = await n(q, 'DELETE FROM fs_locations WHERE technician_id = $1', [userId]);
  const { rows: photoRows } = await q.query<{ blobKey: string }>('DELETE FROM fs_photos WHERE uploaded_by = $1 RETURNING blob_key AS "blobKey"', [userId]);
  const jobsReattributed = await n(
    q,
    `UPDATE fs_jobs SET assigned_to = CASE WHEN assigned_to = $1 THEN $2 ELSE assigned_to END,
                        created_by = CASE WHEN created_by = $1 THEN $2 ELSE created_by END,
                        status_changed_by = CASE WHEN status_changed_by = $1 THEN $2 ELSE status_changed_by END
      WHERE assigned_to = $1 OR created_by = $1 OR status_changed_by = $1`,
    [userId, tombstoneId],
  );
  const jobEventsReattributed = await n(
    q,
    `UPDATE fs_job_events SET by_user = CASE WHEN by_user = $1 THEN $2 ELSE by_user END,
                              technician = CASE WHEN technician = $1 THEN $2 ELSE technician END
      WHERE by_user = $1 OR technician = $1`,
    [userId, tombstoneId],
  );
  const shifts = await n(q, 'UPDATE fs_shifts SET technician_id = $2 WHERE technician_id = $1', [userId, tombstoneId]);
  await q.query('UPDATE fs_shifts SET created_by = $2 WHERE created_by = $1', [userId, tombstoneId]);
  await q.query('UPDATE fs_technicians SET updated_by = $2 WHERE updated_by = $1', [userId, tombstoneId]);
  // What they did as an administrator here stays attributed, to the tombstone.
  await q.query('UPDATE privacy_erasures SET erased_by = $2 WHERE erased_by = $1', [userId, tombstoneId]);
  await q.query('UPDATE privacy_legal_holds SET placed_by = $2 WHERE placed_by = $1', [userId, tombstoneId]);
  await q.query('DELETE FROM fs_technicians WHERE user_id = $1', [userId]);
  await q.query('DELETE FROM users WHERE id = $1', [userId]);
  return {
    counts: { sessions, devices, oauthRecords, scimRecords, mdmHints, locations, photos: photoRows.length, shifts, jobsReattributed, jobEventsReattributed },
    blobKeys: photoRows.map((r) => r.blobKey),
  };
}

export async function recordErasure(q: Queryable, pseudonym: string, erasedBy: string, at: Date, counts: ErasedCounts): Promise<void> {
  await q.query('INSERT INTO privacy_erasures (pseudonym, erased_at, erased_by, counts) VALUES ($1, $2, $3, $4::jsonb)', [pseudonym, at, erasedBy, JSON.stringify(counts)]);
}
