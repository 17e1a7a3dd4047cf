/**
 * A fake Apple for App Attest: a test root and intermediate with Apple's certificate profile, and
 * the attestations and assertions a Secure Enclave and Apple's service would produce for a device
 * key, each with one thing changeable at a time. Verifiers trust it only when given its root
 * (`roots`), which only tests do.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection container needs it
import { createHash, KeyObject, sign, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { encode as encodeCbor } from 'cborg';
import { APP_ATTEST_NONCE_OID, clientDataHash, type AttestationEnvironment } from '../../../src/devices/attestation/index.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const DAY = 24 * 60 * 60_000;
export const APP_ID = 'ABCDE12345.com.example.field';
export const OTHER_APP_ID = 'ZYXWV98765.com.example.other';
export const CHALLENGE = 'server challenge 7f3a';

export function sha256(...parts: (Uint8Array | string)[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** A stand-in for Apple's attestation CA: the same certificate profile, under a test root. */
export interface FakeApple {
  root: X509Certificate;
  intermediate: x509.X509Certificate;
  intermediateKeys: CryptoKeyPair;
}

export const EC384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
export const EC256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
let serial = 1;

export async function keys(alg: typeof EC384 | typeof EC256): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function fakeApple(name: string, start: number): Promise<FakeApple> {
  const rootKeys = await keys(EC384);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name} Root CA, O=Test`,
    notBefore: new Date(start - 365 * DAY),
    notAfter: new Date(start + 20 * 365 * DAY),
    signingAlgorithm: EC384,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediateKeys = await keys(EC384);
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${name} CA 1, O=Test`,
    issuer: root.subject,
    notBefore: new Date(start - 365 * DAY),
    notAfter: new Date(start + 10 * 365 * DAY),
    signingAlgorithm: EC384,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
    ],
  });
  return { root: new X509Certificate(Buffer.from(root.rawData)), intermediate, intermediateKeys };
}

/** The nonce extension's value as Apple encodes it: SEQUENCE { [1] EXPLICIT OCTET STRING }. */
export function nonceExtension(nonce: Uint8Array): x509.Extension {
  const value = new asn1js.Sequence({
    value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: [new asn1js.OctetString({ valueHex: nonce })] })],
  });
  return new x509.Extension(APP_ATTEST_NONCE_OID, false, value.toBER());
}

export function uncompressedPoint(jwk: JsonWebKey): Buffer {
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
}

export interface DeviceKey {
  keyId: string;
  private: KeyObject;
  privateCrypto: CryptoKey;
  public: CryptoKey;
  jwk: JsonWebKey;
}

export async function deviceKey(): Promise<DeviceKey> {
  const pair = await keys(EC256);
  const jwk = (await webcrypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
  return { keyId: sha256(uncompressedPoint(jwk)).toString('base64'), private: KeyObject.from(pair.privateKey), privateCrypto: pair.privateKey, public: pair.publicKey, jwk };
}

export function authenticatorData(options: { appId: string; counter: number; aaguid?: Buffer; credentialId?: Buffer; jwk?: JsonWebKey }): Buffer {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(options.counter);
  const head = [sha256(options.appId), Buffer.from([options.credentialId ? 0x40 : 0x00]), counter];
  if (!options.credentialId || !options.aaguid || !options.jwk) return Buffer.concat(head);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(options.credentialId.length);
  const cose = encodeCbor(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(options.jwk.x!, 'base64url')],
      [-3, Buffer.from(options.jwk.y!, 'base64url')],
    ]),
  );
  return Buffer.concat([...head, options.aaguid, length, options.credentialId, cose]);
}

export const AAGUID = {
  production: Buffer.concat([Buffer.from('appattest'), Buffer.alloc(7)]),
  development: Buffer.from('appattestdevelop'),
};

export interface AttestOptions {
  apple: FakeApple;
  device: DeviceKey;
  now: number;
  appId?: string;
  challenge?: string;
  counter?: number;
  environment?: AttestationEnvironment;
  credentialId?: Buffer;
  notAfter?: number;
  /** Sign the credential certificate with another key than the intermediate's. */
  signingKey?: CryptoKey;
  /** Issue the credential certificate from another certificate than the intermediate. */
  issuer?: { name: string; key: CryptoKey };
  /** Leave out the key usage extension (Apple includes it). */
  noKeyUsage?: boolean;
  /** What x5c holds; the credential certificate and the intermediate unless said. */
  x5c?: (credential: Uint8Array, intermediate: Uint8Array) => Uint8Array[];
}

/** What the Secure Enclave and Apple's service produce for attestKey(keyId, clientDataHash). */
export async function attest(options: AttestOptions): Promise<Buffer> {
  const authData = authenticatorData({
    appId: options.appId ?? APP_ID,
    counter: options.counter ?? 0,
    aaguid: AAGUID[options.environment ?? 'production'],
    credentialId: options.credentialId ?? Buffer.from(options.device.keyId, 'base64'),
    jwk: options.device.jwk,
  });
  const nonce = sha256(authData, clientDataHash(options.challenge ?? CHALLENGE));
  const credential = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${sha256(uncompressedPoint(options.device.jwk)).toString('hex')}, OU=AAA Certification, O=Test`,
    issuer: options.issuer?.name ?? options.apple.intermediate.subject,
    notBefore: new Date(options.now - DAY),
    notAfter: new Date(options.notAfter ?? options.now + 2 * DAY),
    signingAlgorithm: EC384,
    publicKey: options.device.public,
    signingKey: options.signingKey ?? options.issuer?.key ?? options.apple.intermediateKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...(options.noKeyUsage ? [] : [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true)]),
      ...(options.issuer ? [] : [await x509.AuthorityKeyIdentifierExtension.create(options.apple.intermediateKeys.publicKey)]),
      nonceExtension(nonce),
    ],
  });
  const credentialDer = new Uint8Array(credential.rawData);
  const intermediateDer = new Uint8Array(options.apple.intermediate.rawData);
  const x5c = options.x5c ? options.x5c(credentialDer, intermediateDer) : [credentialDer, intermediateDer];
  return Buffer.from(encodeCbor({ fmt: 'apple-appattest', attStmt: { x5c, receipt: Buffer.from('receipt') }, authData }));
}

/** What generateAssertion(keyId, clientDataHash) produces. */
export function assertion(device: DeviceKey, options: { counter: number; clientData: string; appId?: string; signer?: KeyObject }): Buffer {
  const data = authenticatorData({ appId: options.appId ?? APP_ID, counter: options.counter });
  const nonce = sha256(data, clientDataHash(options.clientData));
  const signature = sign('sha256', nonce, options.signer ?? device.private);
  return Buffer.from(encodeCbor({ signature, authenticatorData: data }));
}
