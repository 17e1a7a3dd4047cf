/**
 * Palisade's authorization server: oidc-provider (OpenID Certified) configured for internal
 * mobile apps. Public clients only get Authorization Code + PKCE S256 with `state`; access
 * tokens are RFC 9068 JWTs for the Palisade API; refresh tokens rotate on every use and a
 * reused one revokes the whole grant; refresh stops at the absolute limit after the SSO login.
 */
import Provider, { errors, interactionPolicy, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { hkdfSync } from 'node:crypto';
import type { ResolvedConfig } from '../config/index.ts';
import { durationSeconds } from '../duration.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { MasterKey } from '../security/index.ts';
import { findUser } from '../users/index.ts';
import { parseUnlockKey, type Devices, type Sessions } from '../sessions/index.ts';
import { consumeUnused, createAdapterFactory } from './adapter.ts';
import type { KeySet, SigningAlg } from './keys.ts';
import { renderErrorPage, renderLogoutPage, renderLoggedOutPage } from './pages.ts';
import { Problem, isDependencyUnavailable, problems } from '../http/index.ts';
import { POSTURE_HEADER, type DeviceCheck, type TokenRequestFacts } from '../devices/index.ts';
import { notAnAttemptRaw } from '../apisec/index.ts';

/** Paths of the protocol endpoints (under the issuer). */
export const OAUTH_ROUTES = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  jwks: '/oauth2/jwks',
  revocation: '/oauth2/revoke',
  introspection: '/oauth2/introspect',
  userinfo: '/oauth2/userinfo',
  end_session: '/oauth2/logout',
  pushed_authorization_request: '/oauth2/par',
} as const;

/** The built-in public client behind the start page at `/`. */
export const START_PAGE_CLIENT_ID = 'palisade-start';

/**
 * The built-in public client behind the admin console at `/console/` (docs/decisions/0015): a
 * browser page, so it keeps no app key (the app-key stage waives it for this client); its
 * tokens are always DPoP-bound to a non-extractable WebCrypto key and it signs its calls like
 * an app. It exists with the company IdP too: administrators sign in through it.
 */
export const CONSOLE_CLIENT_ID = 'palisade-console';

/**
 * The reference field-service app's web build (apps/field), in development only: a browser
 * page on its own origin (Expo's web server, `npm run field:web`), so like the console it keeps
 * no app key, its tokens are DPoP-bound to a non-extractable WebCrypto key and it signs its
 * calls. It exists only with the development IdP: a company registers its own build of the app
 * in `clients`, with its own redirect URIs, app keys and CORS origin.
 */
export const FIELD_WEB_CLIENT_ID = 'field-web';
/** Where `npm run field:web` serves the web build (Expo's default port), and its callback. */
export const FIELD_WEB_ORIGIN = 'http://localhost:8081';

export interface ProviderDeps {
  config: ResolvedConfig;
  db: Database;
  clock: Clock;
  master: MasterKey;
  sessions: Sessions;
  devices: Devices;
  keys: KeySet;
  /** Where operational problems go (the HTTP app's logger). */
  log: { warn(details: object, message: string): void; error(details: object, message: string): void };
  /** Where token issuance, refresh and failures are recorded. */
  audit: AuditSink;
  /**
   * Extra token response parameters for the session (grant) the tokens belong to: the request
   * signing key (apisec/signing-keys.ts), on the code exchange and on every refresh.
   */
  tokenResponseExtras?(sessionId: string): Promise<Record<string, string>>;
  /**
   * Device trust (devices/trust.ts): judges the device of every code exchange and refresh;
   * throws a `Problem` to refuse, which the app receives as RFC 9457 problem+json.
   */
  deviceTrust?: { check(input: TokenRequestFacts): Promise<DeviceCheck> };
}

export function apiAudience(config: ResolvedConfig): string {
  return `${config.publicUrl}/api`;
}

/** Cookie signing keys derived from the master key, so every instance shares them. */
function cookieKeys(master: MasterKey): string[] {
  return [Buffer.from(hkdfSync('sha256', master.key, 'palisade', 'oidc-provider cookies v1', 32)).toString('base64url')];
}

