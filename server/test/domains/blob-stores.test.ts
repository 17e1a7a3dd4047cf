/**
 * The shared photo stores: PostgreSQL (PGlite, and PostgreSQL when TEST_DATABASE_URL is set) and
 * an S3-compatible bucket (s3rver, a fake S3 server from npm that checks request signatures),
 * plus the choice between them (photos.store) and the fallback that keeps an earlier folder's
 * photos readable. Every store keeps the folder store's promises: random keys checked against
 * one pattern, whole blobs or none, a repeated key never replaces a stored blob, and bytes
 * changed at rest come back with a digest that differs from the one the photo's row recorded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { BLOB_KEY_PATTERN, FallbackBlobStore, FileBlobStore, InvalidBlobKey, type BlobStore } from '../../src/domains/fieldservice/photos/blob-store.ts';
import { DatabaseBlobStore } from '../../src/domains/fieldservice/photos/database-blob-store.ts';
import { S3BlobStore } from '../../src/domains/fieldservice/photos/s3-blob-store.ts';
import { blobStoreKind } from '../../src/domains/fieldservice/photos/blob-config.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const JPEG = { mediaType: 'image/jpeg' as const };

/** The promises every store keeps, run against each. */
function storeContract(name: string, open: (options: { newKey?: () => string }) => BlobStore) {
  test(`${name}: a blob round-trips with its SHA-256 and size; keys are random`, async () => {
    const blobs = open({});
    const bytes = new Uint8Array(randomBytes(3 * 1024 + 17));
    const stored = await blobs.put(bytes, JPEG);
    assert.match(stored.key, BLOB_KEY_PATTERN);
    assert.deepEqual([stored.size, stored.sha256], [bytes.length, sha256(bytes)]);
    const back = await blobs.get(stored.key);
    assert.ok(back, 'the stored blob reads back');
    assert.deepEqual(Buffer.from(back.bytes), Buffer.from(bytes), 'the same bytes come back');
    assert.equal(back.sha256, stored.sha256);
    const again = await blobs.put(bytes, JPEG);
    assert.notEqual(again.key, stored.key, 'the same bytes get a new random key: keys never derive from content');
  });

  test(`${name}: delete removes a blob once; an unknown key reads as nothing`, async () => {
    const blobs = open({});
    const stored = await blobs.put(new Uint8Array([1, 2, 3]), JPEG);
    assert.equal(await blobs.delete(stored.key), true);
    assert.equal(await blobs.delete(stored.key), false, 'a second delete finds nothing');
    assert.equal(await blobs.get(stored.key), undefined);
    assert.equal(await blobs.get('A'.repeat(43)), undefined);
  });

  test(`${name}: a key that is not exactly 43 base64url characters is refused before it reaches the store`, async () => {
    const blobs = open({});
    for (const key of ['../../etc/passwd', `${'A'.repeat(42)}/`, 'A'.repeat(44), "A'; DROP TABLE fs_photos; --", '', `${'A'.repeat(42)}%`]) {
      await assert.rejects(blobs.get(key), InvalidBlobKey, `get(${JSON.stringify(key)})`);
      await assert.rejects(blobs.delete(key), InvalidBlobKey, `delete(${JSON.stringify(key)})`);
    }
    await assert.rejects(open({ newKey: () => '../../secret' }).put(new Uint8Array([1]), JPEG), InvalidBlobKey, 'a bad generated key is refused too');
  });
}

