/**
 * A crash never separates a change from its audit record. Palisade, started the README's way on
 * PostgreSQL, is killed with SIGKILL while several devices sign people in and out at once (each
 * sign-in commits a session with its `auth.login` record, each logout or device eviction its
 * revocation with `auth.logout` / `session.revoke`, in one transaction). Afterwards the database
 * must hold no committed change without its record and no record of a change that did not
 * commit, and the hash chain must verify both as the crash left it and once a restarted server
 * has sealed what was pending.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { serverPid, waitForExit } from '../helpers/server-process.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import type { Database } from '../../src/db/index.ts';
import { publicAuditKeys, verifyDatabase, type VerifyReport } from '../../src/audit/index.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

const postgres = databaseKinds().find((kind) => kind.kind === 'postgres');
/** People with a role (Sam Sales has none and could not sign in). Four people on six devices: the device cap evicts too. */
const PEOPLE = ['u-tech', 'u-contractor', 'u-admin', 'u-mallory'];
const DEVICES = 6;
/** Sign-ins acknowledged before the kill: enough for logouts and device evictions to have happened. */
const KILL_AFTER_SIGN_INS = 24;
/** The revocation records a session end may carry (Sessions.revoke). */
const REVOCATION_ACTIONS = ['auth.logout', 'session.revoke', 'token.reuse'];

type Failure = { at: number; kind: 'cut' | 'refused' | 'other'; error: unknown };

