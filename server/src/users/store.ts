import type { Database, Queryable } from '../db/index.ts';
import type { MappedProfile } from './mapping.ts';
import type { RoleName } from '../config/index.ts';

export interface User {
  id: string;
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  roles: RoleName[];
  department: string | null;
  territory: string | null;
  region: string | null;
  projects: string[];
  employeeType: string | null;
  userName: string | null;
  /** Set while the IdP has deprovisioned the person (SCIM): sign-in is refused. */
  disabledAt: Date | null;
}

/**
 * `roles` is the effective set: what the IdP's groups grant (the `roles` column, rewritten at
 * every sign-in and SCIM change) plus what an admin granted in Palisade, minus what an admin
 * took away (`roles_added`, `roles_removed`: authz/roles.ts).
 */
const COLUMNS = `id, issuer, subject, email, name,
  palisade_effective_roles(users.roles, users.roles_added, users.roles_removed) AS roles,
  department, territory, region, projects, employee_type AS "employeeType",
  user_name AS "userName", disabled_at AS "disabledAt"`;

/**
 * Creates or refreshes the user keyed by upstream issuer + subject (never by e-mail, which can be
 * reassigned). Idempotent under concurrency: two devices finishing a person's first sign-in at
 * once both succeed, as the same person.
 *
 * The row is first claimed with an insert of the key alone (`ON CONFLICT (issuer, subject) DO
 * NOTHING`: a concurrent claim waits for the first to commit, then does nothing), then filled
 * by an update of that one row. A single `INSERT … ON CONFLICT (issuer, subject) DO UPDATE`
 * carrying the user name is not enough: the user name's unique index is not its arbiter, so
 * the loser of the race failed with a unique violation there (answered 409) instead of
 * updating. Both steps run in one transaction, so no half-filled row is ever visible.
 */
export async function upsertUser(db: Database, issuer: string, subject: string, profile: MappedProfile): Promise<User> {
  return db.transaction(async (tx) => {
    await tx.query('INSERT INTO users (issuer, subject) VALUES ($1, $2) ON CONFLICT (issuer, subject) DO NOTHING', [issuer, subject]);
    // A user name links one person to their SCIM record: if another person already holds it, this
    // one is not linked (and the conflict is the IdP's to resolve) rather than sharing a record.
    if (profile.userName) {
      const { rows: taken } = await tx.query('SELECT 1 FROM users WHERE user_name = $1 AND NOT (issuer = $2 AND subject = $3)', [profile.userName, issuer, subject]);
      if (taken.length) profile = { ...profile, userName: null };
    }
    const { rows } = await tx.query<User>(
      `UPDATE users SET email = $3, name = $4, groups = $5, roles = $6, department = $7, territory = $8, region = $9,
         projects = $10, employee_type = $11, user_name = $12, updated_at = now(), last_login_at = now()
       WHERE issuer = $1 AND subject = $2
       RETURNING ${COLUMNS}`,
      [issuer, subject, profile.email, profile.name, profile.groups, profile.roles, profile.department, profile.territory, profile.region, profile.projects, profile.employeeType, profile.userName],
    );
    return rows[0]!;
  });
}

/**
 * A person of the demo dataset (`palisade demo seed`), with the attributes the scope rules use;
 * when the IdP already brought them, only touched. Returns their id. Runs on the seeder's
 * transaction.
 */
export async function ensureDemoUser(
  db: Queryable,
  user: { issuer: string; subject: string; email: string; name: string; roles: RoleName[]; department: string | null; territory: string | null; region: string | null; projects: string[]; employeeType: string },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (issuer, subject, email, name, roles, department, territory, region, projects, employee_type)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (issuer, subject) DO UPDATE SET updated_at = now() RETURNING id`,
    [user.issuer, user.subject, user.email, user.name, user.roles, user.department, user.territory, user.region, user.projects, user.employeeType],
  );
  return rows[0]!.id;
}

/**
 * Updates a person already known from an earlier sign-in with what the IdP says now (used when
 * the sign-in is refused, so stale roles do not outlive the groups that granted them). Someone
 * never seen before is not recorded.
 */
export async function updateKnownUser(db: Queryable, issuer: string, subject: string, profile: MappedProfile): Promise<User | undefined> {
  const { rows } = await db.query<User>(
    `UPDATE users SET email = $3, name = $4, groups = $5, roles = $6, department = $7, territory = $8, region = $9,
       projects = $10, employee_type = $11, user_name = $12, updated_at = now()
     WHERE issuer = $1 AND subject = $2
     RETURNING ${COLUMNS}`,
    [issuer, subject, profile.email, profile.name, profile.groups, profile.roles, profile.department, profile.territory, profile.region, profile.projects, profile.employeeType, profile.userName],
  );
  return rows[0];
}

export async function findUser(db: Queryable, id: string): Promise<User | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

/**
 * Users whose user name is `userName` (case-insensitive): the people a SCIM user stands for.
 * Palisade federates one company IdP, whose provisioning speaks for every sign-in with that
 * name (including ones made through an earlier IdP the company moved away from).
 */
export async function usersByUserName(db: Queryable, userName: string): Promise<User[]> {
  const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE user_name = $1`, [userName.toLowerCase()]);
  return rows;
}

/** The name to show for each of these user ids that exists (name, else email, else user name). */
export async function displayNames(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  const uuids = [...new Set(ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id)))];
  if (uuids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; shown: string | null }>('SELECT id, coalesce(name, email, user_name) AS shown FROM users WHERE id = ANY($1::uuid[])', [uuids]);
  return new Map(rows.filter((r) => r.shown).map((r) => [r.id, r.shown!]));
}

