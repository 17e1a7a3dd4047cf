/**
 * JSON request bodies, read strictly: nesting bounded before anything is parsed, and Fastify's
 * prototype-poisoning protection (secure-json-parse: `__proto__` and `constructor.prototype`
 * keys refused) kept. Any content-type parser of the API calls `parseJsonBounded`, so a parser
 * that must also keep the raw bytes (request signatures) reads bodies by the same rules.
 */
import secureJson from 'secure-json-parse';
import { PalisadeError } from '../errors/index.ts';

/** How deep API bodies may nest (objects and arrays); Palisade's own bodies use 2 or 3 levels. */
export const MAX_JSON_DEPTH = 32;

export type JsonBodyRefusal = 'empty' | 'malformed' | 'too-deep' | 'forbidden-key';
const JSON_BODY_CODES = {
  empty: 'ERR_JSON_BODY_EMPTY',
  malformed: 'ERR_JSON_BODY_MALFORMED',
  'too-deep': 'ERR_JSON_BODY_TOO_DEEP',
  'forbidden-key': 'ERR_JSON_BODY_FORBIDDEN_KEY',
} as const satisfies Record<JsonBodyRefusal, string>;

/**
 * Why a body was refused: `reason` is what callers map to problem types (never the message),
 * `code` the same in the one spelling of error codes.
 */
export class JsonBodyError extends PalisadeError<'ERR_JSON_BODY_EMPTY' | 'ERR_JSON_BODY_MALFORMED' | 'ERR_JSON_BODY_TOO_DEEP' | 'ERR_JSON_BODY_FORBIDDEN_KEY'> {
  readonly reason: JsonBodyRefusal;
  constructor(reason: JsonBodyRefusal, message: string) {
    super(JSON_BODY_CODES[reason], message);
    this.name = 'JsonBodyError';
    this.reason = reason;
  }
}

/**
 * What must be refused before parsing, found in one pass over the text without parsing it:
 * nesting deeper than `maxDepth` (brackets outside strings; a document nested thousands of
 * levels deep would otherwise be parsed in full and then walked recursively by validators and
 * serializers), and the escape `\u0000` (PostgreSQL's text and jsonb cannot hold NUL: a
 * statement given one fails, which would be a 500, not a 400).
 */
export function scanJson(text: string, maxDepth: number): 'too-deep' | 'nul' | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* backslash */) {
        if (text.startsWith('u0000', i + 1)) return 'nul';
        i++; // the escaped character, a quote included
      } else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return 'too-deep';
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}

/** Parses a JSON body (bytes or text) by the API's rules, or throws a `JsonBodyError`. */
export function parseJsonBounded(body: string | Uint8Array, options: { maxDepth?: number } = {}): unknown {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.trim() === '') throw new JsonBodyError('empty', 'The body is empty; send a JSON document.');
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const refused = scanJson(text, maxDepth);
  if (refused === 'too-deep') throw new JsonBodyError('too-deep', `The body nests deeper than ${maxDepth} levels.`);
  if (refused === 'nul') throw new JsonBodyError('malformed', 'The body contains a NUL character (\\u0000), which no field accepts.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JsonBodyError('malformed', 'The body is not valid JSON.');
  }
  // JSON.parse makes `__proto__` an own key (harmless here), but code that copies or merges the
  // object later would set a prototype from it: refused, as Fastify's own parser does. Only a
  // text that names one (or hides a name in \u escapes) needs the walk.
  if (value !== null && typeof value === 'object' && /__proto__|constructor|\\u/.test(text)) {
    try {
      secureJson.scan(value, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      throw new JsonBodyError('forbidden-key', 'The body uses a reserved property name (__proto__ or constructor.prototype).');
    }
  }
  return value;
}
