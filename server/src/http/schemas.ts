import Type from 'typebox';

/**
 * Schema pieces every API route shares. Fastify validates nothing a route does not declare: a
 * route without a querystring schema silently accepts any parameters, so routes that take none
 * say so, and an unknown parameter is refused like an unknown body field.
 */
export const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

/** A UUID in a path, query or body: exactly 36 characters (PostgreSQL also reads other spellings, which would reach it). */
export const UUID = { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 } as const;

/**
 * Pieces for the routes' TypeBox schemas (the TypeBox type provider derives `request.params`,
 * `query` and `body` from them). Both are the same JSON as the API has always declared: `Uuid`
 * is `UUID`, and `StringEnum` is `{ type: 'string', enum }` rather than TypeBox's union of
 * literals, so validation and its error messages do not change. Each is typed from its values.
 */
export const Uuid = Type.Unsafe<string>(UUID);
export const StringEnum = <const T extends string>(values: readonly T[], options: { description?: string } = {}) => Type.Unsafe<T>({ type: 'string', enum: values, ...options });
/**
 * A response schema the reply is not typed from: under the TypeBox type provider a handler's
 * return type is checked against its response schemas, which does not fit where handlers return
 * store rows (dates, open records) that the schema serializes. The JSON is unchanged.
 */
export const untypedReply = (schema: object): Readonly<Record<string, unknown>> => schema as Readonly<Record<string, unknown>>;

/**
 * The instants a `date-time` the API takes must lie between, in UTC: RFC 3339 admits more than
 * JavaScript and PostgreSQL can both hold (year 0000, which PostgreSQL does not have; a leap
 * second, which is no JavaScript Date; an offset that moves year 1 into year 0 or 9999 into
 * 10000, which PGlite cannot read back). http/app.ts makes Ajv's `date-time` format refuse
 * what lies outside, so every route's date-time input is checked where it is validated.
 */
export const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
export const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
export const DATE_TIME_RANGE_MESSAGE = 'must be an RFC 3339 date-time (2030-01-31T08:00:00Z) between the years 1 and 9999 in UTC';

/** A date-time (already RFC 3339 by Ajv's format) that both JavaScript and PostgreSQL hold. */
export function storableInstant(value: string): boolean {
  const at = Date.parse(value.toUpperCase());
  return Number.isFinite(at) && at >= EARLIEST_INSTANT && at <= LATEST_INSTANT;
}
