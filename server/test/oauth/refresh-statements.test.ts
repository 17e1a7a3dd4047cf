/**
 * What one DPoP-bound, rotating refresh-token grant costs the database, counted at the driver
 * on PostgreSQL: the statements the token request sends and how many of them commit. Palisade
 * runs in this process (as the bench runs it) so the driver can be watched; the app signs in
 * and refreshes over HTTPS as the mobile app does (device key, DPoP proof, posture report).
 *
 * Only the request's own statements count (those issued in its request context): the audit
 * trail's queued events are written in batches for many requests (`emit`), and the sealer
 * works on its own schedule. A change that adds a statement or a commit to the grant fails here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { loadConfig } from '../../src/config/load.ts';
import { startServer, type RunningServer } from '../../src/main.ts';
import { generateMasterKey, hashToken } from '../../src/security/primitives.ts';
import { startUpstreamIdp, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { freePort, GENEROUS_RATE_LIMITS } from '../helpers/server.ts';
import { provisionInProcess } from '../helpers/app-keys.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import { currentContext } from '../../src/audit/index.ts';

type Query = (this: object, ...args: unknown[]) => unknown;

interface Statement {
  sql: string;
  /** The first parameter (for oidc-provider's records: the model), for the diagnostics. */
  first: string;
  requestId: string;
}

/** Every statement a pg client sends from within a request, with that request's id. */
async function watchPg(): Promise<{ seen: Statement[]; restore(): void }> {
  const { default: pg } = await import('pg');
  const proto = pg.Client.prototype as unknown as { query: Query };
  const original = proto.query;
  const seen: Statement[] = [];
  proto.query = function (this: object, ...args: unknown[]) {
    const requestId = currentContext()?.requestId;
    if (requestId) {
      const config = args[0];
      const params = Array.isArray(args[1]) ? (args[1] as unknown[]) : [];
      const sql = typeof config === 'string' ? config : String((config as { text?: unknown }).text ?? '');
      seen.push({ sql: sql.replace(/\s+/g, ' ').trim(), first: String(params[0] ?? '').slice(0, 16), requestId });
    }
    return original.apply(this, args);
  };
  return { seen, restore: () => void (proto.query = original) };
}

const MAX_STATEMENTS = 12;
const MAX_COMMITS = 12;

/** How many commits the statements make: each outside BEGIN … COMMIT commits on its own. */
function commitsOf(statements: Statement[]): number {
  let open = false;
  let commits = 0;
  for (const s of statements) {
    const word = s.sql.split(' ')[0]!.toUpperCase();
    if (word === 'BEGIN') open = true;
    else if (word === 'COMMIT') {
      open = false;
      commits += 1;
    }
    else if (word === 'ROLLBACK') open = false;
    else if (!open) commits += 1;
  }
  return commits;
}

/** Waits (a hang guard, not a timing) until the grant's answer is kept for the retry window. */
async function settled(server: RunningServer, refreshToken: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await server.db.asOwner((o) => o.query<{ state: string }>('SELECT state FROM refresh_retries WHERE token_hash = $1', [hashToken(refreshToken)]));
    if (rows[0]?.state === 'done') return;
    if (Date.now() > deadline) throw new Error('the refresh grant never kept its answer for the retry window');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const postgres = databaseKinds().find((kind) => kind.kind === 'postgres');

describe('a DPoP-bound refresh grant on PostgreSQL: statements and commits', { skip: postgres ? false : 'needs TEST_DATABASE_URL (no driver to watch on PGlite)' }, () => {
  let database: TestDatabase;
  let upstream: UpstreamIdp;
  let server: RunningServer;
  let app: MobileApp;
  let session: SignedIn;

  before(async () => {
    database = await postgres!.create({ migrated: true });
    const port = await freePort();
    upstream = await startUpstreamIdp(() => `https://localhost:${port}/auth/callback`);
    const config = loadConfig({
      env: {
        PALISADE_DATA_DIR: database.dataDir,
        PALISADE_SERVER_PORT: String(port),
        PALISADE_SERVER_HOST: '127.0.0.1',
        PALISADE_MASTER_KEY: generateMasterKey(),
        DATABASE_URL: database.url!,
        ...upstream.env,
        PALISADE_LOG_LEVEL: 'silent',
        ...GENEROUS_RATE_LIMITS,
      },
    });
    const appKey = (await provisionInProcess(config))['field-app']!;
    server = await startServer({ config, announce: () => undefined });
    const ca = readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8');
    app = new MobileApp(server.url, ca, 'field-app', { appKey });
    session = await app.signIn('u-tech');
  });

  after(async () => {
    await server?.close();
    await upstream?.close();
    await database?.drop();
  });

  test('a refresh sends at most the statements and commits counted when it was last cut', async (t) => {
    let refreshToken = session.tokens.refresh_token!;
    // Warm: the key set, the app's discovery, the pool's connections.
    // Each warm grant's retry-window write finishes after its answer: waited for here, or the
    // last one would be counted as the first counted grant's statement.
    for (let i = 0; i < 2; i += 1) {
      const spent = refreshToken;
      refreshToken = (await app.refresh(session, refreshToken)).refresh_token!;
      await settled(server, spent);
    }
    const pg = await watchPg();
    t.after(() => pg.restore());
    const perGrant: Statement[][] = [];
    for (let i = 0; i < 3; i += 1) {
      const from = pg.seen.length;
      const tokens = await app.refresh(session, refreshToken);
      assert.ok(tokens.refresh_token && tokens.refresh_token !== refreshToken, 'the refresh token rotated');
      // The retry window keeps the answer once the response has finished: part of the grant.
      await settled(server, refreshToken);
      refreshToken = tokens.refresh_token;
      // The trail's queued events are written in one batch for many requests, by a timer that
      // may have been set during one of them: that batch is not this grant's.
      // A pool connection opened during the grant (the pool grows, or replaces one that idled
      // out, when a loaded machine overlaps the retry-window write with the next request) takes
      // the runtime role once, for its whole life: a cost per connection, not per grant.
      perGrant.push(pg.seen.slice(from).filter((s) => !s.sql.includes('jsonb_to_recordset') && !/^SET ROLE /.test(s.sql)));
    }
    for (const statements of perGrant) {
      const texts = statements.map((s) => `${s.sql.slice(0, 100)} [${s.first}]`);
      t.diagnostic(`${statements.length} statements:\n  ${texts.join('\n  ')}`);
      // 14 before, each its own commit: now the retry window's read of the token is also
      // oidc-provider's read of it, and replay detection claims the proof's jti in one statement
      // instead of a read and a write.
      assert.ok(statements.length <= MAX_STATEMENTS, `a refresh grant sends at most ${MAX_STATEMENTS} statements, not ${statements.length}:\n${texts.join('\n')}`);
      assert.ok(commitsOf(statements) <= MAX_COMMITS, `a refresh grant commits at most ${MAX_COMMITS} times, not ${commitsOf(statements)}`);
      const tokenReads = statements.filter((s) => s.sql.startsWith('SELECT') && (s.sql.includes("model = 'RefreshToken'") || s.first === 'RefreshToken'));
      assert.equal(tokenReads.length, 1, 'the refresh token row is read once');
      const replayChecks = statements.filter((s) => s.sql.includes('ReplayDetection') || s.first === 'ReplayDetection');
      assert.equal(replayChecks.length, 1, "the DPoP proof's jti is claimed in one statement");
    }
  });
});
