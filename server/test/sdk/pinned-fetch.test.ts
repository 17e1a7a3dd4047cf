/**
 * The SDK's Node transport (createPinnedFetch) and a kept-alive connection the server has closed:
 * a process whose event loop was busy for longer than the keep-alive's margin (undici closes an
 * idle connection 2 s before the server's `Keep-Alive: timeout=`) sends its next request on a
 * connection the server has already dropped, and the request fails before any answer ("other
 * side closed"). A GET or HEAD is sent once more on a new connection; a POST is not (it may have
 * been carried out). The server here drops every connection at the second request it carries, as
 * the idle close does, so the race is the same every run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { createPinnedFetch } from '../../../sdk/src/node/pinned-fetch.ts';

let dir: string;
let cert: string;
let server: Server;
let url: string;
/** What the server was sent, in order: method and whether its connection was dropped for it. */
const seen: { method: string; dropped: boolean }[] = [];
const served = new WeakMap<Socket, number>();

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'palisade-sdk-keepalive-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  server = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (request, response) => {
    const count = (served.get(request.socket) ?? 0) + 1;
    served.set(request.socket, count);
    const dropped = count > 1;
    seen.push({ method: request.method ?? '', dropped });
    // The connection's second request finds it closed, as a request sent on a connection the
    // server closed as idle does: no answer, the socket is gone.
    if (dropped) return void request.socket.destroy();
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Sequential GETs until one was sent on a reused connection (undici reuses an idle one when it has it). */
test('a GET on a kept-alive connection the server dropped is sent again on a new one, once', async () => {
  const pinned = createPinnedFetch({ issuer: url, ca: cert });
  try {
    seen.length = 0;
    for (let i = 0; i < 20 && !seen.some((s) => s.dropped); i += 1) {
      assert.equal(await (await pinned.fetch(`${url}/read/${i}`)).text(), '{"ok":true}', 'every GET is answered (its body read, so its connection is free again)');
    }
    const drop = seen.findIndex((s) => s.dropped);
    assert.ok(drop > 0, 'a GET went out on a kept-alive connection and the server dropped it');
    assert.deepEqual(seen[drop + 1], { method: 'GET', dropped: false }, 'the same GET, sent again on a new connection, was answered');
  } finally {
    await pinned.close();
  }
});

test('a POST on a dropped connection is not sent again: the caller sees the failure', async () => {
  const pinned = createPinnedFetch({ issuer: url, ca: cert });
  try {
    seen.length = 0;
    let failed: unknown;
    for (let i = 0; i < 20 && failed === undefined; i += 1) {
      await (await pinned.fetch(`${url}/read/${i}`)).text();
      const before = seen.length;
      try {
        await (await pinned.fetch(`${url}/write/${i}`, { method: 'POST', body: '{}' })).text();
      } catch (error) {
        failed = error;
        assert.deepEqual(seen.slice(before), [{ method: 'POST', dropped: true }], 'the POST reached the server once and was not sent again');
      }
    }
    assert.ok(failed instanceof TypeError, 'a POST went out on a kept-alive connection, was dropped, and the caller was told');
  } finally {
    await pinned.close();
  }
});

test('a GET whose new connection is dropped too fails: one more try, not a loop', async () => {
  // Every connection is dropped at its first request.
  const failing = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (request) => {
    seen.push({ method: request.method ?? '', dropped: true });
    request.socket.destroy();
  });
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  const base = `https://127.0.0.1:${(failing.address() as { port: number }).port}`;
  const pinned = createPinnedFetch({ issuer: base, ca: cert });
  try {
    seen.length = 0;
    await assert.rejects(pinned.fetch(`${base}/`), (error: Error) => error instanceof TypeError);
    assert.equal(seen.length, 2, 'sent twice, then the failure is the caller’s');
  } finally {
    await pinned.close();
    failing.closeAllConnections();
    await new Promise((resolve) => failing.close(resolve));
  }
});
