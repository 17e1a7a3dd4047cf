/**
 * A person left with no role: an administrator's role change that takes the last one away ends
 * their sessions (audited), and a person without a role can still sign out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit } from '../../src/audit/index.ts';

const PROBLEM = 'https://palisade.dev/problems/';

for (const kind of databaseKinds()) {
  describe(`a person with no role (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    const subOf = (s: SignedIn) => decodeJwt(s.tokens.access_token).sub as string;
    const sidOf = (s: SignedIn) => decodeJwt(s.tokens.access_token).sid as string;

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port, {}));
      app = new MobileApp(server.url, ca);
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('an admin removing a person’s last role ends their sessions: the access token is refused at once, the refresh token too, and it is audited', async () => {
      const phone = await app.signIn('u-tech');
      const tablet = await app.signIn('u-tech');
      const tech = subOf(phone);
      assert.equal((await app.call('/api/v1/me', phone.tokens.access_token)).status, 200, 'served before');
      const admin = await app.signIn('u-admin');
      const changed = await app.call(`/admin/v1/users/${tech}/roles`, admin.tokens.access_token, { method: 'PUT', body: JSON.stringify({ granted: [], removed: ['technician'] }) });
      assert.equal(changed.status, 200, changed.text);
      assert.deepEqual(changed.body.roles, []);

      for (const device of [phone, tablet]) {
        const answer = await app.call('/api/v1/me', device.tokens.access_token);
        assert.equal(answer.status, 401, answer.text);
        assert.equal(answer.body.type, `${PROBLEM}session-revoked`);
        await assert.rejects(app.refresh(device), (error: { error?: string }) => error.error === 'invalid_grant', 'the refresh token is refused');
      }
      await server.audit.flush();
      const ended = (await searchAudit(server.db, { action: 'session.revoke', limit: 100 })).events.filter((e) => e.reason === 'roles_removed');
      assert.deepEqual(ended.map((e) => e.resource?.id).sort(), [sidOf(phone), sidOf(tablet)].sort(), 'each ended session is audited');
      // The admin's own session is untouched.
      assert.equal((await app.call('/api/v1/me', admin.tokens.access_token)).status, 200);
    });

    test('a role change that leaves a role ends nothing', async () => {
      const morgan = await app.signIn('u-manager');
      const admin = await app.signIn('u-admin');
      const changed = await app.call(`/admin/v1/users/${subOf(morgan)}/roles`, admin.tokens.access_token, { method: 'PUT', body: JSON.stringify({ granted: ['dispatcher'], removed: ['manager'] }) });
      assert.equal(changed.status, 200, changed.text);
      assert.equal((await app.call('/api/v1/me', morgan.tokens.access_token)).status, 200);
    });

    // A session that outlived its person's roles (roles taken away by other means than the admin
    // route, or before the ending reached this instance): ending it is never a privilege.
    test('a person with no role is refused their profile, but can sign out, and the session then ends', async () => {
      const nora = await app.signIn('u-tech-north');
      const other = await app.signIn('u-tech-north');
      await server.db.query("UPDATE users SET roles_removed = ARRAY['technician'] WHERE id = $1", [subOf(nora)]);
      const me = await app.call('/api/v1/me', nora.tokens.access_token);
      assert.equal(me.status, 403, me.text);
      const out = await app.call('/api/v1/session/logout', nora.tokens.access_token, { method: 'POST', body: '{}' });
      assert.equal(out.status, 200, out.text);
      assert.deepEqual(out.body, { ended: 1 });
      assert.equal((await app.call('/api/v1/me', nora.tokens.access_token)).body.type, `${PROBLEM}session-revoked`);
      await assert.rejects(app.refresh(nora), (error: { error?: string }) => error.error === 'invalid_grant');
      // Everywhere, too.
      const all = await app.call('/api/v1/session/logout', other.tokens.access_token, { method: 'POST', body: JSON.stringify({ everywhere: true }) });
      assert.equal(all.status, 200, all.text);
      assert.equal((await app.call('/api/v1/me', other.tokens.access_token)).body.type, `${PROBLEM}session-revoked`);
    });
  });
}
