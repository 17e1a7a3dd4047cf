/**
 * Hostile input for every operation in the OpenAPI document ("strict input and
 * output"): fast-check generates path parameters, query strings and bodies from each
 * operation's own schemas, then breaks them — SQL and path tricks, NUL bytes, 10 KB strings,
 * lone surrogates, unknown and repeated parameters, type confusion, `__proto__` keys, nesting
 * beyond the limit, malformed and oversized JSON, the wrong content type. Each operation is
 * called as an administrator (signed in moments ago, so step-up passes), as a technician, and
 * under /scim/v2 as a provisioning connector, always through `MobileApp.call`, so whatever the
 * app adds to every request (keys, signatures) is on these too. Every answer must be:
 *   - below 500, with no stack trace or source path in it;
 *   - a refusal as problem+json (SCIM: scim+json, decision 0006) with a stable `type`;
 * and the data must be exactly what it was before each operation's run (see `digest`). The
 * routes outside the document (sign-in pages, oidc-provider) get hostile input too, checked for
 * 5xx, stack traces and requests left hanging.
 *
 * The server runs in this process (`startInProcess`: the same `startServer` that `npm start`
 * runs, over HTTPS) because the digest reads the database, and embedded PGlite is open to one
 * process only.
 *
 * Reproduce a failure with the seed it prints: `FUZZ_SEED=<seed> npm test -- e2e/fuzz`;
 * `FUZZ_RUNS=<n>` runs more cases per operation and caller (default 20).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { BEARER_FIELD_APP, MobileApp, relaxedPosture } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { insertScimToken } from '../../src/scim/index.ts';
import { hashToken } from '../../src/security/primitives.ts';
import { PROBLEM_BASE } from '../../src/http/problems.ts';
import { MAX_JSON_DEPTH } from '../../src/http/json.ts';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const SCIM_TOKEN = 'pal_scim_fuzz-connector-token-0123456789abcdef';

/** What an answer must never contain: a V8 stack frame, a source path, Node's internals. */
const LEAKS = [/at .+\(.*:\d+:\d+\)/, /server\/src/, /node:internal/];

/**
 * Operations whose *valid* call changes data by design, with nothing in the input to vary:
 * they get only invalid input (an unknown query parameter, always) and must refuse it.
 */
const CHANGES_BY_DESIGN: Record<string, string> = {
  'POST /api/v1/session/logout': 'ends the caller’s own session (or all of them)',
  'POST /api/v1/session/unlock/challenge': 'stores a fresh challenge (and its expiry) on the caller’s session',
};
/**
 * Operations whose valid calls create data from the input, by design: SCIM provisioning creates
 * Users and Groups, an administrator creates an app key. They are fuzzed for crashes and leaks,
 * not for the no-change property.
 */
const CREATES_BY_DESIGN = new Set(['POST /scim/v2/Users', 'POST /scim/v2/Groups', 'POST /admin/v1/apps/:app/keys']);

/** Problems answered before a route is chosen, so in problem+json on SCIM's paths too. */
const BEFORE_ROUTING = new Set(['malformed-url', 'headers-too-large', 'malformed-request'].map((slug) => PROBLEM_BASE + slug));

// --- the operations, as the OpenAPI document describes them ---------------------------------

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}
interface Operation {
  key: string;
  method: string;
  path: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema }[];
  body?: { contentType: string; schema: Schema };
}
type OpenApi = { paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema?: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } }>> };

function operations(doc: OpenApi): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => {
        const params = op.parameters ?? [];
        const content = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
        return {
          key: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
          queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
          ...(content ? { body: { contentType: content[0], schema: content[1].schema } } : {}),
        };
      }),
  );
}

// --- hostile values --------------------------------------------------------------------------

const HOSTILE_STRINGS = [
  "' OR 1=1--",
  "1; DROP TABLE users",
  '" OR ""="',
  "admin'--",
  '../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f',
  '%00',
  '\u0000',
  'a\u0000b',
  '%',
  '%zz',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'userName eq "a\u0000b"',
  'displayName eq "\u0000"',
  'userName eq "x" or 1 eq 1',
  'externalId eq "\' OR 1=1--"',
  '😀🏳️‍🌈',
  '\u202egnp.exe',
  '\uFEFF',
  '\uD800',
  'null',
  'NaN',
  'Infinity',
  '-1',
  '-0',
  '1e309',
  '99999999999999999999999999',
  '0x10',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'urn:uuid:123e4567-e89b-12d3-a456-426614174000',
  '{123e4567-e89b-12d3-a456-426614174000}',
  '00000000-0000-0000-0000-000000000000',
  '0000-01-01T00:00:00Z',
  '2016-12-31T23:59:60Z',
  '9999-12-31T23:59:59-01:00',
  '0001-01-01T00:00:00+01:00',
  ' ',
  '\t\r\n',
  'A'.repeat(10_000),
  'é'.repeat(3000),
];
const hostileString: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.uuid() },
  )
  // Audit search answers with earlier requests' parameters: none may look like a leak itself.
  .filter((s) => !LEAKS.some((leak) => leak.test(s)));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 63), 1e308, 0.5),
  fc.constant(null),
  fc.boolean(),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);

