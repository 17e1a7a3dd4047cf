/**
 * Two devices of a person who never signed in before finish the company sign-in at the same
 * moment: both must succeed, as the same person (one user row), on every database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { upsertUser } from '../../src/users/index.ts';

for (const kind of databaseKinds()) {
  describe(`concurrent first sign-ins (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port, {}));
      app = new MobileApp(server.url, ca);
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('several devices (up to the device limit, 3) signing the same new person in at once all succeed, as one person', async () => {
      for (const person of ['u-tech', 'u-contractor', 'u-manager']) {
        const { rows: before } = await server.db.query('SELECT 1 FROM users WHERE subject = $1', [person]);
        assert.equal(before.length, 0, `${person} has not signed in yet`);
        const signedIn = await Promise.all(Array.from({ length: 3 }, () => app.signIn(person)));
        const subjects = new Set(signedIn.map((s) => decodeJwt(s.tokens.access_token).sub));
        assert.equal(subjects.size, 1, 'every device got tokens for the same person');
        const { rows } = await server.db.query<{ id: string }>('SELECT id FROM users WHERE subject = $1', [person]);
        assert.equal(rows.length, 1, 'one user row');
        assert.equal(rows[0]!.id, [...subjects][0]);
        for (const s of signedIn) {
          const me = await app.call('/api/v1/me', s.tokens.access_token);
          assert.equal(me.status, 200, me.text);
        }
      }
    });

    // The sign-ins above rarely meet inside the one statement that creates the row; this drives
    // the same store call the callback makes from many connections at once, many times over.
    test('first-time user creation from many connections at once never fails, and makes one row', async () => {
      for (let round = 0; round < 15; round += 1) {
        const subject = `race-${round}`;
        const profile = {
          email: `${subject}@corp.test`, name: 'Racing Person', groups: ['fs-technicians'], roles: ['technician' as const],
          department: null, territory: null, region: null, projects: [], employeeType: 'employee', userName: `${subject}@corp.test`,
        };
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => upsertUser(server.db, 'https://idp.race.test', subject, profile)));
        const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
        assert.deepEqual(failed, [], `round ${round}: every concurrent creation succeeds`);
        const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id));
        assert.equal(ids.size, 1, 'all are the same person');
        const { rows } = await server.db.query<{ user_name: string }>('SELECT user_name FROM users WHERE subject = $1', [subject]);
        assert.deepEqual(rows, [{ user_name: `${subject}@corp.test` }]);
      }
    });
  });
}
