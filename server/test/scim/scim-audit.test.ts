/**
 * The audit trail of SCIM provisioning: every change a connector makes — users, groups, the people it
 * disables or re-enables, the roles it re-maps — and every connector token created or revoked
 * is recorded in the transaction that makes it. A change that fails midway leaves neither the
 * change nor its record, and no record ever holds a token. Runs the real HTTP pipeline (so the
 * caller's IP and request id come from the request context) and the real audit trail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database, Queryable } from '../../src/db/index.ts';
import { systemClock } from '../../src/clock.ts';
import { testApp } from '../helpers/app.ts';
import { hashToken, randomId } from '../../src/security/primitives.ts';
import { AuditTrail, type AuditSink } from '../../src/audit/trail.ts';
import type { AuditEvent, StoredAuditEvent } from '../../src/audit/event.ts';
import { REDACTED } from '../../src/security/index.ts';
import { searchAudit } from '../../src/audit/search.ts';
import { Sessions } from '../../src/sessions/index.ts';
import { ScimEffects, insertScimToken, revokeScimToken, scimRoutes } from '../../src/scim/index.ts';
import type { RoleMapping } from '../../src/users/index.ts';

const TOKEN = 'pal_scim_audit-test-token-for-the-entra-connector-0123456789';
const OKTA_TOKEN = 'pal_scim_audit-test-token-for-the-okta-connector-9876543210';
const REPLACED_OKTA_TOKEN = 'pal_scim_first-okta-token-0000000000';
const REFUSED_TOKEN = 'pal_scim_workday-never-valid';
const CALLER_IP = '203.0.113.7';
const ROLES: RoleMapping = { technician: ['fs-techs'], dispatcher: [], manager: ['fs-managers'], admin: ['it-admins'] };
const silent = { warn: () => undefined, error: () => undefined };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const patch = (...Operations: object[]) => ({ schemas: [PATCH_OP], Operations });

const entraUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  active: true,
  displayName: 'Terry Tech',
  emails: [{ primary: true, type: 'work', value: userName }],
  phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
  ...extra,
});

for (const kind of databaseKinds()) {
  describe(`SCIM audit records (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let trail: AuditTrail;
    let sessions: Sessions;
    let app: FastifyInstance;
    /** While set, the sink SCIM writes through throws on this action: a failure after the store write. */
    let failOn: string | undefined;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
      trail = new AuditTrail(db, systemClock, silent, { flushIntervalMs: 10 });
      sessions = new Sessions(db, systemClock, 15 * 60_000, silent, undefined, trail);
      const failing: AuditSink = {
        async record(tx: Queryable, event: AuditEvent) {
          if (event.action === failOn) throw new Error(`the audit trail refused ${event.action}`);
          await trail.record(tx, event);
        },
        emit: (event) => trail.emit(event),
      };
      app = testApp({ bodyLimit: 1_000_000, audit: trail });
      const effects = new ScimEffects({ db, clock: systemClock, sessions, roles: ROLES, log: { info: () => undefined }, audit: failing });
      await app.register(scimRoutes, { db, clock: systemClock, effects, baseUrl: 'https://palisade.test' });
      await app.ready();
      await insertScimToken(db, 'entra', hashToken(TOKEN), trail);
    });
    after(async () => {
      await app?.close();
      await trail?.close();
      await db?.close();
      await database?.drop();
    });

    /** A SCIM call with a request id of its own, so the records it caused can be told apart. */
    async function scim(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
      const requestId = `req-${randomId(12)}`;
      const response = await app.inject({
        method,
        url: `/scim/v2${url}`,
        remoteAddress: CALLER_IP,
        headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': requestId, ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}) },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- SCIM bodies are read member by member in the tests
      return { status: response.statusCode, body: (response.body ? JSON.parse(response.body) : {}) as Record<string, any>, requestId };
    }

    async function everything(): Promise<StoredAuditEvent[]> {
      await trail.flush();
      return (await searchAudit(db, { limit: 500 })).events.reverse();
    }
    /** The records one request caused, oldest first. */
    const recordsOf = async (requestId: string) => (await everything()).filter((e) => e.requestId === requestId);
    const actions = (events: StoredAuditEvent[]) => events.map((e) => e.action);

    /** Someone who signed in with `userName` (so a SCIM user of that name speaks for them), with a live session. */
    async function person(userName: string, roles: string[] = ['technician']): Promise<{ id: string; sessionId: string }> {
      const { rows } = await db.query<{ id: string }>(`INSERT INTO users (issuer, subject, user_name, roles) VALUES ('https://idp.test', $1, $2, $3) RETURNING id`, [randomId(), userName, roles]);
      const sessionId = randomId();
      const now = systemClock.now();
      await sessions.create({ id: sessionId, userId: rows[0]!.id, clientId: 'field-app', authTime: new Date(now), acr: null, amr: [], expiresAt: new Date(now + 86_400_000) });
      return { id: rows[0]!.id, sessionId };
    }
    const personRow = async (id: string) => (await db.query<{ roles: string[]; disabled_at: Date | null }>('SELECT roles, disabled_at FROM users WHERE id = $1', [id])).rows[0]!;
    const sessionEnded = async (id: string) => (await db.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM sessions WHERE id = $1', [id])).rows[0]!.revoked_at !== null;

    test('creating a user records scim.user.create, attributed to the connector, the caller’s IP and the request', async () => {
      const created = await scim('POST', '/Users', entraUser('new.hire@corp.test', { password: 'Never-Kept-1!' }));
      assert.equal(created.status, 201);
      const records = await recordsOf(created.requestId);
      assert.deepEqual(actions(records), ['scim.user.create'], 'one change, one record (nobody linked to this name yet)');
      const [record] = records;
      assert.equal(record!.outcome, 'success');
      assert.deepEqual(record!.resource, { type: 'scim_user', id: created.body.id });
      assert.equal(record!.actor.appId, 'scim:entra', 'the connector is named by its token’s name');
      assert.equal(record!.actor.ip, CALLER_IP, 'the IP comes from the request context');
      assert.equal(record!.changes?.before, undefined, 'nothing existed before');
      assert.equal(record!.changes?.after?.userName, 'new.hire@corp.test');
      assert.equal(record!.changes?.after?.active, true);
      assert.equal(record!.changes?.after?.displayName, 'Terry Tech');
      assert.equal(record!.changes?.after?.emails, REDACTED, 'contact details are recorded as present, never with their values');
      assert.equal(record!.changes?.after?.phoneNumbers, REDACTED);
      assert.ok(!JSON.stringify(record).includes('Never-Kept-1!'), 'a password the IdP sent is in no record');
    });

    test('replacing (PUT) and patching a user record scim.user.update with only the attributes that changed', async () => {
      const created = await scim('POST', '/Users', entraUser('pat@corp.test'));
      const replaced = await scim('PUT', `/Users/${created.body.id}`, { ...created.body, displayName: 'Pat P.' });
      assert.equal(replaced.status, 200);
      const [put, ...more] = await recordsOf(replaced.requestId);
      assert.equal(more.length, 0, 'exactly one record for the PUT');
      assert.equal(put!.action, 'scim.user.update');
      assert.deepEqual(put!.resource, { type: 'scim_user', id: created.body.id });
      assert.deepEqual(put!.changes, { before: { displayName: 'Terry Tech' }, after: { displayName: 'Pat P.' } }, 'only what changed, before and after');

      const patched = await scim('PATCH', `/Users/${created.body.id}`, patch({ op: 'Replace', path: 'phoneNumbers', value: [{ type: 'mobile', value: '+1 555 0199' }] }));
      assert.equal(patched.status, 200);
      const [update, ...none] = await recordsOf(patched.requestId);
      assert.equal(none.length, 0);
      assert.equal(update!.action, 'scim.user.update');
      assert.deepEqual(update!.changes, { before: { phoneNumbers: REDACTED }, after: { phoneNumbers: REDACTED } }, 'a changed phone number shows as changed, without the number');
    });

    test('deactivating a user records the update, the person disabled and their session ended; reactivating records the person enabled', async () => {
      const dana = await person('dana@corp.test');
      const created = await scim('POST', '/Users', entraUser('dana@corp.test'));
      assert.deepEqual(actions(await recordsOf(created.requestId)), ['scim.user.create'], 'an active user leaves an enabled person as it is');

      const disabled = await scim('PATCH', `/Users/${created.body.id}`, patch({ op: 'Replace', path: 'active', value: 'False' }));
      assert.equal(disabled.status, 200);
      const records = await recordsOf(disabled.requestId);
      assert.deepEqual(actions(records), ['scim.user.update', 'user.deactivate', 'session.revoke']);
      const [update, deactivate, revoke] = records;
      assert.deepEqual(update!.changes, { before: { active: true }, after: { active: false } });
      assert.deepEqual(deactivate!.resource, { type: 'user', id: dana.id });
      assert.equal(deactivate!.reason, 'deactivated');
      assert.deepEqual(deactivate!.changes, { before: { disabled: false }, after: { disabled: true } });
      assert.deepEqual(revoke!.resource, { type: 'session', id: dana.sessionId });
      assert.equal(revoke!.reason, 'deprovisioned');
      assert.equal(revoke!.actor.appId, 'scim:entra', 'the sessions SCIM ended are attributed to the connector too');
      assert.ok((await personRow(dana.id)).disabled_at, 'the person is disabled');
      assert.ok(await sessionEnded(dana.sessionId));

      const enabled = await scim('PATCH', `/Users/${created.body.id}`, patch({ op: 'Replace', path: 'active', value: 'True' }));
      const back = await recordsOf(enabled.requestId);
      assert.deepEqual(actions(back), ['scim.user.update', 'user.activate']);
      assert.equal(back[1]!.reason, 'reactivated');
      assert.deepEqual(back[1]!.changes, { before: { disabled: true }, after: { disabled: false } });
    });

    test('deleting a user records the delete, its removal from each group and the person disabled', async () => {
      const erin = await person('erin@corp.test');
      const user = await scim('POST', '/Users', entraUser('erin@corp.test'));
      const group = await scim('POST', '/Groups', { displayName: 'fs-techs', members: [{ value: user.body.id }] });
      assert.equal(group.status, 201);

      const deleted = await scim('DELETE', `/Users/${user.body.id}`);
      assert.equal(deleted.status, 204);
      const records = await recordsOf(deleted.requestId);
      assert.deepEqual(actions(records), ['scim.user.delete', 'scim.group.update', 'user.deactivate', 'session.revoke']);
      const [remove, membership, deactivate] = records;
      assert.deepEqual(remove!.resource, { type: 'scim_user', id: user.body.id });
      assert.equal(remove!.changes?.after, undefined, 'nothing remains after');
      assert.equal(remove!.changes?.before?.userName, 'erin@corp.test', 'what was deleted is recorded');
      assert.deepEqual(membership!.resource, { type: 'scim_group', id: group.body.id });
      assert.equal(membership!.reason, 'member_deleted');
      assert.deepEqual(membership!.detail?.members, { removed: [user.body.id] });
      assert.deepEqual(deactivate!.resource, { type: 'user', id: erin.id });
      assert.equal(deactivate!.reason, 'deleted');
    });

    test('group create, replace, patch and delete each record the group, and each member’s role change', async () => {
      const frank = await person('frank@corp.test', ['technician']);
      const user = await scim('POST', '/Users', entraUser('frank@corp.test'));

      const created = await scim('POST', '/Groups', { displayName: 'fs-managers', members: [{ value: user.body.id }] });
      assert.equal(created.status, 201);
      const onCreate = await recordsOf(created.requestId);
      assert.deepEqual(actions(onCreate), ['scim.group.create', 'user.roles.change']);
      assert.deepEqual(onCreate[0]!.resource, { type: 'scim_group', id: created.body.id });
      assert.equal(onCreate[0]!.changes?.after?.displayName, 'fs-managers');
      assert.deepEqual(onCreate[0]!.detail?.members, { added: [user.body.id] });
      assert.deepEqual(onCreate[1]!.resource, { type: 'user', id: frank.id });
      assert.deepEqual(onCreate[1]!.changes, { before: { roles: ['technician'] }, after: { roles: ['manager'] } }, 'the roles before and after');
      assert.equal(onCreate[1]!.actor.appId, 'scim:entra');

      const replaced = await scim('PUT', `/Groups/${created.body.id}`, { displayName: 'fs-managers', externalId: 'g-42', members: [{ value: user.body.id }] });
      assert.equal(replaced.status, 200);
      const onReplace = await recordsOf(replaced.requestId);
      assert.deepEqual(actions(onReplace), ['scim.group.update'], 'the roles did not change, so no role record');
      assert.deepEqual(onReplace[0]!.changes, { before: { externalId: null }, after: { externalId: 'g-42' } });
      assert.equal(onReplace[0]!.detail?.members, undefined, 'membership did not change');

      const patched = await scim('PATCH', `/Groups/${created.body.id}`, patch({ op: 'Remove', path: `members[value eq "${user.body.id}"]` }));
      assert.equal(patched.status, 200);
      const onPatch = await recordsOf(patched.requestId);
      assert.deepEqual(actions(onPatch), ['scim.group.update', 'user.roles.change', 'session.revoke']);
      assert.deepEqual(onPatch[0]!.detail?.members, { removed: [user.body.id] });
      assert.deepEqual(onPatch[1]!.changes, { before: { roles: ['manager'] }, after: { roles: [] } });
      assert.equal(onPatch[2]!.reason, 'roles_removed', 'no role left: the session ends');
      assert.deepEqual((await personRow(frank.id)).roles, []);

      const deleted = await scim('DELETE', `/Groups/${created.body.id}`);
      assert.equal(deleted.status, 204);
      const onDelete = await recordsOf(deleted.requestId);
      assert.deepEqual(actions(onDelete), ['scim.group.delete']);
      assert.deepEqual(onDelete[0]!.resource, { type: 'scim_group', id: created.body.id });
      assert.equal(onDelete[0]!.changes?.after, undefined, 'nothing remains after');
      assert.equal(onDelete[0]!.changes?.before?.displayName, 'fs-managers', 'what was deleted is recorded');
      assert.equal(onDelete[0]!.changes?.before?.externalId, 'g-42');
    });

    test('refused requests change nothing and record nothing', async () => {
      const taken = await scim('POST', '/Users', entraUser('gail@corp.test'));
      const duplicate = await scim('POST', '/Users', entraUser('gail@corp.test'));
      assert.equal(duplicate.status, 409);
      const ghost = await scim('POST', '/Groups', { displayName: 'ghosts', members: [{ value: '00000000-0000-4000-8000-000000000000' }] });
      assert.equal(ghost.status, 400);
      const missing = await scim('PUT', '/Users/00000000-0000-4000-8000-000000000000', entraUser('nobody@corp.test'));
      assert.equal(missing.status, 404);
      for (const refused of [duplicate, ghost, missing]) assert.deepEqual(await recordsOf(refused.requestId), [], `a ${refused.status} records no change`);
      assert.equal((await recordsOf(taken.requestId)).length, 1);
    });

    describe('a change that fails midway leaves neither the change nor any record', () => {
      after(() => {
        failOn = undefined;
      });

      test('a user create whose record cannot be written is not created', async () => {
        failOn = 'scim.user.create';
        const failed = await scim('POST', '/Users', entraUser('hal@corp.test'));
        failOn = undefined;
        assert.equal(failed.status, 500);
        assert.equal((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "hal@corp.test"')}`)).body.totalResults, 0, 'the user was rolled back');
        assert.deepEqual(await recordsOf(failed.requestId), []);
      });

      test('a deactivation failing after the update was written and recorded keeps the user active, the person enabled and the session live', async () => {
        const ivy = await person('ivy@corp.test');
        const user = await scim('POST', '/Users', entraUser('ivy@corp.test'));
        failOn = 'user.deactivate';
        const failed = await scim('PATCH', `/Users/${user.body.id}`, patch({ op: 'Replace', path: 'active', value: false }));
        failOn = undefined;
        assert.equal(failed.status, 500);
        assert.deepEqual(await recordsOf(failed.requestId), [], 'the scim.user.update record written before the failure was rolled back with it');
        assert.equal((await scim('GET', `/Users/${user.body.id}`)).body.active, true, 'the SCIM user is unchanged');
        assert.equal((await personRow(ivy.id)).disabled_at, null, 'the person is not disabled');
        assert.equal(await sessionEnded(ivy.sessionId), false, 'no session ends for a change that did not happen');
      });

      test('a group create failing at a member’s role change leaves no group and the old roles', async () => {
        const jo = await person('jo@corp.test', ['technician']);
        const user = await scim('POST', '/Users', entraUser('jo@corp.test'));
        failOn = 'user.roles.change';
        const failed = await scim('POST', '/Groups', { displayName: 'it-admins', members: [{ value: user.body.id }] });
        failOn = undefined;
        assert.equal(failed.status, 500);
        assert.deepEqual(await recordsOf(failed.requestId), []);
        assert.equal((await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "it-admins"')}`)).body.totalResults, 0, 'the group was rolled back');
        assert.deepEqual((await personRow(jo.id)).roles, ['technician'], 'nobody became an admin');
      });

      test('a token whose record cannot be written is neither created nor revoked', async () => {
        const refusing: AuditSink = { record: async () => Promise.reject(new Error('the audit trail is down')), emit: () => undefined };
        await assert.rejects(insertScimToken(db, 'workday', hashToken(REFUSED_TOKEN), refusing));
        assert.equal((await db.query('SELECT 1 FROM scim_tokens WHERE name = $1', ['workday'])).rows.length, 0, 'no token without its record');
        await assert.rejects(revokeScimToken(db, 'entra', refusing));
        assert.equal((await scim('GET', '/Users')).status, 200, 'the entra token still works: its revocation rolled back');
      });
    });

    test('token create, replace and revoke are recorded by the connector’s name', async () => {
      const since = (await everything()).length;
      await insertScimToken(db, 'okta', hashToken(REPLACED_OKTA_TOKEN), trail);
      await insertScimToken(db, 'okta', hashToken(OKTA_TOKEN), trail);
      assert.equal(await revokeScimToken(db, 'okta', trail), true);
      assert.equal(await revokeScimToken(db, 'okta', trail), false, 'nothing left to revoke');
      const records = (await everything()).slice(since);
      assert.deepEqual(actions(records), ['scim.token.create', 'scim.token.create', 'scim.token.revoke'], 'a revoke that changed nothing records nothing');
      for (const record of records) assert.deepEqual(record.resource, { type: 'scim_token', id: 'okta' });
      assert.deepEqual(records[0]!.detail, { replaced: false });
      assert.deepEqual(records[1]!.detail, { replaced: true, wasRevoked: false });
      assert.equal(records[2]!.changes?.before?.revokedAt, null);
      assert.match(String(records[2]!.changes?.after?.revokedAt), /^\d{4}-\d\d-\d\dT/);
    });

    test('no record holds a SCIM token or its hash', async () => {
      const all = JSON.stringify(await everything());
      assert.ok(all.includes('scim.user.create') && all.includes('scim.token.create'), 'the trail has the records this file made');
      for (const secret of [TOKEN, OKTA_TOKEN, REPLACED_OKTA_TOKEN, REFUSED_TOKEN]) {
        assert.ok(!all.includes(secret), `the token ${secret.slice(0, 16)}… appears in no record`);
        assert.ok(!all.includes(hashToken(secret)), `nor the hash of ${secret.slice(0, 16)}…`);
      }
    });
  });
}
