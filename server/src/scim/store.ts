/** SQL for SCIM resources and provisioning tokens (see migration 0004). */
import type { Queryable } from '../db/index.ts';

export interface ScimUserRow {
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  resource: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScimGroupRow {
  id: string;
  displayName: string;
  externalId: string | null;
  memberIds: string[];
  resource: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const USER = `id, user_name AS "userName", external_id AS "externalId", active, resource, version, created_at AS "createdAt", updated_at AS "updatedAt"`;
const GROUP = `id, display_name AS "displayName", external_id AS "externalId", member_ids AS "memberIds", resource, version, created_at AS "createdAt", updated_at AS "updatedAt"`;

const parsed = <T extends { resource: unknown }>(row: T): T => ({ ...row, resource: typeof row.resource === 'string' ? JSON.parse(row.resource) : row.resource });

/** The name of the provisioning connector a token belongs to, or undefined. */
export async function scimTokenName(db: Queryable, tokenHash: string, now: Date): Promise<string | undefined> {
  const { rows } = await db.query<{ name: string }>(
    'UPDATE scim_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING name',
    [tokenHash, now],
  );
  return rows[0]?.name;
}

/**
 * Creates the connector's token, or replaces the one it had (revoked or not). Says what was
 * there before, for the audit record; the row is locked so that answer stays true until commit.
 * With `replace: false` an active token is kept and `written` is false: the conflict clause
 * decides, so two creations racing for a new name cannot both win.
 */
export async function putScimToken(db: Queryable, name: string, tokenHash: string, options: { replace?: boolean } = {}): Promise<{ replaced: boolean; wasRevoked: boolean; written: boolean }> {
  const { rows } = await db.query<{ revokedAt: Date | null }>('SELECT revoked_at AS "revokedAt" FROM scim_tokens WHERE name = $1 FOR UPDATE', [name]);
  const { rowCount } = await db.query(
    `INSERT INTO scim_tokens (name, token_hash) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now(), last_used_at = NULL, revoked_at = NULL
     ${options.replace === false ? 'WHERE scim_tokens.revoked_at IS NOT NULL' : ''}`,
    [name, tokenHash],
  );
  return { replaced: rows.length > 0, wasRevoked: rows[0]?.revokedAt != null, written: rowCount > 0 };
}

/** Revokes the connector's token; returns when, or undefined if it had no active token. */
export async function markScimTokenRevoked(db: Queryable, name: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ revokedAt: Date }>('UPDATE scim_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING revoked_at AS "revokedAt"', [name]);
  return rows[0]?.revokedAt;
}

export async function listScimTokens(db: Queryable): Promise<{ name: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }[]> {
  const { rows } = await db.query<{ name: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }>(
    'SELECT name, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt" FROM scim_tokens ORDER BY name',
  );
  return rows;
}

export async function insertScimUser(db: Queryable, u: { userName: string; externalId: string | null; active: boolean; resource: object }): Promise<ScimUserRow | undefined> {
  const { rows } = await db.query<ScimUserRow>(
    `INSERT INTO scim_users (user_name, external_id, active, resource) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING ${USER}`,
    [u.userName, u.externalId, u.active, JSON.stringify(u.resource)],
  );
  return rows[0] && parsed(rows[0]);
}

/** Replaces the user; undefined if it does not exist, 'conflict' if the user name is taken. */
export async function updateScimUser(db: Queryable, id: string, u: { userName: string; externalId: string | null; active: boolean; resource: object }): Promise<ScimUserRow | undefined | 'conflict'> {
  const taken = await db.query('SELECT 1 FROM scim_users WHERE lower(user_name) = lower($1) AND id <> $2', [u.userName, id]);
  if (taken.rows.length) return 'conflict';
  const { rows } = await db.query<ScimUserRow>(
    `UPDATE scim_users SET user_name = $2, external_id = $3, active = $4, resource = $5, version = version + 1, updated_at = now()
     WHERE id = $1 RETURNING ${USER}`,
    [id, u.userName, u.externalId, u.active, JSON.stringify(u.resource)],
  );
  return rows[0] && parsed(rows[0]);
}

/** `lock`: hold the row until the transaction ends, so the change made from it is not lost to a concurrent one. */
export async function findScimUser(db: Queryable, id: string, lock = false): Promise<ScimUserRow | undefined> {
  const { rows } = await db.query<ScimUserRow>(`SELECT ${USER} FROM scim_users WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] && parsed(rows[0]);
}

/** Deletes the user and takes it out of every group; returns it and the groups it left. */
export async function deleteScimUser(db: Queryable, id: string): Promise<{ user: ScimUserRow; groups: { id: string; displayName: string }[] } | undefined> {
  const { rows } = await db.query<ScimUserRow>(`DELETE FROM scim_users WHERE id = $1 RETURNING ${USER}`, [id]);
  if (!rows[0]) return undefined;
  const groups = await db.query<{ id: string; displayName: string }>(
    'UPDATE scim_groups SET member_ids = array_remove(member_ids, $1::uuid) WHERE $1::uuid = ANY(member_ids) RETURNING id, display_name AS "displayName"',
    [id],
  );
  return { user: parsed(rows[0]), groups: groups.rows };
}

export type UserFilter = { attribute: 'userName' | 'externalId'; value: string } | undefined;

export async function listScimUsers(db: Queryable, filter: UserFilter, offset: number, limit: number): Promise<{ total: number; rows: ScimUserRow[] }> {
  const where = !filter ? 'TRUE' : filter.attribute === 'userName' ? 'lower(user_name) = lower($1)' : 'external_id = $1';
  return listPage<ScimUserRow>(db, 'scim_users', USER, where, filter ? [filter.value] : [], offset, limit);
}

/** One page of a filtered resource list (SCIM ListResponse), with the total it is a page of. */
async function listPage<T extends { resource: unknown }>(db: Queryable, table: 'scim_users' | 'scim_groups', columns: string, where: string, params: unknown[], offset: number, limit: number) {
  const total = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params)).rows[0]!.n);
  const { rows } = await db.query<T>(
    `SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY created_at, id OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
    [...params, offset, limit],
  );
  return { total, rows: rows.map(parsed) };
}

export async function existingScimUserIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>('SELECT id FROM scim_users WHERE id = ANY($1::uuid[])', [ids]);
  return new Set(rows.map((r) => r.id));
}

