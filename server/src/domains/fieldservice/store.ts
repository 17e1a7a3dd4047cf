/**
 * The field-service domain's SQL. Every function takes the transaction `asCaller` opened (the
 * caller's claims are set, row-level security applies) and, unless told otherwise, adds the same
 * scope functions the policies use to its WHERE clause: the API's own check. `Scoping.apiChecks`
 * exists so a test can remove that check on purpose and show that row-level security alone still
 * returns only the caller's rows (and the bench can compare the two layers' cost).
 */
import type { Queryable } from '../../db/index.ts';
import type { EncryptedColumn } from './classification.ts';

export interface Scoping {
  /** The API's own scope predicate in every query (always true outside tests). */
  apiChecks: boolean;
}

export const JOB_STATUSES = ['new', 'assigned', 'en_route', 'on_site', 'completed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const OPEN_STATUSES: readonly JobStatus[] = ['new', 'assigned', 'en_route', 'on_site'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/** The allowed moves, as migration 0012's fs_job_transition_allowed has them (a test compares). */
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  new: ['assigned', 'cancelled'],
  assigned: ['assigned', 'en_route', 'cancelled'],
  en_route: ['on_site', 'cancelled'],
  on_site: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export interface JobRow {
  id: string;
  title: string;
  description: string;
  department: string;
  territory: string;
  region: string;
  siteId: string;
  project: string | null;
  priority: string;
  windowStart: Date | null;
  windowEnd: Date | null;
  status: JobStatus;
  assignedTo: string | null;
  statusChangedAt: Date;
  createdAt: Date;
}

export const JOB_COLUMNS = `j.id, j.title, j.description, j.department, j.territory, j.region, j.site_id AS "siteId", j.project, j.priority,
  j.window_start AS "windowStart", j.window_end AS "windowEnd", j.status, j.assigned_to AS "assignedTo",
  j.status_changed_at AS "statusChangedAt", j.created_at AS "createdAt"`;

/**
 * The scope predicates: the rules the policies in migration 0012 apply. Jobs and technicians go
 * through the `…_in_scope` wrappers, which call the same functions but are not inlined, so that
 * with row-level security on the planner does not count the rules twice (migration 0012).
 */
export const JOB_SCOPE = 'fs_job_in_scope(j.territory, j.region, j.department, j.project, j.assigned_to)';
/**
 * The same rules inlined, for a query that reads every row in scope anyway (the CSV export):
 * there the wrapper's per-row call costs more than the planner's double count (nothing to stop
 * early for), and the inlined form lets it filter in the scan.
 */
export const JOB_SCOPE_INLINED = 'fs_job_visible(j.territory, j.region, j.department, j.project, j.assigned_to)';
export const SITE_SCOPE = 'fs_site_visible(s.id, s.territory, s.region)';
export const TECHNICIAN_SCOPE = 'fs_technician_in_scope(t.user_id, t.territory, t.region, t.department)';

const and = (scoping: Scoping, predicate: string) => (scoping.apiChecks ? ` AND ${predicate}` : '');

export interface JobFilter {
  status?: JobStatus;
  territory?: string;
  department?: string;
  project?: string;
  assignedTo?: string;
  siteId?: string;
  q?: string;
  /** Keyset paging: the last row of the previous page. */
  after?: { createdAt: Date; id: string };
  limit: number;
}

export async function listJobs(tx: Queryable, scoping: Scoping, filter: JobFilter): Promise<JobRow[]> {
  const { rows } = await tx.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM fs_jobs j
     WHERE ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.territory = $2) AND ($3::text IS NULL OR j.department = $3)
       AND ($4::text IS NULL OR j.project = $4) AND ($5::uuid IS NULL OR j.assigned_to = $5) AND ($6::uuid IS NULL OR j.site_id = $6)
       AND ($7::text IS NULL OR strpos(lower(j.title), lower($7)) > 0)
       AND ($8::timestamptz IS NULL OR (j.created_at, j.id) < ($8, $9::uuid))${and(scoping, JOB_SCOPE)}
     ORDER BY j.created_at DESC, j.id DESC LIMIT $10`,
    [
      filter.status ?? null,
      filter.territory ?? null,
      filter.department ?? null,
      filter.project ?? null,
      filter.assignedTo ?? null,
      filter.siteId ?? null,
      filter.q ?? null,
      filter.after?.createdAt ?? null,
      filter.after?.id ?? null,
      filter.limit,
    ],
  );
  return rows;
}

export async function findJob(tx: Queryable, scoping: Scoping, id: string, options: { forUpdate?: boolean } = {}): Promise<JobRow | undefined> {
  const { rows } = await tx.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM fs_jobs j WHERE j.id = $1${and(scoping, JOB_SCOPE)}${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/** Whether a job with these attributes would be in the caller's scope (before it exists). */
export async function jobInScope(tx: Queryable, job: { territory: string; department: string; project: string | null; assignedTo: string | null }): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>(
    `SELECT coalesce(fs_job_visible($1, (SELECT region FROM fs_territories WHERE code = $1), $2, $3, $4::uuid), false) AS ok`,
    [job.territory, job.department, job.project, job.assignedTo],
  );
  return rows[0]!.ok;
}

export interface NewJob {
  title: string;
  description: string;
  department: string;
  territory: string;
  siteId: string;
  project: string | null;
  priority: string;
  windowStart: string | null;
  windowEnd: string | null;
}

export async function insertJob(tx: Queryable, job: NewJob, by: string): Promise<JobRow> {
  const { rows } = await tx.query<JobRow>(
    `INSERT INTO fs_jobs AS j (title, description, department, territory, region, site_id, project, priority, window_start, window_end, created_by, status_changed_by)
     VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, $9, $10, $10)
     RETURNING ${JOB_COLUMNS}`,
    [job.title, job.description, job.department, job.territory, job.siteId, job.project, job.priority, job.windowStart, job.windowEnd, by],
  );
  await addEvent(tx, rows[0]!.id, { kind: 'created', to: 'new' }, by);
  return rows[0]!;
}

export async function updateJobStatus(tx: Queryable, id: string, to: JobStatus, by: string, assignedTo?: string): Promise<JobRow> {
  const { rows } = await tx.query<JobRow>(
    `UPDATE fs_jobs AS j SET status = $2, status_changed_at = now(), status_changed_by = $3, assigned_to = coalesce($4::uuid, j.assigned_to)
     WHERE j.id = $1 RETURNING ${JOB_COLUMNS}`,
    [id, to, by, assignedTo ?? null],
  );
  return rows[0]!;
}

export async function addEvent(tx: Queryable, jobId: string, event: { kind: 'created' | 'status' | 'assigned'; from?: string; to?: string; technician?: string }, by: string): Promise<void> {
  await tx.query('INSERT INTO fs_job_events (job_id, kind, from_status, to_status, technician, by_user) VALUES ($1, $2, $3, $4, $5, $6)', [
    jobId,
    event.kind,
    event.from ?? null,
    event.to ?? null,
    event.technician ?? null,
    by,
  ]);
}

export interface JobEventRow {
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  technician: string | null;
  at: Date;
  by: string;
}

export async function jobEvents(tx: Queryable, jobId: string): Promise<JobEventRow[]> {
  const { rows } = await tx.query<JobEventRow>(
    `SELECT kind, from_status AS "fromStatus", to_status AS "toStatus", technician, at, by_user AS "by" FROM fs_job_events WHERE job_id = $1 ORDER BY id`,
    [jobId],
  );
  return rows;
}

// Sites and customers --------------------------------------------------------------------------

export interface SiteRow {
  id: string;
  customerId: string;
  customerName: string;
  name: string;
  address: string;
  territory: string;
  region: string;
  accessNotes: string | null;
}

export async function findSite(tx: Queryable, scoping: Scoping, id: string): Promise<SiteRow | undefined> {
  const { rows } = await tx.query<SiteRow>(
    `SELECT s.id, s.customer_id AS "customerId", c.name AS "customerName", s.name, s.address, s.territory, s.region, s.access_notes AS "accessNotes"
     FROM fs_sites s JOIN fs_customers c ON c.id = s.customer_id WHERE s.id = $1${and(scoping, SITE_SCOPE)}`,
    [id],
  );
  return rows[0];
}

export interface CustomerRow {
  id: string;
  name: string;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  createdAt: Date;
}

const CUSTOMER_COLUMNS = `c.id, c.name, c.contact_name AS "contactName", c.contact_phone AS "contactPhone", c.contact_email AS "contactEmail", c.created_at AS "createdAt"`;

/** Fresh ids for a new customer and its first site (encryption contexts name the row id). */
export async function newCustomerAndSiteIds(tx: Queryable): Promise<{ customer: string; site: string }> {
  const { rows } = await tx.query<{ customer: string; site: string }>('SELECT gen_random_uuid() AS customer, gen_random_uuid() AS site');
  return rows[0]!;
}

/** A new customer; the contact columns arrive already encrypted (or null). */
export async function insertCustomer(tx: Queryable, customer: { id: string; name: string; contactName: string | null; contactPhone: string | null; contactEmail: string | null }): Promise<void> {
  await tx.query('INSERT INTO fs_customers (id, name, contact_name, contact_phone, contact_email) VALUES ($1, $2, $3, $4, $5)', [
    customer.id,
    customer.name,
    customer.contactName,
    customer.contactPhone,
    customer.contactEmail,
  ]);
}

/** A new site; its region is set by the table's trigger from the territory, the access notes arrive encrypted. */
export async function insertSite(tx: Queryable, site: { id: string; customerId: string; name: string; address: string; territory: string; accessNotes: string | null }): Promise<void> {
  await tx.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region, access_notes) VALUES ($1, $2, $3, $4, $5, '', $6)", [
    site.id,
    site.customerId,
    site.name,
    site.address,
    site.territory,
    site.accessNotes,
  ]);
}

export async function territoryExists(tx: Queryable, code: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM fs_territories WHERE code = $1', [code]);
  return rows.length > 0;
}

/** Whether the caller may see a new site in this territory (the policy's own function). */
export async function siteTerritoryVisible(tx: Queryable, territory: string): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>('SELECT fs_site_visible(NULL, $1, (SELECT region FROM fs_territories WHERE code = $1)) AS ok', [territory]);
  return rows[0]?.ok === true;
}

export async function listCustomers(tx: Queryable, scoping: Scoping, filter: { q?: string; after?: string; limit: number }): Promise<CustomerRow[]> {
  const { rows } = await tx.query<CustomerRow>(
    `SELECT ${CUSTOMER_COLUMNS} FROM fs_customers c
     WHERE ($1::text IS NULL OR strpos(lower(c.name), lower($1)) > 0) AND ($2::uuid IS NULL OR c.id > $2)${and(scoping, 'fs_customer_visible(c.id)')}
     ORDER BY c.id LIMIT $3`,
    [filter.q ?? null, filter.after ?? null, filter.limit],
  );
  return rows;
}

export async function findCustomer(tx: Queryable, scoping: Scoping, id: string): Promise<CustomerRow | undefined> {
  const { rows } = await tx.query<CustomerRow>(`SELECT ${CUSTOMER_COLUMNS} FROM fs_customers c WHERE c.id = $1${and(scoping, 'fs_customer_visible(c.id)')}`, [id]);
  return rows[0];
}

export async function customerSites(tx: Queryable, scoping: Scoping, customerId: string): Promise<SiteRow[]> {
  const { rows } = await tx.query<SiteRow>(
    `SELECT s.id, s.customer_id AS "customerId", c.name AS "customerName", s.name, s.address, s.territory, s.region, s.access_notes AS "accessNotes"
     FROM fs_sites s JOIN fs_customers c ON c.id = s.customer_id WHERE s.customer_id = $1${and(scoping, SITE_SCOPE)} ORDER BY s.name, s.id`,
    [customerId],
  );
  return rows;
}

// Technicians, shifts, locations ------------------------------------------------------------------

export interface TechnicianRow {
  userId: string;
  displayName: string;
  territory: string;
  region: string;
  department: string | null;
  skills: string[];
  active: boolean;
}

const TECHNICIAN_COLUMNS = `t.user_id AS "userId", t.display_name AS "displayName", t.territory, t.region, t.department, t.skills, t.active`;

export async function listTechnicians(tx: Queryable, scoping: Scoping, filter: { territory?: string; active?: boolean; after?: string; limit: number }): Promise<TechnicianRow[]> {
  const { rows } = await tx.query<TechnicianRow>(
    `SELECT ${TECHNICIAN_COLUMNS} FROM fs_technicians t
     WHERE ($1::text IS NULL OR t.territory = $1) AND ($2::boolean IS NULL OR t.active = $2) AND ($3::uuid IS NULL OR t.user_id > $3)${and(scoping, TECHNICIAN_SCOPE)}
     ORDER BY t.user_id LIMIT $4`,
    [filter.territory ?? null, filter.active ?? null, filter.after ?? null, filter.limit],
  );
  return rows;
}

export async function findTechnician(tx: Queryable, scoping: Scoping, id: string, options: { forUpdate?: boolean } = {}): Promise<TechnicianRow | undefined> {
  const { rows } = await tx.query<TechnicianRow>(
    `SELECT ${TECHNICIAN_COLUMNS} FROM fs_technicians t WHERE t.user_id = $1${and(scoping, TECHNICIAN_SCOPE)}${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/** A technician's own record, created on their first field-service call from their IdP attributes. */
export async function ensureTechnician(tx: Queryable, user: { id: string; name: string | null; territory: string | null; department: string | null }): Promise<void> {
  if (!user.territory) return;
  await tx.query(
    `INSERT INTO fs_technicians (user_id, display_name, territory, region, department)
     SELECT $1, $2, code, '', $4 FROM fs_territories WHERE code = $3
     ON CONFLICT (user_id) DO NOTHING`,
    [user.id, user.name ?? 'Technician', user.territory, user.department],
  );
}

/** Whether the caller may see this technician once moved to `territory` (the policy's own function). */
export async function technicianTerritoryVisible(tx: Queryable, userId: string, territory: string, department: string | null): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean | null }>('SELECT fs_technician_visible($1, $2, (SELECT region FROM fs_territories WHERE code = $2), $3) AS ok', [userId, territory, department]);
  return rows[0]?.ok === true;
}

