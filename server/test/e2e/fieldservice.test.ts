/**
 * The field-service domain as its users meet it, over HTTPS against a server started the README
 * way: people sign in at the company IdP with a real OpenID client (PKCE, DPoP, the app's key,
 * signed requests), a dispatcher creates and assigns a job, the technician sees it with the
 * site's access notes and completes it, a technician of another territory cannot see it, and
 * each learns what they may do from /api/v1/me/permissions. Then the development start: the
 * demo data is announced and a demo dispatcher, signed in through the development IdP, sees
 * only the jobs of their scope.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startPalisade, type StartedServer } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import { PERMISSIONS, permissionsOf } from '../../src/authz/index.ts';
import { sensitiveCipher } from '../../src/main.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';

const ACCESS_NOTES = 'Side gate, code 4471; the dog is friendly.';
const expectedPermissions = (roles: string[]) =>
  permissionsOf(roles).map((name) => ({ name, scope: PERMISSIONS[name].scope, stepUp: (PERMISSIONS[name] as { stepUp?: boolean }).stepUp === true }));

for (const kind of databaseKinds()) {
  describe(`field service end to end, federated to the company IdP (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let app: MobileApp;
    let site: string;
    const people: Record<string, SignedIn> = {};
    const call = (person: string, path: string, init: { method?: string; body?: unknown } = {}) =>
      app.call(path, people[person]!.tokens.access_token, { method: init.method ?? 'GET', ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      const masterKey = generateMasterKey();
      // The domain's reference data, loaded as the owner before the start (the demo seed runs only
      // with the development IdP; PGlite is one process at a time). The access notes are
      // encrypted as Palisade stores them, under the master key the server will start with.
      const db = await openMigrated(database);
      try {
        const cipher = await sensitiveCipher(db, masterKeyFromBase64url(masterKey));
        site = await db.asOwner(async (o) => {
          await o.query("INSERT INTO fs_territories (code, name, region) VALUES ('south', 'South', 'west'), ('north', 'North', 'east')");
          const { rows } = await o.query<{ customer: string; site: string }>('SELECT gen_random_uuid() AS customer, gen_random_uuid() AS site');
          const { customer, site: id } = rows[0]!;
          await o.query("INSERT INTO fs_customers (id, name) VALUES ($1, 'Harbor Foods')", [customer]);
          await o.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region, access_notes) VALUES ($1, $2, 'Depot', '12 Mill Road, Southton', 'south', '', $3)", [
            id,
            customer,
            await cipher.encrypt(ACCESS_NOTES, `fs_sites.access_notes:${id}`),
          ]);
          return id;
        });
      } finally {
        await db.close();
      }
      server = await startPalisade({ ...federated.env, PALISADE_MASTER_KEY: masterKey });
      app = new MobileApp(server.url, server.ca);
      for (const person of ['u-dispatcher', 'u-tech', 'u-tech-north', 'u-manager']) people[person] = await app.signIn(person);
    });
    after(async () => {
      await server?.stop();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('each person learns from /api/v1/me/permissions exactly what the matrix gives their roles, and their scope', async () => {
      for (const [person, roles, scope] of [
        ['u-dispatcher', ['dispatcher'], { territory: 'south', region: null }],
        ['u-tech', ['technician'], { territory: 'south', region: 'west' }],
        ['u-tech-north', ['technician'], { territory: 'north', region: 'east' }],
        ['u-manager', ['manager'], { territory: null, region: 'west' }],
      ] as const) {
        const response = await call(person, '/api/v1/me/permissions');
        assert.equal(response.status, 200, `${person}: ${response.text}`);
        assert.deepEqual(response.body.roles, roles, person);
        assert.deepEqual(response.body.permissions, expectedPermissions([...roles]), person);
        assert.deepEqual({ territory: (response.body.scope as { territory: string }).territory, region: (response.body.scope as { region: string }).region }, scope, person);
      }
    });

    test('a dispatcher creates a job and assigns it to the technician, who sees it with the site’s access notes and completes it; another territory’s technician cannot see it', async () => {
      // Technicians' records are made on their first field-service call: a location report.
      for (const person of ['u-tech', 'u-tech-north']) {
        const reported = await call(person, '/api/v1/me/location', { method: 'POST', body: { latitude: 50.9, longitude: -1.4, accuracyM: 12 } });
        assert.equal(reported.status, 204, `${person}: ${reported.text}`);
      }
      const technicians = await call('u-dispatcher', '/api/v1/technicians');
      assert.equal(technicians.status, 200, technicians.text);
      const listed = technicians.body.technicians as { id: string; displayName: string; territory: string }[];
      assert.deepEqual(listed.map((t) => [t.displayName, t.territory]), [['Terry Tech', 'south']], 'the dispatcher of south sees south’s technicians only');
      const terry = listed[0]!.id;

      const created = await call('u-dispatcher', '/api/v1/jobs', { method: 'POST', body: { title: 'Leak under sink', description: 'Kitchen, unit 4', department: 'plumbing', territory: 'south', siteId: site, priority: 'high' } });
      assert.equal(created.status, 201, created.text);
      const job = created.body.id as string;
      const assigned = await call('u-dispatcher', `/api/v1/jobs/${job}/assignment`, { method: 'PUT', body: { technicianId: terry } });
      assert.equal(assigned.status, 200, assigned.text);
      assert.equal(assigned.body.assignedTo, terry);

      const mine = await call('u-tech', '/api/v1/jobs');
      assert.equal(mine.status, 200, mine.text);
      assert.deepEqual((mine.body.jobs as { id: string }[]).map((j) => j.id), [job], 'Terry sees the job assigned to him');
      const siteView = await call('u-tech', `/api/v1/sites/${site}`);
      assert.equal(siteView.status, 200, siteView.text);
      assert.equal(siteView.body.accessNotes, ACCESS_NOTES, 'the notes decrypt with the server’s master key');

      for (const [person, path] of [
        ['u-tech-north', `/api/v1/jobs/${job}`],
        ['u-tech-north', `/api/v1/sites/${site}`],
      ] as const) {
        const response = await call(person, path);
        assert.equal(response.status, 404, `${person} ${path}: ${response.text}`);
      }
      const northList = await call('u-tech-north', '/api/v1/jobs');
      assert.deepEqual(northList.body.jobs, [], 'nothing of south in Nora’s list');

      for (const status of ['en_route', 'on_site', 'completed']) {
        const moved = await call('u-tech', `/api/v1/jobs/${job}/status`, { method: 'POST', body: { status } });
        assert.equal(moved.status, 200, `${status}: ${moved.text}`);
        assert.equal(moved.body.status, status);
      }
      const stolen = await call('u-tech-north', `/api/v1/jobs/${job}/status`, { method: 'POST', body: { status: 'completed' } });
      assert.equal(stolen.status, 404, 'a job out of scope is not there at all');

      const events = await call('u-dispatcher', `/api/v1/jobs/${job}/events`);
      assert.equal(events.status, 200, events.text);
      assert.deepEqual((events.body.events as { toStatus: string }[]).map((e) => e.toStatus), ['new', 'assigned', 'en_route', 'on_site', 'completed']);

      const managed = await call('u-manager', `/api/v1/jobs/${job}`);
      assert.equal(managed.status, 200, 'the manager of region west sees south’s job');
      assert.equal(managed.body.status, 'completed');
      const dispatcherLocations = await call('u-dispatcher', `/api/v1/technicians/${terry}/locations`);
      assert.equal(dispatcherLocations.status, 200, dispatcherLocations.text);
      assert.equal((dispatcherLocations.body.locations as unknown[]).length, 1);
    });
  });
}

describe('field service end to end, development start (embedded database, development IdP)', () => {
  let database: TestDatabase;
  let server: StartedServer;
  let app: MobileApp;

  before(async () => {
    database = await databaseKinds()[0]!.create({ migrated: true });
    server = await startPalisade({ PALISADE_DATA_DIR: database.dataDir, PALISADE_SERVER_PORT: String(await freePort()) });
    app = new MobileApp(server.url, server.ca);
  });
  after(async () => {
    await server?.stop();
    await app?.close();
    await database?.drop();
  });

  test('start-up announces the demo data', () => {
    assert.match(server.output(), /Demo data loaded: 400 jobs, \d+ customers, \d+ sites, 14 technicians in 4 territories/);
  });

  test('the demo dispatcher, signed in through the development IdP, sees the north HVAC jobs only', async () => {
    const dan = await app.signIn('demo-dispatcher');
    const me = await app.call('/api/v1/me/permissions', dan.tokens.access_token);
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.body.roles, ['dispatcher']);
    assert.deepEqual(me.body.permissions, expectedPermissions(['dispatcher']));
    const jobs: { territory: string; department: string }[] = [];
    let cursor: string | null = null;
    do {
      const page = await app.call(`/api/v1/jobs?limit=200${cursor ? `&cursor=${cursor}` : ''}`, dan.tokens.access_token);
      assert.equal(page.status, 200, page.text);
      jobs.push(...(page.body.jobs as typeof jobs));
      cursor = page.body.next as string | null;
    } while (cursor);
    assert.ok(jobs.length > 0, 'Dan has work to dispatch');
    const seen = [...new Set(jobs.map((j) => `${j.territory}/${j.department}`))].sort();
    assert.deepEqual(seen, ['north/hvac'], `Dan (dispatcher · HVAC · north territory) sees north HVAC jobs only, saw ${seen.join(', ')}`);
  });
});
