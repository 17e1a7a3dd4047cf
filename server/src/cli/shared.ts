/**
 * What every command group shares: the one action wrapper (errors in plain words, no stack trace,
 * exit 1), the database and operator contexts, and how output reads (counts, columns, times).
 */
import os from 'node:os';
import { ConfigError, loadConfig, type ResolvedConfig } from '../config/index.ts';
import { openConfiguredDatabase } from '../main.ts';
import { migrate, type Database } from '../db/index.ts';
import { systemClock } from '../clock.ts';
import { AuditTrail, requestContext } from '../audit/index.ts';

export function fail(error: unknown): never {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`palisade: ${(error as Error).message}`);
  process.exit(1);
}

/**
 * Every command's action: a refusal or failure is printed as one line (the configuration's
 * problems as a list) and the process exits 1. A command that means an error differently
 * (`no device X` for an unknown device) catches it and throws the error it wants printed.
 */
export function action<Args extends unknown[]>(fn: (...args: Args) => unknown): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await fn(...args);
    } catch (error) {
      fail(error);
    }
  };
}

export async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

/** Console output for operational messages of the modules a command uses. */
export const consoleLog = { warn: (d: object, m: string) => console.error(`warning: ${m}`, d), error: (d: object, m: string) => console.error(`error: ${m}`, d) };

/**
 * Runs an operator command with the audit trail attached: every change it makes is recorded,
 * attributed to the CLI and the operating-system account that ran it.
 */
export async function asOperator<T>(fn: (db: Database, config: ResolvedConfig, audit: AuditTrail) => Promise<T>): Promise<T> {
  return withDatabase((db, config) =>
    requestContext.run({ actor: { userId: 'cli', userAgent: `palisade-cli (${os.userInfo().username}@${os.hostname()})` } }, async () => {
      const audit = new AuditTrail(db, systemClock, consoleLog, { flushIntervalMs: 50 });
      try {
        return await fn(db, config, audit);
      } finally {
        await audit.close();
      }
    }),
  );
}

/** `1 record`, `2 records`: counts in messages read as English. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Rows as aligned columns (two spaces apart; the last column is not padded). */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** Every time the CLI prints: ISO 8601 in UTC, to the second, as the database holds it. */
export function timeOf(value: Date | string | number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
