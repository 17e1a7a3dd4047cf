/**
 * The listener keeps an idle connection open for `server.keepAliveTimeout` (Node's own 5 s would
 * be shorter than any load balancer's idle timeout: the balancer could send a request just as
 * Palisade closes the connection). Seen from a client over TLS: the answer announces the timeout,
 * and with 1s configured the server, not the client, closes the idle connection. The listener is
 * started alone (its startup gate answers), so no database is needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { loadConfig } from '../../src/config/load.ts';
import { listenerModule } from '../../src/http/index.ts';

async function withListener(env: Record<string, string>, run: (port: number) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'palisade-keepalive-'));
  const config = loadConfig({ env: { PALISADE_DATA_DIR: dataDir, PALISADE_SERVER_PORT: '0', ...env }, cwd: dataDir });
  const started = await listenerModule.start({ config } as never);
  try {
    await run(started.api.port);
  } finally {
    await started.stop?.();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One GET /healthz on a fresh TLS connection; resolves with the answer's head and a promise of the connection's end (and who ended it). */
function getHealth(port: number): Promise<{ head: string; closed: Promise<'server'> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
      socket.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n');
    });
    let text = '';
    const closed = new Promise<'server'>((done) => socket.once('end', () => done('server')));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('{"status":"ok"}')) resolve({ head: text.slice(0, text.indexOf('\r\n\r\n')), closed });
    });
    socket.once('error', reject);
  });
}

test('by default an answer announces a 72-second keep-alive, not Node’s 5 seconds', async () => {
  await withListener({}, async (port) => {
    const { head } = await getHealth(port);
    assert.match(head, /^HTTP\/1\.1 200/);
    assert.match(head, /\r\nkeep-alive: timeout=72\r\n/i, head);
  });
});

test('with 1s configured, the server closes the idle connection itself', async () => {
  await withListener({ PALISADE_SERVER_KEEP_ALIVE_TIMEOUT: '1s' }, async (port) => {
    const { head, closed } = await getHealth(port);
    assert.match(head, /\r\nkeep-alive: timeout=1\r\n/i, head);
    // A hang guard only: the server's end of the connection must come, however slow the machine.
    let guard: NodeJS.Timeout | undefined;
    const who = await Promise.race([closed, new Promise<'nobody'>((resolve) => (guard = setTimeout(() => resolve('nobody'), 60_000)))]);
    clearTimeout(guard);
    assert.equal(who, 'server');
  });
});
