/**
 * `npm run bench`: what Palisade costs, against the performance goals (docs/performance.md), as
 * ratios to a bare baseline measured in the same run on the same machine and database and as CPU
 * per request of server and database (absolute rates say more about the machine than about
 * Palisade). Every figure is printed with its goal and whether it was met.
 *
 *   headline      signed DPoP GET /api/v1/me and the technician's audited GET /api/v1/jobs/:id
 *                 through the whole pipeline against bare Fastify running the same queries over
 *                 the same TLS; the load generator in its own process, pinned to its own core
 *                 (headline.ts, loadgen.ts, processes.ts); the p99 at 70 % of the maximum;
 *                 refresh-token grants and sign-ins per core of server plus database
 *   audit         appends at 5 000/s with the sealer running (backlog at start and end), then the
 *                 write cost, append load, sealing and verification sections (audit.ts)
 *   pipeline      each stage of the request pipeline added one at a time to bare Fastify, in
 *                 process, with ratios to bare Fastify (pipeline.ts)
 *   row-level     a dispatcher's jobs list as the runtime role (policies on) against the same
 *   security      SQL as the table owner (policies off) (rls.ts)
 *   sdk           the client SDK's CPU per call in Node (DPoP proof, request signature,
 *                 Content-Digest; fetch stubbed) against < 0.5 ms on one core, and the refreshes
 *                 100 concurrent calls during expiry cause (exactly 1) (sdk.ts); alone
 *                 (`--only sdk`) it starts no database or server
 *   admin         the console's lists (GET /admin/v1/users, /sessions, /devices): server time
 *                 per page over 10 000 people, 100 000 sessions and 30 000 devices, against
 *                 < 50 ms a page on PostgreSQL (admin-lists.ts); and the console's first load,
 *                 gzipped JavaScript < 300 KB (console-load.ts)
 *   scale         three instances behind HAProxy on PostgreSQL and Redis with 200 devices: rolling
 *                 restart, remote logout, replays across instances, kill -9 (scale.ts runs
 *                 e2e/scale-haproxy.test.ts with more devices); only by name (`--only scale`),
 *                 and alone: it starts its own database, instances and HAProxy
 *   memory        (by name only: `--only memory`) one instance's RSS and heap after a full GC
 *                 with 10 000 active sessions, Palisade in its own process (memory.ts)
 *
 * Options (after `npm run bench --`):
 *   --json        print one JSON line per goal figure instead of the report:
 *                 {"goal":"a","figure":…,"value":…,"target":…,"unit":…,"met":…}
 *   --only S      run only these sections (headline, audit, pipeline, rls, sdk, admin, scale, memory; repeat or comma-separate)
 *   --full        the issue's protocol: 60 s windows, 3 repeats, a 10-minute sustained run of
 *                 the job read and 10 minutes of audit appends (about 40 minutes)
 * Environment: BENCH_WINDOW_SECONDS, BENCH_REPEATS, BENCH_SUSTAINED_SECONDS,
 * BENCH_AUDIT_SECONDS override the mode's values; BENCH_MEMORY_SESSIONS (10 000) the memory
 * section's sessions and BENCH_MEMORY_SNAPSHOT a heap snapshot file it writes at the end; BENCH_GROWN=1 (implied by --full) measures
 * /api/v1/me, the job read and the job list again after the tables grew by BENCH_GROWN_SESSIONS
 * sessions and devices (1 000 000) and BENCH_GROWN_AUDIT audit records (10 000 000), on
 * PostgreSQL only.
 *
 * PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set (a throwaway database is created
 * and dropped), embedded PGlite otherwise (the goals are stated for PostgreSQL). Everything
 * listens on loopback only.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, type Database, type Queryable } from '../src/db/index.ts';
import { openConfiguredDatabase } from '../src/main.ts';
import { masterKeyFromBase64url } from '../src/security/primitives.ts';
import { measureAppKeys } from './app-keys.ts';
import { measureSessionMemory } from './session-memory.ts';
import { auditReport, measureAudit, measureSustainedAppends, type AuditBenchSettings, type SustainedResult } from './audit.ts';
import { createBenchDatabase, type BenchDatabase } from './database.ts';
import { startBenchPalisade, CLIENT_ID, type BenchPalisade } from './palisade.ts';
import { startBaseline, type Baseline } from './baseline.ts';
import { figures, measureHeadline, type Figures, type HeadlineResult, type HeadlineSettings, type Window } from './headline.ts';
import { LoadGenerator } from './processes.ts';
import { measurePipeline, pipelineReport, type PipelineSettings } from './pipeline.ts';
import { measureRls, rlsReport, type RlsSettings } from './rls.ts';
import { goalLines, goalTable, type Goal } from './goals.ts';
import { measureSdk, sdkReport, type SdkResult, type SdkSettings } from './sdk.ts';
import { ADMIN_LISTS, adminListsReport, measureAdminLists, type AdminListResult } from './admin-lists.ts';
import { measureMemory, memoryReport, serverNodeFlags, type MemoryResult } from './memory.ts';
import { consoleLoadReport, measureConsoleLoad, type ConsoleLoad } from './console-load.ts';
import { measureScale, scaleReport, type ScaleSettings } from './scale.ts';

/** The issue's longer run: 200 devices, 30 s of work after the kill. */
const SCALE: ScaleSettings = { devices: 200, killWindowMs: 30_000 };

