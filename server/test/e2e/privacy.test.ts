/**
 * The data subject's rights end to end, as the operator and the admin API run them: a technician
 * who signed in, worked a job, left a location trail and uploaded a photo is exported (CLI and
 * API), protected by a legal hold, then erased. Afterwards every table (each row cast to text),
 * every log line the server writes, the audit archive written *before* the erasure and the CLI's
 * own output are searched for their name, e-mail, user name, IdP subject, user id, session and
 * device ids and the photo's blob key; the photo's file is gone; `audit verify` still passes on
 * the database and on the archive. The attacks: a technician asking for an export (403), an
 * erasure of someone under a legal hold (409, CLI and API), of an unknown person (404).
 * Crypto-shredding (decision 0023): the older positions and photo are sealed under Terry's key
 * first; after the erasure the photo's sealed bytes taken straight from the blob store, his
 * location rows, and a backup taken before the erasure and restored with a later key file hold
 * only ciphertext no remaining key opens — while the backup's own old key file would open them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli, startInProcess, startPalisade } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import { DatabaseBlobStore, FileBlobStore, openPosition, photoContext, type StoredLocationRow } from '../../src/domains/fieldservice/index.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { PersonDataError, PersonKeys, readPersonKeyFile, replaceAllPersonKeys } from '../../src/security/index.ts';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { searchAudit } from '../../src/audit/index.ts';

const PROBLEM = 'https://palisade.dev/problems/';

const shredded = (error: unknown) => error instanceof PersonDataError && error.code === 'ERR_PERSON_KEY_DESTROYED';

async function dropDatabase(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.href });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

for (const kind of databaseKinds()) {
  describe(`privacy: export and erasure of a person (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let env: Record<string, string | undefined>;
    let serverEnv: Record<string, string | undefined>;
    let work: string;
    const masterKey = generateMasterKey();
    /** Everything that names Terry: what must be gone after the erasure. */
    const terry = { id: '', email: 'terry@corp.test', name: 'Terry Tech', subject: 'u-tech', sessions: [] as string[], devices: [] as string[], jkts: [] as string[], blobKey: '', blobKeys: [] as string[] };
    const photo = randomBytes(64);
    let apiExport: { status: number; body: Record<string, unknown> };
    let techExport: { status: number; body: Record<string, unknown> };
    let unknownErase: { status: number; body: Record<string, unknown> };

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port, env: serverEnv } = await federatedTo(database));
      env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'silent' };
      work = await mkdtemp(path.join(tmpdir(), 'palisade-privacy-'));
      // No working days: every sign-in is off hours, so the monitor's off_hours alert about Terry is
      // in the trail whatever the time of the run (it must name him only where erasure finds him).
      const { server, ca } = await startInProcess(database, upstream, port, { PALISADE_MASTER_KEY: masterKey, PALISADE_MONITORING_OFF_HOURS_WORKING_HOURS_DAYS: '[]' });
      const app = new MobileApp(server.url, ca);
      try {
        const tech: SignedIn = await app.signIn('u-tech');
        const admin: SignedIn = await app.signIn('u-admin');
        terry.id = decodeJwt(tech.tokens.access_token).sub!;
        // Terry's working day: a job assigned to him and moved by him, two positions, one photo.
        const stored = await new FileBlobStore(path.join(database.dataDir, 'blobs')).put(photo, { mediaType: 'image/jpeg' });
        terry.blobKey = stored.key;
        await server.db.asOwner(async (q) => {
          await q.query(`INSERT INTO fs_territories (code, name, region) VALUES ('priv-south', 'South', 'priv-west') ON CONFLICT DO NOTHING`);
          const { rows: c } = await q.query<{ id: string }>(`INSERT INTO fs_customers (name) VALUES ('Acme Pipes') RETURNING id`);
          const { rows: s } = await q.query<{ id: string }>(`INSERT INTO fs_sites (customer_id, name, address, territory) VALUES ($1, 'Depot', '1 Main St', 'priv-south') RETURNING id`, [c[0]!.id]);
          await q.query(`INSERT INTO fs_technicians (user_id, display_name, territory) VALUES ($1, 'Terry Tech', 'priv-south')`, [terry.id]);
          const { rows: j } = await q.query<{ id: string }>(
            `INSERT INTO fs_jobs (title, department, territory, site_id, status, assigned_to, created_by, description) VALUES ('Fix leak', 'plumbing', 'priv-south', $1, 'assigned', $2, $2, $3) RETURNING id`,
            // Free text naming him (decision 0029): erasure replaces it, so the search of every table below finds nothing.
            [s[0]!.id, terry.id, `Terry Tech has the key; questions to ${terry.email}`],
          );
          await q.query(`INSERT INTO fs_job_events (job_id, kind, to_status, technician, by_user) VALUES ($1, 'assigned', 'assigned', $2, $2)`, [j[0]!.id, terry.id]);
          await q.query(`INSERT INTO fs_locations (technician_id, at, latitude, longitude) VALUES ($1, now(), 51.5, -0.1), ($1, now(), 51.6, -0.2)`, [terry.id]);
          await q.query(`INSERT INTO fs_photos (job_id, blob_key, media_type, size, sha256, uploaded_by) VALUES ($1, $2, 'image/jpeg', $3, $4, $5)`, [j[0]!.id, stored.key, stored.size, stored.sha256, terry.id]);
          const { rows: sessions } = await q.query<{ id: string; deviceId: string | null }>('SELECT id, device_id AS "deviceId" FROM sessions WHERE user_id = $1', [terry.id]);
          terry.sessions = sessions.map((r) => r.id);
          const { rows: devices } = await q.query<{ id: string; jkt: string }>('SELECT id, jkt FROM devices WHERE user_id = $1', [terry.id]);
          terry.devices = devices.map((r) => r.id);
          terry.jkts = devices.map((r) => r.jkt);
        });
        apiExport = await app.call(`/admin/v1/users/${terry.id}/export`, admin.tokens.access_token);
        techExport = await app.call(`/admin/v1/users/${terry.id}/export`, tech.tokens.access_token);
        unknownErase = await app.call('/admin/v1/privacy/erasures', admin.tokens.access_token, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ person: '00000000-0000-4000-8000-000000000000', reason: 'request 1' }),
        });
        // Nora signs in too: the admin API erases her later, on the second server.
        await app.signIn('u-tech-north');
        await app.signIn('u-contractor');
        await server.audit.flush();
        const alerts = await searchAudit(server.db, { action: 'alert.off_hours', limit: 50 });
        assert.ok(alerts.events.some((e) => e.resource?.type === 'user' && e.resource.id === terry.id), 'the off_hours alert about Terry is in the trail');
      } finally {
        await app.close();
        await server.close();
      }
    });
    after(async () => {
      await upstream?.close();
      await database?.drop();
      if (work) await rm(work, { recursive: true, force: true });
    });

    test('the admin API exports everything about the person, with a manifest; a technician may not', () => {
      assert.equal(apiExport.status, 200, JSON.stringify(apiExport.body));
      const manifest = apiExport.body.manifest as { format: string; person: string; sections: { name: string; records: number }[] };
      assert.equal(manifest.format, 'palisade-subject-export/1');
      assert.equal(manifest.person, terry.id);
      const records = Object.fromEntries(manifest.sections.map((s) => [s.name, s.records]));
      for (const section of ['profile', 'sessions', 'devices', 'technician', 'jobs', 'photos', 'audit']) assert.ok(records[section]! >= 1, `the ${section} section holds Terry's records`);
      assert.equal(records.locations, 2, 'both positions');
      assert.equal(techExport.status, 403, 'a technician cannot export anyone, not even through their own id');
      assert.equal(techExport.body.type, `${PROBLEM}forbidden`);
      assert.equal(unknownErase.status, 404, 'an unknown person is not found');
    });

    test('the CLI export holds the same, photos decoded from the blob store and checked against the manifest', async () => {
      const out = path.join(work, 'terry.json');
      const result = await palisadeCli(['privacy', 'export', '--person', terry.email, '--out', out], env);
      assert.equal(result.code, 0, result.out);
      const archive = JSON.parse(await readFile(out, 'utf8')) as { manifest: { sections: { name: string; sha256: string }[] }; data: Record<string, unknown> };
      const { createHash } = await import('node:crypto');
      for (const section of archive.manifest.sections) {
        assert.equal(createHash('sha256').update(JSON.stringify(archive.data[section.name])).digest('hex'), section.sha256, `${section.name} matches its digest`);
      }
      const photos = archive.data.photos as { content: string }[];
      assert.equal(Buffer.from(photos[0]!.content, 'base64').toString('hex'), photo.toString('hex'), 'the photo itself is in the export');
      assert.equal((archive.data.profile as { email: string }).email, terry.email);
    });

    test('a legal hold refuses erasure with a clear message; lifting it allows it again', async () => {
      assert.equal((await palisadeCli(['privacy', 'hold', '--person', terry.id, '--reason', 'litigation 7'], env)).code, 0);
      const refused = await palisadeCli(['privacy', 'erase', '--person', terry.id, '--reason', 'request 2'], env);
      assert.equal(refused.code, 1, refused.out);
      assert.match(refused.out, /legal hold/);
      assert.doesNotMatch(refused.out, /at \w+ \(|\.ts:\d+:\d+/, 'no stack trace');
      assert.equal((await palisadeCli(['privacy', 'hold', '--person', terry.id, '--reason', 'settled', '--lift'], env)).code, 0);
      // Casey stays under a hold: the admin API is asked to erase them later.
      assert.equal((await palisadeCli(['privacy', 'hold', '--person', 'casey@contractor.test', '--reason', 'litigation 8'], env)).code, 0);
    });

    /** What an attacker or a forgotten copy keeps from before the erasure (decision 0023). */
    const copies = { photoId: '', blob: Buffer.alloc(0), locations: [] as StoredLocationRow[], backup: '' };
    const blobStoreOf = (db: Database) => (kind.kind === 'pglite' ? new FileBlobStore(path.join(database.dataDir, 'blobs')) : new DatabaseBlobStore(db));

    test('older positions and photos are sealed under the person key; the store holds only ciphertext; the export still opens them', async () => {
      const sealed = await palisadeCli(['privacy', 'seal'], env);
      assert.equal(sealed.code, 0, sealed.out);
      assert.match(sealed.stdout, /sealed \d+ positions? and \d+ photos?/);
      const db = await openMigrated(database);
      try {
        await db.asOwner(async (q) => {
          copies.locations = (await q.query<StoredLocationRow>('SELECT technician_id::text AS "technicianId", at, sealed, latitude, longitude, accuracy_m AS "accuracyM" FROM fs_locations WHERE technician_id = $1', [terry.id])).rows;
          const { rows } = await q.query<{ id: string; blobKey: string; sealed: boolean }>('SELECT id, blob_key AS "blobKey", sealed FROM fs_photos WHERE uploaded_by = $1', [terry.id]);
          assert.equal(rows[0]!.sealed, true);
          copies.photoId = rows[0]!.id;
          terry.blobKeys.push(rows[0]!.blobKey);
        });
        assert.equal(copies.locations.length, 2);
        for (const row of copies.locations) assert.ok(row.sealed && row.latitude === null, 'no plaintext coordinates are left');
        // Straight from the blob store, bypassing Palisade: what an S3 object version would hold.
        copies.blob = Buffer.from((await blobStoreOf(db).get(terry.blobKeys.at(-1)!))!.bytes);
        assert.equal(copies.blob.includes(photo.subarray(0, 16)), false, 'the store holds no plain photo');
        assert.equal(await new FileBlobStore(path.join(database.dataDir, 'blobs')).get(terry.blobKey), undefined, 'the plain file is gone');
      } finally {
        await db.close();
      }
      const out = path.join(work, 'terry-sealed.json');
      const exported = await palisadeCli(['privacy', 'export', '--person', terry.id, '--out', out], env);
      assert.equal(exported.code, 0, exported.out);
      const archive = JSON.parse(await readFile(out, 'utf8')) as { data: { photos: { content: string }[]; locations: { latitude: number }[] } };
      assert.equal(Buffer.from(archive.data.photos[0]!.content, 'base64').toString('hex'), photo.toString('hex'), 'the export holds the opened photo');
      assert.deepEqual(archive.data.locations.map((l) => l.latitude).sort(), [51.5, 51.6]);
      // A backup taken before the erasure (with its key file, which still holds Terry's key).
      copies.backup = path.join(work, 'before-erasure.bin');
      const backup = await palisadeCli(['backup', '--out', copies.backup], env);
      assert.equal(backup.code, 0, backup.out);
    });

    test('after erasure nothing names the person: tables, archive, logs; audit verify passes', async () => {
      // An archive written before the erasure (write-once storage cannot be changed afterwards).
      const archive = path.join(work, 'archive');
      const sealed = await palisadeCli(['audit', 'verify', '--seal'], env);
      assert.equal(sealed.code, 0, sealed.out);
      const exported = await palisadeCli(['audit', 'export', '--out', archive], env);
      assert.equal(exported.code, 0, exported.out);

      const erased = await palisadeCli(['privacy', 'erase', '--person', terry.email, '--reason', 'request 3', '--json'], env);
      assert.equal(erased.code, 0, erased.out);
      const result = JSON.parse(erased.stdout) as { pseudonym: string; counts: Record<string, number>; audit: { sealed: number }; blobsDeleted: number; keysDestroyed: number };
      assert.match(result.pseudonym, /^psn-[0-9a-f]{32}$/);
      assert.equal(result.counts.locations, 2);
      assert.equal(result.blobsDeleted, 1);
      assert.equal(result.keysDestroyed, 1, 'the person key is destroyed');
      assert.ok(result.audit.sealed > 0, 'sealed audit records were rewritten under the pseudonym');
      assert.equal(await new FileBlobStore(path.join(database.dataDir, 'blobs')).get(terry.blobKey), undefined, 'the photo file is gone');

      // A second server: its logs are written after the erasure. The admin erases Nora through
      // the API and is refused Casey (legal hold).
      // Its own process (its log is what is searched), without npm in front: helpers/server.ts StartVia.
      const server = await startPalisade({ ...serverEnv, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'debug' }, undefined, 'direct');
      const app = new MobileApp(server.url, server.ca);
      let logs: string;
      try {
        const admin = await app.signIn('u-admin');
        const list = await app.call('/admin/v1/users?limit=100', admin.tokens.access_token);
        assert.equal(list.status, 200, list.text);
        const people = list.body.users as { id: string; email: string | null }[];
        assert.ok(!people.some((p) => p.id === terry.id), 'Terry is not listed');
        const erase = (id: string) =>
          app.call('/admin/v1/privacy/erasures', admin.tokens.access_token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person: id, reason: 'request 4' }) });
        const nora = people.find((p) => p.email === 'nora@corp.test')!;
        const casey = people.find((p) => p.email === 'casey@contractor.test')!;
        const held = await erase(casey.id);
        assert.equal(held.status, 409, held.text);
        assert.equal(held.body.type, `${PROBLEM}legal-hold`);
        const done = await erase(nora.id);
        assert.equal(done.status, 200, done.text);
        assert.match(String(done.body.pseudonym), /^psn-/);
        assert.ok(((done.body.counts as Record<string, number>).sessions ?? 0) >= 1, 'her session was deleted');
      } finally {
        await app.close();
        await server.stop();
        logs = server.output();
      }

      const verified = await palisadeCli(['audit', 'verify', '--seal'], env);
      assert.equal(verified.code, 0, `the trail still verifies after erasure: ${verified.out}`);
      const archived = await palisadeCli(['audit', 'verify', '--archive', archive], env);
      assert.equal(archived.code, 0, `the archive still verifies: ${archived.out}`);

      const needles = [terry.id, terry.email, terry.name, terry.subject, terry.blobKey, ...terry.blobKeys, ...terry.sessions, ...terry.devices, ...terry.jkts].filter(Boolean);
      const findIn = (where: string, text: string) => {
        for (const needle of needles) {
          const at = text.toLowerCase().indexOf(needle.toLowerCase());
          assert.equal(at, -1, `${where} still holds "${needle}": …${text.slice(Math.max(0, at - 300), at + 100)}…`);
        }
      };
      findIn('the server log after erasure', logs);
      findIn('the erasure output', erased.out + verified.out + archived.out);
      for (const file of await readdir(archive, { recursive: true })) {
        const full = path.join(archive, file);
        if ((await stat(full)).isFile()) findIn(`archive file ${file}`, await readFile(full, 'utf8'));
      }
      const db = await openMigrated(database);
      try {
        await db.asOwner(async (q) => {
          const { rows: tables } = await q.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
          assert.ok(tables.length > 20, 'every table is searched');
          for (const { name } of tables) {
            const { rows } = await q.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
            findIn(`table ${name}`, rows.map((r) => r.row).join('\n'));
          }
        });
      } finally {
        await db.close();
      }
    });

    test('what deletion cannot reach no longer opens: the blob copy, the location rows, and the backup from before, restored with a later key file', async () => {
      const live = await openMigrated(database);
      try {
        const keys = new PersonKeys({ db: live, master: masterKeyFromBase64url(masterKey) });
        await assert.rejects(keys.openBytes(terry.id, photoContext(copies.photoId), copies.blob), shredded);
        for (const row of copies.locations) await assert.rejects(openPosition(keys, row), shredded);
      } finally {
        await live.close();
      }
      const keyFile = path.join(work, 'after-erasure.keys');
      const keysOnly = await palisadeCli(['backup', '--keys-only', '--out', keyFile], env);
      assert.equal(keysOnly.code, 0, keysOnly.out);
      assert.equal((await readFile(keyFile, 'utf8')).includes(terry.id), false, 'the key file written after the erasure has no key for them');

      const restoredDir = path.join(work, 'restored');
      const restoredUrl = database.url ? `${database.url}_restored` : undefined;
      const restoredEnv = { ...env, PALISADE_DATA_DIR: restoredDir, DATABASE_URL: restoredUrl };
      const restored = await palisadeCli(['restore', '--from', copies.backup, '--keys', keyFile], restoredEnv);
      try {
        assert.equal(restored.code, 0, restored.out);
        assert.match(restored.stdout, /1 people have sealed positions or photos but no key/);
        const db = await openDatabase({ url: restoredUrl, pgliteDir: path.join(restoredDir, 'pglite') });
        try {
          const rows = await db.asOwner((q) =>
            q.query<StoredLocationRow>('SELECT technician_id::text AS "technicianId", at, sealed, latitude, longitude, accuracy_m AS "accuracyM" FROM fs_locations WHERE technician_id = $1', [terry.id]),
          );
          assert.equal(rows.rows.length, 2, 'the backup still holds the rows…');
          const keys = new PersonKeys({ db, master: masterKeyFromBase64url(masterKey) });
          for (const row of rows.rows) await assert.rejects(openPosition(keys, row), shredded, '…but they do not open');
          // With the database store the backup holds the sealed photo itself; with the folder, the copy kept above stands for it.
          const blob = kind.kind === 'pglite' ? copies.blob : Buffer.from((await new DatabaseBlobStore(db).get(terry.blobKeys.at(-1)!))!.bytes);
          await assert.rejects(keys.openBytes(terry.id, photoContext(copies.photoId), blob), shredded);
          // What the key file decides: the backup's own key file, written before the erasure, would open them.
          const old = readPersonKeyFile(`${copies.backup}.keys`);
          await db.asOwner((q) => replaceAllPersonKeys(q, old.rows));
          const reopened = new PersonKeys({ db, master: masterKeyFromBase64url(masterKey) });
          assert.equal((await openPosition(reopened, rows.rows[0]!)).latitude > 51, true);
          assert.deepEqual(Buffer.from(await reopened.openBytes(terry.id, photoContext(copies.photoId), blob)), photo);
        } finally {
          await db.close();
        }
      } finally {
        if (restoredUrl) await dropDatabase(restoredUrl);
      }
    });
  });
}