function clientsFor(config: ResolvedConfig): ClientMetadata[] {
  const declared = config.clients.map((c): ClientMetadata => ({
    client_id: c.id,
    client_name: c.name,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // The token endpoint refuses requests without a DPoP proof; tokens are bound to its key.
    dpop_bound_access_tokens: c.dpop === 'required',
    ...(c.secret
      ? { client_secret: c.secret, token_endpoint_auth_method: 'client_secret_basic', application_type: 'web' }
      : { token_endpoint_auth_method: 'none', application_type: 'native' }),
  }));
  const console: ClientMetadata = {
    client_id: CONSOLE_CLIENT_ID,
    client_name: 'Palisade admin console',
    redirect_uris: [`${config.publicUrl}/console/`],
    post_logout_redirect_uris: [`${config.publicUrl}/console/`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    application_type: 'web',
    dpop_bound_access_tokens: true,
  };
  // The start page's client exists only with the development IdP: elsewhere it would be a way
  // to get unbound API tokens around every app's DPoP requirement.
  if (config.upstream) return [...declared, console];
  return [
    ...declared,
    console,
    {
      client_id: FIELD_WEB_CLIENT_ID,
      client_name: 'Field Service (web build, development)',
      redirect_uris: [`${FIELD_WEB_ORIGIN}/callback`],
      post_logout_redirect_uris: [`${FIELD_WEB_ORIGIN}/`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      dpop_bound_access_tokens: true,
    },
    {
      client_id: START_PAGE_CLIENT_ID,
      client_name: 'Palisade start page',
      redirect_uris: [`${config.publicUrl}/`],
      post_logout_redirect_uris: [`${config.publicUrl}/`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      // A browser page (the SDK's web build): its token requests must carry a DPoP proof of its
      // non-extractable WebCrypto key, so no token of this client is ever a bearer token.
      dpop_bound_access_tokens: true,
    },
  ];
}

export function createProvider(deps: ProviderDeps): Provider {
  const { config, db, clock, master, sessions, keys } = deps;
  const audience = apiAudience(config);
  const accessTtl = durationSeconds(config.tokens.accessTokenTtl);
  const absoluteTtl = durationSeconds(config.tokens.refreshAbsoluteTtl);
  const nowSeconds = () => Math.floor(clock.now() / 1000);

  const basePolicy = interactionPolicy.base();
  // Palisade brokers every sign-in to the company IdP: its own browser session never stands in
  // for an upstream login, so a disabled account or a changed group takes effect at the next login.
  basePolicy
    .get('login')!
    .checks.add(
      new interactionPolicy.Check('palisade_upstream', 'every sign-in is confirmed by the company IdP', (ctx) =>
        ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );

  // Tokens are signed with the active key's algorithm: `keys rotate --alg` may differ from
  // tokens.signingAlg, which only chooses the algorithm of keys created from now on.
  const signingAlg = keys.privateJwks.find((k) => k.kid === keys.activeKid)!.alg as SigningAlg;

  const dpopRequired = new Set(config.clients.filter((c) => c.dpop === 'required').map((c) => c.id));
  const deviceParam = (_ctx: KoaContextWithOIDC, value: string | undefined) => {
    if (value !== undefined && !/^[\w .,()+-]{1,100}$/.test(value)) throw new errors.InvalidRequest('device parameters are short plain text');
  };

  // Device trust runs inside the grant, after oidc-provider has verified the client, the DPoP
  // proof (nonce included) and the code or refresh token: an unproven request never spends a
  // posture report's jti. At a refresh it runs before the refresh token is consumed
  // (rotateRefreshToken below), so a device refused for an old app version refreshes normally
  // once updated instead of tripping reuse detection.
  // One token request reads its user and its session once: oidc-provider's findAccount, the
  // device check (rotateRefreshToken) and the token's claims (extraTokenClaims) each need them,
  // and each read used to be a round trip of its own. Kept on the request's context only, so
  // the next request (a refresh a second later) reads live state again.
  const requestReads = new WeakMap<object, Map<string, Promise<unknown>>>();
  const readOnce = <T>(ctx: object | undefined, key: string, read: () => Promise<T>): Promise<T> => {
    if (!ctx) return read();
    let reads = requestReads.get(ctx);
    if (!reads) requestReads.set(ctx, (reads = new Map()));
    let pending = reads.get(key) as Promise<T> | undefined;
    if (!pending) reads.set(key, (pending = read()));
    return pending;
  };
  const userOf = (ctx: object | undefined, id: string) => readOnce(ctx, `user:${id}`, () => findUser(db, id));
  const sessionOf = (ctx: object | undefined, grantId: string) => readOnce(ctx, `session:${grantId}`, () => sessions.find(grantId));

  const deviceChecks = new WeakMap<object, DeviceCheck>();
  const deviceRefusals = new WeakMap<object, Problem>();
  const checkDevice = async (ctx: KoaContextWithOIDC, grantType: TokenRequestFacts['grantType'], grantId: string | undefined, jkt: string | undefined) => {
    if (!deps.deviceTrust || !grantId) return undefined;
    const session = await sessionOf(ctx, grantId);
    if (!session) return undefined;
    try {
      const check = await deps.deviceTrust.check({
        grantType,
        session: { id: session.id, userId: session.userId, clientId: session.clientId, acr: session.acr, amr: session.amr },
        jkt,
        dpopProof: ctx.get('DPoP') || undefined,
        posture: ctx.get(POSTURE_HEADER) || undefined,
      });
      deviceChecks.set(ctx, check);
      return check;
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      deviceRefusals.set(ctx, error);
      throw new errors.InvalidGrant('the device does not meet the app’s policy');
    }
  };

  const configuration: Configuration = {
    // A concurrent reuse: the same consequences as a sequential one (see grant.revoked below).
    adapter: createAdapterFactory(db, clock, async (model, grantId) => {
      if (grantId) await sessions.endForReuse(grantId, { model, concurrent: true });
    }),
    clients: clientsFor(config),
    jwks: { keys: keys.privateJwks as never },
    cookies: {
      keys: cookieKeys(master),
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    clientDefaults: {
      id_token_signed_response_alg: signingAlg,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'EdDSA'],
      requestObjectSigningAlgValues: ['ES256', 'EdDSA'],
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    // `state` is mandatory (CSRF protection for the app's redirect). Validated after the redirect
    // URI, so the error goes back to a registered URI, never to an attacker's.
    extraParams: {
      state(_ctx: KoaContextWithOIDC, value: string | undefined) {
        if (!value) throw new errors.InvalidRequest('state is required');
      },
      // RFC 9449 §10: the code is bound to the device key from the start, so a code intercepted
      // on its way to the app is useless without that key. Required where the app requires DPoP.
      dpop_jkt(ctx: KoaContextWithOIDC, value: string | undefined) {
        if (value !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(value)) throw new errors.InvalidRequest('dpop_jkt must be a SHA-256 JWK thumbprint (43 base64url characters)');
        if (!value && ctx.oidc.client?.clientId && dpopRequired.has(ctx.oidc.client.clientId)) throw new errors.InvalidRequest('dpop_jkt is required: this app binds its tokens to a device key (RFC 9449)');
      },
      // The public key that will unlock this session after an idle lock (sessions/unlock.ts).
      unlock_jwk(_ctx: KoaContextWithOIDC, value: string | undefined) {
        if (value !== undefined && (value.length > 1000 || !parseUnlockKey(value))) throw new errors.InvalidRequest('unlock_jwk must be a base64url-encoded public P-256 or Ed25519 JWK');
      },
      // What the app says about the device (recorded with it; informative, not trusted).
      device_platform: deviceParam,
      device_model: deviceParam,
      device_os_version: deviceParam,
      app_version: deviceParam,
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: { acr: null, amr: null, auth_time: null, sid: null, openid: ['sub', 'acr', 'amr', 'auth_time'], profile: ['name'], email: ['email'], roles: ['roles'] },
    conformIdTokenClaims: true,
    allowOmittingSingleRegisteredRedirectUri: false,
    async findAccount(ctx, id) {
      const user = await userOf(ctx, id);
      if (!user) return undefined;
      return {
        accountId: user.id,
        async claims() {
          return { sub: user.id, name: user.name ?? undefined, email: user.email ?? undefined, roles: user.roles };
        },
      };
    },
    interactions: {
      policy: basePolicy,
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      // RFC 9449: tokens bound to the device key; the token endpoint hands out server nonces
      // (derived from the master key, so every instance accepts every instance's nonces).
      dPoP: { enabled: true, nonceSecret: Buffer.from(hkdfSync('sha256', master.key, 'palisade', 'dpop nonce v1', 32)), requireNonce: () => true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      introspection: {
        enabled: true,
        // RFC 7662 is for resource servers, which are confidential clients; a mobile app has no
        // business learning about tokens.
        allowedPolicy: async (ctx) => ctx.oidc.client?.clientAuthMethod !== 'none',
      },
      rpInitiatedLogout: { enabled: true, logoutSource: renderLogoutPage, postLogoutSuccessSource: renderLoggedOutPage },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        async getResourceServerInfo(_ctx, resource) {
          if (resource !== audience) throw new errors.InvalidTarget('unknown resource');
          return {
            scope: 'api',
            audience,
            accessTokenTTL: accessTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: signingAlg, kid: keys.activeKid } },
          };
        },
      },
    },
    // Tokens live with the Palisade session (the grant), not with the browser cookie session.
    expiresWithSession: async () => false,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    async rotateRefreshToken(ctx) {
      const refreshToken = ctx.oidc.entities.RefreshToken;
      await checkDevice(ctx, 'refresh_token', refreshToken?.grantId, refreshToken?.jkt);
      return true;
    },
    async extraTokenClaims(ctx, token) {
      if (token.kind !== 'AccessToken' || !token.accountId || !token.grantId) return undefined;
      const [user, session] = await Promise.all([userOf(ctx, token.accountId), sessionOf(ctx, token.grantId)]);
      if (!user || !session) return undefined;
      // A token bound to a device key: oidc-provider has verified the proof of that key by now.
      const jkt = (token as { jkt?: string }).jkt;
      // Judged before the device is recorded: a refused device must not evict another one.
      const device = deviceChecks.get(ctx) ?? (ctx && !ctx.oidc.entities.RefreshToken ? await checkDevice(ctx, 'authorization_code', token.grantId, jkt) : undefined);
      if (jkt && (await deps.devices.tokensIssued(session, jkt, token.gty === 'authorization_code')) === 'blocked') {
        throw new errors.InvalidGrant('this device was removed from the account');
      }
      await device?.commit();
      return {
        ...device?.claims,
        sid: session.id,
        auth_time: Math.floor(session.authTime.getTime() / 1000),
        ...(session.acr ? { acr: session.acr } : {}),
        ...(session.amr.length ? { amr: session.amr } : {}),
        roles: user.roles,
        ...(user.department ? { department: user.department } : {}),
        ...(user.territory ? { territory: user.territory } : {}),
        ...(user.region ? { region: user.region } : {}),
        ...(user.projects.length ? { projects: user.projects } : {}),
        ...(user.employeeType ? { employee_type: user.employeeType } : {}),
      };
    },
    // oidc-provider stamps a JWT access token's iat and exp from the system clock; the API's
    // bearer stage, the idle lock and the signatures judge time by Palisade's clock. They are one
    // clock in production, but a test that moves Palisade's clock forward (past an idle timeout)
    // would otherwise get tokens already expired by the time they are presented: an unlock after
    // the idle lock then failed whenever the access token lifetime was not longer than the idle
    // timeout. So the token is stamped by Palisade's clock, keeping oidc-provider's lifetime.
    formats: {
      customizers: {
        jwt(_ctx, _token, jwt) {
          const { iat, exp } = jwt.payload;
          if (typeof iat !== 'number') return;
          const issuedAt = nowSeconds();
          jwt.payload.iat = issuedAt;
          if (typeof exp === 'number') jwt.payload.exp = issuedAt + (exp - iat);
        },
      },
    },
    ttl: {
      AuthorizationCode: 60,
      // Opaque access tokens (userinfo without the api resource) live as long as JWT ones.
      AccessToken: accessTtl,
      // An ID token is stamped by oidc-provider from the system clock, with no hook for its iat:
      // its lifetime is counted so that it expires accessTtl after Palisade's now, as an access
      // token does. The same in production (one clock); under a moved clock a refreshed ID token
      // is not born expired (a client checking it, oauth4webapi among them, would refuse the
      // refresh: the web app's unlock after its idle lock did).
      IdToken: () => Math.max(1, accessTtl + Math.round((clock.now() - Date.now()) / 1000)),
      Interaction: 600,
      Session: 600,
      Grant: absoluteTtl,
      // Absolute from the SSO login: a rotated refresh token inherits the original authTime.
      RefreshToken: (_ctx, token) => {
        const authTime = (token as { authTime?: number }).authTime ?? nowSeconds();
        return Math.max(1, authTime + absoluteTtl - nowSeconds());
      },
    },
    routes: OAUTH_ROUTES,
    // Browser-based callers of the token endpoint only from configured origins (the start page
    // is same-origin and needs none).
    clientBasedCORS: (_ctx, origin) => config.server.corsOrigins.includes(origin) || config.server.corsOrigins.includes('*'),
    renderError: renderErrorPage,
  };

  const provider = new Provider(config.publicUrl, configuration);
  provider.proxy = config.server.trustProxy;

  // A successful token response carries the session's extra parameters (RFC 6749 §5.1 allows
  // them; openid-client keeps unknown ones). oidc-provider's documented way to change a response
  // is a middleware acting after `next()`. The refresh retry window stores and replays the
  // response as written, so a served retry carries them too.
  // A device refusal leaves oidc-provider as invalid_grant; the app gets the problem that says
  // what to fix instead (the grant.error audit record and the rate limit's failure count stay).
  provider.use(async (ctx, next) => {
    await next();
    const refusal = deviceRefusals.get(ctx);
    if (!refusal) return;
    ctx.status = refusal.status;
    for (const [name, value] of Object.entries(refusal.headers)) ctx.set(name, value);
    ctx.set('cache-control', 'no-store');
    ctx.type = 'application/problem+json';
    ctx.body = refusal.body();
  });

  // RFC 6749 §4.1.2: an authorization code is good for one redemption attempt. oidc-provider
  // consumes a code only once every check has passed, so a code refused for a wrong PKCE
  // verifier, redirect URI, client or device key would stay redeemable: whoever intercepted it
  // could keep guessing, and the app could still redeem it after an attacker's failed try. A
  // refused redemption therefore consumes the code before the answer leaves, and presenting it
  // again revokes its grant. Not consumed: `use_dpop_nonce`, which asks the app to retry with the
  // server's nonce (RFC 9449 §8) before the request is judged, and server errors, which judge nothing.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status < 400 || ctx.status >= 500) return;
    const params = ctx.oidc.params as { grant_type?: unknown; code?: unknown } | undefined;
    if (params?.grant_type !== 'authorization_code' || typeof params.code !== 'string' || !params.code) return;
    if ((ctx.body as { error?: string } | undefined)?.error === 'use_dpop_nonce') return;
    await consumeUnused(db, clock, 'AuthorizationCode', params.code);
  });

  const extras = deps.tokenResponseExtras;
  if (extras) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
      const body = ctx.body as Record<string, unknown> | undefined;
      const sessionId = ctx.oidc.entities.AccessToken?.grantId;
      if (!body || typeof body.access_token !== 'string' || !sessionId) return;
      Object.assign(body, await extras(sessionId));
    });
  }

  // oidc-provider answers an unexpected failure with a bare `server_error`: the cause goes to
  // the log, or an operator would never learn why sign-ins fail. A failure because PostgreSQL or
  // Redis is unreachable (a restart, a failover) is no defect: it is answered as the rest of the
  // API answers it, 503 `not-ready` with Retry-After, which the SDK retries (a refresh is safe to
  // retry: the retry window answers a repeat with the same tokens), and logged as a warning.
  const unavailable = new WeakSet<object>();
  provider.on('server_error', (ctx: KoaContextWithOIDC, err: Error) => {
    if (isDependencyUnavailable(err)) {
      unavailable.add(ctx);
      deps.log.warn({ err: { name: err.name, code: (err as { code?: unknown }).code, message: err.message }, event: 'oauth.dependency_unavailable', route: ctx.oidc?.route }, 'a service Palisade depends on is unreachable');
      return;
    }
    deps.log.error({ err, event: 'oauth.server_error', route: ctx.oidc?.route }, 'the authorization server failed a request');
  });
  provider.use(async (ctx, next) => {
    await next();
    if (!unavailable.has(ctx) || ctx.status < 500) return;
    const problem = problems.dependencyUnavailable();
    ctx.status = problem.status;
    for (const [name, value] of Object.entries(problem.headers)) ctx.set(name, value);
    ctx.set('cache-control', 'no-store');
    ctx.type = 'application/problem+json';
    ctx.body = problem.body();
  });

  // Token issuance and refresh are written by oidc-provider through its adapter, outside any
  // transaction of ours, so they are recorded through the batched path (docs/audit.md).
  const tokenAction = (ctx: KoaContextWithOIDC) => (ctx.oidc?.params?.grant_type === 'refresh_token' ? 'token.refresh' : 'token.issue');
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const token = ctx.oidc.entities.AccessToken;
    deps.audit.emit({
      action: tokenAction(ctx),
      outcome: 'success',
      actor: { userId: token?.accountId, sessionId: token?.grantId, appId: ctx.oidc.client?.clientId, ...(token?.jkt ? { deviceId: token.jkt } : {}) },
      resource: { type: 'session', id: token?.grantId },
      detail: { grantType: String(ctx.oidc.params?.grant_type ?? '') },
    });
  });
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: Error & { error?: string }) => {
    if (error.error === 'use_dpop_nonce') notAnAttemptRaw(ctx.req);
    deps.audit.emit({
      action: tokenAction(ctx),
      outcome: 'failure',
      reason: error.error ?? error.name,
      actor: { appId: ctx.oidc?.client?.clientId },
      detail: { grantType: String(ctx.oidc?.params?.grant_type ?? '') },
    });
  });

  // A refused authorization request (RFC 6749 §4.1.2.1: a bad redirect URI, an unknown client,
  // no or plain PKCE, no state, …) is a failed attempt, and often a probe: recorded with the
  // OAuth error and what the request claimed. Both endpoints are in the `auth` rate class (per
  // IP), so one address adds at most that class's quota of these records per window, then one
  // `security.rate_limited` record. Errors when resuming an interaction (`/oauth2/authorize/:uid`,
  // not rate-limited) are left out: the sign-in's own refusals are `auth.login` failures.
  const authorizationRefused = (ctx: KoaContextWithOIDC, error: Error & { error?: string; error_description?: string }) => {
    const route = ctx.oidc?.route;
    if (route !== 'authorization' && route !== 'pushed_authorization_request') return;
    const params = (ctx.oidc.params ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' && value ? value.slice(0, 200) : undefined);
    const clientId = ctx.oidc.client?.clientId;
    deps.audit.emit({
      action: 'auth.authorize',
      outcome: 'failure',
      reason: error.error ?? error.name,
      actor: clientId ? { appId: clientId } : {},
      detail: {
        endpoint: route === 'authorization' ? OAUTH_ROUTES.authorization : OAUTH_ROUTES.pushed_authorization_request,
        description: text(error.error_description),
        // What the request named that Palisade does not know: the probe itself.
        ...(clientId ? {} : { claimedClientId: text(params.client_id ?? (ctx.method === 'GET' ? ctx.query.client_id : undefined)) }),
        ...(error.error === 'invalid_redirect_uri' ? { redirectUri: text(params.redirect_uri ?? ctx.query.redirect_uri) } : {}),
      },
    });
  };
  provider.on('authorization.error', authorizationRefused);
  // A sign-in that fails when its authorization resumes (`/oauth2/authorize/:uid`) shows the
  // person "Sign-in could not continue"; the reason goes to the log, or an operator could not
  // tell an expired interaction from a lost cookie or a session mismatch. oidc-provider's error
  // and description name no secret (no cookie or interaction id).
  provider.on('authorization.error', (ctx: KoaContextWithOIDC, error: Error & { error?: string; error_description?: string }) => {
    if (ctx.oidc?.route !== 'resume') return;
    deps.log.warn(
      { event: 'oauth.resume_failed', error: error.error ?? error.name, description: error.error_description, clientId: ctx.oidc.client?.clientId },
      'a sign-in could not continue when its authorization resumed',
    );
  });
  provider.on('pushed_authorization_request.error', authorizationRefused);

  // A reused (already rotated) refresh token, or a revocation, ends the Palisade session too,
  // so access tokens already issued for it stop working before they expire.
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    const reuse = ctx.oidc?.route === 'token';
    const ending = reuse ? sessions.endForReuse(grantId, { clientId: ctx.oidc?.client?.clientId }) : sessions.revoke(grantId, 'revoked_by_client');
    // The deny set already holds the session (revoke() records it before any I/O), so its
    // tokens fail on this instance; the database write is what failed.
    ending.catch((err: unknown) => deps.log.error({ err, event: 'session.revoke_failed', sessionId: grantId }, 'revoking the session in the database failed'));
  });
  return provider;
}
