/**
 * Transport security end to end, against Palisade started the README's way (`npm start`, the
 * development certificate and backup key): the TLS policy as standard clients meet it (Node's
 * TLS, one client per property the policy must refuse), the certificate pins document as an app
 * verifies it, CORS and the security headers — and the TLS setup as a real scanner sees it:
 * testssl.sh (Debian package `testssl.sh`), which CI installs and requires.
 *
 * Without testssl.sh (/usr/bin/testssl, as Debian installs it) the scanner test is skipped with the install command as the
 * reason, so `npm test` passes on a fresh machine; PALISADE_REQUIRE_TESTSSL=1 (set by .ci/run)
 * turns a missing scanner into a failure.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { Agent } from 'undici';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startInProcess, startPalisade, type StartedServer } from '../helpers/server.ts';
import { rotateKeys } from '../../src/oauth/keys.ts';
import { masterKeyFromBase64url } from '../../src/security/primitives.ts';
import { systemClock } from '../../src/clock.ts';
import { keyPin } from '../../src/http/tls.ts';
import { PINS_PATH, PINS_TYP, type PinsClaims } from '../../src/http/pins.ts';

const CONFIGURED_ORIGIN = 'https://field.example.com';
const STRONG_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

const testssl = ['/usr/bin/testssl', '/usr/bin/testssl.sh'].find((file) => existsSync(file));
const testsslMissing = !testssl && !process.env.PALISADE_REQUIRE_TESTSSL ? 'testssl.sh not found: apt-get install -y testssl.sh to scan the TLS setup' : false;

interface Finding {
  id: string;
  severity: string;
  finding: string;
}

/**
 * testssl.sh's findings for the TLS setup on `port`: -p protocols, -s cipher categories, -E each
 * cipher per protocol, -h headers at "/", -R renegotiation, -C compression (CRIME), each of
 * them asserted below; no DNS lookups (-n none: the target is an address on loopback), no
 * prompts, no colour. About a minute on a quiet machine, half of it testssl.sh preparing
 * itself (probing the local OpenSSL, reading its cipher list), minutes on a busy one: the
 * timeout only guards against a hang. `signal` ends it early (the file ending first).
 */
/** How long a scan may run before it is taken for hung (about a minute on a quiet machine; 434 s seen at load 20). */
const SCAN_HANG_GUARD_MS = 480_000;

async function scanTls(port: number, folder: string, signal: AbortSignal): Promise<{ findings: Finding[]; seconds: number }> {
  const json = path.join(folder, 'testssl.json');
  const started = Date.now();
  await promisify(execFile)(testssl!, ['-p', '-s', '-E', '-h', '-R', '-C', '--jsonfile', json, '--quiet', '--color', '0', '--warnings', 'off', '-n', 'none', `127.0.0.1:${port}`], { timeout: SCAN_HANG_GUARD_MS, signal }).catch(
    (error: { code?: number | string; killed?: boolean; stdout?: string }) => {
      // Stopped by the hang guard, its JSON is cut short: say so rather than fail to parse it.
      if (error.killed && !signal.aborted) throw new Error(`testssl.sh had not finished after ${SCAN_HANG_GUARD_MS / 1000} s and was stopped: ${error.stdout ?? ''}`);
      // testssl.sh exits non-zero when a check merely finds something to report; the JSON decides.
      if (signal.aborted || !existsSync(json)) throw new Error(`testssl.sh failed (${error.code}): ${error.stdout ?? ''}`);
    },
  );
  return { findings: JSON.parse(readFileSync(json, 'utf8')) as Finding[], seconds: (Date.now() - started) / 1000 };
}

