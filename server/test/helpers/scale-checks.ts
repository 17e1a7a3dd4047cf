/**
 * Pieces of the scale-out scenario (e2e/scale-haproxy.test.ts) kept apart from its set-up: jobs
 * for the simulated technicians, devices moving them along (writes whose every acknowledgement is
 * checked against the database afterwards), and which instance's database connection holds the
 * audit sealer's lock.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { SEAL_LOCK } from '../../src/audit/sealer.ts';
import type { MobileApp, SignedIn } from './mobile-app.ts';
import { processGone, serverPid } from './server-process.ts';
import type { StartedServer } from './server.ts';

/** The smallest PNG: a 1×1 image. */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/**
 * `count` jobs assigned to the person `subject` (a technician row must exist: the test's
 * makeTechnician), in territory `south`, status `assigned`: each can be moved along three times
 * (en route, on site, completed).
 */
export async function assignedJobs(sql: pg.Client, subject: string, count: number): Promise<string[]> {
  const { rows: site } = await sql.query<{ id: string }>(
    `WITH c AS (INSERT INTO fs_customers (name) VALUES ('Harbor Foods') RETURNING id)
     INSERT INTO fs_sites (customer_id, name, address, territory, region) SELECT id, 'Depot', '12 Mill Road, Southton', 'south', 'west' FROM c RETURNING id`,
  );
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO fs_jobs (title, department, territory, region, site_id, status, assigned_to)
     SELECT 'Fix leak ' || n, 'plumbing', 'south', 'west', $1, 'assigned', u.id FROM generate_series(1, $3::int) n, users u WHERE u.subject = $2
     RETURNING id`,
    [site[0]!.id, subject, count],
  );
  if (rows.length !== count) throw new Error(`no user ${subject} to assign jobs to`);
  return rows.map((r) => r.id);
}

const STEPS = ['en_route', 'on_site', 'completed'] as const;

export interface JobWork {
  /** Every status change Palisade acknowledged (200), as `jobId status`. */
  acknowledged: string[];
  failed: { what: string; status: string }[];
  ok: number;
}

/**
 * Each device moves its own jobs along, one request at a time (so at most one request of each
 * device is in flight), until `stop()`. After a failed change the device leaves that job (the
 * change may or may not have been made) and takes the next; with no job left it reads
 * /api/v1/me. A change answered 200 is acknowledged and must be in the database.
 */
export function moveJobsAlong(app: MobileApp, devices: { device: SignedIn; jobs: string[] }[]): { stop(): Promise<JobWork> } {
  const work: JobWork = { acknowledged: [], failed: [], ok: 0 };
  let running = true;
  const loops = devices.map(async ({ device, jobs }) => {
    const todo = [...jobs];
    let step = 0;
    while (running) {
      const job = todo[0];
      const what = job ? `POST /api/v1/jobs/:id/status ${STEPS[step]}` : 'GET /api/v1/me';
      try {
        const answer = job
          ? await app.call(`/api/v1/jobs/${job}/status`, device.tokens.access_token, { method: 'POST', body: JSON.stringify({ status: STEPS[step] }) })
          : await app.call('/api/v1/me', device.tokens.access_token);
        if (answer.status === 200) {
          work.ok += 1;
          if (job) work.acknowledged.push(`${job} ${STEPS[step]}`);
        } else {
          work.failed.push({ what, status: `${answer.status} ${String(answer.body.type ?? '')} ${String(answer.body.detail ?? '')}` });
        }
        if (job && (answer.status !== 200 || step === STEPS.length - 1)) {
          todo.shift();
          step = 0;
        } else if (job) step += 1;
      } catch (error) {
        const { cause } = error as { cause?: unknown };
        work.failed.push({ what, status: `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}${cause instanceof Error ? ` (${cause.message})` : ''}` });
        if (job) {
          todo.shift();
          step = 0;
        }
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return work;
    },
  };
}

/** Failures counted by kind, for a figure line: `{"<what> <status>": count}`. */
export function failureKinds(failed: { what: string; status: string }[]): string {
  const counts: Record<string, number> = {};
  for (const f of failed) {
    const kind = `${f.what} ${f.status}`.slice(0, 160);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

/** The acknowledged status changes (`jobId status`, as moveJobsAlong lists them) the database does not hold: job event and audit record, both. */
export async function missingStatusChanges(sql: pg.Client, acknowledged: string[]): Promise<string[]> {
  const jobs = [...new Set(acknowledged.map((a) => a.split(' ')[0]!))];
  const { rows: events } = await sql.query<{ job_id: string; to_status: string }>("SELECT job_id, to_status FROM fs_job_events WHERE kind = 'status' AND job_id = ANY($1::uuid[])", [jobs]);
  const { rows: audited } = await sql.query<{ id: string; status: string }>(
    "SELECT resource_id AS id, changes -> 'after' ->> 'status' AS status FROM audit_events WHERE action = 'job.status' AND outcome = 'success' AND resource_id = ANY($1::text[])",
    [jobs],
  );
  const stored = new Set(events.map((e) => `${e.job_id} ${e.to_status}`));
  const recorded = new Set(audited.map((e) => `${e.id} ${e.status}`));
  return acknowledged.filter((a) => !stored.has(a) || !recorded.has(a));
}

/** The local TCP ports of the sockets process `pid` holds open (from /proc). */
function localPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 9 && inodes.has(fields[9]!)) ports.add(Number.parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/**
 * Which of `pids` (Palisade processes) holds the audit sealer's advisory lock right now, through
 * one of its database connections: the index in `pids`, or -1 when none does (between rounds).
 */
export async function sealLockHolder(sql: pg.Client, pids: number[]): Promise<number> {
  const { rows } = await sql.query<{ port: number | null }>(
    "SELECT a.client_port AS port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    [SEAL_LOCK],
  );
  const port = rows[0]?.port;
  if (port == null) return -1;
  return pids.findIndex((pid) => localPorts(pid).has(port));
}

/** The Palisade processes of `servers` that still run (an earlier test may have killed one): their indices and pids. */
export async function runningInstances(servers: StartedServer[]): Promise<{ index: number; pid: number }[]> {
  const running = [];
  for (const [index, server] of servers.entries()) {
    const pid = Number(/"pid":(\d+)/.exec(server.output())?.[1]);
    // serverPid checks the process is Palisade, which a killed one no longer shows.
    if (pid > 0 && !processGone(pid)) running.push({ index, pid: await serverPid(server) });
  }
  return running;
}

/** Files under `dir`, recursively (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
