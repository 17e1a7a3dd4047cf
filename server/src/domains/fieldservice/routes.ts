/**
 * The field-service API (`/api/v1/...`). Each route names its permission from the matrix
 * (authz/matrix.ts; checked by pipeline stage 7) and runs its queries in one transaction with the
 * caller's claims set (`asCaller`), so row-level security applies beneath the store's own scope
 * predicates. Rows outside the caller's scope answer 404 — they may not know those exist — and
 * actions the caller's roles allow but this row does not answer 403 or 409.
 * Every read of domain data and every change is audited in the same transaction.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database, Queryable } from '../../db/index.ts';
import { asCaller } from '../../db/claims.ts';
import type { AuditSink } from '../../audit/index.ts';
import { allowed, permissionsOf, PERMISSIONS, rule, type Caller } from '../../authz/index.ts';
import { Problem, problems } from '../../http/problems.ts';
import { LATEST_INSTANT, NO_QUERY, UUID } from '../../http/schemas.ts';
import { classified, encryptionContext, refuseForbiddenData, type EncryptedColumn } from './classification.ts';
import * as store from './store.ts';
import { JOB_STATUSES, PRIORITIES, TRANSITIONS, type JobRow, type JobStatus, type Scoping } from './store.ts';

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
  /** Tests turn the API's own scope predicates off to show row-level security holds alone. */
  scoping?: Scoping;
}

/** Territory, department, project and skill codes. */
const CODE = { type: 'string', minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$' } as const;
const TEXT = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
/** Free-text search: no control characters (PostgreSQL text cannot hold NUL). */
const SEARCH = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
const DATE_TIME = { type: 'string', format: 'date-time', maxLength: 40 } as const;
const IdParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: UUID } } as const;
/**
 * Query parameters arrive as text and the API does not coerce types (http/app.ts): numbers and
 * flags are strings with a strict pattern, read by `readLimit` / `readFlag`.
 */
const LIMIT = { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: 'Page size, 1–200 (default 50)' } as const;
const FLAG = { type: 'string', enum: ['true', 'false'] } as const;
function readLimit(value: string | undefined, fallback: number, max: number, path = '/limit'): number {
  const limit = value === undefined ? fallback : Number(value);
  if (limit > max) throw problems.validation([{ path, message: `must be at most ${max}` }]);
  return limit;
}
const readFlag = (value: 'true' | 'false' | undefined) => (value === undefined ? undefined : value === 'true');
const security = [{ bearer: [] }];

const JobView = {
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
} as const;

const SiteView = {
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
} as const;

const CustomerView = {
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

const TechnicianView = {
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
} as const;

const ShiftView = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'technicianId', 'startsAt', 'endsAt'],
  properties: {
    id: classified(UUID, 'internal'),
    technicianId: classified(UUID, 'internal'),
    startsAt: classified({ type: 'string', format: 'date-time' }, 'internal'),
    endsAt: classified({ type: 'string', format: 'date-time' }, 'internal'),
  },
} as const;

const LocationView = {
  type: 'object',
  additionalProperties: false,
  required: ['at', 'latitude', 'longitude', 'accuracyM'],
  properties: {
    at: classified({ type: 'string', format: 'date-time' }, 'sensitive'),
    latitude: classified({ type: 'number' }, 'sensitive'),
    longitude: classified({ type: 'number' }, 'sensitive'),
    accuracyM: classified({ type: ['number', 'null'] }, 'sensitive'),
  },
} as const;

/** A page's keyset cursor: opaque, derived from internal ids and times. */
const NextCursor = classified({ type: ['string', 'null'] }, 'internal');

/** One entry of a job's history. */
const JobEventView = {
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
} as const;

/** One row of the jobs report: counts per territory and status. */
const JobReportRowView = {
  type: 'object',
  additionalProperties: false,
  required: ['territory', 'status', 'jobs', 'avgHoursToComplete'],
  properties: {
    territory: classified({ type: 'string' }, 'internal'),
    status: classified({ type: 'string' }, 'public'),
    jobs: classified({ type: 'integer' }, 'internal'),
    avgHoursToComplete: classified({ type: ['number', 'null'] }, 'internal'),
  },
} as const;

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
};

