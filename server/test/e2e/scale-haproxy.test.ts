/**
 * Three Palisade instances behind HAProxy (Debian's package, started here on loopback ports) on
 * one PostgreSQL and one Redis, with simulated devices signing in (DPoP-bound tokens and request
 * signatures), refreshing, reading and writing through the load balancer the whole time:
 *
 * - a rolling restart of all three, one by one (SIGTERM: /readyz 503, drain, exit): no request
 *   fails;
 * - kill -9 of one: at most the requests in flight on it fail (each device has one in flight at
 *   most), every acknowledged write is in the database, the audit chain verifies and the
 *   survivors keep sealing;
 * - a sign-out through one instance is refused by the other two within a second; a DPoP proof
 *   or a request signature replayed to another instance is refused.
 *
 * The longer run with 200 devices is `npm run bench -- --only scale`. PostgreSQL and Redis only,
 * skipped without HAProxy unless PALISADE_REQUIRE_HAPROXY=1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SignJWT, exportJWK } from 'jose';
import pg from 'pg';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, palisadeCli, startPalisade, type StartedServer } from '../helpers/server.ts';
import { serverPid } from '../helpers/server-process.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { BEARER_FIELD_APP, MobileApp, relaxedPosture, signatureHeaders, signingKeyOf, type SignedIn } from '../helpers/mobile-app.ts';
import { haproxySkip, startHaproxy, type Haproxy } from '../helpers/haproxy.ts';
import { describeConnection, traceConnections } from '../helpers/connection-trace.ts';
import { Browser } from '../helpers/browser.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import { assignedJobs, failureKinds, filesUnder, missingStatusChanges, moveJobsAlong, PNG_1X1, runningInstances, sealLockHolder } from '../helpers/scale-checks.ts';

const PROBLEM = 'https://palisade.dev/problems/';
/**
 * Simulated devices, shared between two technicians. PALISADE_SCALE_DEVICES raises it for the
 * bench's longer run (`npm run bench -- --only scale`: 200); at most 200 (100 devices a person).
 */
const DEVICES = Math.min(200, Math.max(2, Number(process.env.PALISADE_SCALE_DEVICES ?? 6)));
const TECHNICIANS = ['u-tech', 'u-tech-north'];
/** Searches a person may make per window (the search class), counted across all instances. */
const SEARCH_LIMIT = 9;
/** How long the devices work before the instance is killed, and after (more in the bench). */
const KILL_WINDOW_MS = Number(process.env.PALISADE_SCALE_KILL_WINDOW_MS ?? 3000);
const skip = haproxySkip() ?? (process.env.TEST_REDIS_URL ? undefined : 'needs TEST_REDIS_URL (Redis shares replay markers and the session feed)');
const postgres = databaseKinds().find((k) => k.kind === 'postgres');

interface Outcome {
  /** `connection`: for a request that failed on the wire, the connection it went out on (helpers/connection-trace.ts). */
  failed: { what: string; status: string; connection?: string; at?: number }[];
  ok: number;
  /** Latitudes of the location reports Palisade acknowledged (204). */
  acknowledged: number[];
}

