/**
 * Two Palisade instances on a PostgreSQL and a Redis of the test's own (private-services.ts:
 * started on free loopback ports, so stopping them touches nobody else's), with devices at work
 * while one of the two goes away and comes back:
 *
 * - **PostgreSQL restart**: `/readyz` answers 503 on both instances while it is down and 200
 *   after; a request meanwhile is answered 503 `not-ready` with Retry-After (not a hang, not a
 *   500); afterwards the instances serve again without being restarted, every acknowledged write
 *   is stored, sealing resumes and the audit chain verifies.
 * - **Redis loss**: replay checks fail closed — a request whose DPoP proof and signature cannot be
 *   checked against the shared replay store is refused, on the instance that saw it and on the
 *   other one it is replayed to; `/readyz` says Redis is unreachable; when Redis comes back (empty)
 *   fresh requests pass and a proof used before the loss is still refused.
 *
 * Cheap on purpose (two devices, seconds of load); the 200-device run is the bench's `scale`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT, decodeJwt, exportJWK } from 'jose';
import pg from 'pg';
import type { DatabaseKind } from '../helpers/databases.ts';
import { palisadeCli } from '../helpers/server.ts';
import { startTwoInstances, type TwoInstances } from '../helpers/instances.ts';
import { MobileApp, signatureHeaders, signingKeyOf, type SignedIn } from '../helpers/mobile-app.ts';
import { Browser } from '../helpers/browser.ts';
import { privatePostgresSkip, privateRedisSkip, startPrivatePostgres, startPrivateRedis, type PrivateService } from '../helpers/private-services.ts';

const PROBLEM = 'https://palisade.dev/problems/';
const skip = privatePostgresSkip() ?? privateRedisSkip();

/** Databases on the private PostgreSQL, in the shape the instance helpers take. */
function privateKind(postgres: PrivateService): DatabaseKind {
  return {
    kind: 'postgres',
    async create() {
      const name = `palisade_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(postgres.url);
      url.pathname = `/${name}`;
      const dataDir = mkdtempSync(path.join(tmpdir(), 'palisade-test-'));
      // The whole cluster goes when the test ends.
      return { kind: 'postgres', url: url.href, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  };
}

/** An answer the devices got: its status and problem type, or the network error. */
interface Seen {
  what: string;
  status: number;
  type: string;
  retryAfter: string | null;
}

describe('PostgreSQL restart and Redis loss under load (private servers)', { skip }, () => {
  let postgres: PrivateService;
  let redis: PrivateService;
  let instances: TwoInstances;
  let app: MobileApp;
  const probes: Browser[] = [];

  before(async () => {
    postgres = await startPrivatePostgres();
    redis = await startPrivateRedis();
    instances = await startTwoInstances(privateKind(postgres), { env: { REDIS_URL: redis.url, PALISADE_SESSIONS_MAX_DEVICES: '20', PALISADE_LOG_LEVEL: 'error' } });
    app = new MobileApp(instances.publicUrl, instances.a.ca);
    probes.push(new Browser(instances.a.ca), new Browser(instances.b.ca));
  });
  after(async () => {
    await app?.close();
    for (const p of probes) await p.close();
    await instances?.close();
    await redis?.close();
    await postgres?.close();
  });

  const bases = () => [instances.publicUrl, instances.bUrl];
  /** Each instance's /readyz status (and its problem's detail). */
  async function readiness(): Promise<{ status: number; detail: string }[]> {
    return Promise.all(
      bases().map(async (base, i) => {
        const answer = await fetch(`${base}/readyz`, { dispatcher: probes[i]!.dispatcher } as RequestInit);
        const body = (await answer.json().catch(() => ({}))) as { detail?: string };
        return { status: answer.status, detail: String(body.detail ?? '') };
      }),
    );
  }
  /** Until both instances answer /readyz with `status` (a hang guard, not a time bound). */
  async function untilReadiness(status: number): Promise<{ status: number; detail: string }[]> {
    for (let tries = 0; tries < 600; tries += 1) {
      const now = await readiness();
      if (now.every((r) => r.status === status)) return now;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the instances never answered /readyz ${status}: ${JSON.stringify(await readiness())}`);
  }
  /** Until `condition` holds (a hang guard of 60 s). */
  async function until(condition: () => boolean, what: string): Promise<void> {
    for (let tries = 0; tries < 600 && !condition(); tries += 1) await new Promise((r) => setTimeout(r, 100));
    assert.ok(condition(), `never happened: ${what}`);
  }

  async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: instances.database.url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  test('PostgreSQL restart: /readyz follows it, requests meanwhile get 503 not-ready, nothing acknowledged is lost, the audit chain verifies', async () => {
    const devices: SignedIn[] = [await app.signIn('u-tech'), await app.signIn('u-tech')];
    await sql("INSERT INTO fs_territories (code, name, region) VALUES ('south', 'South', 'west') ON CONFLICT DO NOTHING");
    await sql("INSERT INTO fs_technicians (user_id, display_name, territory, region) SELECT id, name, 'south', 'west' FROM users WHERE subject = 'u-tech' ON CONFLICT DO NOTHING");
    const since = Number((await sql<{ id: string | null }>('SELECT max(id) AS id FROM audit_events'))[0]!.id ?? 0);

    const seen: Seen[] = [];
    const failures: string[] = [];
    const acknowledged: number[] = [];
    let latitude = 0;
    let running = true;
    const record = (what: string, answer: { status: number; body: Record<string, unknown>; headers: Headers }) => {
      seen.push({ what, status: answer.status, type: String(answer.body.type ?? ''), retryAfter: answer.headers.get('retry-after') });
    };
    const loops = devices.map(async (device) => {
      let tokens = device.tokens;
      for (let round = 0; running; round += 1) {
        try {
          record('GET /api/v1/me', await app.call('/api/v1/me', tokens.access_token));
          latitude += 1;
          const lat = latitude / 1e5;
          const wrote = await app.call('/api/v1/me/location', tokens.access_token, { method: 'POST', body: JSON.stringify({ latitude: lat, longitude: 1 }) });
          record('POST /api/v1/me/location', wrote);
          if (wrote.status === 204 || wrote.status === 201) acknowledged.push(lat);
          if (round % 4 === 3) tokens = await app.refresh({ ...device, tokens });
        } catch (error) {
          // A refused refresh: the SDK's error carries the answer's status and problem.
          const { status, problem } = error as { status?: number; problem?: { type?: string } };
          if (status === 503 && problem?.type === `${PROBLEM}not-ready`) seen.push({ what: 'refresh', status, type: problem.type, retryAfter: null });
          else failures.push(`${status ?? ''} ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      device.tokens = tokens;
    });
    try {
      await until(() => seen.filter((s) => s.status === 200).length >= 4, 'the devices work before the outage');
      await postgres.stop();
      const down = await untilReadiness(503);
      for (const r of down) assert.match(r.detail, /database/i, '/readyz names the database');
      const before503 = seen.length;
      await until(() => seen.slice(before503).some((s) => s.status === 503), 'a request answered during the outage');
      await postgres.start();
      await untilReadiness(200);
      const back = seen.length;
      await until(() => seen.slice(back).filter((s) => s.status === 200 || s.status === 204).length >= 8, 'the devices work again after the restart');
    } finally {
      running = false;
      await Promise.all(loops);
    }
    const unexpected = seen.filter((s) => ![200, 201, 204].includes(s.status) && !(s.status === 503 && s.type === `${PROBLEM}not-ready`));
    const outage = seen.filter((s) => s.status === 503);
    console.log(`PostgreSQL restart: ${seen.length - outage.length} answered, ${outage.length} × 503 not-ready during the outage, ${unexpected.length + failures.length} other, ${acknowledged.length} writes acknowledged`);
    assert.deepEqual(unexpected, [], 'every answer is a success or 503 not-ready');
    assert.deepEqual(failures, [], 'no other failure (network error, 500, a hang cut by the guard)');
    assert.ok(outage.some((s) => s.retryAfter !== null), 'a 503 during the outage says when to retry');
    const committed = Number((await sql<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE action = 'location.report' AND outcome = 'success' AND id > $1", [since]))[0]!.n);
    assert.ok(committed >= acknowledged.length, `every acknowledged write is stored (${committed} of ${acknowledged.length})`);
    // The audit records written before the outage are sealed by an instance after it, and the
    // chain holds end to end.
    let pending = Infinity;
    for (let tries = 0; tries < 600 && pending > 0; tries += 1) {
      pending = Number((await sql<{ n: string }>('SELECT count(*) AS n FROM audit_pending'))[0]!.n);
      if (pending > 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(pending, 0, 'sealing resumes after the restart');
    const verified = await palisadeCli(['audit', 'verify'], instances.env);
    assert.equal(verified.code, 0, `palisade audit verify:\n${verified.out}`);
  });

  test('Redis loss: replay checks fail closed on every instance; when Redis returns, fresh requests pass and an earlier proof stays refused', async () => {
    const phone = await app.signIn('u-tech');
    const key = signingKeyOf(phone.tokens)!;
    const url = `${instances.publicUrl}/api/v1/me`;
    const authorization = `DPoP ${phone.tokens.access_token}`;
    const appKey = instances.a.appKeys['field-app']!;
    const ath = createHash('sha256').update(phone.tokens.access_token).digest('base64url');
    const jwk = await exportJWK(phone.keys!.publicKey);
    const fresh = async () => ({
      authorization,
      'palisade-app-key': appKey,
      dpop: await new SignJWT({ htm: 'GET', htu: url, jti: randomUUID(), ath }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt().sign(phone.keys!.privateKey),
      ...signatureHeaders({ method: 'GET', url, authorization }, key),
    });
    const at = async (i: number, headers: Record<string, string>) => {
      const answer = await fetch(`${bases()[i]}/api/v1/me`, { headers, dispatcher: probes[i]!.dispatcher } as RequestInit);
      const body = (await answer.json().catch(() => ({}))) as { type?: string };
      return { status: answer.status, type: String(body.type ?? ''), retryAfter: answer.headers.get('retry-after') };
    };

    const usedBefore = await fresh();
    assert.equal((await at(0, usedBefore)).status, 200, 'the control: instance A accepts a fresh request');

    await redis.stop();
    const down = await untilReadiness(503);
    for (const r of down) assert.match(r.detail, /redis/i, '/readyz names Redis');
    // An attacker holding a captured request sends it to both instances while Redis is away:
    // neither can check it against the shared replay store, so neither accepts it.
    const captured = await fresh();
    for (const i of [0, 1]) {
      const answer = await at(i, captured);
      assert.equal(answer.status, 503, `instance ${i === 0 ? 'A' : 'B'} refuses a request it cannot check for replay (${JSON.stringify(answer)})`);
      assert.equal(answer.type, `${PROBLEM}not-ready`);
      assert.ok(answer.retryAfter, 'the refusal says when to retry');
    }

    // The rule is by the second a value says it was made in (a proof's `iat`, a signature's
    // `created`): a Redis back within that very second could not tell (decision 0024). A real loss
    // and recovery take longer; on a quiet machine this test's may not, so it waits that second out.
    const madeS = decodeJwt(usedBefore.dpop).iat!;
    while (Date.now() < (madeS + 1) * 1000 + 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await redis.start();
    await untilReadiness(200);
    assert.equal((await at(0, await fresh())).status, 200, 'a fresh request passes on A once Redis is back');
    const again = await fresh();
    assert.equal((await at(1, again)).status, 200, 'and on B');
    const replayed = await at(0, again);
    assert.equal(replayed.status, 401, 'a replay across instances is refused again');
    // The restarted Redis remembers nothing: a proof used before the loss, still within its
    // lifetime, must not pass now.
    const old = await at(1, usedBefore);
    assert.equal(old.status, 401, `a proof used before Redis was lost is refused after it returns (${JSON.stringify(old)})`);
  });
});
