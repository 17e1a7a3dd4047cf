/**
 * Request signing end to end, against Palisade started the README's way, over HTTPS,
 * with openid-client as the app: the signing key comes with the tokens, every API call is signed
 * (RFC 9421, HMAC-SHA256) and each way of breaking a signature is refused with its own problem.
 * With PostgreSQL and Redis, a replay sent to a second instance is refused as well.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { serverPid, waitForExit } from '../helpers/server-process.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, signatureHeaders, signingKeyOf, type SignedIn, type SigningOptions } from '../helpers/mobile-app.ts';
import { Browser } from '../helpers/browser.ts';
import { startTwoInstances, type TwoInstances } from '../helpers/instances.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

const PROBLEM = 'https://palisade.dev/problems/';
const nowS = () => Math.floor(Date.now() / 1000);

for (const kind of databaseKinds()) {
  describe(`request signing (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let app: MobileApp;
    let phone: SignedIn;
    /** The last test stops the server itself (a second stop would signal a group that is gone). */
    let stopped = false;
    /** The second the server was ready in: its memory of nonces began before it. */
    let readyS = 0;
    /** Every signing key handed out in this suite: none may appear in logs or audit records. */
    const issued = new Set<string>();
    const keep = (tokens: Record<string, unknown>) => {
      const key = signingKeyOf(tokens);
      if (key) issued.add(key.key);
      return key;
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      server = await startPalisade({ ...federated.env, PALISADE_MASTER_KEY: generateMasterKey(), PALISADE_LOG_LEVEL: 'debug' });
      readyS = nowS();
      app = new MobileApp(server.url, server.ca);
      phone = await app.signIn('u-tech');
      keep(phone.tokens);
    });
    after(async () => {
      if (!stopped) await server?.stop();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    const me = (signing?: SigningOptions, init: RequestInit = {}, path = '/api/v1/me') => app.call(path, phone.tokens.access_token, { ...init, ...(signing ? { signing } : {}) });
    async function refused(response: Promise<{ status: number; body: Record<string, unknown> }>, type: string, code: string, why: string) {
      const { status, body } = await response;
      assert.deepEqual({ status, type: body.type, code: body.code }, { status: 401, type: PROBLEM + type, code }, why);
    }

    test('the token response carries the session’s signing key, and a signed call passes', async () => {
      const key = signingKeyOf(phone.tokens);
      assert.ok(key, 'signing_key and signing_key_id are token response parameters');
      assert.equal(Buffer.from(key.key, 'base64url').length, 32, 'a 256-bit key');
      assert.match(key.keyId, /^[A-Za-z0-9_-]{16,}$/);
      assert.equal((await me()).status, 200, 'the control: a correctly signed call');
    });

    test('a signature over another body is refused, and so is a digest that does not match', async () => {
      const logout = (signing: SigningOptions) => app.call('/api/v1/session/logout', phone.tokens.access_token, { method: 'POST', body: '{"everywhere":false}', signing });
      await refused(logout({ signedBody: '{"everywhere":true}' }), 'content-digest-mismatch', 'content_digest_mismatch', 'the body was swapped');
      await refused(logout({ digest: `sha-256=:${createHash('sha256').update('{}').digest('base64')}:` }), 'content-digest-mismatch', 'content_digest_mismatch', 'a digest of another body');
      await refused(logout({ omitDigest: true }), 'content-digest-required', 'content_digest_missing', 'no Content-Digest');
      assert.equal((await me()).status, 200, 'none of these ended the session');
    });

    test('a signature for another method, path or query is refused', async () => {
      await refused(me({ method: 'POST' }), 'signature-invalid', 'signature_mismatch', 'signed as POST, sent as GET');
      await refused(me({ targetUri: `${server.url}/api/v1/me/sessions` }), 'signature-invalid', 'signature_mismatch', 'signed for another path');
      await refused(me({ targetUri: `${server.url}/api/v1/me?view=all` }), 'signature-invalid', 'signature_mismatch', 'signed with a query, sent without');
      await refused(me({ targetUri: `${server.url}/api/v1/me/sessions?a=1` }, {}, '/api/v1/me/sessions?a=2'), 'signature-invalid', 'signature_mismatch', 'another query value');
    });

    test('created outside the window is refused, in the past and in the future', async () => {
      await refused(me({ created: nowS() - 6 * 60 }), 'signature-expired', 'created_too_old', 'six minutes old');
      await refused(me({ created: nowS() + 6 * 60 }), 'signature-expired', 'created_in_future', 'six minutes ahead');
      // Within the window, but made before this server began remembering nonces (it started
      // seconds ago): refused, since the process before it may have accepted it (decision 0024).
      await refused(me({ created: nowS() - 4 * 60 }), 'signature-replayed', 'nonce_reused', 'four minutes old, before the server started');
      // Made in the past after the start, within the window: accepted (a four-minute-old one is
      // accepted by a server remembering that long: apisec/signatures.test.ts).
      while (nowS() < readyS + 3) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await me({ created: readyS + 1 })).status, 200, 'made in the past, after the start, within the window');
    });

    test('a nonce is accepted once: the same request replayed is refused', async () => {
      const nonce = `replay-${Date.now()}-nonce-value`;
      assert.equal((await me({ nonce })).status, 200);
      await refused(me({ nonce }), 'signature-replayed', 'nonce_reused', 'the same nonce again');
    });

    test('no signature, another session’s key or keyid, and a signature not covering authorization are refused', async () => {
      await refused(me({ unsigned: true }), 'signature-required', 'signature_missing', 'unsigned');
      const other = await app.signIn('u-tech');
      const otherKey = keep(other.tokens)!;
      await refused(me({ key: otherKey }), 'signature-invalid', 'keyid_unknown', 'signed with another session’s key and keyid');
      await refused(me({ key: { keyId: signingKeyOf(phone.tokens)!.keyId, key: otherKey.key } }), 'signature-invalid', 'signature_mismatch', 'another session’s key under this keyid');
      await refused(me({ keyId: otherKey.keyId }), 'signature-invalid', 'keyid_unknown', 'this key, another session’s keyid');
      await refused(me({ components: ['@method', '@target-uri', 'content-digest'] }), 'signature-invalid', 'components_incomplete', 'authorization not covered');
      assert.equal((await app.call('/api/v1/me', other.tokens.access_token)).status, 200, 'each session signs with its own key');
    });

    test('a refresh hands out the same key; the new access token is signed with it', async () => {
      const refreshed = await app.refresh(phone);
      assert.deepEqual(signingKeyOf(refreshed), signingKeyOf(phone.tokens), 'the session’s key, unchanged');
      assert.equal((await app.call('/api/v1/me', refreshed.access_token)).status, 200);
      phone = { ...phone, tokens: refreshed };
    });

    test('when the session ends, its key stops working and its row is deleted; only wrapped keys are stored; no key in logs or audit', async () => {
      const ending = await app.signIn('u-contractor');
      const endingKey = keep(ending.tokens)!;
      const sid = decodeJwt(ending.tokens.access_token).sid as string;
      assert.equal((await app.call('/api/v1/session/logout', ending.tokens.access_token, { method: 'POST', body: '{}' })).status, 200, 'a signed request with a body');
      const after = await app.call('/api/v1/me', ending.tokens.access_token);
      assert.equal(after.status, 401, 'the ended session’s key (and token) no longer work');
      // The stored keys and the trail are read once Palisade itself (not just npm) has exited:
      // stopping writes the queued audit records, and frees the embedded database.
      const pid = await serverPid(server);
      stopped = true;
      await server.stop();
      await waitForExit(pid);
      const db = await openMigrated(database);
      try {
        const { rows } = await db.query<{ session_id: string; key_id: string; wrapped_key: string }>('SELECT session_id, key_id, wrapped_key FROM session_signing_keys');
        assert.ok(!rows.some((r) => r.session_id === sid), 'the ended session’s key row is deleted');
        assert.ok(!rows.some((r) => r.key_id === endingKey.keyId));
        assert.ok(rows.length >= 2, 'the live sessions keep theirs');
        for (const row of rows) {
          assert.equal(row.wrapped_key.split('.').length, 5, 'stored as a JWE (wrapped under the master key)');
          for (const key of issued) assert.ok(!row.wrapped_key.includes(key), 'never the key itself');
        }
        // The whole record as text, read as the owner (the runtime role may only insert).
        const audit = await db.asOwner((owner) => owner.query<{ text: string }>(`SELECT row_to_json(e)::text AS text FROM audit_events e`));
        assert.ok(audit.rows.length > 0);
        for (const key of issued) {
          assert.ok(!audit.rows.some((r) => r.text.includes(key)), 'no signing key in any audit record');
          assert.ok(!server.output().includes(key), 'no signing key in any log line (debug level)');
        }
        assert.ok(audit.rows.some((r) => /"reason":\s*"nonce_reused"/.test(r.text)), 'the refusals are audited with their precise reason');
      } finally {
        await db.close();
      }
    });
  });
}

