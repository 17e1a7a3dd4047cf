/**
 * What every field-service route file shares: the dependencies, the schema pieces and views of
 * the API's resources, the domain's problems, and the per-request helpers (`run` opens the
 * caller's transaction, `record` audits in it, `encrypt`/`decrypt` handle sensitive columns).
 */
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Database, Queryable } from '../../../db/index.ts';
import { asCaller } from '../../../db/index.ts';
import type { AuditSink } from '../../../audit/index.ts';
import type { Caller } from '../../../authz/index.ts';
import { Problem, problems, UUID } from '../../../http/index.ts';
import type { PersonKeys } from '../../../security/index.ts';
import { classified, encryptionContext, type EncryptedColumn } from '../classification.ts';
import { JOB_STATUSES, PRIORITIES, TRANSITIONS, type JobRow, type JobStatus, type Scoping } from '../store.ts';

/**
 * Envelope encryption of sensitive columns (security/envelope.ts). Calls pass the transaction
 * they run in: a data key is looked up in it (embedded PGlite has one connection, and a lookup
 * beside an open transaction would wait for it).
 */
export interface SensitiveCipher {
  encrypt(plaintext: string, context: string, tx?: Queryable): Promise<string>;
  decrypt(value: string, context: string, tx?: Queryable): Promise<string>;
}

export interface FieldServiceDeps {
  db: Database;
  audit: AuditSink;
  cipher: SensitiveCipher;
  /** Per-person keys: positions are sealed under their technician's (decision 0023). */
  personKeys: PersonKeys;
  /** Tests turn the API's own scope predicates off to show row-level security holds alone. */
  scoping?: Scoping;
}

/**
 * A response schema as Fastify receives it. Replies are not typed from their schemas (the
 * handlers return store rows, serialized by the schema); the requests are, through TypeBox.
 */
type ResponseSchema = Readonly<Record<string, unknown>>;
const responseSchema = (schema: object): ResponseSchema => schema as ResponseSchema;
/** The answer with no body (204). */
export const NoContent = responseSchema({ type: 'null' });

/** Territory, department, project and skill codes. */
export const CODE = Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$' });
export const TEXT = (max: number) => Type.String({ minLength: 1, maxLength: max });
/** Free-text search: no control characters (PostgreSQL text cannot hold NUL). */
export const SEARCH = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });
export const DATE_TIME = Type.String({ format: 'date-time', maxLength: 40 });
/** The shared UUID schema (http/schemas.ts) as a TypeBox schema: the same JSON, typed `string`. */
export const Uuid = Type.Unsafe<string>(UUID);
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
/**
 * Query parameters arrive as text and the API does not coerce types (http/app.ts): numbers and
 * flags are strings with a strict pattern, read by `readLimit` / `readFlag`.
 */
export const LIMIT = Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: 'Page size, 1–200 (default 50)' });
export const FLAG = Type.Unsafe<'true' | 'false'>({ type: 'string', enum: ['true', 'false'] });
export function readLimit(value: string | undefined, fallback: number, max: number, path = '/limit'): number {
  const limit = value === undefined ? fallback : Number(value);
  if (limit > max) throw problems.validation([{ path, message: `must be at most ${max}` }]);
  return limit;
}
export const readFlag = (value: 'true' | 'false' | undefined) => (value === undefined ? undefined : value === 'true');
export const security = [{ bearer: [] }];

export const JobView = responseSchema({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'description', 'department', 'territory', 'region', 'siteId', 'project', 'priority', 'windowStart', 'windowEnd', 'status', 'assignedTo', 'statusChangedAt', 'createdAt'],
  properties: {
    id: classified(UUID, 'internal'),
    title: classified({ type: 'string' }, 'internal'),
    description: classified({ type: 'string' }, 'internal'),
    department: classified({ type: 'string' }, 'internal'),
    territory: classified({ type: 'string' }, 'internal'),
    region: classified({ type: 'string' }, 'internal'),
    siteId: classified(UUID, 'internal'),
    project: classified({ type: ['string', 'null'] }, 'internal'),
    priority: classified({ type: 'string', enum: PRIORITIES }, 'public'),
    windowStart: classified({ type: ['string', 'null'], format: 'date-time' }, 'internal'),
    windowEnd: classified({ type: ['string', 'null'], format: 'date-time' }, 'internal'),
    status: classified({ type: 'string', enum: JOB_STATUSES }, 'public'),
    assignedTo: classified({ type: ['string', 'null'] }, 'internal'),
    statusChangedAt: classified({ type: 'string', format: 'date-time' }, 'internal'),
    createdAt: classified({ type: 'string', format: 'date-time' }, 'internal'),
  },
} as const);

