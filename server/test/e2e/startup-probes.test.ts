/**
 * Probes during start-up, as a load balancer or Kubernetes sends them: from the first moment
 * the process runs, every 50 ms, before the port is even bound. Nothing may crash the process
 * or hang a probe until the app is ready: /healthz answers 200 throughout, /readyz and every
 * other route 503 problem+json `not-ready` until the server is ready, then /readyz 200. Once
 * ready, /readyz also answers for Redis: it says 503 when the Redis it was given goes away.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { connect } from 'node:net';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startPalisade, type StartedServer } from '../helpers/server.ts';

const PROBED = ['/healthz', '/readyz', '/api/v1/jobs'] as const;

interface Answer {
  path: string;
  status: number;
  contentType: string;
  body: string;
}

/** One probe over TLS, certificate unchecked as probes do; no timeout but a generous hang guard. */
function probe(port: number, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', rejectUnauthorized: false, agent: false, timeout: 120_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ path, status: res.statusCode!, contentType: String(res.headers['content-type'] ?? ''), body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`probe of ${path} hung`)));
    req.on('error', reject);
    req.end();
  });
}

/** Probes every 50 ms from now until stopped; records every answer and every failure after the port was first bound. */
function startProbing(port: number) {
  const answers: Answer[] = [];
  const failures: string[] = [];
  let stopped = false;
  let bound = false;
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(
        PROBED.map(async (path) => {
          try {
            answers.push(await probe(port, path));
            bound = true;
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            // Refused before the port is bound is expected; after, it means the process died.
            if (!(code === 'ECONNREFUSED' && !bound)) failures.push(`${path}: ${code ?? (error as Error).message}`);
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    answers,
    failures,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

function problemType(answer: Answer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { type?: string }).type;
  } catch {
    return undefined;
  }
}

/** The statuses of one path in order, with a check that the not-ready answers are problem+json. */
function notReadyThen(answers: Answer[], path: string): { before: number; after: Answer[] } {
  const of = answers.filter((a) => a.path === path);
  const firstOther = of.findIndex((a) => a.status !== 503);
  const starting = firstOther === -1 ? of : of.slice(0, firstOther);
  for (const a of starting) {
    assert.match(a.contentType, /^application\/problem\+json\b/, `${path} answers problem+json while starting`);
    assert.equal(problemType(a), 'https://palisade.dev/problems/not-ready', `${path} says not-ready while starting: ${a.body}`);
  }
  const later = firstOther === -1 ? [] : of.slice(firstOther);
  assert.ok(later.every((a) => a.status !== 503), `${path}: once ready, never "not ready" again: ${later.map((a) => a.status).join(' ')}`);
  return { before: starting.length, after: later };
}

async function startRedis(): Promise<{ url: string; process: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

for (const kind of databaseKinds()) {
  describe(`probes while npm start boots on a fresh ${kind.kind} database`, () => {
    let database: TestDatabase;
    let redis: Awaited<ReturnType<typeof startRedis>>;
    let server: StartedServer | undefined;
    let probing: ReturnType<typeof startProbing>;
    let port: number;

    before(async () => {
      database = await kind.create();
      redis = await startRedis();
      port = await freePort();
      // From the first moment: the probes run before the process is even spawned.
      probing = startProbing(port);
      server = await startPalisade({ PALISADE_DATA_DIR: database.dataDir, PALISADE_SERVER_PORT: String(port), DATABASE_URL: database.url, REDIS_URL: redis.url }, 240_000);
      // A few rounds after the banner, so the ready answers are seen too.
      const deadline = Date.now() + 60_000;
      while (!probing.answers.some((a) => a.path === '/readyz' && a.status === 200) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await probing.stop();
      // A first start on an empty embedded database on a busy machine: a hang guard only.
    }, { timeout: 900_000 });

    after(async () => {
      await probing?.stop();
      await server?.stop();
      await redis?.stop();
      await database?.drop();
    });

    test('nothing crashes and no probe fails or hangs', () => {
      assert.deepEqual(probing.failures, [], 'every probe after the port was bound got an answer');
      assert.doesNotMatch(server!.output(), /TypeError|ReferenceError|uncaught/i, 'no error in the server’s output');
    });

    test('/healthz answers 200 throughout', () => {
      const health = probing.answers.filter((a) => a.path === '/healthz');
      assert.ok(health.length > 0, 'the health probe was answered');
      for (const a of health) {
        assert.equal(a.status, 200, `healthz: ${a.status} ${a.body}`);
        assert.deepEqual(JSON.parse(a.body), { status: 'ok' });
      }
    });

    test('/readyz answers 503 problem+json until the server is ready, then 200', () => {
      const { before: starting, after: ready } = notReadyThen(probing.answers, '/readyz');
      assert.ok(starting > 0, 'start-up takes the migrations and keys at least: some probe saw it not ready');
      assert.ok(ready.length > 0 && ready.every((a) => a.status === 200 && JSON.parse(a.body).status === 'ready'), 'then ready');
    });

    test('every other route answers 503 problem+json until ready, then is served', () => {
      const { before: starting, after: served } = notReadyThen(probing.answers, '/api/v1/jobs');
      assert.ok(starting > 0, 'some probe saw the API not ready');
      assert.ok(served.length > 0, 'the API is served once ready');
    });

    test('/readyz says 503 when Redis goes away, while /healthz stays 200', async () => {
      assert.equal((await probe(port, '/readyz')).status, 200, 'ready with Redis up');
      await redis.stop();
      const deadline = Date.now() + 60_000;
      let answer = await probe(port, '/readyz');
      while (answer.status === 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await probe(port, '/readyz');
      }
      assert.equal(answer.status, 503, 'not ready without its Redis');
      assert.match(answer.contentType, /^application\/problem\+json\b/);
      assert.equal(problemType(answer), 'https://palisade.dev/problems/not-ready');
      assert.match(JSON.parse(answer.body).detail, /Redis/, 'the problem says what is missing');
      assert.equal((await probe(port, '/healthz')).status, 200, 'the process is alive');
    });
  });
}