const SECTIONS = ['headline', 'audit', 'pipeline', 'rls', 'sdk', 'admin', 'scale', 'memory'] as const;
const { values: flags } = parseArgs({
  options: { json: { type: 'boolean', default: false }, full: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } },
  strict: true,
});
// `scale` (three instances behind HAProxy, 200 devices) and `memory` (10 000 devices signed in,
// tens of minutes on a busy machine) run only when asked for by name.
const only = new Set(flags.only?.flatMap((s) => s.split(',')) ?? SECTIONS.filter((s) => s !== 'scale' && s !== 'memory'));
for (const section of only) if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`--only takes ${SECTIONS.join(', ')}`);
const envNumber = (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
};

const HEADLINE: HeadlineSettings = {
  windowSeconds: envNumber('BENCH_WINDOW_SECONDS', flags.full ? 60 : 10),
  warmupSeconds: flags.full ? 5 : 2,
  repeats: envNumber('BENCH_REPEATS', flags.full ? 3 : 1),
  connections: 8,
  refreshChains: 8,
  signIns: 20,
  sustainedSeconds: envNumber('BENCH_SUSTAINED_SECONDS', flags.full ? 600 : 0),
  grown: flags.full || process.env.BENCH_GROWN === '1',
};
/** Goal (e), flat cost: the rows the tables grow by before the targets are measured again (PostgreSQL only). */
const GROWTH = { sessions: envNumber('BENCH_GROWN_SESSIONS', 1_000_000), auditEvents: envNumber('BENCH_GROWN_AUDIT', 10_000_000) };
/** Goal (c): the rate asked for, the window, and in-transaction writers alongside. */
const SUSTAINED_AUDIT = { rate: 5000, seconds: envNumber('BENCH_AUDIT_SECONDS', flags.full ? 600 : 10), recordWriters: 0 };
const AUDIT_16_WRITERS = { rate: 0, seconds: Math.min(SUSTAINED_AUDIT.seconds, flags.full ? 60 : 10), recordWriters: 16 };
/** About 25 s on an idle machine: 8 s of write-cost rounds, 4 s of appends, a 30 000-record backlog sealed, the chain verified. */
const AUDIT: AuditBenchSettings = { concurrency: 8, writeMsPerVariant: 2000, rounds: 5, appendMs: 4000, sealEvents: 30_000 };
/** Per stage of the pipeline: 2 s in 4 alternating rounds. */
const PIPELINE: PipelineSettings = { msPerStage: 2000, rounds: 4 };
/** 20 000 jobs; 1.5 s per variant and page in 3 rounds: about 35 s on PGlite and 15 s more on PostgreSQL. */
const RLS: RlsSettings = { jobs: 20_000, msPerVariant: 1500, rounds: 3 };

/**
 * Every window with its warm-up and pre-signing, the growth of the tables, and the fixed sections
 * (about 10 minutes on a busy two-core machine); beyond twice that something hangs.
 */
const windowsTotal = HEADLINE.repeats * (HEADLINE.grown ? 10 : 4) + 3 + Math.ceil(HEADLINE.sustainedSeconds / Math.max(1, HEADLINE.windowSeconds));
const growthSeconds = HEADLINE.grown ? (GROWTH.auditEvents + 2 * GROWTH.sessions) / 10_000 : 0;
/** Sign-ins cost tens of ms of CPU each on a busy machine: a second per session is twice the worst seen. */
const memorySeconds = only.has('memory') ? envNumber('BENCH_MEMORY_SESSIONS', 10_000) : 0;
const DEADLINE_MS =
  2 * (windowsTotal * (HEADLINE.windowSeconds + HEADLINE.warmupSeconds + 10) + growthSeconds + SUSTAINED_AUDIT.seconds + AUDIT_16_WRITERS.seconds + memorySeconds + 600) * 1000;