/** Whether the user has a technician record visible to the caller. */
export async function technicianExists(tx: Queryable, userId: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM fs_technicians WHERE user_id = $1', [userId]);
  return rows.length > 0;
}

export async function updateTechnician(tx: Queryable, id: string, change: { territory?: string; skills?: string[]; active?: boolean }, by: string): Promise<TechnicianRow | undefined> {
  const { rows } = await tx.query<TechnicianRow>(
    `UPDATE fs_technicians AS t SET territory = coalesce($2, t.territory), skills = coalesce($3, t.skills), active = coalesce($4, t.active),
       updated_at = now(), updated_by = $5
     WHERE t.user_id = $1 RETURNING ${TECHNICIAN_COLUMNS}`,
    [id, change.territory ?? null, change.skills ?? null, change.active ?? null, by],
  );
  return rows[0];
}

export interface ShiftRow {
  id: string;
  technicianId: string;
  startsAt: Date;
  endsAt: Date;
}

export async function listShifts(tx: Queryable, scoping: Scoping, filter: { technicianId?: string; from: Date; to: Date; limit: number }): Promise<ShiftRow[]> {
  const { rows } = await tx.query<ShiftRow>(
    `SELECT f.id, f.technician_id AS "technicianId", f.starts_at AS "startsAt", f.ends_at AS "endsAt" FROM fs_shifts f
     WHERE ($1::uuid IS NULL OR f.technician_id = $1) AND f.ends_at > $2 AND f.starts_at < $3${and(scoping, 'fs_technician_id_visible(f.technician_id)')}
     ORDER BY f.starts_at, f.id LIMIT $4`,
    [filter.technicianId ?? null, filter.from, filter.to, filter.limit],
  );
  return rows;
}

