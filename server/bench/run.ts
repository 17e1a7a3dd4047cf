/**
 * `npm run bench`: what Palisade's request pipeline costs, as ratios against a bare baseline
 * measured in the same run on the same machine and database (absolute numbers say more about
 * the machine than about Palisade; ratios can be compared across machines and over time).
 *
 *   baseline      bare Fastify over TLS 1.3, the single-row user query /api/v1/me runs
 *   /api/v1/me    the full pipeline: app key, bearer verification (signature, claims, session)
 *                 and the RFC 9421 request signature with its replay check
 *   refresh       refresh-token grants per second over rotating chains
 *   audit trail   an audited write against the same write bare, appends with the sealer
 *                 running, sealing alone, and the chain verified afterwards (audit.ts)
 *   pipeline      each stage of the request pipeline added one at a time to bare Fastify, in
 *                 process, with ratios to bare Fastify (pipeline.ts)
 *   row-level     a dispatcher's jobs list as the runtime role (policies on) against the same
 *   security      SQL as the table owner (policies off), on PGlite and, when a server is named,
 *                 on PostgreSQL, each in a database of its own (rls.ts)
 *
 * PostgreSQL when BENCH_DATABASE_URL or DATABASE_URL is set (a throwaway database is created
 * and dropped), embedded PGlite otherwise. Everything listens on loopback only.
 */
import os from 'node:os';
import path from 'node:path';
import { decodeJwt, type JWK } from 'jose';
import { measureSessionChecks } from './session-checks.ts';
import { measureAppKeys } from './app-keys.ts';
import { openDatabase, type Database } from '../src/db/index.ts';
import { openConfiguredDatabase } from '../src/main.ts';
import { masterKeyFromBase64url } from '../src/security/primitives.ts';
import { auditReport, measureAudit, type AuditBenchSettings } from './audit.ts';
import { createBenchDatabase, type BenchDatabase } from './database.ts';
import { startBenchPalisade, CLIENT_ID, type BenchPalisade } from './palisade.ts';
import { startBaseline, type Baseline } from './baseline.ts';
import { measureGet, measureRefresh, measureSignedGet, type LoadSettings, type Measurement } from './load.ts';
import { measurePipeline, pipelineReport, type PipelineSettings } from './pipeline.ts';
import { measureRls, rlsReport, type RlsSettings } from './rls.ts';

const SETTINGS: LoadSettings = { connections: 10, warmupSeconds: 1, durationSeconds: 5 };
const REFRESH_CHAINS = 8;
/** About 25 s on an idle machine: 8 s of write-cost rounds, 4 s of appends, a 30 000-record backlog sealed, the chain verified. */
const AUDIT: AuditBenchSettings = { concurrency: 8, writeMsPerVariant: 2000, rounds: 5, appendMs: 4000, sealEvents: 30_000 };
/** Per stage of the pipeline: 2 s in 4 alternating rounds. */
const PIPELINE: PipelineSettings = { msPerStage: 2000, rounds: 4 };
/** 20 000 jobs; 1.5 s per variant and page in 3 rounds: about 35 s on PGlite and 15 s more on PostgreSQL. */
const RLS: RlsSettings = { jobs: 20_000, msPerVariant: 1500, rounds: 3 };
/** Start-up, the measured phases and clean-up take about 130 s; beyond twice that something hangs. */
const DEADLINE_MS = 300_000;

/** Progress goes to stderr so stdout holds only the report. */
function progress(line: string): void {
  console.error(`bench: ${line}`);
}

