/**
 * JSON bodies by the API's rules (http/json.ts): nesting bounded before parsing, NUL refused,
 * prototype-poisoning keys refused; each refusal with its stable code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonBodyError, MAX_JSON_DEPTH, parseJsonBounded, scanJson } from '../../src/http/json.ts';

const code = (body: string, maxDepth?: number) => {
  try {
    parseJsonBounded(body, maxDepth === undefined ? {} : { maxDepth });
    return 'parsed';
  } catch (error) {
    assert.ok(error instanceof JsonBodyError, `a JsonBodyError, not ${String(error)}`);
    return error.reason;
  }
};

describe('JSON bodies', () => {
  test('nesting up to the limit parses; one level more is refused before parsing', () => {
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    assert.equal(code(nested(MAX_JSON_DEPTH)), 'parsed');
    assert.equal(code(nested(MAX_JSON_DEPTH + 1)), 'too-deep');
    assert.equal(code('{"a":'.repeat(3) + '1' + '}'.repeat(3), 2), 'too-deep', 'objects count as arrays do');
    // A million levels would take the parser and the validators far down the stack.
    assert.equal(code('['.repeat(1_000_000)), 'too-deep');
  });

  test('brackets and escaped quotes inside strings are not nesting', () => {
    assert.equal(scanJson(JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[["' }), 2), undefined);
    assert.deepEqual(parseJsonBounded(JSON.stringify({ a: '['.repeat(100) }), { maxDepth: 1 }), { a: '['.repeat(100) });
  });

  test('a NUL escape is refused (PostgreSQL text cannot hold one); an escaped backslash before u0000 is text', () => {
    assert.equal(code('{"a":"x\\u0000y"}'), 'malformed');
    assert.equal(code('{"\\u0000":1}'), 'malformed');
    assert.deepEqual(parseJsonBounded('{"a":"\\\\u0000"}'), { a: '\\u0000' });
  });

  test('prototype-poisoning keys are refused at any depth, as Fastify’s own parser does', () => {
    assert.equal(code('{"__proto__":{"admin":true}}'), 'forbidden-key');
    assert.equal(code('{"a":[{"constructor":{"prototype":{"admin":true}}}]}'), 'forbidden-key');
    assert.equal(code('{"\\u005f_proto__":{"admin":true}}'), 'forbidden-key', 'a key spelled with escapes is the same key');
    assert.equal(code('{"a":{"constr\\u0075ctor":{"prototype":{}}}}'), 'forbidden-key');
    assert.deepEqual(parseJsonBounded('{"constructor":"text"}'), { constructor: 'text' }, 'a key named constructor without prototype is data');
    assert.equal(({} as Record<string, unknown>).admin, undefined, 'Object.prototype untouched');
  });

  test('empty and malformed bodies have codes of their own; bytes are read as UTF-8', () => {
    assert.equal(code(''), 'empty');
    assert.equal(code('  \n'), 'empty');
    for (const body of ['{', '{"a":1,}', "{'a':1}", 'NaN', '[1,]', '\u0000']) assert.equal(code(body), 'malformed', body);
    assert.deepEqual(parseJsonBounded(new TextEncoder().encode('{"name":"Zoë"}')), { name: 'Zoë' });
  });
});
