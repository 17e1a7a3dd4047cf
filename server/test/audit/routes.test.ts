/**
 * Answers go through their schemas: the audit public keys route sends only the
 * public members of each key, whatever the stored row holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { auditRoutes } from '../../src/audit/routes.ts';
import type { Database } from '../../src/db/index.ts';
import type { AuditSink } from '../../src/audit/trail.ts';
import type { CheckpointSigner } from '../../src/audit/keys.ts';

test('a private key member that reached the stored public key is not served', async () => {
  const stored = { kty: 'OKP', crv: 'Ed25519', x: 'PUBLIC-X', kid: 'k1', alg: 'EdDSA', use: 'sig', d: 'PRIVATE-D', note: 'internal' };
  // Only what publicAuditKeys touches: one owner transaction that returns the stored row.
  const db = { asOwner: async (fn: (q: { query: () => Promise<{ rows: unknown[] }> }) => unknown) => fn({ query: async () => ({ rows: [{ public_jwk: stored }] }) }) } as unknown as Database;
  const app = testApp();
  await app.register(auditRoutes, { db, audit: { emit: () => undefined } as unknown as AuditSink, signer: {} as CheckpointSigner, clock: { now: () => Date.now() } });
  const response = await app.inject({ method: 'GET', url: '/.well-known/palisade-audit-keys' });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(response.json(), { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'PUBLIC-X', kid: 'k1', alg: 'EdDSA', use: 'sig' }] });
  assert.doesNotMatch(response.body, /PRIVATE-D|internal/);
  await app.close();
});