/** How a request died: its connection cut mid-flight, refused (server gone), or anything else. */
function failureKind(error: unknown): Failure['kind'] {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 6; e = e.cause as typeof e, depth += 1) {
    if (e.code === 'ECONNREFUSED') return 'refused';
    if (e.code === 'UND_ERR_SOCKET' || e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'UND_ERR_CLOSED') return 'cut';
  }
  return 'other';
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the audit trail across a kill -9 under write load (postgres)', { skip: postgres ? false : 'needs TEST_DATABASE_URL: kill -9 is tested on PostgreSQL, where the killed server is only a client; embedded PGlite dies with the server process' }, () => {
  let database: TestDatabase;
  let upstream: UpstreamIdp;
  let crashed: StartedServer;
  let restarted: StartedServer | undefined;
  let db: Database | undefined;
  let env: Record<string, string | undefined>;

  /** What the clients saw before and at the kill. */
  const acknowledged = { signIns: [] as string[], logouts: [] as string[], lastAt: 0 };
  const failures: Failure[] = [];
  let killedAt = 0;
  let atCrash: VerifyReport;
  let headAtCrash: { seq: string; hash: string } | undefined;

  /** Rows as the owner sees them (the runtime role may not read the audit trail). */
  const owner = <T>(sql: string, params: unknown[] = []) => db!.asOwner(async (q) => (await q.query<T>(sql, params)).rows);

  before(async () => {
    database = await postgres!.create({ migrated: true });
    const federated = await federatedTo(database);
    upstream = federated.upstream;
    env = {
      ...federated.env,
      PALISADE_MASTER_KEY: generateMasterKey(),
      // Info: every request line carries the server's pid (pino), the process to kill.
      PALISADE_LOG_LEVEL: 'info',
      // The sealer busy all the time and a checkpoint every few records, so the kill is as likely
      // to land in a sealing round as in a request.
      PALISADE_AUDIT_SEAL_INTERVAL: '10ms',
      PALISADE_AUDIT_CHECKPOINT_EVERY: '7',
      // Batched events (reads, denials) wait a minute, so the crash loses them all, as documented:
      // a change recorded that way instead of in its own transaction shows up below without its record.
      PALISADE_AUDIT_FLUSH_INTERVAL: '1m',
      ...upstream.env,
    };
    crashed = await startPalisade(env);
    const apps = Array.from({ length: DEVICES }, () => new MobileApp(crashed.url, crashed.ca));
    try {
      assert.equal((await apps[0]!.http.fetch(`${crashed.url}/healthz`)).status, 200);
      const pid = await serverPid(crashed);

      // Each device signs its person in and, every other time, out again, until its requests fail.
      const devices = apps.map(async (app, device) => {
        for (let round = 0; ; round += 1) {
          try {
            const session = await app.signIn(PEOPLE[(device + round) % PEOPLE.length]!);
            const sid = decodeJwt(session.tokens.access_token).sid as string;
            acknowledged.signIns.push(sid);
            acknowledged.lastAt = Date.now();
            if (round % 2 === 1) {
              const logout = await app.call('/api/v1/session/logout', session.tokens.access_token, { method: 'POST', body: '{}' });
              // 401: another device's sign-in evicted this one meanwhile (its own revocation, also audited).
              if (logout.status === 200 && logout.body.ended === 1) acknowledged.logouts.push(sid);
            }
          } catch (error) {
            failures.push({ at: Date.now(), kind: failureKind(error), error });
            return;
          }
        }
      });
      await until('sign-ins under load', () => {
        if (failures.length === DEVICES) throw new Error(`every device failed before the kill: ${failures.map((f) => String(f.error)).join('; ')}`);
        return acknowledged.signIns.length >= KILL_AFTER_SIGN_INS ? true : undefined;
      }, 30_000);
      killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await Promise.all(devices);
      await waitForExit(pid);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }

    // Its PostgreSQL backends roll back what was uncommitted as they notice the dead client;
    // only once all are gone is the database as the crash left it.
    db = await openMigrated(database);
    await until('the killed server’s database connections to end', async () => {
      const { rows } = await db!.asOwner((q) =>
        q.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND backend_type = 'client backend' AND backend_start < $1`,
          [new Date(killedAt)],
        ),
      );
      return rows[0]!.n === 0 ? true : undefined;
    });
    atCrash = await verifyDatabase(db, await publicAuditKeys(db));
    headAtCrash = (await owner<{ seq: string; hash: string }>('SELECT seq::text, hash FROM audit_chain ORDER BY seq DESC LIMIT 1'))[0];
  });

  after(async () => {
    await db?.close();
    await restarted?.stop();
    // npm is left reaping its killed child: stopping it again must not fail the suite.
    await crashed?.stop().catch(() => undefined);
    await upstream?.close();
    await database?.drop();
  });

  test('the server died mid-load: requests had succeeded up to the kill and every device’s next request failed', () => {
    assert.ok(acknowledged.signIns.length >= KILL_AFTER_SIGN_INS, `at least ${KILL_AFTER_SIGN_INS} sign-ins succeeded before the kill (got ${acknowledged.signIns.length})`);
    assert.ok(acknowledged.logouts.length > 0, 'some logouts succeeded before the kill, so revocations were part of the load');
    assert.equal(failures.length, DEVICES, 'every device ended with a failed request, none stopped early');
    const early = failures.filter((f) => f.at < killedAt || f.kind === 'other');
    assert.deepEqual(early.map((f) => String(f.error)), [], 'no request failed before the kill, nor for any other reason than the server being gone');
    // Whether a device was talking to Palisade at that instant, or to the company IdP between two
    // of Palisade's steps, is down to timing: either way its next request to Palisade failed.
    assert.ok(
      failures.every((f) => f.kind === 'cut' || f.kind === 'refused'),
      `every device's request failed because the server was gone (cut in flight or refused); got ${failures.map((f) => f.kind).join(', ')}`,
    );
    assert.ok(killedAt - acknowledged.lastAt < 2000, `sign-ins were still being acknowledged right before the kill (the last ${killedAt - acknowledged.lastAt} ms before it), so it landed mid-load`);
  });

  test('every session a client saw created is in the database with its auth.login record, every acknowledged logout with its auth.logout record', async () => {
    const rows = await owner<{ id: string; revoked: boolean; logins: number; logouts: number }>(
      `SELECT s.id, s.revoked_at IS NOT NULL AS revoked,
         (SELECT count(*)::int FROM audit_events e WHERE e.action = 'auth.login' AND e.outcome = 'success' AND e.resource_type = 'session' AND e.resource_id = s.id) AS logins,
         (SELECT count(*)::int FROM audit_events e WHERE e.action = 'auth.logout' AND e.resource_type = 'session' AND e.resource_id = s.id) AS logouts
       FROM sessions s WHERE s.id = ANY($1::text[])`,
      [acknowledged.signIns],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const lost = acknowledged.signIns.filter((sid) => byId.get(sid)?.logins !== 1);
    assert.deepEqual(lost, [], 'a sign-in the app was told succeeded survives the crash with exactly one auth.login record');
    const unrecordedLogouts = acknowledged.logouts.filter((sid) => !byId.get(sid)?.revoked || byId.get(sid)?.logouts !== 1);
    assert.deepEqual(unrecordedLogouts, [], 'an acknowledged logout survives the crash, revoked, with exactly one auth.logout record');
  });

  test('no committed session start or end lacks its audit record', async () => {
    const [counts] = await owner<{ sessions: number; revoked: number; evicted: number }>(
      `SELECT (SELECT count(*)::int FROM sessions) AS sessions, (SELECT count(*)::int FROM sessions WHERE revoked_at IS NOT NULL) AS revoked,
         (SELECT count(*)::int FROM devices WHERE state <> 'active') AS evicted`,
    );
    assert.ok(
      counts!.sessions >= acknowledged.signIns.length && counts!.revoked >= acknowledged.logouts.length && counts!.evicted > 0,
      `the load left sessions, some ended, and devices evicted by the device cap, so each check below has rows to check (${JSON.stringify(counts)})`,
    );
    const withoutLogin = await owner<{ id: string }>(
      `SELECT s.id FROM sessions s WHERE (SELECT count(*) FROM audit_events e
         WHERE e.action = 'auth.login' AND e.outcome = 'success' AND e.resource_type = 'session' AND e.resource_id = s.id) <> 1`,
    );
    assert.deepEqual(withoutLogin, [], 'each committed session has exactly one auth.login record (written in its transaction)');
    const withoutEnd = await owner<{ id: string; revoked_reason: string }>(
      `SELECT s.id, s.revoked_reason FROM sessions s WHERE s.revoked_at IS NOT NULL AND (SELECT count(*) FROM audit_events e
         WHERE e.action = ANY($1::text[]) AND e.resource_type = 'session' AND e.resource_id = s.id AND e.reason = s.revoked_reason) <> 1`,
      [REVOCATION_ACTIONS],
    );
    assert.deepEqual(withoutEnd, [], 'each committed revocation has exactly one record naming the same reason');
    const deviceWithoutRecord = await owner<{ id: string; state: string }>(
      `SELECT d.id, d.state FROM devices d WHERE d.state <> 'active' AND NOT EXISTS (SELECT 1 FROM audit_events e
         WHERE e.action LIKE 'device.%' AND e.resource_type = 'device' AND e.resource_id = d.id::text)`,
    );
    assert.deepEqual(deviceWithoutRecord, [], 'each committed device eviction has its device.* record');
  });

  test('no audit record describes a change that did not commit', async () => {
    const phantomLogins = await owner<{ id: string; resource_id: string }>(
      `SELECT e.id::text, e.resource_id FROM audit_events e WHERE e.action = 'auth.login' AND e.outcome = 'success'
         AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = e.resource_id)`,
    );
    assert.deepEqual(phantomLogins, [], 'every auth.login record names a session that exists');
    const phantomEnds = await owner<{ id: string; action: string; resource_id: string }>(
      `SELECT e.id::text, e.action, e.resource_id FROM audit_events e WHERE e.action = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = e.resource_id AND s.revoked_at IS NOT NULL AND s.revoked_reason = e.reason)`,
      [REVOCATION_ACTIONS],
    );
    assert.deepEqual(phantomEnds, [], 'every revocation record names a session that is revoked for that reason');
    const phantomDevices = await owner<{ id: string; action: string }>(
      `SELECT e.id::text, e.action FROM audit_events e WHERE e.action LIKE 'device.%' AND e.outcome = 'success'
         AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.id::text = e.resource_id AND d.state <> 'active')`,
    );
    assert.deepEqual(phantomDevices, [], 'every device record names a device that left the active state');
  });

  test('the chain as the crash left it verifies: a killed sealing round changed nothing', () => {
    assert.equal(atCrash.ok, true, `the chain verifies right after the crash: ${JSON.stringify(atCrash.broken)}`);
    assert.ok(atCrash.checked > 0 && atCrash.checkpointsVerified > 0, `records had been sealed and checkpoints signed before the kill (${JSON.stringify(atCrash)})`);
  });

  test('a restarted server seals what the crash left pending, and the whole trail verifies', async () => {
    restarted = await startPalisade({ ...env, PALISADE_LOG_LEVEL: 'warn' });
    await until('the restarted sealer to empty the queue', async () => ((await owner<{ n: number }>('SELECT count(*)::int AS n FROM audit_pending'))[0]!.n === 0 ? true : undefined));
    const report = await verifyDatabase(db!, await publicAuditKeys(db!));
    const [events] = await owner<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
    assert.equal(report.ok, true, `the chain verifies after the restart: ${JSON.stringify(report.broken)}`);
    assert.equal(report.unsealed, 0, 'nothing is left unsealed');
    assert.equal(report.checked, events!.n, 'every audit record, including those pending at the crash, is in the chain exactly once');
    const [kept] = await owner<{ hash: string }>('SELECT hash FROM audit_chain WHERE seq = $1', [headAtCrash!.seq]);
    assert.equal(kept?.hash, headAtCrash!.hash, 'the restarted sealer continued the chain the crash left, it did not start another');
  });
});