export const SiteView = responseSchema({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'customerId', 'customerName', 'name', 'address', 'territory', 'region', 'accessNotes'],
  properties: {
    id: classified(UUID, 'internal'),
    customerId: classified(UUID, 'internal'),
    customerName: classified({ type: 'string' }, 'internal'),
    name: classified({ type: 'string' }, 'internal'),
    address: classified({ type: 'string' }, 'internal'),
    territory: classified({ type: 'string' }, 'internal'),
    region: classified({ type: 'string' }, 'internal'),
    accessNotes: classified({ type: ['string', 'null'] }, 'sensitive'),
  },
} as const);

const customerView = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'contact'],
  properties: {
    id: classified(UUID, 'internal'),
    name: classified({ type: 'string' }, 'internal'),
    // Only for roles holding customers.contact; null otherwise.
    contact: classified(
      {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['name', 'phone', 'email'],
        properties: { name: { type: ['string', 'null'] }, phone: { type: ['string', 'null'] }, email: { type: ['string', 'null'] } },
      },
      'sensitive',
    ),
  },
} as const;
export const CustomerView = responseSchema(customerView);
/** A customer with its sites in scope. */
export const CustomerWithSitesView = responseSchema({ ...customerView, required: [...customerView.required, 'sites'], properties: { ...customerView.properties, sites: { type: 'array', items: SiteView } } });

export const TechnicianView = responseSchema({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'displayName', 'territory', 'region', 'department', 'skills', 'active'],
  properties: {
    id: classified(UUID, 'internal'),
    displayName: classified({ type: 'string' }, 'internal'),
    territory: classified({ type: 'string' }, 'internal'),
    region: classified({ type: 'string' }, 'internal'),
    department: classified({ type: ['string', 'null'] }, 'internal'),
    skills: classified({ type: 'array', items: { type: 'string' } }, 'internal'),
    active: classified({ type: 'boolean' }, 'internal'),
  },
} as const);

export const ShiftView = responseSchema({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'technicianId', 'startsAt', 'endsAt'],
  properties: {
    id: classified(UUID, 'internal'),
    technicianId: classified(UUID, 'internal'),
    startsAt: classified({ type: 'string', format: 'date-time' }, 'internal'),
    endsAt: classified({ type: 'string', format: 'date-time' }, 'internal'),
  },
} as const);

export const LocationView = responseSchema({
  type: 'object',
  additionalProperties: false,
  required: ['at', 'latitude', 'longitude', 'accuracyM'],
  properties: {
    at: classified({ type: 'string', format: 'date-time' }, 'sensitive'),
    latitude: classified({ type: 'number' }, 'sensitive'),
    longitude: classified({ type: 'number' }, 'sensitive'),
    accuracyM: classified({ type: ['number', 'null'] }, 'sensitive'),
  },
} as const);

/** A page's keyset cursor: opaque, derived from internal ids and times. */
export const NextCursor = responseSchema(classified({ type: ['string', 'null'] }, 'internal'));

/** One entry of a job's history. */
export const JobEventView = responseSchema({
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'fromStatus', 'toStatus', 'technician', 'at', 'by'],
  properties: {
    kind: classified({ type: 'string' }, 'public'),
    fromStatus: classified({ type: ['string', 'null'] }, 'public'),
    toStatus: classified({ type: ['string', 'null'] }, 'public'),
    technician: classified({ type: ['string', 'null'] }, 'internal'),
    at: classified({ type: 'string', format: 'date-time' }, 'internal'),
    by: classified({ type: 'string' }, 'internal'),
  },
} as const);

/** One row of the jobs report: counts per territory and status. */
export const JobReportRowView = responseSchema({
  type: 'object',
  additionalProperties: false,
  required: ['territory', 'status', 'jobs', 'avgHoursToComplete'],
  properties: {
    territory: classified({ type: 'string' }, 'internal'),
    status: classified({ type: 'string' }, 'public'),
    jobs: classified({ type: 'integer' }, 'internal'),
    avgHoursToComplete: classified({ type: ['number', 'null'] }, 'internal'),
  },
} as const);