if (postgres) {
  describe('three instances behind HAProxy (PostgreSQL + Redis)', { skip }, () => {
    let database: TestDatabase;
    const dataDirs: TestDatabase[] = [];
    let upstream: UpstreamIdp;
    let haproxy: Haproxy;
    let publicUrl: string;
    const ports: number[] = [];
    const envs: Record<string, string | undefined>[] = [];
    const servers: StartedServer[] = [];
    let app: MobileApp;
    let sql: pg.Client;

    before(async () => {
      traceConnections();
      database = await postgres.create();
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      // The port the company IdP sends people back to is HAProxy's: the public URL.
      publicUrl = `https://localhost:${federated.port}`;
      const master = generateMasterKey();
      for (let i = 0; i < 3; i += 1) {
        const dir = await postgres.create(); // for its data folder (certificate) only
        dataDirs.push(dir);
        ports.push(await freePort());
        envs.push({
          ...federated.env,
          REDIS_URL: process.env.TEST_REDIS_URL,
          PALISADE_MASTER_KEY: master,
          PALISADE_SERVER_PUBLIC_URL: publicUrl,
          PALISADE_SERVER_TRUST_PROXY: 'true',
          PALISADE_LOG_LEVEL: 'info',
          PALISADE_CLIENTS: BEARER_FIELD_APP,
          PALISADE_DEVICE_POLICY: relaxedPosture('field-app'),
          // The simulated devices are one person's: more than the default three at once.
          PALISADE_SESSIONS_MAX_DEVICES: '100',
          // The search class (job lists) is exact across the instances: the load does not search.
          PALISADE_RATE_LIMITS_SEARCH_POINTS: String(SEARCH_LIMIT),
          PALISADE_DATA_DIR: dir.dataDir,
          PALISADE_SERVER_PORT: String(ports[i]),
        });
      }
      // Started together: migrations and the first signing key are serialized by the database.
      const started = await Promise.allSettled(envs.map((env) => startPalisade(env, 180_000)));
      for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      haproxy = await startHaproxy(federated.port, servers.map((s, i) => ({ name: `palisade${i + 1}`, port: ports[i]!, ca: s.ca })));
      app = new MobileApp(publicUrl, haproxy.ca);
      sql = new pg.Client({ connectionString: database.url });
      await sql.connect();
    });
    after(async () => {
      await app?.close();
      await sql?.end();
      await haproxy?.close();
      for (const server of servers) await server.stop();
      await upstream?.close();
      for (const dir of dataDirs) await dir.drop();
      await database?.drop();
    });

    /** A technician may report positions: a territory and a technician row for the person. */
    async function makeTechnician(subject: string) {
      await sql.query("INSERT INTO fs_territories (code, name, region) VALUES ('south', 'South', 'west') ON CONFLICT DO NOTHING");
      await sql.query("INSERT INTO fs_technicians (user_id, display_name, territory, region) SELECT id, name, 'south', 'west' FROM users WHERE subject = $1 ON CONFLICT DO NOTHING", [subject]);
    }

    let latitude = 0;
    /**
     * Devices at work until `stop()`: each reads /api/v1/me, reports a position (a write whose
     * acknowledgement is checked against the database later) and refreshes its tokens every
     * few rounds, one request at a time, so at most DEVICES requests are ever in flight.
     */
    function load(devices: SignedIn[], began = performance.now()): { stop(): Promise<Outcome> } {
      const outcome: Outcome = { failed: [], ok: 0, acknowledged: [] };
      let running = true;
      /** Seconds since the load began, for a failure's place in the test's timeline. */
      const at = () => Math.round((performance.now() - began) / 100) / 10;
      const note = (what: string, answer: { status: number; body: Record<string, unknown> }, okStatuses: number[]) => {
        if (okStatuses.includes(answer.status)) outcome.ok += 1;
        else outcome.failed.push({ what, status: `${answer.status} ${String(answer.body.type ?? '')} ${String(answer.body.detail ?? '')}`, at: at() });
      };
      const loops = devices.map(async (device) => {
        let tokens = device.tokens;
        for (let round = 0; running; round += 1) {
          let what = 'GET /api/v1/me';
          try {
            const me = await app.call('/api/v1/me', tokens.access_token);
            note(what, me, [200]);
            latitude += 1;
            const lat = latitude / 1e5;
            what = 'POST /api/v1/me/location';
            const wrote = await app.call('/api/v1/me/location', tokens.access_token, { method: 'POST', body: JSON.stringify({ latitude: lat, longitude: 1 }) });
            note(what, wrote, [201, 204]);
            if (wrote.status === 201 || wrote.status === 204) outcome.acknowledged.push(lat);
            if (round % 4 === 3) {
              what = 'POST /oauth2/token (refresh)';
              tokens = await app.refresh({ ...device, tokens });
              outcome.ok += 1;
            }
          } catch (error) {
            // openid-client's errors carry the answer's status (a failed refresh grant).
            const { status, code, cause } = error as { status?: number; code?: string; cause?: unknown };
            const why = cause instanceof Error ? ` (${cause.name}: ${cause.message})` : '';
            const connection = describeConnection(error);
            outcome.failed.push({ what, status: `${status ?? ''} ${code ?? ''} ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}${why}`, ...(connection ? { connection } : {}), at: at() });
          }
        }
        device.tokens = tokens;
      });
      return {
        async stop() {
          running = false;
          await Promise.all(loops);
          return outcome;
        },
      };
    }

    /** The failures counted by kind, for the figure lines. */
    const kinds = (outcome: Outcome) => JSON.stringify(Object.fromEntries(Object.entries(Object.groupBy(outcome.failed, (f) => `${f.what} ${f.status}`.slice(0, 160))).map(([k, v]) => [k, v!.length])));

    /**
     * The simulated devices, signed in once for the file: the rolling restart's load and the
     * kill's both use them (each load loop keeps the tokens it refreshed). Nothing between
     * ends their sessions: the sign-out test ends its own session only.
     */
    let signedInDevices: Promise<SignedIn[]> | undefined;
    const workingDevices = () => (signedInDevices ??= signInDevices());

    async function signInDevices(): Promise<SignedIn[]> {
      const devices: SignedIn[] = [];
      const started = performance.now();
      // A few at a time, as a shift starting would sign them in.
      for (let i = 0; i < DEVICES; i += 4) {
        devices.push(...(await Promise.all(Array.from({ length: Math.min(4, DEVICES - i) }, (_, j) => app.signIn(TECHNICIANS[(i + j) % TECHNICIANS.length]!)))));
      }
      console.log(`${DEVICES} devices signed in through HAProxy in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      for (const person of TECHNICIANS) await makeTechnician(person);
      return devices;
    }

    /** How often HAProxy has logged `instances/<name> is UP` or `is DOWN` (it logs each change of state). */
    const stateCount = (name: string, state: 'UP' | 'DOWN') => haproxy.output().split(`instances/${name} is ${state}`).length - 1;
    /** Until HAProxy has logged instance `i` in `state` more than `before` times. */
    async function poolState(i: number, state: 'UP' | 'DOWN', before: number) {
      const name = `palisade${i + 1}`;
      for (let tries = 0; tries < 1200 && stateCount(name, state) <= before; tries += 1) await new Promise((r) => setTimeout(r, 100));
      assert.ok(stateCount(name, state) > before, `HAProxy never marked ${name} ${state}:\n${haproxy.output().slice(-3000)}`);
    }
    /** Until the last change of state HAProxy logged for instance `i` is DOWN (whenever it went). */
    async function outOfPool(i: number) {
      const name = `palisade${i + 1}`;
      const out = () => haproxy.output().lastIndexOf(`instances/${name} is DOWN`) > haproxy.output().lastIndexOf(`instances/${name} is UP`);
      for (let tries = 0; tries < 1200 && !out(); tries += 1) await new Promise((r) => setTimeout(r, 100));
      assert.ok(out(), `HAProxy never took ${name} out:\n${haproxy.output().slice(-3000)}`);
    }
    /** Until every instance answers /readyz 200 directly. */
    async function allUp() {
      for (const server of servers) {
        const probe = new Browser(server.ca);
        try {
          for (let tries = 0; tries < 600; tries += 1) {
            const ready = await fetch(`https://localhost:${ports[servers.indexOf(server)]}/readyz`, { dispatcher: probe.dispatcher } as RequestInit).catch(() => undefined);
            if (ready?.status === 200) break;
            await new Promise((r) => setTimeout(r, 100));
          }
        } finally {
          await probe.close();
        }
      }
    }

    /**
     * Location reports are trimmed to the newest few per technician, so an acknowledged report is
     * found by its audit record, written in the same transaction: the count of committed reports
     * since `since` must reach every acknowledgement (a report that failed in flight may have
     * committed too, so it may exceed them).
     */
    async function committedReports(since: number): Promise<number> {
      const { rows } = await sql.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE action = 'location.report' AND outcome = 'success' AND id > $1", [since]);
      return Number(rows[0]!.n);
    }
    async function lastEventId(): Promise<number> {
      return Number((await sql.query<{ id: string | null }>('SELECT max(id) AS id FROM audit_events')).rows[0]!.id ?? 0);
    }

    test('a rolling restart of all three instances fails no request', async () => {
      const devices = await workingDevices();
      const since = await lastEventId();
      const began = performance.now();
      // The load generator's own stalls (this process drives every device): a device that could
      // not run for seconds would keep idle connections past the balancer's idle timeout, so a
      // failure's cause is judged with them in view.
      const stalls = monitorEventLoopDelay({ resolution: 20 });
      stalls.enable();
      const running = load(devices, began);
      /** What happened when, in seconds since the load began (failures carry the same clock). */
      const timeline: string[] = [];
      const mark = (what: string) => timeline.push(`${((performance.now() - began) / 1000).toFixed(1)} ${what}`);
      let outcome: Outcome;
      try {
        await new Promise((r) => setTimeout(r, 1500));
        for (let i = 0; i < servers.length; i += 1) {
          const name = `palisade${i + 1}`;
          const ups = stateCount(name, 'UP');
          mark(`SIGTERM ${name}`);
          await servers[i]!.stop();
          mark(`${name} exited`);
          // The instance comes back on the same address, so it starts only once HAProxy has
          // taken it out of the pool (its checks are refused from SIGTERM on). A balancer that
          // never saw it leave would route to the new process while it starts, and it answers
          // 503 not-ready until it is ready (docs/scaling.md, "restarting in place").
          // Out of the pool, whenever it went: on a saturated machine HAProxy may have taken it
          // out already (its health checks timed out) before the SIGTERM, and logs no second DOWN.
          await outOfPool(i);
          mark(`${name} out of the pool; starting again`);
          servers[i] = await startPalisade(envs[i]!, 180_000);
          await allUp();
          mark(`${name} ready`);
          // The next instance stops only once HAProxy routes to this one again, as an
          // orchestrator's rolling update waits for readiness.
          await poolState(i, 'UP', ups);
          mark(`${name} back in the pool`);
        }
      } finally {
        // Stopped whatever happened: a load left running would race the next test's load for
        // the same refresh tokens (reuse detection then ends the sessions).
        outcome = await running.stop();
        stalls.disable();
        const seconds = (performance.now() - began) / 1000;
        console.log(`rolling restart: ${outcome.ok} requests answered in ${seconds.toFixed(0)} s (${(outcome.ok / seconds).toFixed(1)}/s), ${outcome.failed.length} failed ${kinds(outcome)}, ${outcome.acknowledged.length} writes acknowledged`);
        console.log(`rolling restart: the devices' event loop was delayed up to ${(stalls.max / 1e6).toFixed(0)} ms (p99 ${(stalls.percentile(99) / 1e6).toFixed(0)} ms); timeline (s): ${timeline.join('; ')}`);
        for (const failure of outcome.failed.slice(0, 100)) console.log(`rolling restart failure at ${failure.at} s: ${failure.what}: ${failure.status.trim()}${failure.connection ? `; ${failure.connection}` : ''}`);
      }
      assert.deepEqual(outcome.failed, [], `no request fails while the instances restart one by one; HAProxy said:\n${haproxy.output().slice(-3000)}`);
      assert.ok(outcome.ok > DEVICES * 3, 'the devices kept working during the restart');
      assert.ok((await committedReports(since)) >= outcome.acknowledged.length, 'every acknowledged write is stored');
    });

    test('a sign-out through one instance is refused by the other two within a second', async () => {
      const session = await app.signIn('u-tech', { dpop: false });
      const direct = servers.map((s) => new MobileApp(publicUrl, s.ca));
      try {
        const call = (i: number, path: string, init: RequestInit = {}) => {
          direct[i]!.remember(session.tokens);
          return direct[i]!.call(path, session.tokens.access_token, { ...init, signing: { targetUri: `${publicUrl}${path}` } }, `https://localhost:${ports[i]}`);
        };
        for (const i of [1, 2]) assert.equal((await call(i, '/api/v1/me')).status, 200, `instance ${i + 1} accepts the token`);
        assert.equal((await call(0, '/api/v1/session/logout', { method: 'POST', body: '{}' })).status, 200);
        const started = performance.now();
        for (const i of [1, 2]) {
          let last;
          do last = await call(i, '/api/v1/me');
          while (last.status === 200 && performance.now() - started < 1000);
          assert.equal(last.status, 401, `instance ${i + 1} still accepted the revoked session after ${(performance.now() - started).toFixed(0)} ms`);
          assert.equal(last.body.type, `${PROBLEM}session-revoked`);
        }
      } finally {
        for (const d of direct) await d.close();
      }
    });

    test('a rate limit is exact across the three instances behind HAProxy: the N+1th request is refused wherever it lands', async () => {
      // A person the load does not use: their search counter starts at zero.
      const phone = await app.signIn('u-dispatcher');
      // Sent by hand (`signing`), not through the SDK, which would wait out a 429's Retry-After.
      const search = () => app.call('/api/v1/jobs', phone.tokens.access_token, { signing: {} });
      const answers = [];
      for (let i = 0; i < SEARCH_LIMIT; i += 1) answers.push(await search());
      assert.deepEqual(answers.map((a) => a.status), Array(SEARCH_LIMIT).fill(200), `the ${SEARCH_LIMIT} allowed searches pass, spread over the three instances`);
      const remaining = answers.map((a) => Number(/r=(\d+)/.exec(a.headers.get('ratelimit') ?? '')?.[1]));
      assert.deepEqual(remaining, Array.from({ length: SEARCH_LIMIT }, (_, i) => SEARCH_LIMIT - 1 - i), 'one counter: each answer counts the ones before it, whichever instance gave them');
      const over = await search();
      assert.equal(over.status, 429, 'the next search is refused');
      assert.equal(over.body.type, `${PROBLEM}rate-limited`);
      assert.ok(Number(over.headers.get('retry-after')) >= 1);
      // Whichever instance the following ones reach, they are refused too.
      for (let i = 0; i < 3; i += 1) assert.equal((await search()).status, 429);
    });

    test('a DPoP proof or a request signature replayed to another instance is refused', async () => {
      const phone = await app.signIn('u-tech');
      const key = signingKeyOf(phone.tokens)!;
      const url = `${publicUrl}/api/v1/me`;
      const authorization = `DPoP ${phone.tokens.access_token}`;
      const proof = () =>
        exportJWK(phone.keys!.publicKey).then((jwk) =>
          new SignJWT({ htm: 'GET', htu: url, jti: randomUUID(), ath: createHash('sha256').update(phone.tokens.access_token).digest('base64url') })
            .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
            .setIssuedAt()
            .sign(phone.keys!.privateKey),
        );
      const appKey = servers[0]!.appKeys['field-app']!;
      const probes = servers.map((s) => new Browser(s.ca));
      try {
        const at = (i: number, headers: Record<string, string>) => fetch(`https://localhost:${ports[i]}/api/v1/me`, { headers, dispatcher: probes[i]!.dispatcher } as RequestInit);
        const fresh = async () => ({ authorization, 'palisade-app-key': appKey, dpop: await proof(), ...signatureHeaders({ method: 'GET', url, authorization }, key) });
        const headers = await fresh();
        assert.equal((await at(0, headers)).status, 200, 'instance 1 accepts the request');
        const sameProof = await at(1, headers);
        assert.equal(sameProof.status, 401, 'instance 2 refuses the replayed request');
        assert.match(((await sameProof.json()) as { type: string }).type, /replayed|dpop|invalid/);
        // The signature alone replayed, with a new DPoP proof: the shared nonce store refuses it.
        const newProof = { ...headers, dpop: await proof() };
        const sigReplay = await at(2, newProof);
        assert.equal(sigReplay.status, 401, 'instance 3 refuses a replayed signature');
        assert.equal(((await sigReplay.json()) as { type: string }).type, `${PROBLEM}signature-replayed`);
        assert.equal((await at(2, await fresh())).status, 200, 'the control: a fresh proof and signature pass on instance 3');
      } finally {
        for (const p of probes) await p.close();
      }
    });

    test('kill -9 of one instance: only requests in flight on it fail; acknowledged writes stay; the audit chain verifies; sealing goes on', async () => {
      const devices = await workingDevices();
      const since = await lastEventId();
      const running = load(devices);
      await new Promise((r) => setTimeout(r, 1500));
      const victim = await serverPid(servers[1]!);
      process.kill(victim, 'SIGKILL');
      await new Promise((r) => setTimeout(r, KILL_WINDOW_MS));
      const outcome = await running.stop();
      console.log(`kill -9: ${outcome.ok} requests answered, ${outcome.failed.length} failed (${JSON.stringify(outcome.failed)}), ${outcome.acknowledged.length} writes acknowledged`);
      // A GET HAProxy retries on another instance after the killed one had seen it carries a
      // DPoP proof Redis already marks as used: it is refused as a replay (401), one of the
      // in-flight failures this bound allows. Replay protection wins over transparent retry.
      assert.ok(outcome.failed.length <= DEVICES, `at most the ${DEVICES} requests in flight may fail, not ${outcome.failed.length}; HAProxy said:\n${haproxy.output().slice(-3000)}`);
      assert.ok((await committedReports(since)) >= outcome.acknowledged.length, 'every acknowledged write is stored');
      // The killed instance's sealer is gone; the survivors take the round lock and seal.
      let pending = Infinity;
      for (let tries = 0; tries < 200 && pending > 0; tries += 1) {
        pending = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM audit_pending')).rows[0]!.n);
        if (pending > 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(pending, 0, 'every audit record is sealed by the surviving instances');
      const verified = await palisadeCli(['audit', 'verify'], envs[0]!);
      assert.equal(verified.code, 0, `palisade audit verify:\n${verified.out}`);
    });
    test('a photo uploaded through one instance is read through the others: the bytes are in PostgreSQL, not in a folder', async () => {
      await makeTechnician('u-tech');
      const [job] = await assignedJobs(sql, 'u-tech', 1);
      const session = await app.signIn('u-tech', { dpop: false });
      const [from, ...others] = await runningInstances(servers);
      assert.ok(from && others.length > 0, 'two instances run');
      const path = `/api/v1/jobs/${job}/photos`;
      const uploader = new MobileApp(publicUrl, servers[from.index]!.ca);
      let photo: { id: string; sha256: string; size: number; mediaType: string };
      try {
        uploader.remember(session.tokens);
        const uploaded = await uploader.call(path, session.tokens.access_token, { method: 'POST', body: PNG_1X1, headers: { 'content-type': 'image/png' }, signing: { targetUri: `${publicUrl}${path}` } }, `https://localhost:${ports[from.index]}`);
        assert.equal(uploaded.status, 201, `instance ${from.index + 1} takes the upload: ${uploaded.text}`);
        photo = uploaded.body as typeof photo;
      } finally {
        await uploader.close();
      }
      const { rows } = await sql.query('SELECT 1 FROM fs_photos p JOIN fs_photo_blobs b ON b.key = p.blob_key WHERE p.id = $1', [photo.id]);
      assert.equal(rows.length, 1, 'the bytes are in the PostgreSQL blob store');
      assert.deepEqual(filesUnder(`${dataDirs[from.index]!.dataDir}/blobs`), [], 'nothing in the uploading instance’s folder');
      const key = signingKeyOf(session.tokens)!;
      const authorization = `Bearer ${session.tokens.access_token}`;
      for (const other of others) {
        const probe = new Browser(servers[other.index]!.ca);
        try {
          const at = async (p: string) => {
            const headers = { authorization, 'palisade-app-key': servers[other.index]!.appKeys['field-app']!, ...signatureHeaders({ method: 'GET', url: `${publicUrl}${p}`, authorization }, key) };
            return fetch(`https://localhost:${ports[other.index]}${p}`, { headers, dispatcher: probe.dispatcher } as RequestInit);
          };
          const listed = await at(path);
          assert.equal(listed.status, 200);
          assert.deepEqual(((await listed.json()) as { photos: { id: string }[] }).photos.map((p) => p.id), [photo.id], `instance ${other.index + 1} lists the photo`);
          const read = await at(`${path}/${photo.id}`);
          assert.equal(read.status, 200, `instance ${other.index + 1} serves the photo`);
          assert.equal(read.headers.get('content-type'), photo.mediaType);
          const bytes = Buffer.from(await read.arrayBuffer());
          assert.equal(bytes.length, photo.size);
          assert.equal(createHash('sha256').update(bytes).digest('hex'), photo.sha256, `instance ${other.index + 1} serves the very bytes instance ${from.index + 1} stored`);
        } finally {
          await probe.close();
        }
      }
    });

    test('kill -9 of the instance holding the audit sealing lock: every acknowledged status change is stored; another instance seals on; the chain verifies', async () => {
      const alive = await runningInstances(servers);
      // Three again first: the instance an earlier test killed starts anew (while the devices
      // sign in) and rejoins HAProxy's pool, so this kill leaves two of three, as losing one
      // instance in production does.
      const dead = servers.map((_, i) => i).filter((i) => !alive.some((r) => r.index === i));
      const ups = dead.map((i) => stateCount(`palisade${i + 1}`, 'UP'));
      const restarted = Promise.all(
        dead.map(async (i) => {
          await servers[i]!.stop();
          // As in the rolling restart: back on the same address only once HAProxy has it out.
          await outOfPool(i);
          servers[i] = await startPalisade(envs[i]!, 180_000);
        }),
      );
      const devices = await signInDevices();
      const work = [];
      for (const [i, device] of devices.entries()) work.push({ device, jobs: await assignedJobs(sql, TECHNICIANS[i % TECHNICIANS.length]!, 20) });
      await restarted;
      await allUp();
      for (const [n, i] of dead.entries()) await poolState(i, 'UP', ups[n]!);
      const began = performance.now();
      const running = moveJobsAlong(app, work);
      const instances = await runningInstances(servers);
      assert.ok(instances.length >= 2, 'two instances run');
      // Caught holding the lock: the instance is (or was a moment ago) in a sealing round.
      let holder = -1;
      for (let tries = 0; tries < 3000 && holder < 0; tries += 1) {
        holder = await sealLockHolder(
          sql,
          instances.map((i) => i.pid),
        );
        if (holder < 0) await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(holder >= 0, 'an instance was seen holding the sealing lock');
      const victim = instances[holder]!;
      const sealedBefore = Number((await sql.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM audit_chain')).rows[0]!.seq ?? 0);
      process.kill(victim.pid, 'SIGKILL');
      const killedAt = performance.now();
      const lastBeforeKill = await lastEventId();
      // Sealing goes on: a record written after the kill is linked into the chain by a survivor.
      let resumedMs: number | undefined;
      for (let tries = 0; tries < 600 && resumedMs === undefined; tries += 1) {
        const { rows } = await sql.query<{ n: string }>('SELECT count(*) AS n FROM audit_chain WHERE seq > $1 AND event_id > $2', [sealedBefore, lastBeforeKill]);
        if (Number(rows[0]!.n) > 0) resumedMs = performance.now() - killedAt;
        else await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, KILL_WINDOW_MS));
      const outcome = await running.stop();
      const survivors = instances.filter((i) => i !== victim).map((i) => `palisade${i.index + 1}`);
      const seconds = (performance.now() - began) / 1000;
      console.log(
        `kill -9 of the sealing instance (palisade${victim.index + 1}): ${outcome.ok} requests answered in ${seconds.toFixed(0)} s (${(outcome.ok / seconds).toFixed(1)}/s), ${outcome.failed.length} failed ${failureKinds(outcome.failed)}, ${outcome.acknowledged.length} status changes acknowledged; sealing resumed on ${survivors.join('/')} ${resumedMs === undefined ? 'never' : `${resumedMs.toFixed(0)} ms`} after the kill (seal interval 250 ms)`,
      );
      assert.ok(outcome.acknowledged.length > 0, 'the devices moved jobs along');
      assert.deepEqual(await missingStatusChanges(sql, outcome.acknowledged), [], 'every acknowledged status change has its job event and its audit record');
      assert.ok(resumedMs !== undefined, 'a survivor seals the records written after the kill');
      assert.ok(outcome.failed.length <= DEVICES, `at most the ${DEVICES} requests in flight may fail, not ${outcome.failed.length}; HAProxy said:\n${haproxy.output().slice(-3000)}`);
      let pending = Infinity;
      for (let tries = 0; tries < 600 && pending > 0; tries += 1) {
        pending = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM audit_pending')).rows[0]!.n);
        if (pending > 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(pending, 0, 'every audit record is sealed by the survivors');
      const verified = await palisadeCli(['audit', 'verify'], envs[0]!);
      assert.equal(verified.code, 0, `palisade audit verify:\n${verified.out}`);
    });
  });
}
