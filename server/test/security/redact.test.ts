/**
 * What may never be written to the trail or the log, by field name at any depth — and what must
 * stay readable (a setting called accessTokenTtl is not a token).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, difference, redact, redactForLog } from '../../src/security/index.ts';

test('secrets are redacted by name at any depth, including JWK private parameters', () => {
  const out = redact({
    refresh_token: 'rt',
    nested: { deeper: { access_token: 'at', clientSecret: 'cs', 'x-api-key': 'k', code_verifier: 'v', unlockJwk: { kty: 'EC' } } },
    list: [{ password: 'p' }, { authorization: 'Bearer x' }],
    jwk: { d: 'private', x: 'public' },
    key: { d: 'private' },
    dpopProof: 'proof',
    masterKey: 'mk',
    code: 'authorization-code',
  });
  assert.deepEqual(out, {
    refresh_token: REDACTED,
    nested: { deeper: { access_token: REDACTED, clientSecret: REDACTED, 'x-api-key': REDACTED, code_verifier: REDACTED, unlockJwk: REDACTED } },
    list: [{ password: REDACTED }, { authorization: REDACTED }],
    jwk: REDACTED,
    key: REDACTED,
    dpopProof: REDACTED,
    masterKey: REDACTED,
    code: REDACTED,
  });
  assert.deepEqual(redact({ publicJwk: { x: 'a', d: 'b' } }).publicJwk, REDACTED, 'a JWK-named field is never recorded, public or not');
  assert.deepEqual(redact({ signer: { d: 'b', crv: 'Ed25519' } }).signer, { d: REDACTED, crv: 'Ed25519' }, 'private JWK members wherever they appear');
});

test('settings and identifiers that merely mention a secret stay readable', () => {
  const kept = { dpop: 'required', tokens: { accessTokenTtl: '15m', refreshRetryGrace: '30s' }, tokenEndpoint: '/oauth2/token', keyFile: '/etc/tls.key', statusCode: 401, jkt: 'thumb', kid: 'k1', problem: 'invalid-token' };
  assert.deepEqual(redact(kept), kept);
});

test('sensitive personal fields are recorded as changed, never by value', () => {
  const diff = difference({ accessNotes: 'key under mat', phone: '+49', name: 'A' }, { accessNotes: 'code 1234', phone: '+49', name: 'B' });
  assert.deepEqual(diff, { before: { accessNotes: REDACTED, name: 'A' }, after: { accessNotes: REDACTED, name: 'B' } });
});

test('log objects get the same rule; errors keep their message for pino', () => {
  const err = new Error('database unreachable');
  const out = redactForLog({ err, event: 'x', token: 't', detail: { refresh_token: 'rt', deeper: { proof: 'p' } }, challenge: 'c' });
  assert.equal(out.err, err);
  assert.deepEqual(out.detail, { refresh_token: REDACTED, deeper: { proof: REDACTED } });
  assert.equal(out.token, REDACTED);
  assert.equal(out.event, 'x');
});