export async function insertShift(tx: Queryable, shift: { technicianId: string; startsAt: string; endsAt: string }, by: string): Promise<ShiftRow> {
  const { rows } = await tx.query<ShiftRow>(
    `INSERT INTO fs_shifts (technician_id, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4)
     RETURNING id, technician_id AS "technicianId", starts_at AS "startsAt", ends_at AS "endsAt"`,
    [shift.technicianId, shift.startsAt, shift.endsAt, by],
  );
  return rows[0]!;
}

export async function deleteShift(tx: Queryable, scoping: Scoping, id: string): Promise<boolean> {
  const { rowCount } = await tx.query(`DELETE FROM fs_shifts f WHERE f.id = $1${and(scoping, 'fs_technician_id_visible(f.technician_id)')}`, [id]);
  return rowCount > 0;
}

/** How many positions per technician are kept: the latest and a short trail. */
export const LOCATION_HISTORY = 50;

/**
 * Stores a position sealed under the technician's person key (`sealed`, see personal.ts); the
 * plaintext columns stay empty. Only the newest LOCATION_HISTORY positions are kept.
 */
export async function recordLocation(tx: Queryable, technicianId: string, at: Date, sealed: string): Promise<void> {
  await tx.query('INSERT INTO fs_locations (technician_id, at, sealed) VALUES ($1, $2, $3)', [technicianId, at, sealed]);
  await tx.query(
    `DELETE FROM fs_locations WHERE technician_id = $1 AND id NOT IN (
       SELECT id FROM fs_locations WHERE technician_id = $1 ORDER BY at DESC, id DESC LIMIT ${LOCATION_HISTORY})`,
    [technicianId],
  );
}

