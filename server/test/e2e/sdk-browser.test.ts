/**
 * The SDK's web build (`@palisade/client/web`) in real Chromium, through the start page that is
 * built on it (console/start-page/start.ts): Palisade runs in the test's process with its
 * development IdP and a self-signed certificate (start-page.test.ts starts it the README's way,
 * `npm start` with every development default and the demo data, which this test does not read),
 * and the machine's Chromium — driven by playwright-core — signs a demo person in. The test then
 * attacks what the browser keeps:
 *
 * - the device key (and the secure store's key) cannot be exported: `crypto.subtle.exportKey` on
 *   the CryptoKey read back from IndexedDB rejects, and that key is the one the tokens are bound to;
 * - no token or key is readable in localStorage, sessionStorage, cookies (the page's and the
 *   browser's cookie jar) or IndexedDB: every value of every object store of every database is
 *   scanned, bytes included, for the access, refresh and ID token and the request-signing key the
 *   token endpoint sent; a planted plaintext proves the scan finds one;
 * - a refresh token taken from the browser is refused at the token endpoint without a DPoP proof
 *   and with a proof of another key (and the browser's own refresh with it still works after);
 * - a reload keeps the session only through the encrypted store: the reload restores it (a refresh
 *   grant, a new access token), and with the store's key deleted the next reload is signed out.
 *
 * No CSP violation, no console error, no page error on the way. One browser for the file, one
 * server and one browser profile per database.
 * Needs Chromium at /usr/bin/chromium (`apt-get install -y chromium`), or PALISADE_TEST_CHROMIUM.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumMissing, fileBrowser } from '../helpers/chromium.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess } from '../helpers/server.ts';
import type { RunningServer } from '../../src/main.ts';
import { DEMO_PEOPLE } from '../../src/oauth/dev-idp.ts';

const browserMissing = chromiumMissing;
/** Generous for a cold browser on a busy CI machine: a hang guard, not a speed assertion. */
const STEP_TIMEOUT = 30_000;
/** The start page's SDK database (console/start-page/start.ts). */
const DATABASE = 'palisade-start';

/** What the token endpoint sent the browser: the strings that must never be readable at rest. */
interface Issued {
  grant: string;
  token_type: string;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  signing_key?: string;
}

interface Entry {
  database: string;
  store: string;
  key: string;
  text: string;
}

/**
 * Runs in the page: every entry of every object store of every IndexedDB database, each value
 * rendered as text — strings as they are, bytes (ArrayBuffer, typed arrays) as Latin-1 and as
 * UTF-8, CryptoKeys as their description, objects and arrays member by member — so a token
 * stored in any form a script can read shows up in `text`.
 */
