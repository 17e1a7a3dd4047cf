/**
 * The authorization matrix, on PGlite and PostgreSQL: for every caller (role ×
 * attribute scope) × route × row of a fixture built to cross every boundary, the API's answer
 * matches the policy as stated independently below, and a direct query as the runtime role with
 * the same claims — no WHERE at all — returns exactly the rows the API returns (row-level security
 * and the API agree). Then the API's own scope predicates are removed on purpose and every answer
 * must stay the same: row-level security alone leaks nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { addUser, claimsOf, fieldServiceApp, testCipher, tokenMinter, type FixtureUser, type TokenMinter } from '../helpers/fieldservice.ts';
import { asCaller } from '../../src/db/claims.ts';
import { allowed, type Permission } from '../../src/authz/index.ts';
import type { Database } from '../../src/db/index.ts';

const TERRITORIES = [
  { code: 't1', region: 'ra' },
  { code: 't2', region: 'ra' },
  { code: 't3', region: 'rb' },
];
const DEPARTMENTS = ['d1', 'd2'];
const PROJECTS = [null, 'p1', 'p2'];

interface Job { id: string; territory: string; region: string; department: string; project: string | null; assignee: string | null; site: string }
interface Site { id: string; customer: string; territory: string; region: string }
interface Technician { id: string; territory: string; region: string; department: string | null }
interface Caller extends FixtureUser { label: string; token: string }

// The policy, stated independently of the SQL (docs/authorization.md, "Attributes and scope").
const has = (c: Caller, role: string) => c.roles.includes(role);
const office = (c: Caller) => has(c, 'dispatcher') || has(c, 'manager');
const inArea = (c: Caller, row: { territory: string; region: string }) => (c.region ? row.region === c.region : c.territory !== null && row.territory === c.territory);
const jobVisible = (c: Caller, j: Job) =>
  has(c, 'admin') ||
  (((office(c) && inArea(c, j) && (!c.department || j.department === c.department)) || (has(c, 'technician') && j.assignee === c.id)) &&
    (!c.contractor || (j.project !== null && c.projects.includes(j.project))));
const siteVisible = (c: Caller, s: Site, jobs: Job[]) =>
  has(c, 'admin') || (!c.contractor && office(c) && inArea(c, s)) || jobs.some((j) => j.site === s.id && jobVisible(c, j));
const technicianVisible = (c: Caller, t: Technician) =>
  has(c, 'admin') || t.id === c.id || (!c.contractor && office(c) && inArea(c, t) && (!c.department || t.department === c.department));

const sorted = (ids: Iterable<string>) => [...ids].sort();

for (const kind of databaseKinds()) {
  describe(`authorization matrix: API, row-level security and the policy agree (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let minter: TokenMinter;
    let withChecks: FastifyInstance;
    let rlsOnly: FastifyInstance;
    const jobs: Job[] = [];
    const sites: Site[] = [];
    const customers: string[] = [];
    const technicians: Technician[] = [];
    const shifts: { id: string; technician: string }[] = [];
    const callers: Caller[] = [];

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      minter = await tokenMinter();
      await db.asOwner(async (owner) => {
        for (const t of TERRITORIES) await owner.query('INSERT INTO fs_territories (code, name, region) VALUES ($1, $1, $2)', [t.code, t.region]);
        await owner.query("INSERT INTO fs_projects (code, name, contractor) VALUES ('p1', 'P1', 'Acme'), ('p2', 'P2', 'Bolt')");
        const region = (code: string) => TERRITORIES.find((t) => t.code === code)!.region;
        // Customers: c0 has sites in t1 and t3; c3 only a site without jobs (t1).
        for (let i = 0; i < 4; i += 1) {
          const { rows } = await owner.query<{ id: string }>("INSERT INTO fs_customers (name, contact_phone) VALUES ($1, NULL) RETURNING id", [`Customer ${i}`]);
          customers.push(rows[0]!.id);
        }
        const addSite = async (customer: string, territory: string) => {
          const id = randomUUID();
          await owner.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region, access_notes) VALUES ($1, $2, 'Site', 'Street 1', $3, '', $4)", [
            id,
            customer,
            territory,
            await testCipher.encrypt('Gate 1234', `fs_sites.access_notes:${id}`),
          ]);
          sites.push({ id, customer, territory, region: region(territory) });
          return id;
        };
        const siteOf: Record<string, string> = { t1: await addSite(customers[0]!, 't1'), t2: await addSite(customers[1]!, 't2'), t3: await addSite(customers[2]!, 't3') };
        await addSite(customers[0]!, 't3'); // c0's second site: no jobs
        await addSite(customers[3]!, 't1'); // no jobs at all

        const technician = async (label: string, user: Omit<FixtureUser, 'id'>, territory: string) => {
          const u = await addUser(owner, { ...user, name: label });
          await owner.query("INSERT INTO fs_technicians (user_id, display_name, territory, region, department) VALUES ($1, $2, $3, '', $4)", [u.id, label, territory, u.department]);
          technicians.push({ id: u.id, territory, region: region(territory), department: u.department });
          const { rows } = await owner.query<{ id: string }>("INSERT INTO fs_shifts (technician_id, starts_at, ends_at, created_by) VALUES ($1, now() + interval '1 day', now() + interval '1 day 8 hours', $1) RETURNING id", [u.id]);
          shifts.push({ id: rows[0]!.id, technician: u.id });
          await owner.query('INSERT INTO fs_locations (technician_id, at, latitude, longitude) VALUES ($1, now(), 51.5, -0.1)', [u.id]);
          return u;
        };
        const techA = await technician('tech A (t1, d1)', { roles: ['technician'], territory: 't1', region: null, department: 'd1', projects: [], contractor: false }, 't1');
        const techB = await technician('tech B (t3, d2)', { roles: ['technician'], territory: 't3', region: null, department: 'd2', projects: [], contractor: false }, 't3');
        const techC = await technician('contractor tech (p1)', { roles: ['technician'], territory: 't1', region: null, department: null, projects: ['p1'], contractor: true }, 't1');
        const techD = await technician('technician + dispatcher (t2)', { roles: ['dispatcher', 'technician'], territory: 't2', region: null, department: null, projects: [], contractor: false }, 't2');

        // Every combination of territory, department, project and assignee: one job each, made
        // in two statements (the jobs, then their events) rather than two per job.
        for (const t of TERRITORIES) {
          for (const department of DEPARTMENTS) {
            for (const project of PROJECTS) {
              for (const assignee of [null, techA.id, techB.id, techC.id, techD.id]) {
                jobs.push({ id: randomUUID(), territory: t.code, region: t.region, department, project, assignee, site: siteOf[t.code]! });
              }
            }
          }
        }
        await owner.query(
          `INSERT INTO fs_jobs (id, title, department, territory, region, site_id, project, status, assigned_to)
           SELECT id, 'Job', department, territory, '', site_id, project, status, assigned_to
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::uuid[]) AS j(id, department, territory, site_id, project, status, assigned_to)`,
          [
            jobs.map((j) => j.id),
            jobs.map((j) => j.department),
            jobs.map((j) => j.territory),
            jobs.map((j) => j.site),
            jobs.map((j) => j.project),
            jobs.map((j) => (j.assignee ? 'assigned' : 'new')),
            jobs.map((j) => j.assignee),
          ],
        );
        await owner.query("INSERT INTO fs_job_events (job_id, kind, to_status, by_user) SELECT unnest($1::uuid[]), 'created', 'new', $2", [jobs.map((j) => j.id), techD.id]);
        const plain = { projects: [] as string[], contractor: false, department: null, territory: null, region: null };
        const add = async (label: string, user: Omit<FixtureUser, 'id'>) => callers.push({ ...(await addUser(owner, { ...user, name: label })), label, token: '' });
        await add('admin', { ...plain, roles: ['admin'] });
        await add('dispatcher t1', { ...plain, roles: ['dispatcher'], territory: 't1' });
        await add('dispatcher t1 department d1', { ...plain, roles: ['dispatcher'], territory: 't1', department: 'd1' });
        await add('dispatcher region ra (territory t3 ignored)', { ...plain, roles: ['dispatcher'], territory: 't3', region: 'ra' });
        await add('manager region ra department d2', { ...plain, roles: ['manager'], region: 'ra', department: 'd2' });
        await add('manager t3', { ...plain, roles: ['manager'], territory: 't3' });
        await add('contractor dispatcher t1 project p2', { ...plain, roles: ['dispatcher'], territory: 't1', projects: ['p2'], contractor: true });
        await add('dispatcher without territory or region', { ...plain, roles: ['dispatcher'] });
        await add('no role', { ...plain, roles: [] });
        callers.push({ ...techA, label: 'technician A (t1, d1)', token: '' }, { ...techB, label: 'technician B (t3, d2)', token: '' });
        callers.push({ ...techC, label: 'contractor technician (p1)', token: '' }, { ...techD, label: 'technician and dispatcher (t2)', token: '' });
      });
      for (const caller of callers) caller.token = await minter.token(caller.id);
      withChecks = await fieldServiceApp(db, minter);
      rlsOnly = await fieldServiceApp(db, minter, { apiChecks: false });
    });

    after(async () => {
      await withChecks?.close();
      await rlsOnly?.close();
      await db?.close();
      await database?.drop();
    });

    const get = (app: FastifyInstance, caller: Caller, url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${caller.token}` } });
    const send = (app: FastifyInstance, caller: Caller, method: 'POST' | 'PUT', url: string, body: unknown) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${caller.token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    /**
     * Runs `check` for each of `items`. On PostgreSQL all at once: each caller's requests still go
     * one after another, but the callers overlap, so the pool's connections work side by side
     * instead of one round trip at a time (a pass of 177 s became 63 s at load 33). PGlite is one
     * connection: overlapping there only queues requests at its lock (its pass was 50 s slower),
     * so they run in turn as before. The checks are the same either way; a failure names its
     * caller, and on PostgreSQL the first failure is rethrown once every check has ended.
     */
    const forEach = async <T>(items: readonly T[], check: (item: T) => Promise<void>) => {
      if (kind.kind === 'pglite') {
        for (const item of items) await check(item);
        return;
      }
      const failed = (await Promise.allSettled(items.map(check))).find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    };
    const eachCaller = (check: (caller: Caller) => Promise<void>) => forEach(callers, check);
    /** What a row-scoped route answers: 403 without the permission, else 200 or 404 by scope. */
    const expected = (caller: Caller, permission: Permission, visible: boolean) => (!allowed(caller.roles, permission) ? 403 : visible ? 200 : 404);

    test('row-level security alone returns exactly the policy’s rows for every caller, in every table', async () => {
      await eachCaller(async (caller) => {
        const seen = await asCaller(db, claimsOf(caller), async (tx) => {
          const ids = async (sql: string) => sorted((await tx.query<{ id: string }>(sql)).rows.map((r) => r.id));
          return {
            jobs: await ids('SELECT id FROM fs_jobs'),
            events: await ids('SELECT job_id AS id FROM fs_job_events'),
            sites: await ids('SELECT id FROM fs_sites'),
            customers: await ids('SELECT id FROM fs_customers'),
            technicians: await ids('SELECT user_id AS id FROM fs_technicians'),
            shifts: await ids('SELECT id FROM fs_shifts'),
            locations: await ids('SELECT technician_id AS id FROM fs_locations'),
          };
        });
        const visibleJobs = jobs.filter((j) => jobVisible(caller, j));
        const visibleSites = sites.filter((s) => siteVisible(caller, s, jobs));
        const visibleTechnicians = technicians.filter((t) => technicianVisible(caller, t));
        const why = `as ${caller.label}`;
        assert.deepEqual(seen.jobs, sorted(visibleJobs.map((j) => j.id)), `jobs ${why}`);
        assert.deepEqual(seen.events, sorted(visibleJobs.map((j) => j.id)), `job events ${why}`);
        assert.deepEqual(seen.sites, sorted(visibleSites.map((s) => s.id)), `sites ${why}`);
        assert.deepEqual(seen.customers, sorted(has(caller, 'admin') ? customers : new Set(visibleSites.map((s) => s.customer))), `customers ${why}`);
        assert.deepEqual(seen.technicians, sorted(visibleTechnicians.map((t) => t.id)), `technicians ${why}`);
        assert.deepEqual(seen.shifts, sorted(shifts.filter((s) => visibleTechnicians.some((t) => t.id === s.technician)).map((s) => s.id)), `shifts ${why}`);
        const seesLocations = (t: Technician) => t.id === caller.id || (allowed(caller.roles, 'locations.read') && technicianVisible(caller, t));
        assert.deepEqual(seen.locations, sorted(technicians.filter(seesLocations).map((t) => t.id)), `locations ${why}`);
      });
      // The fixture crosses every boundary: someone sees each row, and nobody but admin sees all.
      assert.ok(jobs.every((j) => callers.some((c) => !has(c, 'admin') && jobVisible(c, j))));
      assert.ok(callers.filter((c) => !has(c, 'admin')).every((c) => jobs.some((j) => !jobVisible(c, j))));
    });

    test('without claims (outside a caller’s transaction) the runtime role sees no field-service row at all', async () => {
      for (const table of ['fs_jobs', 'fs_sites', 'fs_customers', 'fs_technicians', 'fs_shifts', 'fs_locations', 'fs_job_events', 'fs_territories', 'fs_photos']) {
        const { rows } = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`);
        assert.equal(Number(rows[0]!.n), 0, table);
      }
    });

    for (const [mode, pick] of [
      ['with the API’s own scope checks', () => withChecks],
      ['with the API’s scope checks removed on purpose (row-level security alone)', () => rlsOnly],
    ] as const) {
      test(`lists answer exactly the policy’s rows, ${mode}`, async () => {
        const app = pick();
        await eachCaller(async (caller) => {
          const why = `as ${caller.label}`;
          const list = async (url: string, key: string, id = 'id') => {
            const response = await get(app, caller, url);
            return { status: response.statusCode, ids: response.statusCode === 200 ? sorted((response.json()[key] as Record<string, string>[]).map((r) => r[id]!)) : [] };
          };
          const jobList = await list('/api/v1/jobs?limit=200', 'jobs');
          assert.equal(jobList.status, expected(caller, 'jobs.read', true), `jobs ${why}`);
          if (jobList.status === 200) assert.deepEqual(jobList.ids, sorted(jobs.filter((j) => jobVisible(caller, j)).map((j) => j.id)), `jobs ${why}`);

          const customerList = await list('/api/v1/customers?limit=200', 'customers');
          assert.equal(customerList.status, expected(caller, 'customers.read', true), `customers ${why}`);
          if (customerList.status === 200) {
            const visible = has(caller, 'admin') ? customers : [...new Set(sites.filter((s) => siteVisible(caller, s, jobs)).map((s) => s.customer))];
            assert.deepEqual(customerList.ids, sorted(visible), `customers ${why}`);
          }

          const technicianList = await list('/api/v1/technicians?limit=200', 'technicians');
          assert.equal(technicianList.status, expected(caller, 'technicians.read', true), `technicians ${why}`);
          if (technicianList.status === 200) assert.deepEqual(technicianList.ids, sorted(technicians.filter((t) => technicianVisible(caller, t)).map((t) => t.id)), `technicians ${why}`);

          const from = new Date().toISOString();
          const shiftList = await list(`/api/v1/shifts?from=${encodeURIComponent(from)}`, 'shifts');
          assert.equal(shiftList.status, expected(caller, 'schedules.read', true), `shifts ${why}`);
          if (shiftList.status === 200) {
            const visible = shifts.filter((s) => technicianVisible(caller, technicians.find((t) => t.id === s.technician)!));
            assert.deepEqual(shiftList.ids, sorted(visible.map((s) => s.id)), `shifts ${why}`);
          }
        });
      });

      test(`every row answers 200, 404 or 403 as the policy says, ${mode}`, async () => {
        const app = pick();
        await eachCaller(async (caller) => {
          const why = (what: string) => `${what} as ${caller.label}`;
          for (const job of jobs) {
            const visible = jobVisible(caller, job);
            assert.equal((await get(app, caller, `/api/v1/jobs/${job.id}`)).statusCode, expected(caller, 'jobs.read', visible), why(`job ${job.territory}/${job.department}/${job.project}`));
          }
          for (const job of jobs.filter((_, i) => i % 5 === 0)) {
            const visible = jobVisible(caller, job);
            assert.equal((await get(app, caller, `/api/v1/jobs/${job.id}/events`)).statusCode, expected(caller, 'jobs.read', visible), why('job events'));
            // Writes that change nothing: a status move the workflow refuses, an unknown technician.
            const status = await send(app, caller, 'POST', `/api/v1/jobs/${job.id}/status`, { status: 'completed' });
            const statusExpected = !allowed(caller.roles, 'jobs.status') ? 403 : !visible ? 404 : job.assignee === caller.id ? 409 : 403;
            assert.equal(status.statusCode, statusExpected, why(`status change on ${job.territory}/${job.department}/${job.project}`));
            const assign = await send(app, caller, 'PUT', `/api/v1/jobs/${job.id}/assignment`, { technicianId: randomUUID() });
            assert.equal(assign.statusCode, !allowed(caller.roles, 'jobs.assign') ? 403 : visible ? 422 : 404, why('assignment'));
          }
          for (const site of sites) {
            const response = await get(app, caller, `/api/v1/sites/${site.id}`);
            assert.equal(response.statusCode, expected(caller, 'sites.read', siteVisible(caller, site, jobs)), why('site'));
            if (response.statusCode === 200) assert.equal(response.json().accessNotes, 'Gate 1234');
          }
          for (const customer of customers) {
            const visible = has(caller, 'admin') || sites.some((s) => s.customer === customer && siteVisible(caller, s, jobs));
            const response = await get(app, caller, `/api/v1/customers/${customer}`);
            assert.equal(response.statusCode, expected(caller, 'customers.read', visible), why('customer'));
            if (response.statusCode === 200) assert.equal(response.json().contact === null, !allowed(caller.roles, 'customers.contact'));
          }
          for (const technician of technicians) {
            const response = await get(app, caller, `/api/v1/technicians/${technician.id}/locations`);
            assert.equal(response.statusCode, expected(caller, 'locations.read', technicianVisible(caller, technician)), why('locations'));
          }
        });
      });
    }

    test('the database itself keeps a job in the caller’s scope and a technician to the status', async () => {
      const dispatcher = callers.find((c) => c.label === 'dispatcher t1')!;
      const technician = callers.find((c) => c.label === 'technician A (t1, d1)')!;
      const job = jobs.find((j) => j.territory === 't1' && j.assignee === technician.id && j.project === null)!;
      // A query that skips the API: moving a job out of the dispatcher's territory is refused.
      await assert.rejects(asCaller(db, claimsOf(dispatcher), (tx) => tx.query("UPDATE fs_jobs SET territory = 't3' WHERE id = $1", [job.id])), /row-level security|policy/);
      // The assigned technician may move the status along, but not retitle or reassign the job.
      await assert.rejects(asCaller(db, claimsOf(technician), (tx) => tx.query("UPDATE fs_jobs SET title = 'mine now' WHERE id = $1", [job.id])), /only the status/);
      await assert.rejects(asCaller(db, claimsOf(technician), (tx) => tx.query('UPDATE fs_jobs SET assigned_to = NULL WHERE id = $1', [job.id])), /only the status|policy/);
      await asCaller(db, claimsOf(technician), async (tx) => {
        const { rowCount } = await tx.query("UPDATE fs_jobs SET status = 'en_route' WHERE id = $1", [job.id]);
        assert.equal(rowCount, 1);
        throw new Error('roll back');
      }).catch((error: Error) => assert.equal(error.message, 'roll back'));
    });

    test('ids and filters full of SQL answer 4xx and change nothing', async () => {
      const admin = callers.find((c) => has(c, 'admin'))!;
      const dispatcher = callers.find((c) => c.label === 'dispatcher t1')!;
      const before = await db.asOwner(async (o) => JSON.stringify((await o.query('SELECT id, status, assigned_to, territory FROM fs_jobs ORDER BY id')).rows));
      const hostile = ["' OR '1'='1", "1; DROP TABLE fs_jobs; --", "t1' UNION SELECT id FROM users --", '%00', "00000000-0000-0000-0000-000000000000' OR 1=1 --", '\\x27'];
      // Every value and caller at once on PostgreSQL (forEach above).
      await forEach(
        hostile.flatMap((value) => [admin, dispatcher].map((caller) => ({ value, caller }))),
        async ({ value, caller }) => {
          const v = encodeURIComponent(value);
          for (const url of [
            `/api/v1/jobs/${v}`,
            `/api/v1/jobs/${v}/events`,
            `/api/v1/sites/${v}`,
            `/api/v1/customers/${v}`,
            `/api/v1/technicians/${v}/locations`,
            `/api/v1/jobs?status=${v}`,
            `/api/v1/jobs?territory=${v}`,
            `/api/v1/jobs?department=${v}`,
            `/api/v1/jobs?project=${v}`,
            `/api/v1/jobs?assignedTo=${v}`,
            `/api/v1/jobs?siteId=${v}`,
            `/api/v1/jobs?cursor=${v}`,
            `/api/v1/customers?cursor=${v}`,
            `/api/v1/technicians?territory=${v}`,
            `/api/v1/shifts?technicianId=${v}`,
            `/api/v1/shifts?from=${v}`,
          ]) {
            const response = await get(withChecks, caller, url);
            assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${url}: ${response.statusCode}`);
            assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', url);
          }
          // Control characters in the search are refused (PostgreSQL text cannot hold NUL).
          assert.equal((await get(withChecks, caller, `/api/v1/jobs?q=a%00b`)).statusCode, 400);
          assert.equal((await get(withChecks, caller, `/api/v1/customers?q=%0d%0a`)).statusCode, 400);
          // Free text is a parameter like any other: the search finds nothing and breaks nothing.
          const search = await get(withChecks, caller, `/api/v1/jobs?q=${v}`);
          assert.equal(search.statusCode, 200, `q=${value}`);
          assert.deepEqual(search.json().jobs, []);
          for (const [method, url, body] of [
            ['PUT', `/api/v1/jobs/${jobs[0]!.id}/assignment`, { technicianId: value }],
            ['POST', '/api/v1/jobs', { title: 'x', department: value, territory: 't1', siteId: sites[0]!.id }],
            ['POST', '/api/v1/jobs', { title: 'x', department: 'd1', territory: value, siteId: sites[0]!.id }],
          ] as const) {
            const response = await send(withChecks, caller, method, url, body);
            assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${method} ${url} ${JSON.stringify(body)}: ${response.statusCode}`);
          }
        },
      );
      const afterwards = await db.asOwner(async (o) => JSON.stringify((await o.query('SELECT id, status, assigned_to, territory FROM fs_jobs ORDER BY id')).rows));
      assert.equal(afterwards, before);
    });
  });
}
