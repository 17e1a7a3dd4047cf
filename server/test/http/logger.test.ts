/**
 * The process's logger (http/logger.ts): one format per process, pretty in development and
 * JSON in production unless `log.format` says otherwise, the same redaction in both, and one
 * short line per request in the pretty format.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, type LogFormat } from '../../src/http/logger.ts';
import { logFormat } from '../../src/main.ts';
import { loadConfig } from '../../src/config/load.ts';

function capture(format: LogFormat) {
  let written = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  return { log: createLogger({ level: 'info', format, destination }), output: () => written };
}

describe('log format', () => {
  test('pretty in development, json in production, log.format wins over both', () => {
    const development = loadConfig({ env: { NODE_ENV: 'development' }, document: {} });
    assert.equal(logFormat(development), 'pretty');
    assert.equal(logFormat({ ...development, production: true }), 'json');
    assert.equal(logFormat({ ...development, production: true, log: { ...development.log, format: 'pretty' } }), 'pretty');
    assert.equal(loadConfig({ env: { PALISADE_LOG_FORMAT: 'json' }, document: {} }).log.format, 'json', 'PALISADE_LOG_FORMAT sets it');
  });

  for (const format of ['json', 'pretty'] as const) {
    test(`${format}: secrets are redacted as before, query strings dropped`, () => {
      const { log, output } = capture(format);
      log.info({ event: 'test', refresh_token: 'rt-secret-value', req: { method: 'GET', url: '/cb?code=abc', id: 'r1', headers: { authorization: 'Bearer t' } } }, 'hello');
      assert.doesNotMatch(output(), /rt-secret-value|code=abc|Bearer t/, output());
      assert.match(output(), /hello/);
    });
  }

  test('json: one JSON object per line', () => {
    const { log, output } = capture('json');
    log.info({ event: 'x' }, 'a line');
    const line = JSON.parse(output().trim()) as Record<string, unknown>;
    assert.equal(line.msg, 'a line');
    assert.equal(line.event, 'x');
  });

  test('pretty: a request is one short line, other lines keep their fields on the same line', () => {
    const { log, output } = capture('pretty');
    log.info({ req: { method: 'POST', url: '/oauth2/token', id: 'r1' }, res: { statusCode: 200 }, responseTime: 12.4, reqId: 'r1' }, 'request completed');
    log.warn({ event: 'keys.reloaded' }, 'signing keys reloaded');
    const lines = output().trim().split('\n');
    assert.equal(lines.length, 2, output());
    assert.match(lines[0]!, /^\[[\d:.]+\] INFO: POST \/oauth2\/token 200 12 ms$/);
    assert.match(lines[1]!, /^\[[\d:.]+\] WARN: signing keys reloaded \{"event":"keys\.reloaded"\}$/);
  });
});
