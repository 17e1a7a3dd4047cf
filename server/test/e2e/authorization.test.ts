/**
 * Authorization as an attacker tries it, over HTTPS against a server started the README's way,
 * on PGlite and PostgreSQL.
 *
 * - An administrator whose `admin` role another administrator removed keeps a valid access
 *   token that still says `roles: [admin]`. It must be refused at once (403 problem+json) on
 *   every admin route, and the refusals must be in the audit trail as authorization failures.
 * - Every /api and /admin operation in /openapi.json names a permission of the matrix (or is
 *   one of the few no person calls), and refuses a token whose roles were all removed after it
 *   was issued — the token's `roles` claim is never an input to a decision.
 * - Every operation that deletes, cancels or ends something is marked destructive in the matrix
 *   and answers a sign-in older than `sessions.stepUpMaxAge` with the RFC 9470 challenge, in
 *   the `DPoP` scheme for a DPoP-bound token (RFC 9449 §7.1) and `Bearer` for a bearer token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startPalisade, type StartedServer } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, relaxedPosture, type SignedIn } from '../helpers/mobile-app.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import { isPermission, rule } from '../../src/authz/index.ts';
import { NOT_DESTRUCTIVE, ROUTES_WITHOUT_PERMISSION } from '../../src/authz/matrix.ts';
import { ROLE_NAMES } from '../../src/config/schema.ts';

const PROBLEM = 'https://palisade.dev/problems/';
const STEP_UP_ACR = 'urn:corp:mfa';
const MAX_AGE_S = 300;

interface Operation {
  method: string;
  /** As the OpenAPI document writes it: /api/v1/jobs/{id}. */
  path: string;
  /** As Fastify (and the audit trail) names the route: /api/v1/jobs/:id. */
  route: string;
  permission: string | undefined;
  stepUp: boolean;
  bearer: boolean;
}

/**
 * What deletes, cancels or ends something, stated here independently of the server's own rule:
 * every DELETE, and a POST to such a verb. A new route of that kind whose permission is not
 * marked destructive (with step-up) fails the tests below.
 */
const looksDestructive = (op: Operation) =>
  !Object.hasOwn(NOT_DESTRUCTIVE, `${op.method} ${op.route}`) && (op.method === 'DELETE' || (op.method === 'POST' && /\/(cancel|revoke|wipe|lock|delete|remove|purge|archive|reset|erase)$/.test(op.path)));

