/**
 * A start that cannot succeed ends in one line that names what failed and the setting to
 * change, with no stack trace and no credentials, and touches nothing it need not: a port in
 * use is found before the database is opened, let alone migrated. Started the README's way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort } from '../helpers/server.ts';
import { startExpectingFailure } from '../helpers/server-process.ts';

/** The one line the failed start printed about its failure, after asserting there is no stack trace. */
function failureLine(output: string): string {
  assert.doesNotMatch(output, /^\s+at /m, `no stack trace:\n${output}`);
  const lines = output.split('\n').filter((line) => line.startsWith('palisade: '));
  assert.equal(lines.length, 1, `one line says why the start failed:\n${output}`);
  return lines[0]!;
}

for (const kind of databaseKinds()) {
  describe(`a port in use (${kind.kind})`, () => {
    let database: TestDatabase;
    let occupant: Server;
    let port: number;
    before(async () => {
      database = await kind.create();
      port = await freePort();
      occupant = createServer();
      await new Promise<void>((resolve) => occupant.listen(port, '127.0.0.1', resolve));
    });
    after(async () => {
      await new Promise((resolve) => occupant.close(resolve));
      await database.drop();
    });

    test('is named with PALISADE_SERVER_PORT, before anything is migrated', async () => {
      const { code, output } = await startExpectingFailure({ PALISADE_DATA_DIR: database.dataDir, PALISADE_SERVER_HOST: '127.0.0.1', PALISADE_SERVER_PORT: String(port), DATABASE_URL: database.url });
      assert.equal(code, 1, output);
      const line = failureLine(output);
      assert.match(line, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`), line);
      assert.match(line, /PALISADE_SERVER_PORT/, 'the line names the setting to change');
      if (database.url) {
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ table: string | null }>(`SELECT to_regclass('palisade_migrations')::text AS table`);
          assert.equal(rows[0]!.table, null, 'nothing was migrated: the port was checked first');
        } finally {
          await client.end();
        }
      } else {
        assert.equal(existsSync(path.join(database.dataDir, 'pglite')), false, 'the embedded database was not even created: the port was checked first');
      }
    });
  });
}

describe('unreachable services', () => {
  test('a closed database port names the database and DATABASE_URL, never the password', async () => {
    const closed = await freePort();
    const dataDir = (await databaseKinds()[0]!.create()).dataDir;
    const { code, output } = await startExpectingFailure({
      PALISADE_DATA_DIR: dataDir,
      PALISADE_SERVER_PORT: String(await freePort()),
      DATABASE_URL: `postgres://palisade:hunter2-secret@127.0.0.1:${closed}/palisade`,
    });
    assert.equal(code, 1, output);
    const line = failureLine(output);
    assert.match(line, new RegExp(`database at 127\\.0\\.0\\.1:${closed}/palisade \\(connection refused\\)`), line);
    assert.match(line, /DATABASE_URL/, 'the line names the setting to change');
    assert.doesNotMatch(output, /hunter2/, 'the password in DATABASE_URL is never printed');
  });

  test('a closed Redis port names Redis and REDIS_URL', async () => {
    const closed = await freePort();
    const dataDir = (await databaseKinds()[0]!.create()).dataDir;
    const { code, output } = await startExpectingFailure({
      PALISADE_DATA_DIR: dataDir,
      PALISADE_SERVER_PORT: String(await freePort()),
      REDIS_URL: `redis://:hunter2-secret@127.0.0.1:${closed}`,
    });
    assert.equal(code, 1, output);
    const line = failureLine(output);
    assert.match(line, new RegExp(`Redis at 127\\.0\\.0\\.1:${closed} \\(connection refused\\)`), line);
    assert.match(line, /REDIS_URL/, 'the line names the setting to change');
    assert.doesNotMatch(output, /Connection is closed/, 'not ioredis’s bare message');
    assert.doesNotMatch(output, /hunter2/, 'the password in REDIS_URL is never printed');
  });
});
