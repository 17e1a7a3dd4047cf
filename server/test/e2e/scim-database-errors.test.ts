/**
 * SCIM bodies the database refuses are answered like the rest of the API maps database errors
 * (http/problems.ts), in SCIM's error format (decision 0006): never a 500. Injection strings are
 * stored as the text they are; oversized values are refused before the database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { hashToken } from '../../src/security/primitives.ts';
import { insertScimToken } from '../../src/scim/index.ts';

const TOKEN = 'pal_scim_test-token-for-database-errors-0123456789abcdef';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, ...extra });

for (const kind of databaseKinds()) {
  describe(`SCIM: what the database refuses (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port));
      await insertScimToken(server.db, 'entra', hashToken(TOKEN));
      app = new MobileApp(server.url, ca);
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    async function scim(method: string, resource: string, body?: unknown) {
      const response = await app.http.fetch(`${server.url}/scim/v2${resource}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- SCIM bodies are read member by member
      return { status: response.status, type: response.headers.get('content-type'), text, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
    }
    const refusedAs = (answer: Awaited<ReturnType<typeof scim>>, status: number, scimType: string | undefined) => {
      assert.equal(answer.status, status, answer.text);
      assert.match(answer.type ?? '', /^application\/scim\+json/);
      assert.deepEqual(answer.body.schemas, [ERROR]);
      assert.equal(answer.body.status, String(status));
      assert.equal(answer.body.scimType, scimType);
      // Never the database's own words (they quote values and name tables).
      assert.doesNotMatch(answer.text, /SQLSTATE|violates|byte sequence|users_|scim_users/i);
    };

    test('SQL injection strings are stored as text, not run', async () => {
      const strings = ["x'; DROP TABLE users; --@corp.test", "' OR '1'='1", 'a"); DELETE FROM scim_users; --', '$1 $2 \\x00 %s %n'];
      for (const [i, userName] of strings.entries()) {
        const created = await scim('POST', '/Users', user(userName, { externalId: `inj-${i}`, displayName: userName }));
        assert.equal(created.status, 201, created.text);
        assert.equal(created.body.userName, userName);
        const read = await scim('GET', `/Users/${created.body.id}`);
        assert.equal(read.status, 200, read.text);
        assert.equal(read.body.displayName, userName);
      }
      const { rows } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scim_users');
      assert.equal(rows[0]!.n, strings.length, 'nothing else was created or deleted');
    });

    test('a value the database cannot hold (a NUL character) is a 400: in a body and in a filter, both refused before the database', async () => {
      const inBody = await scim('POST', '/Users', user('nul\u0000byte@corp.test'));
      assert.equal(inBody.status, 400, inBody.text);
      assert.deepEqual(inBody.body.schemas, [ERROR]);
      refusedAs(await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nul\u0000byte"')}`), 400, 'invalidFilter');
    });

    test('oversized values are refused (invalidValue, or 413 for the whole body), never a 500', async () => {
      refusedAs(await scim('POST', '/Users', user(`${'a'.repeat(300)}@corp.test`)), 400, 'invalidValue');
      // A long filter value is only a search that finds nobody.
      const search = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${"a'; DROP TABLE users; --".repeat(38)}"`)}`);
      assert.equal(search.status, 200, search.text);
      assert.equal(search.body.totalResults, 0);
      refusedAs(await scim('POST', '/Users', user('huge@corp.test', { displayName: 'D'.repeat(2_000_000) })), 413, undefined);
    });

    test('the same user created by several requests at once: one 201, the others 409 uniqueness (the database’s unique violation), never a 500', async () => {
      for (let round = 0; round < 5; round += 1) {
        const answers = await Promise.all(Array.from({ length: 6 }, () => scim('POST', '/Users', user(`twice-${round}@corp.test`))));
        assert.equal(answers.filter((a) => a.status === 201).length, 1, answers.map((a) => a.status).join(','));
        for (const answer of answers.filter((a) => a.status !== 201)) refusedAs(answer, 409, 'uniqueness');
      }
    });

    // The store checks the new name is free, then updates: two renames racing to one name pass
    // the check together, and the database's unique index refuses the second.
    test('several users renamed to the same userName at once: one 200, the others 409 uniqueness, never a 500', async () => {
      for (let round = 0; round < 8; round += 1) {
        const ids: string[] = [];
        for (let i = 0; i < 6; i += 1) {
          const created = await scim('POST', '/Users', user(`rename-${round}-${i}@corp.test`));
          assert.equal(created.status, 201, created.text);
          ids.push(created.body.id as string);
        }
        const answers = await Promise.all(ids.map((id) => scim('PUT', `/Users/${id}`, user(`renamed-${round}@corp.test`))));
        assert.equal(answers.filter((a) => a.status === 200).length, 1, answers.map((a) => a.status).join(','));
        for (const answer of answers.filter((a) => a.status !== 200)) refusedAs(answer, 409, 'uniqueness');
      }
    });
  });
}
