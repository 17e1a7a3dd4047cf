/**
 * The authorization server's HTTP surface: oidc-provider's endpoints mounted into Fastify, the
 * login interaction that brokers to the company IdP, and (in development) the embedded IdP.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type Provider from 'oidc-provider';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { parseUnlockKey, type Devices, type Sessions } from '../sessions/index.ts';
import { mapProfile, updateKnownUser, upsertUser, type ClaimMapping, type RoleMapping } from '../users/index.ts';
import { Federation, LOGOUT_TOKEN_MAX_AGE_S, LOGOUT_TOKEN_SKEW_S, UpstreamError } from './federation.ts';
import { problems, untypedReply, type Problem } from '../http/index.ts';
import { readBody, type RefreshRetries } from './refresh-retry.ts';
import { chargeAuth } from '../apisec/index.ts';
import { OAUTH_ROUTES, apiAudience } from './provider.ts';
import { DEMO_PEOPLE, DEV_IDP_PATH } from './dev-idp.ts';
import { escapeHtml, FAVICON, page, STYLESHEET } from './pages.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { parseDuration } from '../duration.ts';
import type { AuditActor, AuditSink } from '../audit/index.ts';

export interface ProviderHolder {
  current: Provider;
}

export interface OAuthRoutesDeps {
  config: ResolvedConfig;
  db: Database;
  clock: Clock;
  sessions: Sessions;
  provider: ProviderHolder;
  federation: Federation;
  claimMapping: ClaimMapping;
  roleMapping: RoleMapping;
  devIdp?: Provider;
  devices: Devices;
  refreshRetries: RefreshRetries;
  /**
   * Remote wipe and lock (devices/commands/routes.ts): a refresh from a device ordered to wipe or
   * lock is answered with the signed command instead of reaching oidc-provider.
   */
  deviceCommandProblem?(form: URLSearchParams, dpop: string | undefined): Promise<Problem | undefined>;
  /** Whether the IdP's provisioning (SCIM) has deactivated this user name. */
  isDeprovisioned(userName: string): Promise<boolean>;
  audit: AuditSink;
}

const UPSTREAM_COOKIE = 'palisade.upstream';
const UID = '^[A-Za-z0-9_-]{10,64}$';

type Callback = (req: IncomingMessage, res: ServerResponse) => void;
const callbacks = new WeakMap<Provider, Callback>();
function callbackOf(provider: Provider): Callback {
  let cb = callbacks.get(provider);
  if (!cb) callbacks.set(provider, (cb = provider.callback() as unknown as Callback));
  return cb;
}

/** Takes the response away from Fastify, keeping the security headers already set on the reply. */
function takeOver(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value as string);
  reply.hijack();
}

/** Hands the raw request to oidc-provider. */
function handOver(provider: Provider, request: FastifyRequest, reply: FastifyReply, mountPath = ''): void {
  takeOver(reply);
  if (mountPath) {
    (request.raw as IncomingMessage & { originalUrl?: string }).originalUrl = request.raw.url;
    request.raw.url = request.raw.url!.slice(mountPath.length) || '/';
  }
  callbackOf(provider)(request.raw, reply.raw);
}

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

