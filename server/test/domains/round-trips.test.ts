/**
 * What one audited domain read costs the database, counted at the driver: the technician's
 * `GET /api/v1/jobs/{id}` on PostgreSQL. A round trip is a wait for the database: a statement
 * sent while none of its connection's statements is unanswered starts one; statements sent
 * behind it (pipelined) share it. The read used to wait six times (caller, BEGIN, claims, job,
 * audit, COMMIT); it now waits three: the caller (the authorization stage, before the handler
 * may run), then BEGIN + claims + job + audit record sent together, then COMMIT once the job
 * is known to exist. A change that makes the read wait again, or adds a statement, fails here.
 *
 * PostgreSQL only: PGlite is in process and has no round trips. The statements are still
 * checked there to be the same (the pipelining must not change what runs, only when it is sent).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { addUser, fieldServiceApp, tokenMinter } from '../helpers/fieldservice.ts';
import type { Database } from '../../src/db/index.ts';
import { AuditTrail } from '../../src/audit/index.ts';
import { systemClock } from '../../src/clock.ts';

const silent = { warn: () => undefined, error: () => undefined };

interface Counted {
  /** The first word of each statement, in the order sent. */
  statements: string[];
  /** How many times the request had to wait for the database. */
  roundTrips: number;
}

type Query = (this: object, ...args: unknown[]) => unknown;

/** Counts what every pg client sends while `during` runs (pg is loaded once per process). */
async function countingPg(): Promise<{ during<T>(fn: () => Promise<T>): Promise<{ result: T; counted: Counted }>; restore(): void }> {
  const { default: pg } = await import('pg');
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  const unanswered = new WeakMap<object, number>();
  let counted: Counted | undefined;
  proto.query = function (this: object, ...args: unknown[]) {
    const result = original.apply(this, args);
    if (!counted || !(result instanceof Promise)) return result;
    const config = args[0];
    const text = typeof config === 'string' ? config : String((config as { text?: unknown }).text ?? '');
    // A connection the pool opens (or reopens after idling out) during the read takes the runtime
    // role once for its life: a cost per connection, not per read.
    if (/^\s*SET ROLE /.test(text)) return result;
    counted.statements.push(text.trim().split(/\s+/)[0]!.toUpperCase());
    const waiting = unanswered.get(this) ?? 0;
    if (waiting === 0) counted.roundTrips += 1;
    unanswered.set(this, waiting + 1);
    const answered = () => unanswered.set(this, (unanswered.get(this) ?? 1) - 1);
    result.then(answered, answered);
    return result;
  };
  return {
    async during(fn) {
      counted = { statements: [], roundTrips: 0 };
      try {
        const result = await fn();
        return { result, counted };
      } finally {
        counted = undefined;
      }
    },
    restore: () => void (proto.query = original),
  };
}

