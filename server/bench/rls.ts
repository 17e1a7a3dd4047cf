/**
 * What row-level security costs the jobs list: a dispatcher's `store.listJobs` (the API's own
 * scope predicate on, limit 50), first page and a filtered page, over 20 000 jobs in four
 * territories, three ways in the same run:
 *
 *   rls    as the runtime role `palisade_app` with the dispatcher's claims: the policies apply
 *   owner  the same SQL with the same claims as the table owner, which row-level security does not
 *          apply to (the tables are not FORCE'd): the only difference is the policy
 *   bare   the owner without the API's predicate, with an explicit `territory = …` instead: the
 *          query a hand-written endpoint without any scope functions would run, for context
 *
 * Every variant runs in a transaction of the same shape — BEGIN, SET LOCAL ROLE, the claims,
 * the query, COMMIT — so the statements are identical and only the role differs. Before
 * measuring, the three are checked to return the same rows. Variants alternate in rounds, so
 * drift in machine load falls on each alike.
 *
 * A fourth variant, `policy only` (runtime role, no API predicate), and the planner's scan for each
 * variant show where the difference comes from. The policy's rules inline into comparisons of
 * columns with values computed from the claims (`territory = palisade_scope_territory()` and so
 * on), which the planner estimates from the column's statistics; the API's predicate is the same
 * rules through a wrapper the planner does not inline (`fs_job_in_scope`), so with row-level
 * security on they are not counted twice. The scoped variants should read `fs_jobs_order` in order and
 * stop after its page; the estimate in the scan line says how close the planner came. History:
 * when the rules were a CASE over the claims and the API inlined them a second time, the planner
 * guessed 0.5% per copy, multiplied the two to one row, scanned and sorted the whole table, and
 * `rls` ran at 0.05× `owner` (docs/decisions/0011).
 *
 * `owner` runs the API's wrapper for every row its scan reads, where `rls` runs it only on the
 * rows the policy lets through; `bare` reads `fs_jobs_territory`, which the scoped queries cannot
 * (their territory condition is one arm of an OR), so it stays ahead on the filtered page.
 *
 * Embedded PGlite always; PostgreSQL too when BENCH_DATABASE_URL or DATABASE_URL names a server
 * (a throwaway database, dropped afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, openDatabase, RUNTIME_ROLE, type Database, type Queryable } from '../src/db/index.ts';
import { setClaims, type RlsClaims } from '../src/db/claims.ts';
import { listJobs, type JobFilter, type JobRow } from '../src/domains/fieldservice/store.ts';
import { createBenchDatabase } from './database.ts';
import { rate } from './rate.ts';

export interface RlsSettings {
  jobs: number;
  /** Measuring time per variant and page, spread over alternating rounds. */
  msPerVariant: number;
  rounds: number;
}

export interface RlsResult {
  database: string;
  pages: { name: string; rows: number; perSecond: Record<Variant, number>; scans: Record<Variant, string> }[];
}

const TERRITORIES = [
  ['north', 'east'],
  ['south', 'east'],
  ['west', 'west'],
  ['central', 'west'],
] as const;

/** A dispatcher of the north territory, no region or department: sees the north's jobs. */
const DISPATCHER: RlsClaims = {
  userId: '00000000-0000-4000-8000-00000000d15b',
  roles: ['dispatcher'],
  territory: 'north',
  region: null,
  department: null,
  projects: [],
  contractor: false,
  deviceOwnership: null,
};

const PAGES: { name: string; filter: JobFilter }[] = [
  { name: 'first page', filter: { limit: 50 } },
  { name: 'filtered page (status + department)', filter: { status: 'new', department: 'plumbing', limit: 50 } },
];