export async function oauthRoutes(app: FastifyInstance, deps: OAuthRoutesDeps): Promise<void> {
  const { provider, federation, sessions, config } = deps;

  app.get('/assets/palisade.css', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/css').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  for (const url of ['/favicon.svg', '/favicon.ico']) {
    app.get(url, { schema: { hide: true } }, (_req, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON));
  }

  // oidc-provider reads request bodies itself: in this scope Fastify leaves the stream untouched.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    const methods = ['GET', 'POST', 'OPTIONS', 'DELETE', 'PUT'] as const;
    const mount = (request: FastifyRequest, reply: FastifyReply) => handOver(provider.current, request, reply);
    // Refresh-token requests pass the retry grace window first (refresh-retry.ts). The body is
    // read here, then offered to oidc-provider again through the stream interface it reads
    // from (readable + iterator), so it parses exactly the bytes the client sent.
    // The authentication rate class (per IP: no account is known before the grant is checked).
    // A refused grant or client (400 invalid_grant, 401 invalid_client) is a failed attempt.
    // The client is named in the body: a client with an allowance of its own (the development
    // start page) is counted once the body is read (apisec/rate-limit.ts, chargeAuth).
    scope.post('/oauth2/token', { schema: { hide: true }, config: { rateLimit: { class: 'auth', failureStatuses: [400, 401], client: 'body' } } }, async (request, reply) => {
      let bytes: Buffer;
      try {
        bytes = await readBody(request.raw, 56 * 1024);
      } catch {
        throw problems.bodyTooLarge(56 * 1024);
      }
      const form = new URLSearchParams(bytes.toString('utf8'));
      // A public client names itself once in a form body; anything else (HTTP Basic, another
      // encoding, client_id twice) counts against the auth class.
      const isForm = /application\/x-www-form-urlencoded/i.test(request.headers['content-type'] ?? '');
      const namedClient = isForm && !request.headers.authorization && form.getAll('client_id').length === 1 ? (form.get('client_id') ?? undefined) : undefined;
      await chargeAuth(request, namedClient);
      Object.defineProperty(request.raw, 'readable', { value: true, configurable: true });
      Object.defineProperty(request.raw, 'iterator', {
        configurable: true,
        value: () => (async function* () {
          yield bytes;
        })(),
      });
      const dpopHeader = Array.isArray(request.headers.dpop) ? request.headers.dpop.join(',') : request.headers.dpop;
      const deviceCommand = await deps.deviceCommandProblem?.(form, dpopHeader);
      // RFC 6749 §5.2: token endpoint errors are application/json (OAuth clients refuse other
      // types); the body is the problem, with the OAuth `error` member.
      if (deviceCommand) return reply.code(deviceCommand.status).type('application/json').header('cache-control', 'no-store').send(JSON.stringify(deviceCommand.body(`urn:palisade:request:${request.id}`)));
      const refreshToken = form.get('grant_type') === 'refresh_token' ? form.get('refresh_token') : null;
      if (!refreshToken || !/application\/x-www-form-urlencoded/i.test(request.headers['content-type'] ?? '')) return mount(request, reply);
      takeOver(reply);
      const dpop = request.headers.dpop;
      await deps.refreshRetries.handle(refreshToken, Array.isArray(dpop) ? dpop.join(',') : dpop, reply.raw, () => callbackOf(provider.current)(request.raw, reply.raw));
    });
    scope.route({ method: [...methods], url: '/.well-known/openid-configuration', handler: mount, schema: { hide: true } });
    scope.route({ method: [...methods], url: '/oauth2/*', handler: mount, schema: { hide: true } });
    // Starting a sign-in is authentication, too (its errors go back to the app as redirects,
    // so no answer here counts as a failure).
    for (const url of [OAUTH_ROUTES.authorization, OAUTH_ROUTES.pushed_authorization_request]) {
      scope.route({ method: [...methods], url, handler: mount, schema: { hide: true }, config: { rateLimit: { class: 'auth', failureStatuses: [], client: 'query' } } });
    }
    if (deps.devIdp) {
      const dev = deps.devIdp;
      scope.route({
        method: [...methods],
        url: `${DEV_IDP_PATH}/*`,
        handler: (request, reply) => handOver(dev, request, reply, DEV_IDP_PATH),
        schema: { hide: true },
      });
    }
  });

  const uidParams = { type: 'object', properties: { uid: { type: 'string', pattern: UID } }, required: ['uid'], additionalProperties: false } as const;

  // Step 1: the app's authorization request needs a login — send the person to the company IdP.
  app.get('/interaction/:uid', { schema: { hide: true, params: uidParams } }, async (request, reply) => {
    const details = await provider.current.interactionDetails(request.raw, reply.raw);
    const params = details.params as Record<string, string | undefined>;
    const forceLogin = (params.prompt ?? '').split(' ').includes('login');
    const maxAge = params.max_age !== undefined && /^[0-9]+$/.test(params.max_age) ? Number(params.max_age) : undefined;
    const { url, pending } = await federation.begin(details.uid, { forceLogin, maxAge, loginHint: params.login_hint });
    const sealed = await federation.sealPending(pending);
    reply.header('set-cookie', `${UPSTREAM_COOKIE}=${sealed}; Path=/interaction/${details.uid}; Max-Age=600; HttpOnly; Secure; SameSite=Lax`);
    reply.header('cache-control', 'no-store');
    return reply.redirect(url, 303);
  });

  // Step 2: the company IdP returns here (register exactly `<publicUrl>/auth/callback` there).
  // The interaction's cookies are scoped to its path, so the browser continues there.
  app.get('/auth/callback', { schema: { hide: true } }, async (request, reply) => {
    const query = request.raw.url!.split('?')[1] ?? '';
    const state = new URLSearchParams(query).get('state') ?? '';
    const uid = state.split('.')[0] ?? '';
    if (!new RegExp(UID).test(uid)) {
      return html(reply, 400, page('Sign-in could not continue', '<p>The company sign-in returned without a valid state. Start again from the app.</p>'));
    }
    return reply.header('cache-control', 'no-store').redirect(`/interaction/${uid}/upstream?${query}`, 303);
  });

  /** A sign-in Palisade refuses: a page saying why, and a button that returns access_denied to the app. */
  const refuse = (reply: FastifyReply, uid: string, title: string, why: string) => {
    reply.header('cache-control', 'no-store');
    return html(reply, 403, page(title, `${why}\n<form method="post" action="/interaction/${escapeHtml(uid)}/abort"><button type="submit">Return to the app</button></form>`));
  };

  // Step 3: validate the upstream answer, map the person, open the Palisade session, finish.
  app.get('/interaction/:uid/upstream', { schema: { hide: true, params: uidParams } }, async (request, reply) => {
    const details = await provider.current.interactionDetails(request.raw, reply.raw);
    const pending = await federation.openPending(readCookie(request, UPSTREAM_COOKIE));
    const clientIdOf = String(details.params.client_id);
    /** A refused sign-in: logged, and recorded (brute-force monitoring counts these). */
    const loginFailed = (reason: string, actor: AuditActor, detail: Record<string, unknown> = {}) => {
      request.log.warn({ event: 'login.failure', reason, ...actor, ...detail }, 'login failed');
      deps.audit.emit({ action: 'auth.login', outcome: 'failure', reason, actor: { appId: clientIdOf, ...actor }, resource: { type: 'user', id: actor.userId }, detail });
    };
    const finish = async (result: Record<string, unknown>) => {
      reply.hijack();
      reply.raw.setHeader('set-cookie', `${UPSTREAM_COOKIE}=; Path=/interaction/${details.uid}; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
      await provider.current.interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    };
    if (!pending || pending.uid !== details.uid) {
      loginFailed('upstream_state_missing', {});
      return finish({ error: 'access_denied', error_description: 'the sign-in took too long or was started elsewhere' });
    }
    let identity;
    try {
      identity = await federation.complete(request.raw.url!.split('?')[1] ?? '', pending);
    } catch (error) {
      const code = error instanceof UpstreamError ? error.reason : 'upstream_error';
      loginFailed(code, {});
      return finish({ error: 'access_denied', error_description: `company sign-in failed (${code})` });
    }
    const profile = mapProfile(identity.claims, deps.claimMapping, deps.roleMapping);
    const clientId = String(details.params.client_id);
    if (profile.roles.length === 0) {
      loginFailed('no_role', {}, { account: `${identity.issuer}#${identity.subject}` });
      // Someone who had a role and lost it upstream: their other sessions would otherwise keep
      // minting tokens with the old roles until they expire.
      const known = await updateKnownUser(deps.db, identity.issuer, identity.subject, profile);
      if (known) {
        const ended = await sessions.revokeAllOfUser(known.id, 'roles_removed');
        if (ended) request.log.warn({ event: 'session.revoked', reason: 'roles_removed', userId: known.id, ended }, 'roles removed upstream: sessions ended');
      }
      return refuse(
        reply,
        details.uid,
        'No access to Palisade apps',
        `<p>You signed in as <strong>${escapeHtml(profile.name ?? profile.email ?? identity.subject)}</strong>, but your company account is in no group that grants a role in these apps.</p>
         <p>Ask your IT team to add you to the right group, then sign in again.</p>`,
      );
    }
    const user = await upsertUser(deps.db, identity.issuer, identity.subject, profile);
    if (user.disabledAt || (profile.userName !== null && (await deps.isDeprovisioned(profile.userName)))) {
      // Deprovisioned through SCIM: the IdP may still let them sign in there (until its own
      // deactivation propagates), Palisade does not.
      loginFailed('deprovisioned', { userId: user.id });
      return refuse(reply, details.uid, 'Your access has ended', '<p>Your company account no longer has access to these apps.</p>');
    }
    // Devices are keys: an app using DPoP named its key (dpop_jkt) in the authorization request.
    // The device is recorded only when the code is redeemed with a proof of that key (see
    // Devices.tokensIssued); here a key an administrator revoked is turned away early.
    const params = details.params as Record<string, string | undefined>;
    if (params.dpop_jkt && (await deps.devices.isBlocked(user.id, params.dpop_jkt))) {
      loginFailed('device_revoked', { userId: user.id, deviceId: params.dpop_jkt });
      return refuse(reply, details.uid, 'This device was removed', '<p>Your IT team removed this device from your account. Use another device, or ask IT.</p>');
    }
    const grant = new provider.current.Grant({ accountId: user.id, clientId });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    grant.addResourceScope(apiAudience(config), 'api');
    const grantId = await grant.save();
    const authTime = new Date(identity.authTime * 1000);
    await sessions.create({
      id: grantId,
      userId: user.id,
      clientId,
      authTime,
      acr: identity.acr ?? null,
      amr: identity.amr ?? [],
      expiresAt: new Date(authTime.getTime() + parseDuration(config.tokens.refreshAbsoluteTtl)),
      upstreamSid: identity.sid ?? null,
      deviceDescription: { platform: params.device_platform, model: params.device_model, osVersion: params.device_os_version, appVersion: params.app_version },
      unlockJwk: params.unlock_jwk ? (parseUnlockKey(params.unlock_jwk) ?? null) : null,
    }, {
      action: 'auth.login',
      outcome: 'success',
      actor: { userId: user.id, sessionId: grantId, appId: clientId, ...(params.dpop_jkt ? { deviceId: params.dpop_jkt } : {}) },
      resource: { type: 'session', id: grantId },
      detail: { roles: user.roles, acr: identity.acr ?? null, amr: identity.amr ?? [], issuer: identity.issuer },
    });
    request.log.info({ event: 'login.success', userId: user.id, clientId, sessionId: grantId, roles: user.roles }, 'login');
    return finish({
      login: { accountId: user.id, ts: identity.authTime, remember: false, ...(identity.acr ? { acr: identity.acr } : {}), ...(identity.amr ? { amr: identity.amr } : {}) },
      consent: { grantId },
    });
  });

  // "Return to the app" is an HTML form: browsers post it as (empty) form encoding, which the
  // JSON-only API would refuse with 415. Accept it here; the body carries nothing to read.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));
    scope.post('/interaction/:uid/abort', { schema: { hide: true, params: uidParams } }, async (request, reply) => {
      // Looked up before the reply is taken over: an unknown or expired interaction is then
      // refused by the error handler. After hijack() nothing answers, and the request hung.
      await provider.current.interactionDetails(request.raw, reply.raw);
      reply.hijack();
      await provider.current.interactionFinished(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'your account has no access to this app' },
        { mergeWithLastSubmission: false },
      );
    });
  });

  // OIDC Back-Channel Logout 1.0: the company IdP posts a logout token here when a person's
  // session there ends (register `<publicUrl>/auth/backchannel-logout` at the IdP). The
  // sessions it names end on every instance at once.
  await app.register(async (plain) => {
    // The body's type is inferred from its TypeBox schema (the TypeBox type provider).
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // Form encoding only, as the specification sends it (§2.5).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.post(
      '/auth/backchannel-logout',
      {
        schema: {
          tags: ['federation'],
          summary: 'OIDC Back-Channel Logout from the company IdP (form-encoded logout_token)',
          consumes: ['application/x-www-form-urlencoded'],
          body: Type.Object({ logout_token: Type.String({ minLength: 1, maxLength: 8192 }) }, { additionalProperties: false }),
          response: { 200: untypedReply({ type: 'null' }) },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        let token;
        try {
          token = await federation.verifyLogoutToken(request.body.logout_token);
        } catch (error) {
          const detail = error instanceof UpstreamError ? error.message : 'the logout token could not be checked';
          request.log.warn({ event: 'upstream_logout.refused', reason: detail }, 'back-channel logout refused');
          deps.audit.emit({ action: 'auth.backchannel_logout', outcome: 'denied', reason: 'logout_token_refused', actor: {}, detail: { problem: detail } });
          throw problems.logoutTokenRefused(detail);
        }
        // Remember the jti for as long as the token itself could still be accepted.
        const acceptedUntilMs = (token.iat + LOGOUT_TOKEN_MAX_AGE_S + 2 * LOGOUT_TOKEN_SKEW_S) * 1000;
        const ended = await sessions.endUpstream(token, Math.max(0, acceptedUntilMs - deps.clock.now()) + 1000);
        if (ended === undefined) {
          request.log.warn({ event: 'upstream_logout.replayed', issuer: token.issuer }, 'back-channel logout token replayed');
          deps.audit.emit({ action: 'security.replay', outcome: 'denied', reason: 'logout_token_replayed', actor: {}, detail: { issuer: token.issuer } });
          throw problems.logoutTokenRefused('this logout token was already used');
        }
        request.log.info({ event: 'upstream_logout', issuer: token.issuer, subject: token.sub, upstreamSid: token.sid, ended }, 'company IdP logout: sessions ended');
        return reply.code(200).send();
      },
    );
  });

  if (deps.devIdp) devIdpPages(app, deps.devIdp);
}