for (const kind of databaseKinds()) {
  describe(`authorization decided by the database, never by the token (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: StartedServer;
    let app: MobileApp;
    let operations: Operation[];
    /** The second administrator: a manager granted `admin` in Palisade by the first. */
    let second: () => Promise<SignedIn>;
    const subOf = (session: SignedIn) => decodeJwt(session.tokens.access_token).sub as string;
    const sidOf = (session: SignedIn) => decodeJwt(session.tokens.access_token).sid as string;
    const setRoles = async (by: SignedIn, userId: string, roles: { granted: string[]; removed: string[] }) => {
      const answer = await app.call(`/admin/v1/users/${userId}/roles`, by.tokens.access_token, { method: 'PUT', body: JSON.stringify(roles) });
      assert.equal(answer.status, 200, answer.text);
      return answer.body as { roles: string[] };
    };
    /** The operation's path with its parameters filled (any value: authorization comes first). */
    const filled = (op: Operation) => op.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'app' ? 'field-app' : name === 'id' && op.path.includes('/keys/') ? 'AAAAAAAAAAAA' : randomUUID()));
    /** Waits (hang guard only) until the audit trail, searched by `by`, holds what `enough` wants. */
    const auditUntil = async <T>(by: () => Promise<SignedIn>, query: string, enough: (events: T[]) => boolean): Promise<T[]> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const answer = await app.call(`/admin/v1/audit/events?${query}`, (await by()).tokens.access_token);
        assert.equal(answer.status, 200, answer.text);
        const events = answer.body.events as T[];
        if (enough(events) || Date.now() > deadline) return events;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      const federated = await federatedTo(database);
      upstream = federated.upstream;
      server = await startPalisade({
        ...federated.env,
        PALISADE_MASTER_KEY: generateMasterKey(),
        // DPoP allowed, not required: the step-up challenge is checked in both schemes.
        PALISADE_CLIENTS: JSON.stringify([{ id: 'field-app', name: 'Field Service', redirectUris: ['http://127.0.0.1/callback'], dpop: 'allowed' }]),
        PALISADE_SESSIONS_STEP_UP_ACR: STEP_UP_ACR,
        // The bearer-token sign-in has no device key to sign a posture report with.
        PALISADE_DEVICE_POLICY: relaxedPosture('field-app'),
      });
      app = new MobileApp(server.url, server.ca);
      const document = (await (await app.http.fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
      operations = Object.entries(document.paths).flatMap(([path, methods]) =>
        /^\/(api|admin)\//.test(path)
          ? Object.entries(methods).map(([method, op]) => ({
              method: method.toUpperCase(),
              path,
              route: path.replace(/\{(\w+)\}/g, ':$1'),
              permission: op['x-palisade-permission'] as string | undefined,
              stepUp: op['x-palisade-step-up'] === true,
              bearer: ((op.security ?? []) as Record<string, unknown>[]).some((s) => 'bearer' in s),
            }))
          : [],
      );
      // Two administrators: Alex (admin from the IdP's groups) grants admin to Morgan (a manager).
      const morgan = subOf(await app.signIn('u-manager'));
      const alex = await app.signIn('u-admin');
      assert.deepEqual((await setRoles(alex, morgan, { granted: ['admin'], removed: [] })).roles.sort(), ['admin', 'manager']);
      second = () => app.signIn('u-manager');
    });
    after(async () => {
      await server?.stop();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('every /api and /admin operation names a permission of the matrix; the exceptions are exactly the listed ones, and take no token', () => {
      assert.ok(operations.length > 40, `${operations.length} operations`);
      const unnamed = operations.filter((op) => op.permission === undefined).map((op) => `${op.method} ${op.route}`);
      assert.deepEqual(unnamed.sort(), Object.keys(ROUTES_WITHOUT_PERMISSION).sort());
      for (const op of operations) {
        if (op.permission === undefined) {
          assert.ok(!op.bearer, `${op.method} ${op.route} takes no bearer token`);
          continue;
        }
        assert.ok(isPermission(op.permission), `${op.method} ${op.route}: ${op.permission}`);
        assert.equal(op.stepUp, rule(op.permission).stepUp === true, `${op.method} ${op.route}: step-up as the matrix says`);
      }
    });

    test('an admin whose admin role another admin removed is refused on the admin routes with the same token, and each refusal is audited', async () => {
      const tech = await app.signIn('u-tech');
      const victim = await app.signIn('u-admin');
      const alex = subOf(victim);
      assert.ok((decodeJwt(victim.tokens.access_token).roles as string[]).includes('admin'), 'the token says admin');
      const five = [
        { method: 'GET', path: '/admin/v1/audit/events', route: '/admin/v1/audit/events' },
        { method: 'GET', path: `/admin/v1/users/${subOf(tech)}/sessions`, route: '/admin/v1/users/:id/sessions' },
        { method: 'GET', path: '/admin/v1/device-commands', route: '/admin/v1/device-commands' },
        { method: 'POST', path: '/admin/v1/apps/field-app/keys', route: '/admin/v1/apps/:app/keys', body: JSON.stringify({ name: 'kept by a removed admin' }) },
        { method: 'DELETE', path: `/admin/v1/sessions/${sidOf(tech)}`, route: '/admin/v1/sessions/:id' },
      ];
      // While the role holds, the token is served: the refusals below are the removal's doing.
      for (const call of five.filter((c) => c.method === 'GET')) {
        assert.equal((await app.call(call.path, victim.tokens.access_token)).status, 200, `${call.path} before the removal`);
      }

      assert.deepEqual((await setRoles(await second(), alex, { granted: [], removed: ['admin'] })).roles, ['manager']);

      for (const call of five) {
        const answer = await app.call(call.path, victim.tokens.access_token, { method: call.method, ...(call.body ? { body: call.body } : {}) });
        assert.equal(answer.status, 403, `${call.method} ${call.path}: ${answer.text.slice(0, 200)}`);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(answer.body.type, `${PROBLEM}forbidden`);
        assert.ok(answer.body.permission, 'the missing permission is named');
      }
      assert.equal((await app.call('/api/v1/me', tech.tokens.access_token)).status, 200, 'the technician’s session was not ended');
      const keys = (await app.call('/admin/v1/apps/field-app/keys', (await second()).tokens.access_token)).body.keys as { name: string }[];
      assert.ok(!keys.some((k) => k.name === 'kept by a removed admin'), 'no key was made');

      type Denied = { reason?: string; outcome: string; resource?: { id?: string }; detail?: { permission?: string } };
      const routes = five.map((c) => `${c.method} ${c.route}`);
      const denied = await auditUntil<Denied>(second, `action=http.denied&user=${alex}`, (events) => routes.every((r) => events.some((e) => e.resource?.id === r)));
      for (const route of routes) {
        const event = denied.find((e) => e.resource?.id === route);
        assert.ok(event, `${route} refusal audited`);
        assert.equal(event.outcome, 'denied');
        assert.equal(event.reason, 'permission_missing', route);
        assert.ok(event.detail?.permission, route);
      }
    });

    test('every /api and /admin operation refuses a token whose roles were all removed after it was issued: the removal ended its session', async () => {
      // Alex holds every role (two granted in Palisade), and signs in: the token names all four.
      const alex = subOf(await app.signIn('u-admin'));
      await setRoles(await second(), alex, { granted: ['technician', 'dispatcher'], removed: [] });
      const victim = await app.signIn('u-admin');
      assert.deepEqual([...(decodeJwt(victim.tokens.access_token).roles as string[])].sort(), [...ROLE_NAMES].sort());
      assert.equal((await app.call('/api/v1/me/permissions', victim.tokens.access_token)).status, 200, 'served before the removal');

      // No role left: the person's sessions end with it (role-loss.test.ts), so whatever the
      // token still claims, every operation answers that the session has ended.
      await setRoles(await second(), alex, { granted: [], removed: [...ROLE_NAMES] });

      const served: string[] = [];
      const walked = operations.filter((o) => !Object.hasOwn(ROUTES_WITHOUT_PERMISSION, `${o.method} ${o.route}`));
      assert.ok(walked.length > 40, `${walked.length} operations`);
      for (const op of walked) {
        const answer = await app.call(filled(op), victim.tokens.access_token, { method: op.method });
        if (answer.status !== 401 || answer.body.type !== `${PROBLEM}session-revoked`) served.push(`${op.method} ${op.route}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
      assert.deepEqual(served, [], 'every operation refuses with 401 session-revoked');
      // Restored for the tests after this one; a new sign-in is served again.
      await setRoles(await second(), alex, { granted: [], removed: [] });
      assert.equal((await app.call('/api/v1/me', (await app.signIn('u-admin')).tokens.access_token)).status, 200);
    });

    test('every operation that deletes, cancels or ends something is marked destructive and needs step-up', () => {
      const destructive = operations.filter(looksDestructive);
      assert.ok(destructive.length >= 8, destructive.map((op) => op.route).join(', '));
      for (const op of destructive) {
        assert.ok(op.permission && rule(op.permission as never).destructive === true, `${op.method} ${op.route}: ${op.permission} must be marked destructive`);
        assert.ok(op.stepUp, `${op.method} ${op.route} must need step-up`);
      }
    });

    test('a sign-in older than the step-up window gets the RFC 9470 challenge on every step-up operation: DPoP scheme for a DPoP-bound token, Bearer for a bearer token', async () => {
      upstream.staleLoginSeconds = 3600;
      let dpop: SignedIn;
      let bearer: SignedIn;
      try {
        dpop = await second();
        bearer = await app.signIn('u-manager', { dpop: false });
      } finally {
        upstream.staleLoginSeconds = 0;
      }
      assert.ok((decodeJwt(dpop.tokens.access_token).cnf as { jkt?: string } | undefined)?.jkt, 'DPoP-bound');
      assert.equal(decodeJwt(bearer.tokens.access_token).cnf, undefined, 'a bearer token');
      const challenge = `error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=${MAX_AGE_S}, acr_values="${STEP_UP_ACR}"`;
      const wrong: string[] = [];
      const stepUp = operations.filter((op) => op.stepUp);
      assert.ok(stepUp.length >= 12, `${stepUp.length} step-up operations`);
      for (const op of stepUp) {
        for (const [session, scheme] of [
          [dpop, /^DPoP algs="[A-Za-z0-9 ]+", realm="palisade", /],
          [bearer, /^Bearer realm="palisade", /],
        ] as const) {
          const answer = await app.call(filled(op), session.tokens.access_token, { method: op.method });
          const header = answer.headers.get('www-authenticate') ?? '';
          if (answer.status !== 401 || answer.body.type !== `${PROBLEM}step-up-required` || answer.body.maxAge !== MAX_AGE_S || answer.body.acrValues !== STEP_UP_ACR || !scheme.test(header) || !header.endsWith(challenge)) {
            wrong.push(`${op.method} ${op.route} (${scheme.source.slice(1, 5)}): ${answer.status} ${header} ${answer.text.slice(0, 120)}`);
          }
        }
      }
      assert.deepEqual(wrong, []);
      // The same stale sign-ins are served where no step-up is asked.
      assert.equal((await app.call('/admin/v1/device-commands', dpop.tokens.access_token)).status, 200);
      assert.equal((await app.call('/api/v1/jobs', bearer.tokens.access_token)).status, 200);
    });
  });
}
