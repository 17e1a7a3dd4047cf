/**
 * What each stage of the request pipeline (http/app.ts) adds to a request, stage by
 * stage, as ratios to bare Fastify measured in the same run.
 *
 * Every configuration serves the same tiny POST route, in this process, through Fastify's
 * `inject` (no sockets: TLS and the network cost the same with or without a stage, and would
 * only blur the differences). Each configuration adds one stage to the previous one, in the
 * pipeline's order, so "added" is what that stage costs. Per-request inputs that must be fresh
 * (DPoP proofs with unique ids, signatures with unique nonces) are made before each timed batch,
 * outside the timing, as a client would make them on its own device.
 *
 * The stages are the production ones with in-memory state: the memory cache's counters and
 * replay markers, a real ES256 key and BearerVerifier; no database is touched (the session guard
 * is the in-memory deny set; its own cost is measured by session-checks.ts). The app key stage
 * reads its key row from a stand-in for the database, which its 5-second cache asks once per 5
 * seconds, as in production (the lookup itself: app-keys.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Value } from 'typebox/value';
import { exportJWK, generateKeyPair, SignJWT, calculateJwkThumbprint, type JWK } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import { createApp, type AppOptions } from '../src/http/app.ts';
import { BearerVerifier } from '../src/http/bearer.ts';
import { systemClock } from '../src/clock.ts';
import { MemoryCache } from '../src/cache/index.ts';
import { ConfigSchema } from '../src/config/schema.ts';
import { AppKeys, AppKeyStage, RateLimits, RateLimitStage, RequestSignatureStage, type RateLimitsConfig } from '../src/apisec/index.ts';
import { signRequest } from '../src/apisec/signatures.ts';
import type { Database } from '../src/db/index.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../src/security/primitives.ts';

const ORIGIN = 'https://palisade.bench';
const ISSUER = ORIGIN;
const AUDIENCE = `${ORIGIN}/api`;
const PATH = '/api/v1/bench';
const BODY = JSON.stringify({ status: 'on_site', note: 'arrived at the gate' });

/** One request as a configuration sends it: headers made fresh per request where needed. */
type Prepare = () => Promise<Record<string, string>>;

interface Stage {
  name: string;
  app: FastifyInstance;
  prepare: Prepare;
}

export interface StageResult {
  name: string;
  perSecond: number;
  /** Microseconds per request. */
  us: number;
}

export interface PipelineSettings {
  /** Total measuring time per stage, spread over alternating rounds. */
  msPerStage: number;
  rounds: number;
}

const RESPONSE = { 200: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false } } as const;
const BODY_SCHEMA = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['assigned', 'en_route', 'on_site', 'completed', 'cancelled'] }, note: { type: 'string', maxLength: 500 } },
  required: ['status'],
  additionalProperties: false,
} as const;

function unlimited(): RateLimitsConfig {
  const limits = structuredClone((Value.Default(ConfigSchema, {}) as { rateLimits: RateLimitsConfig }).rateLimits);
  // Counted as in production, never refused: the bench measures the counting, not a 429.
  limits.standard.points = 1_000_000_000;
  return limits;
}

/**
 * The app_keys table as the app key stage uses it (insert one key, read it by id, note its use),
 * in memory: the pipeline bench touches no database.
 */
function oneKeyTable(): Database {
  let row: Record<string, unknown> | undefined;
  const db = {
    async query(sql: string, params: unknown[] = []) {
      if (sql.startsWith('INSERT INTO app_keys')) {
        const [id, appId, name, keyHash, createdAt, createdBy, expiresAt] = params;
        row = { id, appId, name, keyHash, createdAt, createdBy, expiresAt, lastUsedAt: null, revokedAt: null, replacedBy: null };
        return { rows: [{ id }] };
      }
      if (sql.startsWith('SELECT')) return { rows: row && row.id === params[0] ? [row] : [] };
      return { rows: [] };
    },
    transaction: <T>(fn: (tx: unknown) => Promise<T>) => fn(db),
  };
  return db as unknown as Database;
}