/** Progress goes to stderr so stdout holds only the report. */
function progress(line: string): void {
  console.error(`bench: ${line}`);
}

/** Runs clean-ups now, newest first, until `keep` are left for the end. */
async function cleanUp(cleanups: (() => Promise<unknown>)[], keep: number): Promise<void> {
  while (cleanups.length > keep) {
    await cleanups.shift()!().catch((error: unknown) => console.error(`clean-up failed: ${(error as Error).message}`));
  }
}

function headlineTable(h: HeadlineResult): string {
  const rows: [string, Figures, Figures | undefined][] = [
    ['bare Fastify: user query', figures(h.bareMe.windows), undefined],
    ['GET /api/v1/me (DPoP, signed)', figures(h.me.windows), figures(h.bareMe.windows)],
    ['bare Fastify: job query', figures(h.bareJob.windows), undefined],
    ['GET /api/v1/jobs/:id (+ RLS tx, audit)', figures(h.job.windows), figures(h.bareJob.windows)],
    [`GET /api/v1/me open loop at ${h.meAt70.rate}/s`, figures([h.meAt70]), undefined],
    ['refresh_token grant (DPoP, rotating)', figures([h.refresh]), undefined],
    ['sign-in (authorize + IdP + token)', figures([h.signIn]), undefined],
  ];
  const header = ['', '/s', 'p50 ms', 'p99 ms', 'vs bare /s', 'server µs', 'vs bare µs', 'db µs', 'per core', 'client µs'];
  const body = rows.map(([name, f, bare]) => [
    name,
    f.perSecond.toFixed(f.perSecond < 100 ? 1 : 0),
    f.p50Ms.toFixed(1),
    f.p99Ms.toFixed(1),
    bare ? `${(f.perSecond / bare.perSecond).toFixed(3)}×` : '',
    f.serverUs.toFixed(0),
    bare ? `${(bare.serverUs / f.serverUs).toFixed(3)}×` : '',
    f.databaseUs === undefined ? 'n/a' : f.databaseUs.toFixed(0),
    f.perCore.toFixed(f.perCore < 100 ? 1 : 0),
    f.loadgenUs.toFixed(0),
  ]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** CPU per request of the server and database over consecutive windows. */
function cpuPerRequest(windows: Window[]): number[] {
  return windows.map((w) => ((w.cpu.serverMs + (w.cpu.databaseMs ?? 0)) * 1000) / w.load.count);
}

function auditGoals(audit: SustainedResult, writers: SustainedResult): Goal[] {
  const appendsPerSecond = (audit.emitted + audit.recorded) / audit.seconds;
  // Bounded: the backlog ends within two sealing rounds of where it started.
  const bounded = (r: SustainedResult) => r.endPending <= r.startPending + 2 * r.roundSize;
  return [
    {
      goal: 'c',
      figure: 'appends-sealed',
      label: `audit appends with the sealer keeping up (${audit.seconds.toFixed(0)} s; backlog ${audit.startPending} → max ${audit.maxPending} → ${audit.endPending}; sealed ${(audit.sealed / audit.seconds).toFixed(0)}/s)`,
      value: appendsPerSecond,
      target: 5000,
      unit: 'appends/s',
      met: appendsPerSecond >= 5000 * 0.98 && bounded(audit),
    },
    {
      goal: 'c',
      figure: 'records-16-writers',
      label: `16 writers recording in transactions, the sealer keeping up (backlog ${writers.startPending} → max ${writers.maxPending} → ${writers.endPending}; sealed ${(writers.sealed / writers.seconds).toFixed(0)}/s)`,
      value: writers.recorded / writers.seconds,
      target: null,
      unit: 'records/s',
      met: bounded(writers),
    },
  ];
}

/**
 * Goal (a) as a ratio of the server's CPU per request, bare ÷ Palisade: what the throughput ratio
 * is when the server's core is the bottleneck, and unlike it not skewed by whatever else the
 * machine runs meanwhile. The throughput ratio is shown beside it.
 */
function ratioGoal(figure: string, label: string, palisade: Figures, bare: Figures, target: number): Goal {
  const value = bare.serverUs / palisade.serverUs;
  return { goal: 'a', figure, label: `${label}, server CPU per request (throughput ${(palisade.perSecond / bare.perSecond).toFixed(3)}×)`, value, target, unit: '×', met: value >= target };
}

function headlineGoals(h: HeadlineResult, dbMeasured: boolean): Goal[] {
  const me = figures(h.me.windows);
  const job = figures(h.job.windows);
  const bareMe = figures(h.bareMe.windows);
  const bareJob = figures(h.bareJob.windows);
  const refresh = figures([h.refresh]);
  const signIn = figures([h.signIn]);
  const perCoreUnit = dbMeasured ? 'per core (server + PostgreSQL CPU)' : 'per core (server CPU; database not measurable)';
  const list: Goal[] = [
    ratioGoal('me-vs-bare', 'signed DPoP GET /api/v1/me vs bare Fastify (same run)', me, bareMe, 0.4),
    ratioGoal('job-vs-bare', 'audited GET /api/v1/jobs/:id vs bare Fastify (same run)', job, bareJob, 0.2),
    { goal: 'b', figure: 'refresh-per-core', label: 'refresh-token grants (DPoP-bound, rotating)', value: refresh.perCore, target: 360, unit: `grants/s ${perCoreUnit}`, met: refresh.perCore >= 360 },
    { goal: 'd', figure: 'me-p99-at-70', label: `p99 of GET /api/v1/me at 70 % of its maximum (${h.meAt70.rate}/s, open loop)`, value: h.meAt70.load.p99Ms, target: 20, op: '<', unit: 'ms', met: h.meAt70.load.p99Ms < 20 },
  ];
  if (h.sustained.length >= 2) {
    const series = cpuPerRequest(h.sustained);
    const first = series[0]!;
    const last = series.at(-1)!;
    list.push({
      goal: 'e',
      figure: 'cpu-per-request-over-time',
      label: `job reads sustained ${h.sustained.reduce((a, w) => a + w.load.seconds, 0).toFixed(0)} s: CPU µs/request by window ${series.map((v) => v.toFixed(0)).join(' → ')}`,
      value: last / first,
      target: 1.1,
      op: '≤',
      unit: '× first window',
      met: last / first <= 1.1,
    });
  }
  if (h.grown) {
    const perRequest = (t: { windows: Window[] }) => cpuPerRequest(t.windows).reduce((a, b) => a + b, 0) / t.windows.length;
    for (const [figure, label, empty, grown] of [
      ['flat-data-me', 'GET /api/v1/me', h.me, h.grown.grownMe],
      ['flat-data-job', 'GET /api/v1/jobs/:id', h.job, h.grown.grownJob],
      ['flat-data-list', 'GET /api/v1/jobs', h.grown.list, h.grown.grownList],
    ] as const) {
      const before = perRequest(empty);
      const after = perRequest(grown);
      list.push({
        goal: 'e',
        figure,
        label: `${label} with ${h.grown.description}: CPU µs/request ${after.toFixed(0)} against ${before.toFixed(0)} near-empty`,
        value: after / before,
        target: 1.1,
        op: '≤',
        unit: '× near-empty',
        met: after / before <= 1.1,
      });
    }
  }
  list.push({ goal: 'sign-in', figure: 'sign-in-per-core', label: `sign-ins (authorize + company IdP + code exchange) beside Keycloak 26's 15 password logins/s per vCPU`, value: signIn.perCore, target: 15, unit: `sign-ins/s ${perCoreUnit}`, met: signIn.perCore >= 15 });
  return list;
}

/** The action that marks the grown audit history (so it can be told apart and removed again). */
const GROWN_ACTION = 'bench.history';

/**
 * Goal (e), flat cost: grows the bench database, as the table owner, by GROWTH.sessions sessions
 * with a device each (100 per person) and GROWTH.auditEvents audit records spread over 90 days
 * among those people — all made by generate_series inside PostgreSQL. The audit history goes
 * straight past the sealer's queue (it stands for history sealed long ago; sealing ten million
 * records would take hours here) and is removed again after the measurement, so the chain
 * verified at the end is whole.
 */
function grower(owner: pg.Pool): { grow(): Promise<string>; shrink(): Promise<void> } {
  const people = Math.max(1, Math.ceil(GROWTH.sessions / 100));
  const inTransaction = async (statements: [string, unknown[]][]) => {
    const client = await owner.connect();
    try {
      await client.query('BEGIN');
      for (const [sql, params] of statements) await client.query(sql, params);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    async grow() {
      const started = performance.now();
      await owner.query(`INSERT INTO users (issuer, subject, name) SELECT 'https://grown.bench.invalid', 'grown-' || g, 'Grown ' || g FROM generate_series(1, $1::int) g`, [people]);
      await owner.query(
        `INSERT INTO devices (user_id, client_id, jkt, platform, model, os_version, app_version, first_seen_at, last_seen_at)
         SELECT u.id, 'field-app', md5(u.id::text || d), 'ios', 'iPhone15,3', '18.1', '2.4.0', now() - interval '30 days', now() - (d || ' minutes')::interval
           FROM users u CROSS JOIN generate_series(1, 100) d
          WHERE u.issuer = 'https://grown.bench.invalid' LIMIT $1`,
        [GROWTH.sessions],
      );
      await owner.query(
        `INSERT INTO sessions (id, user_id, client_id, auth_time, expires_at, device_id)
         SELECT 'grown-' || d.id, d.user_id, 'field-app', d.last_seen_at, d.last_seen_at + interval '30 days', d.id
           FROM devices d JOIN users u ON u.id = d.user_id WHERE u.issuer = 'https://grown.bench.invalid'`,
      );
      await inTransaction([
        [
          `INSERT INTO audit_events (at, action, outcome, actor, resource_type, resource_id, request_id, detail)
           SELECT now() - (g % 7776000 || ' seconds')::interval, $2, 'success',
                  jsonb_build_object('userId', md5((g % $3)::text), 'appId', 'field-app', 'ip', '10.42.17.203'),
                  'job', md5(g::text), md5((g * 7)::text), '{"route":"/api/v1/jobs/:id","status":200}'
             FROM generate_series(1, $1::int) g`,
          [GROWTH.auditEvents, GROWN_ACTION, people],
        ],
        ['DELETE FROM audit_pending p USING audit_events e WHERE e.id = p.event_id AND e.action = $1', [GROWN_ACTION]],
      ]);
      // What autovacuum does after such growth. The sealer's queries do not depend on it
      // (PENDING_BATCH); the domain's estimates may.
      await owner.query('ANALYZE');
      return `${GROWTH.sessions} sessions and devices of ${people} people, ${GROWTH.auditEvents} audit records (${((performance.now() - started) / 1000).toFixed(0)} s to make)`;
    },
    async shrink() {
      // The history stood outside the chain: removed as the owner, past the write-once trigger.
      await inTransaction([
        ['ALTER TABLE audit_events DISABLE TRIGGER audit_events_write_once', []],
        ['DELETE FROM audit_events WHERE action = $1', [GROWN_ACTION]],
        ['ALTER TABLE audit_events ENABLE TRIGGER audit_events_write_once', []],
      ]);
    },
  };
}

/** Goal (e), memory: sessions signed in and active, each making a few signed calls. */
const MEMORY = { sessions: envNumber('BENCH_MEMORY_SESSIONS', 10_000), callsPerSession: 3, snapshot: process.env.BENCH_MEMORY_SNAPSHOT || undefined };
const RSS_GOAL_MB = 250;

function memoryGoal(m: MemoryResult): Goal {
  const rss = m.loaded.rssBytes / 1e6;
  const perSession = (m.loaded.rssBytes - m.floor.rssBytes) / Math.max(1, m.sessions - 1);
  return {
    goal: 'e',
    figure: 'e-rss',
    label: `RSS of one instance with ${m.sessions} active sessions after a full GC (floor ${(m.floor.rssBytes / 1e6).toFixed(0)} MB, ${(perSession / 1024).toFixed(1)} KB per session; heap ${(m.loaded.heapUsedBytes / 1e6).toFixed(0)} MB)`,
    value: rss,
    target: RSS_GOAL_MB,
    op: '<',
    unit: 'MB',
    // Met only when the sessions asked for were all made and every call succeeded.
    met: rss < RSS_GOAL_MB && m.sessions >= 10_000 && m.failures === 0,
  };
}

/** The client SDK: calls measured one after another, and the concurrent calls during expiry. */
const SDK: SdkSettings = { calls: flags.full ? 20_000 : 2000, warmup: 200, concurrent: 100 };

/** The SDK's goals: under 0.5 ms of CPU per call on one core; 100 concurrent calls during expiry, one refresh. */
/** The console's lists: the slowest page's p95 server time against 50 ms (PostgreSQL is the goal's database). */
function adminListGoal(result: AdminListResult): Goal {
  const worst = Math.max(...result.pages.map((p) => p.p95));
  return { goal: 'console', figure: 'admin-list-page-p95', label: `slowest admin list page, p95 server time (${result.database})`, value: worst, target: 50, op: '<', unit: 'ms', met: worst < 50 };
}

/** The console's first load: the gzipped JavaScript /console/ names, against 300 KB. */
function consoleLoadGoal(load: ConsoleLoad): Goal {
  const kb = Math.round((load.scriptGzipped / 1024) * 10) / 10;
  return { goal: 'console', figure: 'console-first-load-js', label: 'admin console first load, gzipped JavaScript (console/dist)', value: kb, target: 300, op: '<', unit: 'KB', met: kb < 300 };
}

function sdkGoals(sdk: SdkResult): Goal[] {
  return [
    { goal: 'sdk', figure: 'sdk-call-cpu', label: 'SDK cost per call in Node: DPoP proof, RFC 9421 signature, Content-Digest (fetch stubbed), CPU on one core', value: sdk.cpuMsPerCall, target: 0.5, op: '<', unit: 'ms', met: sdk.cpuMsPerCall < 0.5 },
    { goal: 'sdk', figure: 'sdk-single-flight', label: `refreshes caused by ${sdk.concurrent} concurrent calls during expiry (exactly 1)`, value: sdk.refreshes, target: null, unit: 'refresh', met: sdk.refreshes === 1 },
  ];
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    if (only.has('scale')) {
      if (only.size > 1) throw new Error('--only scale runs alone: it starts its own database, instances and HAProxy');
      const scale = await measureScale(SCALE, progress);
      if (flags.json) console.log(JSON.stringify({ goal: 'scale', figure: 'scale-out-checks', value: scale.ok ? 1 : 0, target: 1, unit: 'pass', met: scale.ok }));
      else console.log(`\n${scaleReport(scale, SCALE)}`);
      if (!scale.ok) process.exitCode = 1;
      return;
    }
    // The SDK first, with no server in this process: its cost is the client's alone.
    if (only.has('sdk')) progress('measuring the client SDK per call (fetch stubbed)');
    const sdk = only.has('sdk') ? await measureSdk(SDK) : undefined;
    if (sdk && only.size === 1) {
      // Nothing else asked for: no database or server is started.
      if (flags.json) for (const line of goalLines(sdkGoals(sdk))) console.log(line);
      else console.log(`\n${goalTable(sdkGoals(sdk))}\n\n${sdkReport(sdk)}`);
      return;
    }
    // Palisade in a process of its own, on a database of its own (dropped before the rest).
    let memory: MemoryResult | undefined;
    if (only.has('memory')) {
      const memoryDb = await createBenchDatabase();
      try {
        progress(`memory: ${MEMORY.sessions} active sessions in one instance (${memoryDb.kind}; server started with Node flags: ${serverNodeFlags().join(' ') || 'none'})`);
        memory = await measureMemory(memoryDb, MEMORY, progress);
      } finally {
        await memoryDb.drop();
      }
      // A run whose calls failed measured something else: it must not pass quietly.
      if (memory.failures > 0) process.exitCode = 1;
      if ([...only].every((s) => s === 'memory' || s === 'sdk')) {
        const goals = [memoryGoal(memory), ...(sdk ? sdkGoals(sdk) : [])];
        if (flags.json) for (const line of goalLines(goals)) console.log(line);
        else console.log(`\n${goalTable(goals)}\n\n${memoryReport(memory)}${sdk ? `\n\n${sdkReport(sdk)}` : ''}`);
        return;
      }
    }
    // First, while nothing else runs in this process: the pipeline in isolation.
    if (only.has('pipeline')) progress('measuring the request pipeline stage by stage');
    const pipeline = only.has('pipeline') ? await measurePipeline(PIPELINE) : undefined;
    const database: BenchDatabase = await createBenchDatabase();
    cleanups.unshift(() => database.drop());
    const palisade: BenchPalisade = await startBenchPalisade(database);
    cleanups.unshift(() => palisade.close());

    const { server } = palisade;
    const serverVersion = (await server.db.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
    progress(`database: ${database.kind}; Palisade at ${server.url}`);

    // PostgreSQL: the baseline gets pools of its own of the same size, as a separate service
    // would (the jobs query as the table owner: a bare app has no row-level security). PGlite is
    // one connection that only one opener may hold, so it shares Palisade's.
    let baselineDb: Database = server.db;
    let jobsDb: Queryable = { query: (sql, params) => server.db.asOwner((o) => o.query(sql, params)) };
    let probe: pg.Client | undefined;
    let ownerPool: pg.Pool | undefined;
    if (database.url) {
      const own = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'unused'), poolSize: server.config.database.poolSize });
      cleanups.unshift(() => own.close());
      baselineDb = own;
      const pool = new pg.Pool({ connectionString: database.url, max: server.config.database.poolSize });
      cleanups.unshift(() => pool.end());
      jobsDb = ownerPool = pool;
      // The CPU counters' own connection (it lists the database's backends).
      probe = new pg.Client({ connectionString: database.url });
      await probe.connect();
      const closeProbe = probe;
      cleanups.unshift(() => closeProbe.end());
    }
    const baseline: Baseline = await startBaseline({ db: baselineDb, jobs: jobsDb, dataDir: database.dataDir });
    cleanups.unshift(() => baseline.close());

    let headline: HeadlineResult | undefined;
    let cores = 'not pinned (no headline section run)';
    if (only.has('headline')) {
      const loadgen = await LoadGenerator.start({ issuer: server.url, ca: palisade.ca, clientId: CLIENT_ID, appKey: palisade.appKey });
      cleanups.unshift(() => loadgen.close());
      progress(loadgen.layout.description);

      headline = await measureHeadline(HEADLINE, {
        loadgen,
        database: probe,
        issuer: server.url,
        bare: baseline,
        progress,
        ...(ownerPool ? grower(ownerPool) : {}),
        async prepare(person) {
          // The technician's user row exists since their first sign-in; the job is one assigned to
          // them, written as the owner as the domain's seed data is.
          return server.db.asOwner(async (o) => {
            const { rows: users } = await o.query<{ id: string }>('SELECT id FROM users WHERE subject = $1', [person]);
            const userId = users[0]!.id;
            await o.query("INSERT INTO fs_territories (code, name, region) VALUES ('south', 'South', 'west') ON CONFLICT DO NOTHING");
            const { rows } = await o.query<{ customer: string; site: string }>('SELECT gen_random_uuid() AS customer, gen_random_uuid() AS site');
            const { customer, site } = rows[0]!;
            await o.query("INSERT INTO fs_customers (id, name) VALUES ($1, 'Harbor Foods')", [customer]);
            await o.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region) VALUES ($1, $2, 'Depot', '12 Mill Road, Southton', 'south', '')", [site, customer]);
            await o.query(`INSERT INTO fs_technicians (user_id, display_name, territory, region, department, skills) VALUES ($1, 'Terry Tech', 'south', '', 'plumbing', '{plumbing}') ON CONFLICT DO NOTHING`, [userId]);
            const { rows: jobs } = await o.query<{ id: string }>(
              `INSERT INTO fs_jobs (title, description, department, territory, region, site_id, priority, status, assigned_to)
               VALUES ('Leak under sink', 'Kitchen, unit 4', 'plumbing', 'south', '', $1, 'high', 'assigned', $2) RETURNING id`,
              [site, userId],
            );
            return { userId, jobId: jobs[0]!.id };
          });
        },
      });
      cores = loadgen.layout.description;
    }

    progress('measuring the app key check');
    progress('measuring the session signing-key cache at 10 000 sessions');
    const keyMemory = await measureSessionMemory({ db: server.db, master: masterKeyFromBase64url(palisade.masterKey), sessions: 10_000 });
    const keyCost = await measureAppKeys({ db: server.db, master: masterKeyFromBase64url(palisade.masterKey), appId: CLIENT_ID, key: palisade.appKey, durationMs: 2000 });

    // The audit bench has the database to itself: the servers stop first (Palisade seals what
    // it recorded on the way out), and it reopens the same database as Palisade would.
    progress('stopping the servers for the audit trail benchmark');
    await cleanUp(cleanups, 1); // all but dropping the database
    const auditDb = await openConfiguredDatabase(server.config);
    cleanups.unshift(() => auditDb.close());
    const masterKey = masterKeyFromBase64url(palisade.masterKey);
    const results: Goal[] = [];
    const perSession = (keyMemory.arrayBufferBytes + keyMemory.heapBytes) / keyMemory.sessions;
    results.push({
      goal: 'e',
      figure: 'signing-key-cache-10k',
      label: `session signing-key cache with ${keyMemory.sessions} sessions: ${(keyMemory.arrayBufferBytes / 1e6).toFixed(2)} MB of buffers + ${(keyMemory.heapBytes / 1e6).toFixed(2)} MB of heap (${perSession.toFixed(0)} B per session; the cache's share of the 250 MB, not an instance's RSS)`,
      value: (keyMemory.arrayBufferBytes + keyMemory.heapBytes) / 1e6,
      target: null,
      unit: 'MB',
      // Not a pool slab per session any more: well under 1 KB each.
      met: perSession < 1024,
    });
    if (headline) results.push(...headlineGoals(headline, headline.me.windows.every((w) => w.cpu.databaseMs !== undefined)));
    let auditSection: { text: string; ok: boolean } | undefined;
    if (only.has('audit')) {
      const sustained = await measureSustainedAppends({ db: auditDb, masterKey, settings: SUSTAINED_AUDIT, progress });
      const writers = await measureSustainedAppends({ db: auditDb, masterKey, settings: AUDIT_16_WRITERS, progress });
      results.push(...auditGoals(sustained, writers));
      auditSection = auditReport(await measureAudit({ db: auditDb, masterKey, settings: AUDIT, progress }), AUDIT);
      // A benchmark that broke the chain (or made the trail log errors) must not pass quietly.
      if (!auditSection.ok) process.exitCode = 1;
    }
    // Databases of its own, seeded with jobs; the audit bench's database stays untouched.
    const rls = only.has('rls') ? await measureRls(RLS, progress) : undefined;
    // A database of its own, seeded with the people, sessions and devices it pages through.
    const adminLists = only.has('admin') ? await measureAdminLists(ADMIN_LISTS, progress) : undefined;
    if (sdk) results.push(...sdkGoals(sdk));
    if (memory) results.push(memoryGoal(memory));
    if (adminLists) results.push(adminListGoal(adminLists));
    // The console's build is measured with its lists (no server needed: the files npm install built).
    const consoleLoad = only.has('admin') ? measureConsoleLoad() : undefined;
    if (consoleLoad) results.push(consoleLoadGoal(consoleLoad));
    results.sort((x, y) => x.goal.localeCompare(y.goal));
    if (flags.json) {
      for (const line of goalLines(results)) console.log(line);
      return;
    }
    // The report is printed in one piece at the end: the fake company IdP's oidc-provider
    // prints development notices while the sign-ins run.
    const cpus = os.cpus();
    console.log('');
    console.log(`Node ${process.version} · ${cpus.length} CPU${cpus.length === 1 ? '' : 's'} (${cpus[0]?.model.trim() ?? 'unknown'})`);
    console.log(`Database: ${database.kind === 'postgres' ? `PostgreSQL ${serverVersion} (throwaway database)` : `PGlite (embedded, PostgreSQL ${serverVersion}; the goals are stated for PostgreSQL)`}`);
    console.log(`Cores: ${cores}`);
    if (headline) {
      const me = figures(headline.me.windows);
      const onTheFly = [...headline.me.windows, ...headline.job.windows].reduce((a, w) => a + w.load.signedOnTheFly, 0);
      console.log(
        `Load: ${HEADLINE.connections} connections, closed loop; ${HEADLINE.warmupSeconds} s warm-up + ${HEADLINE.windowSeconds} s per window, ` +
          `${HEADLINE.repeats} repeat${HEADLINE.repeats === 1 ? '' : 's'} of the four targets in turn${flags.full ? ' (--full)' : ' (--full: 60 s windows, 3 repeats, 10-minute sustained runs)'}; ` +
          `DPoP proofs and request signatures made before each window (${onTheFly} made during one)`,
      );
      console.log(
        `Machine while measuring /api/v1/me: load average up to ${me.loadAverage.toFixed(2)}, all cores ${me.machineBusy === undefined ? 'n/a' : `${(me.machineBusy * 100).toFixed(0)} %`} busy ` +
          `(whoever used them: other processes on this machine count too)`,
      );
      console.log('');
      console.log("server µs / db µs: CPU per request of the server process and of PostgreSQL's backends for the bench database; per core: requests per CPU-second of both; client µs: the load generator's");
      console.log(headlineTable(headline));
    }
    console.log('');
    console.log(goalTable(results));
    console.log('');
    console.log(
      `app key check per request: ${(1e6 / keyCost.cachedPerSecond).toFixed(1)} µs from the 5 s cache, ${(1e6 / keyCost.lookupPerSecond).toFixed(1)} µs with the indexed lookup every time`,
    );
    if (pipeline) console.log(`\n${pipelineReport(pipeline)}`);
    if (auditSection) console.log(`\n${auditSection.text}`);
    if (rls) console.log(`\n${rlsReport(rls, RLS)}`);
    if (sdk) console.log(`\n${sdkReport(sdk)}`);
    if (adminLists) console.log(`\n${adminListsReport(adminLists)}`);
    if (consoleLoad) console.log(`\n${consoleLoadReport(consoleLoad)}`);
    if (memory) console.log(`\n${memoryReport(memory)}`);
  } finally {
    // Reverse order of creation: servers before the database they use.
    for (const cleanup of cleanups) {
      await cleanup().catch((error: unknown) => console.error(`clean-up failed: ${(error as Error).message}`));
    }
  }
}

const deadline = setTimeout(() => {
  console.error(`bench: still running after ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
}
