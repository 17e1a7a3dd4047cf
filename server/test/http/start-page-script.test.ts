/**
 * The start page's script is the SDK's web build bundled by `npm install`
 * (console/start-page/start.ts → console/dist-start/start.js), served as a file so the page's
 * strict CSP holds. Its signatures, DPoP proofs and storage are proved in Chromium
 * (e2e/sdk-browser.test.ts, e2e/start-page.test.ts); here: the served script is that bundle, one
 * self-contained module (nothing else to load under `script-src 'self'`), and no part of it —
 * the SDK and its libraries included — touches a storage a script or another page can read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testApp } from '../helpers/app.ts';
import { START_PAGE_SCRIPT, startPage } from '../../src/http/start-page.ts';

test('/assets/start.js is the bundled SDK web build: one module, no web storage, no cookies, no eval', async () => {
  const app = testApp();
  await app.register(startPage, { development: true });
  try {
    const response = await app.inject({ method: 'GET', url: '/assets/start.js' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/javascript; charset=utf-8');
    const script = response.body;
    assert.equal(script, readFileSync(START_PAGE_SCRIPT, 'utf8'), 'the served script is the bundle npm install built');
    // The SDK's code is in it: DPoP and the encrypted IndexedDB store, not a hand-written flow.
    assert.match(script, /dpop_jkt/);
    assert.match(script, /AES-GCM/);
    assert.match(script, /palisade-start/);
    assert.doesNotMatch(script, /\bimport\s*\(|^\s*import\s.+from\s/m, 'no further module to load: the bundle is self-contained');
    for (const api of ['localStorage', 'sessionStorage', 'document.cookie', 'eval(', 'new Function(']) {
      assert.ok(!script.includes(api), `the start page's script must not use ${api}`);
    }
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.match(page.body, /<script src="\/assets\/start\.js" type="module"><\/script>/, 'the page loads it as a module from a file');
    assert.doesNotMatch(page.body, /<script>/, 'no inline script');
  } finally {
    await app.close();
  }
});