/** Disables (deprovisioned) or re-enables the user; returns whether anything changed. */
export async function setDisabled(db: Queryable, id: string, disabled: boolean, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    disabled ? 'UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL' : 'UPDATE users SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL',
    disabled ? [id, now] : [id],
  );
  return rowCount > 0;
}

/** Replaces the user's groups and the roles they grant. */
export async function setGroups(db: Queryable, id: string, groups: string[], roles: RoleName[]): Promise<void> {
  await db.query('UPDATE users SET groups = $2, roles = $3, updated_at = now() WHERE id = $1', [id, groups, roles]);
}

/** What the administrators' people list (GET /admin/v1/users) can filter by. */
export interface UserListFilter {
  /** Part of the name or e-mail address, case-insensitive (LIKE wildcards are taken literally). */
  search?: string;
  /** An effective role. */
  role?: RoleName;
  status?: 'active' | 'disabled';
}

/** One person in the list, with how many sessions they have open now. */
export interface UserListItem {
  id: string;
  name: string | null;
  email: string | null;
  roles: RoleName[];
  disabledAt: Date | null;
  department: string | null;
  territory: string | null;
  region: string | null;
  employeeType: string | null;
  lastLoginAt: Date | null;
  openSessions: number;
}

/** The keyset position after a row: its sort key exactly as the database compares it, and its id. */
export type ListPosition = readonly [sortKey: string, id: string];

/** `%` and `_` in what the person typed are characters, not wildcards. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A page of people in name order (case-insensitive, then id), after `after`; one row more than
 * `limit` is read to know whether another page follows. Served by the index users_list_name
 * (migration 0018): the WHERE clause is built from fixed fragments, values are parameters.
 */
export async function listUsers(db: Queryable, filter: UserListFilter, after: ListPosition | undefined, limit: number, now: Date): Promise<{ rows: UserListItem[]; last: ListPosition | undefined; more: boolean }> {
  const where: string[] = [];
  const values: unknown[] = [now];
  const param = (value: unknown) => `$${values.push(value)}`;
  if (filter.search !== undefined) {
    const pattern = param(containsPattern(filter.search));
    where.push(`(u.name ILIKE ${pattern} ESCAPE '\\' OR u.email ILIKE ${pattern} ESCAPE '\\')`);
  }
  if (filter.role !== undefined) {
    // palisade_effective_roles spelled out for one role — (from groups ∪ granted) − removed — so
    // no function runs per row read: the scan in name order stops as soon as the page is full.
    const role = param(filter.role);
    where.push(`(${role}::text = ANY (u.roles) OR ${role}::text = ANY (u.roles_added)) AND NOT (${role}::text = ANY (u.roles_removed))`);
  }
  if (filter.status !== undefined) where.push(filter.status === 'disabled' ? 'u.disabled_at IS NOT NULL' : 'u.disabled_at IS NULL');
  if (after) where.push(`(lower(coalesce(u.name, '')), u.id) > (${param(after[0])}::text, ${param(after[1])}::uuid)`);
  const { rows } = await db.query<UserListItem & { sortKey: string }>(
    `SELECT u.id, u.name, u.email, palisade_effective_roles(u.roles, u.roles_added, u.roles_removed) AS roles,
       u.disabled_at AS "disabledAt", u.department, u.territory, u.region, u.employee_type AS "employeeType",
       u.last_login_at AS "lastLoginAt", lower(coalesce(u.name, '')) AS "sortKey",
       (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > $1) AS "openSessions"
     FROM users u
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY lower(coalesce(u.name, '')), u.id
     LIMIT ${param(limit + 1)}`,
    values,
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const tail = page.at(-1);
  return { rows: page.map(({ sortKey: _sortKey, ...row }) => row), last: tail ? [tail.sortKey, tail.id] : undefined, more };
}

/** What the authorization stage needs of a person on every request (authz/stage.ts). */
export interface AuthorizationFacts {
  id: string;
  name: string | null;
  roles: RoleName[];
  territory: string | null;
  region: string | null;
  department: string | null;
  projects: string[];
  employee_type: string | null;
  disabled: boolean;
}

/** The person's attributes and effective roles (IdP groups plus grants minus removals in Palisade). */
export async function authorizationFacts(db: Queryable, id: string): Promise<AuthorizationFacts | undefined> {
  const { rows } = await db.query<AuthorizationFacts>(
    `SELECT id, name, territory, region, department, projects, employee_type, disabled_at IS NOT NULL AS disabled,
       palisade_effective_roles(roles, roles_added, roles_removed) AS roles
     FROM users WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** A person's roles: from the IdP's groups, granted and removed in Palisade, and the effective ones. */
export interface UserRoles {
  id: string;
  fromGroups: RoleName[];
  granted: RoleName[];
  removed: RoleName[];
  roles: RoleName[];
}

/** The person's roles; with `forUpdate`, the row is locked until the transaction `db` ends. */
export async function userRoles(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<UserRoles | undefined> {
  const { rows } = await db.query<UserRoles>(
    `SELECT id, roles AS "fromGroups", roles_added AS granted, roles_removed AS removed,
       palisade_effective_roles(roles, roles_added, roles_removed) AS roles FROM users WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/** Sets the roles granted and removed in Palisade (the whole lists). */
export async function setLocalRoles(db: Queryable, id: string, granted: RoleName[], removed: RoleName[]): Promise<void> {
  await db.query('UPDATE users SET roles_added = $2, roles_removed = $3, updated_at = now() WHERE id = $1', [id, granted, removed]);
}

/** The ids of the people with this email address (any case), at most two: enough to tell one from several. */
export async function userIdsByEmail(db: Queryable, email: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = lower($1) LIMIT 2', [email]);
  return rows.map((row) => row.id);
}
