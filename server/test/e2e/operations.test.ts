/**
 * Operating Palisade from the command line, as the README tells an operator to: configuration
 * checks, production refusals, migrations, key listing and rotation, and key rotation under a
 * live server (old tokens keep working, new ones use the new key).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess, startPalisade, palisadeCli } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { Browser } from '../helpers/browser.ts';
import { BEARER_FIELD_APP, relaxedPosture, signatureHeaders, signingKeyOf } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { rotateKeys } from '../../src/oauth/keys.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { systemClock } from '../../src/clock.ts';

const palisade = palisadeCli;

describe('palisade config check', () => {
  test('a bad configuration is refused with every problem, its path and no stack trace', async () => {
    const result = await palisade(['config', 'check'], { PALISADE_SERVER_PORT: '99999', PALISADE_TOKENS_ACCESS_TOKEN_TTL: 'forever' });
    assert.equal(result.code, 1);
    assert.match(result.out, /2 problems/);
    assert.match(result.out, /server\.port: must be <= 65535/);
    assert.match(result.out, /tokens\.accessTokenTtl: must be a duration/);
    assert.doesNotMatch(result.out, /at \w+ \(|\.ts:\d+:\d+/);
  });
  test('a good configuration is confirmed and its development defaults named', async () => {
    const result = await palisade(['config', 'check'], {});
    assert.equal(result.code, 0);
    assert.match(result.out, /configuration OK/);
    assert.match(result.out, /development default: development IdP/);
  });
});

describe('production refuses development shortcuts', () => {
  test('npm start with NODE_ENV=production and no real settings exits listing each missing one', async () => {
    const port = await freePort();
    // A folder of this test's own (never a fixed /tmp path another run of the suite could share).
    const parent = await mkdtemp(path.join(tmpdir(), 'palisade-production-'));
    const dataDir = path.join(parent, 'never-written');
    try {
      await assert.rejects(
        startPalisade({ NODE_ENV: 'production', PALISADE_DATA_DIR: dataDir, PALISADE_SERVER_PORT: String(port) }),
        (error: Error) => {
          for (const setting of ['upstream', 'server.tls', 'masterKey', 'server.publicUrl']) assert.match(error.message, new RegExp(`- ${setting.replace('.', '\\.')}:`));
          assert.doesNotMatch(error.message, /at \w+ \(/);
          return true;
        },
      );
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

for (const kind of databaseKinds()) {
  describe(`migrate and signing keys from the command line (${kind.kind})`, () => {
    let database: TestDatabase;
    let env: Record<string, string | undefined>;
    before(async () => {
      database = await kind.create(); // empty: the migrations are what is tested
      env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: generateMasterKey() };
    });
    after(async () => database.drop());

    test('migrate applies the migrations, then reports the database up to date', async () => {
      assert.match((await palisade(['migrate'], env)).out, /applied migrations: 0001/);
      assert.match((await palisade(['migrate'], env)).out, /up to date/);
    });

    test('keys list, then keys rotate publishes a second key', async () => {
      const rotated = await palisade(['keys', 'rotate', '--activate-after', '0s'], env);
      assert.equal(rotated.code, 0, rotated.out);
      const listed = await palisade(['keys', 'list', '--json'], env);
      const keys = JSON.parse(listed.out) as { state: string }[];
      assert.equal(keys.length, 2);
      assert.equal(keys.filter((k) => k.state === 'active').length, 1, 'exactly one key signs');
      assert.match(keys.find((k) => k.state !== 'active')!.state, /retired \(published until/);
    });

    if (kind.kind === 'pglite') {
      test('an operator command never opens the embedded database while a server holds it', async () => {
        const port = await freePort();
        const server = await startPalisade({ ...env, PALISADE_SERVER_PORT: String(port), PALISADE_LOG_LEVEL: 'warn' });
        try {
          const result = await palisade(['keys', 'list'], env);
          assert.equal(result.code, 1);
          assert.match(result.out, /in use by process \d+/);
        } finally {
          await server.stop();
        }
        const after = await palisade(['keys', 'list'], env);
        assert.equal(after.code, 0, `after the server stopped the lock is released: ${after.out}`);
      });
    }
  });

  describe(`key rotation under a live server (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let browser: Browser;
    let ca: string;
    let appKeys: Record<string, string>;
    const masterKey = generateMasterKey();
    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      ({ server, ca, appKeys } = await startInProcess(database, upstream, port, { PALISADE_MASTER_KEY: masterKey, PALISADE_CLIENTS: BEARER_FIELD_APP, PALISADE_DEVICE_POLICY: relaxedPosture('field-app') }));
      browser = new Browser(ca);
    });
    after(async () => {
      await server?.close();
      await browser?.close();
      await upstream?.close();
      await database?.drop();
    });

    async function login() {
      const config = await oidc.discovery(new URL(server.url), 'field-app', { token_endpoint_auth_method: 'none' }, oidc.None(), { [oidc.customFetch]: browser.fetch as oidc.CustomFetch });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const redirectUri = 'http://127.0.0.1:61000/callback';
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid offline_access api', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
      // A fresh browser per sign-in, as on a new device: no cookies carried over.
      const person = new Browser(ca);
      const { redirect } = await person.follow(url.href, redirectUri, 'u-tech');
      await person.close();
      return oidc.authorizationCodeGrant(config, redirect!, { pkceCodeVerifier: verifier, expectedState: state });
    }
    /** GET /api/v1/me as the app calls it: with the access token, signed with the session's key. */
    const me = async (tokens: oidc.TokenEndpointResponse) => {
      const url = `${server.url}/api/v1/me`;
      const authorization = `Bearer ${tokens.access_token}`;
      return (await browser.fetch(url, { headers: { authorization, 'palisade-app-key': appKeys['field-app']!, ...signatureHeaders({ method: 'GET', url, authorization }, signingKeyOf(tokens)!) } })).status;
    };
    const jwks = async () => ((await (await browser.fetch(`${server.url}/oauth2/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

    test('tokens signed before a rotation keep working; new tokens are signed with the new key', async () => {
      const before = await login();
      const oldKid = decodeProtectedHeader(before.access_token).kid!;
      // To another algorithm, too: tokens.signingAlg (ES256 here) must not pin the old one.
      const newKid = await rotateKeys(server.db, masterKeyFromBase64url(masterKey), systemClock, { alg: 'EdDSA', activateAfterMs: 0, retainMs: 16 * 60_000 });
      await server.reloadKeys();
      assert.deepEqual((await jwks()).sort(), [oldKid, newKid].sort(), 'both keys are published');
      const afterRotation = await login();
      assert.deepEqual(
        { kid: decodeProtectedHeader(afterRotation.access_token).kid, alg: decodeProtectedHeader(afterRotation.access_token).alg },
        { kid: newKid, alg: 'EdDSA' },
        'new tokens use the new key',
      );
      assert.equal(await me(before), 200, 'a token signed with the retired key stays valid until it expires');
      assert.equal(await me(afterRotation), 200);
      const refreshed = await oidc.refreshTokenGrant(
        await oidc.discovery(new URL(server.url), 'field-app', { token_endpoint_auth_method: 'none' }, oidc.None(), { [oidc.customFetch]: browser.fetch as oidc.CustomFetch }),
        before.refresh_token!,
      );
      assert.equal(decodeProtectedHeader(refreshed.access_token).kid, newKid, 'a refresh after rotation gets a token from the new key');
    });
  });
}
