/**
 * Federation to the company IdP with openid-client (a certified relying party): Authorization
 * Code + PKCE + state + nonce, ID token validated on return, `prompt=login` and `max_age`
 * forwarded so a re-authentication the app asks for really happens upstream.
 */
import * as oidc from 'openid-client';
import { EncryptJWT, createRemoteJWKSet, customFetch as jwksFetch, jwtDecrypt, jwtVerify, type JWTPayload } from 'jose';
import { hkdfSync } from 'node:crypto';
import type { MasterKey } from '../security/index.ts';
import { PalisadeError } from '../errors/index.ts';

export interface UpstreamSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  redirectUri: string;
  /** fetch used for every call to the IdP (the development IdP needs Palisade's own CA). */
  fetch?: typeof fetch;
}

/** What Palisade remembers between sending the person upstream and their return. */
export interface PendingLogin {
  uid: string;
  state: string;
  nonce: string;
  verifier: string;
  maxAge?: number;
  /** Set when the app asked for a fresh login (prompt=login): when it was sent upstream (epoch s). */
  forcedAt?: number;
}

/** How far the company IdP's clock may be from Palisade's when judging `auth_time`. */
const AUTH_TIME_SKEW_S = 60;
export const LOGOUT_TOKEN_SKEW_S = 60;
/** Logout tokens older than this are refused (they are sent the moment the IdP session ends). */
export const LOGOUT_TOKEN_MAX_AGE_S = 300;

export interface LogoutToken {
  issuer: string;
  jti: string;
  iat: number;
  sub?: string;
  sid?: string;
}

export interface UpstreamIdentity {
  issuer: string;
  subject: string;
  /** The IdP's session id (`sid`), used to match its back-channel logout tokens. */
  sid?: string;
  claims: Record<string, unknown>;
  authTime: number;
  acr?: string;
  amr?: string[];
}

/**
 * The company IdP could not sign the person in (or a logout token was refused). `reason` is the
 * precise, stable reason for the audit record and the error description (`upstream_unavailable`,
 * `access_denied`, `logout_token_invalid`, …).
 */
export class UpstreamError extends PalisadeError<'ERR_UPSTREAM'> {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super('ERR_UPSTREAM', message);
    this.reason = reason;
  }
}

export class Federation {
  private readonly settings: UpstreamSettings;
  private readonly cookieKey: Uint8Array;
  private discovered: Promise<oidc.Configuration> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(settings: UpstreamSettings, master: MasterKey) {
    this.settings = settings;
    this.cookieKey = new Uint8Array(hkdfSync('sha256', master.key, 'palisade', 'federation cookie v1', 32));
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  /** Discovery is cached; a failure is not, so an IdP outage at start-up heals by itself. */
  private configuration(): Promise<oidc.Configuration> {
    if (!this.discovered) {
      const { issuer, clientId, clientSecret } = this.settings;
      const url = new URL(issuer);
      const insecure = url.protocol === 'http:';
      this.discovered = oidc
        .discovery(url, clientId, clientSecret ? { client_secret: clientSecret } : { token_endpoint_auth_method: 'none' }, undefined, {
          ...(this.settings.fetch ? { [oidc.customFetch]: this.settings.fetch as oidc.CustomFetch } : {}),
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        })
        .catch((error: unknown) => {
          this.discovered = undefined;
          throw new UpstreamError('upstream_unavailable', `the company IdP could not be reached: ${(error as Error).message}`);
        });
    }
    return this.discovered;
  }

  async begin(uid: string, options: { forceLogin: boolean; maxAge?: number; loginHint?: string }): Promise<{ url: string; pending: PendingLogin }> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    // The interaction id rides in `state` so the callback can find the interaction; the random
    // part is what protects against CSRF.
    const pending: PendingLogin = {
      uid,
      state: `${uid}.${oidc.randomState()}`,
      nonce: oidc.randomNonce(),
      verifier,
      maxAge: options.maxAge,
      ...(options.forceLogin ? { forcedAt: Math.floor(Date.now() / 1000) } : {}),
    };
    const params: Record<string, string> = {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes.join(' '),
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    };
    if (options.forceLogin) params.prompt = 'login';
    if (options.maxAge !== undefined) params.max_age = String(options.maxAge);
    if (options.loginHint) params.login_hint = options.loginHint;
    return { url: oidc.buildAuthorizationUrl(config, params).href, pending };
  }

