/**
 * The React bindings rendered by React itself (react-dom/server): the provider hands the client
 * to the hooks, useSession and useLock read the client's state, useApi gives the typed client;
 * PalisadeClient.subscribe, which the hooks subscribe through, reports every state change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { PalisadeClient, memoryDeviceKey, memorySecureStore } from '../../../sdk/src/index.ts';
import { PalisadeProvider, useApi, useLock, useSession } from '../../../sdk/src/react/index.ts';

const client = () =>
  new PalisadeClient({
    issuer: 'https://palisade.test',
    clientId: 'field-app',
    appKey: 'pk',
    platform: { fetch, deviceKey: memoryDeviceKey(), store: memorySecureStore(), describe: () => ({ platform: 'web', model: 'test', osVersion: '1', appVersion: '1' }) },
    idleTimeoutMs: 0,
  });

function Status() {
  const { state } = useSession();
  const { locked } = useLock();
  const api = useApi();
  return createElement('p', null, `${state} ${locked ? 'locked' : 'open'} ${typeof api.GET}`);
}

test('the hooks read the client given to the provider', async () => {
  const c = client();
  const seen: string[] = [];
  const stop = c.subscribe((state, reason) => seen.push(`${state}:${reason}`));
  assert.equal(renderToString(createElement(PalisadeProvider, { client: c }, createElement(Status))), '<p>signed-out open function</p>');
  await c.signOut({ erase: false });
  c.lock('idle');
  assert.equal(renderToString(createElement(PalisadeProvider, { client: c }, createElement(Status))), '<p>locked locked function</p>');
  stop();
  c.lock('idle');
  assert.deepEqual(seen, ['signed-out:signed-out', 'locked:idle'], 'subscribers hear each change until they unsubscribe');
});

test('a hook outside the provider says what is missing', () => {
  assert.throws(() => renderToString(createElement(Status)), /PalisadeProvider/);
});
