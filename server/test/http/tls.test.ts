/**
 * TLS material (http/tls.ts): the development certificate's backup key pair, the operator's
 * certificate with its configured backup pins, and the pin computation operators reproduce
 * with openssl (docs/certificate-pinning.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/load.ts';
import { keyPin, loadTls, spkiPin } from '../../src/http/tls.ts';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'palisade-tls-'));

test('development: a backup key pair is generated once (owner-only), stays the same, and is not the certificate’s key', async () => {
  const dataDir = tempDir();
  try {
    const first = await loadTls({ dataDir, hostnames: ['localhost'] });
    const keyFile = path.join(dataDir, 'tls', 'backup-key.pem');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(first.backupPins.length, 1);
    assert.notEqual(first.backupPins[0], first.pin);
    assert.equal(first.backupPins[0], keyPin(readFileSync(keyFile, 'utf8')));
    const second = await loadTls({ dataDir, hostnames: ['localhost'] });
    assert.deepEqual([second.pin, second.backupPins], [first.pin, first.backupPins], 'pins survive a restart');
    // A data folder from before backup keys existed gets one, and keeps its certificate.
    rmSync(keyFile);
    const upgraded = await loadTls({ dataDir, hostnames: ['localhost'] });
    assert.equal(upgraded.pin, first.pin);
    assert.ok(existsSync(keyFile) && upgraded.backupPins[0] !== first.backupPins[0]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an operator certificate is served with the configured backup pins; a backup naming its own key refuses start-up', async () => {
  const dataDir = tempDir();
  try {
    // Any certificate and key will do as "the operator's": the development generator's.
    await loadTls({ dataDir, hostnames: ['palisade.example.com'] });
    const certFile = path.join(dataDir, 'tls', 'dev-cert.pem');
    const keyFile = path.join(dataDir, 'tls', 'dev-key.pem');
    const own = spkiPin(readFileSync(certFile, 'utf8'));
    const backup = `sha256/${Buffer.alloc(32, 9).toString('base64')}`;
    const tls = await loadTls({ certFile, keyFile, backupPins: [backup], dataDir: '/nonexistent', hostnames: [] });
    assert.deepEqual([tls.pin, tls.backupPins, tls.selfSigned], [own, [backup], false]);
    assert.equal(tls.pin, keyPin(readFileSync(keyFile, 'utf8')), 'the certificate’s pin is its key’s');
    await assert.rejects(loadTls({ certFile, keyFile, backupPins: [backup, own], dataDir: '/nonexistent', hostnames: [] }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems[0]!.path, 'server.tls.backupPins');
      assert.match(error.problems[0]!.message, /certificate's own key/);
      return true;
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the pin is what the openssl command in docs/certificate-pinning.md prints', { skip: existsSync('/usr/bin/openssl') ? false : 'openssl not installed' }, async () => {
  const dataDir = tempDir();
  try {
    await loadTls({ dataDir, hostnames: [] });
    const keyFile = path.join(dataDir, 'tls', 'backup-key.pem');
    const der = execFileSync('openssl', ['pkey', '-in', keyFile, '-pubout', '-outform', 'der']);
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der });
    assert.equal(keyPin(readFileSync(keyFile, 'utf8')), `sha256/${digest.toString('base64')}`);
    const certDer = execFileSync('openssl', ['x509', '-in', path.join(dataDir, 'tls', 'dev-cert.pem'), '-pubkey', '-noout']);
    const certDigest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: certDer }) });
    assert.equal(spkiPin(readFileSync(path.join(dataDir, 'tls', 'dev-cert.pem'), 'utf8')), `sha256/${certDigest.toString('base64')}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
