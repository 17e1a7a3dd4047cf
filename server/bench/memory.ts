/**
 * Goal (e), memory: the resident memory of one Palisade instance with 10 000 active sessions.
 *
 * Palisade runs as a process of its own (`node server/bin/palisade.ts start`, as `npm start`
 * runs it) on the bench's database, federating to the fake company IdP in the bench's process.
 * The load generator (loadgen.ts, a process of its own) signs devices in through Palisade as the
 * mobile app does (PKCE, a DPoP device key, a posture report, the app key: DPoP-bound tokens and
 * a session signing key each), 100 devices per technician (the device cap's maximum), and then
 * makes every session do a few signed DPoP calls of `GET /api/v1/me`, so each session has what an
 * active device leaves behind: its verified token, proof key, signing key, replay claims, rate
 * limiter counters and activity.
 *
 * The server process is started with `--inspect` on a loopback port of its own (the bench's
 * flag, nothing Palisade exposes): through it the bench forces a full garbage collection and reads
 * `process.memoryUsage()`, then reads VmRSS from /proc/<pid>/status. Once with one session (the
 * instance's floor once it has served every route the load uses) and once with all of them; the
 * difference per session is the per-session cost. With BENCH_MEMORY_SNAPSHOT=<file> it also takes
 * heap snapshots (<file>-floor.heapsnapshot at one session, <file> at the end) and prints what
 * grew most between them, by constructor.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config/load.ts';
import { startUpstreamIdp, type UpstreamIdp } from '../test/helpers/upstream-idp.ts';
import { freePort, GENEROUS_RATE_LIMITS, REPO_ROOT } from '../test/helpers/server.ts';
import { provisionInProcess } from '../test/helpers/app-keys.ts';
import type { BenchDatabase } from './database.ts';
import { LoadGenerator } from './processes.ts';

const CLIENT_ID = 'field-app';
/** The device cap's maximum (sessions.maxDevices): sessions per technician. */
const DEVICES_PER_PERSON = 100;

export interface MemorySettings {
  sessions: number;
  /** Signed API calls each session makes. */
  callsPerSession: number;
  /** Where to write a heap snapshot at the end (none: no snapshot). */
  snapshot: string | undefined;
}

export interface MemoryFigures {
  /** VmRSS just before the forced collection: what the instance held as it ran. */
  rssBeforeGcBytes: number;
  /** VmRSS after the collection, once the freed heap pages were given back (it stopped falling). */
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

export interface MemoryResult {
  sessions: number;
  calls: number;
  failures: number;
  firstFailure?: string;
  /** After one session and its calls (the instance's floor). */
  floor: MemoryFigures;
  /** After every session and its calls. */
  loaded: MemoryFigures;
  signInSeconds: number;
  /** Constructors (or node kinds) by growth of their self size from the floor's heap snapshot to the end's, largest first (with snapshots only). */
  top?: { name: string; count: number; bytes: number }[];
}

/** A Chrome DevTools Protocol session over the inspector's WebSocket. */
class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly listeners = new Map<string, (params: Record<string, unknown>) => void>();
  private readonly socket: WebSocket;
  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiting?.reject(new Error(message.error.message));
        else waiting?.resolve(message.result);
      } else if (message.method) this.listeners.get(message.method)?.(message.params ?? {});
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error('could not reach the server process inspector')), { once: true });
    });
    return new Inspector(socket);
  }

  on(method: string, listener: (params: Record<string, unknown>) => void): void {
    this.listeners.set(method, listener);
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** Full garbage collection in the server process, then its memory. */
async function measure(inspector: Inspector, pid: number): Promise<MemoryFigures> {
  const rssBeforeGcBytes = rssOf(pid);
  // Twice: weak references and finalisers cleared by the first are collected by the second.
  await inspector.call('HeapProfiler.collectGarbage');
  await inspector.call('HeapProfiler.collectGarbage');
  const { result } = await inspector.call<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
  const usage = JSON.parse(result.value) as NodeJS.MemoryUsage;
  // V8 gives freed heap pages back from a background thread, which a busy machine runs late:
  // RSS is read until it stops falling (at most 10 s).
  let rssBytes = rssOf(pid);
  for (let i = 0; i < 20; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = rssOf(pid);
    const settled = now > rssBytes - 256 * 1024;
    rssBytes = Math.min(rssBytes, now);
    if (settled && i >= 3) break;
  }
  return { rssBeforeGcBytes, rssBytes, heapUsedBytes: usage.heapUsed, heapTotalBytes: usage.heapTotal, externalBytes: usage.external, arrayBuffersBytes: usage.arrayBuffers };
}

/** Writes a heap snapshot to `file` and sums self sizes by constructor (or node type). */
async function snapshot(inspector: Inspector, file: string): Promise<Map<string, { count: number; bytes: number }>> {
  const out = createWriteStream(file);
  inspector.on('HeapProfiler.addHeapSnapshotChunk', (params) => out.write(String(params.chunk)));
  await inspector.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = data.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = data.snapshot.meta.node_types[0];
  const byName = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt]!]!;
    // Objects by constructor; strings, code, arrays and the rest by their kind.
    const name = type === 'object' || type === 'native' ? data.strings[data.nodes[i + nameAt]!]! : `(${type})`;
    const entry = byName.get(name) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += data.nodes[i + sizeAt]!;
    byName.set(name, entry);
  }
  return byName;
}

