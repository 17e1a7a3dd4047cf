/**
 * CSV export of jobs (`GET /api/v1/exports/jobs.csv`, permission `data.export`: managers and
 * admins, with step-up, checked by pipeline stage 7). The rows are those of the caller's job
 * scope — the store's scope predicate (inlined: JOB_SCOPE_INLINED), and row-level security beneath it — streamed from a
 * server-side cursor, 500 rows per FETCH, so memory stays flat however many rows there are.
 *
 * The cursor lives in the caller's transaction (`asCaller`), which stays open while the response
 * streams: the route returns a Readable and the transaction runs beside it, feeding it, waiting
 * whenever the client is slower than the database (backpressure). It ends when the last row is
 * written (COMMIT, then the response ends), when the client goes away, or when the client stops
 * reading for `stallTimeoutMs` — a transaction must never stay open at a client's pleasure.
 *
 * On embedded PGlite the database is one connection: while an export streams, every other request
 * that touches the database waits for it (the stall timeout bounds how long a client that stops
 * reading can hold it). On PostgreSQL an export holds one pooled connection.
 *
 * Cells are RFC 4180 fields, every one quoted; a cell a spreadsheet would read as a formula
 * (starting with =, +, -, @, tab or CR) gets a leading apostrophe (OWASP, CSV injection).
 * Only internal fields leave: no access notes, no customer contacts, no description.
 *
 * One audit record `export.jobs` per export (the unusual_export monitor counts `export.*`
 * records' `detail.rows`): success with the row count and filters, written in the export's
 * transaction before it commits; or failure with the rows sent so far when the client went away.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import type { Database } from '../../db/index.ts';
import { asCaller, type RlsClaims } from '../../db/index.ts';
import type { AuditSink } from '../../audit/index.ts';
import { systemClock, type Clock } from '../../clock.ts';
import { problems, StringEnum, untypedReply } from '../../http/index.ts';
import { JOB_SCOPE_INLINED, JOB_STATUSES } from './store.ts';
import { assertExportAllowed, type DevicePolicyConfig } from '../../devices/index.ts';
import { PalisadeError } from '../../errors/index.ts';

export interface ExportDeps {
  db: Database;
  audit: AuditSink;
  clock?: Clock;
  /** A client that reads nothing for this long loses its export (and the transaction ends). */
  stallTimeoutMs?: number;
  /** The device policy: export from a personal (BYOD) device is refused unless it allows it. */
  devicePolicy?: DevicePolicyConfig;
}

/** Rows per FETCH: large enough that round trips do not dominate, small enough to stay flat. */
export const EXPORT_BATCH = 500;
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

export const JOB_EXPORT_COLUMNS = [
  'id',
  'title',
  'department',
  'territory',
  'region',
  'site',
  'project',
  'priority',
  'status',
  'assignedTo',
  'windowStart',
  'windowEnd',
  'createdAt',
  'statusChangedAt',
] as const;

const CODE = Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$' });
const dateTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description });

/** The export's query string, a TypeBox schema: the route's query type is inferred from it (the TypeBox type provider). */
const ExportQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(JOB_STATUSES)),
    territory: Type.Optional(CODE),
    department: Type.Optional(CODE),
    from: Type.Optional(dateTime('Jobs created at or after this time.')),
    to: Type.Optional(dateTime('Jobs created before this time.')),
  },
  { additionalProperties: false },
);

/** Which jobs to export: `from` is inclusive, `to` exclusive (their creation time). */
export type JobExportFilter = Static<typeof ExportQuery>;

/** Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: always quoted, quotes doubled, formula-like text defused. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replaceAll('"', '""')}"`;
}

/** One CSV record, CRLF-terminated as RFC 4180 §2 asks. */
export function csvRecord(cells: readonly (string | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

interface ExportRow {
  id: string;
  title: string;
  department: string;
  territory: string;
  region: string;
  site_id: string;
  project: string | null;
  priority: string;
  status: string;
  assigned_to: string | null;
  window_start: Date | null;
  window_end: Date | null;
  created_at: Date;
  status_changed_at: Date;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());
const recordOf = (r: ExportRow) =>
  csvRecord([r.id, r.title, r.department, r.territory, r.region, r.site_id, r.project, r.priority, r.status, r.assigned_to, iso(r.window_start), iso(r.window_end), iso(r.created_at), iso(r.status_changed_at)]);

// The filters and the same scope predicate as the jobs list (store.ts), newest first; row-level
// security applies beneath it. Parameters are bound at DECLARE, nothing is spliced in.
const DECLARE = `DECLARE palisade_export NO SCROLL CURSOR FOR
  SELECT j.id, j.title, j.department, j.territory, j.region, j.site_id, j.project, j.priority, j.status, j.assigned_to,
    j.window_start, j.window_end, j.created_at, j.status_changed_at
  FROM fs_jobs j
  WHERE ($1::text IS NULL OR j.status = $1) AND ($2::text IS NULL OR j.territory = $2) AND ($3::text IS NULL OR j.department = $3)
    AND ($4::timestamptz IS NULL OR j.created_at >= $4) AND ($5::timestamptz IS NULL OR j.created_at < $5)
    AND ${JOB_SCOPE_INLINED}
  ORDER BY j.created_at DESC, j.id DESC`;

/** Why an export ended before its last row. */
type Interruption = 'client_closed' | 'client_stalled';

class ExportInterrupted extends PalisadeError<'ERR_EXPORT_INTERRUPTED'> {
  readonly reason: Interruption;
  constructor(reason: Interruption) {
    super('ERR_EXPORT_INTERRUPTED', reason);
    this.reason = reason;
  }
}

export interface JobExport {
  /** The CSV; ends after the transaction committed, or is destroyed with an error. */
  body: Readable;
  /** Resolves once the cursor is open and the first rows are queued; rejects if that fails. */
  started: Promise<void>;
  /** Settles when the transaction has ended, whichever way: the row count written to `body`. */
  finished: Promise<{ rows: number; outcome: 'success' | 'failure' | 'error' }>;
}

/**
 * Starts streaming the caller's jobs as CSV. The transaction runs in the background, feeding
 * `body` with backpressure; destroying `body` (the client closed the connection) stops it.
 */
export function streamJobExport(deps: ExportDeps, claims: RlsClaims, filter: JobExportFilter): JobExport {
  const stallTimeoutMs = deps.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  let interrupted: Interruption | undefined;
  let wake: (() => void) | undefined;
  let producing = true;
  const body = new Readable({
    read() {
      wake?.();
    },
    destroy(error, callback) {
      // Destroyed before the producer finished: the client went away (Fastify destroys the
      // payload when the response closes early).
      if (producing) interrupted ??= 'client_closed';
      wake?.();
      callback(error);
    },
  });

  /** Waits until the client has read what was queued (`read()` asks for more), or gives up. */
  const demand = () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        wake = undefined;
        interrupted ??= 'client_stalled';
        reject(new ExportInterrupted('client_stalled'));
      }, stallTimeoutMs);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  let markStarted!: () => void;
  let failStart!: (error: unknown) => void;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    failStart = reject;
  });
  const detail = (rows: number) => ({ rows, filters: filter, format: 'csv' });
  let rows = 0;

  const transaction = asCaller(deps.db, claims, async (tx) => {
    await tx.query(DECLARE, [filter.status ?? null, filter.territory ?? null, filter.department ?? null, filter.from ?? null, filter.to ?? null]);
    body.push(csvRecord(JOB_EXPORT_COLUMNS));
    let first = true;
    try {
      for (;;) {
        if (interrupted) throw new ExportInterrupted(interrupted);
        const { rows: batch } = await tx.query<ExportRow>(`FETCH ${EXPORT_BATCH} FROM palisade_export`);
        if (interrupted) throw new ExportInterrupted(interrupted);
        const room = batch.length ? body.push(batch.map(recordOf).join('')) : true;
        rows += batch.length;
        if (first) {
          first = false;
          markStarted();
        }
        if (batch.length < EXPORT_BATCH) break;
        if (!room) await demand();
      }
    } catch (error) {
      if (!(error instanceof ExportInterrupted)) throw error;
      // The client is gone: what it was sent is on record, and the transaction commits that.
      await tx.query('CLOSE palisade_export');
      await deps.audit.record(tx, { action: 'export.jobs', outcome: 'failure', reason: error.reason, actor: {}, resource: { type: 'job' }, detail: detail(rows) });
      return 'failure' as const;
    }
    await tx.query('CLOSE palisade_export');
    await deps.audit.record(tx, { action: 'export.jobs', outcome: 'success', actor: {}, resource: { type: 'job' }, detail: detail(rows) });
    return 'success' as const;
  });

  const finished = transaction.then(
    (outcome) => {
      producing = false;
      // The end of the CSV is sent only once its audit record has committed.
      if (outcome === 'success') body.push(null);
      else body.destroy();
      markStarted();
      return { rows, outcome };
    },
    (error: unknown) => {
      producing = false;
      failStart(error);
      // Rolled back, so nothing was recorded in it: the failure is recorded on its own.
      deps.audit.emit({ action: 'export.jobs', outcome: 'error', reason: 'database_error', actor: {}, resource: { type: 'job' }, detail: detail(rows) });
      body.destroy(error instanceof Error ? error : new Error(String(error)));
      return { rows, outcome: 'error' as const };
    },
  );
  return { body, started, finished };
}

export async function exportRoutes(server: FastifyInstance, deps: ExportDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const clock = deps.clock ?? systemClock;
  app.get(
    '/api/v1/exports/jobs.csv',
    {
      onRequest: app.authenticate,
      config: { permission: 'data.export', rateLimit: 'export' },
      schema: {
        tags: ['field service'],
        summary: 'The jobs in the caller’s scope as CSV, newest first, streamed (managers and admins; step-up)',
        security: [{ bearer: [] }],
        querystring: ExportQuery,
        response: {
          // The CSV is a stream, not a string: the reply is not typed from this schema.
          200: untypedReply({
            description: `CSV (RFC 4180, UTF-8, CRLF) with the columns ${JOB_EXPORT_COLUMNS.join(', ')}; cells that start like a formula are prefixed with an apostrophe.`,
            content: { 'text/csv': { schema: { type: 'string' } } },
          }),
        },
      },
    },
    async (request, reply) => {
      // Company data does not go to a personal device, nor to one whose ownership is unknown.
      assertExportAllowed(request.auth!, deps.devicePolicy);
      const filter = request.query;
      if (filter.from !== undefined && filter.to !== undefined && !(Date.parse(filter.to) > Date.parse(filter.from))) {
        throw problems.validation([{ path: 'querystring.to', message: 'must be after from' }]);
      }
      const exported = streamJobExport(deps, request.caller!.claims, filter);
      // A failure before the first rows (the cursor could not be opened) is an ordinary error
      // answer; after that the status line is gone and a failure cuts the response short.
      await exported.started;
      const day = new Date(clock.now()).toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="jobs-${day}.csv"`)
        .header('x-content-type-options', 'nosniff')
        .send(exported.body);
    },
  );
}
