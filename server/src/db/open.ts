import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client as PgClient } from 'pg';
import type { Database, OwnerQueryable, Queryable, QueryResult, Subscription } from './index.ts';
import { RUNTIME_ROLE, assertChannelName } from './index.ts';
import { withoutValues } from './errors.ts';

/** Application name of the connections that LISTEN (visible in pg_stat_activity). */
export const LISTENER_APPLICATION_NAME = 'palisade-listener';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
/** The listener proves it is alive this often, or is replaced. */
const HEARTBEAT_EVERY_MS = 10_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

export interface OpenOptions {
  /** PostgreSQL URL; absent: PGlite stored in `pgliteDir`. */
  url?: string;
  /** The runtime login (owns nothing, member of palisade_app); absent: `url` and SET ROLE. */
  runtimeUrl?: string;
  pgliteDir: string;
  poolSize?: number;
  /**
   * Connections go through a pooler in transaction mode (PgBouncer `pool_mode = transaction`):
   * consecutive transactions of one client may run on different server connections, so no
   * session state may be relied on. The runtime role is then set per transaction (SET LOCAL
   * ROLE) instead of once per connection, and a lone query runs in a transaction of its own.
   */
  transactionPooling?: boolean;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options.poolSize ?? 10, options.runtimeUrl, options.transactionPooling ?? false) : openPglite(options.pgliteDir);
}

async function openPostgres(url: string, poolSize: number, runtimeUrl: string | undefined, transactionPooling: boolean): Promise<Database> {
  const { default: pg } = await import('pg');
  // Runtime connections switch to the non-owner role before their first statement, so nothing
  // at runtime can bypass row-level security or alter the schema. Migrations must have created
  // the role first (main.ts migrates before serving). With a runtime login of its own
  // (`runtimeUrl`) not even RESET ROLE leads back to the owner.
  //
  // Runtime connections pipeline (pg's `pipeline` mode): a statement is written as soon as it is
  // issued, not when the previous one has been answered, so statements a request issues together
  // (BEGIN, its claims, its query and its audit record) reach PostgreSQL in one flight instead
  // of one round trip each. Each still has its own Sync: an error ends the transaction's
  // statements after it as it always did, and the order is the order they were issued in.
  const pool = new pg.Pool({ connectionString: runtimeUrl ?? url, max: poolSize, pipeline: true });
  // Errors on idle clients (server restart) must not crash the process; the pool replaces them.
  pool.on('error', () => undefined);
  const owner = new pg.Pool({ connectionString: url, max: 1 });
  owner.on('error', () => undefined);

  const wrap = (client: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; rowCount: number | null }> }): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const result = await client.query(sql, params as unknown[]).catch((error: unknown) => {
        throw withoutValues(error, sql);
      });
      return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
    },
  });

  const db: Database = {
    kind: 'postgres',
    async query<T>(sql: string, params?: readonly unknown[]) {
      if (transactionPooling) return inTransaction(pool, 'runtime', (q) => q.query<T>(sql, params));
      const client = held(await pool.connect());
      try {
        await ensureRole(client);
        return await wrap(client).query<T>(sql, params);
      } finally {
        client.release();
      }
    },
    transaction: (fn) => inTransaction(pool, 'runtime', fn),
    asOwner: (fn) => inTransaction(owner, 'owner', fn),
    listen: (channel, onMessage, onResume) => listenPostgres(pg.Client, url, channel, onMessage, onResume),
    async close() {
      await Promise.all([pool.end(), owner.end()]);
    },
  };

  type Client = {
    query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; rowCount: number | null }>;
    on(event: 'error', listener: () => void): unknown;
    removeListener(event: 'error', listener: () => void): unknown;
  };
  async function inTransaction<T>(
    from: { connect(): Promise<Client & { release(): void }> },
    role: 'owner' | 'runtime',
    fn: (q: OwnerQueryable) => Promise<T>,
  ): Promise<T> {
    const client = held(await from.connect());
    try {
      // Awaited: if the role could not be taken, nothing may run with the login's own rights.
      if (role === 'runtime' && !transactionPooling) await ensureRole(client);
      // Not awaited on a pipelining connection: the work's first statements follow it in the same
      // flight. Each of them also waits for BEGIN's answer, so a failed BEGIN fails the work.
      const begin = client.query('BEGIN');
      // Behind a transaction pooler a session-level SET ROLE would stay on whichever server
      // connection ran it and be missing from the next one: runtime work could then run as
      // the owner, outside row-level security, and owner work as palisade_app. SET LOCAL
      // ends with the transaction, on the connection that ran it. It travels right after BEGIN;
      // if it fails, the transaction is aborted and no statement of the work runs at all.
      const ready = role === 'runtime' && transactionPooling ? Promise.all([begin, client.query(`SET LOCAL ROLE ${RUNTIME_ROLE}`)]) : begin;
      ready.catch(() => undefined); // reported through the work's statements, or below
      const inner = wrap(client);
      const tx: OwnerQueryable = {
        async query<R>(sql: string, params?: readonly unknown[]) {
          const [, result] = await Promise.all([ready, inner.query<R>(sql, params)]);
          return result;
        },
        exec: async (sql: string) => void (await Promise.all([ready, client.query(sql)])),
      };
      try {
        const result = await fn(tx);
        await ready;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  }

  /**
   * A pooled client while it is checked out. pg's pool listens for a connection's errors only
   * while the client is idle; a connection that PostgreSQL ends (a restart, an administrator's
   * pg_terminate_backend) while a request holds it between two statements emits 'error' with no
   * listener, which would end the process. The statement in flight, or the next one, fails with
   * the connection's error and the request answers as for any database outage; on release the
   * pool sees the client is no longer queryable and drops it.
   */
  function held<C extends Client & { release(): void }>(client: C): C {
    const ignore = () => undefined;
    client.on('error', ignore);
    const release = client.release.bind(client);
    client.release = () => {
      client.removeListener('error', ignore);
      release();
    };
    return client;
  }

  const roleSet = new WeakSet<object>();
  async function ensureRole(client: { query: (sql: string) => Promise<unknown> }) {
    if (roleSet.has(client)) return;
    await client.query(`SET ROLE ${RUNTIME_ROLE}`);
    roleSet.add(client);
  }
  return db;
}

/**
 * A LISTEN on a connection of its own (a pooled connection would be handed to other work).
 * A lost connection is re-established with exponential backoff; after each re-LISTEN the
 * subscriber's `onResume` runs so it can reload what it may have missed.
 */
async function listenPostgres(
  Client: typeof PgClient,
  url: string,
  channel: string,
  onMessage: (payload: string) => void,
  onResume: () => void,
): Promise<Subscription> {
  assertChannelName(channel);
  let client: PgClient | undefined;
  let closed = false;
  let delay = RECONNECT_MIN_MS;
  let timer: NodeJS.Timeout | undefined;

  /**
   * Drops the current connection and starts over. Used when the connection ends, and when a
   * heartbeat gets no answer: a connection silently dropped by a NAT or load balancer never
   * ends by itself, and an instance would stop hearing revocations for good.
   */
  const abandon = (c: PgClient) => {
    if (client !== c) return; // already replaced
    client = undefined;
    void c.end().catch(() => undefined); // may never finish on a dead link; not awaited
    if (!closed) retry();
  };

  const connect = async (resumed: boolean) => {
    const c = new Client({ connectionString: url, application_name: LISTENER_APPLICATION_NAME, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    c.on('error', () => undefined); // followed by 'end', which reconnects
    c.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) onMessage(message.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (error) {
      await c.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    delay = RECONNECT_MIN_MS;
    c.once('end', () => abandon(c));
    if (resumed) onResume();
  };

  const heartbeat = setInterval(() => {
    const c = client;
    if (!c) return;
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), HEARTBEAT_TIMEOUT_MS).unref());
    Promise.race([c.query('SELECT 1'), timeout]).catch(() => abandon(c));
  }, HEARTBEAT_EVERY_MS);
  heartbeat.unref();
  const retry = () => {
    timer = setTimeout(() => {
      connect(true).catch(() => {
        delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        retry();
      });
    }, delay);
    timer.unref();
  };

  await connect(false);
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(heartbeat);
      await client?.end().catch(() => undefined);
    },
  };
}