/** The development IdP's own sign-in page: pick a demo person. */
function devIdpPages(app: FastifyInstance, dev: Provider): void {
  // TypeBox schemas: the handlers' params and body types are inferred from them (the TypeBox type provider).
  const uidParams = Type.Object({ uid: Type.String({ pattern: UID }) }, { additionalProperties: false });
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.get(`${DEV_IDP_PATH}/interaction/:uid`, { schema: { hide: true, params: uidParams } }, async (request, reply) => {
      const details = await dev.interactionDetails(request.raw, reply.raw);
      const buttons = DEMO_PEOPLE.map(
        (p) =>
          `<form method="post" action="${DEV_IDP_PATH}/interaction/${escapeHtml(details.uid)}/login"><input type="hidden" name="person" value="${escapeHtml(p.sub)}">
           <button type="submit" class="secondary" data-person="${escapeHtml(p.sub)}"><strong>${escapeHtml(p.name)}</strong><br><span class="muted">${escapeHtml(p.summary)}</span></button></form>`,
      ).join('');
      return html(
        reply,
        200,
        page(
          'Development IdP — choose a demo person',
          `<p class="banner">Development only: this stand-in for the company IdP signs anyone in without a password. Production refuses to start with it.</p>
           <div class="users">${buttons}</div>`,
        ),
      );
    });
    scope.post(
      `${DEV_IDP_PATH}/interaction/:uid/login`,
      { schema: { hide: true, params: uidParams, body: Type.Object({ person: Type.String({ maxLength: 64 }) }, { additionalProperties: false }) } },
      async (request, reply) => {
        const details = await dev.interactionDetails(request.raw, reply.raw);
        const person = DEMO_PEOPLE.find((p) => p.sub === request.body.person);
        if (!person) return html(reply, 400, page('Unknown demo person', '<p>Go back and choose one of the listed people.</p>'));
        const grant = new dev.Grant({ accountId: person.sub, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope ?? 'openid'));
        const grantId = await grant.save();
        reply.hijack();
        await dev.interactionFinished(
          request.raw,
          reply.raw,
          // The development IdP stands in for a company IdP that enforces multi-factor sign-in,
          // as the device policy expects on personal devices (devicePolicy requireMfa for BYOD):
          // without it no demo person could sign in from an app on an unmanaged device.
          { login: { accountId: person.sub, amr: ['pwd', 'mfa'] }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
      },
    );
  });
}

export { OAUTH_ROUTES };
