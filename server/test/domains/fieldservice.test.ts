/**
 * The field-service domain through its API, in process, on PGlite and PostgreSQL: the job
 * workflow and its history; writes that would leave the caller's scope, refused by the API and —
 * when the API is bypassed — by the database; the data rules (forbidden free text, contact
 * details only for roles that need them, sensitive columns encrypted at rest, every response
 * field classified in /openapi.json); role changes in Palisade applying at the very next request;
 * and audit records written in the request's own transaction, gone when it rolls back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { addUser, claimsOf, fieldServiceApp, tokenMinter, type FixtureUser, type TokenMinter } from '../helpers/fieldservice.ts';
import { asCaller } from '../../src/db/claims.ts';
import type { Database, OwnerQueryable } from '../../src/db/index.ts';
import { PERMISSIONS, permissionsOf, roleRoutes } from '../../src/authz/index.ts';
import { fieldServiceProblems, TRANSITIONS } from '../../src/domains/fieldservice/index.ts';
import { AuditTrail, type AuditEvent, type AuditSink } from '../../src/audit/index.ts';
import { systemClock } from '../../src/clock.ts';
import { sensitiveCipher } from '../../src/main.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';

const problem = (slug: string) => `https://palisade.dev/problems/${slug}`;
const silent = { warn: () => undefined, error: () => undefined };

interface User extends FixtureUser {
  label: string;
  token: string;
}

interface AuditRow {
  id: string;
  action: string;
  outcome: string;
  resource_type: string | null;
  resource_id: string | null;
  actor: { userId?: string };
  changes: { before?: Record<string, unknown>; after?: Record<string, unknown> } | null;
  detail: Record<string, unknown> | null;
}

for (const kind of databaseKinds()) {
  describe(`field-service domain through the API (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let minter: TokenMinter;
    let trail: AuditTrail;
    let app: FastifyInstance;
    /** An audit action after whose record the sink throws a 409: a handler failing after writing one. */
    let failAfter: string | undefined;
    /** For each record written, whose claims the transaction it was written in carries. */
    const writtenAs: { action: string; claimedUser: string }[] = [];
    const users: Record<string, User> = {};
    const sites: Record<string, string> = {};
    const customers: Record<string, string> = {};

    const owner = <T>(fn: (o: OwnerQueryable) => Promise<T>) => db.asOwner(fn);
    const count = async (table: string) => owner(async (o) => Number((await o.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n));
    const lastAuditId = async () => owner(async (o) => (await o.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM audit_events')).rows[0]!.id);
    const auditSince = async (since: string) =>
      owner(async (o) => (await o.query<AuditRow>('SELECT id::text, action, outcome, resource_type, resource_id, actor, changes, detail FROM audit_events WHERE id > $1 ORDER BY id', [since])).rows);

    const call = (user: User, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, token = user.token): Promise<LightMyRequestResponse> =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const ok = (response: LightMyRequestResponse, status: number, what: string) => {
      assert.equal(response.statusCode, status, `${what}: ${response.body}`);
      return response.json();
    };
    const refused = (response: LightMyRequestResponse, status: number, slug: string, what: string) => {
      assert.equal(response.statusCode, status, `${what}: ${response.body}`);
      assert.equal(response.json().type, problem(slug), `${what}: ${response.body}`);
      return response.json();
    };

    /** A new job in north (hvac) at the north site, by the north dispatcher. */
    const newJob = async (title = 'Boiler service', extra: Record<string, unknown> = {}) =>
      ok(await call(users.dispatcher!, 'POST', '/api/v1/jobs', { title, department: 'hvac', territory: 'north', siteId: sites.north, ...extra }), 201, 'create job') as { id: string; status: string };
    const assign = async (jobId: string, technician: User, by = users.dispatcher!) => call(by, 'PUT', `/api/v1/jobs/${jobId}/assignment`, { technicianId: technician.id });
    const move = (jobId: string, status: string, by = users.techA!) => call(by, 'POST', `/api/v1/jobs/${jobId}/status`, { status });
    /** A job walked through the API to `status` (assigned to tech A). */
    const jobAt = async (status: 'new' | 'assigned' | 'en_route' | 'on_site' | 'completed') => {
      const job = await newJob(`Job reaching ${status}`);
      const path = ['assigned', 'en_route', 'on_site', 'completed'];
      for (const step of path.slice(0, path.indexOf(status) + 1)) {
        if (step === 'assigned') ok(await assign(job.id, users.techA!), 200, 'assign');
        else ok(await move(job.id, step), 200, `move to ${step}`);
      }
      return job.id;
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      minter = await tokenMinter();
      trail = new AuditTrail(db, systemClock, silent, { flushIntervalMs: 60_000 });
      const audit: AuditSink = {
        async record(tx, event: AuditEvent) {
          await trail.record(tx, event);
          // The request's own transaction is the one with the caller's claims set (asCaller).
          const { rows } = await tx.query<{ user: string | null }>("SELECT current_setting('palisade.user_id', true) AS user");
          writtenAs.push({ action: event.action, claimedUser: rows[0]?.user ?? '' });
          if (event.action === failAfter) throw fieldServiceProblems.invalidTransition('new', 'failed-on-purpose');
        },
        emit: (event) => trail.emit(event),
      };
      const cipher = await sensitiveCipher(db, masterKeyFromBase64url(generateMasterKey()));
      await owner(async (o) => {
        await o.query("INSERT INTO fs_territories (code, name, region) VALUES ('north', 'North', 'east'), ('south', 'South', 'east'), ('west', 'West', 'west')");
        await o.query("INSERT INTO fs_projects (code, name, contractor) VALUES ('P1', 'Solar', 'Brightline')");
        for (const territory of ['north', 'south', 'west']) {
          const { rows } = await o.query<{ id: string }>('SELECT gen_random_uuid() AS id');
          const customer = rows[0]!.id;
          const { rows: siteRows } = await o.query<{ id: string }>('SELECT gen_random_uuid() AS id');
          const site = siteRows[0]!.id;
          await o.query('INSERT INTO fs_customers (id, name, contact_name, contact_phone) VALUES ($1, $2, $3, $4)', [
            customer,
            `Customer ${territory}`,
            await cipher.encrypt(`Contact ${territory}`, `fs_customers.contact_name:${customer}`),
            await cipher.encrypt('+44 20 7946 0018', `fs_customers.contact_phone:${customer}`),
          ]);
          await o.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region, access_notes) VALUES ($1, $2, 'Main site', '1 High Street', $3, '', $4)", [
            site,
            customer,
            territory,
            await cipher.encrypt(`Gate code 1234 (${territory})`, `fs_sites.access_notes:${site}`),
          ]);
          sites[territory] = site;
          customers[territory] = customer;
        }
        const plain = { region: null, department: null, projects: [] as string[], contractor: false };
        const add = async (label: string, user: Omit<FixtureUser, 'id'>, technician?: { territory: string; active?: boolean }) => {
          const u = await addUser(o, { ...user, name: label });
          if (technician) {
            await o.query("INSERT INTO fs_technicians (user_id, display_name, territory, region, department, active) VALUES ($1, $2, $3, '', $4, $5)", [
              u.id,
              label,
              technician.territory,
              u.department,
              technician.active ?? true,
            ]);
          }
          users[label] = { ...u, label, token: await minter.token(u.id) };
        };
        await add('dispatcher', { ...plain, roles: ['dispatcher'], territory: 'north' });
        await add('dispatcherHvac', { ...plain, roles: ['dispatcher'], territory: 'north', department: 'hvac' });
        await add('dispatcherWest', { ...plain, roles: ['dispatcher'], territory: 'west' });
        await add('contractorDispatcher', { ...plain, roles: ['dispatcher'], territory: 'north', projects: ['P1'], contractor: true });
        await add('manager', { ...plain, roles: ['manager'], territory: 'north' });
        await add('admin', { ...plain, roles: ['admin'], territory: null });
        await add('techA', { ...plain, roles: ['technician'], territory: 'north', department: 'hvac' }, { territory: 'north' });
        await add('techB', { ...plain, roles: ['technician'], territory: 'north', department: 'hvac' }, { territory: 'north' });
        await add('techInactive', { ...plain, roles: ['technician'], territory: 'north' }, { territory: 'north', active: false });
        await add('techSouth', { ...plain, roles: ['technician'], territory: 'south' }, { territory: 'south' });
        await add('techDispatcher', { ...plain, roles: ['dispatcher', 'technician'], territory: 'north' }, { territory: 'north' });
        // No fs_technicians row yet: created on their first field-service call.
        await add('techNew', { ...plain, roles: ['technician'], territory: 'north', department: 'hvac' });
        // Whose roles the role tests change (nobody else's are touched).
        await add('techPromoted', { ...plain, roles: ['technician'], territory: 'north' }, { territory: 'north' });
        await add('techDemoted', { ...plain, roles: ['technician'], territory: 'north' }, { territory: 'north' });
        // The contractor dispatcher sees the north site through this P1 job only.
        await o.query("INSERT INTO fs_jobs (title, department, territory, region, site_id, project) VALUES ('Solar panels', 'electrical', 'north', '', $1, 'P1')", [sites.north]);
      });
      app = await fieldServiceApp(db, minter, { audit, cipher, register: async (a) => void (await a.register(roleRoutes, { db, audit, sessions: { revokeAllOfUser: async () => 0 } })) });
    });

    after(async () => {
      await app?.close();
      await trail?.close();
      await db?.close();
      await database?.drop();
    });

    describe('the job workflow', () => {
      test('a dispatcher creates and assigns a job, the technician takes it to completed, and the history says who did each step and when', async () => {
        const created = await newJob('Air handling unit fault');
        assert.equal(created.status, 'new');
        const assigned = ok(await assign(created.id, users.techA!), 200, 'assign');
        assert.equal(assigned.status, 'assigned');
        assert.equal(assigned.assignedTo, users.techA!.id);
        ok(await call(users.techA!, 'GET', `/api/v1/jobs/${created.id}`), 200, 'the technician sees the job assigned to them');
        for (const status of ['en_route', 'on_site', 'completed']) assert.equal(ok(await move(created.id, status), 200, status).status, status);

        const { events } = ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${created.id}/events`), 200, 'events') as { events: { kind: string; fromStatus: string | null; toStatus: string; technician: string | null; at: string; by: string }[] };
        assert.deepEqual(
          events.map((e) => [e.kind, e.fromStatus, e.toStatus, e.technician, e.by]),
          [
            ['created', null, 'new', null, users.dispatcher!.id],
            ['assigned', 'new', 'assigned', users.techA!.id, users.dispatcher!.id],
            ['status', 'assigned', 'en_route', null, users.techA!.id],
            ['status', 'en_route', 'on_site', null, users.techA!.id],
            ['status', 'on_site', 'completed', null, users.techA!.id],
          ],
          'every step is kept, with who made it',
        );
        const times = events.map((e) => Date.parse(e.at));
        assert.ok(times.every((t, i) => Number.isFinite(t) && Math.abs(Date.now() - t) < 60_000 && (i === 0 || t >= times[i - 1]!)), `each step says when, in order: ${events.map((e) => e.at)}`);
      });

      test('a skipped step is 409 invalid-transition naming the moves allowed from where the job is', async () => {
        const jobId = await jobAt('assigned');
        const body = refused(await move(jobId, 'completed'), 409, 'invalid-transition', 'assigned → completed');
        assert.equal(body.from, 'assigned');
        assert.equal(body.to, 'completed');
        assert.deepEqual(body.allowed, [...TRANSITIONS.assigned]);
        assert.equal(ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${jobId}`), 200, 'read').status, 'assigned', 'the refused move changed nothing');
      });

      test('a job is cancelled from every open state, and a completed job cannot be', async () => {
        for (const status of ['new', 'assigned', 'en_route', 'on_site'] as const) {
          const jobId = await jobAt(status);
          assert.equal(ok(await call(users.dispatcher!, 'POST', `/api/v1/jobs/${jobId}/cancel`), 200, `cancel from ${status}`).status, 'cancelled');
        }
        const done = await jobAt('completed');
        const body = refused(await call(users.dispatcher!, 'POST', `/api/v1/jobs/${done}/cancel`), 409, 'invalid-transition', 'cancel a completed job');
        assert.deepEqual(body.allowed, []);
      });

      test('a technician who can see another technician’s job (also a dispatcher) may not move it along: 403', async () => {
        const jobId = await jobAt('assigned');
        ok(await call(users.techDispatcher!, 'GET', `/api/v1/jobs/${jobId}`), 200, 'as a dispatcher of north they see the job');
        const body = refused(await move(jobId, 'en_route', users.techDispatcher!), 403, 'forbidden', 'moving tech A’s job');
        assert.match(body.detail, /assigned to/);
        assert.equal(ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${jobId}`), 200, 'read').status, 'assigned');
      });

      test('a job is reassigned while assigned, and not once the technician is on the way (409)', async () => {
        const jobId = await jobAt('assigned');
        const reassigned = ok(await assign(jobId, users.techB!), 200, 'reassign');
        assert.equal(reassigned.assignedTo, users.techB!.id);
        assert.equal(reassigned.status, 'assigned');
        const enRoute = await jobAt('en_route');
        refused(await assign(enRoute, users.techB!), 409, 'invalid-transition', 'reassign en route');
        assert.equal(ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${enRoute}`), 200, 'read').assignedTo, users.techA!.id);
      });
    });

    describe('writes outside the caller’s scope', () => {
      test('a dispatcher cannot create a job in another territory, outside their department, or (as a contractor) outside their projects: 403 out-of-scope', async () => {
        const jobs = await count('fs_jobs');
        const base = { title: 'Leak under sink', department: 'hvac', territory: 'north', siteId: sites.north };
        refused(await call(users.dispatcher!, 'POST', '/api/v1/jobs', { ...base, territory: 'south' }), 403, 'out-of-scope', 'another territory');
        refused(await call(users.dispatcherHvac!, 'POST', '/api/v1/jobs', { ...base, department: 'plumbing' }), 403, 'out-of-scope', 'another department');
        refused(await call(users.contractorDispatcher!, 'POST', '/api/v1/jobs', base), 403, 'out-of-scope', 'a contractor without a project');
        refused(await call(users.contractorDispatcher!, 'POST', '/api/v1/jobs', { ...base, project: 'P2' }), 403, 'out-of-scope', 'a contractor with another project');
        assert.equal(await count('fs_jobs'), jobs, 'nothing was written');
        // The same callers inside their scope succeed: the refusals above are about scope.
        ok(await call(users.dispatcherHvac!, 'POST', '/api/v1/jobs', base), 201, 'own department');
        ok(await call(users.contractorDispatcher!, 'POST', '/api/v1/jobs', { ...base, project: 'P1' }), 201, 'own project');
      });

      test('assigning a technician outside the dispatcher’s scope, or inactive, is 422 unknown-reference', async () => {
        const job = await newJob();
        const body = refused(await assign(job.id, users.techSouth!), 422, 'unknown-reference', 'technician in south');
        assert.equal(body.field, 'technicianId');
        refused(await assign(job.id, users.techInactive!), 422, 'unknown-reference', 'inactive technician');
        assert.equal(ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${job.id}`), 200, 'read').status, 'new');
      });

      test('a manager cannot move a technician to a territory outside their scope (403) or to one that does not exist (422)', async () => {
        refused(await call(users.manager!, 'PATCH', `/api/v1/technicians/${users.techB!.id}`, { territory: 'west' }), 403, 'out-of-scope', 'to west');
        refused(await call(users.manager!, 'PATCH', `/api/v1/technicians/${users.techB!.id}`, { territory: 'atlantis' }), 422, 'unknown-reference', 'to nowhere');
        const row = await owner(async (o) => (await o.query<{ territory: string }>('SELECT territory FROM fs_technicians WHERE user_id = $1', [users.techB!.id])).rows[0]!);
        assert.equal(row.territory, 'north');
        const changed = ok(await call(users.manager!, 'PATCH', `/api/v1/technicians/${users.techB!.id}`, { skills: ['hvac'] }), 200, 'skills in scope');
        assert.deepEqual(changed.skills, ['hvac']);
      });

      test('a technician’s first location report creates their own record; a dispatcher in scope sees the position, one outside it gets 404', async () => {
        const tech = users.techNew!;
        assert.equal(await owner(async (o) => (await o.query('SELECT 1 FROM fs_technicians WHERE user_id = $1', [tech.id])).rows.length), 0);
        assert.equal((await call(tech, 'POST', '/api/v1/me/location', { latitude: 51.5, longitude: -0.12, accuracyM: 8 })).statusCode, 204);
        const row = await owner(async (o) => (await o.query<{ territory: string; region: string; department: string | null }>('SELECT territory, region, department FROM fs_technicians WHERE user_id = $1', [tech.id])).rows[0]);
        assert.deepEqual(row, { territory: 'north', region: 'east', department: 'hvac' }, 'the record follows their attributes');
        const { locations } = ok(await call(users.dispatcher!, 'GET', `/api/v1/technicians/${tech.id}/locations`), 200, 'dispatcher of north');
        assert.equal(locations.length, 1);
        assert.equal(locations[0].latitude, 51.5);
        refused(await call(users.dispatcherWest!, 'GET', `/api/v1/technicians/${tech.id}/locations`), 404, 'not-found', 'dispatcher of west');
      });

      test('planning a shift for a technician outside the dispatcher’s scope is 422', async () => {
        const shift = { startsAt: new Date(Date.now() + 86_400_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000 + 8 * 3_600_000).toISOString() };
        const shifts = await count('fs_shifts');
        refused(await call(users.dispatcher!, 'POST', '/api/v1/shifts', { ...shift, technicianId: users.techSouth!.id }), 422, 'unknown-reference', 'shift in south');
        assert.equal(await count('fs_shifts'), shifts);
        ok(await call(users.dispatcher!, 'POST', '/api/v1/shifts', { ...shift, technicianId: users.techA!.id }), 201, 'shift in north');
      });

      test('removing a shift and cancelling a job need a recent sign-in: an old one gets the RFC 9470 challenge and nothing changes', async () => {
        const hourAgo = await minter.token(users.dispatcher!.id, { authTime: Math.floor(Date.now() / 1000) - 3600 });
        const start = Date.now() + 2 * 86_400_000;
        const shift = ok(await call(users.dispatcher!, 'POST', '/api/v1/shifts', { technicianId: users.techA!.id, startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3_600_000).toISOString() }), 201, 'plan') as { id: string };
        const jobId = await jobAt('assigned');
        for (const [method, url] of [['DELETE', `/api/v1/shifts/${shift.id}`], ['POST', `/api/v1/jobs/${jobId}/cancel`]] as const) {
          const response = await call(users.dispatcher!, method, url, undefined, hourAgo);
          const body = refused(response, 401, 'step-up-required', `${method} ${url} an hour after sign-in`);
          assert.equal(body.maxAge, 300);
          assert.equal(response.headers['www-authenticate'], 'Bearer realm="palisade", error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=300');
        }
        assert.equal(await owner(async (o) => (await o.query('SELECT 1 FROM fs_shifts WHERE id = $1', [shift.id])).rows.length), 1, 'the shift is still there');
        assert.equal(ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${jobId}`), 200, 'read').status, 'assigned', 'the job is not cancelled');
        assert.equal((await call(users.dispatcher!, 'DELETE', `/api/v1/shifts/${shift.id}`)).statusCode, 204, 'a fresh sign-in removes it');
        assert.equal(ok(await call(users.dispatcher!, 'POST', `/api/v1/jobs/${jobId}/cancel`), 200, 'fresh cancel').status, 'cancelled');
      });

      test('with the API bypassed, the database trigger refuses a status update that skips a step', async () => {
        const jobId = await jobAt('assigned');
        await assert.rejects(
          asCaller(db, claimsOf(users.techA!), (tx) => tx.query("UPDATE fs_jobs SET status = 'completed' WHERE id = $1", [jobId])),
          (error: { code?: string }) => error.code === '23514',
          'check_violation from fs_check_transition',
        );
        // The same statement along an allowed step goes through: the refusal was the trigger's.
        const moved = await asCaller(db, claimsOf(users.techA!), (tx) => tx.query("UPDATE fs_jobs SET status = 'en_route' WHERE id = $1", [jobId]));
        assert.equal(moved.rowCount, 1);
      });

      test('with the API bypassed, row-level security refuses an update that moves a job out of the dispatcher’s scope (WITH CHECK)', async () => {
        const job = await newJob('Chiller inspection');
        const attempt = asCaller(db, claimsOf(users.dispatcher!), (tx) => tx.query("UPDATE fs_jobs SET territory = 'west' WHERE id = $1", [job.id]));
        await assert.rejects(attempt, (error: { code?: string }) => error.code === '42501', 'new row violates row-level security policy');
        // Without a WHERE (or RETURNING) the statement reads no column, so PostgreSQL does not
        // apply the SELECT policy to the new rows: the UPDATE policy's WITH CHECK alone must hold.
        // The transaction is rolled back either way (a success throws), so no job really moves.
        const moved = new Error('the update went through');
        const everything = asCaller(db, claimsOf(users.dispatcher!), async (tx) => {
          const result = await tx.query("UPDATE fs_jobs SET territory = 'west'");
          throw Object.assign(moved, { rowCount: result.rowCount });
        });
        await assert.rejects(everything, (error: { code?: string; rowCount?: number }) => {
          assert.equal(error.code, '42501', `WITH CHECK refuses moving every job of the dispatcher’s scope to west (${error.rowCount ?? 0} rows moved)`);
          return true;
        });
        const row = await owner(async (o) => (await o.query<{ territory: string }>('SELECT territory FROM fs_jobs WHERE id = $1', [job.id])).rows[0]!);
        assert.equal(row.territory, 'north', 'the job stays where it was');
      });
    });

    describe('data rules', () => {
      const forbidden: [string, string][] = [
        ['Card 4111 1111 1111 1111 on file', 'card-number'],
        ['card 4111-1111-1111-1111', 'card-number'],
        ['SSN 078-05-1120 of the tenant', 'national-id'],
        ['NI number JG 10 37 59 A', 'national-id'],
        ['diagnosis: asthma, keep the dust down', 'health-data'],
        ['password: hunter2', 'password'],
      ];
      const accepted = ['Ref 4111 1111 1111 1112 on the meter', 'Call +44 20 7946 0018 on arrival', 'gate code 1234'];

      test('free text with a card number, a national id, health data or a password is refused (422 forbidden-data naming field and kind), and nothing is written', async () => {
        const jobs = await count('fs_jobs');
        const customerCount = await count('fs_customers');
        for (const [text, kindOfData] of forbidden) {
          for (const field of ['title', 'description'] as const) {
            const response = await call(users.dispatcher!, 'POST', '/api/v1/jobs', { title: 'Boiler service', department: 'hvac', territory: 'north', siteId: sites.north, [field]: text });
            const body = refused(response, 422, 'forbidden-data', `${field}: ${text}`);
            assert.equal(body.field, field);
            assert.equal(body.kind, kindOfData, text);
            assert.ok(!response.body.includes(text), 'the value is not echoed');
          }
          const response = await call(users.dispatcher!, 'POST', '/api/v1/customers', { name: 'Harbor Foods', contact: { name: 'Pat' }, site: { name: 'Depot', address: '2 Mill Road', territory: 'north', accessNotes: text } });
          const body = refused(response, 422, 'forbidden-data', `accessNotes: ${text}`);
          assert.deepEqual([body.field, body.kind], ['site/accessNotes', kindOfData]);
        }
        assert.equal(await count('fs_jobs'), jobs, 'no job was written');
        assert.equal(await count('fs_customers'), customerCount, 'no customer was written');
      });

      test('a Luhn-invalid 16-digit number, a phone number and a gate code are accepted', async () => {
        for (const text of accepted) {
          const job = ok(await call(users.dispatcher!, 'POST', '/api/v1/jobs', { title: 'Boiler service', department: 'hvac', territory: 'north', siteId: sites.north, description: text }), 201, text);
          assert.equal(job.description, text);
          ok(await call(users.dispatcher!, 'POST', '/api/v1/customers', { name: 'Maple Clinic', site: { name: 'Clinic', address: '3 Park Road', territory: 'north', accessNotes: text } }), 201, text);
        }
      });

      test('contact details go only to roles holding customers.contact; technicians see their jobs’ sites with access notes', async () => {
        const jobId = await jobAt('assigned');
        const job = ok(await call(users.techA!, 'GET', `/api/v1/jobs/${jobId}`), 200, 'job');
        const site = ok(await call(users.techA!, 'GET', `/api/v1/sites/${job.siteId}`), 200, 'the technician’s job’s site');
        assert.equal(site.accessNotes, 'Gate code 1234 (north)');
        refused(await call(users.techA!, 'GET', `/api/v1/customers/${customers.north}`), 403, 'forbidden', 'technicians do not read customers');
        const customer = ok(await call(users.dispatcher!, 'GET', `/api/v1/customers/${customers.north}`), 200, 'dispatcher');
        assert.deepEqual(customer.contact, { name: 'Contact north', phone: '+44 20 7946 0018', email: null });
        for (const user of Object.values(users)) {
          const response = await call(user, 'GET', `/api/v1/customers/${customers.north}`);
          if (response.statusCode === 200) assert.ok(permissionsOf(user.roles).includes('customers.contact') && response.json().contact !== null, user.label);
          else assert.ok(!permissionsOf(user.roles).includes('customers.contact') || response.statusCode === 404, `${user.label}: ${response.statusCode}`);
        }
      });

      test('contact details and access notes are stored encrypted: the plaintext is nowhere in the row', async () => {
        const secret = { name: 'Robin Okafor-Plaintext', phone: '+44 20 7946 0999', email: 'robin.plain@customer.example', notes: 'Key safe behind the bins, code 4471' };
        const created = ok(
          await call(users.dispatcher!, 'POST', '/api/v1/customers', { name: 'Summit Offices', contact: { name: secret.name, phone: secret.phone, email: secret.email }, site: { name: 'HQ', address: '9 Kings Way', territory: 'north', accessNotes: secret.notes } }),
          201,
          'create customer',
        );
        assert.deepEqual(created.contact, { name: secret.name, phone: secret.phone, email: secret.email }, 'the API answers with the plaintext');
        assert.equal(created.sites[0].accessNotes, secret.notes);
        const raw = await owner(async (o) => {
          const customer = (await o.query('SELECT * FROM fs_customers WHERE id = $1', [created.id])).rows[0];
          const site = (await o.query('SELECT * FROM fs_sites WHERE id = $1', [created.sites[0].id])).rows[0];
          return JSON.stringify({ customer, site });
        });
        for (const value of Object.values(secret)) assert.ok(!raw.includes(value), `${value} is not stored in the clear`);
        assert.ok(raw.includes('Summit Offices'), 'the raw row was read (the name is not sensitive)');
      });

      test('/openapi.json classifies every field of the field-service responses, and no sensitive field is cacheable offline', async () => {
        const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { tags?: string[]; responses?: Record<string, { content?: Record<string, { schema: Schema }> }> }>> };
        interface Schema { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; 'x-palisade-classification'?: string; 'x-palisade-offline'?: boolean }
        const unmarked: string[] = [];
        const wrong: string[] = [];
        const marked = new Map<string, string>();
        // A record's fields carry the marks; a property that only holds records (an array or an
        // object of them) is an envelope and its records are walked instead.
        const walk = (schema: Schema, at: string, inherited?: string) => {
          if (schema.items) return walk(schema.items, `${at}[]`, inherited);
          for (const [name, property] of Object.entries(schema.properties ?? {})) {
            const where = `${at}.${name}`;
            const classification = property['x-palisade-classification'] ?? inherited;
            if (property['x-palisade-classification'] !== undefined) {
              marked.set(where, classification!);
              if (!['public', 'internal', 'sensitive'].includes(classification!)) wrong.push(`${where}: ${classification}`);
              if (typeof property['x-palisade-offline'] !== 'boolean') wrong.push(`${where}: no x-palisade-offline`);
            }
            if (classification === 'sensitive' && property['x-palisade-offline'] === true) wrong.push(`${where}: sensitive but offline`);
            const envelope = (property.items?.properties ?? property.properties) !== undefined;
            if (envelope) walk(property, where, classification);
            else if (classification === undefined) unmarked.push(where);
          }
        };
        let operations = 0;
        for (const [path, methods] of Object.entries(doc.paths)) {
          for (const [method, operation] of Object.entries(methods)) {
            if (!operation.tags?.includes('field service')) continue;
            operations += 1;
            for (const [status, response] of Object.entries(operation.responses ?? {})) {
              const schema = response.content?.['application/json']?.schema;
              if (status.startsWith('2') && schema) walk(schema, `${method.toUpperCase()} ${path} ${status}`);
            }
          }
        }
        assert.ok(operations >= 15, `the field-service operations were found (${operations})`);
        assert.equal(marked.get('GET /api/v1/sites/{id} 200.accessNotes'), 'sensitive');
        assert.equal(marked.get('GET /api/v1/customers/{id} 200.contact'), 'sensitive');
        assert.equal(marked.get('GET /api/v1/technicians/{id}/locations 200.locations[].latitude'), 'sensitive');
        assert.deepEqual(wrong, [], 'marks are valid and sensitive fields are never offline');
        assert.deepEqual(unmarked, [], 'every field of every field-service response is classified');
      });
    });

    describe('roles changed in Palisade', () => {
      const rolesUrl = (user: User) => `/admin/v1/users/${user.id}/roles`;
      /** An admin token from a sign-in an hour ago: too old for step-up. */
      let staleAdmin: string;
      before(async () => {
        staleAdmin = await minter.token(users.admin!.id, { authTime: Math.floor(Date.now() / 1000) - 3600 });
      });

      test('a non-admin may not read or change roles (403), and an admin needs a recent sign-in (401 step-up-required)', async () => {
        for (const user of [users.dispatcher!, users.manager!, users.techA!]) {
          const body = refused(await call(user, 'PUT', rolesUrl(users.techPromoted!), { granted: ['admin'], removed: [] }), 403, 'forbidden', user.label);
          assert.equal(body.permission, 'users.roles.manage');
          refused(await call(user, 'GET', rolesUrl(users.techPromoted!)), 403, 'forbidden', user.label);
        }
        const response = await call(users.admin!, 'PUT', rolesUrl(users.techPromoted!), { granted: ['dispatcher'], removed: [] }, staleAdmin);
        refused(response, 401, 'step-up-required', 'admin signed in an hour ago');
        assert.match(String(response.headers['www-authenticate']), /insufficient_user_authentication/);
        const stored = await owner(async (o) => (await o.query<{ roles_added: string[] }>('SELECT roles_added FROM users WHERE id = $1', [users.techPromoted!.id])).rows[0]!);
        assert.deepEqual(stored.roles_added, [], 'nothing changed');
      });

      test('granting and removing the same role at once is 400', async () => {
        const body = refused(await call(users.admin!, 'PUT', rolesUrl(users.techPromoted!), { granted: ['dispatcher'], removed: ['dispatcher'] }), 400, 'validation-failed', 'both');
        assert.match(JSON.stringify(body.errors), /dispatcher/);
      });

      test('a granted role applies at the technician’s very next request, with the token’s roles claim still stale, and the change is audited with before and after', async () => {
        const tech = users.techPromoted!;
        const token = await minter.token(tech.id, { roles: ['technician'] });
        refused(await call(tech, 'GET', '/api/v1/technicians', undefined, token), 403, 'forbidden', 'before: technicians.read is a dispatcher’s');
        const mineBefore = ok(await call(tech, 'GET', '/api/v1/jobs?limit=200', undefined, token), 200, 'before').jobs as { id: string }[];
        assert.equal(mineBefore.length, 0, 'as a technician they see only their own jobs (none)');

        const since = await lastAuditId();
        const changed = ok(await call(users.admin!, 'PUT', rolesUrl(tech), { granted: ['dispatcher'], removed: [] }), 200, 'grant dispatcher');
        assert.deepEqual(changed, { id: tech.id, roles: ['technician', 'dispatcher'], fromGroups: ['technician'], granted: ['dispatcher'], removed: [] });

        const jobs = ok(await call(tech, 'GET', '/api/v1/jobs?limit=200', undefined, token), 200, 'after').jobs as { territory: string }[];
        const northJobs = await owner(async (o) => Number((await o.query<{ n: string }>("SELECT count(*) AS n FROM fs_jobs WHERE territory = 'north'")).rows[0]!.n));
        assert.equal(jobs.length, Math.min(northJobs, 200), 'every job of their territory, as a dispatcher');
        assert.ok(jobs.length > 0 && jobs.every((j) => j.territory === 'north'));
        ok(await call(tech, 'GET', '/api/v1/technicians', undefined, token), 200, 'technicians.read now');

        const records = (await auditSince(since)).filter((r) => r.action === 'user.roles.change');
        assert.equal(records.length, 1, 'one audit record for the change');
        const record = records[0]!;
        assert.equal(record.outcome, 'success');
        assert.deepEqual([record.resource_type, record.resource_id], ['user', tech.id]);
        assert.equal(record.actor.userId, users.admin!.id, 'the admin who made it');
        assert.deepEqual(record.changes, {
          before: { granted: [], removed: [], roles: ['technician'] },
          after: { granted: ['dispatcher'], removed: [], roles: ['technician', 'dispatcher'] },
        });
      });

      test('a removed role is refused at the next request (403)', async () => {
        const tech = users.techDemoted!;
        ok(await call(tech, 'GET', '/api/v1/jobs'), 200, 'before');
        ok(await call(users.admin!, 'PUT', rolesUrl(tech), { granted: [], removed: ['technician'] }), 200, 'remove technician');
        const body = refused(await call(tech, 'GET', '/api/v1/jobs'), 403, 'forbidden', 'after');
        assert.equal(body.permission, 'jobs.read');
        refused(await call(tech, 'POST', '/api/v1/me/location', { latitude: 1, longitude: 1 }), 403, 'forbidden', 'location report');
        // With no role left, not even the caller's own account is served (account.self).
        assert.equal(refused(await call(tech, 'GET', '/api/v1/me/permissions'), 403, 'forbidden', 'permissions').permission, 'account.self');
      });

      test('/api/v1/me/permissions lists exactly the matrix’s permissions of the caller’s roles, with scope and step-up', async () => {
        for (const user of [users.dispatcher!, users.manager!, users.admin!, users.techA!, users.techDispatcher!, users.contractorDispatcher!]) {
          const me = ok(await call(user, 'GET', '/api/v1/me/permissions'), 200, user.label);
          assert.deepEqual([...me.roles].sort(), [...user.roles].sort(), user.label);
          assert.deepEqual(
            me.permissions,
            permissionsOf(user.roles).map((name) => ({ name, scope: PERMISSIONS[name].scope, stepUp: (PERMISSIONS[name] as { stepUp?: boolean }).stepUp === true })),
            user.label,
          );
          assert.deepEqual(me.scope, { territory: user.territory, region: user.region, department: user.department, projects: user.projects, contractor: user.contractor }, user.label);
        }
        const admin = ok(await call(users.admin!, 'GET', '/api/v1/me/permissions'), 200, 'admin');
        assert.ok(admin.permissions.some((p: { name: string; stepUp: boolean }) => p.name === 'users.roles.manage' && p.stepUp), 'step-up is shown where the matrix asks for it');
      });
    });

    describe('audit', () => {
      test('reads and changes are audited in the request’s transaction, naming the caller', async () => {
        const since = await lastAuditId();
        const job = await newJob('Thermostat replacement');
        ok(await assign(job.id, users.techA!), 200, 'assign');
        ok(await move(job.id, 'en_route'), 200, 'status');
        ok(await call(users.dispatcher!, 'GET', '/api/v1/jobs?limit=5'), 200, 'list');
        ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${job.id}`), 200, 'read');
        ok(await call(users.techA!, 'GET', `/api/v1/sites/${sites.north}`), 200, 'site');
        const rows = await auditSince(since);
        const find = (action: string, id?: string) => rows.find((r) => r.action === action && (id === undefined || r.resource_id === id));
        const expectations: [string, string | undefined, User][] = [
          ['job.create', job.id, users.dispatcher!],
          ['job.assign', job.id, users.dispatcher!],
          ['job.status', job.id, users.techA!],
          ['job.list', undefined, users.dispatcher!],
          ['job.read', job.id, users.dispatcher!],
          ['site.read', sites.north, users.techA!],
        ];
        for (const [action, id, by] of expectations) {
          const row = find(action, id);
          assert.ok(row, `${action} is recorded: ${rows.map((r) => r.action)}`);
          assert.equal(row.outcome, 'success');
          assert.equal(row.actor.userId, by.id, `${action} names who did it`);
        }
        const sameTransaction = writtenAs.slice(-expectations.length);
        assert.deepEqual(
          sameTransaction.map((w) => [w.action, w.claimedUser]),
          expectations.map(([action, , by]) => [action, by.id]),
          'each record was written in the transaction that carries the caller’s claims',
        );
        assert.deepEqual(find('job.status', job.id)!.changes, { before: { status: 'assigned' }, after: { status: 'en_route' } });
        assert.deepEqual(find('job.assign', job.id)!.changes, { before: { assignedTo: null, status: 'new' }, after: { assignedTo: users.techA!.id, status: 'assigned' } });
      });

      test('when a handler fails after writing its audit record, the record is rolled back with the change', async () => {
        const job = await newJob('Heat pump noise');
        const since = await lastAuditId();
        try {
          failAfter = 'job.assign';
          refused(await assign(job.id, users.techA!), 409, 'invalid-transition', 'assignment failing after its record');
          failAfter = 'job.read';
          refused(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${job.id}`), 409, 'invalid-transition', 'read failing after its record');
          failAfter = 'job.create';
          const jobs = await count('fs_jobs');
          refused(await call(users.dispatcher!, 'POST', '/api/v1/jobs', { title: 'Never', department: 'hvac', territory: 'north', siteId: sites.north }), 409, 'invalid-transition', 'creation failing after its record');
          assert.equal(await count('fs_jobs'), jobs, 'the job was not created');
        } finally {
          failAfter = undefined;
        }
        const rows = await auditSince(since);
        assert.deepEqual(rows.filter((r) => ['job.assign', 'job.read', 'job.create'].includes(r.action)).map((r) => r.action), [], 'no record of what did not happen');
        const after = ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${job.id}/events`), 200, 'events').events as { kind: string }[];
        assert.deepEqual(after.map((e) => e.kind), ['created'], 'the assignment and its event were rolled back too');
        assert.equal(ok(await call(users.dispatcher!, 'GET', `/api/v1/jobs/${job.id}`), 200, 'read').status, 'new');
      });

      test('a read that fails after its record (an access note that does not decrypt) leaves no record behind', async () => {
        const customer = await owner(async (o) => {
          const { rows } = await o.query<{ id: string }>("INSERT INTO fs_customers (name) VALUES ('Corrupt Notes Ltd') RETURNING id");
          await o.query("INSERT INTO fs_sites (customer_id, name, address, territory, region, access_notes) VALUES ($1, 'Yard', '5 Bridge Street', 'north', '', 'not-a-ciphertext')", [rows[0]!.id]);
          return rows[0]!.id;
        });
        const since = await lastAuditId();
        const response = await call(users.dispatcher!, 'GET', `/api/v1/customers/${customer}`);
        assert.ok(response.statusCode >= 400, response.body);
        assert.ok(!response.body.includes('not-a-ciphertext'));
        const rows = await auditSince(since);
        assert.deepEqual(rows.filter((r) => r.resource_id === customer).map((r) => r.action), [], 'customer.read was rolled back with the failed request');
        // The fault is the server's (its stored data), so the answer is a logged 500 — not a 400
        // telling a GET without a body that its body was not valid JSON.
        assert.equal(response.json().type, problem('internal'), `a server-side failure is a 500: ${response.body}`);
      });
    });
  });
}