/**
 * PGlite is an embedded database: only one process may open its folder, or the files are
 * corrupted. A lock file with the owner's pid turns a second opener into a clear error.
 */
export function lockPglite(dir: string): () => void {
  const lock = `${dir}.lock`;
  const inUse = (owner: number) =>
    new Error(`the embedded database in ${dir} is in use by process ${owner} (a running Palisade). Stop it first, or use PostgreSQL (DATABASE_URL) to run operator commands while serving.`);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(lock);
    if (owner === undefined) continue; // removed meanwhile: try again
    if (processAlive(owner)) throw inUse(owner);
    // Left behind by a process that died. Move it aside atomically and check that what was
    // moved is still that stale lock: another opener may have replaced it a moment ago.
    const aside = `${lock}.stale-${process.pid}`;
    try {
      renameSync(lock, aside);
    } catch {
      continue;
    }
    const moved = readOwner(aside);
    if (moved !== owner && moved !== undefined && processAlive(moved)) {
      renameSync(aside, lock); // put the live lock back
      throw inUse(moved);
    }
    rmSync(aside, { force: true });
  }
  throw new Error(`could not lock the embedded database in ${dir}`);
}

function readOwner(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Signal 0 tests for existence; EPERM means the process exists but belongs to someone else. A
 * zombie (ended, not yet reaped by its parent: in a container whose first process does not reap,
 * that can last) still answers signal 0 but holds no file: on Linux its state in /proc says so.
 */
function processAlive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc here: signal 0 is all there is
  }
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  mkdirSync(path.dirname(dir), { recursive: true });
  const unlock = lockPglite(dir);
  let pg;
  try {
    pg = await PGlite.create(dir);
  } catch (error) {
    unlock();
    throw error;
  }
  // PGlite is one connection: owner work and runtime work take turns under its own lock.
  // Each statement batch sets the role it needs, so an owner command can never leave the
  // connection privileged for the next runtime query.
  const asRole = async <T>(role: 'owner' | 'runtime', fn: (q: OwnerQueryable) => Promise<T>): Promise<T> =>
    pg.transaction(async (tx) => {
      if (role === 'runtime') await tx.query(`SET LOCAL ROLE ${RUNTIME_ROLE}`);
      return fn({
        async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
          // PGlite attaches the SQL and every bound value to its errors: they are stripped here.
          const result = await tx.query<R>(sql, params as unknown[]).catch((error: unknown) => {
            throw withoutValues(error, sql);
          });
          return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
        },
        exec: async (sql: string) =>
          void (await tx.exec(sql).catch((error: unknown) => {
            throw withoutValues(error, sql);
          })),
      });
    });
  return {
    kind: 'pglite',
    query: (sql, params) => asRole('runtime', (q) => q.query(sql, params)),
    transaction: (fn) => asRole('runtime', fn),
    asOwner: (fn) => asRole('owner', fn),
    // One process, one connection: the subscription cannot be lost, so onResume never runs.
    async listen(channel, onMessage) {
      assertChannelName(channel);
      const unlisten = await pg.listen(channel, onMessage);
      return { close: () => unlisten() };
    },
    async close() {
      await pg.close();
      unlock();
    },
  };
}