export async function seed(db: Database, jobs: number): Promise<void> {
  await db.asOwner(async (o) => {
    await o.query(
      'INSERT INTO fs_territories (code, name, region) SELECT code, initcap(code), region FROM unnest($1::text[], $2::text[]) AS t(code, region)',
      [TERRITORIES.map(([code]) => code), TERRITORIES.map(([, region]) => region)],
    );
    await o.query("INSERT INTO fs_customers (id, name) VALUES ('00000000-0000-4000-8000-00000000c001', 'Bench Customer')");
    await o.query("INSERT INTO fs_sites (customer_id, name, address, territory, region) SELECT '00000000-0000-4000-8000-00000000c001', 'Site ' || code, 'Address', code, '' FROM fs_territories");
    // Territories, departments and statuses spread evenly; a job every 7 minutes backwards.
    await o.query(
      `INSERT INTO fs_jobs (title, department, territory, region, site_id, priority, status, created_at)
       SELECT 'Job ' || i, (ARRAY['hvac', 'electrical', 'plumbing'])[1 + i % 3], t.code, '', s.id,
         (ARRAY['low', 'normal', 'high', 'urgent'])[1 + i % 4], (ARRAY['new', 'assigned', 'completed', 'cancelled'])[1 + (i / 4) % 4],
         timestamptz '2026-01-01T00:00:00Z' - i * interval '7 minutes'
       FROM generate_series(1, $1::int) i
       JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM fs_territories) t ON t.k = i % 4
       JOIN fs_sites s ON s.territory = t.code`,
      [jobs],
    );
    await o.exec('ANALYZE');
  });
}

const VARIANTS = ['rls', 'owner', 'bare', 'policyOnly'] as const;
type Variant = (typeof VARIANTS)[number];

/**
 * One list call in a transaction of the same shape whatever the variant; only the role and the
 * predicate differ. `explain` runs the variant's statement under EXPLAIN instead and returns the
 * plan's scan, to show why one variant is slower than another.
 */
function variant(db: Database, owner: string, kind: Variant, filter: JobFilter, explain = false): () => Promise<JobRow[]> {
  const role = kind === 'rls' || kind === 'policyOnly' ? RUNTIME_ROLE : owner;
  return () =>
    db.asOwner(async (given: Queryable) => {
      await given.query(`SET LOCAL ROLE "${role}"`);
      await setClaims(given, DISPATCHER);
      const tx: Queryable = explain ? { query: (sql, params) => given.query(`EXPLAIN (FORMAT JSON) ${sql}`, params) } : given;
      if (kind === 'bare') return listJobs(tx, { apiChecks: false }, { ...filter, territory: DISPATCHER.territory! });
      return listJobs(tx, { apiChecks: kind !== 'policyOnly' }, filter);
    });
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

/** The scan at the bottom of the plan and the rows the planner expected from it. */
async function scanOf(call: () => Promise<unknown[]>): Promise<string> {
  const [row] = (await call()) as { 'QUERY PLAN': unknown }[];
  const raw = row!['QUERY PLAN'];
  let node = (typeof raw === 'string' ? JSON.parse(raw) : raw)[0].Plan as PlanNode;
  while (node.Plans?.length) node = node.Plans[0]!;
  return `${node['Node Type']}${node['Index Name'] ? ` ${node['Index Name']}` : ''} (est. ${node['Plan Rows']} rows)`;
}

async function measureOn(kind: string, db: Database, settings: RlsSettings): Promise<RlsResult> {
  await migrate(db);
  await seed(db, settings.jobs);
  const version = (await db.asOwner((o) => o.query<{ v: string }>("SELECT current_setting('server_version') AS v"))).rows[0]!.v;
  const name = `${kind} ${version}`;
  const owner = (await db.asOwner((o) => o.query<{ name: string }>('SELECT current_user AS name'))).rows[0]!.name;
  if (!/^[a-z_][a-z0-9_]*$/.test(owner)) throw new Error(`unexpected owner role name ${owner}`);
  const pages: RlsResult['pages'] = [];
  for (const page of PAGES) {
    const calls = Object.fromEntries(VARIANTS.map((v) => [v, variant(db, owner, v, page.filter)])) as Record<Variant, () => Promise<JobRow[]>>;
    // The comparison means something only if all variants return the same page.
    const ids = await Promise.all(VARIANTS.map(async (v) => (await calls[v]()).map((r) => r.id).join()));
    if (ids[0] === '' || ids.some((x) => x !== ids[0])) throw new Error(`${name}, ${page.name}: the variants return different rows`);
    const rows = ids[0]!.split(',').length;
    const scans = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v, await scanOf(variant(db, owner, v, page.filter, true))]))) as Record<Variant, string>;
    for (const v of VARIANTS) await rate(100, calls[v]); // warm-up: plans, caches
    const totals = Object.fromEntries(VARIANTS.map((v) => [v, 0])) as Record<Variant, number>;
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const v of VARIANTS) totals[v] += await rate(settings.msPerVariant / settings.rounds, calls[v]);
    }
    const perSecond = Object.fromEntries(VARIANTS.map((v) => [v, totals[v] / settings.rounds])) as Record<Variant, number>;
    pages.push({ name: page.name, rows, perSecond, scans });
  }
  return { database: name, pages };
}

