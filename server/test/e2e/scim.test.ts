/**
 * SCIM 2.0 provisioning as Entra ID and Okta send it: an employee who leaves (active=false or
 * deleted) loses every live session at once and cannot sign in again; group changes re-map
 * roles. Requests are shaped like the connectors' documented payloads, kept here verbatim.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { hashToken } from '../../src/security/primitives.ts';
import { insertScimToken } from '../../src/scim/index.ts';

const TOKEN = 'pal_scim_test-token-for-the-entra-connector-0123456789';

/** Entra ID's first call for a new user (Microsoft's SCIM reference, "Create User"). */
const entraCreateUser = (userName: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName,
  active: true,
  emails: [{ primary: true, type: 'work', value: userName }],
  meta: { resourceType: 'User' },
  name: { formatted: 'Terry Tech', familyName: 'Tech', givenName: 'Terry' },
  roles: [],
});
/** Entra ID disabling a user (without the aadOptscim062020 flag: capitalized op, string boolean). */
const entraDisable = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };
const entraEnable = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] };

for (const kind of databaseKinds()) {
  describe(`SCIM provisioning (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port));
      await insertScimToken(server.db, 'entra', hashToken(TOKEN));
      app = new MobileApp(server.url, ca);
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    async function scim(method: string, resource: string, body?: unknown, token = TOKEN, contentType = 'application/scim+json') {
      const response = await app.http.fetch(`${server.url}/scim/v2${resource}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- SCIM bodies are read member by member in the tests
      return { status: response.status, type: response.headers.get('content-type'), body: (text ? JSON.parse(text) : {}) as Record<string, any> };
    }
    const signInRefused = async (person: string) => {
      const config = await app.discover();
      const verifier = oidc.randomPKCECodeVerifier();
      const redirectUri = 'http://127.0.0.1:61002/callback';
      const { jkt } = await app.newDevice(config);
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid api', state: 's', dpop_jkt: jkt, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      const { Browser } = await import('../helpers/browser.ts');
      const browser = new Browser(readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8'));
      try {
        const flow = await browser.follow(url.href, redirectUri, person);
        return flow.page?.status === 403 && /no longer has access/.test(flow.page.body);
      } finally {
        await browser.close();
      }
    };

    test('no token or a wrong one: 401 in SCIM’s error format', async () => {
      for (const token of ['', 'pal_scim_wrong']) {
        const response = await scim('GET', '/Users', undefined, token);
        assert.equal(response.status, 401);
        assert.match(response.type ?? '', /application\/scim\+json/);
        assert.deepEqual(response.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
        assert.equal(response.body.status, '401');
      }
    });

    test('users are created, found by userName filter, and unique by userName', async () => {
      const created = await scim('POST', '/Users', entraCreateUser('new.hire@corp.test'));
      assert.equal(created.status, 201);
      assert.match(created.body.id, /^[0-9a-f-]{36}$/);
      assert.equal(created.body.meta.location, `${server.url}/scim/v2/Users/${created.body.id}`);
      const found = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "NEW.HIRE@corp.test"')}`);
      assert.equal(found.body.totalResults, 1, 'userName compares case-insensitively');
      assert.equal(found.body.Resources[0].id, created.body.id);
      const duplicate = await scim('POST', '/Users', entraCreateUser('new.hire@corp.test'));
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.scimType, 'uniqueness');
      const hostile = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "x' OR '1'='1"`)}`);
      assert.equal(hostile.body.totalResults, 0, 'filter values are data, never SQL');
    });

    test('paging as connectors page (Okta: ?startIndex=1&count=100): 1-based, count caps the page, out-of-range values read as the RFC says, non-numbers are 400', async () => {
      for (const name of ['page.one@corp.test', 'page.two@corp.test', 'page.three@corp.test']) assert.equal((await scim('POST', '/Users', entraCreateUser(name))).status, 201);
      const all = await scim('GET', '/Users?startIndex=1&count=100');
      assert.equal(all.status, 200, JSON.stringify(all.body));
      const total = all.body.totalResults as number;
      assert.ok(total >= 3 && all.body.Resources.length === total, `one page holds all ${total}`);
      const second = await scim('GET', '/Users?startIndex=2&count=2');
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.deepEqual([second.body.startIndex, second.body.itemsPerPage, second.body.totalResults], [2, 2, total]);
      assert.deepEqual(second.body.Resources.map((u: { id: string }) => u.id), all.body.Resources.slice(1, 3).map((u: { id: string }) => u.id), 'startIndex is 1-based');
      const none = await scim('GET', '/Groups?count=0');
      assert.deepEqual([none.status, none.body.itemsPerPage, none.body.Resources.length], [200, 0, 0], 'count=0 asks for the total alone (RFC 7644 §3.4.2.4)');
      // RFC 7644 §3.4.2.4: a startIndex below 1 is read as 1, a negative count as 0.
      const low = await scim('GET', '/Users?startIndex=0&count=-1');
      assert.deepEqual([low.status, low.body.startIndex, low.body.Resources.length, low.body.totalResults], [200, 1, 0, total]);
      const far = await scim('GET', '/Users?startIndex=999999999');
      assert.deepEqual([far.status, far.body.Resources.length], [200, 0]);
      for (const query of ['startIndex=abc', 'count=1.5', 'startIndex=1e3', 'count=', `count=${'9'.repeat(30)}`, 'startIndex=1&startIndex=2']) {
        const refused = await scim('GET', `/Users?${query}`);
        assert.equal(refused.status, 400, `${query}: ${JSON.stringify(refused.body)}`);
        assert.match(refused.type ?? '', /application\/scim\+json/);
      }
    });

    test('deactivation (Entra’s PATCH) cuts a live session at once and refuses sign-in; reactivation restores it', async () => {
      const live = await app.signIn('u-tech');
      assert.equal((await app.call('/api/v1/me', live.tokens.access_token)).status, 200);
      const created = await scim('POST', '/Users', entraCreateUser('terry@corp.test'));
      assert.equal(created.status, 201);
      const disabled = await scim('PATCH', `/Users/${created.body.id}`, entraDisable);
      assert.equal(disabled.status, 200);
      assert.equal(disabled.body.active, false);
      const cut = await app.call('/api/v1/me', live.tokens.access_token);
      assert.equal(cut.body.type, 'https://palisade.dev/problems/session-revoked', 'the live session ended');
      await assert.rejects(app.refresh(live), (e: oidc.ResponseBodyError) => e.error === 'invalid_grant');
      assert.ok(await signInRefused('u-tech'), 'a deprovisioned person cannot sign in again');
      assert.equal((await scim('PATCH', `/Users/${created.body.id}`, entraEnable)).status, 200);
      const back = await app.signIn('u-tech');
      assert.equal((await app.call('/api/v1/me', back.tokens.access_token)).status, 200, 'reactivated');
    });

    test('deleting the user (Okta’s deprovisioning) also ends everything', async () => {
      const live = await app.signIn('u-admin');
      // Okta creates with PUT-style full resources and deactivates with PUT active=false; deleting is the hard stop.
      const created = await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'alex@corp.test', name: { givenName: 'Alex', familyName: 'Admin' }, emails: [{ primary: true, value: 'alex@corp.test', type: 'work' }], displayName: 'Alex Admin', active: true, password: 'never-stored-1!' });
      assert.equal(created.status, 201);
      assert.equal(created.body.password, undefined, 'passwords are never kept');
      const replaced = await scim('PUT', `/Users/${created.body.id}`, { ...created.body, active: true, displayName: 'Alex A.' });
      assert.equal(replaced.body.displayName, 'Alex A.');
      assert.equal((await app.call('/api/v1/me', live.tokens.access_token)).status, 200, 'a PUT that keeps active changes nothing for the sessions');
      assert.equal((await scim('DELETE', `/Users/${created.body.id}`)).status, 204);
      assert.equal((await scim('GET', `/Users/${created.body.id}`)).status, 404);
      assert.equal((await app.call('/api/v1/me', live.tokens.access_token)).status, 401);
      assert.ok(await signInRefused('u-admin'));
    });

    test('group membership re-maps roles; losing the last role ends the sessions', async () => {
      const casey = await scim('POST', '/Users', entraCreateUser('casey@contractor.test'));
      const live = await app.signIn('u-contractor');
      assert.deepEqual(decodeJwt(live.tokens.access_token).roles, ['technician'], 'from the ID token’s groups');
      const group = await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'fs-managers', externalId: 'g-1', members: [{ value: casey.body.id, display: 'casey' }] });
      assert.equal(group.status, 201);
      const promoted = await app.refresh(live);
      assert.deepEqual(decodeJwt(promoted.access_token).roles, ['manager'], 'SCIM groups decide the roles of the next tokens');
      // Entra removes a member like this.
      const removed = await scim('PATCH', `/Groups/${group.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Remove', path: `members[value eq "${casey.body.id}"]` }],
      });
      assert.equal(removed.status, 200);
      assert.deepEqual(removed.body.members, []);
      assert.equal((await app.call('/api/v1/me', promoted.access_token)).status, 401, 'no role left: the session ends');
    });

    test('an unverified e-mail claim never links someone to another person’s SCIM record', async () => {
      // Mallory set her IdP e-mail to Alex's address (unverified). Alex's record and an admin
      // group are provisioned; Mallory must not inherit them, nor lose access when Alex leaves.
      const mallory = await app.signIn('u-mallory');
      const alex = await scim('POST', '/Users', entraCreateUser('alex.admin2@corp.test'));
      const alexByEmail = await scim('PUT', `/Users/${alex.body.id}`, { ...alex.body, userName: 'alex@corp.test' });
      assert.equal(alexByEmail.status, 200);
      assert.equal((await scim('POST', '/Groups', { displayName: 'it-admins', members: [{ value: alex.body.id }] })).status, 201);
      const refreshed = await app.refresh(mallory);
      assert.deepEqual(decodeJwt(refreshed.access_token).roles, ['technician'], 'no admin role through an unverified e-mail');
      assert.equal((await scim('PATCH', `/Users/${alex.body.id}`, entraDisable)).status, 200);
      assert.equal((await app.call('/api/v1/me', refreshed.access_token)).status, 200, 'nor is Mallory cut off by Alex leaving');
    });

    test('malformed requests are refused with 400 and change nothing', async () => {
      assert.equal((await scim('POST', '/Users', '{"userName":', TOKEN)).body.scimType, 'invalidSyntax');
      assert.equal((await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] })).status, 400, 'userName is required');
      assert.equal((await scim('GET', `/Users?filter=${encodeURIComponent('name.familyName co "x"')}`)).body.scimType, 'invalidFilter');
      assert.equal((await scim('POST', '/Groups', { displayName: 'ghosts', members: [{ value: '00000000-0000-4000-8000-000000000000' }] })).status, 400, 'members must exist');
      assert.equal((await scim('PATCH', '/Users/not-a-uuid', entraDisable)).status, 404);
      assert.equal((await scim('PATCH', '/Groups/00000000-0000-4000-8000-000000000000', { Operations: [] })).status, 400);
      assert.equal((await scim('POST', '/Users', 'userName=x', TOKEN, 'text/plain')).status, 415);
      assert.equal((await scim('GET', '/Groups?filter=displayName%20eq%20%22ghosts%22')).body.totalResults, 0);
    });

    test('patch paths and attribute names cannot reach Object.prototype', async () => {
      const target = await scim('POST', '/Users', entraCreateUser('proto.target@corp.test'));
      for (const operation of [
        { op: 'add', path: '__proto__.polluted', value: 'yes' },
        { op: 'add', path: 'constructor.prototype.polluted', value: 'yes' },
        { op: 'add', path: 'name.__proto__.polluted', value: 'yes' },
      ]) {
        const response = await scim('PATCH', `/Users/${target.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [operation] });
        assert.equal(response.status, 400, JSON.stringify(operation));
      }
      const rawPatch = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"__proto__":{"polluted":"yes"}}}]}';
      assert.equal((await scim('PATCH', `/Users/${target.body.id}`, rawPatch)).status, 400, 'a __proto__ key inside a value');
      assert.equal((await scim('POST', '/Users', '{"userName":"p2@corp.test","__proto__":{"polluted":"yes"}}')).status, 400);
      // The server runs in this process: its Object.prototype is ours.
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'nothing was written onto Object.prototype');
    });

    test('ServiceProviderConfig tells connectors what is supported', async () => {
      const config = await scim('GET', '/ServiceProviderConfig');
      assert.equal(config.body.patch.supported, true);
      assert.equal(config.body.bulk.supported, false);
      assert.equal(config.body.filter.supported, true);
    });
  });
}
