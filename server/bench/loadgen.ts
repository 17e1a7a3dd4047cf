/**
 * The load generator: a process of its own (run.ts forks it and pins it to a core of its own
 * with `taskset` where it can), so none of the client's work — TLS, JSON, making DPoP proofs and
 * request signatures, openid-client's token requests — lands on the server's CPU or event loop.
 *
 * It is the mobile app: it signs people in at the company IdP through Palisade (MobileApp, the
 * same client the end-to-end tests use: PKCE, DPoP device key, posture report, app key), keeps
 * their sessions, and then drives the load the parent asks for over IPC:
 *
 *   signIn   `count` sign-ins, `concurrency` at a time; the sessions are kept by number
 *   get      a closed loop (`connections` requests in flight) or an open loop at `rate` req/s
 *            against one URL; with a session each request carries the app key, a DPoP proof
 *            (unique jti, `ath` of the token) and an RFC 9421 signature (unique nonce). Those
 *            are made before the measured window (pre-signed: the protocol allows it within
 *            their freshness windows of 300 s), sized from the warm-up's rate; should the
 *            window outrun them, the rest are made on the fly and counted.
 *   refresh  rotating refresh-token chains (one session each) with the device's DPoP key and
 *            posture report, one grant at a time per chain
 *
 * Before a measured window starts it sends `{ type: 'window-start' }`, so the parent samples
 * its CPU counters exactly around the window; then the result.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { SignJWT, exportJWK, type JWK } from 'jose';
import { signRequest } from '../src/apisec/index.ts';
import { rememberAppKeys } from '../test/helpers/app-keys.ts';
import { MobileApp, signingKeyOf, type SignedIn } from '../test/helpers/mobile-app.ts';

export interface InitMessage {
  type: 'init';
  issuer: string;
  ca: string;
  clientId: string;
  appKey: string;
}

export interface SignInMessage {
  type: 'signIn';
  person: string;
  count: number;
  concurrency: number;
}

export interface GetMessage {
  type: 'get';
  /** Full URL to request (the public origin: it is what the proof's htu and the signature name). */
  url: string;
  /** A session number from signIn: requests carry its DPoP proof and signature; none: a bare GET. */
  session?: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** Open loop at this many requests per second (latency from the scheduled start); closed loop without. */
  rate?: number;
}

export interface RefreshMessage {
  type: 'refresh';
  sessions: number[];
  warmupMs: number;
  durationMs: number;
}

export interface TouchMessage {
  type: 'touch';
  /** Each of these sessions makes `calls` signed GETs of `url`, one after another. */
  sessions: number[];
  url: string;
  calls: number;
  concurrency: number;
}

export type Command = InitMessage | SignInMessage | GetMessage | RefreshMessage | TouchMessage | { type: 'exit' };

export interface LoadResult {
  ok: true;
  /** Completed within the measured window. */
  count: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers and failed requests (any makes the numbers meaningless; the parent refuses them). */
  failures: number;
  firstFailure?: string;
  /** Requests whose proof and signature were made during the window, not before it. */
  signedOnTheFly: number;
  /** This process's CPU over the measured window (ms). */
  cpuMs: number;
  /** Sign-ins: the sessions made. */
  sessions?: number[];
}

export type Reply = LoadResult | { ok: false; error: string } | { type: 'window-start' };

interface Session {
  signedIn: SignedIn;
  accessToken: string;
  refreshToken: string;
  publicJwk: JWK;
  ath: string;
  signing: { keyId: string; key: string };
}

let app: MobileApp | undefined;
let appKey = '';
let agent: Agent | undefined;
const sessions = new Map<number, Session>();
const signedInOnce = new Set<string>();
let nextSession = 1;

