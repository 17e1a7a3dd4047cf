/**
 * The encrypted offline store: it keeps only what the OpenAPI document marks offline-allowed
 * (the marks made by the server's own `classified()`), refuses sensitive and unclassified
 * fields, is off where the managed app config says `offline_allowed: false`, and clear() (wipe)
 * erases it. The React Native backend runs against op-sqlite's JavaScript interface with its
 * documented behaviour faked (an encrypted database opens only with the key it was made with;
 * delete() removes the file). The web backend is exercised in Chromium (web-chromium.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfflineStore, offlinePolicy } from '../../../sdk/src/offline.ts';
import { memorySecureStore } from '../../../sdk/src/memory.ts';
import { sqlCipherOfflineBackend, type OpSqliteModule } from '../../../sdk/src/react-native/op-sqlcipher.ts';
import type { PalisadeError } from '../../../sdk/src/errors.ts';
import { classified } from '../../src/domains/fieldservice/classification.ts';

const SITE = {
  type: 'object',
  properties: {
    id: classified({ type: 'string' }, 'internal'),
    name: classified({ type: 'string' }, 'internal'),
    accessNotes: classified({ type: ['string', 'null'] }, 'sensitive'),
    // In the document, but without a mark: not classified.
    phone: { type: 'string' },
  },
};
const OPENAPI = {
  paths: {
    '/api/v1/sites/{id}': { get: { responses: { '200': { content: { 'application/json': { schema: SITE } } } } } },
    '/api/v1/sites': { get: { responses: { '200': { content: { 'application/json': { schema: { type: 'object', properties: { sites: { type: 'array', items: SITE } } } } } } } } },
  },
};

function fakeOpSqlite() {
  const files = new Map<string, { key: string; rows: Map<string, string> }>();
  const module: OpSqliteModule = {
    open({ name, encryptionKey }) {
      const file = files.get(name) ?? { key: encryptionKey, rows: new Map() };
      files.set(name, file);
      return {
        async execute(sql, params = []) {
          // SQLCipher: a wrong key reads as garbage, which SQLite reports as "file is not a database".
          if (file.key !== encryptionKey) throw new Error('file is not a database');
          if (sql.startsWith('CREATE TABLE')) return { rows: [] };
          if (sql.startsWith('SELECT')) return { rows: file.rows.has(String(params[0])) ? [{ value: file.rows.get(String(params[0])) }] : [] };
          if (sql.startsWith('INSERT')) return (file.rows.set(String(params[0]), String(params[1])), { rows: [] });
          if (sql === 'DELETE FROM palisade_offline') return (file.rows.clear(), { rows: [] });
          if (sql.startsWith('DELETE')) return (file.rows.delete(String(params[0])), { rows: [] });
          throw new Error(`unexpected SQL: ${sql}`);
        },
        delete() {
          files.delete(name);
        },
      };
    },
  };
  return { module, files };
}

const site = { id: 's1', name: 'Depot' };

test('a record with a field the OpenAPI document marks not offline-allowed (or does not classify) is refused; allowed ones are kept', async () => {
  const { module, files } = fakeOpSqlite();
  const keys = memorySecureStore();
  const store = new OfflineStore({ backend: sqlCipherOfflineBackend(module, { store: keys }), policy: offlinePolicy(OPENAPI), config: { offline_allowed: true } });
  await store.put('GET /api/v1/sites/{id}', 's1', site);
  assert.deepEqual(await store.get('GET /api/v1/sites/{id}', 's1'), site);
  await assert.rejects(store.put('GET /api/v1/sites/{id}', 's2', { ...site, accessNotes: 'gate code 4411' }), (e: PalisadeError) => e.code === 'offline-refused' && /accessNotes/.test(e.message));
  await assert.rejects(store.put('GET /api/v1/sites', 'all', { sites: [site, { ...site, accessNotes: 'key under the mat' }] }), (e: PalisadeError) => e.code === 'offline-refused' && /sites\[\]\.accessNotes/.test(e.message), 'inside lists too');
  await store.put('GET /api/v1/sites', 'one', site, 'sites[]');
  await assert.rejects(store.put('GET /api/v1/sites/{id}', 's3', { ...site, homePhone: '555' }), (e: PalisadeError) => e.code === 'offline-refused' && /homePhone/.test(e.message), 'an unclassified field is refused too');
  await assert.rejects(store.put('GET /api/v1/sites/{id}', 's4', { ...site, phone: '555 0101' }), (e: PalisadeError) => e.code === 'offline-refused' && /phone/.test(e.message), 'a field the document lists without a mark is refused');
  await assert.rejects(store.put('GET /api/v1/sites', 'all', { sites: [{ ...site, phone: '555 0101' }] }), (e: PalisadeError) => e.code === 'offline-refused' && /sites\[\]\.phone/.test(e.message), 'inside lists too');
  await assert.rejects(store.put('GET /api/v1/unknown', 'x', {}), (e: PalisadeError) => e.code === 'offline-refused');
  const file = [...files.values()][0]!;
  assert.equal([...file.rows.values()].some((v) => v.includes('gate code') || v.includes('key under')), false, 'nothing refused reached the database');
  assert.ok(await keys.get('palisade.offline-key'), 'the database key is in the secure store');

  // Wipe: the client's registered stores are cleared; every row, the file and the key go.
  await store.clear();
  assert.equal(files.size, 0, 'the database file is deleted');
  assert.equal(await keys.get('palisade.offline-key'), undefined, 'the key is forgotten');
  assert.equal(await store.get('GET /api/v1/sites/{id}', 's1'), undefined, 'wipe erased the record');
});

test('offline_allowed: false (BYOD) turns the store off and erases what an earlier configuration kept', async () => {
  const { module, files } = fakeOpSqlite();
  const keys = memorySecureStore();
  const backend = sqlCipherOfflineBackend(module, { store: keys });
  await new OfflineStore({ backend, policy: offlinePolicy(OPENAPI), config: { offline_allowed: true } }).put('GET /api/v1/sites/{id}', 's1', site);
  const off = new OfflineStore({ backend, policy: offlinePolicy(OPENAPI), config: { offline_allowed: false } });
  assert.equal(off.enabled, false);
  await assert.rejects(off.put('GET /api/v1/sites/{id}', 's1', site), (e: PalisadeError) => e.code === 'offline-not-allowed');
  assert.equal(await off.get('GET /api/v1/sites/{id}', 's1'), undefined);
  assert.equal(files.size, 0, 'the earlier data is erased');
});

test('the SQLCipher database opens only with its key from the secure store', async () => {
  const { module } = fakeOpSqlite();
  const keys = memorySecureStore();
  const backend = sqlCipherOfflineBackend(module, { store: keys });
  await backend.set('a', 'b');
  const stolen = sqlCipherOfflineBackend(module, { store: memorySecureStore() });
  await assert.rejects(stolen.get('a'), /not a database/, 'without the Keychain key the file does not open');
  assert.equal(await sqlCipherOfflineBackend(module, { store: keys }).get('a'), 'b');
});