/** Measures on PGlite, and on PostgreSQL when the bench's database variables name one. */
export async function measureRls(settings: RlsSettings, progress: (line: string) => void = () => undefined): Promise<RlsResult[]> {
  const results: RlsResult[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-bench-rls-'));
  try {
    progress('row-level security: seeding PGlite');
    const lite = await openDatabase({ pgliteDir: path.join(dir, 'pglite') });
    try {
      results.push(await measureOn('PGlite, embedded PostgreSQL', lite, settings));
    } finally {
      await lite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bench = await createBenchDatabase();
  try {
    if (bench.url) {
      progress('row-level security: seeding PostgreSQL');
      const pg = await openDatabase({ url: bench.url, pgliteDir: path.join(bench.dataDir, 'unused'), poolSize: 2 });
      try {
        results.push(await measureOn('PostgreSQL', pg, settings));
      } finally {
        await pg.close();
      }
    }
  } finally {
    await bench.drop();
  }
  return results;
}

export function rlsReport(results: RlsResult[], settings: RlsSettings): string {
  const header = ['', 'rows', 'rls/s', 'owner/s', 'bare/s', 'policy only/s', 'rls ÷ owner', 'owner ÷ bare', 'policy only ÷ owner'];
  const lines: string[] = [
    `Row-level security: a dispatcher's jobs list (store.listJobs, limit 50) over ${settings.jobs} jobs in 4 territories, queries per second:`,
    '  rls          runtime role: the policies and the API scope predicate (production)',
    '  owner        the same SQL and claims as the table owner: the API predicate without the policies',
    '  bare         owner, no scope function: territory = … instead',
    '  policy only  runtime role without the API predicate: the policies alone',
    'rls ÷ owner below 1 is what row-level security costs; the scan line is the planner\'s choice and its row estimate.',
  ];
  for (const result of results) {
    const rows = result.pages.map((p) => [
      p.name,
      String(p.rows),
      p.perSecond.rls.toFixed(0),
      p.perSecond.owner.toFixed(0),
      p.perSecond.bare.toFixed(0),
      p.perSecond.policyOnly.toFixed(0),
      `${(p.perSecond.rls / p.perSecond.owner).toFixed(3)}×`,
      `${(p.perSecond.owner / p.perSecond.bare).toFixed(3)}×`,
      `${(p.perSecond.policyOnly / p.perSecond.owner).toFixed(3)}×`,
    ]);
    const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    lines.push('', result.database, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line));
    for (const p of result.pages) lines.push(`  scans, ${p.name}: ${VARIANTS.map((v) => `${v} ${p.scans[v]}`).join('; ')}`);
  }
  return lines.join('\n');
}

// `node server/bench/rls.ts` runs this part alone.
if (import.meta.main) {
  const settings: RlsSettings = { jobs: 20_000, msPerVariant: 1500, rounds: 3 };
  const results = await measureRls(settings, (line) => console.error(`bench: ${line}`));
  console.log(rlsReport(results, settings));
}
