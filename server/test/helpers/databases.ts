/**
 * Every database-backed test runs on embedded PGlite and, when TEST_DATABASE_URL is set (as
 * `.ci/run` does), on real PostgreSQL too — each test on a fresh database of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, openDatabase, type Database } from '../../src/db/index.ts';

export interface TestDatabase {
  kind: 'pglite' | 'postgres';
  /** DATABASE_URL for the test's own database, or undefined for PGlite. */
  url: string | undefined;
  /** A fresh data folder (PGlite files, TLS certificate, …). */
  dataDir: string;
  drop(): Promise<void>;
}

/** Opens a test database the way Palisade does (PGlite in `<dataDir>/pglite`) and migrates it. */
export async function openMigrated(database: TestDatabase): Promise<Database> {
  const db = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite') });
  await migrate(db);
  return db;
}

export interface DatabaseKind {
  kind: 'pglite' | 'postgres';
  create(): Promise<TestDatabase>;
}

function freshDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'palisade-test-'));
}

export function databaseKinds(): DatabaseKind[] {
  const kinds: DatabaseKind[] = [
    {
      kind: 'pglite',
      async create() {
        const dataDir = freshDir();
        return { kind: 'pglite', url: undefined, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
      },
    },
  ];
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    kinds.push({
      kind: 'postgres',
      async create() {
        const { default: pg } = await import('pg');
        const name = `palisade_test_${randomBytes(6).toString('hex')}`;
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        await client.query(`CREATE DATABASE ${name}`);
        await client.end();
        const url = new URL(admin);
        url.pathname = `/${name}`;
        const dataDir = freshDir();
        return {
          kind: 'postgres',
          url: url.href,
          dataDir,
          async drop() {
            rmSync(dataDir, { recursive: true, force: true });
            const c = new pg.Client({ connectionString: admin });
            await c.connect();
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await c.end();
          },
        };
      },
    });
  }
  return kinds;
}
