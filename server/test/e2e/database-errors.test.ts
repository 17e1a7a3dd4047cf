/**
 * Well-formed requests the database would refuse, as a user's app sends them, over HTTPS against
 * a server started the README way: a job for a contractor project that does not exist, and
 * times PostgreSQL cannot hold (year 0000, or an offset that takes the instant there). Each is
 * a 4xx problem naming what was wrong — never a 500 — and changes nothing. And what the server
 * logs about a refusal the database made names the statement and the SQLSTATE, never the values
 * bound to it: job titles, free text and ids are personal data (docs/operations.md, logs).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import { PROBLEM_BASE } from '../../src/http/problems.ts';

for (const kind of databaseKinds()) {
  describe(`well-formed input the database would refuse (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let app: MobileApp;
    let site: string;
    let technician: string;
    const people: Record<string, SignedIn> = {};
    const call = (person: string, path: string, init: { method?: string; body?: unknown } = {}) =>
      app.call(path, people[person]!.tokens.access_token, { method: init.method ?? 'GET', ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
    const problemOf = (response: { status: number; body: Record<string, unknown> }) => [response.status, String(response.body.type).replace(PROBLEM_BASE, '')];
    /** The paths the validation problem names (`body.windowStart`, `querystring.from`). */
    const pathsOf = (response: { body: Record<string, unknown> }) => ((response.body.errors ?? []) as { path: string }[]).map((e) => e.path);
    const countJobs = async () => ((await call('u-dispatcher', '/api/v1/jobs?limit=200')).body.jobs as unknown[]).length;

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      const db = await openMigrated(database);
      try {
        site = await db.asOwner(async (o) => {
          await o.query("INSERT INTO fs_territories (code, name, region) VALUES ('south', 'South', 'west')");
          await o.query("INSERT INTO fs_projects (code, name, contractor) VALUES ('PRJ-1', 'Harbor refit', 'Acme Pipes')");
          const { rows } = await o.query<{ customer: string; site: string }>('SELECT gen_random_uuid() AS customer, gen_random_uuid() AS site');
          const { customer, site: id } = rows[0]!;
          await o.query("INSERT INTO fs_customers (id, name) VALUES ($1, 'Harbor Foods')", [customer]);
          await o.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region) VALUES ($1, $2, 'Depot', '12 Mill Road, Southton', 'south', '')", [id, customer]);
          return id;
        });
      } finally {
        await db.close();
      }
      server = await startPalisade({ ...federated.env, PALISADE_LOG_LEVEL: 'info' });
      app = new MobileApp(server.url, server.ca);
      for (const person of ['u-dispatcher', 'u-tech']) people[person] = await app.signIn(person);
      // The technician's record is made on their first field-service call.
      assert.equal((await call('u-tech', '/api/v1/me/location', { method: 'POST', body: { latitude: 50.9, longitude: -1.4 } })).status, 204);
      technician = ((await call('u-dispatcher', '/api/v1/technicians')).body.technicians as { id: string }[])[0]!.id;
    });
    after(async () => {
      await server?.stop();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    const job = (extra: Record<string, unknown>) => ({ title: 'Leak under sink', department: 'plumbing', territory: 'south', siteId: site, ...extra });

    test('a job for a project that does not exist is 422 unknown-reference naming `project`, and no job is made', async () => {
      const before = await countJobs();
      const created = await call('u-dispatcher', '/api/v1/jobs', { method: 'POST', body: job({ project: 'PRJ-9999' }) });
      assert.deepEqual(problemOf(created), [422, 'unknown-reference'], created.text);
      assert.equal(created.body.field, 'project', 'the problem names the field');
      assert.equal(await countJobs(), before, 'nothing half-written');
      const known = await call('u-dispatcher', '/api/v1/jobs', { method: 'POST', body: job({ project: 'PRJ-1' }) });
      assert.equal(known.status, 201, `an existing project is accepted: ${known.text}`);
    });

    test('times PostgreSQL cannot hold are 400 naming the field, in job windows, new shifts and the shift list', async () => {
      const before = await countJobs();
      for (const [body, field] of [
        [job({ windowStart: '0000-01-01T00:00:00Z', windowEnd: '2030-01-01T00:00:00Z' }), 'body.windowStart'],
        [job({ windowStart: '2030-01-01T00:00:00Z', windowEnd: '0000-12-31T00:00:00Z' }), 'body.windowEnd'],
        // Year 1 in its own time zone is year 0 in UTC.
        [job({ windowStart: '0001-01-01T00:00:00+01:00' }), 'body.windowStart'],
      ] as const) {
        const created = await call('u-dispatcher', '/api/v1/jobs', { method: 'POST', body });
        assert.deepEqual(problemOf(created), [400, 'validation-failed'], created.text);
        assert.ok(pathsOf(created).includes(field), `names ${field}: ${created.text}`);
      }
      assert.equal(await countJobs(), before, 'no job was made');

      for (const [body, field] of [
        [{ technicianId: technician, startsAt: '0000-01-01T08:00:00Z', endsAt: '0000-01-01T16:00:00Z' }, 'body.startsAt'],
        [{ technicianId: technician, startsAt: '2030-01-01T08:00:00Z', endsAt: '0000-01-01T16:00:00Z' }, 'body.endsAt'],
      ] as const) {
        const shift = await call('u-dispatcher', '/api/v1/shifts', { method: 'POST', body });
        assert.deepEqual(problemOf(shift), [400, 'validation-failed'], shift.text);
        assert.ok(pathsOf(shift).includes(field), `names ${field}: ${shift.text}`);
      }
      for (const [query, field] of [
        ['from=0000-01-01T00:00:00Z', 'querystring.from'],
        ['from=0000-06-01T00:00:00Z&to=0000-06-02T00:00:00Z', 'querystring.from'],
        ['from=2030-01-01T00:00:00Z&to=0000-06-02T00:00:00Z', 'querystring.to'],
      ] as const) {
        const listed = await call('u-dispatcher', `/api/v1/shifts?${query}`);
        assert.deepEqual(problemOf(listed), [400, 'validation-failed'], `${query}: ${listed.text}`);
        assert.ok(pathsOf(listed).includes(field), `names ${field}: ${listed.text}`);
      }
      // The last days PostgreSQL and JavaScript both hold still work; the default end of the
      // period (a week on) does not run past them.
      const late = await call('u-dispatcher', `/api/v1/shifts?from=${encodeURIComponent('9999-12-31T00:00:00Z')}`);
      assert.equal(late.status, 200, late.text);
    });

    test('what the log says about a refusal the database made: the statement and SQLSTATE, not the values bound to it', async () => {
      const marker = randomBytes(6).toString('hex').toUpperCase();
      const title = `Private title ${marker}`;
      const project = `PRJ-${marker}`;
      const created = await call('u-dispatcher', '/api/v1/jobs', { method: 'POST', body: job({ title, description: `Free text ${marker}`, project }) });
      assert.deepEqual(problemOf(created), [422, 'unknown-reference'], created.text);
      // The log line is written as the answer goes out; give it a moment to reach the pipe.
      const deadline = Date.now() + 10_000;
      while (!server.output().includes('"code":"23503"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const log = server.output();
      const lines = log.split('\n').filter((line) => line.includes('"code":"23503"'));
      assert.ok(lines.length >= 1, `the refusal is logged with its SQLSTATE:\n${log.slice(-3000)}`);
      assert.match(lines.join('\n'), /"statement":"INSERT INTO fs_jobs/, 'the statement is named by its first line');
      assert.doesNotMatch(log, new RegExp(marker), 'no bound value (title, free text, project code) is in the log');
      assert.doesNotMatch(log, /VALUES \(\$1/, 'nor the SQL beyond its first line');
      assert.doesNotMatch(log, /"params"|"detail":"Key/, 'nor the parameters or the database’s detail, which quotes them');
      assert.doesNotMatch(created.text, new RegExp(`${marker}|fs_jobs|INSERT`), 'nor does the answer');
    });
  });
}
