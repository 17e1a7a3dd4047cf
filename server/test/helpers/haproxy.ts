/**
 * HAProxy (Debian's package) on a loopback port in front of Palisade instances, as a company
 * would run it: TLS ends at HAProxy (a certificate the test makes with openssl) and is made again
 * to each instance, whose own certificate HAProxy verifies; `/readyz` is the health check, so an
 * instance that is stopping (503) or gone leaves the pool; a connection an instance refuses is
 * retried on another (`option redispatch`), and an idempotent request whose answer never came is
 * retried too. A POST whose answer was lost is never retried: it may have been carried out.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDaemon, toolSkip } from './daemon.ts';

/** Why a HAProxy test does not run here, or undefined when it does (the `skip` option of node:test). */
export function haproxySkip(): string | undefined {
  return toolSkip('haproxy', ['-v'], 'PALISADE_REQUIRE_HAPROXY');
}

export interface Backend {
  name: string;
  port: number;
  /** The instance's certificate (PEM), which HAProxy verifies. */
  ca: string;
}

export interface Haproxy {
  /** The certificate clients must trust (PEM). */
  ca: string;
  output(): string;
  close(): Promise<void>;
}

export async function startHaproxy(port: number, backends: Backend[]): Promise<Haproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-haproxy-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make HAProxy's certificate: ${made.stderr}`);
  const ca = readFileSync(cert, 'utf8');
  writeFileSync(path.join(dir, 'haproxy.pem'), ca + readFileSync(key, 'utf8'), { mode: 0o600 });
  for (const backend of backends) writeFileSync(path.join(dir, `${backend.name}.pem`), backend.ca);
  writeFileSync(
    path.join(dir, 'haproxy.cfg'),
    [
      'global',
      '  maxconn 4000',
      '  log stderr format short local0 info',
      '  ssl-default-bind-options ssl-min-ver TLSv1.2',
      'defaults',
      '  log global',
      '  option log-health-checks',
      // Every answer that was not normal (a 5xx, a retry, a redispatch, a cut connection) is
      // logged with its termination state, so a failed request in a test can be explained.
      '  option httplog',
      // A long run that keeps the whole log (PALISADE_HAPROXY_LOG) logs every answer: a device's
      // failed request is matched to its connection's earlier requests by the client port.
      ...(process.env.PALISADE_HAPROXY_LOG ? [] : ['  option dontlog-normal']),
      '  mode http',
      // The connect time is the TLS handshake with an instance (one per request: below), which
      // on a busy instance waits behind its requests. At 2 s a rolling restart with 200 devices
      // lost 197 requests: after four attempts HAProxy answers 503, or closes the device's
      // connection without an answer when the request is not the first on it (logged `503 0
      // … sC--`: status 503, nothing sent).
      '  timeout connect 10s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout http-request 10s',
      // A health check answered slowly by a busy instance is not a failed one.
      '  timeout check 5s',
      // A refused connection (an instance that stopped listening) goes to another instance.
      '  retries 3',
      '  option redispatch 1',
      '  retry-on conn-failure empty-response response-timeout',
      // One server connection per request: a kept-alive connection an instance closes while it
      // stops could otherwise swallow the next request sent on it.
      '  option http-server-close',
      '  option forwardfor',
      'frontend palisade',
      `  bind 127.0.0.1:${port} ssl crt ${path.join(dir, 'haproxy.pem')} alpn http/1.1`,
      // Only requests that change nothing are retried after the instance may have seen them.
      '  http-request disable-l7-retry unless METH_GET || METH_HEAD',
      '  default_backend instances',
      'backend instances',
      // Round-robin piled the requests on the slowest instance (the one just started): up to
      // 199 of 200 at once, whose handshakes then took up to 10 s. Least connections sends each
      // request to the instance with the fewest in progress.
      '  balance leastconn',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      // Three failed checks in a row: a busy machine's slow answer is not a stopped instance (a
      // stopping one also refuses connections, which are redispatched at once). The check's
      // connection and TLS handshake get `inter` (HAProxy takes min(timeout connect, inter)), its
      // answer `timeout check`: with `inter 300ms`, a saturated machine's slow handshakes marked
      // healthy instances down, and with all of them down HAProxy answered 503 itself. With
      // `inter 2s` it still did, after a kill -9 with 200 devices: both survivors' check
      // handshakes took over 2 s (Layer6 timeout). `inter 10s` gives a check's handshake the
      // 10 s a request's gets; after a first failure the next checks come every 2 s
      // (`fastinter`), and an instance out of the pool is checked every second (`downinter`), so
      // it returns two seconds after it is ready.
      '  default-server inter 10s fastinter 2s downinter 1s fall 3 rise 2',
      ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check ssl verify required ca-file ${path.join(dir, `${b.name}.pem`)} verifyhost localhost sni str(localhost)`),
      '',
    ].join('\n'),
  );
  const daemon = await startDaemon('haproxy', ['-db', '-f', path.join(dir, 'haproxy.cfg')], port, dir);
  return {
    ca,
    output: daemon.output,
    async close() {
      // Its whole log, for a long run's failures (the bench's scale section sets it).
      if (process.env.PALISADE_HAPROXY_LOG) writeFileSync(process.env.PALISADE_HAPROXY_LOG, daemon.output());
      await daemon.close();
    },
  };
}
