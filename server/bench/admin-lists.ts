/**
 * The administrators' lists (admin/lists.ts; SQL in users/store.ts and sessions/store.ts): server
 * time per page over 10 000 people, 100 000 sessions and 30 000 devices, on PostgreSQL (goal:
 * under 50 ms a page). Measured is what the route awaits — the store call, its round trip to
 * the database and the row mapping — per page: the first page, a page deep into the list (after
 * a real cursor position), and the filtered pages a console asks for. For each page the
 * planner's top scan is printed: every one should be an index scan of the list's index
 * (migration 0018) that stops after the page, not a scan and sort of the table.
 *
 * PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL names a server (a throwaway database,
 * dropped afterwards); otherwise embedded PGlite, which is reported as such and is no
 * measure of the goal. Run alone:
 * `./node_modules/.bin/node server/bench/admin-lists.ts` (with BENCH_DATABASE_URL for PostgreSQL).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, openDatabase, type Database } from '../src/db/index.ts';
import { listUsers, type ListPosition } from '../src/users/store.ts';
import { listDevices, listSessions } from '../src/sessions/store.ts';
import { createBenchDatabase } from './database.ts';

export interface AdminListSettings {
  people: number;
  sessions: number;
  devices: number;
  /** Timed calls per page (after a few warm-up calls). */
  samples: number;
  limit: number;
}

export const ADMIN_LISTS: AdminListSettings = { people: 10_000, sessions: 100_000, devices: 30_000, samples: 200, limit: 50 };

export interface AdminListResult {
  database: string;
  pages: { name: string; rows: number; p50: number; p95: number; max: number; scan: string }[];
}

const SURNAMES = ['Tech', 'Admin', 'Dispatch', 'Manager', 'North', 'South', 'Smith', 'Jones', 'García', 'Nguyen', 'Müller', 'O’Brien', 'Kowalski', 'Okafor', 'Rossi', 'Silva'];

async function seed(db: Database, settings: AdminListSettings): Promise<void> {
  await db.asOwner(async (q) => {
    // Names repeat (16 surnames × the first names below), as they do in a company: equal sort keys on every page.
    await q.query(
      `INSERT INTO users (issuer, subject, email, name, roles, disabled_at, last_login_at)
       SELECT 'https://idp.bench', 'bench-' || n, 'person' || n || '@corp.test',
         (ARRAY['Alex','Sam','Dana','Morgan','Terry','Nora','Casey','Robin','Kim','Jo'])[1 + n % 10] || ' ' || ($2::text[])[1 + (n / 10) % 16] || ' ' || (n % 97),
         CASE WHEN n % 50 = 0 THEN ARRAY['admin'] WHEN n % 10 = 0 THEN ARRAY['dispatcher'] ELSE ARRAY['technician'] END,
         CASE WHEN n % 100 = 0 THEN now() END, now() - (n || ' minutes')::interval
       FROM generate_series(1, $1::int) AS n`,
      [settings.people, SURNAMES],
    );
    await q.query(
      `INSERT INTO devices (user_id, client_id, jkt, platform, model, first_seen_at, last_seen_at, state, ownership, compliance)
       SELECT u.id, CASE WHEN n % 3 = 0 THEN 'kiosk-app' ELSE 'field-app' END, 'jkt-' || n, CASE WHEN n % 2 = 0 THEN 'ios' ELSE 'android' END, 'Model ' || (n % 7),
         now() - interval '90 days', now() - ((n * 37) % 100000 || ' seconds')::interval,
         CASE WHEN n % 40 = 0 THEN 'revoked' ELSE 'active' END, CASE WHEN n % 5 = 0 THEN 'corporate' ELSE 'byod' END,
         (ARRAY['compliant','compliant','noncompliant','unknown'])[1 + n % 4]
       FROM generate_series(1, $1::int) AS n JOIN LATERAL (SELECT id FROM users WHERE subject = 'bench-' || (1 + n % $2::int)) u ON true`,
      [settings.devices, settings.people],
    );
    // Sessions: many ended (as in a real table, where ended sessions pile up), the rest open;
    // a tenth of the creation instants shared by several sessions.
    await q.query(
      `INSERT INTO sessions (id, user_id, client_id, auth_time, expires_at, created_at, last_seen_at, revoked_at, revoked_reason, locked_at)
       SELECT 'bench-session-' || n, u.id, CASE WHEN n % 3 = 0 THEN 'kiosk-app' ELSE 'field-app' END, t, t + interval '7 days', t, t,
         CASE WHEN n % 2 = 0 THEN t + interval '1 hour' END, CASE WHEN n % 2 = 0 THEN 'logout' END, CASE WHEN n % 11 = 0 THEN t + interval '20 minutes' END
       FROM generate_series(1, $1::int) AS n
       CROSS JOIN LATERAL (SELECT now() - (CASE WHEN n % 10 = 0 THEN n / 10 ELSE n END || ' seconds')::interval AS t) AS at
       JOIN LATERAL (SELECT id FROM users WHERE subject = 'bench-' || (1 + n % $2::int)) u ON true`,
      [settings.sessions, settings.people],
    );
    await q.query('ANALYZE users');
    await q.query('ANALYZE sessions');
    await q.query('ANALYZE devices');
  });
}