/**
 * A position as stored: `sealed` for every position written since migration 0023, the plaintext
 * columns for an older one the sealing pass has not reached yet.
 */
export interface StoredLocationRow {
  technicianId: string;
  at: Date;
  sealed: string | null;
  latitude: number | null;
  longitude: number | null;
  accuracyM: number | null;
}

const LOCATION_COLUMNS = `l.technician_id::text AS "technicianId", l.at, l.sealed, l.latitude, l.longitude, l.accuracy_m AS "accuracyM"`;

export async function locationsOf(tx: Queryable, scoping: Scoping, technicianId: string, limit: number): Promise<StoredLocationRow[]> {
  const { rows } = await tx.query<StoredLocationRow>(
    `SELECT ${LOCATION_COLUMNS} FROM fs_locations l
     WHERE l.technician_id = $1${and(scoping, 'fs_technician_id_visible(l.technician_id)')} ORDER BY l.at DESC, l.id DESC LIMIT $2`,
    [technicianId, limit],
  );
  return rows;
}

/** Positions still in plaintext (written before migration 0023), for the sealing pass: locked, skipping rows another pass holds. */
export async function unsealedLocations(tx: Queryable, limit: number): Promise<(StoredLocationRow & { id: string })[]> {
  const { rows } = await tx.query<StoredLocationRow & { id: string }>(
    `SELECT l.id::text AS id, ${LOCATION_COLUMNS} FROM fs_locations l WHERE l.sealed IS NULL ORDER BY l.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

export async function sealLocation(tx: Queryable, id: string, sealed: string): Promise<void> {
  await tx.query('UPDATE fs_locations SET sealed = $2, latitude = NULL, longitude = NULL, accuracy_m = NULL WHERE id = $1', [id, sealed]);
}

/** A job photo's row: the metadata and where its bytes are. */
export interface PhotoRow {
  id: string;
  jobId: string;
  mediaType: 'image/jpeg' | 'image/png' | 'image/heic';
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: Date;
  blobKey: string;
  /** Whether the blob holds the bytes sealed under the uploader's key (every upload since migration 0023). */
  sealed: boolean;
}
const PHOTO_COLUMNS = `p.id, p.job_id AS "jobId", p.media_type AS "mediaType", p.size, p.sha256, p.uploaded_by AS "uploadedBy", p.created_at AS "createdAt", p.blob_key AS "blobKey", p.sealed`;

/** Records an uploaded photo whose (sealed) bytes are in the blob store under `blobKey`. */
export async function insertPhoto(tx: Queryable, photo: { id: string; jobId: string; blobKey: string; mediaType: string; size: number; sha256: string; uploadedBy: string }): Promise<PhotoRow> {
  const { rows } = await tx.query<PhotoRow>(
    `INSERT INTO fs_photos AS p (id, job_id, blob_key, media_type, size, sha256, uploaded_by, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, true) RETURNING ${PHOTO_COLUMNS}`,
    [photo.id, photo.jobId, photo.blobKey, photo.mediaType, photo.size, photo.sha256, photo.uploadedBy],
  );
  return rows[0]!;
}

/** A job's photos, oldest first. */
export async function jobPhotos(tx: Queryable, jobId: string): Promise<PhotoRow[]> {
  const { rows } = await tx.query<PhotoRow>(`SELECT ${PHOTO_COLUMNS} FROM fs_photos p WHERE p.job_id = $1 ORDER BY p.created_at, p.id`, [jobId]);
  return rows;
}

/** One photo of a job, if the job is in the caller's scope (API checks) — row-level security applies either way. */
export async function findPhoto(tx: Queryable, scoping: Scoping, jobId: string, photoId: string): Promise<PhotoRow | undefined> {
  const scope = scoping.apiChecks ? ` AND EXISTS (SELECT 1 FROM fs_jobs j WHERE j.id = p.job_id AND ${JOB_SCOPE})` : '';
  const { rows } = await tx.query<PhotoRow>(`SELECT ${PHOTO_COLUMNS} FROM fs_photos p WHERE p.id = $1 AND p.job_id = $2${scope}`, [photoId, jobId]);
  return rows[0];
}

/** Photos whose blob still holds the plain image (uploaded before migration 0023). */
export async function unsealedPhotos(tx: Queryable, limit: number): Promise<{ id: string; uploadedBy: string; blobKey: string; mediaType: 'image/jpeg' | 'image/png' | 'image/heic'; sha256: string }[]> {
  const { rows } = await tx.query<{ id: string; uploadedBy: string; blobKey: string; mediaType: 'image/jpeg' | 'image/png' | 'image/heic'; sha256: string }>(
    `SELECT id::text AS id, uploaded_by::text AS "uploadedBy", blob_key AS "blobKey", media_type AS "mediaType", sha256 FROM fs_photos
      WHERE NOT sealed ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** Moves an unsealed photo to its sealed blob; false when another pass (or an erasure) got there first. */
export async function markPhotoSealed(tx: Queryable, id: string, from: string, to: string): Promise<boolean> {
  const { rowCount } = await tx.query('UPDATE fs_photos SET sealed = true, blob_key = $3 WHERE id = $1 AND blob_key = $2 AND NOT sealed', [id, from, to]);
  return rowCount === 1;
}

// Reports -----------------------------------------------------------------------------------------

export interface JobReportRow {
  territory: string;
  status: string;
  jobs: number;
  avgHoursToComplete: number | null;
}

export async function jobReport(tx: Queryable, scoping: Scoping, since: Date): Promise<JobReportRow[]> {
  const { rows } = await tx.query<{ territory: string; status: string; jobs: string | number; avg: number | null }>(
    `SELECT j.territory, j.status, count(*) AS jobs,
       avg(EXTRACT(EPOCH FROM (j.status_changed_at - j.created_at)) / 3600) FILTER (WHERE j.status = 'completed') AS avg
     FROM fs_jobs j WHERE j.created_at >= $1${and(scoping, JOB_SCOPE)}
     GROUP BY j.territory, j.status ORDER BY j.territory, j.status`,
    [since],
  );
  return rows.map((r) => ({ territory: r.territory, status: r.status, jobs: Number(r.jobs), avgHoursToComplete: r.avg === null ? null : Math.round(Number(r.avg) * 100) / 100 }));
}

// Re-encryption after a data-key rotation (reencrypt.ts) --------------------------------------------

/** `table.column` of an encrypted column, split; names come from the code's own list, never from input. */
const columnParts = (column: EncryptedColumn) => column.split('.') as [string, string];

/** How many values of `column` are not under the data key `activeKeyId`. */
export async function countNotUnderKey(tx: Queryable, column: EncryptedColumn, activeKeyId: string): Promise<number> {
  const [table, field] = columnParts(column);
  const { rows } = await tx.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table} WHERE ${field} IS NOT NULL AND ${field} NOT LIKE $1`, [`pe1.${activeKeyId}.%`]);
  return Number(rows[0]!.n);
}

/** Up to `limit` values of `column` not under `activeKeyId`, locked for this transaction; rows another run holds are skipped. */
export async function lockNotUnderKey(tx: Queryable, column: EncryptedColumn, activeKeyId: string, limit: number): Promise<{ id: string; value: string }[]> {
  const [table, field] = columnParts(column);
  const { rows } = await tx.query<{ id: string; value: string }>(
    `SELECT id, ${field} AS value FROM ${table} WHERE ${field} IS NOT NULL AND ${field} NOT LIKE $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [`pe1.${activeKeyId}.%`, limit],
  );
  return rows;
}