for (const kind of databaseKinds()) {
  describe(`an audited domain read's database work (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let trail: AuditTrail;
    let app: FastifyInstance;
    let token: string;
    let jobId: string;
    const statements: string[][] = [];
    // On PGlite the statements are counted through the Database itself.
    let counting: string[] | undefined;

    before(async () => {
      database = await kind.create({ migrated: true });
      const opened = await openMigrated(database);
      db = kind.kind === 'pglite' ? countingDatabase(opened, (sql) => counting?.push(sql)) : opened;
      const minter = await tokenMinter();
      trail = new AuditTrail(db, systemClock, silent, { flushIntervalMs: 60_000 });
      await db.asOwner(async (o) => {
        await o.query("INSERT INTO fs_territories (code, name, region) VALUES ('north', 'North', 'east')");
        const { rows } = await o.query<{ id: string }>("INSERT INTO fs_customers (name) VALUES ('Customer') RETURNING id");
        const site = await o.query<{ id: string }>("INSERT INTO fs_sites (customer_id, name, address, territory, region) VALUES ($1, 'Main', '1 High Street', 'north', '') RETURNING id", [rows[0]!.id]);
        const tech = await addUser(o, { roles: ['technician'], territory: 'north', region: null, department: 'hvac', projects: [], contractor: false, name: 'Tech' });
        await o.query("INSERT INTO fs_technicians (user_id, display_name, territory, region, department, active) VALUES ($1, 'Tech', 'north', '', 'hvac', true)", [tech.id]);
        const job = await o.query<{ id: string }>(
          "INSERT INTO fs_jobs (title, department, territory, region, site_id, status, assigned_to) VALUES ('Boiler', 'hvac', 'north', '', $1, 'assigned', $2) RETURNING id",
          [site.rows[0]!.id, tech.id],
        );
        jobId = job.rows[0]!.id;
        token = await minter.token(tech.id);
      });
      app = await fieldServiceApp(db, minter, { audit: trail });
    });

    after(async () => {
      await app?.close();
      await trail?.close();
      await db?.close();
      await database?.drop();
    });

    const read = async (id = jobId) => app.inject({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: { authorization: `Bearer ${token}` } });

    test('the technician reads an assigned job in three round trips and six statements, audited', async (t) => {
      // Warm: the pooled connections have taken the runtime role (once per connection).
      for (let i = 0; i < 3; i += 1) assert.equal((await read()).statusCode, 200);
      const auditedBefore = await audited(db, jobId);
      if (kind.kind === 'postgres') {
        const pg = await countingPg();
        t.after(() => pg.restore());
        for (let i = 0; i < 3; i += 1) {
          const { result, counted } = await pg.during(() => read());
          assert.equal(result.statusCode, 200, result.body);
          statements.push(counted.statements);
          assert.deepEqual(counted.statements, ['SELECT', 'BEGIN', 'SELECT', 'SELECT', 'INSERT', 'COMMIT'], 'the caller, then the RLS transaction: claims, the job, its audit record');
          assert.equal(counted.roundTrips, 3, `the read waits for the database three times (caller; BEGIN + claims + job + audit; COMMIT), not ${counted.roundTrips}`);
        }
      } else {
        for (let i = 0; i < 3; i += 1) {
          counting = [];
          const response = await read();
          assert.equal(response.statusCode, 200, response.body);
          assert.deepEqual(
            counting.map((sql) => sql.trim().split(/\s+/)[0]!.toUpperCase()),
            ['SELECT', 'SELECT', 'SELECT', 'INSERT'],
            'the caller, then in one transaction: claims, the job, its audit record',
          );
          counting = undefined;
        }
      }
      assert.equal(await audited(db, jobId), auditedBefore + 3, 'each read left exactly one job.read record');
    });

    test('a statement that fails inside a flight fails the transaction with its own error; what was sent behind it leaves nothing; the connections stay whole', async () => {
      const marker = '00000000-0000-4000-8000-00000000d1e0';
      const before = await audited(db, marker);
      for (let i = 0; i < 3; i += 1) {
        await assert.rejects(
          db.transaction(async (tx) => {
            // Sent together (pipelined on PostgreSQL): the division fails first.
            await Promise.all([tx.query('SELECT 1 / 0 AS never'), trail.record(tx, { action: 'job.read', outcome: 'success', actor: {}, resource: { type: 'job', id: marker } })]);
          }),
          (error: unknown) => (error as { code?: string }).code === '22012',
          "the transaction fails with the failing statement's error (division by zero), not with what followed it",
        );
      }
      assert.equal(await audited(db, marker), before, 'the record sent behind the failing statement was not written');
      // Every pooled connection is usable again: reads succeed, audited, several in a row.
      const auditedBefore = await audited(db, jobId);
      for (let i = 0; i < 5; i += 1) assert.equal((await read()).statusCode, 200);
      assert.equal(await audited(db, jobId), auditedBefore + 5);
    });

    test('a job the technician may not read leaves no audit record, though the record was sent with the read', async () => {
      const before = await audited(db, '00000000-0000-4000-8000-000000000000');
      const response = await read('00000000-0000-4000-8000-000000000000');
      assert.equal(response.statusCode, 404, response.body);
      assert.equal(await audited(db, '00000000-0000-4000-8000-000000000000'), before, 'the record of a read that found nothing rolled back with it');
      // The connection is whole afterwards: the next read succeeds.
      assert.equal((await read()).statusCode, 200);
    });
  });
}

async function audited(db: Database, id: string): Promise<number> {
  return db.asOwner(async (o) => Number((await o.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE action = 'job.read' AND resource_id = $1", [id])).rows[0]!.n));
}

/** The database with every runtime statement reported (PGlite has no driver to watch). */
function countingDatabase(db: Database, seen: (sql: string) => void): Database {
  const watch = <Q extends { query: Database['query'] }>(q: Q): Q => ({
    ...q,
    query: (sql: string, params?: readonly unknown[]) => {
      seen(sql);
      return q.query(sql, params);
    },
  }) as Q;
  return {
    ...db,
    kind: db.kind,
    query: (sql, params) => {
      seen(sql);
      return db.query(sql, params);
    },
    transaction: (fn) => db.transaction((tx) => fn(watch(tx))),
    asOwner: (fn) => db.asOwner(fn),
    listen: (...args) => db.listen(...args),
    close: () => db.close(),
  };
}
