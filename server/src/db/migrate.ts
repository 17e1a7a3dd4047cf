/**
 * Plain SQL migrations (`migrations/NNNN_name.sql`), applied in order, each in its own
 * transaction, recorded with a checksum. An applied migration that was edited afterwards stops
 * start-up: the database would no longer match what the code expects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Database } from './index.ts';
import { PalisadeError } from '../errors/index.ts';

const DIR = path.join(import.meta.dirname, 'migrations');

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(): Migration[] {
  return readdirSync(DIR)
    .filter((f) => /^[0-9]{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(DIR, file), 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export class MigrationError extends PalisadeError<'ERR_MIGRATION'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_MIGRATION', message, options);
  }
}

/**
 * Applies pending migrations, one transaction each; returns the versions applied now. Each
 * transaction first takes an advisory lock and re-reads what is applied, so several instances
 * starting together apply every migration exactly once.
 */
export async function migrate(db: Database, options: { onProgress?: (done: number, total: number) => void } = {}): Promise<string[]> {
  const done: string[] = [];
  const migrations = listMigrations();
  for (const [index, migration] of migrations.entries()) {
    options.onProgress?.(index, migrations.length);
    const appliedNow = await db.asOwner(async (owner) => {
      await owner.query('SELECT pg_advisory_xact_lock(74657365)');
      await owner.exec(`CREATE TABLE IF NOT EXISTS palisade_migrations (
        version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await owner.query<{ checksum: string }>('SELECT checksum FROM palisade_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (rows[0]) {
        if (rows[0].checksum !== migration.checksum) {
          throw new MigrationError(
            `migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration instead`,
          );
        }
        return false;
      }
      try {
        await owner.exec(migration.sql);
      } catch (error) {
        throw new MigrationError(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`);
      }
      await owner.query('INSERT INTO palisade_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (appliedNow) done.push(migration.version);
  }
  options.onProgress?.(migrations.length, migrations.length);
  return done;
}
