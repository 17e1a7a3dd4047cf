/**
 * Backup and restore of the database (`palisade backup`, `palisade restore`; docs/operations.md).
 *
 * PostgreSQL: pg_dump in its custom format and pg_restore in one transaction, so a restore that
 * fails leaves the target database empty rather than half-written. The connection's password
 * goes to pg_dump and pg_restore in their environment (PGPASSWORD), never on their command line,
 * where any local user could read it from the process list.
 *
 * PGlite: the embedded database's own dump of its data folder (a gzipped tar, PGlite's
 * dumpDataDir), restored with loadDataDir into an empty folder. The folder is locked as when the
 * server opens it, so a backup of a database a running server is writing is refused.
 *
 * Neither holds the master key: it is configuration (PALISADE_MASTER_KEY or a file), not a row.
 * A backup without the master key cannot decrypt the sensitive columns or the keys stored under
 * it; the operator keeps the two apart, and needs both to restore.
 *
 * The per-person keys (`person_keys`, decision 0023) are left out of a PostgreSQL dump and
 * handed to `withDatabase`, which writes them to a key file of their own: an erasure destroys a
 * person's key, and a data backup restored with a later key file then cannot read them. A PGlite
 * dump is the whole data folder and cannot leave a table out; its restore replaces the table
 * with the key file all the same.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readSync, closeSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { lockPglite } from './open.ts';
import type { Queryable } from './index.ts';

/** The first bytes of each kind of backup: pg_dump's custom format, and gzip (PGlite's tar). */
const PG_DUMP_MAGIC = Buffer.from('PGDMP');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

export type BackupKind = 'postgres' | 'pglite';

export interface BackupTarget {
  /** PostgreSQL URL (DATABASE_URL); absent: PGlite in `pgliteDir`. */
  url: string | undefined;
  pgliteDir: string;
}

export interface BackupResult {
  kind: BackupKind;
  file: string;
  bytes: number;
}

/** Which kind of backup a file holds, from its first bytes; undefined when it is neither. */
export function backupKindOf(file: string): BackupKind | undefined {
  const head = Buffer.alloc(5);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 5, 0);
  } finally {
    closeSync(fd);
  }
  if (head.subarray(0, 5).equals(PG_DUMP_MAGIC)) return 'postgres';
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'pglite';
  return undefined;
}

/** libpq's environment for a connection URL: the password stays out of the process list. */
export function libpqEnvironment(url: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.hostname) env.PGHOST = decodeURIComponent(u.hostname.replace(/^\[|\]$/g, ''));
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

