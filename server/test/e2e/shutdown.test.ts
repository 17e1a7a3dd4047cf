/**
 * Stopping `npm start` the way an orchestrator does (SIGTERM to the Palisade process), with
 * requests on the wire. A request in flight is one whose headers the server has taken: a POST
 * sent with `Expect: 100-continue` is in flight once the server answers `100 Continue`, and its
 * body is sent later. Proven here:
 *  - the in-flight request completes after the signal; a load balancer's kept-alive connection
 *    is told 503 by /readyz; a new connection is refused; the process exits 0 and says
 *    "Palisade stopped.";
 *  - a second SIGTERM during the stop ends the process at once, non-zero;
 *  - `server.shutdownTimeout` bounds the wait for a request that never finishes: exit non-zero.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import { request } from 'node:https';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartVia, type StartedServer } from '../helpers/server.ts';
import { serverPid } from '../helpers/server-process.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import { REPEATED_SIGNAL_MS } from '../../src/shutdown.ts';

/** A raw TLS connection to the server, with everything it received so far. */
class Wire {
  received = '';
  ended = false;
  readonly socket: TLSSocket;
  readonly ready: Promise<void>;

  constructor(url: string, ca: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect({ host: hostname, port: Number(port), ca, servername: hostname });
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('latin1')));
    this.socket.on('end', () => (this.ended = true));
    this.socket.on('close', () => (this.ended = true));
    this.socket.on('error', () => undefined);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('secureConnect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Waits (hang guard only) until `done` holds for what was received. */
  async until(done: (received: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.received)) {
      if (Date.now() > deadline) throw new Error(`no ${what}; received:\n${this.received}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.received;
  }
}

/** Status codes of the complete responses (head and body, by content-length) received. */
function statuses(received: string): number[] {
  const out: number[] = [];
  let rest = received;
  for (;;) {
    const head = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/.exec(rest);
    if (!head) return out;
    const length = Number(/^content-length:\s*(\d+)/im.exec(head[2]!)?.[1] ?? 0);
    const end = head[0].length + length;
    if (rest.length < end) return out;
    out.push(Number(head[1]));
    rest = rest.slice(end);
  }
}

function get(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The error of a connection attempt, or 'connected'. */
function connectOutcome(url: string, ca: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: hostname });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const TOKEN_BODY = 'grant_type=authorization_code&code=not-a-code&client_id=nobody&redirect_uri=https%3A%2F%2Fexample.invalid%2Fcb&code_verifier=' + 'v'.repeat(43);

/** A token request whose body is held back: in flight once the server says 100 Continue. */
async function heldTokenRequest(server: StartedServer): Promise<{ wire: Wire; finish(): void }> {
  const wire = new Wire(server.url, server.ca);
  await wire.ready;
  const host = new URL(server.url).host;
  wire.write(`POST /oauth2/token HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${TOKEN_BODY.length}\r\nExpect: 100-continue\r\n\r\n`);
  await wire.until((r) => r.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), '100 Continue');
  return { wire, finish: () => wire.write(TOKEN_BODY) };
}

async function untilLogged(server: StartedServer, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(server.output())) {
    if (Date.now() > deadline) throw new Error(`the log never matched ${pattern}:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const kind = databaseKinds()[0]!; // embedded PGlite: the lifecycle does not depend on the database
const started: StartedServer[] = [];
const databases: TestDatabase[] = [];

/**
 * A server of its own. `via`: the graceful stop is the README's `npm start` stopped as an
 * orchestrator stops it; the other two signal Palisade's own process the same way, so npm in
 * front of it would only cost its start (helpers/server.ts StartVia).
 */
async function start(via: StartVia, env: Record<string, string> = {}): Promise<{ server: StartedServer; pid: number }> {
  const database = await kind.create({ migrated: true });
  databases.push(database);
  // No demo dataset: a stop does the same with or without it, and each start would load it.
  const server = await startPalisade({ PALISADE_DATA_DIR: database.dataDir, PALISADE_MASTER_KEY: generateMasterKey(), PALISADE_LOG_LEVEL: 'info', PALISADE_DEMO_SEED: 'false', ...env }, 240_000, via);
  started.push(server);
  assert.equal(await get(`${server.url}/healthz`, server.ca), 200);
  return { server, pid: await serverPid(server) };
}

const starting: Promise<unknown>[] = [];

after(async () => {
  await Promise.allSettled(starting); // a start a failed test never waited for
  for (const server of started) await server.stop();
  for (const database of databases) await database.drop();
});

describe('SIGTERM: a graceful stop', { timeout: 600_000 }, () => {
  /**
   * Each test stops its own server, so each has one; the three start together at the beginning
   * (their starts are independent) and each test waits for its own. A failed start fails its test.
   */
  type Starting = ReturnType<typeof start>;
  let graceful: Starting;
  let repeated: Starting;
  let bounded: Starting;
  before(() => {
    graceful = start('npm');
    repeated = start('direct');
    bounded = start('direct', { PALISADE_SERVER_SHUTDOWN_TIMEOUT: '1s' });
    // Awaited by the tests; a rejection is theirs to report, not an unhandled one.
    starting.push(...[graceful, repeated, bounded].map((promise) => promise.catch(() => undefined)));
  });

  test('the request in flight completes, /readyz says 503 on a kept connection, a new connection is refused, exit 0', async () => {
    const { server, pid } = await graceful;
    const host = new URL(server.url).host;
    const held = await heldTokenRequest(server);
    // A load balancer's kept-alive connection: one probe answered, the next one begun (its
    // headers unfinished, so the connection is not idle) before the signal. Node closes a
    // kept-alive connection keepAliveTimeout (server.keepAliveTimeout, 72 s; it was Node's 5 s) +
    // 1 s after its last answer even with a request begun on it, so nothing slow (the held request) comes between that answer and
    // the end of the begun request: only the signal and its log line.
    const probe = new Wire(server.url, server.ca);
    await probe.ready;
    probe.write(`GET /readyz HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    await probe.until((r) => statuses(r).length === 1, 'first readiness answer');
    assert.deepEqual(statuses(probe.received), [200]);
    probe.write(`GET /readyz HTTP/1.1\r\nHost: ${host}\r\n`);

    process.kill(pid, 'SIGTERM');
    await untilLogged(server, /"event":"server\.stopping"/);

    probe.write('\r\n');
    await probe.until((r) => statuses(r).length === 2, 'readiness answer after the signal');
    assert.deepEqual(statuses(probe.received), [200, 503], 'not ready from the signal on');
    assert.match(probe.received.slice(probe.received.lastIndexOf('HTTP/1.1 ')), /^connection: close\r$/im, 'the connection is closed after the answer');

    assert.equal(await connectOutcome(server.url, server.ca), 'ECONNREFUSED', 'no new connection is accepted');

    held.finish();
    await held.wire.until((r) => statuses(r.slice(r.indexOf('\r\n\r\n') + 4)).length === 1, 'an answer to the request in flight');
    const answer = held.wire.received.slice(held.wire.received.indexOf('\r\n\r\n') + 4);
    const [status] = statuses(answer);
    assert.ok(status !== undefined && status >= 400 && status < 500, `the token endpoint answered the request (an unknown client): ${answer.split('\r\n')[0]}`);

    assert.equal(await server.exitCode(), 0, `exit 0:\n${server.output().split('\n').slice(-5).join('\n')}`);
    assert.match(server.output(), /"msg":"Palisade stopped\."/);
    assert.doesNotMatch(server.output(), /"event":"server\.(drain_timeout|stop_forced|stop_failed)"/);
  });

  test('a second SIGTERM during the stop ends the process at once, non-zero', async () => {
    const { server, pid } = await repeated;
    await heldTokenRequest(server);
    process.kill(pid, 'SIGTERM');
    await untilLogged(server, /"event":"server\.stopping"/);
    // The same signal twice within REPEATED_SIGNAL_MS is one (under `npm start`, npm forwards it
    // to the process group's member that has it already); a later one is a second request.
    await new Promise((resolve) => setTimeout(resolve, REPEATED_SIGNAL_MS + 200));
    process.kill(pid, 'SIGTERM');
    assert.notEqual(await server.exitCode(), 0);
    assert.match(server.output(), /"event":"server\.stop_forced"/);
    assert.doesNotMatch(server.output(), /"msg":"Palisade stopped\."/);
  });

  test('server.shutdownTimeout bounds a request that never finishes: exit non-zero', async () => {
    const { server, pid } = await bounded;
    const held = await heldTokenRequest(server);
    process.kill(pid, 'SIGTERM');
    assert.notEqual(await server.exitCode(), 0);
    assert.match(server.output(), /"event":"server\.drain_timeout"/);
    await held.wire.until(() => held.wire.ended, 'the cut connection to end');
  });
});
