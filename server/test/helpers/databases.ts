/**
 * Every database-backed test runs on embedded PGlite and, when TEST_DATABASE_URL is set (as
 * `.ci/run` does), on real PostgreSQL too — each test on a fresh database of its own.
 *
 * Migrating a fresh database is the costliest part of most database tests, so `create({ migrated:
 * true })` copies a database that was migrated once instead: PostgreSQL's `CREATE DATABASE …
 * TEMPLATE`, and for PGlite a copy of a closed, migrated data folder. The copy is what `migrate`
 * would have made (migrations generate no secrets or random values; `openMigrated` still runs
 * `migrate`, which finds nothing to do). Templates are named by a hash of the migrations, so a
 * changed migration gets a new one: PGlite's live in PALISADE_TEST_TEMPLATE_DIR (which the test
 * runner creates for its run and removes afterwards) or else in a folder of the test process's
 * own; PostgreSQL's are databases named palisade_test_template_<hash>, kept for later runs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listMigrations, migrate, openDatabase, type Database } from '../../src/db/index.ts';

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

export interface CreateOptions {
  /** Already migrated (a copy of a migrated template) rather than empty. */
  migrated?: boolean;
}

export interface DatabaseKind {
  kind: 'pglite' | 'postgres';
  create(options?: CreateOptions): Promise<TestDatabase>;
}

function freshDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'palisade-test-'));
}

/** Names the schema the migrations make: templates of other migrations are never used. */
function migrationsKey(): string {
  const hash = createHash('sha256');
  for (const m of listMigrations()) hash.update(`${m.version}:${m.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}

let processTemplateRoot: string | undefined;
function templateRoot(): string {
  const shared = process.env.PALISADE_TEST_TEMPLATE_DIR;
  if (shared) {
    mkdirSync(shared, { recursive: true });
    return shared;
  }
  if (!processTemplateRoot) {
    const root = mkdtempSync(path.join(tmpdir(), 'palisade-test-templates-'));
    processTemplateRoot = root;
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return processTemplateRoot;
}

let pgliteTemplate: Promise<string> | undefined;
/**
 * A closed, migrated PGlite data folder. Built under a name of its own and renamed into place,
 * so test processes building it at the same time never see a half-made one: the first rename
 * wins and the others use it.
 */
function migratedPgliteTemplate(): Promise<string> {
  pgliteTemplate ??= (async () => {
    const root = templateRoot();
    const template = path.join(root, `pglite-${migrationsKey()}`);
    if (existsSync(template)) return template;
    const building = mkdtempSync(path.join(root, 'building-'));
    try {
      const db = await openDatabase({ url: undefined, pgliteDir: building });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
      try {
        renameSync(building, template);
      } catch (error) {
        if (!existsSync(template)) throw error;
      }
      return template;
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
  })();
  return pgliteTemplate;
}

let postgresTemplate: Promise<string> | undefined;
/**
 * A migrated database to copy, made once for these migrations on this server. Made under an
 * advisory lock (test processes start together) and under a name of its own, renamed when
 * complete, so a run that died while making it leaves no half-migrated template.
 */
function migratedPostgresTemplate(admin: string): Promise<string> {
  postgresTemplate ??= (async () => {
    const { default: pg } = await import('pg');
    const name = `palisade_test_template_${migrationsKey()}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) {
        const building = `palisade_test_building_${randomBytes(6).toString('hex')}`;
        await client.query(`CREATE DATABASE ${building}`);
        try {
          const url = new URL(admin);
          url.pathname = `/${building}`;
          const db = await openDatabase({ url: url.href, pgliteDir: '' });
          try {
            await migrate(db);
          } finally {
            await db.close();
          }
          await client.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
        } catch (error) {
          await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
          throw error;
        }
      }
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    } finally {
      await client.end();
    }
    return name;
  })();
  return postgresTemplate;
}

/**
 * Makes the migrated templates before the test files start (the runner calls this once), so the
 * files copy them instead of each making its own at the same time.
 */
export async function prepareTemplates(): Promise<void> {
  await migratedPgliteTemplate();
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) await migratedPostgresTemplate(admin);
}

export function databaseKinds(): DatabaseKind[] {
  const kinds: DatabaseKind[] = [
    {
      kind: 'pglite',
      async create(options = {}) {
        const template = options.migrated ? await migratedPgliteTemplate() : undefined;
        const dataDir = freshDir();
        if (template) cpSync(template, path.join(dataDir, 'pglite'), { recursive: true });
        return { kind: 'pglite', url: undefined, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
      },
    },
  ];
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    kinds.push({
      kind: 'postgres',
      async create(options = {}) {
        const { default: pg } = await import('pg');
        const template = options.migrated ? await migratedPostgresTemplate(admin) : undefined;
        const name = `palisade_test_${randomBytes(6).toString('hex')}`;
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        try {
          await client.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
        } finally {
          await client.end();
        }
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
