/**
 * Errors the database raises, in one shape on both drivers. PostgreSQL (pg) and PGlite both
 * throw an Error with the SQLSTATE `code` and the fields of the server's error report
 * (`constraint`, `table`, `column`, `dataType`, `routine`, …); PGlite also attaches the whole
 * SQL text and every bound value (`query`, `params`). The values are personal data (job titles,
 * free text, user ids), and so are the server's `message` and `detail` for many conditions
 * (`date/time field value out of range: "0000-…"`, `Key (project)=(PRJ-9) is not present`).
 *
 * So the database layer (open.ts) strips `query` and `params` from every error it passes on and
 * names the statement by its first line instead (`statement`), and what is logged about a
 * database error is `loggableDatabaseError`: the SQLSTATE, its condition name, the constraint,
 * table and column, and the statement's first line — never a value.
 */

export interface DatabaseError extends Error {
  /** SQLSTATE: five characters, the first two its class (23 integrity, 22 data exception, …). */
  code: string;
  severity?: string;
  constraint?: string;
  table?: string;
  column?: string;
  dataType?: string;
  schema?: string;
  routine?: string;
  /** The first line of the statement that failed (set by open.ts), never its parameters. */
  statement?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** A server error report from either driver (by its shape: both spell it the same way). */
export function isDatabaseError(error: unknown): error is DatabaseError {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && SQLSTATE.test(code) && typeof severity === 'string';
}

/** The first line of an SQL statement, trimmed and cut short: which statement, not what it carried. */
export function statementName(sql: string): string {
  const line = sql.trimStart().split('\n', 1)[0]!.trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/**
 * What the database layer rethrows: the same error (its class and stack frames are the
 * driver's), without the SQL text and bound values PGlite attaches, with `statement` set.
 */
export function withoutValues(error: unknown, sql: string): unknown {
  if (!isDatabaseError(error)) return error;
  const bag = error as unknown as Record<string, unknown>;
  delete bag.query;
  delete bag.params;
  delete bag.queryOptions;
  error.statement ??= statementName(sql);
  return error;
}

/** Condition names of the SQLSTATEs Palisade answers for (PostgreSQL manual, appendix A). */
const CONDITIONS: Record<string, string> = {
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22009': 'invalid_time_zone_displacement_value',
  '22012': 'division_by_zero',
  '22021': 'character_not_in_repertoire',
  '22023': 'invalid_parameter_value',
  '22P02': 'invalid_text_representation',
  '22P05': 'untranslatable_character',
  '23000': 'integrity_constraint_violation',
  '23001': 'restrict_violation',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
  '23P01': 'exclusion_violation',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '57014': 'query_canceled',
};

export function conditionName(code: string): string | undefined {
  return CONDITIONS[code];
}

/**
 * A database error as a log line may carry it. Deliberately not the message, the detail, the
 * hint, the context (`where`) or the stack: each can quote the values that were refused.
 */
export function loggableDatabaseError(error: DatabaseError): Record<string, string> {
  const condition = conditionName(error.code);
  const out: Record<string, string> = { type: 'DatabaseError', message: `database error SQLSTATE ${error.code}${condition ? ` (${condition})` : ''}`, code: error.code };
  if (condition) out.condition = condition;
  for (const key of ['severity', 'constraint', 'schema', 'table', 'column', 'dataType', 'routine', 'statement'] as const) {
    const value = error[key];
    if (typeof value === 'string' && value) out[key] = value;
  }
  return out;
}

/**
 * pino's `err` serializer for every log line (http/app.ts, and the start-up log in main.ts): an
 * error as pino's standard serializer writes it (type, message, stack, own fields), except that
 * a database error anywhere in it — itself, its `cause`, an aggregate's errors — is written as
 * `loggableDatabaseError`. (pino's own serializer appends every cause's message to the outer
 * message, which would carry a database message's quoted values along.)
 */
export function errorForLog(error: unknown, depth = 0): unknown {
  if (isDatabaseError(error)) return loggableDatabaseError(error);
  if (!(error instanceof Error)) return error;
  if (depth > 4) return { type: error.constructor.name, message: '[nested too deeply]' };
  const out: Record<string, unknown> = { type: error.constructor.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) {
    if (key === 'query' || key === 'params' || key === 'queryOptions' || key in out) continue;
    out[key] = value instanceof Error ? errorForLog(value, depth + 1) : value;
  }
  if (error.cause !== undefined) out.cause = errorForLog(error.cause, depth + 1);
  if (error instanceof AggregateError) out.aggregateErrors = error.errors.map((e) => errorForLog(e, depth + 1));
  return out;
}