/** Replaces the encrypted value of `column` in row `id`. */
export async function setEncrypted(tx: Queryable, column: EncryptedColumn, id: string, value: string): Promise<void> {
  const [table, field] = columnParts(column);
  await tx.query(`UPDATE ${table} SET ${field} = $2 WHERE id = $1`, [id, value]);
}

// The demo dataset (seed.ts): written as the owner, in one transaction, into an empty domain ---------

/** Serializes seeding across instances (the transaction's advisory lock). */
export async function lockForSeeding(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(74657366)');
}

/** How many territories exist (none: the domain is empty). */
export async function territoryCount(tx: Queryable): Promise<number> {
  const { rows } = await tx.query<{ n: string | number }>('SELECT count(*) AS n FROM fs_territories');
  return Number(rows[0]!.n);
}

export async function insertTerritory(tx: Queryable, territory: { code: string; name: string; region: string }): Promise<void> {
  await tx.query('INSERT INTO fs_territories (code, name, region) VALUES ($1, $2, $3)', [territory.code, territory.name, territory.region]);
}

export async function insertProject(tx: Queryable, project: { code: string; name: string; contractor: string }): Promise<void> {
  await tx.query('INSERT INTO fs_projects (code, name, contractor) VALUES ($1, $2, $3)', [project.code, project.name, project.contractor]);
}

