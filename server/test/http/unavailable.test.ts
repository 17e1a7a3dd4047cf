/**
 * Which errors mean "a dependency is unreachable" (answered 503 not-ready, retryable) rather than
 * a defect or the request's fault (500 internal, or the database's refusal as a 4xx).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDependencyUnavailable } from '../../src/http/unavailable.ts';

const withCode = (code: string, message = 'x', severity?: string) => Object.assign(new Error(message), { code, ...(severity ? { severity } : {}) });

test('a lost or refused connection to PostgreSQL or Redis is unavailability', () => {
  for (const error of [
    withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    withCode('ECONNRESET'),
    withCode('57P01', 'terminating connection due to administrator command', 'FATAL'),
    withCode('57P03', 'the database system is starting up', 'FATAL'),
    withCode('08006', 'connection failure', 'FATAL'),
    withCode('53300', 'sorry, too many clients already', 'FATAL'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
    new Error('the refresh failed', { cause: withCode('ECONNREFUSED') }),
  ]) {
    assert.equal(isDependencyUnavailable(error), true, `${error.message} (${(error as { code?: string }).code ?? ''})`);
  }
});

test('a database refusal, a bug or a client error is not', () => {
  for (const error of [
    withCode('42703', 'column "x" does not exist', 'ERROR'),
    withCode('23505', 'duplicate key value', 'ERROR'),
    withCode('22001', 'value too long', 'ERROR'),
    new TypeError("Cannot read properties of undefined (reading 'id')"),
    new Error('Connection refused by policy? no: a message that merely mentions a connection'),
    withCode('FST_ERR_CTP_BODY_TOO_LARGE'),
  ]) {
    assert.equal(isDependencyUnavailable(error), false, error.message);
  }
});
