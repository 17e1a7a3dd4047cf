/**
 * Schema pieces every API route shares. Fastify validates nothing a route does not declare: a
 * route without a querystring schema silently accepts any parameters, so routes that take none
 * say so, and an unknown parameter is refused like an unknown body field.
 */
export const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

/** A UUID in a path, query or body: exactly 36 characters (PostgreSQL also reads other spellings, which would reach it). */
export const UUID = { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 } as const;
