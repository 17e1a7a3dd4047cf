/**
 * Two Palisade processes behind one public URL, sharing one PostgreSQL, each started the
 * README's way: a token issued by one is accepted by the other, and a sign-out through one makes
 * the other refuse the session's still-unexpired access token within a second (the revocation
 * feed). PostgreSQL only: the embedded database is one process by design.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/databases.ts';
import type { StartedServer } from '../helpers/server.ts';
import { startTwoInstances, type TwoInstances } from '../helpers/instances.ts';
import { MobileApp } from '../helpers/mobile-app.ts';

for (const kind of databaseKinds().filter((k) => k.kind === 'postgres')) {
  describe('two instances on one PostgreSQL', () => {
    let instances: TwoInstances;
    let a: StartedServer;
    let b: StartedServer;
    let app: MobileApp;
    let appAtB: MobileApp;
    /** Instance B directly (its banner names the shared public URL, which is instance A here). */
    let bUrl: string;
    let publicUrl: string;
    /**
     * A call to instance B directly, made with the session's signing key as if through the public
     * URL: the app signs the URL it addresses (`@target-uri`), which the load balancer keeps.
     */
    const callB = (path: string, tokens: { access_token: string }, init: RequestInit = {}) => {
      appAtB.remember(tokens as Parameters<MobileApp['remember']>[0]);
      return appAtB.call(path, tokens.access_token, { ...init, signing: { targetUri: `${publicUrl}${path}` } }, bUrl);
    };

    before(async () => {
      instances = await startTwoInstances(kind);
      ({ a, b, publicUrl, bUrl } = instances);
      app = new MobileApp(publicUrl, a.ca);
      appAtB = new MobileApp(publicUrl, b.ca);
    });
    after(async () => {
      await app?.close();
      await appAtB?.close();
      await instances?.close();
    });

    test('a sign-out through one instance is enforced by the other within a second', async () => {
      const { tokens } = await app.signIn('u-tech', { dpop: false });
      assert.equal((await callB('/api/v1/me', tokens)).status, 200, 'the other instance accepts the token');
      assert.equal((await app.call('/api/v1/session/logout', tokens.access_token, { method: 'POST', body: '{}' })).status, 200);
      const started = performance.now();
      let last: { status: number; body: Record<string, unknown> };
      do {
        last = await callB('/api/v1/me', tokens);
      } while (last.status === 200 && performance.now() - started < 1000);
      const ms = performance.now() - started;
      assert.equal(last.status, 401, `the other instance still accepted the revoked session's token after ${ms.toFixed(0)} ms`);
      assert.equal(last.body.type, 'https://palisade.dev/problems/session-revoked');
      console.log(`sign-out through instance A refused by instance B after ${ms.toFixed(1)} ms`);
    });

    test('"sign out everywhere" through the second instance ends the sessions made through the first', async () => {
      const first = await app.signIn('u-admin', { dpop: false });
      const second = await app.signIn('u-admin', { dpop: false });
      const ended = await callB('/api/v1/session/logout', second.tokens, { method: 'POST', body: '{"everywhere":true}' });
      assert.deepEqual({ status: ended.status, body: ended.body }, { status: 200, body: { ended: 2 } });
      const started = performance.now();
      let status = 200;
      while (status === 200 && performance.now() - started < 1000) status = (await app.call('/api/v1/me', first.tokens.access_token)).status;
      assert.equal(status, 401, 'instance A refuses within a second');
    });
  });
}