async function build(): Promise<{ stages: Stage[]; close(): Promise<void> }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const cache = new MemoryCache();
  const verifier = () =>
    new BearerVerifier([jwk], { issuer: ISSUER, audience: AUDIENCE, clock: systemClock, isRevoked: () => false, claimOnce: (key, ttl) => cache.claimOnce(key, ttl) });
  const device = await generateKeyPair('ES256');
  const deviceJwk = await exportJWK(device.publicKey);
  const jkt = await calculateJwkThumbprint(deviceJwk);
  const token = async (bound: boolean) =>
    new SignJWT({ client_id: 'field-app', sid: 'bench-session', roles: ['technician'], scope: 'api', ...(bound ? { cnf: { jkt } } : {}) })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u-bench')
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti(randomUUID())
      .sign(privateKey);
  const bearerToken = await token(false);
  const dpopToken = await token(true);
  const ath = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(dpopToken))).toString('base64url');
  const proof = () =>
    new SignJWT({ htm: 'POST', htu: `${ORIGIN}${PATH}`, ath, jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: deviceJwk })
      .setIssuedAt()
      .sign(device.privateKey);

  const base = (extra: Partial<AppOptions>): FastifyInstance =>
    createApp({
      bodyLimit: 65_536,
      logLevel: 'silent',
      trustProxy: false,
      corsOrigins: [],
      bearer: verifier(),
      publicOrigin: ORIGIN,
      sessionGuard: async () => undefined,
      stepUp: { maxAgeMs: 300_000, clock: systemClock },
      readiness: async () => undefined,
      ...extra,
    });
  const rateLimits = () => new RateLimitStage(new RateLimits({ config: unlimited(), counters: (o) => cache.counters(o) }));
  const appKeyService = new AppKeys({ db: oneKeyTable(), clock: systemClock, master: masterKeyFromBase64url(generateMasterKey()), apps: ['field-app'] });
  const appKey = (await appKeyService.create('field-app', { name: 'bench' })).key;
  const appKeys = new AppKeyStage(appKeyService, []);
  const keyed = { 'palisade-app-key': appKey };

  // The session's signing key as the signature stage holds it once unwrapped (its per-instance cache).
  const sessionKey = { keyId: 'bench-key', key: randomBytes(32) };
  const signatures = () =>
    new RequestSignatureStage({
      keys: { lookup: async () => sessionKey },
      claimOnce: (key, ttl) => cache.claimOnce(key, ttl),
      clock: systemClock,
      mode: 'required',
      windowMs: 5 * 60_000,
      clients: new Map(),
      publicOrigin: ORIGIN,
    });

  const json = { 'content-type': 'application/json' };
  const signed = async () => {
    const authorization = `DPoP ${dpopToken}`;
    return { ...json, ...keyed, authorization, dpop: await proof(), ...signRequest({ method: 'POST', targetUri: `${ORIGIN}${PATH}`, authorization, body: BODY, ...sessionKey }) };
  };
  const stages: Stage[] = [];
  {
    const app = Fastify({ logger: false });
    app.post(PATH, async () => ({ ok: true }));
    stages.push({ name: 'bare Fastify', app, prepare: async () => json });
  }
  {
    const app = base({});
    app.post(PATH, async () => ({ ok: true }));
    stages.push({ name: '+ security headers, request context, problem handling', app, prepare: async () => json });
  }
  {
    const app = base({ appKeys });
    app.post(PATH, async () => ({ ok: true }));
    stages.push({ name: '+ app key (HMAC, 5 s cache)', app, prepare: async () => ({ ...json, ...keyed }) });
  }
  {
    const app = base({ appKeys, rateLimits: rateLimits() });
    // Without a verified user the standard class has no key; the next stage gives it one.
    app.post(PATH, async () => ({ ok: true }));
    stages.push({ name: '+ rate limit hooks (no user yet)', app, prepare: async () => ({ ...json, ...keyed }) });
  }
  {
    const app = base({ appKeys, rateLimits: rateLimits() });
    app.post(PATH, { onRequest: [app.authenticate] }, async () => ({ ok: true }));
    stages.push({ name: '+ bearer token (ES256) + per-user rate limit', app, prepare: async () => ({ ...json, ...keyed, authorization: `Bearer ${bearerToken}` }) });
  }
  {
    const app = base({ appKeys, rateLimits: rateLimits() });
    app.post(PATH, { onRequest: [app.authenticate] }, async () => ({ ok: true }));
    stages.push({ name: '+ DPoP proof (ES256, replay marker)', app, prepare: async () => ({ ...json, ...keyed, authorization: `DPoP ${dpopToken}`, dpop: await proof() }) });
  }
  {
    const app = base({ appKeys, rateLimits: rateLimits(), requestSignatures: signatures() });
    app.post(PATH, { onRequest: [app.authenticate] }, async () => ({ ok: true }));
    stages.push({ name: '+ request signature (RFC 9421 HMAC, digest, nonce marker)', app, prepare: signed });
  }
  {
    const app = base({ appKeys, rateLimits: rateLimits(), requestSignatures: signatures() });
    app.post(PATH, { onRequest: [app.authenticate], schema: { body: BODY_SCHEMA, response: RESPONSE } }, async () => ({ ok: true }));
    stages.push({ name: '+ schema validation + response serialization', app, prepare: signed });
  }
  for (const stage of stages) await stage.app.ready();
  return {
    stages,
    async close() {
      for (const stage of stages) await stage.app.close();
      await cache.close();
    },
  };
}

