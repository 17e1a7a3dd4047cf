/**
 * The built-in browser clients — the admin console (`palisade-console`) and the start page
 * (`palisade-start`) — are registered so that the token endpoint requires DPoP
 * (`dpop_bound_access_tokens`): a page holds its key as a non-extractable WebCrypto key, and an
 * attacker who gets hold of an authorization code (a leaked redirect, a shared screen) must not
 * be able to redeem it for a bearer token without that key. The attacker is openid-client
 * redeeming a real code without a DPoP proof; the control redeems the same kind of code with one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess } from '../helpers/server.ts';
import { Browser } from '../helpers/browser.ts';
import type { RunningServer } from '../../src/main.ts';

const SCOPE = 'openid profile email offline_access api';

for (const kind of databaseKinds()) {
  describe(`the built-in browser clients' token requests must carry a DPoP proof (${kind.kind})`, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let http: Browser;
    let ca: string;

    before(async () => {
      database = await kind.create({ migrated: true });
      // The development IdP: the start page's client exists only with it.
      ({ server, ca } = await startInProcess(database, { env: {} }, await freePort(), { PALISADE_DEMO_SEED: 'false' }));
      http = new Browser(ca);
    });
    after(async () => {
      await server?.close();
      await http?.close();
      await database?.drop();
    });

    /** A real authorization code for `clientId`, signed in as the demo admin in a fresh browser. */
    async function codeFor(clientId: string, redirectUri: string): Promise<{ config: oidc.Configuration; callback: URL; verifier: string; state: string }> {
      const config = await oidc.discovery(new URL(server.url), clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), { [oidc.customFetch]: http.fetch as oidc.CustomFetch });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: SCOPE, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
      const browser = new Browser(ca);
      try {
        // Up to the query: every page of the flow is under the start page's redirect URI (`/`).
        const flow = await browser.follow(url.href, `${redirectUri}?`, 'demo-admin');
        assert.ok(flow.redirect, `the sign-in came back to ${redirectUri} (ended on ${flow.page?.status} ${flow.page?.url})`);
        assert.ok(flow.redirect.searchParams.get('code'), `with a code: ${flow.redirect.search}`);
        return { config, callback: flow.redirect, verifier, state };
      } finally {
        await browser.close();
      }
    }

    const clients = () => [
      ['palisade-console', `${server.url}/console/`],
      ['palisade-start', `${server.url}/`],
    ] as const;

    test('a code redeemed without a DPoP proof is refused; with the proof it gives DPoP-bound tokens', async () => {
      for (const [clientId, redirectUri] of clients()) {
        const stolen = await codeFor(clientId, redirectUri);
        await assert.rejects(
          oidc.authorizationCodeGrant(stolen.config, stolen.callback, { pkceCodeVerifier: stolen.verifier, expectedState: stolen.state }),
          (error: oidc.ResponseBodyError) => {
            // oidc-provider keeps the reason ("DPoP proof JWT not provided") to itself; the control
            // below differs from this request only by the proof.
            assert.equal(error.error, 'invalid_grant', `${clientId}: ${error.error}: ${error.error_description}`);
            return true;
          },
          `${clientId}: no bearer token without a DPoP proof`,
        );

        // The control: the same flow with a proof of the page's key succeeds, bound to that key.
        const honest = await codeFor(clientId, redirectUri);
        const keys = await oidc.randomDPoPKeyPair('ES256');
        const tokens = await oidc.authorizationCodeGrant(honest.config, honest.callback, { pkceCodeVerifier: honest.verifier, expectedState: honest.state }, undefined, { DPoP: oidc.getDPoPHandle(honest.config, keys) });
        assert.equal(tokens.token_type, 'dpop', `${clientId}: DPoP-bound tokens`);
      }
    });
  });
}
