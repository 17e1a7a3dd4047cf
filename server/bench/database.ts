/**
 * The benchmark's database: a throwaway PostgreSQL database when BENCH_DATABASE_URL or
 * DATABASE_URL names a server (created here, dropped at the end, so a run never touches real
 * data and always starts from the same empty state), otherwise embedded PGlite.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface BenchDatabase {
  kind: 'pglite' | 'postgres';
  /** DATABASE_URL of the throwaway database; undefined for PGlite. */
  url: string | undefined;
  /** Fresh data folder: PGlite files, development TLS certificate. */
  dataDir: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(env: NodeJS.ProcessEnv = process.env): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'palisade-bench-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  const admin = env.BENCH_DATABASE_URL || env.DATABASE_URL;
  if (!admin) return { kind: 'pglite', url: undefined, dataDir, drop: async () => removeDir() };

  const { default: pg } = await import('pg');
  // Generated name, safe to interpolate: CREATE DATABASE takes no parameters.
  const name = `palisade_bench_${randomBytes(6).toString('hex')}`;
  const adminQuery = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  try {
    await adminQuery(`CREATE DATABASE ${name}`);
  } catch (error) {
    removeDir();
    throw error;
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.href,
    dataDir,
    async drop() {
      removeDir();
      // FORCE: a pool that failed to close must not leave the database behind.
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
