/**
 * Route policies are checked when a route is registered: with an authorization stage (as the
 * server always runs), an /api or /admin route that names no permission of the matrix, or one
 * that deletes, cancels or ends something without a destructive (step-up) permission, cannot be
 * registered — the server would not start. A route's permission and step-up are published on its
 * operation in /openapi.json. No database: the stage is never asked to decide here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { authorizationStage, PERMISSIONS, rule } from '../../src/authz/index.ts';
import { NOT_DESTRUCTIVE, ROUTES_WITHOUT_PERMISSION, looksDestructive } from '../../src/authz/matrix.ts';
import type { Database } from '../../src/db/index.ts';

const withStage = () => testApp({ authorization: authorizationStage({} as Database) });
const schema = { querystring: { type: 'object', additionalProperties: false } } as const;

describe('route policies at registration', () => {
  test('an /api or /admin route without a permission is refused, whatever else it declares', async () => {
    for (const [method, url] of [['GET', '/api/v1/secret'], ['POST', '/admin/v1/things'], ['GET', '/api/v2/hidden']] as const) {
      const app = withStage();
      await assert.rejects(async () => {
        app.route({ method, url, schema: { ...schema, hide: true }, handler: async () => ({}) });
        await app.ready();
      }, /names no permission/, `${method} ${url}`);
    }
  });

  test('a permission that is not in the matrix is refused', async () => {
    const app = withStage();
    await assert.rejects(async () => {
      app.get('/api/v1/things', { config: { permission: 'things.read' as never }, schema }, async () => ({}));
      await app.ready();
    }, /not in authz\/matrix\.ts/);
  });

  test('a DELETE, or a POST that cancels, revokes, wipes or removes, needs a destructive permission', async () => {
    for (const [method, url] of [['DELETE', '/api/v1/customers/:id'], ['POST', '/api/v1/jobs/:id/archive'], ['POST', '/admin/v1/users/:id/revoke']] as const) {
      const app = withStage();
      await assert.rejects(async () => {
        app.route({ method, url, config: { permission: 'customers.create' }, schema, handler: async () => ({}) });
        await app.ready();
      }, /not marked destructive/, `${method} ${url}`);
    }
    const app = withStage();
    app.delete('/api/v1/shifts/:id', { config: { permission: 'schedules.remove' }, schema }, async () => ({}));
    await app.ready();
  });

  test('routes outside /api and /admin, and the listed routes no person calls, need none', async () => {
    const app = withStage();
    app.get('/healthz-too', { schema }, async () => ({}));
    app.post('/scim/v2/Things', { schema }, async () => ({}));
    for (const route of Object.keys(ROUTES_WITHOUT_PERMISSION)) {
      const [method, url] = route.split(' ') as ['POST', string];
      app.route({ method, url, schema, handler: async () => ({}) });
    }
    await app.ready();
  });

  test('the permission and its step-up are published on the operation in /openapi.json', async () => {
    const app = withStage();
    // In a plugin, as the server's modules are: after @fastify/swagger's route hook is in place.
    app.register(async (api) => {
      api.get('/api/v1/things', { config: { permission: 'jobs.read' }, schema }, async () => ({}));
      api.post('/api/v1/things/:id/cancel', { config: { permission: 'jobs.cancel' }, schema }, async () => ({}));
    });
    await app.ready();
    const paths = app.swagger().paths as Record<string, Record<string, Record<string, unknown>>>;
    assert.equal(paths['/api/v1/things']!.get!['x-palisade-permission'], 'jobs.read');
    assert.equal(paths['/api/v1/things']!.get!['x-palisade-step-up'], undefined);
    assert.equal(paths['/api/v1/things/{id}/cancel']!.post!['x-palisade-permission'], 'jobs.cancel');
    assert.equal(paths['/api/v1/things/{id}/cancel']!.post!['x-palisade-step-up'], true);
  });
});

describe('the matrix marks destructive actions', () => {
  test('every destructive permission needs step-up', () => {
    for (const [name, r] of Object.entries(PERMISSIONS)) {
      if (rule(name as keyof typeof PERMISSIONS).destructive) assert.equal((r as { stepUp?: boolean }).stepUp, true, name);
    }
  });

  test('what looks destructive: DELETE, and POST to a verb that ends something; the listed exceptions say why', () => {
    assert.ok(looksDestructive('DELETE', '/api/v1/shifts/:id'));
    assert.ok(looksDestructive('POST', '/api/v1/jobs/:id/cancel'));
    assert.ok(looksDestructive('POST', '/admin/v1/devices/:id/wipe'));
    assert.ok(!looksDestructive('POST', '/api/v1/session/unlock'));
    assert.ok(!looksDestructive('POST', '/api/v1/jobs'));
    for (const [route, why] of Object.entries(NOT_DESTRUCTIVE)) {
      const [method, url] = route.split(' ') as [string, string];
      assert.ok(!looksDestructive(method, url) && why.length > 20, route);
    }
  });
});
