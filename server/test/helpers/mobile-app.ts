/**
 * A mobile app as tests see one: openid-client (a certified OAuth client) configured from
 * Palisade's discovery document, signing a person in with Authorization Code + PKCE + state
 * through a loopback redirect URI, then calling the API with its tokens.
 */
import * as oidc from 'openid-client';
import { Browser } from './browser.ts';

export const APP_SCOPE = 'openid profile email offline_access api';

export interface SignedIn {
  config: oidc.Configuration;
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
}

export class MobileApp {
  private readonly issuer: string;
  private readonly ca: string;
  private readonly clientId: string;
  /** The app's own HTTP client (trusts Palisade's certificate). */
  readonly http: Browser;

  constructor(issuer: string, ca: string, clientId = 'field-app') {
    this.issuer = issuer;
    this.ca = ca;
    this.clientId = clientId;
    this.http = new Browser(ca);
  }

  discover(): Promise<oidc.Configuration> {
    return oidc.discovery(new URL(this.issuer), this.clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), {
      [oidc.customFetch]: this.http.fetch as oidc.CustomFetch,
    });
  }

  /** A full sign-in as `person` at the upstream IdP, in a fresh browser (as on a new device). */
  async signIn(person: string): Promise<SignedIn> {
    const config = await this.discover();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    // Nothing listens there: the browser stops at the redirect, as the OS hands it to the app.
    const redirectUri = `http://127.0.0.1:${40000 + Math.floor(Math.random() * 20000)}/callback`;
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: APP_SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const browser = new Browser(this.ca);
    try {
      const flow = await browser.follow(url.href, redirectUri, person);
      if (!flow.redirect) throw new Error(`sign-in as ${person} ended on a page (${flow.page?.status} at ${flow.page?.url}) instead of the app`);
      const tokens = await oidc.authorizationCodeGrant(config, flow.redirect, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
      return { config, tokens };
    } finally {
      await browser.close();
    }
  }

  /** Calls Palisade's API at `baseUrl` (default: the issuer) with a bearer token. */
  async call(path: string, accessToken: string, init: RequestInit = {}, baseUrl = this.issuer): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await this.http.fetch(`${baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${accessToken}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