/** What grew between two snapshots' summaries, largest growth first. */
function growth(before: Map<string, { count: number; bytes: number }>, after: Map<string, { count: number; bytes: number }>): { name: string; count: number; bytes: number }[] {
  return [...after]
    .map(([name, e]) => ({ name, count: e.count - (before.get(name)?.count ?? 0), bytes: e.bytes - (before.get(name)?.bytes ?? 0) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 20);
}

/** MALLOC_* variables of the bench's environment (glibc's allocator tuning). */
function mallocEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('MALLOC_') && e[1] !== undefined));
}

/** Starts Palisade as its own process with a loopback inspector; resolves once it answers HTTPS. */
async function startServerProcess(env: Record<string, string>, dataDir: string, port: number): Promise<{ child: ChildProcess; inspectorUrl: string; ca: string; issuer: string }> {
  const inspectPort = await freePort();
  const flags = serverNodeFlags();
  const child = spawn(process.execPath, [...flags, `--inspect=127.0.0.1:${inspectPort}`, path.join(REPO_ROOT, 'server/bin/palisade.ts'), 'start'], {
    cwd: REPO_ROOT,
    // Only what Palisade needs: a developer's own PALISADE_* variables must not change what is measured.
    // glibc's allocator settings pass through, so a deployment's choice can be measured.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', ...mallocEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const issuer = `https://localhost:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Palisade exited with ${child.exitCode} before starting:\n${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Palisade did not start in time:\n${output.slice(-2000)}`);
    }
    const certFile = path.join(dataDir, 'tls', 'dev-cert.pem');
    const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
    if (inspectorUrl && existsSync(certFile)) {
      const ca = readFileSync(certFile, 'utf8');
      const dispatcher = new Agent({ connect: { ca } });
      try {
        const response = await request(`${issuer}/.well-known/openid-configuration`, { dispatcher });
        await response.body.text();
        if (response.statusCode === 200) return { child, inspectorUrl, ca, issuer };
      } catch {
        // not listening yet
      } finally {
        await dispatcher.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The Node flags the server process starts with: those of `npm start` (package.json's start
 * script, the production heap cap; the Dockerfile and deploy/k8s set the same in NODE_OPTIONS),
 * unless BENCH_MEMORY_NODE_FLAGS names others to try (`none`: no flags at all).
 */
export function serverNodeFlags(): string[] {
  const chosen = process.env.BENCH_MEMORY_NODE_FLAGS;
  if (chosen !== undefined && chosen.trim() !== '') return chosen.trim() === 'none' ? [] : chosen.split(/\s+/).filter(Boolean);
  const start = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const words = start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.findIndex((w) => w.endsWith('palisade.ts'))).filter((w) => w.startsWith('--'));
}

export async function measureMemory(database: BenchDatabase, settings: MemorySettings, progress: (line: string) => void): Promise<MemoryResult> {
  const port = await freePort();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const upstream: UpstreamIdp = await startUpstreamIdp(() => `https://localhost:${port}/auth/callback`);
    cleanups.unshift(() => upstream.close());
    const env: Record<string, string> = {
      PALISADE_DATA_DIR: database.dataDir,
      PALISADE_SERVER_PORT: String(port),
      PALISADE_SERVER_HOST: '127.0.0.1',
      PALISADE_MASTER_KEY: (await import('../src/security/primitives.ts')).generateMasterKey(),
      ...(database.url ? { DATABASE_URL: database.url } : {}),
      ...upstream.env,
      PALISADE_LOG_LEVEL: 'warn',
      ...GENEROUS_RATE_LIMITS,
      PALISADE_SESSIONS_MAX_DEVICES: String(DEVICES_PER_PERSON),
    };
    const appKey = (await provisionInProcess(loadConfig({ env })))[CLIENT_ID]!;
    progress('memory: starting Palisade as its own process');
    const server = await startServerProcess(env, database.dataDir, port);
    cleanups.unshift(async () => {
      if (server.child.exitCode !== null) return;
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      const timer = setTimeout(() => server.child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    });
    const pid = server.child.pid!;
    const inspector = await Inspector.connect(server.inspectorUrl);
    cleanups.unshift(async () => inspector.close());
    const loadgen = await LoadGenerator.start({ issuer: server.issuer, ca: server.ca, clientId: CLIENT_ID, appKey });
    cleanups.unshift(() => loadgen.close());
    const url = `${server.issuer}/api/v1/me`;

    let calls = 0;
    let failures = 0;
    let firstFailure: string | undefined;
    const touch = async (ids: number[]) => {
      const r = await loadgen.command({ type: 'touch', sessions: ids, url, calls: settings.callsPerSession, concurrency: 8 });
      calls += r.count;
      failures += r.failures;
      firstFailure ??= r.firstFailure;
    };

    // The floor: one session that has used every route of the load.
    const first = await loadgen.command({ type: 'signIn', person: 'u-bench-0', count: 1, concurrency: 1 });
    await touch(first.sessions!);
    const floor = await measure(inspector, pid);
    const floorHeap = settings.snapshot ? await snapshot(inspector, settings.snapshot.replace(/(\.heapsnapshot)?$/, '-floor.heapsnapshot')) : undefined;
    progress(`memory: floor ${(floor.rssBytes / 1e6).toFixed(1)} MB RSS, ${(floor.heapUsedBytes / 1e6).toFixed(1)} MB heap`);

    const started = performance.now();
    let made = 1;
    for (let person = 0; made < settings.sessions; person += 1) {
      const count = Math.min(person === 0 ? DEVICES_PER_PERSON - 1 : DEVICES_PER_PERSON, settings.sessions - made);
      const r = await loadgen.command({ type: 'signIn', person: `u-bench-${person}`, count, concurrency: 8 });
      await touch(r.sessions!);
      made += r.sessions!.length;
      if (person % 10 === 9 && made < settings.sessions) {
        // Every 1 000 sessions, the figures after a GC: the curve, and a figure for a run cut short.
        const at = await measure(inspector, pid);
        progress(`memory: ${made} of ${settings.sessions} sessions signed in and active: RSS ${mb(at.rssBeforeGcBytes)} before GC, ${mb(at.rssBytes)} after; heap ${mb(at.heapUsedBytes)} used, ${mb(at.heapTotalBytes)} total`);
      }
    }
    const signInSeconds = (performance.now() - started) / 1000;
    const loaded = await measure(inspector, pid);
    const top = settings.snapshot && floorHeap ? growth(floorHeap, await snapshot(inspector, settings.snapshot)) : undefined;
    return { sessions: made, calls, failures, ...(firstFailure ? { firstFailure } : {}), floor, loaded, signInSeconds, ...(top ? { top } : {}) };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(`clean-up failed: ${(error as Error).message}`));
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function memoryReport(r: MemoryResult): string {
  const rows: [string, (f: MemoryFigures) => number][] = [
    ['RSS before GC', (f) => f.rssBeforeGcBytes],
    ['RSS after GC', (f) => f.rssBytes],
    ['heap used', (f) => f.heapUsedBytes],
    ['heap total', (f) => f.heapTotalBytes],
    ['external', (f) => f.externalBytes],
    ['array buffers', (f) => f.arrayBuffersBytes],
  ];
  const lines = [
    `Memory of one instance (Palisade in its own process, after a full GC): ${r.sessions} active sessions, ${r.calls} signed DPoP calls, ${r.failures} failed; sign-ins and calls took ${r.signInSeconds.toFixed(0)} s`,
    `${''.padEnd(14)}${'1 session'.padStart(12)}${`${r.sessions} sessions`.padStart(18)}${'per session'.padStart(14)}`,
  ];
  for (const [name, get] of rows) {
    const perSession = (get(r.loaded) - get(r.floor)) / Math.max(1, r.sessions - 1);
    lines.push(`${name.padEnd(14)}${mb(get(r.floor)).padStart(12)}${mb(get(r.loaded)).padStart(18)}${`${(perSession / 1024).toFixed(2)} KB`.padStart(14)}`);
  }
  if (r.firstFailure) lines.push(`first failure: ${r.firstFailure}`);
  if (r.top) {
    lines.push('', `Heap snapshots: growth from 1 session to ${r.sessions}, by constructor or kind (self size, count):`);
    for (const t of r.top) lines.push(`  ${mb(t.bytes).padStart(10)}  ${String(t.count).padStart(8)}  ${t.name}`);
  }
  return lines.join('\n');
}