/** The SPKI pin of the certificate a live connection presented, computed here, not by Palisade. */
const peerPin = (socket: TLSSocket) =>
  'sha256/' + createHash('sha256').update(socket.getPeerX509Certificate()!.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

describe('transport security (TLS policy, pins, headers)', () => {
  let database: TestDatabase;
  let server: StartedServer;
  let port: number;
  let dispatcher: Agent;
  const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, dispatcher } as RequestInit);
  /**
   * The testssl.sh scan, begun as soon as the server is up: it runs beside the tests before its
   * own, against the same server (none of them changes what it checks), and its tests wait for it.
   */
  let scan: Promise<{ findings: Finding[]; seconds: number } | { error: unknown }> | undefined;
  const scanAbort = new AbortController();

  /** A TLS handshake with `options`; resolves with the socket, or the error the server's refusal caused. */
  const handshake = (options: ConnectionOptions) =>
    new Promise<TLSSocket | Error>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: server.ca, ...options });
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', (error) => resolve(error));
    });

  before(async () => {
    database = await databaseKinds()[0]!.create({ migrated: true });
    port = await freePort();
    server = await startPalisade({
      PALISADE_DATA_DIR: database.dataDir,
      PALISADE_SERVER_PORT: String(port),
      PALISADE_SERVER_CORS_ORIGINS: CONFIGURED_ORIGIN,
      // No demo dataset: nothing here reads it, and loading it into PGlite held back the scan,
      // which can only begin once the server is up and is the longest part of the file.
      PALISADE_DEMO_SEED: 'false',
    }, undefined, 'npm'); // the server the scan sees is the README's `npm start`
    dispatcher = new Agent({ connect: { ca: server.ca } });
    if (!testsslMissing && testssl) scan = scanTls(port, database.dataDir, scanAbort.signal).catch((error: unknown) => ({ error }));
  });
  after(async () => {
    scanAbort.abort();
    await scan;
    await dispatcher?.close();
    await server?.stop();
    await database?.drop();
  });

  test('a client that speaks at most TLS 1.2 is refused', async () => {
    const result = await handshake({ maxVersion: 'TLSv1.2' });
    assert.ok(result instanceof Error, `a TLS 1.2 handshake succeeded (${result instanceof Error ? '' : result.getProtocol()}); Palisade must speak TLS 1.3 only`);
    assert.match((result as NodeJS.ErrnoException).code ?? result.message, /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|protocol version/i);
  });

  test('a TLS 1.3 client negotiates one of the three AEAD suites, over X25519 first', async () => {
    const socket = await handshake({});
    assert.ok(!(socket instanceof Error), `TLS 1.3 handshake failed: ${socket}`);
    try {
      assert.equal(socket.getProtocol(), 'TLSv1.3');
      assert.ok(STRONG_SUITES.includes(socket.getCipher().standardName), `negotiated ${socket.getCipher().standardName}, not one of ${STRONG_SUITES.join(', ')}`);
      assert.equal((socket.getEphemeralKeyInfo() as { name?: string }).name, 'X25519', 'key exchange should prefer X25519');
    } finally {
      socket.destroy();
    }
    // The server's order wins (honorCipherOrder): a client preferring AES-128 still gets AES-256.
    const preferring128 = await handshake({ ciphers: 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384' });
    assert.ok(!(preferring128 instanceof Error), String(preferring128));
    assert.equal(preferring128.getCipher().standardName, 'TLS_AES_256_GCM_SHA384', "the server's suite order decides");
    preferring128.destroy();
  });

  test('key exchange outside X25519, P-256 and P-384 is refused', async () => {
    for (const curve of ['P-521', 'X448']) {
      const result = await handshake({ ecdhCurve: curve });
      if (!(result instanceof Error)) result.destroy();
      assert.ok(result instanceof Error, `a client offering only ${curve} was served; the policy names X25519:P-256:P-384`);
    }
    const p384 = await handshake({ ecdhCurve: 'P-384' });
    assert.ok(!(p384 instanceof Error), `P-384 should be accepted: ${p384}`);
    p384.destroy();
  });

  test('the pins document verifies against /oauth2/jwks and names the live certificate and the backup', async () => {
    const socket = await handshake({});
    assert.ok(!(socket instanceof Error), String(socket));
    const livePin = peerPin(socket);
    socket.destroy();
    assert.equal(livePin, server.pin, 'the banner announces the pin of the certificate Palisade serves');

    const response = await get(`${server.url}${PINS_PATH}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/jwt');
    assert.match(response.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
    const jws = await response.text();

    // As an app does: the JWKS from the same (pinned) origin, the typ, the issuer, the host.
    const jwks = (await (await get(`${server.url}/oauth2/jwks`)).json()) as JSONWebKeySet;
    const header = decodeProtectedHeader(jws);
    assert.ok(jwks.keys.some((k) => k.kid === header.kid), 'the signing kid is published in /oauth2/jwks');
    const { payload } = await jwtVerify<PinsClaims>(jws, createLocalJWKSet(jwks), { issuer: server.url, typ: PINS_TYP, algorithms: ['ES256', 'EdDSA'] });
    assert.equal(payload.host, new URL(server.url).hostname);
    assert.ok(payload.exp - payload.iat >= payload.max_age, 'a document outlives its refresh interval');
    const current = payload.pins.filter((p) => p.role === 'current').map((p) => p.pin);
    const backups = payload.pins.filter((p) => p.role === 'backup').map((p) => p.pin);
    assert.deepEqual(current, [livePin], 'the current pin is the SPKI of the certificate on the live connection');
    const developmentBackup = keyPin(readFileSync(path.join(database.dataDir, 'tls', 'backup-key.pem'), 'utf8'));
    assert.deepEqual(backups, [developmentBackup], 'the backup pin is the development backup key’s');
    assert.notEqual(developmentBackup, livePin, 'a backup is another key pair');
    assert.match(server.output(), new RegExp(`TLS backup pin \\(SPKI, key [^)]*\\): ${developmentBackup.replace(/[+/]/g, '\\$&')}`), 'the banner announces the backup pin');
    assert.equal(statSync(path.join(database.dataDir, 'tls', 'backup-key.pem')).mode & 0o777, 0o600, 'the backup private key is readable by its owner only');
  });

  test('a tampered pins document fails verification', async () => {
    const jws = await (await get(`${server.url}${PINS_PATH}`)).text();
    const jwks = createLocalJWKSet((await (await get(`${server.url}/oauth2/jwks`)).json()) as JSONWebKeySet);
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as PinsClaims;
    // An attacker swapping the backup for a key of their own:
    const forged = { ...claims, pins: claims.pins.map((p) => (p.role === 'backup' ? { ...p, pin: `sha256/${Buffer.alloc(32, 7).toString('base64')}` } : p)) };
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    await assert.rejects(jwtVerify(tampered, jwks, { issuer: server.url, typ: PINS_TYP }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    // Nor may another kind of Palisade JWT stand in for it.
    await assert.rejects(jwtVerify(jws, jwks, { issuer: server.url, typ: 'at+jwt' }), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });

  test('CORS: a preflight from an origin not configured gets no allow-origin; the configured one does', async () => {
    const preflight = (origin: string) =>
      get(`${server.url}/api/v1/me`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    const foreign = await preflight('https://evil.example.com');
    assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'a foreign origin must not be allowed');
    assert.equal(foreign.headers.get('access-control-allow-credentials'), null);
    const configured = await preflight(CONFIGURED_ORIGIN);
    assert.equal(configured.headers.get('access-control-allow-origin'), CONFIGURED_ORIGIN, 'the configured origin is allowed (so the refusal above is not an accident)');
    // A web app's token request carries its DPoP proof and its posture report (the SDK's web build).
    const token = await get(`${server.url}/oauth2/token`, { method: 'OPTIONS', headers: { origin: CONFIGURED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'dpop,palisade-device-posture' } });
    assert.equal(token.headers.get('access-control-allow-origin'), CONFIGURED_ORIGIN);
    assert.match(token.headers.get('access-control-allow-headers') ?? '', /palisade-device-posture/, 'the posture header may be sent');
  });

  test('security headers on every answer; API answers are never cached', async () => {
    for (const url of [`${server.url}/`, `${server.url}/api/v1/me`, `${server.url}/healthz`, `${server.url}${PINS_PATH}`]) {
      const response = await get(url);
      const h = (name: string) => response.headers.get(name);
      assert.equal(h('strict-transport-security'), 'max-age=31536000; includeSubDomains', url);
      assert.equal(h('x-content-type-options'), 'nosniff', url);
      assert.equal(h('x-frame-options'), 'DENY', url);
      assert.match(h('content-security-policy') ?? '', /frame-ancestors 'none'/, url);
      assert.equal(h('referrer-policy'), 'no-referrer', url);
      assert.equal(h('cross-origin-opener-policy'), 'same-origin', url);
      assert.equal(h('cross-origin-resource-policy'), 'same-origin', url);
      assert.equal(h('x-powered-by'), null, url);
      assert.equal(h('server'), null, url);
    }
    // Refusals here (no token); answers with data: http/app-headers.test.ts.
    const api = await get(`${server.url}/api/v1/me`);
    assert.equal(api.headers.get('cache-control'), 'no-store');
    const admin = await get(`${server.url}/admin/v1/sessions/00000000-0000-0000-0000-000000000000`);
    assert.equal(admin.headers.get('cache-control'), 'no-store');
    // The token endpoint's answers too (oidc-provider, RFC 6749 §5.1), refusals included.
    const token = await get(`${server.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=nope&client_id=field-app' });
    assert.equal(token.headers.get('cache-control'), 'no-store');
  });

  test('with an operator certificate, the configured backup pin is announced and published; one naming the certificate’s own key refuses start-up', async () => {
    // The development certificate stands in for an operator's: copied out, named by server.tls.
    const operator = await databaseKinds()[0]!.create({ migrated: true });
    try {
      const certFile = path.join(operator.dataDir, 'tls.crt');
      const keyFile = path.join(operator.dataDir, 'tls.key');
      copyFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), certFile);
      copyFileSync(path.join(database.dataDir, 'tls', 'dev-key.pem'), keyFile);
      const offline = `sha256/${Buffer.alloc(32, 5).toString('base64')}`;
      // No demo dataset: the certificate and the pins are the subject, and each start would load it.
      const env = { PALISADE_DATA_DIR: operator.dataDir, PALISADE_SERVER_TLS_CERT_FILE: certFile, PALISADE_SERVER_TLS_KEY_FILE: keyFile, PALISADE_DEMO_SEED: 'false' };
      // Both started without npm in front (helpers/server.ts StartVia): the file's own server is
      // the README's `npm start`; these two are about the configuration, not the command.
      await assert.rejects(startPalisade({ ...env, PALISADE_SERVER_PORT: String(await freePort()), PALISADE_SERVER_TLS_BACKUP_PINS: `${offline},${server.pin}` }, undefined, 'direct'), (error: Error) => {
        assert.match(error.message, /server\.tls\.backupPins: names the certificate's own key/);
        assert.doesNotMatch(error.message, /at \w+ \(/, 'an operator gets the reason, not a stack trace');
        return true;
      });
      const started = await startPalisade({ ...env, PALISADE_SERVER_PORT: String(await freePort()), PALISADE_SERVER_TLS_BACKUP_PINS: offline }, undefined, 'direct');
      try {
        assert.equal(started.pin, server.pin);
        assert.ok(started.output().includes(`TLS backup pin (SPKI, key held offline): ${offline}`), started.output());
        const agent = new Agent({ connect: { ca: server.ca } });
        const jws = await (await fetch(`${started.url}${PINS_PATH}`, { dispatcher: agent } as RequestInit)).text();
        await agent.close();
        const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as PinsClaims;
        assert.deepEqual(claims.pins, [
          { pin: server.pin, role: 'current' },
          { pin: offline, role: 'backup' },
        ]);
      } finally {
        await started.stop();
      }
    } finally {
      await operator.drop();
    }
  });

  test('after a signing key rotation the pins document is signed by the new key and still verifies against /oauth2/jwks', async () => {
    // In process: the test rotates keys in the server's database and makes it reload them now.
    // No demo dataset: the pins are the subject, and loading it here would take this process's time.
    const own = await databaseKinds()[0]!.create({ migrated: true });
    const { server: running, ca } = await startInProcess(own, { env: {} }, await freePort(), { PALISADE_DEMO_SEED: 'false' });
    const agent = new Agent({ connect: { ca } });
    try {
      const fetchText = async (url: string) => (await fetch(url, { dispatcher: agent } as RequestInit)).text();
      const before = await fetchText(`${running.url}${PINS_PATH}`);
      const kid = await rotateKeys(running.db, masterKeyFromBase64url(running.config.masterKey!), systemClock, { alg: 'EdDSA', activateAfterMs: 0, retainMs: 60_000 });
      await running.reloadKeys();
      const after = await fetchText(`${running.url}${PINS_PATH}`);
      assert.equal(decodeProtectedHeader(after).kid, kid, 'the document follows the active key at once');
      assert.equal(decodeProtectedHeader(after).alg, 'EdDSA');
      const jwks = createLocalJWKSet(JSON.parse(await fetchText(`${running.url}/oauth2/jwks`)) as JSONWebKeySet);
      for (const jws of [before, after]) await jwtVerify(jws, jwks, { issuer: running.url, typ: PINS_TYP });
    } finally {
      await agent.close();
      await running.close();
      await own.drop();
    }
  });

  describe('the TLS setup seen by testssl.sh', { skip: testsslMissing }, () => {
    let findings: Finding[];
    let seconds: number;
    const finding = (id: string) => {
      const found = findings.find((f) => f.id === id);
      assert.ok(found, `testssl.sh reported no ${id}`);
      return found.finding;
    };

    before(async () => {
      assert.ok(testssl, 'PALISADE_REQUIRE_TESTSSL=1 but testssl.sh is not installed: apt-get install -y testssl.sh');
      // Begun in the outer before(), as soon as the server was up.
      const result = await scan!;
      if ('error' in result) throw result.error;
      ({ findings, seconds } = result);
    });

    test('TLS 1.3 only: SSLv2, SSLv3, TLS 1.0, 1.1 and 1.2 are not offered', () => {
      for (const protocol of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1', 'TLS1_2']) assert.match(finding(protocol), /^not offered/, `${protocol} must not be offered`);
      assert.match(finding('TLS1_3'), /^offered/, 'TLS 1.3 must be offered');
    });

    test('no weak cipher category is offered; exactly the three TLS 1.3 suites are', () => {
      for (const category of ['cipherlist_NULL', 'cipherlist_aNULL', 'cipherlist_EXPORT', 'cipherlist_LOW', 'cipherlist_3DES_IDEA', 'cipherlist_AVERAGE']) {
        assert.match(finding(category), /^not offered/, `${category} must not be offered`);
      }
      assert.match(finding('cipherlist_STRONG'), /^offered/);
      const offered = findings.filter((f) => f.id.startsWith('cipher-')).map((f) => f.id);
      assert.deepEqual(offered.sort(), ['cipher-tls1_3_x1301', 'cipher-tls1_3_x1302', 'cipher-tls1_3_x1303'], `offered suites: ${offered.join(', ')}`);
    });

    test('no renegotiation and no TLS compression (CRIME)', () => {
      for (const id of ['secure_renego', 'secure_client_renego', 'CRIME_TLS']) {
        assert.equal(findings.find((f) => f.id === id)?.severity, 'OK', `${id}: ${finding(id)}`);
      }
    });

    test('HSTS for at least a year with includeSubDomains, and the security headers', () => {
      const maxAge = Number(/=(\d+) seconds/.exec(finding('HSTS_time'))?.[1]);
      assert.ok(maxAge >= 31_536_000, `HSTS max-age ${maxAge} is under a year`);
      assert.match(finding('HSTS_subdomains'), /includes subdomains/);
      assert.equal(finding('X-Frame-Options'), 'DENY');
      assert.equal(finding('X-Content-Type-Options'), 'nosniff');
    });

    test('nothing rated above LOW or a warning', () => {
      const bad = findings.filter((f) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(f.severity) && f.id !== 'engine_problem');
      assert.deepEqual(bad, [], 'testssl.sh rates these findings as problems');
      // How long it took is reported, never asserted: it depends on the machine, not on Palisade.
      console.log(`testssl.sh scan: ${seconds.toFixed(1)} s (beside the tests before these)`);
    });
  });
});
