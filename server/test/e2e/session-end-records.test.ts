/**
 * A session's records end with it, each deleted by the module that owns it, in the revocation's
 * own transaction (Sessions.onEnd): its grant's refresh tokens and codes (`oauth_payloads`, oauth)
 * and its request signing key (`session_signing_keys`, apisec). Through the running server (a
 * sign-out) and through the command line, which runs no modules (`palisade incident contain`,
 * cli/sessions.ts): an ending registered only by a module's start would be skipped there, and
 * the session's refresh tokens would stay behind in the table.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli, startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

for (const kind of databaseKinds()) {
  describe(`a session's records end with it, through the server and the command line (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    const masterKey = generateMasterKey();
    const sids: { signedOut: string; contained: string; other: string } = { signedOut: '', contained: '', other: '' };

    /** How many grant records and signing keys each session has. */
    async function recordsOf(ids: string[]): Promise<Record<string, { payloads: number; signingKeys: number }>> {
      const db = await openMigrated(database);
      try {
        return await db.asOwner(async (q) => {
          const out: Record<string, { payloads: number; signingKeys: number }> = {};
          for (const id of ids) {
            const payloads = await q.query<{ n: string }>('SELECT count(*) AS n FROM oauth_payloads WHERE grant_id = $1', [id]);
            const keys = await q.query<{ n: string }>('SELECT count(*) AS n FROM session_signing_keys WHERE session_id = $1', [id]);
            out[id] = { payloads: Number(payloads.rows[0]!.n), signingKeys: Number(keys.rows[0]!.n) };
          }
          return out;
        });
      } finally {
        await db.close();
      }
    }

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      const { server, ca } = await startInProcess(database, upstream, port, { PALISADE_MASTER_KEY: masterKey });
      const app = new MobileApp(server.url, ca);
      try {
        const signedOut = await app.signIn('u-tech');
        const contained = await app.signIn('u-tech');
        const other = await app.signIn('u-dispatcher');
        for (const [name, session] of Object.entries({ signedOut, contained, other })) sids[name as keyof typeof sids] = String(decodeJwt(session.tokens.access_token).sid);
        const out = await app.call('/api/v1/session/logout', signedOut.tokens.access_token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        assert.equal(out.status, 200, out.text);
      } finally {
        await app.close();
        await server.close();
      }
    });
    after(async () => {
      await upstream?.close();
      await database?.drop();
    });

    test('signed out through the server: its grant records and signing key are gone; the others keep theirs', async () => {
      const records = await recordsOf([sids.signedOut, sids.contained, sids.other]);
      assert.deepEqual(records[sids.signedOut], { payloads: 0, signingKeys: 0 }, 'the ended session keeps nothing');
      for (const live of [sids.contained, sids.other]) {
        assert.ok(records[live]!.payloads >= 1 && records[live]!.signingKeys === 1, `a live session keeps its records: ${JSON.stringify(records[live])}`);
      }
    });

    test('ended by `palisade incident contain`: the same, with no server running', async () => {
      const env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'silent' };
      const contained = await palisadeCli(['incident', 'contain', '--user', 'terry@corp.test', '--reason', 'session records test'], env);
      assert.equal(contained.code, 0, contained.out);
      assert.match(contained.out, /1 session ended/);
      const records = await recordsOf([sids.contained, sids.other]);
      assert.deepEqual(records[sids.contained], { payloads: 0, signingKeys: 0 }, 'the contained session keeps nothing');
      assert.ok(records[sids.other]!.payloads >= 1 && records[sids.other]!.signingKeys === 1, 'another person’s session is untouched');
    });
  });
}