const BATCH = 100;

/** Requests per second through `stage` for about `ms`, headers made outside the timing. */
async function rate(stage: Stage, ms: number): Promise<number> {
  let timed = 0;
  let count = 0;
  while (timed < ms) {
    const headers = await Promise.all(Array.from({ length: BATCH }, () => stage.prepare()));
    const started = performance.now();
    for (const h of headers) {
      const response = await stage.app.inject({ method: 'POST', url: PATH, headers: h, payload: BODY });
      if (response.statusCode !== 200) throw new Error(`${stage.name}: answered ${response.statusCode} ${response.body.slice(0, 300)}`);
    }
    timed += performance.now() - started;
    count += BATCH;
  }
  return count / (timed / 1000);
}

export async function measurePipeline(settings: PipelineSettings): Promise<StageResult[]> {
  const { stages, close } = await build();
  try {
    for (const stage of stages) await rate(stage, 200); // warm-up: JIT, caches
    const totals = stages.map(() => 0);
    // Alternating rounds, so drift in machine load falls on every stage alike.
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const [i, stage] of stages.entries()) totals[i]! += await rate(stage, settings.msPerStage / settings.rounds);
    }
    return stages.map((stage, i) => {
      const perSecond = totals[i]! / settings.rounds;
      return { name: stage.name, perSecond, us: 1e6 / perSecond };
    });
  } finally {
    await close();
  }
}

export function pipelineReport(results: StageResult[]): string {
  const bare = results[0]!;
  const header = ['stage (cumulative)', 'req/s', 'µs/req', 'added µs', 'vs bare'];
  const rows = results.map((r, i) => [
    r.name,
    r.perSecond.toFixed(0),
    r.us.toFixed(1),
    i === 0 ? '' : `${r.us - results[i - 1]!.us >= 0 ? '+' : ''}${(r.us - results[i - 1]!.us).toFixed(1)}`,
    `${(r.perSecond / bare.perSecond).toFixed(3)}×`,
  ]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    'Request pipeline, stage by stage (in-process inject, POST with a small JSON body; each row adds one stage to the row above):',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
