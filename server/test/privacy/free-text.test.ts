/**
 * Free text that can name a person (decision 0029): a job's title and description and a site's
 * encrypted access notes are not sealed under a person key; erasure replaces the person's name,
 * display name, e-mail, user name and user id in them — any letter case, as literals (a user name
 * with regular-expression characters matches only itself) — with the name of the tombstone their
 * job history now carries, on PGlite and PostgreSQL. Other people's names and text that does not
 * name them stay as they were, byte for byte.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { addUser, testCipher, testPersonKeys, type FixtureUser } from '../helpers/fieldservice.ts';
import type { Database } from '../../src/db/index.ts';
import { noAudit } from '../../src/audit/index.ts';
import { systemClock } from '../../src/clock.ts';
import { redactText } from '../../src/domains/fieldservice/index.ts';
import { erasePerson, type PrivacyDeps } from '../../src/privacy/service.ts';

test('redactText: whole values, any case, as literals; the same string when nothing matches', () => {
  const needles = ['sandra@corp.test', 'Sandra Sealed', 's.s+fs'];
  assert.equal(redactText('Ask SANDRA SEALED or sandra@Corp.Test (s.s+fs)', needles, 'psn-1'), 'Ask psn-1 or psn-1 (psn-1)');
  const untouched = 'sXs+fs and ss+fs and Sandra alone';
  assert.equal(redactText(untouched, needles, 'psn-1'), untouched, 'a dot or plus in a value matches only itself; a first name alone is not the name');
  assert.equal(redactText('cost $1 for Sandra Sealed', needles, '$&$1'), 'cost $1 for $&$1', 'the replacement is taken literally');
});

for (const kind of databaseKinds()) {
  describe(`erasure and free text (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let sandra: FixtureUser;
    let job: string;
    let quietJob: string;
    const sites = { named: '00000000-0000-4000-8000-0000000000a1', quiet: '00000000-0000-4000-8000-0000000000a2' };
    const notesContext = (id: string) => `fs_sites.access_notes:${id}`;
    const deps = (): PrivacyDeps => ({ db, audit: noAudit, clock: systemClock, sessions: { revokeAllOfUser: async () => 0 }, blobs: undefined, personKeys: testPersonKeys(db), cipher: testCipher });

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      const plain = { region: null, department: null, projects: [], contractor: false };
      await db.asOwner(async (owner) => {
        sandra = await addUser(owner, { ...plain, name: 'Sandra Sealed', roles: ['technician'], territory: 't1' });
        await addUser(owner, { ...plain, name: 'Terry Other', roles: ['dispatcher'], territory: 't1' });
        await owner.query("UPDATE users SET email = 'sandra@corp.test', user_name = 's.s+fs' WHERE id = $1", [sandra.id]);
        await owner.exec("INSERT INTO fs_territories VALUES ('t1', 'T1', 'r1'); INSERT INTO fs_customers (id, name) VALUES ('00000000-0000-4000-8000-0000000000c1', 'C')");
        await owner.query("INSERT INTO fs_technicians (user_id, display_name, territory, region) VALUES ($1, 'Sandy S.', 't1', '')", [sandra.id]);
        for (const [id, notes] of [
          [sites.named, 'Key from SANDRA SEALED at reception, or ask Sandy S.'],
          [sites.quiet, 'Gate code from Terry Other'],
        ] as const) {
          await owner.query("INSERT INTO fs_sites (id, customer_id, name, address, territory, region, access_notes) VALUES ($1, '00000000-0000-4000-8000-0000000000c1', 'S', 'A', 't1', '', $2)", [id, await testCipher.encrypt(notes, notesContext(id))]);
        }
        const insertJob = async (title: string, description: string) =>
          (await owner.query<{ id: string }>("INSERT INTO fs_jobs (title, department, territory, region, site_id, status, assigned_to, description) VALUES ($1, 'd', 't1', '', $2, 'assigned', $3, $4) RETURNING id", [title, sites.named, sandra.id, description])).rows[0]!.id;
        job = await insertJob('Ladder for sandra sealed', `Ask sandra@corp.test or Terry Other; s.s+fs has the van (user ${sandra.id})`);
        quietJob = await insertJob('Boiler', 'Terry Other knows the site');
      });
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });

    test('the person’s values in job text and encrypted access notes name the tombstone; everything else stays', async () => {
      const before = await db.asOwner(async (q) => ({
        quietJob: (await q.query('SELECT title, description FROM fs_jobs WHERE id = $1', [quietJob])).rows[0],
        quietSite: (await q.query<{ notes: string }>('SELECT access_notes AS notes FROM fs_sites WHERE id = $1', [sites.quiet])).rows[0]!.notes,
      }));
      const result = await erasePerson(deps(), sandra.id, 'request 9', 'test');
      assert.equal(result.counts.freeTextJobs, 1);
      assert.equal(result.counts.freeTextSites, 1);

      await db.asOwner(async (q) => {
        const tombstone = (await q.query<{ subject: string }>('SELECT subject FROM users WHERE id = $1', [result.tombstone])).rows[0]!.subject;
        assert.match(tombstone, /^psn-[0-9a-f]{32}$/);
        const { title, description } = (await q.query<{ title: string; description: string }>('SELECT title, description FROM fs_jobs WHERE id = $1', [job])).rows[0]!;
        assert.equal(title, `Ladder for ${tombstone}`);
        assert.equal(description, `Ask ${tombstone} or Terry Other; ${tombstone} has the van (user ${tombstone})`);
        const named = (await q.query<{ notes: string }>('SELECT access_notes AS notes FROM fs_sites WHERE id = $1', [sites.named])).rows[0]!.notes;
        assert.equal(await testCipher.decrypt(named, notesContext(sites.named)), `Key from ${tombstone} at reception, or ask ${tombstone}`, 'the technician’s display name too');
        assert.deepEqual((await q.query('SELECT title, description FROM fs_jobs WHERE id = $1', [quietJob])).rows[0], before.quietJob, 'a job that does not name her is untouched');
        assert.equal((await q.query<{ notes: string }>('SELECT access_notes AS notes FROM fs_sites WHERE id = $1', [sites.quiet])).rows[0]!.notes, before.quietSite, 'so is a note that does not: not even re-encrypted');
        // The whole of both tables, notes opened, holds none of her values.
        const jobs = JSON.stringify((await q.query('SELECT * FROM fs_jobs')).rows);
        const notes = await Promise.all((await q.query<{ id: string; notes: string }>('SELECT id, access_notes AS notes FROM fs_sites')).rows.map((r) => testCipher.decrypt(r.notes, notesContext(r.id))));
        for (const needle of ['sandra sealed', 'sandra@corp.test', 's.s+fs', 'sandy s.', sandra.id]) {
          assert.equal(jobs.toLowerCase().includes(needle), false, `fs_jobs still holds ${needle}`);
          assert.equal(notes.join('\n').toLowerCase().includes(needle), false, `an access note still holds ${needle}`);
        }
      });
    });
  });
}
