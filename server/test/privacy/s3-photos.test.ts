/**
 * Photos sealed under the uploader's person key (decision 0023) on the S3 photo store: the
 * store the server opens for `photos.store: s3` (openBlobStore, with its folder fallback) against
 * an S3-compatible server (s3rver, as the S3 adapter's own test starts it), on PGlite and
 * PostgreSQL. A technician uploads through the API; the bucket holds only the sealed form; the
 * data-subject export returns the image itself; erasure deletes the object and destroys the key,
 * so a copy of the object taken before — what an old object version in a versioned or
 * object-locked bucket keeps — no longer opens with any key, nor under the old master key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import jpeg from 'jpeg-js';
import S3rver from 's3rver';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { addUser, fieldServiceApp, testCipher, tokenMinter, type FixtureUser } from '../helpers/fieldservice.ts';
import { loadConfig, type ResolvedConfig } from '../../src/config/index.ts';
import type { Database } from '../../src/db/index.ts';
import { noAudit } from '../../src/audit/index.ts';
import { systemClock } from '../../src/clock.ts';
import { photoContext, photoRoutes } from '../../src/domains/fieldservice/index.ts';
import { openBlobStore, type ConfiguredBlobStore } from '../../src/domains/fieldservice/photos/blob-config.ts';
import { PersonDataError, PersonKeys, generateMasterKey, isSealedBytes, resolveMasterKey } from '../../src/security/index.ts';
import { erasePerson, exportPerson, type PrivacyDeps } from '../../src/privacy/service.ts';

const BUCKET = 'palisade-photos';
const shredded = (error: unknown) => error instanceof PersonDataError && error.code === 'ERR_PERSON_KEY_DESTROYED';

/** A 16×16 JPEG with a pattern of its own, so its bytes can be searched for. */
function picture(): Buffer {
  const data = Buffer.alloc(16 * 16 * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 0xff;
  return Buffer.from(jpeg.encode({ data, width: 16, height: 16 }, 95).data);
}

// The AWS SDK's default credential chain, as on a server: s3rver knows this access key.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';

for (const kind of databaseKinds()) {
  describe(`sealed photos on the S3 photo store: export and erasure (${kind.kind})`, () => {
    let s3: S3rver;
    let bucketDir: string;
    let dataDir: string;
    let database: TestDatabase;
    let db: Database;
    let config: ResolvedConfig;
    let store: ConfiguredBlobStore;
    let personKeys: PersonKeys;
    let app: FastifyInstance;
    let tech: FixtureUser;
    let token: string;
    let job: string;

    const objectFile = (key: string) => path.join(bucketDir, BUCKET, 'photos', `${key}._S3rver_object`);
    const privacy = (): PrivacyDeps => ({ db, audit: noAudit, clock: systemClock, sessions: { revokeAllOfUser: async () => 0 }, blobs: store.blobs, personKeys, cipher: testCipher });

    before(async () => {
      bucketDir = mkdtempSync(path.join(tmpdir(), 'palisade-s3-photos-'));
      dataDir = mkdtempSync(path.join(tmpdir(), 'palisade-s3-data-'));
      s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: bucketDir, configureBuckets: [{ name: BUCKET }] });
      const address = await s3.run();
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      config = loadConfig({
        env: {
          PALISADE_MASTER_KEY: generateMasterKey(),
          PALISADE_DATA_DIR: dataDir,
          PALISADE_PHOTOS_STORE: 's3',
          PALISADE_PHOTOS_S3_BUCKET: BUCKET,
          PALISADE_PHOTOS_S3_ENDPOINT: `http://127.0.0.1:${address.port}`,
          PALISADE_PHOTOS_S3_FORCE_PATH_STYLE: 'true',
        },
        cwd: dataDir,
      });
      store = await openBlobStore(config, db);
      assert.equal(store.kind, 's3');
      personKeys = new PersonKeys({ db, master: resolveMasterKey(config) });
      const minter = await tokenMinter();
      await db.asOwner(async (owner) => {
        await owner.exec("INSERT INTO fs_territories VALUES ('t1', 'T1', 'r1'); INSERT INTO fs_customers (id, name) VALUES ('00000000-0000-4000-8000-0000000000c1', 'C')");
        await owner.exec("INSERT INTO fs_sites (id, customer_id, name, address, territory, region) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'S', 'A', 't1', '')");
        tech = await addUser(owner, { name: 'Sandra Sealed', roles: ['technician'], territory: 't1', region: null, department: null, projects: [], contractor: false });
        await owner.query("INSERT INTO fs_technicians (user_id, display_name, territory, region) VALUES ($1, 'Sandra Sealed', 't1', '')", [tech.id]);
        job = (await owner.query<{ id: string }>("INSERT INTO fs_jobs (title, department, territory, region, site_id, status, assigned_to) VALUES ('J', 'd', 't1', '', '00000000-0000-4000-8000-0000000000a1', 'assigned', $1) RETURNING id", [tech.id])).rows[0]!.id;
      });
      token = await minter.token(tech.id);
      app = await fieldServiceApp(db, minter, { personKeys, register: async (a) => void (await a.register(photoRoutes, { db, audit: noAudit, blobs: store.blobs, personKeys })) });
    });
    after(async () => {
      await app?.close();
      store?.close();
      await db?.close();
      await database?.drop();
      await s3?.close();
      for (const dir of [bucketDir, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('the bucket holds only the sealed photo; the export returns the image; erasure deletes the object and no copy of it opens any more', async () => {
      const uploaded = await app.inject({ method: 'POST', url: `/api/v1/jobs/${job}/photos`, headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, payload: picture() });
      assert.equal(uploaded.statusCode, 201, uploaded.body);
      const photoId = (uploaded.json() as { id: string }).id;
      const served = await app.inject({ method: 'GET', url: `/api/v1/jobs/${job}/photos/${photoId}`, headers: { authorization: `Bearer ${token}` } });
      assert.equal(served.statusCode, 200, served.body);
      const image = served.rawPayload;

      const blobKey = (await db.asOwner((o) => o.query<{ key: string; sealed: boolean }>('SELECT blob_key AS key, sealed FROM fs_photos WHERE id = $1', [photoId]))).rows[0]!;
      assert.equal(blobKey.sealed, true);
      // Straight from the bucket, bypassing Palisade: what an object version keeps for ever.
      const copy = await readFile(objectFile(blobKey.key));
      assert.ok(isSealedBytes(copy), 'the object is the sealed form');
      assert.equal(copy.includes(image.subarray(image.length - 64)), false, 'the bucket does not hold the image');
      assert.deepEqual(Buffer.from(await personKeys.openBytes(tech.id, photoContext(photoId), copy)), image, 'and it opens under her key');

      const exported = await exportPerson(privacy(), tech.id, 'request 1');
      const photos = exported.data.photos as { id: string; content: string | null; unreadable?: string }[];
      assert.equal(photos.length, 1);
      assert.equal(photos[0]!.unreadable, undefined);
      assert.deepEqual(Buffer.from(photos[0]!.content!, 'base64'), image, 'the export holds the opened image, read from the bucket');
      assert.equal(JSON.stringify(exported).includes(blobKey.key), false, 'never the object key');

      const erased = await erasePerson(privacy(), tech.id, 'request 2', 'test');
      assert.deepEqual([erased.keysDestroyed, erased.blobsDeleted, erased.blobsLeft], [1, 1, 0], 'her key destroyed, the object deleted, none left');
      assert.equal(await store.blobs.get(blobKey.key), undefined, 'the store no longer has the object');
      assert.equal(existsSync(objectFile(blobKey.key)), false, 'nor does the bucket');
      await assert.rejects(personKeys.openBytes(tech.id, photoContext(photoId), copy), shredded, 'the copy does not open in this instance');
      await assert.rejects(new PersonKeys({ db, master: resolveMasterKey(config) }).openBytes(tech.id, photoContext(photoId), copy), shredded, 'nor in a fresh one');
      const rows = (await db.asOwner((o) => o.query<{ n: number }>('SELECT count(*)::int AS n FROM fs_photos WHERE id = $1', [photoId]))).rows[0]!.n;
      assert.equal(rows, 0, 'the photo’s row is gone');
    });
  });
}
