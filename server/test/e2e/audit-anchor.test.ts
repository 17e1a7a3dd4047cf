/**
 * The outside anchor of the audit trail, as docs/audit.md tells an operator to keep it: the
 * server started the README way logs every checkpoint it signs, whole; someone with the database
 * owner's rights then cuts the newest records off the trail together with the checkpoints that
 * covered them — a shorter chain, consistent in itself — and `palisade audit verify --anchor`
 * finds the cut with the anchor taken from the server's log, both as the log file and through
 * the extraction command the document gives (run exactly as written there).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { REPO_ROOT, palisadeCli, startPalisade, type StartedServer } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import { openDatabase } from '../../src/db/index.ts';

/** The shell blocks of docs/audit.md's "Keeping an outside anchor". */
async function documentedCommands(): Promise<{ verifyWithLog: string; extract: string; verifyWithFile: string }> {
  const doc = await readFile(path.join(REPO_ROOT, 'docs', 'audit.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Keeping an outside anchor'));
  const lines = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));
  const verifyWithLog = lines.find((l) => l.startsWith('npm run palisade -- audit verify --anchor') && l.endsWith('palisade.log'));
  const extract = lines.find((l) => l.includes('palisade.log') && l.includes('> anchor.jws'));
  const verifyWithFile = lines.find((l) => l.startsWith('npm run palisade -- audit verify --anchor') && l.endsWith('anchor.jws'));
  assert.ok(verifyWithLog && extract && verifyWithFile, 'docs/audit.md gives the commands this test runs');
  return { verifyWithLog, extract, verifyWithFile };
}

/** `npm run palisade -- <args>` as the document writes it, run in `dir` (file names are relative to it). */
const cliArgs = (command: string, dir: string) =>
  command
    .replace(/^npm run palisade -- /, '')
    .split(' ')
    .map((arg) => (/\.(log|jws)$/.test(arg) ? path.join(dir, arg) : arg));

for (const kind of databaseKinds()) {
  describe(`the audit trail's outside anchor, taken from the server log (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer | undefined;
    let dir: string;
    let env: Record<string, string | undefined>;
    const masterKey = generateMasterKey();

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      dir = await mkdtemp(path.join(tmpdir(), 'palisade-anchor-'));
      env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'silent' };
      // A checkpoint every few records, so one sign-in and a few refreshes leave several. A
      // refresh is an audited token request too, and much cheaper than a whole sign-in.
      // `npm start` on PGlite, the README's default; on PostgreSQL the same process without npm in
      // front (helpers/server.ts StartVia), whose output (--silent) is the server's alone either way.
      server = await startPalisade({ ...federated.env, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'info', PALISADE_AUDIT_CHECKPOINT_EVERY: '3' }, undefined, kind.kind === 'pglite' ? 'npm' : 'direct');
      const app = new MobileApp(server.url, server.ca);
      try {
        const deadline = Date.now() + 60_000;
        const tech = await app.signIn('u-tech');
        await app.call('/api/v1/me', tech.tokens.access_token);
        let refreshToken = tech.tokens.refresh_token!;
        while ((server.output().match(/"event":"audit\.checkpoint"/g) ?? []).length < 3) {
          assert.ok(Date.now() < deadline, `the server logs its checkpoints:\n${server.output().slice(-2000)}`);
          await new Promise((resolve) => setTimeout(resolve, 300));
          // Each refresh rotates the refresh token: the next one uses the new token (reusing an
          // old one would be reuse, and end the session).
          refreshToken = (await app.refresh(tech, refreshToken)).refresh_token!;
        }
      } finally {
        await app.close();
      }
      // Stopped as an operator stops it; its final seal is logged too. Then the log is the file
      // `npm start >> palisade.log 2>&1` would have written.
      await server.stop();
      await writeFile(path.join(dir, 'palisade.log'), server.output());
    });
    after(async () => {
      await server?.stop();
      await upstream?.close();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    test('every checkpoint is in the log whole, not redacted', async () => {
      const log = await readFile(path.join(dir, 'palisade.log'), 'utf8');
      const lines = log.split('\n').filter((l) => l.includes('"event":"audit.checkpoint"'));
      assert.ok(lines.length >= 3, log.slice(-2000));
      for (const line of lines) assert.match(line, /"checkpoint":"[\w-]+\.[\w-]+\.[\w-]+"/, `a compact JWS: ${line}`);
      assert.doesNotMatch(lines.join('\n'), /\[redacted\]/);
    });

    test('an intact trail verifies against the anchor from the log, both ways the document gives', async () => {
      const { verifyWithLog, extract, verifyWithFile } = await documentedCommands();
      const withLog = await palisadeCli(cliArgs(verifyWithLog, dir), env);
      assert.equal(withLog.code, 0, withLog.out);
      assert.match(withLog.out, /audit trail OK/);
      await promisify(execFile)('sh', ['-c', extract], { cwd: dir });
      assert.match((await readFile(path.join(dir, 'anchor.jws'), 'utf8')).trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/, 'the extraction leaves one compact JWS');
      const withFile = await palisadeCli(cliArgs(verifyWithFile, dir), env);
      assert.equal(withFile.code, 0, withFile.out);
    });

    test('the newest records cut off together with their checkpoints: found with the anchor from the log, invisible without', async () => {
      const db = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite'), poolSize: 1 });
      try {
        // Keep everything up to the checkpoint before the newest one; remove what came after it.
        await db.asOwner(async (q) => {
          const { rows } = await q.query<{ n: string; seq: string }>('SELECT n::text AS n, seq::text AS seq FROM audit_checkpoints ORDER BY n DESC LIMIT 2');
          assert.equal(rows.length, 2, 'at least two checkpoints');
          const keep = rows[1]!;
          for (const t of ['audit_events', 'audit_chain', 'audit_checkpoints']) await q.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
          const { rows: cut } = await q.query<{ id: string }>('DELETE FROM audit_chain WHERE seq > $1 RETURNING event_id::text AS id', [keep.seq]);
          assert.ok(cut.length > 0, 'records were cut');
          await q.query('DELETE FROM audit_pending');
          await q.query('DELETE FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)');
          await q.query('DELETE FROM audit_checkpoints WHERE n > $1', [keep.n]);
          for (const t of ['audit_events', 'audit_chain', 'audit_checkpoints']) await q.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
        });
      } finally {
        await db.close();
      }
      const unanchored = await palisadeCli(['audit', 'verify'], env);
      assert.equal(unanchored.code, 0, `without an anchor the clean cut is invisible — the documented bound: ${unanchored.out}`);

      const { verifyWithLog, extract, verifyWithFile } = await documentedCommands();
      const withLog = await palisadeCli(cliArgs(verifyWithLog, dir), env);
      assert.equal(withLog.code, 2, withLog.out);
      assert.match(withLog.out, /anchor-missing|known from outside, is not in the database/);
      await promisify(execFile)('sh', ['-c', extract], { cwd: dir });
      const withFile = await palisadeCli(cliArgs(verifyWithFile, dir), env);
      assert.equal(withFile.code, 2, withFile.out);
      assert.match(withFile.out, /known from outside, is not in the database/);
    });
  });
}