for (const kind of databaseKinds()) {
  describe(`DatabaseBlobStore (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });

    storeContract('database', (options) => new DatabaseBlobStore(db, options));

    test('a blob larger than a chunk is stored in chunks and read back whole', async () => {
      const blobs = new DatabaseBlobStore(db, { chunkBytes: 1000 });
      const bytes = new Uint8Array(randomBytes(4500));
      const stored = await blobs.put(bytes, JPEG);
      const { rows } = await db.asOwner((owner) => owner.query<{ n: number }>('SELECT count(*)::int AS n FROM fs_photo_blob_chunks WHERE key = $1', [stored.key]));
      assert.equal(rows[0]!.n, 5, '4500 bytes in chunks of 1000 are five rows');
      assert.deepEqual(Buffer.from((await blobs.get(stored.key))!.bytes), Buffer.from(bytes));
    });

    test('a repeated key fails the put and never replaces the stored blob; the failed put leaves nothing', async () => {
      const key = 'R'.repeat(43);
      const blobs = new DatabaseBlobStore(db, { newKey: () => key, chunkBytes: 1000 });
      const first = new Uint8Array(randomBytes(2500));
      await blobs.put(first, JPEG);
      await assert.rejects(blobs.put(new Uint8Array(randomBytes(2500)), JPEG), 'the second put under the same key fails');
      const back = await blobs.get(key);
      assert.deepEqual(Buffer.from(back!.bytes), Buffer.from(first), 'the first blob is intact');
      const { rows } = await db.asOwner((owner) => owner.query<{ n: number }>('SELECT count(*)::int AS n FROM fs_photo_blob_chunks WHERE key = $1', [key]));
      assert.equal(rows[0]!.n, 3, 'no chunk of the failed put remains');
    });

    test('bytes changed or lost at rest come back with a digest that differs from the recorded one', async () => {
      const blobs = new DatabaseBlobStore(db, { chunkBytes: 1000 });
      const bytes = new Uint8Array(randomBytes(2500));
      const changed = await blobs.put(bytes, JPEG);
      const lost = await blobs.put(bytes, JPEG);
      await db.asOwner(async (owner) => {
        await owner.query("UPDATE fs_photo_blob_chunks SET bytes = '\\x00'::bytea || substring(bytes from 2) WHERE key = $1 AND seq = 1", [changed.key]);
        await owner.query('DELETE FROM fs_photo_blob_chunks WHERE key = $1 AND seq = 1', [lost.key]);
      });
      assert.notEqual((await blobs.get(changed.key))!.sha256, changed.sha256, 'a changed chunk is detected');
      const partial = await blobs.get(lost.key);
      assert.notEqual(partial!.sha256, lost.sha256, 'a missing chunk is detected, never silently skipped');
      assert.ok(partial!.size < bytes.length);
    });

    test('the runtime role can add, read and remove blobs but cannot change one in place', async () => {
      const blobs = new DatabaseBlobStore(db);
      const stored = await blobs.put(new Uint8Array([9, 9, 9]), JPEG);
      await assert.rejects(
        db.transaction((tx) => tx.query("UPDATE fs_photo_blob_chunks SET bytes = '\\x01'::bytea WHERE key = $1", [stored.key])),
        /permission denied/,
        'palisade_app holds no UPDATE on blob chunks: stored photos are never rewritten',
      );
      assert.deepEqual([...(await blobs.get(stored.key))!.bytes], [9, 9, 9]);
    });
  });
}

describe('S3BlobStore against an S3-compatible server (s3rver)', () => {
  let server: S3rver;
  let directory: string;
  let endpoint: string;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const stores: S3BlobStore[] = [];
  const open = (options: { newKey?: () => string; bucket?: string; accessKeyId?: string } = {}) => {
    const store = new S3BlobStore({
      bucket: options.bucket ?? 'palisade-photos',
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      prefix: 'photos/',
      credentials: { ...credentials, accessKeyId: options.accessKeyId ?? credentials.accessKeyId },
      newKey: options.newKey,
    });
    stores.push(store);
    return store;
  };

  before(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'palisade-s3-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'palisade-photos' }] });
    const address = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    for (const store of stores) store.close();
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  storeContract('s3', (options) => open(options));

  test('objects sit under the prefix with the photo’s media type', async () => {
    const store = open();
    const stored = await store.put(new Uint8Array([0xff, 0xd8, 0xff]), { mediaType: 'image/png' });
    const files = await readdir(path.join(directory, 'palisade-photos', 'photos'));
    assert.ok(files.some((f) => f.startsWith(stored.key)), 'the object is <prefix><key>');
    const metadata = JSON.parse(await readFile(path.join(directory, 'palisade-photos', 'photos', `${stored.key}._S3rver_metadata.json`), 'utf8')) as Record<string, string>;
    assert.equal(metadata['content-type'], 'image/png');
  });

  test('an object changed in the bucket comes back with a digest that differs from the recorded one', async () => {
    const store = open();
    const stored = await store.put(new Uint8Array(randomBytes(100)), JPEG);
    await writeFile(path.join(directory, 'palisade-photos', 'photos', `${stored.key}._S3rver_object`), randomBytes(100));
    assert.notEqual((await store.get(stored.key))!.sha256, stored.sha256);
  });

  // s3rver checks the access key but not SigV4 signatures, so the wrong credentials here are an
  // unknown access key; what the adapter must do is the same: fail, never read as no photo.
  test('wrong credentials are an error, never “no such photo”', async () => {
    const forged = open({ accessKeyId: 'NOT-A-KEY' });
    await assert.rejects(forged.get('A'.repeat(43)), (error: Error) => error.name === 'InvalidAccessKeyId', 'refused credentials surface as a failure');
    await assert.rejects(forged.put(new Uint8Array([1]), JPEG));
    await assert.rejects(forged.delete('A'.repeat(43)), 'a delete with refused credentials is a failure, not “nothing to delete”');
    await assert.rejects(forged.reachable(), 'the start-up probe fails with the wrong credentials');
  });

  test('a missing bucket fails the start-up probe and reads, rather than reading as missing photos', async () => {
    const missing = open({ bucket: 'no-such-bucket' });
    await assert.rejects(missing.reachable(), (error: Error) => error.name === 'NoSuchBucket');
    await assert.rejects(missing.get('A'.repeat(43)), (error: Error) => error.name === 'NoSuchBucket', 'an outage is not a lost photo');
    await open().reachable();
  });
});

describe('choosing the photo store', () => {
  const base = { PALISADE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url') };
  const choose = (env: Record<string, string>) => blobStoreKind(loadConfig({ env: { ...base, ...env }, cwd: tmpdir() }));

  test('auto follows the database: the folder alone, the database with PostgreSQL', () => {
    assert.equal(choose({}), 'folder');
    assert.equal(choose({ DATABASE_URL: 'postgres://db/palisade' }), 'database', 'with PostgreSQL several instances share the photos: never a local folder');
    assert.equal(choose({ DATABASE_URL: 'postgres://db/palisade', PALISADE_PHOTOS_STORE: 'folder' }), 'folder', 'an explicit folder is kept');
  });

  test('s3 without a bucket, or over plain http in production, is a configuration problem', () => {
    assert.throws(() => choose({ PALISADE_PHOTOS_STORE: 's3' }), /photos\.s3/);
    assert.equal(choose({ PALISADE_PHOTOS_STORE: 's3', PALISADE_PHOTOS_S3_BUCKET: 'photos', PALISADE_PHOTOS_S3_ENDPOINT: 'http://127.0.0.1:9000' }), 's3');
    assert.throws(() => choose({ NODE_ENV: 'production', PALISADE_PHOTOS_STORE: 's3', PALISADE_PHOTOS_S3_BUCKET: 'photos', PALISADE_PHOTOS_S3_ENDPOINT: 'http://127.0.0.1:9000' }), /photos\.s3\.endpoint/);
  });

  test('the fallback reads an earlier folder’s photos and writes new ones to the shared store only', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'palisade-blobs-'));
    try {
      const folder = new FileBlobStore(root);
      const shared = new FileBlobStore(path.join(root, 'shared'));
      const old = await folder.put(new Uint8Array([1]), JPEG);
      const blobs = new FallbackBlobStore(shared, folder);
      assert.deepEqual([...(await blobs.get(old.key))!.bytes], [1], 'a photo stored before the switch still reads');
      const fresh = await blobs.put(new Uint8Array([2]), JPEG);
      assert.equal(await folder.get(fresh.key), undefined, 'new photos never land in the local folder');
      assert.equal(await blobs.delete(old.key), true);
      assert.equal(await blobs.get(old.key), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