function send(message: Reply): void {
  process.send!(message);
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Latencies in a growable typed array: a 60 s window at thousands of requests a second. */
class Latencies {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(ms: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = ms;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

async function adopt(signedIn: SignedIn): Promise<number> {
  const tokens = signedIn.tokens;
  const signing = signingKeyOf(tokens);
  if (!signedIn.keys || !tokens.refresh_token || !signing) throw new Error(`the sign-in gave no ${[signedIn.keys ? '' : 'device key', tokens.refresh_token ? '' : 'refresh token', signing ? '' : 'signing key'].filter(Boolean).join(', ')}`);
  const id = nextSession++;
  sessions.set(id, {
    signedIn,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    publicJwk: await exportJWK(signedIn.keys.publicKey),
    ath: createHash('sha256').update(tokens.access_token).digest('base64url'),
    signing,
  });
  return id;
}

/** The headers an app sends with one API GET: app key, DPoP proof, request signature. */
async function signedHeaders(session: Session, url: string): Promise<Record<string, string>> {
  const authorization = `DPoP ${session.accessToken}`;
  const proof = await new SignJWT({ htm: 'GET', htu: url, ath: session.ath })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: session.publicJwk })
    .setJti(randomUUID())
    .setIssuedAt()
    .sign(session.signedIn.keys!.privateKey);
  return { 'palisade-app-key': appKey, authorization, dpop: proof, ...signRequest({ method: 'GET', targetUri: url, authorization, keyId: session.signing.keyId, key: session.signing.key }) };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function runGet(m: GetMessage): Promise<LoadResult> {
  const session = m.session === undefined ? undefined : sessions.get(m.session);
  if (m.session !== undefined && !session) throw new Error(`no session ${m.session}`);
  let failures = 0;
  let firstFailure: string | undefined;
  let onTheFly = 0;
  let pool: Record<string, string>[] = [];
  let next = 0;
  const headersFor = async (): Promise<Record<string, string>> => {
    if (!session) return {};
    if (next < pool.length) return pool[next++]!;
    onTheFly += 1;
    return signedHeaders(session, m.url);
  };
  const one = async (): Promise<boolean> => {
    try {
      const response = await request(m.url, { method: 'GET', headers: await headersFor(), dispatcher: agent! });
      const text = await response.body.text();
      if (response.statusCode >= 200 && response.statusCode < 300) return true;
      failures += 1;
      firstFailure ??= `${response.statusCode} ${text.slice(0, 300)}`;
    } catch (error) {
      failures += 1;
      firstFailure ??= (error as Error).message;
    }
    return false;
  };

  // Warm-up: JIT, connections, caches; proofs made on the fly. Its rate sizes the pre-signed pool.
  const warmEnd = performance.now() + m.warmupMs;
  let warmed = 0;
  const warmStarted = performance.now();
  await Promise.all(
    Array.from({ length: m.connections }, async () => {
      while (performance.now() < warmEnd) {
        await one();
        warmed += 1;
      }
    }),
  );
  const warmRate = warmed / Math.max(0.001, (performance.now() - warmStarted) / 1000);
  failures = 0;
  firstFailure = undefined;
  onTheFly = 0;
  if (session) {
    const expected = m.rate ?? warmRate;
    const size = Math.ceil(expected * (m.durationMs / 1000) * 1.5) + m.connections * 20;
    pool = [];
    for (let i = 0; i < size; i += 1) pool.push(await signedHeaders(session, m.url));
    next = 0;
  }

  const latencies = new Latencies();
  send({ type: 'window-start' });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + m.durationMs;
  if (m.rate === undefined) {
    await Promise.all(
      Array.from({ length: m.connections }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          if (await one()) latencies.push(performance.now() - t);
        }
      }),
    );
  } else {
    // Open loop: request i is due at started + i / rate; a connection that is late starts it at
    // once, and its latency counts from when it was due (no coordinated omission).
    const interval = 1000 / m.rate;
    let scheduled = 0;
    await Promise.all(
      Array.from({ length: m.connections }, async () => {
        for (;;) {
          const due = started + scheduled * interval;
          if (due >= end) return;
          scheduled += 1;
          const wait = due - performance.now();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          if (await one()) latencies.push(performance.now() - due);
        }
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sorted();
  return {
    ok: true,
    count: sorted.length,
    seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    failures,
    ...(firstFailure ? { firstFailure } : {}),
    signedOnTheFly: onTheFly,
    cpuMs: cpuMs(cpu),
  };
}

async function runSignIn(m: SignInMessage): Promise<LoadResult> {
  const made: number[] = [];
  let measuredCount = 0;
  const latencies = new Latencies();
  let left = m.count;
  if (!signedInOnce.has(m.person)) {
    // A person's first sign-in makes their user row; concurrent first sign-ins of one person
    // race on it (409), so the first is made alone, before the window.
    made.push(await adopt(await app!.signIn(m.person)));
    signedInOnce.add(m.person);
    left -= 1;
  }
  send({ type: 'window-start' });
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(m.concurrency, left) }, async () => {
      while (left > 0) {
        left -= 1;
        const t = performance.now();
        made.push(await adopt(await app!.signIn(m.person)));
        latencies.push(performance.now() - t);
        measuredCount += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sorted();
  return { ok: true, count: measuredCount, seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), failures: 0, signedOnTheFly: 0, cpuMs: cpuMs(cpu), sessions: made };
}

async function runRefresh(m: RefreshMessage): Promise<LoadResult> {
  const chains = m.sessions.map((id) => {
    const session = sessions.get(id);
    if (!session) throw new Error(`no session ${id}`);
    return session;
  });
  const grant = async (session: Session) => {
    const tokens = await app!.refresh(session.signedIn, session.refreshToken);
    if (!tokens.refresh_token) throw new Error('a refresh gave no new refresh token');
    session.refreshToken = tokens.refresh_token;
    session.accessToken = tokens.access_token;
    session.ath = createHash('sha256').update(tokens.access_token).digest('base64url');
  };
  const phase = (until: number, record: (ms: number) => void) =>
    Promise.all(
      chains.map(async (session) => {
        while (performance.now() < until) {
          const t = performance.now();
          await grant(session);
          record(performance.now() - t);
        }
      }),
    );
  await phase(performance.now() + m.warmupMs, () => undefined);
  const latencies = new Latencies();
  send({ type: 'window-start' });
  const cpu = process.cpuUsage();
  const started = performance.now();
  await phase(started + m.durationMs, (ms) => latencies.push(ms));
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sorted();
  return { ok: true, count: sorted.length, seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), failures: 0, signedOnTheFly: 0, cpuMs: cpuMs(cpu) };
}

/** A few signed API calls from each session, as active devices make (the memory bench's load). */
async function runTouch(m: TouchMessage): Promise<LoadResult> {
  const queue = [...m.sessions];
  let failures = 0;
  let firstFailure: string | undefined;
  let count = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(m.concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const session = sessions.get(id);
        if (!session) throw new Error(`no session ${id}`);
        for (let i = 0; i < m.calls; i += 1) {
          try {
            const response = await request(m.url, { method: 'GET', headers: await signedHeaders(session, m.url), dispatcher: agent! });
            const text = await response.body.text();
            count += 1;
            if (response.statusCode < 200 || response.statusCode >= 300) {
              failures += 1;
              firstFailure ??= `${response.statusCode} ${text.slice(0, 300)}`;
            }
          } catch (error) {
            failures += 1;
            firstFailure ??= (error as Error).message;
          }
        }
      }
    }),
  );
  return { ok: true, count, seconds: (performance.now() - started) / 1000, p50Ms: 0, p99Ms: 0, failures, ...(firstFailure ? { firstFailure } : {}), signedOnTheFly: count, cpuMs: cpuMs(cpu) };
}

process.on('message', (command: Command) => {
  void (async () => {
    try {
      switch (command.type) {
        case 'init':
          appKey = command.appKey;
          rememberAppKeys(command.issuer, { [command.clientId]: command.appKey });
          app = new MobileApp(command.issuer, command.ca, command.clientId);
          // Keep-alive connections, as many as the largest load asks for; TLS checked against Palisade's certificate.
          agent = new Agent({ connect: { ca: command.ca }, connections: 256, pipelining: 1 });
          send({ ok: true, count: 0, seconds: 0, p50Ms: 0, p99Ms: 0, failures: 0, signedOnTheFly: 0, cpuMs: 0 });
          return;
        case 'signIn':
          send(await runSignIn(command));
          return;
        case 'get':
          send(await runGet(command));
          return;
        case 'refresh':
          send(await runRefresh(command));
          return;
        case 'touch':
          send(await runTouch(command));
          return;
        case 'exit':
          await app?.close();
          await agent?.close();
          process.disconnect();
          return;
      }
    } catch (error) {
      send({ ok: false, error: (error as Error).stack ?? String(error) });
    }
  })();
});