async function dumpIndexedDb(): Promise<Entry[]> {
  const render = (value: unknown, depth = 0): string => {
    if (depth > 8 || value === null || value === undefined) return String(value);
    if (typeof value === 'string') return value;
    if (typeof value !== 'object') return String(value);
    if (value instanceof CryptoKey) return `[CryptoKey ${value.type} ${value.algorithm.name} extractable=${value.extractable}]`;
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : undefined;
    if (bytes) return `${Array.from(bytes, (b) => String.fromCharCode(b)).join('')}\n${new TextDecoder().decode(bytes)}`;
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${render(v, depth + 1)}`)
      .join('\n');
  };
  const request = <T>(r: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  const entries: Entry[] = [];
  for (const info of await indexedDB.databases()) {
    const name = info.name!;
    const db = await request(indexedDB.open(name));
    for (const store of Array.from(db.objectStoreNames)) {
      const s = db.transaction(store, 'readonly').objectStore(store);
      const [keys, values] = await Promise.all([request(s.getAllKeys()), request(s.getAll())]);
      keys.forEach((key, i) => entries.push({ database: name, store, key: render(key), text: render(values[i]) }));
    }
    db.close();
  }
  return entries;
}

// One Chromium for the file, launched while the first server starts: both servers use one
// development certificate made up front (helpers/chromium.ts), and Chromium trusts its pin alone.
// Each database's run has its own browser profile.
const shared = fileBrowser(browserMissing);

for (const kind of databaseKinds()) {
  describe(`the SDK's web build in Chromium (${kind.kind})`, { skip: browserMissing }, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let api: Agent;
    const problems: string[] = [];
    /** The token endpoint's DPoP nonce challenges, and the console's "Failed to load resource" 400s. */
    const nonceChallenges: string[] = [];
    const resourceErrors: string[] = [];
    /** No CSP violation, console error, page error or 404; a logged 400 only for each nonce challenge. */
    const clean = (when: string) => {
      assert.deepEqual(problems, [], `${when}: no CSP violation, console error, page error or 404`);
      assert.equal(resourceErrors.length, nonceChallenges.length, `${when}: every failed load the console logged is a DPoP nonce challenge (${nonceChallenges.length})`);
    };
    const issued: Issued[] = [];

    before(async () => {
      database = await kind.create({ migrated: true });
      shared.certificate.install(database.dataDir);
      // The development IdP (no company IdP); no demo data, which nothing here reads.
      let ca: string;
      ({ server, ca } = await startInProcess(database, { env: {} }, await freePort(), { PALISADE_DEMO_SEED: 'false' }));
      assert.equal(server.pin, shared.certificate.pin, 'the server announces the pin of the certificate Chromium trusts');
      api = new Agent({ connect: { ca } });
      browser = await shared.browser();
      context = await browser.newContext();
      context.setDefaultTimeout(STEP_TIMEOUT);
      // A CSP violation is reported as a console error (Chromium logs one too): nothing may slip by.
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
      });
      page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        if (message.text() === 'Failed to load resource: the server responded with a status of 400 (Bad Request)') resourceErrors.push(message.text());
        else problems.push(`console error: ${message.text()}`);
      });
      page.on('response', (response) => {
        if (response.status() === 404) problems.push(`404: ${response.url()}`);
        // RFC 9449's nonce challenge: the token endpoint answers the first proof of a key with
        // 400 use_dpop_nonce and a DPoP-Nonce header, the SDK retries with the nonce. Chromium
        // logs each such 400 as "Failed to load resource"; those, and only as many, are expected.
        if (response.status() === 400 && new URL(response.url()).pathname === '/oauth2/token' && response.headers()['dpop-nonce']) {
          nonceChallenges.push(response.url());
          response.json().then(
            (body: { error?: string }) => {
              if (body.error !== 'use_dpop_nonce') problems.push(`token endpoint refused: ${JSON.stringify(body)}`);
            },
            (error: Error) => problems.push(`token refusal unreadable: ${error.message}`),
          );
        }
        if (new URL(response.url()).pathname !== '/oauth2/token' || response.status() !== 200) return;
        const grant = new URLSearchParams(response.request().postData() ?? '').get('grant_type') ?? '';
        response.json().then(
          (body: Omit<Issued, 'grant'>) => issued.push({ grant, ...body }),
          (error: Error) => problems.push(`token response unreadable: ${error.message}`),
        );
      });
    });

    after(async () => {
      await api?.close();
      await context?.close();
      await server?.close();
      await database?.drop();
    });

    const textOf = async (selector: string) => ((await page.locator(selector).textContent()) ?? '').trim();
    /** The summary is filled once both API calls answered; an error panel fails the test. */
    async function summaryShown(): Promise<void> {
      await page.waitForFunction(() => (document.getElementById('calls')?.children.length ?? 0) >= 2 || !document.getElementById('error')?.hidden);
      if (await page.locator('#error').isVisible()) assert.fail(`the page shows an error: ${await page.locator('#error').innerText()}`);
      await page.locator('#signed-in').waitFor({ state: 'visible' });
    }
    /**
     * Waits until `n` token responses were read (their bodies are parsed as they arrive); a hang
     * guard, not a timing assertion: the count itself is asserted by the caller.
     */
    async function issuedCount(n: number): Promise<void> {
      for (let i = 0; i < 600 && issued.length < n; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    /** Every secret string the token endpoint has sent so far. */
    const secrets = () => issued.flatMap((t) => [t.access_token, t.refresh_token, t.id_token, t.signing_key].filter((s): s is string => typeof s === 'string' && s.length > 0));

    /** localStorage, sessionStorage and cookies hold none of `secrets`; IndexedDB neither, as the scan sees it. */
    async function nothingReadable(when: string): Promise<Entry[]> {
      const web = await page.evaluate(() => ({
        local: Object.entries({ ...localStorage }),
        session: Object.entries({ ...sessionStorage }),
        cookie: document.cookie,
      }));
      assert.deepEqual(web.local, [], `${when}: nothing in localStorage`);
      assert.deepEqual(web.session, [], `${when}: nothing in sessionStorage`);
      const jar = await context.cookies();
      const entries = await page.evaluate(dumpIndexedDb);
      for (const secret of secrets()) {
        const tail = secret.slice(-6);
        assert.ok(!web.cookie.includes(secret), `${when}: a script-readable cookie holds a secret (…${tail})`);
        for (const c of jar) assert.ok(!c.value.includes(secret), `${when}: cookie ${c.name} holds a secret (…${tail})`);
        for (const e of entries) assert.ok(!e.text.includes(secret) && !e.key.includes(secret), `${when}: IndexedDB ${e.database}/${e.store}/${e.key} holds a secret in plaintext (…${tail})`);
      }
      return entries;
    }

    test('the web build signs in: PKCE and DPoP, the tokens bound to the browser’s device key, the calls signed', async () => {
      const response = await page.goto(`${server.url}/`);
      assert.equal(response?.status(), 200);
      await page.click('#sign-in');
      await page.waitForURL(/\/dev-idp\/interaction\//);
      await page.click('button[data-person="demo-technician"]');
      await page.waitForURL(`${server.url}/`);
      await summaryShown();
      assert.equal(await textOf('#who-name'), DEMO_PEOPLE.find((p) => p.sub === 'demo-technician')!.name);
      await issuedCount(1);
      assert.deepEqual(await page.locator('#who-roles .chip').allTextContents(), ['technician']);
      assert.equal(issued.length, 1, `one code exchange reached the browser, got ${issued.map((t) => t.grant).join(', ')}`);
      const [first] = issued;
      assert.equal(first!.grant, 'authorization_code');
      assert.equal(first!.token_type, 'DPoP', 'the SDK binds the tokens with DPoP');
      assert.ok(first!.refresh_token && first!.signing_key, 'a refresh token and a request-signing key were issued');
      const claims = JSON.parse(await textOf('#claims')) as { cnf?: { jkt?: string } };
      assert.ok(claims.cnf?.jkt, 'the access token is bound to a key (cnf.jkt)');
      assert.match(await textOf('#who-device'), /device key/, 'the page names the device key');
      const calls = await page.locator('#calls li').allTextContents();
      assert.match(calls[0]!, /^GET \/api\/v1\/me200signed \(RFC 9421, hmac-sha256, key \S+\) with the DPoP-bound token/);
      assert.ok(nonceChallenges.length >= 1, 'the server asked for a DPoP nonce and the SDK retried with it');
      clean('signing in');
    });

    test('the device key and the store key cannot be exported, and the stored device key is the one the tokens are bound to', async () => {
      const result = await page.evaluate(async (name) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open(name);
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        const get = <T>(key: string) =>
          new Promise<T>((resolve, reject) => {
            const r = db.transaction('keys', 'readonly').objectStore('keys').get(key);
            r.onsuccess = () => resolve(r.result as T);
            r.onerror = () => reject(r.error);
          });
        const pair = await get<CryptoKeyPair>('device-key');
        const storeKey = await get<CryptoKey>('store-key');
        db.close();
        const attempt = async (format: 'jwk' | 'pkcs8' | 'raw', key: CryptoKey) => {
          try {
            await crypto.subtle.exportKey(format, key);
            return 'exported';
          } catch (error) {
            return (error as Error).name;
          }
        };
        return {
          extractable: [pair.privateKey.extractable, storeKey.extractable],
          privateJwk: await attempt('jwk', pair.privateKey),
          privatePkcs8: await attempt('pkcs8', pair.privateKey),
          storeRaw: await attempt('raw', storeKey),
          storeJwk: await attempt('jwk', storeKey),
          // The public half exports: the keys were really read back (not an empty store).
          publicJwk: (await crypto.subtle.exportKey('jwk', pair.publicKey)) as Record<string, string>,
        };
      }, DATABASE);
      assert.deepEqual(result.extractable, [false, false], 'both keys were made with extractable: false');
      assert.equal(result.privateJwk, 'InvalidAccessError', 'exportKey(jwk) on the device key rejects');
      assert.equal(result.privatePkcs8, 'InvalidAccessError', 'exportKey(pkcs8) on the device key rejects');
      assert.equal(result.storeRaw, 'InvalidAccessError', 'exportKey(raw) on the store key rejects');
      assert.equal(result.storeJwk, 'InvalidAccessError', 'exportKey(jwk) on the store key rejects');
      const claims = JSON.parse(await textOf('#claims')) as { cnf: { jkt: string } };
      const { kty, crv, x, y } = result.publicJwk;
      assert.equal(await calculateJwkThumbprint({ kty, crv, x, y } as JWK), claims.cnf.jkt, 'the stored, non-exportable key is the one the access token is bound to');
    });

    test('no token or key is readable in localStorage, sessionStorage, cookies or IndexedDB plaintext', async () => {
      const entries = await nothingReadable('signed in');
      const sealed = entries.filter((e) => e.database === DATABASE && e.store === 'secrets');
      assert.ok(sealed.length >= 1, 'the session is kept, as ciphertext, in the SDK’s encrypted store');
      assert.ok(entries.some((e) => e.database === DATABASE && e.key === 'device-key'), 'the device key is kept as a CryptoKey');
      // The scan is not blind: a refresh token planted in plaintext (as bytes, in a nested
      // object) in another database is found.
      const planted = issued[0]!.refresh_token!;
      await page.evaluate(async (token) => {
        await new Promise<void>((resolve, reject) => {
          const r = indexedDB.open('scan-probe');
          r.onupgradeneeded = () => r.result.createObjectStore('s');
          r.onsuccess = () => {
            const tx = r.result.transaction('s', 'readwrite');
            tx.objectStore('s').put({ nested: { bytes: new TextEncoder().encode(token) } }, 'x');
            tx.oncomplete = () => {
              r.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
          r.onerror = () => reject(r.error);
        });
      }, planted);
      await assert.rejects(nothingReadable('planted'), /IndexedDB scan-probe\/s\/x holds a secret in plaintext/, 'the scan finds a planted plaintext token');
      await page.evaluate(
        () =>
          new Promise<void>((resolve, reject) => {
            const r = indexedDB.deleteDatabase('scan-probe');
            r.onsuccess = () => resolve();
            r.onerror = () => reject(r.error);
          }),
      );
      clean('scanning');
    });

    /**
     * A token request from Node, as an attacker holding a stolen refresh token sends it: with a
     * DPoP proof of the attacker's own key (`key`), retried once with the server's nonce, or none.
     */
    async function tokenRequest(form: Record<string, string>, key?: CryptoKeyPair): Promise<{ status: number; body: { error?: string; error_description?: string; access_token?: string } }> {
      const url = `${server.url}/oauth2/token`;
      let nonce: string | undefined;
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
        if (key) {
          headers.dpop = await new SignJWT({ htm: 'POST', htu: url, jti: randomUUID(), ...(nonce ? { nonce } : {}) })
            .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(key.publicKey) })
            .setIssuedAt()
            .sign(key.privateKey);
        }
        const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams({ client_id: 'palisade-start', ...form }), dispatcher: api } as RequestInit);
        const body = (await response.json()) as { error?: string; error_description?: string; access_token?: string };
        if (body.error === 'use_dpop_nonce' && response.headers.get('dpop-nonce') && attempt === 0) {
          nonce = response.headers.get('dpop-nonce')!;
          continue;
        }
        return { status: response.status, body };
      }
      assert.fail('the server kept asking for a DPoP nonce');
    }

    test('a refresh token taken from the browser is useless without its device key', async () => {
      const stolen = issued.at(-1)!.refresh_token!;
      const withoutProof = await tokenRequest({ grant_type: 'refresh_token', refresh_token: stolen });
      assert.equal(withoutProof.status, 400, 'no DPoP proof: refused');
      assert.equal(withoutProof.body.access_token, undefined);
      assert.equal(withoutProof.body.error, 'invalid_grant', 'refused: the refresh token is DPoP-bound (Palisade says no more than that)');
      const attacker = await generateKeyPair('ES256');
      const otherKey = await tokenRequest({ grant_type: 'refresh_token', refresh_token: stolen }, attacker);
      assert.equal(otherKey.status, 400, 'a proof of another key: refused');
      assert.equal(otherKey.body.access_token, undefined);
      assert.equal(otherKey.body.error, 'invalid_grant', 'the refresh token is bound to the browser’s key');
      // The control: the next test's reload refreshes with this very token and the browser's key,
      // and succeeds — the refusals above were about the key, not a token already dead.
    });

    test('a reload keeps the session through the encrypted store only: without the store’s key it is signed out', async () => {
      const subject = await page.locator('#summary').getAttribute('data-subject');
      const before = issued.length;
      await page.reload();
      await summaryShown();
      assert.equal(await page.locator('#summary').getAttribute('data-subject'), subject, 'the same person is signed in after the reload');
      await issuedCount(before + 1);
      assert.equal(issued.length, before + 1, 'the reload restored the session by one refresh (the access token is never stored)');
      assert.equal(issued.at(-1)!.grant, 'refresh_token');
      await nothingReadable('after the reload');

      // The store's key gone (what clearing part of the site data does): the ciphertext is still
      // there but unreadable, so the session is too.
      await page.evaluate(
        (name) =>
          new Promise<void>((resolve, reject) => {
            const r = indexedDB.open(name);
            r.onsuccess = () => {
              const tx = r.result.transaction('keys', 'readwrite');
              tx.objectStore('keys').delete('store-key');
              tx.oncomplete = () => {
                r.result.close();
                resolve();
              };
              tx.onerror = () => reject(tx.error);
            };
            r.onerror = () => reject(r.error);
          }),
        DATABASE,
      );
      const tokenRequests: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/oauth2/token') tokenRequests.push(r.url());
      });
      await page.reload();
      await page.locator('#signed-out').waitFor({ state: 'visible' });
      // The page settles: its leftovers are erased once the restore failed.
      await page.waitForFunction(
        (name) =>
          new Promise<boolean>((resolve) => {
            const r = indexedDB.open(name);
            r.onsuccess = () => {
              const c = r.result.transaction('secrets', 'readonly').objectStore('secrets').count();
              c.onsuccess = () => {
                r.result.close();
                resolve(c.result === 0);
              };
            };
          }),
        DATABASE,
      );
      assert.ok(await page.locator('#signed-in').isHidden(), 'nothing is shown as signed in');
      assert.ok(await page.locator('#error').isHidden(), 'a lost store is a signed-out page, not an error');
      assert.deepEqual(tokenRequests, [], 'no refresh was attempted: the refresh token could not be read');
      await nothingReadable('signed out');
      clean('across the reloads');
    });

  });
}
