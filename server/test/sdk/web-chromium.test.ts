/**
 * The SDK's web adapters in real Chromium (Playwright with the Debian Chromium): the built
 * module `sdk/dist/web/indexeddb.js` is served from a loopback origin and driven in the page.
 * The device key cannot be exported; the secure store keeps only ciphertext in IndexedDB;
 * nothing lands in localStorage, sessionStorage or cookies; after a reload the secret and the
 * key come back only through IndexedDB and the non-extractable store key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.ts';

const MODULE = path.resolve(import.meta.dirname, '../../../sdk/dist/web/indexeddb.js');
const SECRET = 'rt-SECRET-refresh-token-0123456789';

let server: Server;
let origin: string;
let browser: Browser;
let page: Page;

before(async () => {
  server = createServer((request, response) => {
    if (request.url === '/indexeddb.js' || request.url === '/posture.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path.join(path.dirname(MODULE), request.url.slice(1))));
      return;
    }
    // The offline store and what it imports, from the built package.
    if (request.url === '/offline.js' || request.url === '/errors.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path.join(path.dirname(MODULE), '..', request.url.slice(1))));
      return;
    }
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<!doctype html><title>sdk</title><script type="module">import * as web from '/indexeddb.js'; import * as offline from '/offline.js'; window.web = web; window.offline = offline; window.ready = true;</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

type Web = typeof import('../../../sdk/src/web/indexeddb.ts');
type Offline = typeof import('../../../sdk/src/offline.ts');

test('the device key is non-extractable, the store holds only ciphertext, nothing is in web storage or cookies, and a reload keeps both', async () => {
  const first = await page.evaluate(async (secret) => {
    const web = (window as unknown as { web: Web }).web;
    const keys = await web.indexedDbDeviceKey().keyPair();
    let exported: string;
    try {
      await crypto.subtle.exportKey('jwk', keys.privateKey);
      exported = 'yes';
    } catch {
      exported = 'refused';
    }
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new TextEncoder().encode('hello'));
    const store = web.encryptedIndexedDbStore();
    await store.set('palisade.session', JSON.stringify({ refreshToken: secret }));
    // Everything IndexedDB holds, as bytes and text, to look for the secret in plaintext.
    const dump = await new Promise<string>((resolve, reject) => {
      const request = indexedDB.open('palisade');
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const tx = request.result.transaction(['secrets', 'keys'], 'readonly');
        const all = tx.objectStore('secrets').getAll();
        all.onsuccess = () => {
          const text = all.result
            .map((entry: { iv: Uint8Array; data: ArrayBuffer }) => new TextDecoder('latin1').decode(entry.data) + JSON.stringify(Array.from(new Uint8Array(entry.data))))
            .join('|');
          resolve(text);
        };
      };
    });
    return {
      exported,
      extractable: keys.privateKey.extractable,
      signed: signature.byteLength,
      publicJwk: JSON.stringify(await crypto.subtle.exportKey('jwk', keys.publicKey)),
      dumpHasSecret: dump.includes(secret),
      dumpLength: dump.length,
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      cookie: document.cookie,
    };
  }, SECRET);
  assert.equal(first.exported, 'refused', 'the private device key cannot be exported');
  assert.equal(first.extractable, false);
  assert.equal(first.signed, 64, 'yet it signs (ES256, r||s)');
  assert.ok(first.dumpLength > 0, 'the store wrote to IndexedDB');
  assert.equal(first.dumpHasSecret, false, 'IndexedDB holds the refresh token only as ciphertext');
  assert.deepEqual([first.localStorage, first.sessionStorage, first.cookie], [0, 0, ''], 'no localStorage, sessionStorage or cookie was written');

  await page.reload();
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const second = await page.evaluate(async () => {
    const web = (window as unknown as { web: Web }).web;
    const keys = await web.indexedDbDeviceKey().keyPair();
    const store = web.encryptedIndexedDbStore();
    const session = await store.get('palisade.session');
    await store.clear();
    return { publicJwk: JSON.stringify(await crypto.subtle.exportKey('jwk', keys.publicKey)), extractable: keys.privateKey.extractable, session, afterClear: (await store.get('palisade.session')) ?? null };
  });
  assert.equal(second.publicJwk, first.publicJwk, 'the same device key after a reload');
  assert.equal(second.extractable, false, 'still non-extractable after a reload');
  assert.equal(JSON.parse(second.session ?? '{}').refreshToken, SECRET, 'the session comes back through the encrypted store');
  assert.equal(second.afterClear, null, 'clear() erases it');
});

test('the web platform\'s posture facts are what this Chromium says of itself (its client hints), and nothing about a device', async () => {
  const facts = await page.evaluate(async () => {
    const web = (window as unknown as { web: Web }).web;
    const hints = (navigator as unknown as { userAgentData?: { brands: { brand: string }[]; mobile: boolean; platform: string } }).userAgentData;
    return { facts: await web.webPlatform({ appVersion: '2.4.0', database: 'posture-test' }).posture?.(), brands: hints?.brands.map((b) => b.brand) ?? [], platform: hints?.platform, mobile: hints?.mobile, off: web.webPlatform({ appVersion: '1.0.0', posture: false }).posture };
  });
  assert.ok(facts.facts, 'the web build sends a report');
  const { platform, appVersion, browser, browserVersion, os, mobile, ...rest } = facts.facts as unknown as Record<string, unknown>;
  assert.deepEqual([platform, appVersion, os, mobile], ['web', '2.4.0', facts.platform, facts.mobile]);
  assert.ok(facts.brands.includes(browser as string), `the brand is one Chromium names: ${String(browser)} of ${facts.brands.join(', ')}`);
  assert.match(String(browserVersion), /^[0-9]+$/, 'a low-entropy hint: the major version only');
  assert.deepEqual(rest, {}, 'no device fact, no OS version');
  assert.equal(facts.off, undefined, 'posture: false sends none');
});

test('web offline store: IndexedDB holds only ciphertext under a non-extractable key, refused fields never arrive, a reload keeps the rest, wipe erases it', async () => {
  const openapi = {
    paths: {
      '/api/v1/sites/{id}': {
        get: {
          responses: {
            '200': {
              content: {
                'application/json': {
                  schema: { type: 'object', properties: { id: { type: 'string', 'x-palisade-offline': true }, name: { type: 'string', 'x-palisade-offline': true }, accessNotes: { type: 'string', 'x-palisade-offline': false } } },
                },
              },
            },
          },
        },
      },
    },
  };
  const first = await page.evaluate(async (doc) => {
    const { web, offline } = window as unknown as { web: Web; offline: Offline };
    const store = new offline.OfflineStore({ backend: web.encryptedIndexedDbStore('palisade-offline'), policy: offline.offlinePolicy(doc), config: { offline_allowed: true } });
    await store.put('GET /api/v1/sites/{id}', 's1', { id: 's1', name: 'Depot DEPOT-PLAINTEXT' });
    let refused = '';
    try {
      await store.put('GET /api/v1/sites/{id}', 's2', { id: 's2', name: 'Yard', accessNotes: 'GATE-CODE-4411' });
    } catch (error) {
      refused = (error as { code: string }).code;
    }
    const dump = await new Promise<{ text: string; keyExtractable: boolean }>((resolve, reject) => {
      const request = indexedDB.open('palisade-offline');
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const tx = request.result.transaction(['secrets', 'keys'], 'readonly');
        const all = tx.objectStore('secrets').getAll();
        const key = tx.objectStore('keys').get('store-key');
        tx.oncomplete = () =>
          resolve({ text: all.result.map((e: { data: ArrayBuffer }) => new TextDecoder('latin1').decode(e.data)).join('|'), keyExtractable: (key.result as CryptoKey).extractable });
      };
    });
    return { refused, hasPlain: dump.text.includes('DEPOT-PLAINTEXT'), hasRefused: dump.text.includes('GATE-CODE'), keyExtractable: dump.keyExtractable, length: dump.text.length };
  }, openapi);
  assert.equal(first.refused, 'offline-refused', 'the sensitive field is refused');
  assert.ok(first.length > 0);
  assert.equal(first.hasPlain, false, 'IndexedDB holds the record only as ciphertext');
  assert.equal(first.hasRefused, false, 'the refused record never reached IndexedDB');
  assert.equal(first.keyExtractable, false, 'the AES-GCM key cannot be exported');

  await page.reload();
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const second = await page.evaluate(async (doc) => {
    const { web, offline } = window as unknown as { web: Web; offline: Offline };
    const store = new offline.OfflineStore({ backend: web.encryptedIndexedDbStore('palisade-offline'), policy: offline.offlinePolicy(doc), config: { offline_allowed: true } });
    const kept = await store.get<{ name: string }>('GET /api/v1/sites/{id}', 's1');
    await store.clear();
    const afterWipe = (await store.get('GET /api/v1/sites/{id}', 's1')) ?? null;
    const off = new offline.OfflineStore({ backend: web.encryptedIndexedDbStore('palisade-offline'), policy: offline.offlinePolicy(doc), config: { offline_allowed: false } });
    let code = '';
    try {
      await off.put('GET /api/v1/sites/{id}', 's1', { id: 's1' });
    } catch (error) {
      code = (error as { code: string }).code;
    }
    return { kept: kept?.name ?? null, afterWipe, code };
  }, openapi);
  assert.equal(second.kept, 'Depot DEPOT-PLAINTEXT', 'a reload reads it back through the key');
  assert.equal(second.afterWipe, null, 'wipe erases it');
  assert.equal(second.code, 'offline-not-allowed', 'off where the app config says offline_allowed: false');
});