/**
 * RFC 3339 date-times (so Ajv's format alone admits them) that PostgreSQL or JavaScript cannot
 * hold: year 0000, year 1 moved into year 0 by its offset, 9999 moved into 10000, leap seconds.
 */
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([h, m, sec]) => `${pad(h)}:${pad(m)}:${pad(sec)}`);
const outOfRangeDateTime: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), clock, fc.constantFrom('Z', '+00:00', '-05:00', '+14:00')).map(([month, day, time, zone]) => `0000-${pad(month)}-${pad(day)}T${time}${zone}`),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 59 })).map(([h, m]) => `0001-01-01T00:00:00+${pad(h)}:${pad(m)}`),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 59 })).map(([h, m]) => `9999-12-31T23:59:59-${pad(h)}:${pad(m)}`),
  fc.integer({ min: 1, max: 9999 }).map((year) => `${pad(year, 4)}-12-31T23:59:60Z`),
);

/** A value of `schema`'s shape (the happy path the mutations start from). */
function valid(schema: Schema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'null':
          return fc.constant(null);
        case 'boolean':
          return fc.boolean();
        case 'integer':
          return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
        case 'number':
          return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
        case 'array':
          return fc.array(valid(schema.items ?? {}), { maxLength: 3 });
        case 'string':
          if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
          if (schema.format === 'uuid') return fc.uuid();
          if (schema.format === 'date-time') return fc.oneof({ weight: 3, arbitrary: fc.date({ min: new Date('1000-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString()) }, { weight: 1, arbitrary: outOfRangeDateTime });
          return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
        default: {
          const properties = schema.properties ?? {};
          return fc.record(Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valid(s)])), { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
        }
      }
    }),
  );
}

/** `schema`'s shape, broken: values of the wrong type or content, unknown and poisoned keys. */
function mutated(schema: Schema): fc.Arbitrary<unknown> {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('object') && schema.properties) {
    const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, mutated(s)]));
    return fc
      .tuple(fc.record(properties, { requiredKeys: [] }), fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'admin', 'roles')), hostileValue, { maxKeys: 2 }))
      .map(([known, extra]) => Object.assign(Object.create(null) as object, known, extra));
  }
  return fc.oneof({ weight: 1, arbitrary: valid(schema) }, { weight: 2, arbitrary: hostileValue });
}

/** Percent-encodes every byte but unreserved characters; `keepPercent` sends `%xx` as written. */
function encode(value: string, keepPercent = false): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(c) || (keepPercent && c === '%') ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

