/**
 * Schema pieces every API route shares. Fastify validates nothing a route does not declare: a
 * route without a querystring schema silently accepts any parameters, so routes that take none
 * say so, and an unknown parameter is refused like an unknown body field.
 */
export const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;
