/**
 * One bad client behind an office's NAT must not lock everyone there out. Over HTTPS against a
 * server in this process (lockout after 3 failures), every request from the same address: a
 * failure counts against the credential that failed — the account of an authenticated caller,
 * the key id of a wrong secret — and against the client IP only when no credential was
 * identified (made-up keys). A locked address refuses requests whose app key does not verify,
 * never an app with a valid key and a valid token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import { appKeyChecksum } from '../../src/apisec/index.ts';
import { searchAudit } from '../../src/audit/index.ts';
import type { RunningServer } from '../../src/main.ts';

const CLIENTS = [
  { id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'] },
  { id: 'kiosk-app', name: 'Kiosk', redirectUris: ['http://127.0.0.1/callback'] },
];
const LOCKED_OUT = 'https://palisade.dev/problems/locked-out';

/** A well-formed key with a made-up id (the checksum is public): a key nobody was given. */
function madeUpKey(id: string): string {
  const body = `pal_live_${id}_${'A'.repeat(43)}`;
  return body + appKeyChecksum(body);
}

/** Failures are recorded once the answer is sent: wait until the lock shows. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`never happened: ${what}`);
}

for (const kind of databaseKinds()) {
  describe(`lockouts lock the failing credential, not the office (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let field: MobileApp;
    let kiosk: MobileApp;
    let appKeys: Record<string, string>;
    let tech: SignedIn;
    let dispatcher: SignedIn;
    let kioskTech: SignedIn;

    const unlockKeyParam = async () => Buffer.from(JSON.stringify(await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey))).toString('base64url');

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      let ca: string;
      ({ server, ca, appKeys } = await startInProcess(database, upstream, federated.port, { PALISADE_CLIENTS: JSON.stringify(CLIENTS), PALISADE_RATE_LIMITS_LOCKOUT_AFTER: '3' }));
      field = new MobileApp(server.url, ca, 'field-app');
      kiosk = new MobileApp(server.url, ca, 'kiosk-app');
      tech = await field.signIn('u-tech', { params: { unlock_jwk: await unlockKeyParam() } });
      dispatcher = await field.signIn('u-dispatcher', { params: { unlock_jwk: await unlockKeyParam() } });
      kioskTech = await kiosk.signIn('u-tech-north');
    });
    after(async () => {
      await server?.close();
      await field?.close();
      await kiosk?.close();
      await upstream?.close();
      await database?.drop();
    });

    const me = (app: MobileApp, session: SignedIn, headers: Record<string, string> = {}) => app.call('/api/v1/me', session.tokens.access_token, { headers });

    test('a DPoP nonce challenge is no failed attempt: DPoP sign-ins and refreshes from one address lock nothing', async () => {
      // Every DPoP app's first token request is answered 400 use_dpop_nonce (RFC 9449 §8); the
      // three sign-ins above and these would be six failures against a lockout after three.
      const more = await kiosk.signIn('u-manager');
      await kiosk.refresh(more);
      await field.signIn('u-tech-north');
      await server.audit.flush();
      const { events } = await searchAudit(server.db, { action: 'security.rate_limit_lockout', limit: 10 });
      assert.deepEqual(events, [], 'nothing was locked');
      assert.equal((await me(field, dispatcher)).status, 200);
    });

    test('failed unlocks of an authenticated person lock that account, not the address: another person there still unlocks', async () => {
      const unlock = (session: SignedIn) => field.call('/api/v1/session/unlock', session.tokens.access_token, { method: 'POST', body: JSON.stringify({ proof: 'not-a-proof' }) });
      for (let i = 0; i < 3; i += 1) assert.equal((await unlock(tech)).status, 401, 'a refused unlock proof is a failed authentication');
      await until(async () => (await unlock(tech)).status === 429, 'the account is locked');
      const locked = await unlock(tech);
      assert.equal(locked.status, 429);
      assert.equal(locked.body.type, LOCKED_OUT);
      const other = await field.call('/api/v1/session/unlock/challenge', dispatcher.tokens.access_token, { method: 'POST' });
      assert.equal(other.status, 200, `another person behind the same address is not locked out: ${other.text.slice(0, 200)}`);
      const stranger = await field.call('/api/v1/me', dispatcher.tokens.access_token, { headers: { 'palisade-app-key': madeUpKey('zzzzzzzzzzzz') } });
      assert.equal(stranger.status, 401, 'the address itself is not locked: a made-up key is refused as invalid, not locked out');
      await server.audit.flush();
      const { events } = await searchAudit(server.db, { action: 'security.rate_limit_lockout', limit: 10 });
      assert.deepEqual(events.map((e) => e.resource?.type), ['user'], 'the lock is the account’s');
    });

    test('a wrong secret for a real key id locks that key id against wrong secrets; the genuine key keeps working', async () => {
      const fieldKey = appKeys['field-app']!;
      const body = fieldKey.slice(0, -6);
      const forged = `${body.slice(0, -1)}${body.endsWith('A') ? 'B' : 'A'}`;
      const wrong = forged + appKeyChecksum(forged);
      for (let i = 0; i < 3; i += 1) assert.equal((await me(field, dispatcher, { 'palisade-app-key': wrong })).status, 401);
      await until(async () => (await me(field, dispatcher, { 'palisade-app-key': wrong })).status === 429, 'the key id is locked');
      assert.equal((await me(field, dispatcher)).status, 200, 'the genuine key of that id still works: a key id is no secret');
      assert.equal((await me(field, dispatcher, { 'palisade-app-key': madeUpKey('yyyyyyyyyyyy') })).status, 401, 'the address is not locked by a key’s failures');
    });

    test('made-up keys lock the address for callers nothing identifies; valid app keys with valid tokens from it still work', async () => {
      // The two made-up keys above already count: the lockout is after 3 within the window.
      assert.equal((await me(kiosk, kioskTech, { 'palisade-app-key': madeUpKey('aaaaaaaaaaaa') })).status, 401);
      await until(async () => (await me(kiosk, kioskTech, { 'palisade-app-key': madeUpKey('dddddddddddd') })).status === 429, 'the address is locked');
      const locked = await me(kiosk, kioskTech, { 'palisade-app-key': madeUpKey('eeeeeeeeeeee') });
      assert.equal(locked.body.type, LOCKED_OUT, 'unauthenticated failures still lock the address');
      assert.equal((await me(kiosk, kioskTech)).status, 200, 'the kiosk’s valid key and token from the locked address work');
      assert.equal((await me(field, dispatcher)).status, 200, 'another app’s valid key and token from the locked address work');
      const challenge = await field.call('/api/v1/session/unlock/challenge', dispatcher.tokens.access_token, { method: 'POST' });
      assert.equal(challenge.status, 200, 'authentication routes too, for a caller with a valid key');
    });
  });
}