const jobView = (job: JobRow) => job;

/** The keyset cursor of a page: opaque to clients, checked strictly when it comes back. */
const cursorOf = (job: JobRow) => Buffer.from(`${job.createdAt.toISOString()}|${job.id}`).toString('base64url');
function parseCursor(cursor: string | undefined): { createdAt: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (rest.length || !id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) || Number.isNaN(createdAt.getTime()) || createdAt.getUTCFullYear() < 2000) {
    throw problems.validation([{ path: '/cursor', message: 'is not a cursor this API issued' }]);
  }
  return { createdAt, id };
}

export async function fieldServiceRoutes(app: FastifyInstance, deps: FieldServiceDeps): Promise<void> {
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

  // What the app may show ----------------------------------------------------------------------
  app.get(
    '/api/v1/me/permissions',
    {
      onRequest: app.authenticate,
      config: { permission: 'account.self' },
      schema: {
        tags: ['authorization'],
        summary: 'What the caller may do: permissions from the matrix, with scope and step-up (for the UI)',
        security,
        querystring: NO_QUERY,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['roles', 'permissions', 'scope'],
            properties: {
              roles: { type: 'array', items: { type: 'string' } },
              permissions: {
                type: 'array',
                items: { type: 'object', additionalProperties: false, required: ['name', 'scope', 'stepUp'], properties: { name: { type: 'string' }, scope: { type: 'string' }, stepUp: { type: 'boolean' } } },
              },
              scope: {
                type: 'object',
                additionalProperties: false,
                required: ['territory', 'region', 'department', 'projects', 'contractor'],
                properties: { territory: { type: ['string', 'null'] }, region: { type: ['string', 'null'] }, department: { type: ['string', 'null'] }, projects: { type: 'array', items: { type: 'string' } }, contractor: { type: 'boolean' } },
              },
            },
          },
        },
      },
    },
    async (request) => {
      // The caller as the authorization stage loaded them: roles as the database holds them now.
      const who = request.caller!;
      return {
        roles: who.roles,
        permissions: permissionsOf(who.roles).map((name) => ({ name, scope: PERMISSIONS[name].scope, stepUp: rule(name).stepUp === true })),
        scope: { territory: who.claims.territory, region: who.claims.region, department: who.claims.department, projects: [...who.claims.projects], contractor: who.claims.contractor },
      };
    },
  );

  // Jobs ---------------------------------------------------------------------------------------
  app.get<{ Querystring: { status?: JobStatus; territory?: string; department?: string; project?: string; assignedTo?: string; siteId?: string; q?: string; cursor?: string; limit?: string } }>(
    '/api/v1/jobs',
    {
      onRequest: app.authenticate,
      config: { permission: 'jobs.read', rateLimit: 'search' },
      schema: {
        tags: ['field service'],
        summary: 'Jobs in the caller’s scope, newest first (keyset paging)',
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: JOB_STATUSES }, territory: CODE, department: CODE, project: CODE, assignedTo: UUID, siteId: UUID, q: SEARCH, cursor: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }, limit: LIMIT },
        },
        response: { 200: { type: 'object', additionalProperties: false, required: ['jobs', 'next'], properties: { jobs: { type: 'array', items: JobView }, next: NextCursor } } },
      },
    },
    async (request) => {
      const { cursor, limit: requested, ...filter } = request.query;
      const limit = readLimit(requested, 50, 200);
      const after = parseCursor(cursor);
      return run(request, async (tx, who) => {
        // A technician's own record (territory, skills) starts from their IdP attributes the
        // first time their app lists their jobs, so dispatchers can find and assign them.
        if (who.roles.includes('technician') && !cursor) await store.ensureTechnician(tx, { id: who.userId, name: who.name, territory: who.claims.territory, department: who.claims.department });
        const jobs = await store.listJobs(tx, scoping, { ...filter, after, limit });
        await record(tx, 'job.list', { type: 'job' }, { detail: { count: jobs.length, filter } });
        return { jobs: jobs.map(jobView), next: jobs.length === limit ? cursorOf(jobs.at(-1)!) : null };
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/jobs/:id',
    {
      onRequest: app.authenticate,
      config: { permission: 'jobs.read' },
      schema: { tags: ['field service'], summary: 'One job', security, params: IdParams, querystring: NO_QUERY, response: { 200: JobView } },
    },
    async (request) =>
      run(request, async (tx) => {
        // The record is sent with the read (one flight, db/open.ts), before the job is known to
        // exist: a read that finds nothing throws, and the record rolls back with it. The id is
        // written as PostgreSQL prints a uuid (lower case), as the job's own id would have been.
        const id = request.params.id.toLowerCase();
        const [job] = await Promise.all([store.findJob(tx, scoping, id), record(tx, 'job.read', { type: 'job', id })]);
        if (!job) throw problems.notFound();
        return jobView(job);
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/jobs/:id/events',
    {
      onRequest: app.authenticate,
      config: { permission: 'jobs.read' },
      schema: {
        tags: ['field service'],
        summary: 'A job’s history: creation, assignments and status changes, with who and when',
        security,
        params: IdParams,
        querystring: NO_QUERY,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['events'],
            properties: {
              events: { type: 'array', items: JobEventView },
            },
          },
        },
      },
    },
    async (request) =>
      run(request, async (tx) => {
        const job = await store.findJob(tx, scoping, request.params.id);
        if (!job) throw problems.notFound();
        await record(tx, 'job.read', { type: 'job', id: job.id }, { detail: { part: 'events' } });
        return { events: await store.jobEvents(tx, job.id) };
      }),
  );

  app.post<{ Body: { title: string; description?: string; department: string; territory: string; siteId: string; project?: string; priority?: string; windowStart?: string; windowEnd?: string } }>(
    '/api/v1/jobs',
    {
      onRequest: app.authenticate,
      bodyLimit: 16 * 1024,
      config: { permission: 'jobs.create' },
      schema: {
        tags: ['field service'],
        summary: 'Create a job in the caller’s scope',
        security,
        querystring: NO_QUERY,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['title', 'department', 'territory', 'siteId'],
          properties: { title: TEXT(200), description: { type: 'string', maxLength: 4000 }, department: CODE, territory: CODE, siteId: UUID, project: CODE, priority: { type: 'string', enum: PRIORITIES }, windowStart: DATE_TIME, windowEnd: DATE_TIME },
        },
        response: { 201: JobView },
      },
    },
    async (request, reply) => {
      const body = request.body;
      refuseForbiddenData({ title: body.title, description: body.description });
      if (body.windowStart && body.windowEnd && Date.parse(body.windowEnd) <= Date.parse(body.windowStart)) {
        throw problems.validation([{ path: '/windowEnd', message: 'must be after windowStart' }]);
      }
      const job = await run(request, async (tx, who) => {
        if (!(await store.findSite(tx, scoping, body.siteId))) throw fieldServiceProblems.unknownReference('siteId');
        const scope = { territory: body.territory, department: body.department, project: body.project ?? null, assignedTo: null };
        if (!(await store.jobInScope(tx, scope))) throw fieldServiceProblems.outOfScope('A job there');
        const created = await store.insertJob(
          tx,
          { title: body.title, description: body.description ?? '', department: body.department, territory: body.territory, siteId: body.siteId, project: body.project ?? null, priority: body.priority ?? 'normal', windowStart: body.windowStart ?? null, windowEnd: body.windowEnd ?? null },
          who.userId,
        );
        await record(tx, 'job.create', { type: 'job', id: created.id }, { changes: { after: { title: created.title, territory: created.territory, department: created.department, project: created.project } } });
        return created;
      });
      return reply.code(201).send(jobView(job));
    },
  );

  app.put<{ Params: { id: string }; Body: { technicianId: string } }>(
    '/api/v1/jobs/:id/assignment',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      config: { permission: 'jobs.assign' },
      schema: {
        tags: ['field service'],
        summary: 'Assign (or reassign) an open job to a technician in scope',
        security,
        params: IdParams,
        querystring: NO_QUERY,
        body: { type: 'object', additionalProperties: false, required: ['technicianId'], properties: { technicianId: UUID } },
        response: { 200: JobView },
      },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const job = await store.findJob(tx, scoping, request.params.id, { forUpdate: true });
        if (!job) throw problems.notFound();
        if (job.status !== 'new' && job.status !== 'assigned') throw fieldServiceProblems.invalidTransition(job.status, 'assigned');
        const technician = await store.findTechnician(tx, scoping, request.body.technicianId);
        if (!technician || !technician.active) throw fieldServiceProblems.unknownReference('technicianId');
        const updated = await store.updateJobStatus(tx, job.id, 'assigned', who.userId, technician.userId);
        await store.addEvent(tx, job.id, { kind: 'assigned', from: job.status, to: 'assigned', technician: technician.userId }, who.userId);
        await record(tx, 'job.assign', { type: 'job', id: job.id }, { changes: { before: { assignedTo: job.assignedTo, status: job.status }, after: { assignedTo: technician.userId, status: 'assigned' } } });
        return jobView(updated);
      }),
  );

  app.post<{ Params: { id: string }; Body: { status: 'en_route' | 'on_site' | 'completed' } }>(
    '/api/v1/jobs/:id/status',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      config: { permission: 'jobs.status' },
      schema: {
        tags: ['field service'],
        summary: 'The assigned technician moves the job along: en route, on site, completed',
        security,
        params: IdParams,
        querystring: NO_QUERY,
        body: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string', enum: ['en_route', 'on_site', 'completed'] } } },
        response: { 200: JobView },
      },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const job = await store.findJob(tx, scoping, request.params.id, { forUpdate: true });
        if (!job) throw problems.notFound();
        if (job.assignedTo !== who.userId) throw fieldServiceProblems.notAssignedToYou();
        const to = request.body.status;
        if (!TRANSITIONS[job.status].includes(to)) throw fieldServiceProblems.invalidTransition(job.status, to);
        const updated = await store.updateJobStatus(tx, job.id, to, who.userId);
        await store.addEvent(tx, job.id, { kind: 'status', from: job.status, to }, who.userId);
        await record(tx, 'job.status', { type: 'job', id: job.id }, { changes: { before: { status: job.status }, after: { status: to } } });
        return jobView(updated);
      }),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/jobs/:id/cancel',
    {
      onRequest: app.authenticate,
      config: { permission: 'jobs.cancel' },
      schema: { tags: ['field service'], summary: 'Cancel an open job (sensitive: step-up)', security, params: IdParams, querystring: NO_QUERY, response: { 200: JobView } },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const job = await store.findJob(tx, scoping, request.params.id, { forUpdate: true });
        if (!job) throw problems.notFound();
        if (!TRANSITIONS[job.status].includes('cancelled')) throw fieldServiceProblems.invalidTransition(job.status, 'cancelled');
        const updated = await store.updateJobStatus(tx, job.id, 'cancelled', who.userId);
        await store.addEvent(tx, job.id, { kind: 'status', from: job.status, to: 'cancelled' }, who.userId);
        await record(tx, 'job.cancel', { type: 'job', id: job.id }, { changes: { before: { status: job.status }, after: { status: 'cancelled' } } });
        return jobView(updated);
      }),
  );

  // Sites and customers ------------------------------------------------------------------------
  const siteView = async (tx: Queryable, site: store.SiteRow) => ({ ...site, accessNotes: await decrypt(tx, 'fs_sites.access_notes', site.id, site.accessNotes) });

  app.get<{ Params: { id: string } }>(
    '/api/v1/sites/:id',
    {
      onRequest: app.authenticate,
      config: { permission: 'sites.read' },
      schema: { tags: ['field service'], summary: 'A customer site, with its access notes (sensitive)', security, params: IdParams, querystring: NO_QUERY, response: { 200: SiteView } },
    },
    async (request) =>
      run(request, async (tx) => {
        const site = await store.findSite(tx, scoping, request.params.id);
        if (!site) throw problems.notFound();
        await record(tx, 'site.read', { type: 'site', id: site.id }, { detail: { sensitive: ['accessNotes'] } });
        return siteView(tx, site);
      }),
  );

  const customerView = async (tx: Queryable, who: Caller, customer: store.CustomerRow) => ({
    id: customer.id,
    name: customer.name,
    contact: allowed(who.roles, 'customers.contact')
      ? {
          name: await decrypt(tx, 'fs_customers.contact_name', customer.id, customer.contactName),
          phone: await decrypt(tx, 'fs_customers.contact_phone', customer.id, customer.contactPhone),
          email: await decrypt(tx, 'fs_customers.contact_email', customer.id, customer.contactEmail),
        }
      : null,
  });

  app.get<{ Querystring: { q?: string; cursor?: string; limit?: string } }>(
    '/api/v1/customers',
    {
      onRequest: app.authenticate,
      config: { permission: 'customers.read', rateLimit: 'search' },
      schema: {
        tags: ['field service'],
        summary: 'Customers with a site in the caller’s scope',
        security,
        querystring: { type: 'object', additionalProperties: false, properties: { q: SEARCH, cursor: UUID, limit: LIMIT } },
        response: { 200: { type: 'object', additionalProperties: false, required: ['customers', 'next'], properties: { customers: { type: 'array', items: CustomerView }, next: NextCursor } } },
      },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const { q, cursor } = request.query;
        const limit = readLimit(request.query.limit, 50, 200);
        const customers = await store.listCustomers(tx, scoping, { q, after: cursor, limit });
        await record(tx, 'customer.list', { type: 'customer' }, { detail: { count: customers.length, contact: allowed(who.roles, 'customers.contact') } });
        const views = [];
        for (const customer of customers) views.push(await customerView(tx, who, customer));
        return { customers: views, next: customers.length === limit ? customers.at(-1)!.id : null };
      }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/customers/:id',
    {
      onRequest: app.authenticate,
      config: { permission: 'customers.read' },
      schema: {
        tags: ['field service'],
        summary: 'One customer with its sites in scope; contact details only for roles that need them',
        security,
        params: IdParams,
        querystring: NO_QUERY,
        response: { 200: { ...CustomerView, required: [...CustomerView.required, 'sites'], properties: { ...CustomerView.properties, sites: { type: 'array', items: SiteView } } } },
      },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const customer = await store.findCustomer(tx, scoping, request.params.id);
        if (!customer) throw problems.notFound();
        const sites = await store.customerSites(tx, scoping, customer.id);
        await record(tx, 'customer.read', { type: 'customer', id: customer.id }, { detail: { contact: allowed(who.roles, 'customers.contact') } });
        const siteViews = [];
        for (const site of sites) siteViews.push(await siteView(tx, site));
        return { ...(await customerView(tx, who, customer)), sites: siteViews };
      }),
  );

  app.post<{ Body: { name: string; contact?: { name?: string; phone?: string; email?: string }; site: { name: string; address: string; territory: string; accessNotes?: string } } }>(
    '/api/v1/customers',
    {
      onRequest: app.authenticate,
      bodyLimit: 16 * 1024,
      config: { permission: 'customers.create' },
      schema: {
        tags: ['field service'],
        summary: 'Create a customer with its first site (in the caller’s scope)',
        security,
        querystring: NO_QUERY,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'site'],
          properties: {
            name: TEXT(200),
            contact: {
              type: 'object',
              additionalProperties: false,
              properties: { name: TEXT(200), phone: { type: 'string', minLength: 3, maxLength: 40, pattern: '^[+0-9 ()./-]+$' }, email: { type: 'string', format: 'email', maxLength: 254 } },
            },
            site: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'address', 'territory'],
              properties: { name: TEXT(200), address: TEXT(500), territory: CODE, accessNotes: { type: 'string', minLength: 1, maxLength: 2000 } },
            },
          },
        },
        response: { 201: { ...CustomerView, required: [...CustomerView.required, 'sites'], properties: { ...CustomerView.properties, sites: { type: 'array', items: SiteView } } } },
      },
    },
    async (request, reply) => {
      const body = request.body;
      refuseForbiddenData({ name: body.name, 'contact/name': body.contact?.name, 'site/name': body.site.name, 'site/address': body.site.address, 'site/accessNotes': body.site.accessNotes });
      const view = await run(request, async (tx, who) => {
        const { rows: ids } = await tx.query<{ customer: string; site: string }>('SELECT gen_random_uuid() AS customer, gen_random_uuid() AS site');
        const { customer: customerId, site: siteId } = ids[0]!;
        await tx.query('INSERT INTO fs_customers (id, name, contact_name, contact_phone, contact_email) VALUES ($1, $2, $3, $4, $5)', [
          customerId,
          body.name,
          await encrypt(tx, 'fs_customers.contact_name', customerId, body.contact?.name),
          await encrypt(tx, 'fs_customers.contact_phone', customerId, body.contact?.phone),
          await encrypt(tx, 'fs_customers.contact_email', customerId, body.contact?.email),
        ]);
        const { rows: territory } = await tx.query('SELECT 1 FROM fs_territories WHERE code = $1', [body.site.territory]);
        if (!territory.length) throw fieldServiceProblems.unknownReference('site/territory');
        const { rows: inScope } = await tx.query<{ ok: boolean }>('SELECT fs_site_visible(NULL, $1, (SELECT region FROM fs_territories WHERE code = $1)) AS ok', [body.site.territory]);
        if (!inScope[0]?.ok) throw fieldServiceProblems.outOfScope('A site there');
        await tx.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region, access_notes) VALUES ($1, $2, $3, $4, $5, '', $6)", [
          siteId,
          customerId,
          body.site.name,
          body.site.address,
          body.site.territory,
          await encrypt(tx, 'fs_sites.access_notes', siteId, body.site.accessNotes),
        ]);
        await record(tx, 'customer.create', { type: 'customer', id: customerId }, { changes: { after: { name: body.name, site: siteId, territory: body.site.territory } } });
        const customer = (await store.findCustomer(tx, scoping, customerId))!;
        const site = (await store.findSite(tx, scoping, siteId))!;
        return { ...(await customerView(tx, who, customer)), sites: [await siteView(tx, site)] };
      });
      return reply.code(201).send(view);
    },
  );

  // Technicians, shifts, locations ----------------------------------------------------------------
  app.get<{ Querystring: { territory?: string; active?: 'true' | 'false'; cursor?: string; limit?: string } }>(
    '/api/v1/technicians',
    {
      onRequest: app.authenticate,
      config: { permission: 'technicians.read' },
      schema: {
        tags: ['field service'],
        summary: 'Technicians in the caller’s scope',
        security,
        querystring: { type: 'object', additionalProperties: false, properties: { territory: CODE, active: FLAG, cursor: UUID, limit: LIMIT } },
        response: { 200: { type: 'object', additionalProperties: false, required: ['technicians', 'next'], properties: { technicians: { type: 'array', items: TechnicianView }, next: NextCursor } } },
      },
    },
    async (request) =>
      run(request, async (tx) => {
        const { cursor, territory } = request.query;
        const limit = readLimit(request.query.limit, 50, 200);
        const rows = await store.listTechnicians(tx, scoping, { territory, active: readFlag(request.query.active), after: cursor, limit });
        await record(tx, 'technician.list', { type: 'technician' }, { detail: { count: rows.length } });
        return { technicians: rows.map(({ userId, ...rest }) => ({ id: userId, ...rest })), next: rows.length === limit ? rows.at(-1)!.userId : null };
      }),
  );

  app.patch<{ Params: { id: string }; Body: { territory?: string; skills?: string[]; active?: boolean } }>(
    '/api/v1/technicians/:id',
    {
      onRequest: app.authenticate,
      bodyLimit: 4096,
      config: { permission: 'technicians.manage' },
      schema: {
        tags: ['field service'],
        summary: 'Change a technician’s territory, skills or active flag (managers, in scope)',
        security,
        params: IdParams,
        querystring: NO_QUERY,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { territory: CODE, skills: { type: 'array', maxItems: 50, uniqueItems: true, items: CODE }, active: { type: 'boolean' } },
        },
        response: { 200: TechnicianView },
      },
    },
    async (request) =>
      run(request, async (tx, who) => {
        const before = await store.findTechnician(tx, scoping, request.params.id, { forUpdate: true });
        if (!before) throw problems.notFound();
        if (request.body.territory !== undefined) {
          const { rows } = await tx.query<{ ok: boolean | null }>(
            'SELECT fs_technician_visible($1, $2, (SELECT region FROM fs_territories WHERE code = $2), $3) AS ok',
            [before.userId, request.body.territory, before.department],
          );
          const known = await tx.query('SELECT 1 FROM fs_territories WHERE code = $1', [request.body.territory]);
          if (!known.rows.length) throw fieldServiceProblems.unknownReference('territory');
          if (!rows[0]?.ok) throw fieldServiceProblems.outOfScope('That territory');
        }
        const after = (await store.updateTechnician(tx, before.userId, request.body, who.userId))!;
        const changed = (Object.keys(request.body) as (keyof typeof request.body)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        await record(tx, 'technician.update', { type: 'technician', id: before.userId }, {
          changes: { before: Object.fromEntries(changed.map((k) => [k, before[k]])), after: Object.fromEntries(changed.map((k) => [k, after[k]])) },
        });
        const { userId, ...rest } = after;
        return { id: userId, ...rest };
      }),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    '/api/v1/technicians/:id/locations',
    {
      onRequest: app.authenticate,
      config: { permission: 'locations.read' },
      schema: {
        tags: ['field service'],
        summary: 'A technician’s latest position and short history (sensitive)',
        security,
        params: IdParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: LIMIT } },
        response: { 200: { type: 'object', additionalProperties: false, required: ['locations'], properties: { locations: { type: 'array', items: LocationView } } } },
      },
    },
    async (request) =>
      run(request, async (tx) => {
        const technician = await store.findTechnician(tx, scoping, request.params.id);
        if (!technician) throw problems.notFound();
        const locations = await store.locationsOf(tx, scoping, technician.userId, readLimit(request.query.limit, 10, store.LOCATION_HISTORY));
        await record(tx, 'location.read', { type: 'technician', id: technician.userId }, { detail: { count: locations.length } });
        return { locations };
      }),
  );

  app.post<{ Body: { latitude: number; longitude: number; accuracyM?: number; at?: string } }>(
    '/api/v1/me/location',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      config: { permission: 'locations.report' },
      schema: {
        tags: ['field service'],
        summary: 'A technician reports their own position',
        security,
        querystring: NO_QUERY,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['latitude', 'longitude'],
          properties: { latitude: { type: 'number', minimum: -90, maximum: 90 }, longitude: { type: 'number', minimum: -180, maximum: 180 }, accuracyM: { type: 'number', minimum: 0, maximum: 100000 }, at: DATE_TIME },
        },
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const now = Date.now();
      const at = request.body.at ? Date.parse(request.body.at) : now;
      // A position from the future, or older than a day, is a broken clock or a replay.
      if (at > now + 60_000 || at < now - 86_400_000) throw problems.validation([{ path: '/at', message: 'must be within the last day' }]);
      await run(request, async (tx, who) => {
        await store.ensureTechnician(tx, { id: who.userId, name: who.name, territory: who.claims.territory, department: who.claims.department });
        const { rows } = await tx.query('SELECT 1 FROM fs_technicians WHERE user_id = $1', [who.userId]);
        if (!rows.length) throw fieldServiceProblems.outOfScope('Reporting a position without a territory');
        await store.recordLocation(tx, who.userId, new Date(at), { latitude: request.body.latitude, longitude: request.body.longitude, accuracyM: request.body.accuracyM ?? null });
        await record(tx, 'location.report', { type: 'technician', id: who.userId });
      });
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { technicianId?: string; from?: string; to?: string; limit?: string } }>(
    '/api/v1/shifts',
    {
      onRequest: app.authenticate,
      config: { permission: 'schedules.read' },
      schema: {
        tags: ['field service'],
        summary: 'Shifts overlapping a period (default: the next 7 days); technicians see their own',
        security,
        querystring: { type: 'object', additionalProperties: false, properties: { technicianId: UUID, from: DATE_TIME, to: DATE_TIME, limit: LIMIT } },
        response: { 200: { type: 'object', additionalProperties: false, required: ['shifts'], properties: { shifts: { type: 'array', items: ShiftView } } } },
      },
    },
    async (request) => {
      const from = request.query.from ? new Date(request.query.from) : new Date();
      // The default period ends a week on, or at the last instant a date-time may name.
      const to = request.query.to ? new Date(request.query.to) : new Date(Math.min(from.getTime() + 7 * 86_400_000, LATEST_INSTANT));
      if (!(to > from) || to.getTime() - from.getTime() > 92 * 86_400_000) throw problems.validation([{ path: '/to', message: 'must be after from, at most 92 days later' }]);
      const limit = readLimit(request.query.limit, 100, 200);
      return run(request, async (tx) => {
        const shifts = await store.listShifts(tx, scoping, { technicianId: request.query.technicianId, from, to, limit });
        await record(tx, 'shift.list', { type: 'shift' }, { detail: { count: shifts.length } });
        return { shifts };
      });
    },
  );

  app.post<{ Body: { technicianId: string; startsAt: string; endsAt: string } }>(
    '/api/v1/shifts',
    {
      onRequest: app.authenticate,
      bodyLimit: 1024,
      config: { permission: 'schedules.manage' },
      schema: {
        tags: ['field service'],
        summary: 'Plan a shift for a technician in scope',
        security,
        querystring: NO_QUERY,
        body: { type: 'object', additionalProperties: false, required: ['technicianId', 'startsAt', 'endsAt'], properties: { technicianId: UUID, startsAt: DATE_TIME, endsAt: DATE_TIME } },
        response: { 201: ShiftView },
      },
    },
    async (request, reply) => {
      const { startsAt, endsAt } = request.body;
      const length = Date.parse(endsAt) - Date.parse(startsAt);
      if (!(length > 0 && length <= 24 * 3_600_000)) throw problems.validation([{ path: '/endsAt', message: 'must be after startsAt, at most 24 hours later' }]);
      const shift = await run(request, async (tx, who) => {
        const technician = await store.findTechnician(tx, scoping, request.body.technicianId);
        if (!technician) throw fieldServiceProblems.unknownReference('technicianId');
        const created = await store.insertShift(tx, request.body, who.userId);
        await record(tx, 'shift.create', { type: 'shift', id: created.id }, { changes: { after: { technicianId: created.technicianId, startsAt, endsAt } } });
        return created;
      });
      return reply.code(201).send(shift);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/shifts/:id',
    {
      onRequest: app.authenticate,
      config: { permission: 'schedules.remove' },
      schema: { tags: ['field service'], summary: 'Remove a planned shift (sensitive: step-up)', security, params: IdParams, querystring: NO_QUERY, response: { 204: { type: 'null' } } },
    },
    async (request, reply) => {
      await run(request, async (tx) => {
        if (!(await store.deleteShift(tx, scoping, request.params.id))) throw problems.notFound();
        await record(tx, 'shift.delete', { type: 'shift', id: request.params.id });
      });
      return reply.code(204).send();
    },
  );

  // Reports ----------------------------------------------------------------------------------------
  app.get<{ Querystring: { days?: string } }>(
    '/api/v1/reports/jobs',
    {
      onRequest: app.authenticate,
      config: { permission: 'reports.read' },
      schema: {
        tags: ['field service'],
        summary: 'Jobs by territory and status, with average hours to completion (managers)',
        security,
        querystring: { type: 'object', additionalProperties: false, properties: { days: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: 'Days back, 1–366 (default 30)' } } },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['since', 'rows'],
            properties: {
              since: classified({ type: 'string', format: 'date-time' }, 'internal'),
              rows: {
                type: 'array',
                items: JobReportRowView,
              },
            },
          },
        },
      },
    },
    async (request) => {
      const days = readLimit(request.query.days, 30, 366, '/days');
      const since = new Date(Date.now() - days * 86_400_000);
      return run(request, async (tx) => {
        const rows = await store.jobReport(tx, scoping, since);
        await record(tx, 'report.read', { type: 'report', id: 'jobs' }, { detail: { days } });
        return { since, rows };
      });
    },
  );
}
