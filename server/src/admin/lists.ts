/**
 * The administrators' lists on the public admin API: people, sessions and devices, with
 * filters and keyset paging — what a console (or a script) needs to find a person without
 * knowing their id, and everything they are signed in with.
 *
 * - Authorization: `sessions.read` (admin) for all three, decided by the authorization stage
 *   from the caller's roles as the database holds them now.
 * - Paging: a page continues after the last row of the previous one in a fixed order ending
 *   with the primary key, so equal sort keys neither skip nor repeat rows and a page costs the
 *   same however deep it is (indexes: migration 0018). The cursor is opaque and authenticated
 *   (http/cursor.ts), bound to the list and its filters: anything else is a 400.
 * - Audit: every answer is a data access (`admin.users.list`, `admin.sessions.list_all`,
 *   `admin.devices.list`) with the filters and the number of rows, never the rows; a refusal
 *   after authentication is recorded under the same action (401/403 also as `http.denied`).
 *
 * The SQL lives with the tables' owners: users/store.ts and sessions/store.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { MasterKey } from '../security/index.ts';
import { ROLE_NAMES } from '../roles.ts';
import { Cursors, StringEnum, Uuid } from '../http/index.ts';
import { listUsers, type UserListFilter } from '../users/index.ts';
import { listDevices, listSessions, type DeviceListFilter, type SessionListFilter } from '../sessions/index.ts';

export interface AdminListDeps {
  db: Database;
  audit: AuditSink;
  clock: Clock;
  master: MasterKey;
}

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 200;

// The query strings are TypeBox schemas: the handlers' query types are inferred from them (the
// TypeBox type provider). Query parameters arrive as text and are not coerced (http/app.ts).
const LIMIT = Type.String({ pattern: '^(200|1[0-9]{2}|[1-9][0-9]?)$', description: `Rows per page, 1–${LIST_MAX_LIMIT} (default ${LIST_DEFAULT_LIMIT}).` });
const CURSOR = Type.String({ minLength: 3, maxLength: 1000, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', description: 'The `next` of the previous page, with the same filters.' });
const APP = Type.String({ minLength: 1, maxLength: 200, description: 'The app (OAuth client id).' });
const time = { type: 'string', format: 'date-time' } as const;
const dateTime = (description: string) => Type.String({ format: 'date-time', description });

const UsersQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the name or e-mail address, case-insensitive.' })),
    role: Type.Optional(StringEnum(ROLE_NAMES, { description: 'An effective role (from groups, granted, not removed).' })),
    status: Type.Optional(StringEnum(['active', 'disabled'])),
    limit: Type.Optional(LIMIT),
    cursor: Type.Optional(CURSOR),
  },
  { additionalProperties: false },
);
const SessionsQuery = Type.Object(
  {
    user: Type.Optional(Uuid),
    app: Type.Optional(APP),
    state: Type.Optional(StringEnum(['active', 'locked', 'ended', 'expired'])),
    limit: Type.Optional(LIMIT),
    cursor: Type.Optional(CURSOR),
  },
  { additionalProperties: false },
);
const DevicesQuery = Type.Object(
  {
    user: Type.Optional(Uuid),
    app: Type.Optional(APP),
    state: Type.Optional(StringEnum(['active', 'locked', 'evicted', 'wiped', 'revoked'])),
    ownership: Type.Optional(StringEnum(['corporate', 'byod'])),
    compliance: Type.Optional(StringEnum(['compliant', 'noncompliant', 'unknown'])),
    seenAfter: Type.Optional(dateTime('Last seen at or after this instant.')),
    seenBefore: Type.Optional(dateTime('Last seen before this instant (devices gone quiet).')),
    limit: Type.Optional(LIMIT),
    cursor: Type.Optional(CURSOR),
  },
  { additionalProperties: false },
);
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const NEXT = { type: 'string', description: 'Cursor of the next page; absent on the last page.' } as const;

const UserItem = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'email', 'roles', 'status', 'department', 'territory', 'region', 'employeeType', 'lastLoginAt', 'openSessions'],
  properties: {
    id: { type: 'string' },
    name: nullableString,
    email: nullableString,
    roles: { type: 'array', items: { type: 'string', enum: ROLE_NAMES } },
    status: { type: 'string', enum: ['active', 'disabled'], description: '`disabled`: deprovisioned at the company IdP (SCIM) or contained; sign-in is refused.' },
    department: nullableString,
    territory: nullableString,
    region: nullableString,
    employeeType: nullableString,
    lastLoginAt: nullableTime,
    openSessions: { type: 'integer', minimum: 0, description: 'Sessions neither ended nor past their lifetime.' },
  },
} as const;

const SessionItem = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'userId', 'userName', 'userEmail', 'clientId', 'state', 'authTime', 'createdAt', 'expiresAt', 'lastSeenAt', 'lockedAt', 'endedAt', 'endedReason', 'deviceId', 'platform', 'model'],
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    userName: nullableString,
    userEmail: nullableString,
    clientId: { type: 'string' },
    state: { type: 'string', enum: ['active', 'locked', 'ended', 'expired'], description: '`locked`: idle-locked (as last recorded); `ended`: revoked, signed out or replaced; `expired`: past its lifetime.' },
    authTime: time,
    createdAt: time,
    expiresAt: time,
    lastSeenAt: time,
    lockedAt: nullableTime,
    endedAt: nullableTime,
    endedReason: nullableString,
    deviceId: nullableString,
    platform: nullableString,
    model: nullableString,
  },
} as const;

const DeviceItem = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'userId', 'userName', 'userEmail', 'clientId', 'platform', 'model', 'osVersion', 'appVersion', 'state', 'stateReason', 'ownership', 'compliance', 'complianceReasons', 'mdmDeviceId', 'firstSeenAt', 'lastSeenAt', 'openSessions'],
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    userName: nullableString,
    userEmail: nullableString,
    clientId: { type: 'string' },
    platform: nullableString,
    model: nullableString,
    osVersion: nullableString,
    appVersion: nullableString,
    state: { type: 'string', enum: ['active', 'locked', 'evicted', 'wiped', 'revoked'] },
    stateReason: nullableString,
    ownership: { type: 'string', enum: ['corporate', 'byod'], description: 'Corporate only when an MDM says the device is managed.' },
    compliance: { type: 'string', enum: ['compliant', 'noncompliant', 'unknown'] },
    complianceReasons: { type: 'array', items: { type: 'string' } },
    mdmDeviceId: nullableString,
    firstSeenAt: time,
    lastSeenAt: time,
    openSessions: { type: 'integer', minimum: 0 },
  },
} as const;

const iso = (at: Date | null) => (at ? at.toISOString() : null);
const limitOf = (text: string | undefined) => (text === undefined ? LIST_DEFAULT_LIMIT : Number(text));

type ListAction = 'users.list' | 'sessions.list_all' | 'devices.list';

export async function adminListRoutes(server: FastifyInstance, deps: AdminListDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const cursors = new Cursors(deps.master);
  const security = [{ bearer: [] }];
  const actions = new WeakMap<FastifyRequest, ListAction>();
  const label = (action: ListAction) => async (request: FastifyRequest) => {
    actions.set(request, action);
  };
  // Refusals after authentication (no permission, a tampered cursor, invalid filters) are
  // recorded under the list's action too, so a search for who looked at what finds attempts.
  app.addHook('onError', async (request, _reply, error) => {
    const action = actions.get(request);
    if (!action || !request.auth) return;
    const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode ?? 500;
    deps.audit.emit({
      action: `admin.${action}`,
      outcome: status === 403 ? 'denied' : status >= 500 ? 'error' : 'failure',
      reason: (error as { type?: string }).type ?? String(status),
      actor: {},
      resource: { type: action.split('.')[0]!.replace(/s$/, '') },
      detail: { status },
    });
  });
  const audited = (action: ListAction, count: number, filters: Record<string, unknown>, paged: boolean) =>
    deps.audit.emit({
      action: `admin.${action}`,
      outcome: 'success',
      actor: {},
      resource: { type: action.split('.')[0]!.replace(/s$/, '') },
      detail: { count, filters: Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)), page: paged ? 'next' : 'first' },
    });

  app.get(
    '/admin/v1/users',
    {
      onRequest: [app.authenticate, label('users.list')],
      config: { permission: 'sessions.read' },
      schema: {
        tags: ['admin'],
        summary: 'People, in name order: search by name or e-mail, filter by role and status; keyset pages (admin)',
        security,
        querystring: UsersQuery,
        response: { 200: { type: 'object', additionalProperties: false, required: ['users'], properties: { users: { type: 'array', items: UserItem }, next: NEXT } } },
      },
    },
    async (request) => {
      const { q, role, status, limit, cursor } = request.query;
      const filter: UserListFilter = { ...(q !== undefined ? { search: q } : {}), ...(role ? { role } : {}), ...(status ? { status } : {}) };
      const bound = { q, role, status };
      const after = cursor === undefined ? undefined : cursors.open('users', bound, cursor);
      const page = await listUsers(deps.db, filter, after, limitOf(limit), new Date(deps.clock.now()));
      // `search`, not `q`: the audit trail redacts `q` (a private JWK member).
      audited('users.list', page.rows.length, { role, status, search: q }, after !== undefined);
      return {
        users: page.rows.map(({ disabledAt, lastLoginAt, ...u }) => ({ ...u, status: disabledAt ? ('disabled' as const) : ('active' as const), lastLoginAt: iso(lastLoginAt) })),
        ...(page.more && page.last ? { next: cursors.seal('users', bound, page.last) } : {}),
      };
    },
  );

  app.get(
    '/admin/v1/sessions',
    {
      onRequest: [app.authenticate, label('sessions.list_all')],
      config: { permission: 'sessions.read' },
      schema: {
        tags: ['admin'],
        summary: 'Sessions of everyone, newest first: filter by person, app and state; keyset pages (admin)',
        security,
        querystring: SessionsQuery,
        response: { 200: { type: 'object', additionalProperties: false, required: ['sessions'], properties: { sessions: { type: 'array', items: SessionItem }, next: NEXT } } },
      },
    },
    async (request) => {
      const { user, app: clientId, state, limit, cursor } = request.query;
      const filter: SessionListFilter = { ...(user ? { userId: user.toLowerCase() } : {}), ...(clientId !== undefined ? { clientId } : {}), ...(state ? { state } : {}) };
      const bound = { user: user?.toLowerCase(), app: clientId, state };
      const after = cursor === undefined ? undefined : cursors.open('sessions', bound, cursor);
      const page = await listSessions(deps.db, filter, after, limitOf(limit), new Date(deps.clock.now()));
      audited('sessions.list_all', page.rows.length, bound, after !== undefined);
      return {
        sessions: page.rows.map((s) => ({
          ...s,
          authTime: s.authTime.toISOString(),
          createdAt: s.createdAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          lockedAt: iso(s.lockedAt),
          endedAt: iso(s.endedAt),
        })),
        ...(page.more && page.last ? { next: cursors.seal('sessions', bound, page.last) } : {}),
      };
    },
  );

  app.get(
    '/admin/v1/devices',
    {
      onRequest: [app.authenticate, label('devices.list')],
      config: { permission: 'sessions.read' },
      schema: {
        tags: ['admin'],
        summary: 'Devices of everyone, most recently seen first: filter by person, app, state, ownership, compliance and last seen; keyset pages (admin)',
        security,
        querystring: DevicesQuery,
        response: { 200: { type: 'object', additionalProperties: false, required: ['devices'], properties: { devices: { type: 'array', items: DeviceItem }, next: NEXT } } },
      },
    },
    async (request) => {
      const { user, app: clientId, state, ownership, compliance, seenAfter, seenBefore, limit, cursor } = request.query;
      const after$ = seenAfter === undefined ? undefined : new Date(seenAfter);
      const before$ = seenBefore === undefined ? undefined : new Date(seenBefore);
      const filter: DeviceListFilter = {
        ...(user ? { userId: user.toLowerCase() } : {}),
        ...(clientId !== undefined ? { clientId } : {}),
        ...(state ? { state } : {}),
        ...(ownership ? { ownership } : {}),
        ...(compliance ? { compliance } : {}),
        ...(after$ ? { seenAfter: after$ } : {}),
        ...(before$ ? { seenBefore: before$ } : {}),
      };
      const bound = { user: user?.toLowerCase(), app: clientId, state, ownership, compliance, seenAfter: after$?.toISOString(), seenBefore: before$?.toISOString() };
      const after = cursor === undefined ? undefined : cursors.open('devices', bound, cursor);
      const page = await listDevices(deps.db, filter, after, limitOf(limit), new Date(deps.clock.now()));
      audited('devices.list', page.rows.length, bound, after !== undefined);
      return {
        devices: page.rows.map((d) => ({ ...d, firstSeenAt: d.firstSeenAt.toISOString(), lastSeenAt: d.lastSeenAt.toISOString() })),
        ...(page.more && page.last ? { next: cursors.seal('devices', bound, page.last) } : {}),
      };
    },
  );
}
