/**
 * The one place database refusals become problems (http/problems.ts `problemForDatabaseError`,
 * called by the error handler in http/app.ts), driven by real errors of both drivers: PGlite and
 * PostgreSQL raise them in the same shape (`code`, `constraint`, `table`, `column`), and PGlite
 * attaches the SQL text and every bound value besides. Whatever constraint or data exception a
 * handler runs into is a 4xx problem — never a 500 — and what is logged about it is the
 * SQLSTATE, the constraint and the statement's first line, never a value, the SQL beyond that
 * line, or the database's message and detail (which quote the values).
 */
import { createLogger } from '../../src/http/logger.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { testApp } from '../helpers/app.ts';
import type { Database } from '../../src/db/index.ts';
import { PROBLEM_BASE } from '../../src/http/problems.ts';

/** A value no log line may carry: it stands for a job title, a name, an id. */
const MARKER = 'Zq7PrivateValue';

const SCHEMA = `
  CREATE TABLE t_parent (code text PRIMARY KEY);
  CREATE TABLE t_child (
    id int PRIMARY KEY,
    parent_code text REFERENCES t_parent (code),
    email text UNIQUE,
    name text NOT NULL DEFAULT 'x',
    size int CHECK (size > 0),
    at timestamptz,
    ref uuid
  );
  GRANT SELECT, INSERT, UPDATE, DELETE ON t_parent, t_child TO palisade_app;
  INSERT INTO t_parent (code) VALUES ('P-1');
  INSERT INTO t_child (id, parent_code, email) VALUES (1, 'P-1', 'taken@corp.test');
`;

/** Each route runs one statement that the database refuses, with MARKER among its values. */
const CASES: { name: string; method: 'POST' | 'DELETE'; sql: string; params: unknown[]; status: number; type: string; field?: string; code: string }[] = [
  { name: 'a foreign key to a record that does not exist', method: 'POST', sql: 'INSERT INTO t_child (id, parent_code)\n VALUES ($1, $2)', params: [2, `P-${MARKER}`], status: 422, type: 'unknown-reference', field: 'parentCode', code: '23503' },
  { name: 'deleting a record others refer to', method: 'DELETE', sql: `DELETE FROM t_parent\n WHERE code = $1 OR code = 'P-1' OR code = $2`, params: ['P-1', MARKER], status: 409, type: 'still-referenced', code: '23503' },
  { name: 'a duplicate of a unique value', method: 'POST', sql: 'INSERT INTO t_child (id, email)\n VALUES ($1, $2), ($3, $2)', params: [3, `${MARKER}@corp.test`, 4], status: 409, type: 'already-exists', field: 'email', code: '23505' },
  { name: 'a NULL where none is allowed', method: 'POST', sql: 'INSERT INTO t_child (id, name, email)\n VALUES ($1, NULL, $2)', params: [5, MARKER], status: 400, type: 'validation-failed', field: 'name', code: '23502' },
  { name: 'a CHECK constraint', method: 'POST', sql: 'INSERT INTO t_child (id, size, email)\n VALUES ($1, $2, $3)', params: [6, -1, MARKER], status: 400, type: 'validation-failed', field: 'size', code: '23514' },
  { name: 'year 0000 (datetime field overflow)', method: 'POST', sql: 'INSERT INTO t_child (id, at, email)\n VALUES ($1, $2, $3)', params: [7, '0000-01-01T00:00:00Z', MARKER], status: 400, type: 'validation-failed', code: '22008' },
  { name: 'a year PGlite cannot read from a JavaScript Date (time zone displacement)', method: 'POST', sql: 'INSERT INTO t_child (id, at, email)\n VALUES ($1, $2, $3)', params: [8, '+010000-01-01T00:00:00.000Z', MARKER], status: 400, type: 'validation-failed', code: '22009' },
  { name: 'text that is no uuid (invalid text representation)', method: 'POST', sql: 'SELECT $1::uuid AS ref,\n $2::text AS marker', params: [`urn:${MARKER}`, MARKER], status: 400, type: 'validation-failed', code: '22P02' },
  { name: 'a NUL character (character not in repertoire)', method: 'POST', sql: 'SELECT $1::text AS value,\n $2::text AS marker', params: ['a\u0000b', MARKER], status: 400, type: 'validation-failed', code: '22021' },
];