// A replay sent to another instance: PostgreSQL shared, replay markers in Redis.
const postgres = databaseKinds().find((k) => k.kind === 'postgres');
if (postgres && process.env.TEST_REDIS_URL) {
  describe('request signing across two instances (postgres + redis)', () => {
    let instances: TwoInstances;
    let a: StartedServer;
    let b: StartedServer;
    let app: MobileApp;
    let publicUrl: string;
    let bUrl: string;

    before(async () => {
      instances = await startTwoInstances(postgres, { redis: true });
      ({ a, b, publicUrl, bUrl } = instances);
      app = new MobileApp(publicUrl, a.ca);
    });
    after(async () => {
      await app?.close();
      await instances?.close();
    });

    test('a request replayed to the other instance is refused: the nonce is shared', async () => {
      const { tokens } = await app.signIn('u-tech', { dpop: false });
      const key = signingKeyOf(tokens)!;
      // Both instances sit behind the public URL: the app signs for it, whichever instance answers.
      const authorization = `Bearer ${tokens.access_token}`;
      // The app key (per-app API keys) travels with every call; both instances share the database.
      const appKey = { 'palisade-app-key': a.appKeys['field-app']! };
      const headers = { authorization, ...appKey, ...signatureHeaders({ method: 'GET', url: `${publicUrl}/api/v1/me`, authorization }, key) };
      const toB = new Browser(b.ca);
      after(() => toB.close());
      const atB = (h: Record<string, string>) => fetch(`${bUrl}/api/v1/me`, { headers: h, dispatcher: toB.dispatcher } as RequestInit);
      assert.equal((await app.http.fetch(`${publicUrl}/api/v1/me`, { headers })).status, 200, 'instance A accepts it');
      const replayed = await atB(headers);
      assert.equal(replayed.status, 401, 'instance B refuses the replay');
      assert.equal(((await replayed.json()) as { type: string }).type, `${PROBLEM}signature-replayed`);
      const fresh = { authorization, ...appKey, ...signatureHeaders({ method: 'GET', url: `${publicUrl}/api/v1/me`, authorization }, key) };
      assert.equal((await atB(fresh)).status, 200, 'the control: instance B accepts a fresh signature with the same key');
    });
  });
}
