/** Jobs: list, read, history, create, assign, move along and cancel. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { problems, NO_QUERY } from '../../../http/index.ts';
import { refuseForbiddenData } from '../classification.ts';
import * as store from '../store.ts';
import { JOB_STATUSES, PRIORITIES, TRANSITIONS, type JobStatus } from '../store.ts';
import { CODE, TEXT, SEARCH, DATE_TIME, IdParams, LIMIT, readLimit, security, JobView, NextCursor, JobEventView, fieldServiceProblems, jobView, cursorOf, parseCursor, type RouteContext, Uuid } from './shared.ts';

export function jobRoutes(server: FastifyInstance, { scoping, run, record }: RouteContext): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/jobs',
    {
      onRequest: app.authenticate,
      config: { permission: 'jobs.read', rateLimit: 'search' },
      schema: {
        tags: ['field service'],
        summary: 'Jobs in the caller’s scope, newest first (keyset paging)',
        security,
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Unsafe<JobStatus>({ type: 'string', enum: JOB_STATUSES })),
            territory: Type.Optional(CODE),
            department: Type.Optional(CODE),
            project: Type.Optional(CODE),
            assignedTo: Type.Optional(Uuid),
            siteId: Type.Optional(Uuid),
            q: Type.Optional(SEARCH),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
            limit: Type.Optional(LIMIT),
          },
          { additionalProperties: false },
        ),
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

  app.get(
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

  app.get(
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

  app.post(
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
        body: Type.Object(
          {
            title: TEXT(200),
            description: Type.Optional(Type.String({ maxLength: 4000 })),
            department: CODE,
            territory: CODE,
            siteId: Uuid,
            project: Type.Optional(CODE),
            priority: Type.Optional(Type.Unsafe<(typeof PRIORITIES)[number]>({ type: 'string', enum: PRIORITIES })),
            windowStart: Type.Optional(DATE_TIME),
            windowEnd: Type.Optional(DATE_TIME),
          },
          { additionalProperties: false },
        ),
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

  app.put(
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
        body: Type.Object({ technicianId: Uuid }, { additionalProperties: false }),
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

  app.post(
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
        body: Type.Object({ status: Type.Unsafe<'en_route' | 'on_site' | 'completed'>({ type: 'string', enum: ['en_route', 'on_site', 'completed'] }) }, { additionalProperties: false }),
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

  app.post(
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
}
