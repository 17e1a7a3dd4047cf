/**
 * TLS material. Production uses the operator's certificate; development generates a
 * self-signed ECDSA P-256 certificate once into the data folder and reuses it, so the SPKI pin
 * apps are configured with stays the same across restarts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, X509Certificate, webcrypto } from 'node:crypto';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import path from 'node:path';

/**
 * The https server's TLS policy (issue 6): TLS 1.3 only, so every suite is AEAD with forward
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
  selfSigned: boolean;
}

export function spkiPin(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return 'sha256/' + createHash('sha256').update(spki).digest('base64');
}

export async function loadTls(options: { certFile?: string; keyFile?: string; dataDir: string; hostnames: string[] }): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) {
    const cert = readFileSync(options.certFile, 'utf8');
    return { cert, key: readFileSync(options.keyFile, 'utf8'), pin: spkiPin(cert), selfSigned: false };
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
  return { cert, key: readFileSync(keyPath, 'utf8'), pin: spkiPin(cert), selfSigned: true };
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