/** A technician with their skills; kept as it is when the person is one already. */
export async function insertTechnician(tx: Queryable, technician: { userId: string; name: string; territory: string; department: string | null; skills: string[] }): Promise<void> {
  await tx.query(
    `INSERT INTO fs_technicians (user_id, display_name, territory, region, department, skills) VALUES ($1, $2, $3, '', $4, $5)
         ON CONFLICT (user_id) DO NOTHING`,
    [technician.userId, technician.name, technician.territory, technician.department, technician.skills],
  );
}

/** A fresh id for a new row (encryption contexts name the row id, so it is known before the insert). */
export async function newId(tx: Queryable): Promise<string> {
  const { rows } = await tx.query<{ id: string }>('SELECT gen_random_uuid() AS id');
  return rows[0]!.id;
}

/** A job of the demo's history, created `createdAt` by `by`, in status new (its walk follows with setDemoJobStatus). */
export async function insertDemoJob(
  tx: Queryable,
  job: { title: string; description: string; department: string; territory: string; siteId: string; project: string | null; priority: string; windowStart: Date; windowEnd: Date; createdAt: Date },
  by: string,
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO fs_jobs (title, description, department, territory, region, site_id, project, priority, window_start, window_end, status, assigned_to, status_changed_at, created_at, created_by)
         VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, $9, 'new', NULL, $10, $10, $11) RETURNING id`,
    [job.title, job.description, job.department, job.territory, job.siteId, job.project, job.priority, job.windowStart, job.windowEnd, job.createdAt, by],
  );
  return rows[0]!.id;
}

/** Moves a demo job to `status` at `at`; `assignee` becomes its technician when the status is assigned. */
export async function setDemoJobStatus(tx: Queryable, jobId: string, status: JobStatus, assignee: string | null, at: Date): Promise<void> {
  await tx.query('UPDATE fs_jobs SET status = $2, assigned_to = CASE WHEN $2 = \'assigned\' THEN $3::uuid ELSE assigned_to END, status_changed_at = $4 WHERE id = $1', [jobId, status, assignee, at]);
}

/** A job event of the demo's history, at a given time (addEvent records the present). */
export async function insertDemoJobEvent(tx: Queryable, jobId: string, event: { kind: string; from: string | null; to: string; technician: string | null; at: Date }, by: string): Promise<void> {
  await tx.query('INSERT INTO fs_job_events (job_id, kind, from_status, to_status, technician, at, by_user) VALUES ($1, $2, $3, $4, $5, $6, $7)', [jobId, event.kind, event.from, event.to, event.technician, event.at, by]);
}
