/**
 * Headers the pipeline (http/app.ts) puts on answers whatever the route: API, admin and SCIM
 * answers are not stored by any cache unless the route chose otherwise; the rest is left to the
 * route. Problems carry no-store themselves (sendProblem), so these routes answer with data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';

test('API, admin and SCIM answers with data are no-store; other paths and a route’s own choice are left alone', async () => {
  const app = testApp();
  for (const url of ['/api/v1/thing', '/admin/v1/thing', '/scim/v2/Thing', '/public/thing']) app.get(url, async () => ({ secret: 'personal data' }));
  app.get('/api/v1/cacheable', async (_request, reply) => reply.header('cache-control', 'private, max-age=60').send({ ok: true }));
  await app.ready();
  for (const url of ['/api/v1/thing', '/admin/v1/thing', '/scim/v2/Thing']) {
    const response = await app.inject({ method: 'GET', url });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store', `${url} must not be cached`);
  }
  assert.equal((await app.inject({ method: 'GET', url: '/public/thing' })).headers['cache-control'], undefined);
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/cacheable' })).headers['cache-control'], 'private, max-age=60');
  // The query string does not hide the path from the rule.
  assert.equal((await app.inject({ method: 'GET', url: '/api/v1/thing?x=1' })).headers['cache-control'], 'no-store');
  await app.close();
});
