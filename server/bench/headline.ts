/**
 * The headline: the real request pipeline against a bare Fastify doing the same queries over the
 * same TLS, measured in the same run, with the load generator in its own process (loadgen.ts)
 * and the CPU of every party counted around each window (processes.ts).
 *
 *   GET /api/v1/me       signed DPoP call: app key, rate limits, access token, DPoP proof,
 *                        request signature, schema; the user query
 *   GET /api/v1/jobs/:id the technician reads a job of their territory: all of the above plus
 *                        the authorization stage, the row-level-security transaction and the
 *                        audit record in it
 *   bare /me, bare /job  Fastify over the same TLS 1.3 set-up running the same data query
 *                        (baseline.ts) and nothing else
 *
 * Each repeat runs the four targets in turn (so drift in the machine's load falls on all of
 * them), each as a warm-up and a measured window of a closed loop. Then the p99 of /api/v1/me
 * at 70 % of its measured maximum (an open loop), refresh-token grants over rotating DPoP-bound
 * chains, and sign-ins (authorize, the company IdP, the code exchange) — per core of server plus
 * database, from the CPU counters.
 */
import type { Queryable } from '../src/db/index.ts';
import type { GetMessage, LoadResult } from './loadgen.ts';
import { cpuWindow, type CpuWindow, type LoadGenerator } from './processes.ts';

export interface HeadlineSettings {
  windowSeconds: number;
  warmupSeconds: number;
  repeats: number;
  connections: number;
  refreshChains: number;
  signIns: number;
  /** A sustained run of the job read, in windows of `windowSeconds`, for CPU per request over time (0: none). */
  sustainedSeconds: number;
  /** Measure /api/v1/me, the job read and the job list again after HeadlineDeps.grow (goal e, flat cost). */
  grown: boolean;
}

export interface Window {
  load: LoadResult;
  cpu: CpuWindow;
}

export interface Target {
  name: string;
  windows: Window[];
}

/** Aggregates of a target's windows. */
export interface Figures {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  count: number;
  /** µs of CPU per request: this process, PostgreSQL's backends (undefined: not measurable), the load generator. */
  serverUs: number;
  databaseUs: number | undefined;
  loadgenUs: number;
  /** Requests per second per core of server plus database (server alone when the database is not measurable). */
  perCore: number;
  loadAverage: number;
  machineBusy: number | undefined;
}

export function figures(windows: Window[]): Figures {
  const count = windows.reduce((a, w) => a + w.load.count, 0);
  const seconds = windows.reduce((a, w) => a + w.load.seconds, 0);
  const serverMs = windows.reduce((a, w) => a + w.cpu.serverMs, 0);
  const dbKnown = windows.every((w) => w.cpu.databaseMs !== undefined);
  const databaseMs = dbKnown ? windows.reduce((a, w) => a + w.cpu.databaseMs!, 0) : undefined;
  const loadgenMs = windows.reduce((a, w) => a + w.load.cpuMs, 0);
  const busy = windows.filter((w) => w.cpu.machineBusy !== undefined);
  const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return {
    perSecond: count / seconds,
    // Percentiles of the windows: the median window's (each window's own is exact).
    p50Ms: median(windows.map((w) => w.load.p50Ms)),
    p99Ms: median(windows.map((w) => w.load.p99Ms)),
    count,
    serverUs: (serverMs * 1000) / count,
    databaseUs: databaseMs === undefined ? undefined : (databaseMs * 1000) / count,
    loadgenUs: (loadgenMs * 1000) / count,
    perCore: count / ((serverMs + (databaseMs ?? 0)) / 1000),
    loadAverage: Math.max(...windows.map((w) => w.cpu.loadAverage)),
    machineBusy: busy.length ? busy.reduce((a, w) => a + w.cpu.machineBusy!, 0) / busy.length : undefined,
  };
}

export interface HeadlineResult {
  bareMe: Target;
  me: Target;
  bareJob: Target;
  job: Target;
  /** The open-loop run of /api/v1/me at 70 % of its closed-loop rate. */
  meAt70: Window & { rate: number };
  refresh: Window;
  signIn: Window;
  /** The job read, window after window (empty unless settings.sustainedSeconds). */
  sustained: Window[];
  /** The same targets before and after the tables grew (settings.grown). */
  grown?: { description: string; list: Target; grownMe: Target; grownJob: Target; grownList: Target };
}

export interface HeadlineDeps {
  loadgen: LoadGenerator;
  /** A connection to the bench's database, to find its PostgreSQL backends (undefined: PGlite, in process). */
  database: Queryable | undefined;
  issuer: string;
  bare: { userUrl(id: string): string; jobUrl(id: string): string };
  /** Makes a job `person` may read (after their first sign-in made their user row): their user id and the job's. */
  prepare(person: string): Promise<{ userId: string; jobId: string }>;
  /** Grows the tables (sessions, devices, audit history); returns what it made. Undefined: not possible here. */
  grow?: () => Promise<string>;
  /** Removes what `grow` made that would upset later sections (the audit history outside the chain). */
  shrink?: () => Promise<void>;
  progress(line: string): void;
}

/** Runs one load command with the CPU counters read exactly around its measured window. */
async function measured(deps: HeadlineDeps, command: Parameters<LoadGenerator['command']>[0]): Promise<Window> {
  let read: Promise<() => Promise<CpuWindow>> | undefined;
  const load = await deps.loadgen.command(command, () => {
    read = cpuWindow(deps.database);
  });
  const cpu = await (await read!)();
  if (load.failures > 0) throw new Error(`${command.type} ${'url' in command ? command.url : ''}: ${load.failures} failed requests of ${load.count + load.failures}; first: ${load.firstFailure}`);
  return { load, cpu };
}

