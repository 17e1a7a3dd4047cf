/**
 * Job photos through the API (in process, PGlite and PostgreSQL): only the assigned technician
 * uploads; the content decides the type whatever the name or declared type says; what is
 * stored and served has no GPS position or serial number; only people who may see the job
 * download; refusals leave no row and no blob behind; a blob changed at rest is not served.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import exifr from 'exifr';
import jpeg from 'jpeg-js';
import piexif from 'piexifjs';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { addUser, fieldServiceApp, testPersonKeys, tokenMinter, type FixtureUser } from '../helpers/fieldservice.ts';
import { FileBlobStore, photoRoutes, PHOTO_LIMITS } from '../../src/domains/fieldservice/index.ts';
import { noAudit } from '../../src/audit/index.ts';
import type { Database } from '../../src/db/index.ts';

const SERIAL = 'SN-PHOTO-7731';
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** A 16×16 JPEG carrying a GPS position and the camera's serial number. */
function photoWithGps(): Buffer {
  const data = Buffer.alloc(16 * 16 * 4, 0x80);
  const plain = jpeg.encode({ data, width: 16, height: 16 }, 90).data;
  const exif = piexif.dump({
    '0th': { [piexif.ImageIFD.Make]: 'Acme' },
    Exif: { [piexif.ExifIFD.BodySerialNumber]: SERIAL },
    GPS: { [piexif.GPSIFD.GPSLatitudeRef]: 'N', [piexif.GPSIFD.GPSLatitude]: [[51, 1], [30, 1], [0, 1]], [piexif.GPSIFD.GPSLongitudeRef]: 'W', [piexif.GPSIFD.GPSLongitude]: [[0, 1], [7, 1], [0, 1]] },
  } as piexif.ExifDict);
  return Buffer.from(piexif.insert(exif, latin1(plain)), 'latin1');
}

/** The smallest PNG: an 1×1 image. */
const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