interface FuzzRequest {
  path: string;
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string;
  /** Sent to an operation that changes data by design: the request is invalid and must be refused. */
  mustRefuse: boolean;
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8'];
const OTHER_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/scim+json', 'application/json-patch+json', 'application/json; charset=latin1', 'application/jsonx'];

function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Bodies for an operation: its schema's shape broken in every way, and bytes that are no JSON at all. */
function bodies(op: Operation): fc.Arbitrary<{ body?: string | Uint8Array<ArrayBuffer>; contentType?: string }> {
  const json = op.body && op.body.contentType.includes('json') ? op.body.schema : op.body ? undefined : { type: 'object', properties: { a: {} } };
  const shaped = json
    ? fc.tuple(mutated(json), fc.constantFrom(...JSON_TYPES, op.body?.contentType ?? 'application/json')).map(([v, contentType]) => ({ body: JSON.stringify(v) ?? 'null', contentType }))
    : fc.dictionary(fc.oneof(fc.constant('logout_token'), hostileString), hostileString, { maxKeys: 3 }).map((form) => ({ body: new URLSearchParams(form).toString(), contentType: op.body!.contentType }));
  const raw = fc.oneof(
    fc.constantFrom(
      '',
      '{',
      '{"a":',
      '{"a":1}}',
      "{'a':1}",
      '[1,]',
      '{"a":1,}',
      'NaN',
      '1e999999',
      'null',
      '1',
      '"x"',
      '[]',
      'true',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}',
      '{"a":"x\\u0000y"}',
      '{"\\u0000":1}',
      '\u0000',
      '\uFEFF{}',
      '{"a":"\\ud800"}',
    ),
    fc.integer({ min: MAX_JSON_DEPTH + 1, max: 20_000 }).chain((depth) => fc.constantFrom(nested(depth, 'array'), nested(depth, 'object'))),
    fc.constant(JSON.stringify({ proof: 'A'.repeat(70_000), logout_token: 'A'.repeat(70_000), userName: 'A'.repeat(70_000) })),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: 3, arbitrary: fc.tuple(raw, fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES)).map(([body, contentType]) => ({ body, contentType })) },
    { weight: 1, arbitrary: fc.tuple(shaped, fc.constantFrom(...OTHER_TYPES)).map(([b, contentType]) => ({ body: b.body, contentType })) },
    // Bytes without any content type.
    { weight: 1, arbitrary: shaped.map((b) => ({ body: new Uint8Array(Buffer.from(b.body ?? '')) })) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

function requests(op: Operation, sampleIds: string[]): fc.Arbitrary<FuzzRequest> {
  const designed = CHANGES_BY_DESIGN[op.key] !== undefined;
  const pathValue = (schema: Schema) =>
    fc.oneof(
      { weight: 2, arbitrary: valid(schema).map(String) },
      { weight: 3, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.constantFrom(...sampleIds) },
    ).filter((v) => v !== '' && v !== '.' && v !== '..');
  const pathArb = fc
    .tuple(fc.tuple(...op.pathParams.map((p) => fc.tuple(pathValue(p.schema), fc.boolean()))), fc.constant(op.path))
    .map(([values, template]) => op.pathParams.reduce((path, p, i) => path.replace(`{${p.name}}`, encode(values[i]![0], values[i]![1])), template));
  const knownQuery = op.queryParams.map((p) => fc.tuple(fc.constant(p.name), fc.oneof(valid(p.schema).map(String), hostileString)));
  const unknownQuery = fc.tuple(fc.oneof(fc.constantFrom('admin', 'limit', 'a[b]', 'a[]', '__proto__', 'constructor[prototype]', ''), hostileString), hostileString);
  const queryArb = fc
    .tuple(
      fc.array(fc.oneof(...(knownQuery.length ? knownQuery : [unknownQuery])), { maxLength: 4 }),
      designed ? fc.array(unknownQuery, { minLength: 1, maxLength: 2 }) : fc.array(unknownQuery, { maxLength: 2 }),
      fc.boolean(),
    )
    .map(([known, unknown, keepPercent]) => {
      const pairs = [...known, ...unknown];
      return pairs.length ? `?${pairs.map(([k, v]) => `${encode(k, keepPercent)}=${encode(v, keepPercent)}`).join('&')}` : '';
    });
  return fc.tuple(pathArb, queryArb, bodies(op)).map(([path, query, body]) => ({
    path: path + query,
    ...(op.method === 'GET' ? {} : body),
    mustRefuse: designed,
  }));
}

// --- what must hold --------------------------------------------------------------------------

/**
 * Everything Palisade keeps, as one hash: every table of the public schema but the audit trail
 * (`audit_*`: every call, refused or not, is recorded — that is the point of it), without the
 * columns that record activity rather than data: `sessions.last_seen_at` and
 * `devices.last_seen_at` (any authenticated call), `scim_tokens.last_used_at` (any SCIM call),
 * `app_keys.last_used_at` (any call with an app key).
 * Rate-limit counters live in the cache, not in the database. Each row is compared as its
 * `jsonb` text (keys in jsonb's own order, every value exact), the rows of a table in a stable
 * order. The database hashes each table's rows, in one query for all the tables: the digest is
 * taken twice per operation and caller, and a query per table with every row sent to this
 * process and parsed here cost PGlite (which runs in this process) far more. `tables` holds each
 * table's hash, to name the tables that changed.
 */
const ACTIVITY_COLUMNS: Record<string, string[]> = { sessions: ['last_seen_at'], devices: ['last_seen_at'], scim_tokens: ['last_used_at'], app_keys: ['last_used_at'] };
interface Digest {
  hash: string;
  tables: Record<string, string>;
}
/**
 * The digest's query on PGlite, prepared once (PGlite is one connection, so one session) and
 * executed after that: planning the query's ~35 table scans cost more than running them (about
 * 70 of 110 ms a digest at load 20). Prepared again whenever the list of tables is not the one it
 * was prepared for, so a table that appears is hashed as before. PostgreSQL spreads the owner's
 * work over a pool of connections, where a prepared statement would exist on one only: there
 * the query is sent as text (its digests cost a fraction of PGlite's).
 */
const prepared = new WeakMap<RunningServer, string>();
async function digest(server: RunningServer): Promise<Digest> {
  return server.db.asOwner(async (q) => {
    // pg_tables, not information_schema.tables: the same tables (the owner owns every one),
    // without the information schema's privilege checks (about 30 ms a digest on PGlite).
    const { rows: tables } = await q.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'audit\\_%' ORDER BY 1`);
    // `name` comes from the catalogue, quoted as an identifier and as a literal; the activity
    // columns are this file's constants.
    const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
    const perTable = tables.map(({ name }) => {
      const row = (ACTIVITY_COLUMNS[name] ?? []).reduce((json, column) => `(${json} - ${literal(column)})`, 'to_jsonb(t)');
      return `SELECT ${literal(name)} AS name, encode(sha256(convert_to(coalesce(string_agg(${row}::text, E'\\n' ORDER BY ${row}::text), ''), 'UTF8')), 'hex') AS hash FROM ${identifier(name)} t`;
    });
    const sql = perTable.join(' UNION ALL ');
    let result;
    if (server.db.kind === 'pglite') {
      if (prepared.get(server) !== sql) {
        if (prepared.delete(server)) await q.query('DEALLOCATE fuzz_digest');
        await q.query(`PREPARE fuzz_digest AS ${sql}`);
        prepared.set(server, sql);
      }
      result = await q.query<{ name: string; hash: string }>('EXECUTE fuzz_digest');
    } else {
      result = await q.query<{ name: string; hash: string }>(sql);
    }
    const out = Object.fromEntries(result.rows.map((r) => [r.name, r.hash]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
    return { hash: createHash('sha256').update(JSON.stringify(out)).digest('hex'), tables: out };
  });
}

function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((t) => before[t] !== after[t]);
}

/** A number from a string, to give each operation a seed of its own derived from the run's. */
function seedFor(key: string): number {
  return (SEED ^ createHash('sha256').update(key).digest().readInt32BE(0)) | 0;
}

for (const kind of databaseKinds()) {
  describe(`hostile input on every operation of the OpenAPI document (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    let tech: string;
    let admin: string;
    let adminSignedInAt = 0;
    let other: string;
    /**
     * The digest the last run left (the state after it), which is the digest before the next run:
     * runs follow one another with nothing in between, so one digest between two runs serves as
     * the first's "after" and the second's "before" (half the digests of taking both each time,
     * with the same window around every run). Cleared whenever something else may have changed
     * data: a sign-in (freshAdmin), a test's own set-up, a run whose property failed or that
     * creates data by design.
     */
    let settled: Digest | undefined;
    const digestBefore = async () => (settled ??= await digest(server));
    const digestAfter = async () => (settled = await digest(server));
    /** The administrator's token, signed in again when step-up would soon refuse it (long FUZZ_RUNS). */
    const freshAdmin = async () => {
      if (Date.now() - adminSignedInAt > 3 * 60_000) {
        admin = (await app.signIn('u-admin', { dpop: false })).tokens.access_token;
        adminSignedInAt = Date.now();
        settled = undefined;
      }
      return admin;
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      // Bearer tokens (the field app accepts them too): input validation is the subject here,
      // and a DPoP proof per call would only slow the run down.
      ({ server, ca } = await startInProcess(database, upstream, port, { PALISADE_CLIENTS: BEARER_FIELD_APP, PALISADE_DEVICE_POLICY: relaxedPosture('field-app') }));
      await insertScimToken(server.db, 'fuzz', hashToken(SCIM_TOKEN));
      app = new MobileApp(server.url, ca);
      tech = (await app.signIn('u-tech', { dpop: false })).tokens.access_token;
      // Signed in just now: sensitive admin operations pass step-up, so hostile input reaches
      // their validation and handlers; signed in again when that would soon be too old.
      await freshAdmin();
      // A second person with sessions, whose ids the fuzzer may use (they must not be ended).
      other = (await app.signIn('u-contractor', { dpop: false })).tokens.access_token;
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test(`no 5xx, no stack trace, a problem for every refusal, no change to data (seed ${SEED}, ${RUNS} runs per operation and caller)`, async (t) => {
      const sid = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;
      const sub = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
      // Real ids are offered only where the operation reads; a valid delete of a real id would change data by design.
      const readIds = [sid(other), sub(other), sid(admin), sub(tech)];
      settled = undefined; // whatever ran before this test

      const doc = (await app.call('/openapi.json', tech)).body as unknown as OpenApi;
      const ops = operations(doc);
      assert.ok(ops.length >= 20, `the OpenAPI document lists the API's operations (${ops.length})`);
      const known = new Set(ops.map((o) => o.key));
      for (const key of [...Object.keys(CHANGES_BY_DESIGN), ...CREATES_BY_DESIGN]) assert.ok(known.has(key), `${key} is still in the document (else this list is stale)`);
      for (const key of ['GET /healthz', 'GET /readyz', 'GET /api/v1/me', 'GET /admin/v1/audit/events']) assert.ok(known.has(key), `${key} is described in the document`);
      t.diagnostic(`seed ${SEED}; operations: ${ops.map((o) => o.key).join(', ')}`);

      let calls = 0;
      for (const op of ops) {
        const scim = op.path.startsWith('/scim/');
        const callers: [string, string][] = scim ? [['connector', SCIM_TOKEN]] : [['admin', await freshAdmin()], ['technician', tech]];
        const ids = op.method === 'GET' ? readIds : ['00000000-0000-4000-8000-000000000000'];
        for (const [who, token] of callers) {
          await t.test(`${op.key} as ${who}`, async () => {
            const beforeRun = await digestBefore();
            settled = undefined; // until this run has ended well and its "after" is taken
            const seed = seedFor(`${op.key} ${who}`);
            await fc.assert(
              fc.asyncProperty(requests(op, ids), async (request) => {
                calls++;
                const init: RequestInit = { method: op.method };
                if (request.body !== undefined) init.body = request.body;
                if (request.contentType) init.headers = { 'content-type': request.contentType };
                const response = await app.call(request.path, token, init);
                const what = `${op.key} as ${who}: ${op.method} ${request.path.slice(0, 300)} answered ${response.status} ${response.text.slice(0, 500)}`;
                assert.ok(response.status < 500, `no 5xx — ${what}`);
                for (const leak of LEAKS) assert.doesNotMatch(response.text, leak, `no stack trace or source path — ${what}`);
                if (response.status >= 400) {
                  const type = response.headers.get('content-type') ?? '';
                  // Refused before any route is chosen (broken URL, oversized headers): no SCIM route answered.
                  const scimAnswer = scim && !BEFORE_ROUTING.has(String(response.body.type));
                  assert.match(type, scimAnswer ? /^application\/scim\+json/ : /^application\/problem\+json/, `a refusal is a problem document — ${what}`);
                  assert.ok(typeof response.body.type === 'string' && response.body.type.startsWith(PROBLEM_BASE), `with a stable type — ${what}`);
                }
                // Deletes are given ids nobody has: nothing may be deleted (ending "all sessions of
                // a user" nobody is answers that none were ended).
                if (op.method === 'DELETE' && response.status < 300) assert.ok(response.status === 200 && response.body.ended === 0, `a delete of an unknown id deletes nothing — ${what}`);
                if (request.mustRefuse) assert.ok(response.status >= 400 && response.status < 500, `${op.key} ${CHANGES_BY_DESIGN[op.key]}: only invalid input is sent, and it is refused — ${what}`);
              }),
              { numRuns: RUNS, seed, endOnFailure: true },
            );
            if (CREATES_BY_DESIGN.has(op.key)) return;
            const afterRun = await digestAfter();
            assert.equal(afterRun.hash, beforeRun.hash, `${op.key} as ${who} (seed ${seed}) changed no data; changed: ${changedTables(beforeRun.tables, afterRun.tables).join(', ')}`);
          });
        }
      }
      t.diagnostic(`${calls} hostile requests`);
      assert.equal((await app.call('/api/v1/me', tech)).status, 200, 'the technician’s session survived it all');
      assert.equal((await app.call('/api/v1/me', admin)).status, 200, 'the administrator’s session survived it all');
    });

    test(`routes outside the OpenAPI document (sign-in pages, oidc-provider): no 5xx, no stack trace, never left hanging (seed ${SEED})`, async (t) => {
      // Their answers are oidc-provider's JSON errors, HTML pages and redirects, so only the
      // safety properties are checked; a started authorization stores an interaction by design.
      const hidden: [string, string][] = [
        ['GET', '/interaction/{uid}'],
        ['GET', '/interaction/{uid}/upstream'],
        ['POST', '/interaction/{uid}/abort'],
        ['GET', '/auth/callback'],
        ['GET', '/oauth2/authorize'],
        ['POST', '/oauth2/par'],
        ['POST', '/oauth2/token'],
        ['POST', '/oauth2/revoke'],
        ['POST', '/oauth2/introspect'],
        ['GET', '/oauth2/userinfo'],
        ['GET', '/oauth2/logout'],
        ['GET', '/oauth2/jwks'],
        ['GET', '/.well-known/openid-configuration'],
      ];
      const uid = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{10,64}$/), hostileString.filter((v) => v !== '' && v !== '.' && v !== '..'));
      const formField = fc.tuple(
        fc.oneof(fc.constantFrom('client_id', 'grant_type', 'code', 'refresh_token', 'token', 'redirect_uri', 'state', 'code_challenge', 'request_uri', 'response_type', 'scope', 'logout_token', 'dpop_jkt', 'unlock_jwk'), hostileString),
        fc.oneof(fc.constantFrom('field-app', 'authorization_code', 'refresh_token', 'code', 'openid api', 'http://127.0.0.1/callback'), hostileString),
      );
      const fields = fc.array(formField, { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&'));
      for (const [method, template] of hidden) {
        await t.test(`${method} ${template}`, async () => {
          await fc.assert(
            fc.asyncProperty(uid, fields, fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'), async (id, form, contentType) => {
              const path = template.replace('{uid}', encode(id));
              // Redirects are answers (often to the app's own redirect URI, where nothing listens).
              const init: RequestInit = { method, redirect: 'manual', signal: AbortSignal.timeout(10_000) };
              if (method === 'POST') Object.assign(init, { body: form, headers: { 'content-type': contentType } });
              // No access token: these endpoints authenticate clients, not API callers.
              const response = await app.call(method === 'GET' && form ? `${path}?${form}` : path, '', init).catch((error: Error) => ({ status: 0, text: `${error.name}: no answer`, headers: new Headers(), body: {} }));
              const what = `${method} ${path.slice(0, 200)} ${form.slice(0, 200)} answered ${response.status} ${response.text.slice(0, 300)}`;
              assert.ok(response.status > 0, `answered at all — ${what}`);
              assert.ok(response.status < 500, `no 5xx — ${what}`);
              for (const leak of LEAKS) assert.doesNotMatch(response.text, leak, `no stack trace or source path — ${what}`);
            }),
            { numRuns: Math.max(5, Math.round(RUNS / 2)), seed: seedFor(`${method} ${template}`), endOnFailure: true },
          );
        });
      }
    });

    test(`well-formed requests with one unknown reference or one date-time no database holds: a refusal, never a 5xx, no change (seed ${SEED})`, async (t) => {
      // Records that exist, so the rest of each request is good and the one fault reaches as
      // far as it can — past the handler's own checks, to the database's foreign keys.
      const techId = JSON.parse(Buffer.from(tech.split('.')[1]!, 'base64url').toString()).sub as string;
      const real = await server.db.asOwner(async (q) => {
        await q.query("INSERT INTO fs_territories (code, name, region) VALUES ('fz-south', 'Fuzz South', 'fz-west') ON CONFLICT DO NOTHING");
        await q.query("INSERT INTO fs_projects (code, name, contractor) VALUES ('FZ-1', 'Fuzz project', 'Fuzz Ltd') ON CONFLICT DO NOTHING");
        const { rows } = await q.query<{ customer: string; site: string }>('SELECT gen_random_uuid() AS customer, gen_random_uuid() AS site');
        const { customer, site } = rows[0]!;
        await q.query("INSERT INTO fs_customers (id, name) VALUES ($1, 'Fuzz Foods')", [customer]);
        await q.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region) VALUES ($1, $2, 'Depot', '1 Fuzz Road', 'fz-south', 'fz-west')", [site, customer]);
        await q.query("INSERT INTO fs_technicians (user_id, display_name, territory, region) VALUES ($1, 'Terry Tech', 'fz-south', 'fz-west') ON CONFLICT DO NOTHING", [techId]);
        return { siteId: site, technicianId: techId, assignedTo: techId, territory: 'fz-south', project: 'FZ-1', id: techId } as Record<string, string>;
      });
      settled = undefined; // the records just made, and whatever ran before this test
      // Fields that name a record, with a well-formed value that names none.
      const unknownOf = (schema: Schema): fc.Arbitrary<string> => (schema.format === 'uuid' ? fc.uuid({ version: 4 }) : fc.stringMatching(/^ZZ[0-9]{1,6}$/));
      const isReference = (name: string) => name in real && name !== 'id';
      const isDateTime = (schema: Schema) => schema.format === 'date-time';

      const doc = (await app.call('/openapi.json', tech)).body as unknown as OpenApi;
      const candidates = operations(doc).filter((op) => {
        if (op.path.startsWith('/scim/') || op.method === 'DELETE') return false;
        const fields = [...Object.entries(op.body?.schema.properties ?? {}), ...op.queryParams.map((p) => [p.name, p.schema] as const)];
        return fields.some(([name, schema]) => isReference(name) || isDateTime(schema));
      });
      assert.ok(candidates.some((op) => op.key === 'POST /api/v1/jobs') && candidates.some((op) => op.key === 'GET /api/v1/shifts'), `the jobs and shifts operations are among them: ${candidates.map((op) => op.key).join(', ')}`);
      t.diagnostic(`operations with references or date-times: ${candidates.map((op) => op.key).join(', ')}`);

      for (const op of candidates) {
        await t.test(op.key, async () => {
          // A sign-in the administrator's token may need (a long run) happens before the digest, not between.
          const adminToken = await freshAdmin();
          const beforeRun = await digestBefore();
          settled = undefined; // until this run has ended well and its "after" is taken
          const bodySchema = op.body?.schema.properties ?? {};
          const queryParams = Object.fromEntries(op.queryParams.map((p) => [p.name, p.schema]));
          // Every field present, references real; then exactly one field broken.
          const complete = (properties: Record<string, Schema>) =>
            fc.record(Object.fromEntries(Object.entries(properties).map(([k, schema]) => [k, isReference(k) ? fc.constant(real[k]) : valid(schema)])));
          const faults = [...Object.entries(bodySchema).map(([name, schema]) => ['body', name, schema] as const), ...Object.entries(queryParams).map(([name, schema]) => ['query', name, schema] as const)]
            .filter(([, name, schema]) => isReference(name) || isDateTime(schema))
            .map(([where, name, schema]) => fc.tuple(fc.constant(where), fc.constant(name), isReference(name) ? unknownOf(schema) : outOfRangeDateTime));
          await fc.assert(
            fc.asyncProperty(complete(bodySchema), complete(queryParams), fc.oneof(...faults), async (body, query, [where, name, value]) => {
              (where === 'body' ? body : query)[name] = value;
              const path = op.pathParams.reduce((p, param) => p.replace(`{${param.name}}`, real[param.name] ?? real.id!), op.path);
              const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
              const init: RequestInit = { method: op.method };
              if (op.body) Object.assign(init, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
              const response = await app.call(`${path}${search ? `?${search}` : ''}`, adminToken, init);
              const what = `${op.key} with ${where} ${name}=${JSON.stringify(value)} answered ${response.status} ${response.text.slice(0, 400)}`;
              assert.ok(response.status < 500, `no 5xx — ${what}`);
              if (op.method !== 'GET') assert.ok(response.status >= 400, `refused — ${what}`);
              if (response.status >= 400) assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, `a problem document — ${what}`);
            }),
            { numRuns: RUNS, seed: seedFor(`references ${op.key}`), endOnFailure: true },
          );
          if (CREATES_BY_DESIGN.has(op.key)) return;
          const afterRun = await digestAfter();
          assert.equal(afterRun.hash, beforeRun.hash, `${op.key} changed no data; changed: ${changedTables(beforeRun.tables, afterRun.tables).join(', ')}`);
        });
      }
    });

    test('every operation but SCIM’s answers through a closed schema, so nothing unlisted is sent', async () => {
      type Responses = Record<string, { content?: Record<string, { schema: Schema }> }>;
      const doc = (await app.call('/openapi.json', tech)).body as unknown as { paths: Record<string, Record<string, { responses?: Responses }>> };
      const open: string[] = [];
      for (const [path, methods] of Object.entries(doc.paths)) {
        if (path.startsWith('/scim/')) continue; // SCIM resources are the connector's (decision 0006)
        for (const [method, op] of Object.entries(methods)) {
          const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
          if (success.length === 0) open.push(`${method} ${path}: no success response declared`);
          for (const [status, response] of success) {
            const schema = response.content?.['application/json']?.schema;
            if (status === '204' || (status === '200' && !schema && path === '/auth/backchannel-logout')) continue; // empty answers
            if (response.content && !response.content['application/json']) continue; // not JSON (a signed JWT): no serializer to leak through
            if (!schema || schema.additionalProperties !== false) open.push(`${method} ${path} ${status}: not a closed object`);
          }
        }
      }
      assert.deepEqual(open, []);
    });

    describe('what fuzzing found, and the limits it relies on', () => {
      const problemOf = (response: { status: number; body: Record<string, unknown> }) => [response.status, String(response.body.type).replace(PROBLEM_BASE, '')];

      test('a delete by an id nobody has answers 404 and changes nothing', async () => {
        // A sign-in the administrator's token may need (a long run) happens before the digest, not between.
        await freshAdmin();
        const before = (await digest(server)).hash;
        const unknown = '3f2c7e9a-0000-4000-8000-000000000001';
        for (const [path, token] of [
          ['/api/v1/me/sessions/no-such-session', tech],
          ['/admin/v1/sessions/no-such-session', await freshAdmin()],
          [`/admin/v1/devices/${unknown}`, await freshAdmin()],
          [`/scim/v2/Users/${unknown}`, SCIM_TOKEN],
          [`/scim/v2/Groups/${unknown}`, SCIM_TOKEN],
        ] as const) {
          assert.equal((await app.call(path, token, { method: 'DELETE' })).status, 404, path);
        }
        assert.deepEqual((await app.call(`/admin/v1/users/${unknown}/sessions`, await freshAdmin(), { method: 'DELETE' })).body, { ended: 0 });
        assert.equal((await digest(server)).hash, before);
      });

      test('“Return to the app” for an interaction that does not exist is refused, not left hanging', async () => {
        // Outside the OpenAPI document (a sign-in page's form), found by probing the hidden routes.
        const response = await app.call('/interaction/aaaaaaaaaaaa/abort', tech, { method: 'POST', body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(5000) });
        assert.equal(response.status, 400);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      });

      test('oidc-provider: a NUL in a parameter it stores is a bad request, not a 500', async () => {
        // Found by the hidden-route property: the logout's `state` is kept in the session row (jsonb).
        const logout = await app.call('/oauth2/logout?client_id=field-app&state=a%00b', '', { redirect: 'manual' });
        assert.equal(logout.status, 400, logout.text.slice(0, 200));
        const authorize = await app.call(
          `/oauth2/authorize?${new URLSearchParams({ client_id: 'field-app', response_type: 'code', scope: 'openid', redirect_uri: 'http://127.0.0.1/callback', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'a\u0000b' })}`,
          '',
          { redirect: 'manual' },
        );
        assert.ok(authorize.status < 500, `authorize answered ${authorize.status}`);
        if (authorize.status === 303) assert.match(authorize.headers.get('location') ?? '', /error=invalid_request/);
      });

      test('a user or device id in the urn:uuid form (a uuid to Ajv, not to PostgreSQL) is refused, not a 500', async () => {
        for (const path of ['/admin/v1/devices/urn:uuid:123e4567-e89b-12d3-a456-426614174000', '/admin/v1/users/urn:uuid:123e4567-e89b-12d3-a456-426614174000/sessions']) {
          assert.deepEqual(problemOf(await app.call(path, admin)), [400, 'validation-failed'], path);
        }
      });

      test('an audit search for a time PostgreSQL cannot hold, or a resource id with a NUL, is refused, not a 500', async () => {
        for (const query of ['from=0000-01-01T00:00:00Z', 'to=2016-12-31T23:59:60Z', 'from=0001-01-01T00:00:00%2B01:00', 'resourceId=%00', 'resourceId=a%00b']) {
          assert.deepEqual(problemOf(await app.call(`/admin/v1/audit/events?${query}`, admin)), [400, 'validation-failed'], query);
        }
      });

      test('SCIM: a NUL in a provisioned attribute or a filter is refused in SCIM’s format, not a 500', async () => {
        const created = await app.call('/scim/v2/Users', SCIM_TOKEN, { method: 'POST', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'a\u0000b@corp.test' }), headers: { 'content-type': 'application/scim+json' } });
        assert.equal(created.status, 400, created.text);
        assert.match(created.headers.get('content-type') ?? '', /^application\/scim\+json/);
        const filtered = await app.call(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "a\u0000b"')}`, SCIM_TOKEN);
        assert.equal(filtered.status, 400, filtered.text);
        assert.match(filtered.headers.get('content-type') ?? '', /^application\/scim\+json/);
      });

      test('a broken percent-encoding and oversized headers are answered as problems, without echoing the URL', async () => {
        const broken = await app.call('/api/v1/me/sessions/%zz%3Cscript%3E', tech, { method: 'DELETE' });
        assert.deepEqual(problemOf(broken), [400, 'malformed-url']);
        assert.doesNotMatch(broken.text, /script/, 'the URL is not reflected');
        const long = await app.call(`/api/v1/me?q=${'x'.repeat(20_000)}`, tech);
        assert.deepEqual(problemOf(long), [431, 'headers-too-large']);
        assert.match(long.headers.get('content-type') ?? '', /^application\/problem\+json/);
      });

      test('bodies: nesting beyond the limit, poisoned keys and NUL are refused; a body where none is taken is refused; the limit named is the route’s', async () => {
        const logout = (body: string) => app.call('/api/v1/session/logout?dry=1', tech, { method: 'POST', body });
        assert.deepEqual(problemOf(await logout(nested(MAX_JSON_DEPTH + 1, 'array'))), [400, 'body-too-deep']);
        assert.deepEqual(problemOf(await logout('{"__proto__":{"admin":true}}')), [400, 'malformed-body']);
        assert.deepEqual(problemOf(await logout('{"constructor":{"prototype":{"admin":true}}}')), [400, 'malformed-body']);
        assert.deepEqual(problemOf(await logout('{"everywhere":"\\u0000"}')), [400, 'malformed-body']);
        const large = await logout(JSON.stringify({ everywhere: true, pad: 'x'.repeat(2000) }));
        assert.deepEqual(problemOf(large), [413, 'body-too-large']);
        assert.equal(large.body.detail, 'The limit is 1024 bytes.', 'the route’s own limit, not the server default');
        const withBody = await app.call(`/admin/v1/sessions/${'0'.repeat(8)}`, await freshAdmin(), { method: 'DELETE', body: '{}' });
        assert.deepEqual(problemOf(withBody), [400, 'validation-failed'], 'DELETE takes no body');
        assert.deepEqual(problemOf(await app.call('/api/v1/me?admin=true', tech)), [400, 'validation-failed'], 'an unknown query parameter is refused');
        assert.equal((await app.call('/api/v1/me', tech)).status, 200, 'and the caller is still signed in: nothing above reached a handler');
      });
    });
  });
}
