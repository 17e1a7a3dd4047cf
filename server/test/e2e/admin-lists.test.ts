/**
 * The administrators' lists (GET /admin/v1/users, /sessions, /devices) as an attacker and a
 * careless client try them, over HTTPS against a server started the README's way, on PGlite
 * and PostgreSQL: people without the permission are refused; SQL and LIKE metacharacters in
 * every filter are data, never code (no 500, no extra rows); a page boundary inside a run of
 * equal sort keys neither skips nor repeats a row; limits outside 1–200 and any cursor the
 * server did not make for that list and those filters are 400 problems; reads are audited.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit } from '../../src/audit/index.ts';

const PROBLEM = 'https://palisade.dev/problems/';
const LISTS = ['/admin/v1/users', '/admin/v1/sessions', '/admin/v1/devices'] as const;
const INJECTIONS = ["' OR 1=1 --", "'; DROP TABLE users; --", '" OR ""="', "x' UNION SELECT id, email FROM users --", '%', '_', '\\', '%\' OR \'%\'=\'', '$1', "\u0000"];
const TWINS = 7;

for (const kind of databaseKinds()) {
  describe(`admin lists: people, sessions, devices (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    let admin: SignedIn;
    let twinIds: string[];
    const call = (path: string, who: SignedIn = admin) => app.call(path, who.tokens.access_token);

    /** Every row of a list, page by page (`limit` rows each), failing on a repeated id. */
    const walk = async (path: string, key: 'users' | 'sessions' | 'devices', limit: number): Promise<string[]> => {
      const ids: string[] = [];
      let next: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const separator = path.includes('?') ? '&' : '?';
        const answer = await call(`${path}${separator}limit=${limit}${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
        assert.equal(answer.status, 200, answer.text);
        const rows = answer.body[key] as { id: string }[];
        assert.ok(rows.length <= limit);
        for (const row of rows) {
          assert.ok(!ids.includes(row.id), `${row.id} repeated on a later page`);
          ids.push(row.id);
        }
        next = answer.body.next as string | undefined;
        if (!next) return ids;
      }
      assert.fail('more pages than rows');
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port));
      app = new MobileApp(server.url, ca);
      admin = await app.signIn('u-admin');
      // People with the same name, and sessions and devices with the same instant: the sort keys
      // are equal, only the id (the keyset's last column) tells them apart.
      const { rows } = await server.db.query<{ id: string }>(
        `INSERT INTO users (issuer, subject, email, name) SELECT 'https://twins.test', 'twin-' || n, 'twin' || n || '@corp.test', 'Twin Same' FROM generate_series(1, ${TWINS}) AS n RETURNING id`,
      );
      twinIds = rows.map((r) => r.id);
      const at = new Date(Date.now() - 60_000);
      const owner = twinIds[0]!;
      for (let n = 0; n < TWINS; n++) {
        await server.db.query(
          `INSERT INTO sessions (id, user_id, client_id, auth_time, expires_at, created_at, last_seen_at) VALUES ($1, $2, 'field-app', $3, $4, $3, $3)`,
          [`twin-session-${n}-${randomUUID()}`, owner, at, new Date(Date.now() + 86_400_000)],
        );
        await server.db.query(`INSERT INTO devices (user_id, client_id, jkt, first_seen_at, last_seen_at) VALUES ($1, 'field-app', $2, $3, $3)`, [owner, `jkt-${n}-${randomUUID()}`, at]);
      }
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('a technician and a dispatcher are refused every list (403), and the refusals are audited', async () => {
      for (const person of ['u-tech', 'u-dispatcher']) {
        const signedIn = await app.signIn(person);
        for (const list of LISTS) {
          const answer = await call(list, signedIn);
          assert.equal(answer.status, 403, `${person} ${list}: ${answer.text}`);
          assert.equal(answer.body.type, `${PROBLEM}forbidden`);
          assert.equal(answer.body.users ?? answer.body.sessions ?? answer.body.devices, undefined, 'no data');
        }
      }
      await server.audit.flush();
      const denied = (await searchAudit(server.db, { action: 'admin.users.list', limit: 50 })).events.filter((e) => e.outcome === 'denied');
      assert.equal(denied.length, 2, 'both refusals recorded under the list’s action');
    });

    test('an admin finds the technician by name or e-mail, with role and status filters, and the read is audited', async () => {
      const byName = await call('/admin/v1/users?q=terry');
      assert.equal(byName.status, 200, byName.text);
      const found = byName.body.users as { id: string; name: string; email: string; roles: string[]; status: string; openSessions: number }[];
      assert.equal(found.length, 1);
      assert.equal(found[0]!.name, 'Terry Tech');
      assert.deepEqual(found[0]!.roles, ['technician']);
      assert.equal(found[0]!.status, 'active');
      assert.ok(found[0]!.openSessions >= 1, 'the sign-in of the previous test is open');
      assert.equal(((await call('/admin/v1/users?q=TERRY%40CORP')).body.users as unknown[]).length, 1, 'by e-mail, case-insensitive');
      const admins = (await call('/admin/v1/users?role=admin')).body.users as { roles: string[] }[];
      assert.ok(admins.length >= 1 && admins.every((u) => u.roles.includes('admin')));
      assert.equal(((await call('/admin/v1/users?status=disabled')).body.users as unknown[]).length, 0);

      const techSessions = await call(`/admin/v1/sessions?user=${found[0]!.id}&state=active`);
      assert.equal(techSessions.status, 200, techSessions.text);
      const sessions = techSessions.body.sessions as { userId: string; userName: string; state: string; clientId: string }[];
      assert.ok(sessions.length >= 1 && sessions.every((s) => s.userId === found[0]!.id && s.userName === 'Terry Tech' && s.state === 'active'));
      const devices = await call(`/admin/v1/devices?user=${found[0]!.id}&app=field-app&ownership=byod`);
      assert.equal(devices.status, 200, devices.text);
      assert.ok((devices.body.devices as { userId: string }[]).every((d) => d.userId === found[0]!.id));

      await server.audit.flush();
      const adminId = decodeJwt(admin.tokens.access_token).sub!;
      const reads = (await searchAudit(server.db, { action: 'admin.users.list', userId: adminId, outcome: 'success', limit: 50 })).events;
      assert.ok(reads.some((e) => (e.detail?.filters as { search?: string } | undefined)?.search === 'terry' && e.detail?.count === 1), 'who searched for what, and how many rows came back');
      assert.ok((await searchAudit(server.db, { action: 'admin.sessions.list_all', userId: adminId, limit: 5 })).events.length >= 1);
      assert.ok((await searchAudit(server.db, { action: 'admin.devices.list', userId: adminId, limit: 5 })).events.length >= 1);
    });

    test('a page boundary inside a run of equal sort keys neither skips nor repeats a row', async () => {
      for (const limit of [1, 2, 3, TWINS, TWINS + 1]) {
        assert.deepEqual((await walk('/admin/v1/users?q=Twin%20Same', 'users', limit)).sort(), [...twinIds].sort(), `people, ${limit} a page`);
      }
      const owner = twinIds[0]!;
      const { rows: sessionIds } = await server.db.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1', [owner]);
      const { rows: deviceIds } = await server.db.query<{ id: string }>('SELECT id FROM devices WHERE user_id = $1', [owner]);
      for (const limit of [1, 2, 3, TWINS]) {
        assert.deepEqual((await walk(`/admin/v1/sessions?user=${owner}`, 'sessions', limit)).sort(), sessionIds.map((r) => r.id).sort(), `sessions, ${limit} a page`);
        assert.deepEqual((await walk(`/admin/v1/devices?user=${owner}`, 'devices', limit)).sort(), deviceIds.map((r) => r.id).sort(), `devices, ${limit} a page`);
      }
      // Unfiltered, across rows with different keys too.
      const { rows: all } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions');
      assert.equal((await walk('/admin/v1/sessions', 'sessions', 2)).length, all[0]!.n);
    });

    test('a cursor the server did not make for this list and these filters is a 400 problem, never a 500 or another page', async () => {
      const first = await call('/admin/v1/users?q=Twin%20Same&limit=2');
      const cursor = first.body.next as string;
      assert.ok(cursor);
      const [body, mac] = cursor.split('.') as [string, string];
      const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      const forged = Buffer.from(JSON.stringify(['', '00000000-0000-0000-0000-000000000000'])).toString('base64url');
      const refused = [
        `${flip(body, 3)}.${mac}`,
        `${body}.${flip(mac, 5)}`,
        `${forged}.${mac}`,
        body,
        `${body}.${mac}.${mac}`,
        `${body}.`,
        'AAAA.BBBB',
      ];
      for (const bad of refused) {
        const answer = await call(`/admin/v1/users?q=Twin%20Same&limit=2&cursor=${encodeURIComponent(bad)}`);
        assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(answer.body.type, `${PROBLEM}validation-failed`);
      }
      const otherFilter = await call(`/admin/v1/users?q=Twin&limit=2&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(otherFilter.status, 400, 'bound to its filters');
      const otherList = await call(`/admin/v1/sessions?limit=2&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(otherList.status, 400, 'bound to its list');
      const honest = await call(`/admin/v1/users?q=Twin%20Same&limit=2&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(honest.status, 200, 'the cursor as given works');
    });

    test('limits outside 1–200 are refused; 1 and 200 are honoured', async () => {
      for (const list of LISTS) {
        for (const limit of ['0', '201', '-1', '1.5', 'abc', '1e2', '', '0200', '99999999999999999999']) {
          const answer = await call(`${list}?limit=${encodeURIComponent(limit)}`);
          assert.equal(answer.status, 400, `${list} limit=${limit}: ${answer.text}`);
        }
        const one = await call(`${list}?limit=1`);
        assert.equal(one.status, 200, one.text);
        assert.ok((Object.values(one.body).find(Array.isArray) as unknown[]).length <= 1);
        assert.equal((await call(`${list}?limit=200`)).status, 200);
      }
    });

    test('SQL and LIKE metacharacters in every filter are data: 200 with no rows or 400, never a 500 or extra rows', async () => {
      const filters: Record<string, readonly string[]> = {
        '/admin/v1/users': ['q', 'role', 'status', 'cursor', 'limit'],
        '/admin/v1/sessions': ['user', 'app', 'state', 'cursor', 'limit'],
        '/admin/v1/devices': ['user', 'app', 'state', 'ownership', 'compliance', 'seenAfter', 'seenBefore', 'cursor', 'limit'],
      };
      const { rows: before } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      for (const [list, names] of Object.entries(filters)) {
        for (const name of names) {
          for (const attack of INJECTIONS) {
            const answer = await call(`${list}?${name}=${encodeURIComponent(attack)}`);
            assert.ok([200, 400].includes(answer.status), `${list}?${name}=${attack}: ${answer.status} ${answer.text}`);
            if (answer.status === 200) {
              const rows = Object.values(answer.body).find(Array.isArray) as unknown[];
              assert.equal(rows.length, 0, `${list}?${name}=${attack} matched nothing literally`);
            } else {
              assert.equal(answer.body.type, `${PROBLEM}validation-failed`);
            }
          }
        }
      }
      const { rows: afterwards } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      assert.equal(afterwards[0]!.n, before[0]!.n);
    });

    test('the lists are in the OpenAPI document with their permission', async () => {
      const document = (await (await app.http.fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
      for (const list of LISTS) {
        const operation = document.paths[list]?.get;
        assert.ok(operation, `${list} is documented`);
        assert.equal(operation['x-palisade-permission'], 'sessions.read');
        assert.ok((operation.parameters as { name: string }[]).some((p) => p.name === 'cursor'));
      }
    });
  });
}
