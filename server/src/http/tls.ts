/**
 * TLS material and policy. Production uses the operator's certificate and the backup pins they
 * configure (backup keys held offline); development generates a self-signed ECDSA P-256
 * certificate and a backup key pair once into the data folder and reuses them, so the SPKI pins
 * apps are configured with stay the same across restarts. docs/certificate-pinning.md says what
 * apps pin and how keys rotate without locking pinned apps out.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, createPublicKey, generateKeyPairSync, X509Certificate, webcrypto, type KeyObject } from 'node:crypto';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import path from 'node:path';
import { ConfigError } from '../errors/index.ts';

/**
 * The https server's TLS policy: TLS 1.3 only, so every suite is AEAD with forward
 * secrecy and there is no renegotiation (removed in 1.3) and no compression (OpenSSL builds
 * without it; 1.3 has none). The three suites are all OpenSSL offers for 1.3 except the CCM
 * ones; AES-256 first, ChaCha20 for phones without AES instructions. Key exchange on X25519,
 * then the NIST curves older clients know. `honorCipherOrder`: the server's order wins.
 */
export const TLS_POLICY = {
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
  // Node takes TLS 1.3 suites (the TLS_ names) through `ciphers`; with no TLS 1.2 name in the
  // list there is nothing to negotiate below 1.3 even if the versions above were loosened.
  ciphers: 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
  ecdhCurve: 'X25519:P-256:P-384',
  honorCipherOrder: true,
} as const satisfies SecureContextOptions & TlsOptions;

export interface TlsMaterial {
  cert: string;
  key: string;
  /** `sha256/<base64>` of the leaf certificate's SubjectPublicKeyInfo (RFC 7469 style). */
  pin: string;
  /**
   * Pins of key pairs that are not in use but may replace the current one (their private keys
   * held offline by the operator; in development, `dataDir/tls/backup-key.pem`). Apps pin
   * these too, so the certificate can move to one of them without locking apps out.
   */
  backupPins: string[];
  selfSigned: boolean;
}

const pinOfKey = (publicKey: KeyObject) => 'sha256/' + createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

export function spkiPin(certPem: string): string {
  return pinOfKey(new X509Certificate(certPem).publicKey);
}

/** The pin of a key pair, from its private or public key in PEM (what `openssl pkey -pubout | … | base64` computes). */
export function keyPin(keyPem: string): string {
  return pinOfKey(createPublicKey(keyPem));
}

export interface TlsOptionsInput {
  certFile?: string;
  keyFile?: string;
  backupPins?: string[];
  allowNoBackupPins?: boolean;
  dataDir: string;
  hostnames: string[];
}

export async function loadTls(options: TlsOptionsInput): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) {
    const cert = readFileSync(options.certFile, 'utf8');
    const pin = spkiPin(cert);
    const backupPins = options.backupPins ?? [];
    // A "backup" that is the certificate's own key is no backup: losing that key loses both.
    // The configuration cannot know this (it never reads the certificate), so start-up says it.
    if (backupPins.includes(pin)) {
      throw new ConfigError(
        [{ path: 'server.tls.backupPins', message: `names the certificate's own key (${pin}): a backup pin must be of another key pair, kept offline (docs/certificate-pinning.md)` }],
        'server.tls',
      );
    }
    return { cert, key: readFileSync(options.keyFile, 'utf8'), pin, backupPins, selfSigned: false };
  }
  const dir = path.join(options.dataDir, 'tls');
  const certPath = path.join(dir, 'dev-cert.pem');
  const keyPath = path.join(dir, 'dev-key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { cert, key } = await generateSelfSigned(options.hostnames);
    writeFileSync(keyPath, key, { mode: 0o600 });
    writeFileSync(certPath, cert);
  }
  const cert = readFileSync(certPath, 'utf8');
  return { cert, key: readFileSync(keyPath, 'utf8'), pin: spkiPin(cert), backupPins: [developmentBackupPin(dir)], selfSigned: true };
}

/**
 * Development's stand-in for the operator's offline backup key: a P-256 key pair generated once
 * beside the certificate (an older data folder gets one on its next start), so its pin is as
 * stable as the certificate's and the pins document has the shape production's has.
 */
function developmentBackupPin(dir: string): string {
  const file = path.join(dir, 'backup-key.pem');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process sharing the folder wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return keyPin(readFileSync(file, 'utf8'));
}

async function generateSelfSigned(hostnames: string[]): Promise<{ cert: string; key: string }> {
  await import('reflect-metadata'); // required by @peculiar/x509's dependency injection container
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hostnames])];
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=Palisade development certificate',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 825 * 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((n) => (/^[0-9.]+$|:/.test(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })),
      ),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}
