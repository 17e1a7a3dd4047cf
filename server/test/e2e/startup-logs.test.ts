/**
 * What `npm start` prints, started the README's way: in development readable lines (one per
 * request, no raw JSON), the banner with its development-only announcements, and on SIGTERM
 * that the server stopped. A restart does not claim to have loaded the demo data it left
 * alone. Audit tampering found at start is reported once, as tampering, by the sealer's first
 * round (its handler used to read the HTTP app before it existed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { AuditTrail, Sealer, loadCheckpointSigner } from '../../src/audit/index.ts';
import { systemClock } from '../../src/clock.ts';

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

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

// The databases' runs are independent (a folder, a database and servers of their own): they run
// side by side, each one's two starts in turn.
describe("npm start's output in development, on each database", { concurrency: true }, () => {
  for (const kind of databaseKinds()) {
    describe(`npm start's output in development (${kind.kind})`, () => {
      let database: TestDatabase;
      const masterKey = generateMasterKey();
      let first: string;
      let restarted: StartedServer | undefined;

      before(async () => {
        database = await kind.create({ migrated: true });
        const env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: masterKey };
        // The format a developer gets: nothing set (the helper asks for JSON otherwise). On PGlite,
        // the README's default, through `npm start` as the README says; on PostgreSQL the same
        // process without npm in front (helpers/server.ts StartVia: npm adds nothing to the output).
        const server = await startPalisade({ ...env, PALISADE_LOG_FORMAT: undefined }, 240_000, kind.kind === 'pglite' ? 'npm' : 'direct');
        try {
          assert.equal(await get(`${server.url}/healthz`, server.ca), 200);
          assert.equal(await get(`${server.url}/api/v1/jobs`, server.ca), 401);
        } finally {
          await server.stop();
        }
        first = server.output();

        // Tampering after the newest checkpoint, where the sealer's next checkpoint checks:
        // two records are linked without a checkpoint, then one of them is edited.
        const db = await openMigrated(database);
        try {
          const audit = new AuditTrail(db, systemClock, quiet, { flushIntervalMs: 10 });
          for (const id of ['1', '2']) audit.emit({ action: 'test.marker', outcome: 'success', actor: {}, resource: { type: 'test', id } });
          await audit.close();
          const sealer = new Sealer(db, await loadCheckpointSigner(db, masterKeyFromBase64url(masterKey)), systemClock, quiet, {
            batchSize: 100,
            checkpointEvery: 1_000_000,
            checkpointIntervalMs: 3_600_000,
            pollIntervalMs: 1000,
          });
          await sealer.drain();
          await db.asOwner(async (q) => {
            await q.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
            await q.query(`UPDATE audit_events SET outcome = CASE outcome WHEN 'failure' THEN 'success' ELSE 'failure' END WHERE id = (SELECT event_id FROM audit_chain ORDER BY seq DESC LIMIT 1)`);
            await q.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
          });
        } finally {
          await db.close();
        }
        // A checkpoint is due at the first round, so the first round checks the chain. At log
        // level warn the banner still shows (startPalisade waits for it).
        // The restart's output is read for what the server says, not npm's: no npm in front
        // (helpers/server.ts StartVia); the first start above is the README's `npm start`.
        restarted = await startPalisade({ ...env, PALISADE_AUDIT_CHECKPOINT_EVERY: '1', PALISADE_LOG_LEVEL: 'warn' }, 240_000, 'direct');
        const deadline = Date.now() + 60_000;
        while (!restarted.output().includes('"event":"audit.tamper_detected"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        // Two starts of the server (the first on an empty embedded database) on a busy machine:
        // a hang guard, not a speed requirement.
      }, { timeout: 900_000 });

      after(async () => {
        await restarted?.stop();
        await database?.drop();
      });

      test('readable lines, one per request, no raw JSON', () => {
        const lines = first.split('\n').filter((line) => line.trim() !== '');
        assert.deepEqual(lines.filter((line) => line.trimStart().startsWith('{')), [], 'no raw JSON line in development');
        assert.match(first, /^\[[\d:.]+\] INFO: GET \/healthz 200 \d+ ms$/m, 'a request is one short line');
        assert.equal(lines.filter((line) => line.includes('/healthz')).length, 1, 'one line per request, not two');
        assert.doesNotMatch(first, /incoming request/);
      });

      test('the banner says where to go and what is for development only', () => {
        assert.match(first, /INFO: Palisade is listening on \S+ — open https:\/\/localhost:\d+\/$/m);
        assert.match(first, /WARN: DEVELOPMENT ONLY: development IdP with demo users/, 'development shortcuts stand out (warn)');
        assert.match(first, /INFO: Demo data loaded: 400 jobs/);
        assert.match(first, /INFO: Palisade is ready\.$/m);
      });

      test('SIGTERM: the server says it stopped', () => {
        assert.match(first, /INFO: Palisade is stopping \(SIGTERM\)/);
        assert.match(first.trimEnd(), /INFO: Palisade stopped\. \{"event":"server\.stopped","signal":"SIGTERM"\}$/, `the last line says the server stopped:\n${first.trimEnd().split('\n').slice(-5).join('\n')}`);
      });

      test('a restart does not say it loaded demo data it left alone', () => {
        const output = restarted!.output();
        assert.match(output, /"msg":"Palisade is ready\."/, 'the banner shows at log level warn too, in the log’s format');
        assert.doesNotMatch(output, /Demo data loaded|demo dataset loaded/i, 'nothing was loaded, so nothing says so');
        assert.match(output, /Demo data: the domain already holds data, nothing loaded/);
      });

      test('tampering found at start is reported once, as tampering, with no ReferenceError', () => {
        const output = restarted!.output();
        assert.equal(output.match(/"event":"audit\.tamper_detected"/g)?.length, 1, `reported once:\n${output}`);
        assert.doesNotMatch(output, /ReferenceError|before initialization/, 'the handler works on first use');
        assert.doesNotMatch(output, /"event":"audit\.seal_failed"/, 'not retried as a transient failure');
      });
    });
  }
});