  async complete(callbackQuery: string, pending: PendingLogin): Promise<UpstreamIdentity> {
    const config = await this.configuration();
    const current = new URL(`${this.settings.redirectUri}?${callbackQuery}`);
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(
        config,
        current,
        { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true, maxAge: pending.maxAge },
        { redirect_uri: this.settings.redirectUri },
      );
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError) {
        throw new UpstreamError(error.error === 'access_denied' ? 'access_denied' : 'upstream_error', `the company IdP answered ${error.error}`);
      }
      throw new UpstreamError('upstream_error', `the company IdP's response was refused: ${(error as Error).message}`);
    }
    const idClaims = tokens.claims()!;
    // openid-client has checked auth_time against max_age. For prompt=login, check that the IdP
    // really signed the person in after we asked, rather than reusing its session; an IdP that
    // omits auth_time cannot be checked (refused below would lock out IdPs that never send it).
    if (pending.forcedAt !== undefined && typeof idClaims.auth_time === 'number' && idClaims.auth_time < pending.forcedAt - AUTH_TIME_SKEW_S) {
      throw new UpstreamError('reauthentication_not_performed', 'the company IdP did not sign the person in again although asked to (prompt=login)');
    }
    let claims: Record<string, unknown> = { ...idClaims };
    // Groups and attributes are often only in userinfo (Okta, Google); the ID token wins on conflict.
    if (tokens.access_token && config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      } catch {
        // userinfo is best effort; the ID token alone is authoritative for identity.
      }
    }
    return {
      issuer: idClaims.iss,
      subject: idClaims.sub,
      claims,
      authTime: typeof idClaims.auth_time === 'number' ? idClaims.auth_time : Math.floor(Date.now() / 1000),
      ...(typeof idClaims.sid === 'string' ? { sid: idClaims.sid } : {}),
      acr: typeof idClaims.acr === 'string' ? idClaims.acr : undefined,
      amr: Array.isArray(idClaims.amr) ? (idClaims.amr as string[]).filter((v) => typeof v === 'string') : undefined,
    };
  }

  /**
   * Validates an OIDC Back-Channel Logout 1.0 logout token (§2.6) from the company IdP: its
   * signature against the IdP's published keys, issuer, audience (Palisade's client id), `iat`
   * within the allowed skew, the back-channel logout event, `sub` and/or `sid`, and no `nonce`.
   * Replay of its `jti` is the caller's to check (it needs shared storage).
   */
  async verifyLogoutToken(token: string): Promise<LogoutToken> {
    const config = await this.configuration();
    const metadata = config.serverMetadata();
    if (!metadata.jwks_uri) throw new UpstreamError('logout_token_invalid', 'the company IdP publishes no keys');
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri), this.settings.fetch ? { [jwksFetch]: this.settings.fetch as never } : {});
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      const result = await jwtVerify(token, this.jwks, {
        issuer: metadata.issuer,
        audience: this.settings.clientId,
        algorithms: metadata.id_token_signing_alg_values_supported?.filter((alg) => alg !== 'none') ?? ['RS256', 'ES256', 'EdDSA', 'PS256'],
        clockTolerance: LOGOUT_TOKEN_SKEW_S,
        maxTokenAge: LOGOUT_TOKEN_MAX_AGE_S + LOGOUT_TOKEN_SKEW_S,
        requiredClaims: ['iat', 'jti'],
      });
      payload = result.payload;
      typ = result.protectedHeader.typ;
    } catch (error) {
      throw new UpstreamError('logout_token_invalid', `the logout token was refused: ${(error as Error).message}`);
    }
    // Explicit typing (§2.4) keeps an ID token or access token from being replayed as a logout
    // token; IdPs that predate it send JWT or nothing.
    if (typ !== undefined && !['logout+jwt', 'jwt'].includes(typ.toLowerCase())) throw new UpstreamError('logout_token_invalid', `a ${typ} token is not a logout token`);
    const events = payload.events as Record<string, unknown> | undefined;
    const event = events?.['http://schemas.openid.net/event/backchannel-logout'];
    if (!event || typeof event !== 'object' || Array.isArray(event)) throw new UpstreamError('logout_token_invalid', 'the token carries no back-channel logout event');
    if (payload.nonce !== undefined) throw new UpstreamError('logout_token_invalid', 'a logout token must not carry a nonce');
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    if (!sub && !sid) throw new UpstreamError('logout_token_invalid', 'the logout token names neither sub nor sid');
    return { issuer: metadata.issuer, jti: payload.jti!, iat: payload.iat!, ...(sub ? { sub } : {}), ...(sid ? { sid } : {}) };
  }

  /** The pending login travels in an encrypted, short-lived cookie: nothing to store, nothing to read. */
  sealPending(pending: PendingLogin): Promise<string> {
    return new EncryptJWT({ ...pending })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .encrypt(this.cookieKey);
  }

  async openPending(sealed: string | undefined): Promise<PendingLogin | undefined> {
    if (!sealed) return undefined;
    try {
      const { payload } = await jwtDecrypt(sealed, this.cookieKey);
      return payload as unknown as PendingLogin;
    } catch {
      return undefined;
    }
  }
}