for (const kind of databaseKinds()) {
  describe(`database refusals become problems, and are logged without values (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let app: FastifyInstance;
    let log = '';

    before(async () => {
      database = await kind.create();
      db = await openMigrated(database);
      await db.asOwner((q) => q.exec(SCHEMA));
      const logStream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          log += chunk.toString();
          done();
        },
      });
      app = testApp({ logger: createLogger({ level: 'info', format: 'json', destination: logStream }) });
      CASES.forEach((c, i) => {
        // Each in a transaction, as the handlers run: the refusal must roll it back.
        app.route({ method: c.method, url: `/case/${i}`, handler: async () => db.transaction((tx) => tx.query(c.sql, c.params)).then(() => ({ ok: true })) });
      });
      app.get('/unexpected', async () => db.query('SELECT no_such_column FROM t_child WHERE email = $1', [MARKER]));
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await db?.close();
      await database?.drop();
    });

    CASES.forEach((c, i) => {
      test(`${c.name} (SQLSTATE ${c.code}) answers ${c.status} ${c.type}${c.field ? ` naming ${c.field}` : ''}, and logs no value`, async () => {
        const from = log.length;
        const response = await app.inject({ method: c.method, url: `/case/${i}` });
        const body = response.json() as Record<string, unknown>;
        assert.deepEqual([response.statusCode, body.type], [c.status, PROBLEM_BASE + c.type], response.body);
        assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
        if (c.field) {
          const named = body.field ?? (body.errors as { path: string }[] | undefined)?.map((e) => e.path)[0];
          assert.equal(named, c.field, `the problem names the field: ${response.body}`);
        }
        assert.doesNotMatch(response.body, new RegExp(`${MARKER}|t_child|t_parent|INSERT|SELECT|DELETE`), 'the answer quotes neither values nor SQL');

        const written = log.slice(from);
        const line = written.split('\n').find((l) => l.includes(`"code":"${c.code}"`));
        assert.ok(line, `the refusal is logged with its SQLSTATE: ${written}`);
        const entry = JSON.parse(line) as { level: number; err: Record<string, unknown> };
        assert.equal(entry.level, 40, 'a warning: an API check is missing upstream of the database');
        assert.equal(entry.err.statement, c.sql.split('\n')[0]!.trim(), 'the statement is named by its first line');
        assert.doesNotMatch(written, new RegExp(MARKER), 'no bound value is logged');
        assert.doesNotMatch(written, /VALUES \(\$1|WHERE code|AS marker/, 'nor the SQL beyond its first line');
        assert.doesNotMatch(written, /"(params|query|detail|where|stack)"/, 'nor the parameters, the database’s detail and context, or a stack whose first line is the message');
      });
    });

    test('a database error that is not the request’s doing is a bare 500, logged without values', async () => {
      const from = log.length;
      const response = await app.inject({ method: 'GET', url: '/unexpected' });
      assert.deepEqual([response.statusCode, (response.json() as { type: string }).type], [500, `${PROBLEM_BASE}internal`]);
      const written = log.slice(from);
      const line = written.split('\n').find((l) => l.includes('"code":"42703"'));
      assert.ok(line, `logged with its SQLSTATE (undefined column): ${written}`);
      assert.equal((JSON.parse(line) as { level: number }).level, 50);
      assert.match(line, /"statement":"SELECT no_such_column FROM t_child WHERE email = \$1"/);
      assert.doesNotMatch(written, new RegExp(MARKER));
    });

    test('nothing a refused statement wrote stays: each ran in a transaction that rolled back', async () => {
      const { rows } = await db.asOwner((q) => q.query<{ n: number }>('SELECT count(*)::int AS n FROM t_child'));
      assert.equal(rows[0]!.n, 1);
    });
  });
}