/** The planner's scan nodes for a statement, e.g. "Index Scan Backward using sessions_list". */
async function scanOf(db: Database, run: (q: Database) => Promise<unknown>): Promise<string> {
  // The store builds its SQL; catch the statement it sends and EXPLAIN it with the same values.
  const seen: { text: string; values: unknown[] }[] = [];
  const spy: Database = { ...db, query: (async (text: string, values?: unknown[]) => {
    seen.push({ text, values: values ?? [] });
    return db.query(text, values as never);
  }) as Database['query'] };
  await run(spy);
  const statement = seen[0]!;
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.text}`, statement.values as never);
  return rows
    .map((r) => r['QUERY PLAN'].trim().replace(/^->\s*/, ''))
    .filter((line) => /Scan|Sort/.test(line) && !/SubPlan|InitPlan/.test(line))
    .map((line) => line.replace(/\s*\(cost=.*$/, '').replace(/ on \w+ \w+$/, ''))
    .slice(0, 2)
    .join(' · ');
}

async function measureOn(database: string, db: Database, settings: AdminListSettings): Promise<AdminListResult> {
  await seed(db, settings);
  const now = new Date();
  const { rows: someone } = await db.query<{ id: string }>("SELECT user_id AS id FROM sessions WHERE id = 'bench-session-5000'");
  const userId = someone[0]!.id;
  // Cursor positions deep in each list: the last row of page 100 (or as deep as the list goes).
  const deep = async (page: (after: ListPosition | undefined) => Promise<{ last: ListPosition | undefined; more: boolean }>) => {
    let after: ListPosition | undefined;
    for (let i = 0; i < 100; i++) {
      const next = await page(after);
      if (!next.more || !next.last) break;
      after = next.last;
    }
    return after;
  };
  const L = settings.limit;
  const usersDeep = await deep((after) => listUsers(db, {}, after, L, now));
  const sessionsDeep = await deep((after) => listSessions(db, {}, after, L, now));
  const devicesDeep = await deep((after) => listDevices(db, {}, after, L, now));
  const pages: { name: string; call: (q: Database) => Promise<{ rows: unknown[] }> }[] = [
    { name: 'people, first page', call: (q) => listUsers(q, {}, undefined, L, now) },
    { name: 'people, page 101', call: (q) => listUsers(q, {}, usersDeep, L, now) },
    { name: 'people, search "nguyen"', call: (q) => listUsers(q, { search: 'nguyen' }, undefined, L, now) },
    { name: 'people, search "person123@"', call: (q) => listUsers(q, { search: 'person123@' }, undefined, L, now) },
    { name: 'people, role admin', call: (q) => listUsers(q, { role: 'admin' }, undefined, L, now) },
    { name: 'sessions, first page', call: (q) => listSessions(q, {}, undefined, L, now) },
    { name: 'sessions, page 101', call: (q) => listSessions(q, {}, sessionsDeep, L, now) },
    { name: 'sessions, active', call: (q) => listSessions(q, { state: 'active' }, undefined, L, now) },
    { name: 'sessions, one person', call: (q) => listSessions(q, { userId }, undefined, L, now) },
    { name: 'sessions, kiosk-app, locked', call: (q) => listSessions(q, { clientId: 'kiosk-app', state: 'locked' }, undefined, L, now) },
    { name: 'devices, first page', call: (q) => listDevices(q, {}, undefined, L, now) },
    { name: 'devices, page 101', call: (q) => listDevices(q, {}, devicesDeep, L, now) },
    { name: 'devices, corporate noncompliant', call: (q) => listDevices(q, { ownership: 'corporate', compliance: 'noncompliant' }, undefined, L, now) },
    { name: 'devices, quiet for a day', call: (q) => listDevices(q, { seenBefore: new Date(now.getTime() - 86_400_000) }, undefined, L, now) },
  ];
  const result: AdminListResult = { database, pages: [] };
  for (const page of pages) {
    for (let i = 0; i < 5; i++) await page.call(db);
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < settings.samples; i++) {
      const started = process.hrtime.bigint();
      rows = (await page.call(db)).rows.length;
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    result.pages.push({ name: page.name, rows, p50: at(0.5), p95: at(0.95), max: times.at(-1)!, scan: await scanOf(db, page.call) });
  }
  return result;
}

export async function measureAdminLists(settings: AdminListSettings = ADMIN_LISTS, progress: (line: string) => void = () => undefined): Promise<AdminListResult> {
  const bench = await createBenchDatabase();
  try {
    const db = await openDatabase({ url: bench.url, pgliteDir: path.join(bench.dataDir, 'pglite'), poolSize: 2 });
    try {
      await migrate(db);
      progress(`admin lists: seeding ${settings.people} people, ${settings.sessions} sessions, ${settings.devices} devices (${bench.kind})`);
      return await measureOn(bench.kind === 'postgres' ? 'PostgreSQL' : 'PGlite, embedded (not the goal’s database: set BENCH_DATABASE_URL)', db, settings);
    } finally {
      await db.close();
    }
  } finally {
    await bench.drop();
  }
}

export function adminListsReport(result: AdminListResult, settings: AdminListSettings = ADMIN_LISTS): string {
  const header = ['page', 'rows', 'p50 ms', 'p95 ms', 'max ms', 'scan'];
  const rows = result.pages.map((p) => [p.name, String(p.rows), p.p50.toFixed(2), p.p95.toFixed(2), p.max.toFixed(2), p.scan]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const worst = Math.max(...result.pages.map((p) => p.p95));
  return [
    `Admin lists (GET /admin/v1/users, /sessions, /devices; limit ${settings.limit}): server time per page over ${settings.people} people, ${settings.sessions} sessions, ${settings.devices} devices, ${settings.samples} calls per page — ${result.database}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `worst p95 ${worst.toFixed(2)} ms (goal: under 50 ms on PostgreSQL): ${worst < 50 ? 'met' : 'NOT met'}`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await measureAdminLists(ADMIN_LISTS, (line) => console.error(line));
  console.log(adminListsReport(result));
}