/** Runs a PostgreSQL client tool; its stderr becomes the error (it never holds the password). */
function run(tool: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(`${tool} is not installed: install the PostgreSQL client tools (the same major version as the server or newer)`) : error),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`))));
  });
}

/** Tables whose rows a PostgreSQL data backup leaves out (their schema stays): the per-person keys, backed up apart. */
export const TABLES_BACKED_UP_APART = ['person_keys'] as const;

/**
 * `withDatabase` runs right after the dump, on an owner connection to the same database (for
 * PGlite, the very instance that was dumped), to write what is backed up apart.
 */
export async function backupDatabase(target: BackupTarget, out: string, withDatabase?: (q: Queryable) => Promise<void>): Promise<BackupResult> {
  if (existsSync(out)) throw new Error(`${out} exists: choose a new file (a backup never overwrites one)`);
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  if (target.url) {
    // Owner-only from the first byte: the dump holds every row, hashes and ciphertexts included.
    writeFileSync(out, '', { mode: 0o600, flag: 'wx' });
    const apart = TABLES_BACKED_UP_APART.map((table) => `--exclude-table-data=${table}`);
    await run('pg_dump', ['--format=custom', '--no-password', ...apart, `--file=${out}`], libpqEnvironment(target.url));
    chmodSync(out, 0o600);
    if (withDatabase) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        await withDatabase({ query: async <T>(sql: string, params?: readonly unknown[]) => {
          const r = await client.query(sql, params as unknown[]);
          return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
        } });
      } finally {
        await client.end();
      }
    }
    return { kind: 'postgres', file: out, bytes: readFileSync(out).length };
  }
  if (!existsSync(target.pgliteDir)) throw new Error(`there is no embedded database in ${target.pgliteDir}`);
  const { PGlite } = await import('@electric-sql/pglite');
  const unlock = lockPglite(target.pgliteDir);
  try {
    const pg = await PGlite.create(target.pgliteDir);
    try {
      const tar = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer());
      writeFileSync(out, tar, { mode: 0o600, flag: 'wx' });
      if (withDatabase) {
        await withDatabase({ query: async <T>(sql: string, params?: readonly unknown[]) => {
          const r = await pg.query<T>(sql, params as unknown[]);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        } });
      }
      return { kind: 'pglite', file: out, bytes: tar.length };
    } finally {
      await pg.close();
    }
  } finally {
    unlock();
  }
}

/**
 * Restores a backup into an empty database: a missing PostgreSQL database is created, an existing
 * one must have no tables; a PGlite folder must not exist or be empty. Restoring over live data is
 * refused: drop it first, on purpose.
 */
export async function restoreDatabase(target: BackupTarget, from: string): Promise<{ kind: BackupKind }> {
  if (!existsSync(from)) throw new Error(`${from} does not exist`);
  const kind = backupKindOf(from);
  if (!kind) throw new Error(`${from} is not a Palisade backup (neither a pg_dump custom-format file nor a PGlite data-folder dump)`);
  const configured: BackupKind = target.url ? 'postgres' : 'pglite';
  if (kind !== configured) {
    throw new Error(`${from} is a ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite'} backup, but this configuration uses ${configured === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'the embedded PGlite database'}`);
  }
  if (target.url) {
    await preparePostgres(target.url);
    await run('pg_restore', ['--no-owner', '--single-transaction', '--exit-on-error', '--no-password', `--dbname=${new URL(target.url).pathname.slice(1) || 'postgres'}`, from], libpqEnvironment(target.url));
    return { kind };
  }
  if (existsSync(target.pgliteDir) && readdirSync(target.pgliteDir).length > 0) {
    throw new Error(`the embedded database in ${target.pgliteDir} is not empty: move it aside first (a restore never overwrites data)`);
  }
  // Checked whole before PGlite sees it: PGlite reads the tar as a stream, and a truncated or
  // damaged file fails inside it where the error cannot be caught.
  const dump = readFileSync(from);
  try {
    gunzipSync(dump);
  } catch (error) {
    throw new Error(`${from} is damaged or truncated (${(error as Error).message}): nothing was restored`, { cause: error });
  }
  const { PGlite } = await import('@electric-sql/pglite');
  mkdirSync(path.dirname(target.pgliteDir), { recursive: true });
  const unlock = lockPglite(target.pgliteDir);
  try {
    const pg = await PGlite.create(target.pgliteDir, { loadDataDir: new Blob([dump]) });
    await pg.close();
  } finally {
    unlock();
  }
  return { kind };
}

/** Creates the target database when missing, refuses one with tables, and makes sure the runtime role exists. */
async function preparePostgres(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name) throw new Error('DATABASE_URL names no database');
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    if (rows[0]!.n > 0) throw new Error(`the database ${name} is not empty (${rows[0]!.n} tables): drop and create it first (a restore never overwrites data)`);
    // The dump grants to the runtime role, which lives in the cluster, not the database: a new
    // cluster gets it as migration 0001 creates it.
    await client.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'palisade_app') THEN CREATE ROLE palisade_app NOLOGIN; END IF;
      IF NOT pg_has_role(current_user, 'palisade_app', 'MEMBER') THEN EXECUTE format('GRANT palisade_app TO %I', current_user); END IF;
    END $$`);
  } finally {
    await client.end();
  }
}