export async function insertScimGroup(db: Queryable, g: { displayName: string; externalId: string | null; memberIds: string[]; resource: object }): Promise<ScimGroupRow | undefined> {
  const { rows } = await db.query<ScimGroupRow>(
    `INSERT INTO scim_groups (display_name, external_id, member_ids, resource) VALUES ($1, $2, $3::uuid[], $4)
     ON CONFLICT DO NOTHING RETURNING ${GROUP}`,
    [g.displayName, g.externalId, g.memberIds, JSON.stringify(g.resource)],
  );
  return rows[0] && parsed(rows[0]);
}

export async function updateScimGroup(db: Queryable, id: string, g: { displayName: string; externalId: string | null; memberIds: string[]; resource: object }): Promise<ScimGroupRow | undefined | 'conflict'> {
  const taken = await db.query('SELECT 1 FROM scim_groups WHERE lower(display_name) = lower($1) AND id <> $2', [g.displayName, id]);
  if (taken.rows.length) return 'conflict';
  const { rows } = await db.query<ScimGroupRow>(
    `UPDATE scim_groups SET display_name = $2, external_id = $3, member_ids = $4::uuid[], resource = $5, version = version + 1, updated_at = now()
     WHERE id = $1 RETURNING ${GROUP}`,
    [id, g.displayName, g.externalId, g.memberIds, JSON.stringify(g.resource)],
  );
  return rows[0] && parsed(rows[0]);
}

/** `lock`: as for findScimUser. */
export async function findScimGroup(db: Queryable, id: string, lock = false): Promise<ScimGroupRow | undefined> {
  const { rows } = await db.query<ScimGroupRow>(`SELECT ${GROUP} FROM scim_groups WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] && parsed(rows[0]);
}

export async function deleteScimGroup(db: Queryable, id: string): Promise<ScimGroupRow | undefined> {
  const { rows } = await db.query<ScimGroupRow>(`DELETE FROM scim_groups WHERE id = $1 RETURNING ${GROUP}`, [id]);
  return rows[0] && parsed(rows[0]);
}

export type GroupFilter = { attribute: 'displayName' | 'externalId'; value: string } | undefined;

export async function listScimGroups(db: Queryable, filter: GroupFilter, offset: number, limit: number): Promise<{ total: number; rows: ScimGroupRow[] }> {
  const where = !filter ? 'TRUE' : filter.attribute === 'displayName' ? 'lower(display_name) = lower($1)' : 'external_id = $1';
  return listPage<ScimGroupRow>(db, 'scim_groups', GROUP, where, filter ? [filter.value] : [], offset, limit);
}

/** The names and external ids of every group the SCIM user is a member of. */
export async function groupNamesOf(db: Queryable, scimUserId: string): Promise<string[]> {
  const { rows } = await db.query<{ display_name: string; external_id: string | null }>(
    'SELECT display_name, external_id FROM scim_groups WHERE $1::uuid = ANY(member_ids)',
    [scimUserId],
  );
  return rows.flatMap((r) => (r.external_id ? [r.display_name, r.external_id] : [r.display_name]));
}

/** Whether the IdP has provisioned this user name as inactive (sign-in must be refused). */
export async function isDeactivated(db: Queryable, userName: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM scim_users WHERE lower(user_name) = lower($1) AND NOT active', [userName]);
  return rows.length > 0;
}