for (const kind of databaseKinds()) {
  describe(`job photos through the API (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let app: FastifyInstance;
    let blobDir: string;
    const tokens: Record<string, string> = {};
    let job: string;
    let otherJob: string;
    const users: Record<string, FixtureUser> = {};

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      blobDir = mkdtempSync(path.join(tmpdir(), 'palisade-blobs-'));
      const minter = await tokenMinter();
      await db.asOwner(async (owner) => {
        await owner.exec("INSERT INTO fs_territories VALUES ('t1', 'T1', 'r1'), ('t2', 'T2', 'r2'); INSERT INTO fs_customers (id, name) VALUES ('00000000-0000-4000-8000-0000000000c1', 'C')");
        await owner.exec("INSERT INTO fs_sites (id, customer_id, name, address, territory, region) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'S', 'A', 't1', '')");
        const plain = { region: null, department: null, projects: [], contractor: false };
        users.tech = await addUser(owner, { ...plain, roles: ['technician'], territory: 't1' });
        users.otherTech = await addUser(owner, { ...plain, roles: ['technician'], territory: 't1' });
        users.dispatcher = await addUser(owner, { ...plain, roles: ['dispatcher'], territory: 't1' });
        users.farDispatcher = await addUser(owner, { ...plain, roles: ['dispatcher'], territory: 't2' });
        users.techDispatcher = await addUser(owner, { ...plain, roles: ['technician', 'dispatcher'], territory: 't1' });
        for (const t of [users.tech, users.otherTech]) await owner.query("INSERT INTO fs_technicians (user_id, display_name, territory, region) VALUES ($1, 'T', 't1', '')", [t.id]);
        const insertJob = async (assignee: string) =>
          (await owner.query<{ id: string }>("INSERT INTO fs_jobs (title, department, territory, region, site_id, status, assigned_to) VALUES ('J', 'd', 't1', '', '00000000-0000-4000-8000-0000000000a1', 'assigned', $1) RETURNING id", [assignee])).rows[0]!.id;
        job = await insertJob(users.tech.id);
        otherJob = await insertJob(users.otherTech.id);
      });
      for (const [name, user] of Object.entries(users)) tokens[name] = await minter.token(user.id);
      app = await fieldServiceApp(db, minter, { register: async (a) => void (await a.register(photoRoutes, { db, audit: noAudit, blobs: new FileBlobStore(blobDir), personKeys: testPersonKeys(db) })) });
    });

    after(async () => {
      await app?.close();
      await db?.close();
      await database?.drop();
      rmSync(blobDir, { recursive: true, force: true });
    });

    const upload = (who: string, jobId: string, body: Buffer | string, contentType = 'image/jpeg') =>
      app.inject({ method: 'POST', url: `/api/v1/jobs/${jobId}/photos`, headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': contentType }, payload: body });
    const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who]}` } });
    const blobCount = () => readdirSync(blobDir, { recursive: true }).filter((f) => statSync(path.join(blobDir, String(f))).isFile()).length;
    const photoRows = async () => Number((await db.asOwner((o) => o.query<{ n: string | number }>('SELECT count(*) AS n FROM fs_photos'))).rows[0]!.n);

    test('the assigned technician uploads; what is stored and served has no GPS position and no serial number', async () => {
      const original = photoWithGps();
      assert.ok((await exifr.gps(original))?.latitude, 'the sample carries a position');
      const response = await upload('tech', job, original);
      assert.equal(response.statusCode, 201, response.body);
      const photo = response.json();
      assert.equal(photo.mediaType, 'image/jpeg');
      assert.ok(photo.size < original.length);
      for (const who of ['tech', 'dispatcher']) {
        const download = await get(who, `/api/v1/jobs/${job}/photos/${photo.id}`);
        assert.equal(download.statusCode, 200, who);
        assert.equal(download.headers['content-type'], 'image/jpeg');
        assert.match(String(download.headers['content-disposition']), /^attachment;/);
        assert.equal(await exifr.gps(download.rawPayload).catch(() => undefined), undefined, 'no position');
        assert.equal(download.rawPayload.includes(SERIAL), false, 'no serial number');
        assert.deepEqual(jpeg.decode(download.rawPayload).data, jpeg.decode(original).data, 'the picture itself is unchanged');
      }
      const listed = await get('dispatcher', `/api/v1/jobs/${job}/photos`);
      assert.deepEqual(listed.json().photos.map((p: { id: string }) => p.id), [photo.id]);
      assert.equal(JSON.stringify(listed.json()).includes(photo.blobKey ?? 'blob'), false, 'the blob key is never shown');
    });

    test('people who may not see the job get 404 for its photos; who may see it but is not the assignee cannot add one', async () => {
      const { id } = (await upload('tech', job, PNG_1x1, 'application/octet-stream')).json();
      for (const who of ['otherTech', 'farDispatcher']) {
        assert.equal((await get(who, `/api/v1/jobs/${job}/photos`)).statusCode, 404, who);
        assert.equal((await get(who, `/api/v1/jobs/${job}/photos/${id}`)).statusCode, 404, who);
      }
      // The photo id under another job's URL is not found either.
      assert.equal((await get('dispatcher', `/api/v1/jobs/${otherJob}/photos/${id}`)).statusCode, 404);
      const [blobs, rows] = [blobCount(), await photoRows()];
      assert.equal((await upload('otherTech', job, PNG_1x1)).statusCode, 404, 'a technician cannot see a job not assigned to them');
      assert.equal((await upload('dispatcher', job, PNG_1x1)).statusCode, 403, 'dispatchers do not upload');
      assert.equal((await upload('techDispatcher', job, PNG_1x1)).statusCode, 403, 'sees the job, is not its assignee');
      assert.deepEqual([blobCount(), await photoRows()], [blobs, rows], 'refused uploads leave no blob and no row');
    });

    test('the content decides: a PNG sent as image/jpeg is stored as PNG; GIF, text, JSON and oversized bodies are refused', async () => {
      const png = await upload('tech', job, PNG_1x1, 'image/jpeg');
      assert.equal(png.statusCode, 201);
      assert.equal(png.json().mediaType, 'image/png');
      const [blobs, rows] = [blobCount(), await photoRows()];
      const gif = await upload('tech', job, GIF, 'image/png');
      assert.equal(gif.statusCode, 422);
      assert.equal(gif.json().type, 'https://palisade.dev/problems/photo-rejected');
      assert.equal(gif.json().reason, 'unsupported-type');
      const appended = await upload('tech', job, Buffer.concat([photoWithGps(), Buffer.from('<html><script>1</script></html>')]));
      assert.equal(appended.json().reason, 'trailing-data');
      assert.equal((await upload('tech', job, '{"photo": 1}', 'application/json')).statusCode, 415);
      assert.equal((await upload('tech', job, 'hello', 'text/plain')).statusCode, 415);
      const huge = await upload('tech', job, Buffer.alloc(PHOTO_LIMITS.maxBytes + 2, 0xff));
      assert.equal(huge.statusCode, 413);
      assert.deepEqual([blobCount(), await photoRows()], [blobs, rows]);
    });

    test('a blob changed at rest is not served', async () => {
      const { id } = (await upload('tech', job, photoWithGps())).json();
      const { rows } = await db.asOwner((o) => o.query<{ blob_key: string }>('SELECT blob_key FROM fs_photos WHERE id = $1', [id]));
      const key = rows[0]!.blob_key;
      writeFileSync(path.join(blobDir, key.slice(0, 2), key), 'swapped at rest');
      const response = await get('tech', `/api/v1/jobs/${job}/photos/${id}`);
      assert.equal(response.statusCode, 503);
      assert.equal(response.json().type, 'https://palisade.dev/problems/photo-unavailable');
    });

    const blobPath = async (photoId: string) => {
      const { rows } = await db.asOwner((o) => o.query<{ blob_key: string }>('SELECT blob_key FROM fs_photos WHERE id = $1', [photoId]));
      return path.join(blobDir, rows[0]!.blob_key.slice(0, 2), rows[0]!.blob_key);
    };

    test('the blob store holds only the sealed photo; a flipped bit (GCM tag) or another photo’s blob is refused as problem+json', async () => {
      const original = photoWithGps();
      const first = (await upload('tech', job, original)).json();
      const second = (await upload('tech', job, photoWithGps())).json();
      const served = Buffer.from((await get('tech', `/api/v1/jobs/${job}/photos/${first.id}`)).rawPayload);
      const stored = readFileSync(await blobPath(first.id));
      assert.equal(stored.subarray(0, 4).toString('latin1'), 'pk1.', 'sealed under a person key');
      assert.equal(stored.includes(served.subarray(0, 64)), false, 'the stored bytes are not the image');
      const flipped = Buffer.from(stored);
      flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
      writeFileSync(await blobPath(first.id), flipped);
      const tampered = await get('dispatcher', `/api/v1/jobs/${job}/photos/${first.id}`);
      assert.equal(tampered.statusCode, 503);
      assert.match(String(tampered.headers['content-type']), /application\/problem\+json/);
      assert.equal(tampered.json().type, 'https://palisade.dev/problems/photo-unavailable');
      // The second photo's sealed blob copied over the first's: same person, another record.
      writeFileSync(await blobPath(first.id), readFileSync(await blobPath(second.id)));
      const swapped = await get('tech', `/api/v1/jobs/${job}/photos/${first.id}`);
      assert.equal(swapped.statusCode, 503, 'the record is part of the additional data');
      assert.equal((await get('tech', `/api/v1/jobs/${job}/photos/${second.id}`)).statusCode, 200);
    });

    test('positions are stored sealed; the API opens them; a tampered or another technician’s value answers problem+json', async () => {
      const report = (who: string, latitude: number) =>
        app.inject({ method: 'POST', url: '/api/v1/me/location', headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' }, payload: { latitude, longitude: -0.12, accuracyM: 5 } });
      assert.equal((await report('tech', 51.501)).statusCode, 204);
      assert.equal((await report('otherTech', 48.85)).statusCode, 204);
      const rows = async (who: string) => (await db.asOwner((o) => o.query<{ id: string; sealed: string | null; latitude: number | null }>('SELECT id::text, sealed, latitude FROM fs_locations WHERE technician_id = $1', [users[who]!.id]))).rows;
      const [mine] = await rows('tech');
      assert.equal(mine!.latitude, null, 'no plaintext coordinates');
      assert.match(mine!.sealed!, /^pk1\./);
      assert.ok(!mine!.sealed!.includes('51.501'));
      const read = () => get('dispatcher', `/api/v1/technicians/${users.tech!.id}/locations`);
      const ok = await read();
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().locations[0].latitude, 51.501);
      const parts = mine!.sealed!.split('.');
      const body = Buffer.from(parts[3]!, 'base64url');
      body[0] = body[0]! ^ 1;
      await db.asOwner((o) => o.query('UPDATE fs_locations SET sealed = $2 WHERE id = $1', [mine!.id, [...parts.slice(0, 3), body.toString('base64url')].join('.')]));
      const tampered = await read();
      assert.equal(tampered.statusCode, 503, tampered.body);
      assert.match(String(tampered.headers['content-type']), /application\/problem\+json/);
      assert.equal(tampered.json().type, 'https://palisade.dev/problems/personal-data-unreadable');
      assert.equal(tampered.json().reason, 'integrity');
      const [theirs] = await rows('otherTech');
      await db.asOwner((o) => o.query('UPDATE fs_locations SET sealed = $2 WHERE id = $1', [mine!.id, theirs!.sealed]));
      assert.equal((await read()).statusCode, 503, 'another technician’s sealed position does not open as this one’s');
    });
  });
}