export async function measureHeadline(settings: HeadlineSettings, deps: HeadlineDeps): Promise<HeadlineResult> {
  const { loadgen, progress } = deps;
  progress(`headline: ${settings.signIns} sign-ins (authorize, company IdP, code exchange)`);
  const signIn = await measured(deps, { type: 'signIn', person: 'u-tech', count: settings.signIns, concurrency: 4 });
  const [meSession, jobSession] = signIn.load.sessions!;
  const { userId, jobId } = await deps.prepare('u-tech');
  const meUrl = `${deps.issuer}/api/v1/me`;
  const jobUrl = `${deps.issuer}/api/v1/jobs/${jobId}`;

  const get = (url: string, session?: number): GetMessage => ({
    type: 'get',
    url,
    ...(session === undefined ? {} : { session }),
    connections: settings.connections,
    warmupMs: settings.warmupSeconds * 1000,
    durationMs: settings.windowSeconds * 1000,
  });
  const targets = {
    bareMe: { name: 'bare Fastify: user query', windows: [] as Window[], command: get(deps.bare.userUrl(userId)) },
    me: { name: 'GET /api/v1/me (DPoP, signed)', windows: [] as Window[], command: get(meUrl, meSession) },
    bareJob: { name: 'bare Fastify: job query', windows: [] as Window[], command: get(deps.bare.jobUrl(jobId)) },
    job: { name: 'GET /api/v1/jobs/:id (DPoP, signed, RLS, audited)', windows: [] as Window[], command: get(jobUrl, jobSession) },
  };
  const listUrl = `${deps.issuer}/api/v1/jobs`;
  const grown = settings.grown && deps.grow !== undefined;
  const list: Target & { command: GetMessage } = { name: 'GET /api/v1/jobs (the technician\'s list)', windows: [], command: get(listUrl, jobSession) };
  // Access tokens last 15 minutes; a full run's repeats take longer, so each repeat after the
  // first signs in afresh (outside the windows).
  const freshSessions = async () => (await loadgen.command({ type: 'signIn', person: 'u-tech', count: 2, concurrency: 2 })).sessions!;
  for (let repeat = 1; repeat <= settings.repeats; repeat += 1) {
    if (repeat > 1) {
      const [me, job] = await freshSessions();
      targets.me.command = get(meUrl, me);
      targets.job.command = get(jobUrl, job);
      list.command = get(listUrl, job);
    }
    for (const target of [...Object.values(targets), ...(grown ? [list] : [])]) {
      progress(`headline: repeat ${repeat}/${settings.repeats}: ${target.name}`);
      target.windows.push(await measured(deps, target.command));
    }
  }

  let grownResult: HeadlineResult['grown'];
  if (grown) {
    progress('headline: growing the tables (goal e, flat cost)');
    const description = await deps.grow!();
    const after = {
      grownMe: { name: `${targets.me.name}, grown tables`, windows: [] as Window[] },
      grownJob: { name: `${targets.job.name}, grown tables`, windows: [] as Window[] },
      grownList: { name: `${list.name}, grown tables`, windows: [] as Window[] },
    };
    for (let repeat = 1; repeat <= settings.repeats; repeat += 1) {
      const [me, job] = await freshSessions();
      for (const [target, command] of [
        [after.grownMe, get(meUrl, me)],
        [after.grownJob, get(jobUrl, job)],
        [after.grownList, get(listUrl, job)],
      ] as const) {
        progress(`headline: grown tables, repeat ${repeat}/${settings.repeats}: ${target.name}`);
        target.windows.push(await measured(deps, command));
      }
    }
    await deps.shrink?.();
    grownResult = { description, list, ...after };
  }

  const meRate = figures(targets.me.windows).perSecond;
  const rate = Math.max(1, Math.round(meRate * 0.7));
  progress(`headline: GET /api/v1/me at ${rate} req/s (70 % of ${meRate.toFixed(0)}), open loop`);
  // Enough connections that a slow answer never holds the schedule back.
  const [at70Session] = await freshSessions();
  const meAt70 = { ...(await measured(deps, { ...get(meUrl, at70Session), rate, connections: Math.max(64, settings.connections * 4) })), rate };

  progress(`headline: refresh-token grants, ${settings.refreshChains} rotating DPoP-bound chains`);
  const chains = await loadgen.command({ type: 'signIn', person: 'u-tech', count: settings.refreshChains, concurrency: 4 });
  const refresh = await measured(deps, { type: 'refresh', sessions: chains.sessions!, warmupMs: settings.warmupSeconds * 1000, durationMs: settings.windowSeconds * 1000 });

  const sustained: Window[] = [];
  if (settings.sustainedSeconds > 0) {
    // A fresh session: the first one's access token may be near its end after the repeats.
    // Sessions are renewed every 10 minutes of it (access tokens last 15).
    const windows = Math.max(2, Math.round(settings.sustainedSeconds / settings.windowSeconds));
    const perSession = Math.max(1, Math.floor(600 / settings.windowSeconds));
    let session = 0;
    for (let i = 0; i < windows; i += 1) {
      if (i % perSession === 0) session = (await freshSessions())[0]!;
      progress(`headline: sustained job reads, window ${i + 1}/${windows}`);
      sustained.push(await measured(deps, get(jobUrl, session)));
    }
  }
  return { bareMe: targets.bareMe, me: targets.me, bareJob: targets.bareJob, job: targets.job, meAt70, refresh, signIn, sustained, ...(grownResult ? { grown: grownResult } : {}) };
}