export const fieldServiceProblems = {
  invalidTransition: (from: string, to: string) =>
    new Problem({
      type: 'invalid-transition',
      status: 409,
      title: 'The job cannot move to that status',
      detail: `A job that is ${from} cannot become ${to}.`,
      extensions: { from, to, allowed: TRANSITIONS[from as JobStatus] ?? [] },
    }),
  outOfScope: (what: string) =>
    new Problem({ type: 'out-of-scope', status: 403, title: 'Outside your scope', detail: `${what} is outside your territory, region, department or projects.`, audit: { reason: 'out_of_scope' } }),
  notAssignedToYou: () =>
    new Problem({ type: 'forbidden', status: 403, title: 'Not allowed', detail: 'Only the technician the job is assigned to can do this.', audit: { reason: 'not_assignee' } }),
  unknownReference: (field: string) => problems.unknownReference(field),
  /** Personal data sealed under its person's key that does not open (decision 0023). */
  personalDataUnreadable: (code: string) =>
    new Problem({
      type: 'personal-data-unreadable',
      status: 503,
      title: 'Stored personal data cannot be read',
      detail: code === 'ERR_PERSON_KEY_DESTROYED' ? 'The key of the person this data belongs to was destroyed when they were erased.' : 'The stored data failed its integrity check: it was altered at rest or belongs to another record.',
      extensions: { reason: code === 'ERR_PERSON_KEY_DESTROYED' ? 'key-destroyed' : 'integrity' },
      audit: { reason: 'personal_data_unreadable', detail: { code } },
    }),
};

export const jobView = (job: JobRow) => job;

/** The keyset cursor of a page: opaque to clients, checked strictly when it comes back. */
export const cursorOf = (job: JobRow) => Buffer.from(`${job.createdAt.toISOString()}|${job.id}`).toString('base64url');
export function parseCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (rest.length || !id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) || Number.isNaN(createdAt.getTime()) || createdAt.getUTCFullYear() < 2000) {
    throw problems.validation([{ path: '/cursor', message: 'is not a cursor this API issued' }]);
  }
  return { createdAt, id };
}

/** The per-request helpers every route file uses, made once per registration of the routes. */
export interface RouteContext {
  scoping: Scoping;
  /** One transaction with the caller's claims: every domain query goes through here. */
  run<T>(request: FastifyRequest, fn: (tx: Queryable, who: Caller) => Promise<T>): Promise<T>;
  record(tx: Queryable, action: string, resource: { type: string; id?: string }, extra?: { changes?: { before?: Record<string, unknown>; after?: Record<string, unknown> }; detail?: Record<string, unknown> }): Promise<void>;
  decrypt(tx: Queryable, column: EncryptedColumn, rowId: string, value: string | null): Promise<string | null>;
  encrypt(tx: Queryable, column: EncryptedColumn, rowId: string, value: string | null | undefined): Promise<string | null>;
  personKeys: PersonKeys;
}

export function routeContext(deps: FieldServiceDeps): RouteContext {
  const scoping: Scoping = deps.scoping ?? { apiChecks: true };
  const caller = (request: FastifyRequest): Caller => request.caller!;
  /** One transaction with the caller's claims: every domain query goes through here. */
  const run = <T>(request: FastifyRequest, fn: (tx: Queryable, who: Caller) => Promise<T>) => {
    const who = caller(request);
    return asCaller(deps.db, who.claims, (tx) => fn(tx, who));
  };
  const record = (tx: Queryable, action: string, resource: { type: string; id?: string }, extra: { changes?: { before?: Record<string, unknown>; after?: Record<string, unknown> }; detail?: Record<string, unknown> } = {}) =>
    deps.audit.record(tx, { action, outcome: 'success', actor: {}, resource, ...extra });
  const decrypt = async (tx: Queryable, column: EncryptedColumn, rowId: string, value: string | null) =>
    value === null ? null : deps.cipher.decrypt(value, encryptionContext(column, rowId), tx);
  const encrypt = async (tx: Queryable, column: EncryptedColumn, rowId: string, value: string | null | undefined) =>
    value === null || value === undefined ? null : deps.cipher.encrypt(value, encryptionContext(column, rowId), tx);

  return { scoping, run, record, decrypt, encrypt, personKeys: deps.personKeys };
}