function table(baseline: Measurement, rows: Measurement[]): string {
  const header = ['', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'vs baseline'];
  const body = rows.map((m) => [
    m.name,
    m.perSecond.toFixed(0),
    m.p50Ms.toFixed(1),
    m.p99Ms.toFixed(1),
    String(m.total),
    `${(m.perSecond / baseline.perSecond).toFixed(3)}×`,
  ]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Runs clean-ups now, newest first, until `keep` are left for the end. */
async function cleanUp(cleanups: (() => Promise<unknown>)[], keep: number): Promise<void> {
  while (cleanups.length > keep) {
    await cleanups.shift()!().catch((error: unknown) => console.error(`clean-up failed: ${(error as Error).message}`));
  }
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    // First, while nothing else runs in this process: the pipeline in isolation.
    progress('measuring the request pipeline stage by stage');
    const pipeline = await measurePipeline(PIPELINE);
    const database: BenchDatabase = await createBenchDatabase();
    cleanups.unshift(() => database.drop());
    const palisade: BenchPalisade = await startBenchPalisade(database);
    cleanups.unshift(() => palisade.close());

    const { server } = palisade;
    const serverVersion = (await server.db.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
    progress(`database: ${database.kind}; Palisade at ${server.url}`);

    const { accessToken, signingKey } = await palisade.login('u-tech');
    const userId = decodeJwt(accessToken).sub!;

    // PostgreSQL: the baseline gets a pool of its own of the same size, as a separate service
    // would. PGlite is one connection that only one opener may hold, so it shares Palisade's.
    let baselineDb: Database = server.db;
    if (database.url) {
      const own = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'unused'), poolSize: server.config.database.poolSize });
      cleanups.unshift(() => own.close());
      baselineDb = own;
    }
    const baseline: Baseline = await startBaseline({ db: baselineDb, dataDir: database.dataDir, userId });
    cleanups.unshift(() => baseline.close());

    // Chains get their own logins now, so the sign-ins are not part of any measured phase.
    const chainTokens = await Promise.all(Array.from({ length: REFRESH_CHAINS }, () => palisade.login('u-tech')));

    const meUrl = `https://127.0.0.1:${new URL(server.url).port}/api/v1/me`;
    progress('measuring the baseline');
    const bare = await measureGet('baseline (bare Fastify + TLS + user query)', baseline.url, SETTINGS);
    progress('measuring GET /api/v1/me');
    // Signed for the public URL the app addresses (the load goes to the same server by address).
    const me = await measureSignedGet('GET /api/v1/me (app key + bearer verified + request signed)', meUrl, SETTINGS, {
      targetUri: `${server.url}/api/v1/me`,
      authorization: `Bearer ${accessToken}`,
      keyId: signingKey.keyId,
      key: signingKey.key,
      headers: { 'palisade-app-key': palisade.appKey },
    });
    progress('measuring refresh-token grants');
    const refresh = await measureRefresh(`refresh_token grant (${REFRESH_CHAINS} chains)`, {
      tokenEndpoint: palisade.tokenEndpoint,
      clientId: CLIENT_ID,
      ca: palisade.ca,
      refreshTokens: chainTokens.map((t) => t.refreshToken),
      warmupMs: SETTINGS.warmupSeconds * 1000,
      durationMs: SETTINGS.durationSeconds * 1000,
    });

    progress('measuring the per-request session checks');
    const jwks = ((await (await palisade.app.http.fetch(`${server.url}/oauth2/jwks`)).json()) as { keys: JWK[] }).keys;
    const checks = await measureSessionChecks({ db: server.db, jwks, issuer: server.url, token: accessToken, durationMs: SETTINGS.durationSeconds * 1000 });
    progress('measuring the app key check');
    const keyCost = await measureAppKeys({ db: server.db, master: masterKeyFromBase64url(palisade.masterKey), appId: CLIENT_ID, key: palisade.appKey, durationMs: SETTINGS.durationSeconds * 1000 });

    // The audit bench has the database to itself: the servers stop first (Palisade seals what
    // it recorded on the way out), and it reopens the same database as Palisade would.
    progress('stopping the servers for the audit trail benchmark');
    await cleanUp(cleanups, 1); // all but dropping the database
    const auditDb = await openConfiguredDatabase(server.config);
    cleanups.unshift(() => auditDb.close());
    const audit = await measureAudit({ db: auditDb, masterKey: masterKeyFromBase64url(palisade.masterKey), settings: AUDIT, progress });
    // Databases of its own, seeded with jobs; the audit bench's database stays untouched.
    const rls = await measureRls(RLS, progress);

    // The report is printed in one piece at the end: the fake company IdP's oidc-provider
    // prints development notices while the sign-ins run.
    const cpus = os.cpus();
    console.log('');
    console.log(`Node ${process.version} · ${cpus.length} CPU${cpus.length === 1 ? '' : 's'} (${cpus[0]?.model.trim() ?? 'unknown'})`);
    console.log(`Database: ${database.kind === 'postgres' ? `PostgreSQL ${serverVersion} (throwaway database)` : `PGlite (embedded, PostgreSQL ${serverVersion})`}`);
    console.log(
      `Load: ${SETTINGS.connections} connections, ${SETTINGS.warmupSeconds} s warm-up + ${SETTINGS.durationSeconds} s per GET target; refresh: ${REFRESH_CHAINS} rotating chains, same timing`,
    );
    console.log('');
    console.log(table(bare, [bare, me, refresh]));
    console.log('');
    console.log(`/api/v1/me: ${(me.perSecond / bare.perSecond).toFixed(2)}× baseline`);
    console.log(`refresh_token grants: ${refresh.perSecond.toFixed(0)}/s, ${(refresh.perSecond / bare.perSecond).toFixed(3)}× baseline`);
    const perCallUs = (perSecond: number) => 1e6 / perSecond;
    console.log(
      `session checks (revocation + idle lock) per request: ${(perCallUs(checks.withChecksPerSecond) - perCallUs(checks.verifyOnlyPerSecond)).toFixed(1)} µs ` +
        `on top of ${perCallUs(checks.verifyOnlyPerSecond).toFixed(1)} µs of token verification ` +
        `(${(checks.withChecksPerSecond / checks.verifyOnlyPerSecond).toFixed(3)}× verify-only; ${((perCallUs(checks.withChecksPerSecond) - perCallUs(checks.verifyOnlyPerSecond)) / (1e6 / me.perSecond) * 100).toFixed(2)}% of a /api/v1/me request)`,
    );
    console.log(
      `app key check per request: ${perCallUs(keyCost.cachedPerSecond).toFixed(1)} µs from the 5 s cache ` +
        `(${((perCallUs(keyCost.cachedPerSecond) / (1e6 / me.perSecond)) * 100).toFixed(2)}% of a /api/v1/me request), ` +
        `${perCallUs(keyCost.lookupPerSecond).toFixed(1)} µs with the indexed lookup every time`,
    );
    console.log('');
    console.log(pipelineReport(pipeline));
    const auditSection = auditReport(audit, AUDIT);
    console.log('');
    console.log(auditSection.text);
    console.log('');
    console.log(rlsReport(rls, RLS));
    // A benchmark that broke the chain (or made the trail log errors) must not pass quietly.
    if (!auditSection.ok) process.exitCode = 1;
  } finally {
    // Reverse order of creation: servers before the database they use.
    for (const cleanup of cleanups) {
      await cleanup().catch((error: unknown) => console.error(`clean-up failed: ${(error as Error).message}`));
    }
  }
}

const deadline = setTimeout(() => {
  console.error(`bench: still running after ${DEADLINE_MS / 1000} s; giving up`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
}
