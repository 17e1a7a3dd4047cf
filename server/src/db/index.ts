/**
 * Palisade's database: one small interface over embedded PGlite and real PostgreSQL, so every
 * module runs unchanged on both. Runtime queries run as the non-owner role `palisade_app`
 * (row-level security applies to it); migrations run as the owner. All SQL is parameterized.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

/** Owner connections may also run multi-statement scripts (migrations). */
export interface OwnerQueryable extends Queryable {
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction as the runtime role; rolls back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction with owner rights (migrations only). */
  asOwner<T>(fn: (owner: OwnerQueryable) => Promise<T>): Promise<T>;
  /**
   * Delivers every `NOTIFY` on `channel` (sent with `SELECT pg_notify(channel, payload)`, which
   * inside a transaction is delivered only when it commits). On PostgreSQL the subscription has
   * a connection of its own; when that connection is lost it is re-established with backoff and
   * `onResume` runs, because notifications sent meanwhile are lost: the subscriber reloads.
   */
  listen(channel: string, onMessage: (payload: string) => void, onResume: () => void): Promise<Subscription>;
  close(): Promise<void>;
}

export interface Subscription {
  close(): Promise<void>;
}

/** Channel names are identifiers in LISTEN, which takes no parameters: only these are allowed. */
export function assertChannelName(channel: string): void {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(channel)) throw new TypeError(`invalid notification channel name: ${channel}`);
}

export const RUNTIME_ROLE = 'palisade_app';

export { asCaller, setClaims, type RlsClaims } from './claims.ts';
export { openDatabase } from './open.ts';
export { migrate, listMigrations } from './migrate.ts';
export { conditionName, errorForLog, isDatabaseError, loggableDatabaseError, type DatabaseError } from './errors.ts';
export { checkRuntimeLogin, databaseAnswers } from './runtime-login.ts';
export { databaseModule, openConfiguredDatabase } from './module.ts';
export { backupDatabase, restoreDatabase, backupKindOf, type BackupKind, type BackupResult } from './backup.ts';
