/**
 * Unlock after the idle lock with the default settings: access tokens of 15 minutes, the same as
 * the idle timeout, so by the time a locked session is unlocked its access token has always
 * expired. The SDK (@palisade/client, on an in-memory platform) signs in through the
 * development IdP; Palisade's clock and the device's clock are moved forward together (never a
 * sleep). The SDK then refreshes with its DPoP-bound refresh token before it presents the unlock
 * proof. The attacker's side next to it: a wrong unlock key and a replayed proof are refused,
 * and a refresh while locked gives an access token that opens nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PalisadeClient, PalisadeError } from '../../../sdk/src/index.ts';
import { memoryDeviceKey, memorySecureStore } from '../../../sdk/src/memory.ts';
import type { Platform } from '../../../sdk/src/platform.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess } from '../helpers/server.ts';
import { Browser } from '../helpers/browser.ts';
import { COMPLIANT_FACTS } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';

const REDIRECT_URI = 'http://127.0.0.1/callback';
const MINUTE = 60_000;

for (const kind of databaseKinds()) {
  describe(`unlock after the idle lock with the default token lifetime and idle timeout (${kind.kind})`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let ca: string;
    let appKey: string;
    /** How far ahead of the real time both clocks (Palisade's and the device's) run (ms). */
    let ahead = 0;
    const now = () => Date.now() + ahead;

    before(async () => {
      database = await kind.create({ migrated: true });
      let keys: Record<string, string>;
      // Only the apps are configured: the token lifetime and the idle timeout are the defaults.
      ({ server, ca, appKeys: keys } = await startInProcess(
        database,
        { env: {} },
        await freePort(),
        { PALISADE_CLIENTS: JSON.stringify([{ id: 'field-app', name: 'Field Service', redirectUris: [REDIRECT_URI] }]) },
        { now },
      ));
      appKey = keys['field-app']!;
    });
    after(async () => {
      await server?.close();
      await database?.drop();
    });

    /** The proofs the phones sent to the unlock route (an attacker on the path keeps them). */
    const sentProofs: string[] = [];

    /** The SDK on `platform`, on the moved clock, without the device-side idle timer. */
    const clientOn = (platform: Platform) => new PalisadeClient({ issuer: server.url, clientId: 'field-app', appKey, platform, idleTimeoutMs: 0, now });

    /** A phone with the SDK signed in as the demo technician. */
    async function signedIn() {
      const browser = new Browser(ca);
      const fetcher = (async (url: string | URL | Request, init?: RequestInit) => {
        if (String(url).endsWith('/api/v1/session/unlock') && init?.body instanceof Uint8Array) sentProofs.push((JSON.parse(Buffer.from(init.body).toString()) as { proof: string }).proof);
        return browser.fetch(url, init);
      }) as typeof fetch;
      const platform: Platform = {
        fetch: fetcher,
        deviceKey: memoryDeviceKey(),
        unlockKey: memoryDeviceKey(),
        store: memorySecureStore(),
        describe: () => ({ platform: 'ios', model: 'iPhone15,2', osVersion: '18.1', appVersion: '2.4.0' }),
        posture: async () => COMPLIANT_FACTS,
      };
      const client = clientOn(platform);
      const url = await client.beginSignIn({ redirectUri: REDIRECT_URI });
      const flow = await new Browser(ca).follow(url.href, REDIRECT_URI, 'demo-technician');
      assert.ok(flow.redirect, `the sign-in returned to the app (${flow.page?.status})`);
      await client.completeSignIn(flow.redirect);
      const claims = client.tokenInfo!.claims;
      assert.equal(Number(claims.exp) - Number(claims.iat), 15 * 60, 'the default access token lifetime');
      assert.equal((await client.fetch('/api/v1/me')).status, 200);
      return { client, platform };
    }

    /** Moves both clocks past the idle timeout (and the access token's lifetime); the next call finds the session locked. */
    async function idle(client: PalisadeClient) {
      ahead += 16 * MINUTE;
      await assert.rejects(client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'session-locked');
      assert.equal(client.state, 'locked');
      await assert.rejects(client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'locked', 'nothing is sent while locked');
    }

    test('16 minutes idle: the call is refused as locked, the unlock refreshes the expired token and works, the next call answers', async () => {
      const { client } = await signedIn();
      await idle(client);
      await client.unlock();
      assert.equal(client.state, 'active');
      assert.equal((await client.fetch('/api/v1/me')).status, 200, 'the session is open again');
      // And again: a second idle lock after the unlock unlocks the same way.
      await idle(client);
      await client.unlock();
      assert.equal((await client.fetch('/api/v1/me')).status, 200);
    });

    test('a refresh while locked gives an access token that opens nothing, not even after the unlock route is refused', async () => {
      const { client, platform } = await signedIn();
      await idle(client);
      // Someone with the refresh token and the device key, but without the unlock key.
      const thief = clientOn({ ...platform, unlockKey: undefined });
      assert.equal(await thief.restore(), true);
      await thief.refresh();
      assert.ok(thief.tokenInfo, 'Palisade issued tokens: the refresh itself is allowed while locked');
      const me = await thief.request('/api/v1/me');
      assert.equal(me.status, 401);
      assert.match(String(((await me.json()) as { type: string }).type), /session-locked$/, 'the refreshed token is locked too');
      const unlocked = await thief.request('/api/v1/session/unlock', { method: 'POST', body: { proof: 'not-a-proof' } });
      assert.equal(unlocked.status, 401, 'no proof, no unlock');
      assert.equal((await thief.request('/api/v1/me')).status, 401, 'still locked');
      // The owner (its store holds the refresh token the thief's refresh rotated) still unlocks.
      await client.unlock();
      assert.equal((await client.fetch('/api/v1/me')).status, 200);
    });

    test('an unlock with another key, or with a proof replayed from an earlier unlock, is refused', async () => {
      const { client, platform } = await signedIn();
      await idle(client);
      await client.unlock();
      const replayed = sentProofs.at(-1)!;
      assert.ok(replayed, 'the earlier unlock\'s proof was seen');
      await idle(client);
      // Another unlock key (the device and refresh token are the owner's).
      const stranger = clientOn({ ...platform, unlockKey: memoryDeviceKey() });
      assert.equal(await stranger.restore(), true);
      stranger.lock('idle');
      await assert.rejects(stranger.unlock(), (e: PalisadeError) => /unlock-failed/.test(e.code));
      // The earlier proof, against a fresh challenge.
      const attacker = clientOn(platform);
      assert.equal(await attacker.restore(), true);
      await attacker.refresh();
      assert.equal((await attacker.request('/api/v1/session/unlock/challenge', { method: 'POST' })).status, 200, 'a challenge is outstanding');
      const replay = await attacker.request('/api/v1/session/unlock', { method: 'POST', body: { proof: replayed } });
      assert.equal(replay.status, 401);
      assert.match(String(((await replay.json()) as { type: string }).type), /unlock-failed$/);
      const still = await attacker.request('/api/v1/me');
      assert.equal(still.status, 401, 'still locked');
      // The owner's own key still unlocks.
      await client.unlock();
      assert.equal((await client.fetch('/api/v1/me')).status, 200);
    });
  });
}
