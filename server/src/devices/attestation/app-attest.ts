/**
 * Apple App Attest, verified offline, as Apple's "Validating apps that connect to your server"
 * describes: an attestation (once, when the app enrols its Secure Enclave key) proves that the
 * key was made by Apple hardware for this app; an assertion (on every later posture report)
 * proves the report was signed by that key, and its counter that it is not a replay.
 *
 * CBOR is decoded by cborg, certificates are parsed and checked by node:crypto (OpenSSL) and
 * @peculiar/asn1-x509, the nonce extension's small ASN.1 structure by asn1js: nothing here
 * parses bytes by hand but the authenticator data, whose fixed layout WebAuthn §6.1 defines.
 */
import { createHash, createPublicKey, createVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { decode as decodeCbor } from 'cborg';
import type { Clock } from '../../clock.ts';
import { constantTimeEqual } from '../../security/index.ts';
import type {
  AssertionInput,
  AssertionOutcome,
  AttestationEnvironment,
  AttestationInput,
  AttestationOutcome,
  AttestationRefusal,
  AttestationRefused,
  AttestationVerifier,
  AttestedKey,
} from './types.ts';

/** Apple's credential-certificate extension carrying the nonce (SEQUENCE { [1] OCTET STRING }). */
export const APP_ATTEST_NONCE_OID = '1.2.840.113635.100.8.2';

/**
 * SHA-256 of the DER of Apple's App Attestation Root CA, as Apple serves it at
 * www.apple.com/certificateauthority/Apple_App_Attestation_Root_CA.pem and as independent
 * App Attest verifiers state it. A test holds the bundled PEM to this value.
 */
export const APPLE_APP_ATTEST_ROOT_SHA256 = '1cb9823ba28ba6ad2d33a006941de2ae4f513ef1d4e831b9f7e0fa7b6242c932';

const ROOT_FILE = path.join(import.meta.dirname, 'apple-app-attest-root.pem');

/** The authenticator data's AAGUID: `appattestdevelop`, or `appattest` and seven zero bytes. */
const AAGUID: Record<AttestationEnvironment, Buffer> = {
  development: Buffer.from('appattestdevelop', 'ascii'),
  production: Buffer.concat([Buffer.from('appattest', 'ascii'), Buffer.alloc(7)]),
};

// Real objects are about 5.6 KB (attestation) and 200 bytes (assertion); anything far larger is
// refused before decoding so that a hostile client cannot make the server parse megabytes.
const MAX_ATTESTATION_BYTES = 16 * 1024;
const MAX_ASSERTION_BYTES = 4 * 1024;
// Apple sends the credential certificate and one intermediate; a longer path is not Apple's.
const MAX_CHAIN_CERTIFICATES = 4;

const FLAG_ATTESTED_CREDENTIAL = 0x40;

let appleRoot: X509Certificate | undefined;

/** Apple's App Attestation Root CA, bundled beside this file (read once). */
export function appleAppAttestRoot(): X509Certificate {
  appleRoot ??= new X509Certificate(readFileSync(ROOT_FILE));
  return appleRoot;
}

/** SHA-256 of the client data: what the server passes as `clientDataHash` for a challenge or request it holds. */
export function clientDataHash(clientData: Uint8Array | string): Buffer {
  return createHash('sha256').update(clientData).digest();
}

export interface AppAttestOptions {
  /**
   * The apps whose keys are accepted, each `<team id>.<bundle id>` (for example
   * `ABCDE12345.com.example.field`). The authenticator data carries only a hash of it, so an
   * attestation made by any other app, even one signed by Apple, is refused.
   */
  appIds: readonly string[];
  /**
   * `production` for App Store and TestFlight builds; `development` for builds signed with a
   * development profile. Exactly one is accepted: a development key is easy to obtain for any
   * sideloaded build, so a production server must not take it.
   */
  environment: AttestationEnvironment;
  /** Time for certificate validity, injected (STYLE.md, habit 4). */
  clock: Clock;
  /** Trust anchors; Apple's App Attestation Root CA unless a test brings its own. */
  roots?: readonly X509Certificate[];
}

type Refused = AttestationRefused;

function refuse(reason: AttestationRefusal, detail: string): Refused {
  return { ok: false, reason, detail };
}

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Decodes one CBOR map, keys kept apart from Object.prototype (Maps), duplicate keys refused. */
function decodeMap(bytes: Uint8Array): Map<unknown, unknown> | undefined {
  try {
    const value: unknown = decodeCbor(bytes, { useMaps: true, rejectDuplicateMapKeys: true });
    return value instanceof Map ? value : undefined;
  } catch {
    return undefined;
  }
}

function bytesField(map: Map<unknown, unknown>, key: string): Uint8Array | undefined {
  const value = map.get(key);
  return value instanceof Uint8Array ? value : undefined;
}

interface AuthenticatorData {
  rpIdHash: Buffer;
  flags: number;
  counter: number;
  aaguid?: Buffer;
  credentialId?: Buffer;
}

/** WebAuthn §6.1 layout: rpIdHash (32), flags (1), counter (4, big-endian), then attested credential data. */
function parseAuthenticatorData(bytes: Uint8Array): AuthenticatorData | undefined {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < 37) return undefined;
  const parsed: AuthenticatorData = {
    rpIdHash: data.subarray(0, 32),
    flags: data[32]!,
    counter: data.readUInt32BE(33),
  };
  if ((parsed.flags & FLAG_ATTESTED_CREDENTIAL) === 0) return parsed;
  // aaguid (16), credentialIdLength (2), credentialId, then the COSE public key.
  if (data.length < 55) return undefined;
  const idLength = data.readUInt16BE(53);
  if (data.length < 55 + idLength) return undefined;
  parsed.aaguid = data.subarray(37, 53);
  parsed.credentialId = data.subarray(55, 55 + idLength);
  return parsed;
}

/** The nonce from the credential certificate's extension, or undefined if absent or not the expected shape. */
function certificateNonce(der: Uint8Array): Buffer | undefined {
  try {
    const certificate = AsnConvert.parse(der, Certificate);
    const extension = certificate.tbsCertificate.extensions?.find((e) => e.extnID === APP_ATTEST_NONCE_OID);
    if (!extension) return undefined;
    const value = extension.extnValue.buffer;
    const parsed = asn1js.fromBER(value);
    if (parsed.offset !== value.byteLength || !(parsed.result instanceof asn1js.Sequence)) return undefined;
    const [tagged] = parsed.result.valueBlock.value;
    // [1] EXPLICIT, context-specific (tag class 3), holding one OCTET STRING.
    if (!tagged || tagged.idBlock.tagClass !== 3 || tagged.idBlock.tagNumber !== 1) return undefined;
    const inner = (tagged as asn1js.Constructed).valueBlock.value?.[0];
    if (!(inner instanceof asn1js.OctetString)) return undefined;
    return Buffer.from(inner.valueBlock.valueHexView);
  } catch {
    return undefined;
  }
}

/** The uncompressed P-256 point (0x04 || x || y) that App Attest's key id hashes. */
function uncompressedPoint(key: KeyObject): Buffer | undefined {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) return undefined;
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

function isValidAt(certificate: X509Certificate, when: Date): boolean {
  return certificate.validFromDate <= when && when <= certificate.validToDate;
}

export class AppAttestVerifier implements AttestationVerifier {
  readonly platform = 'apple-app-attest' as const;
  private readonly appIds: ReadonlySet<string>;
  private readonly appIdByHash: ReadonlyMap<string, string>;
  private readonly environment: AttestationEnvironment;
  private readonly clock: Clock;
  private readonly roots: readonly X509Certificate[];

  constructor(options: AppAttestOptions) {
    if (options.appIds.length === 0) throw new TypeError('App Attest needs at least one app id (<team id>.<bundle id>)');
    for (const appId of options.appIds) {
      if (!/^[A-Z0-9]{10}\.\S+$/.test(appId)) {
        throw new TypeError(`App Attest app id "${appId}" is not <10-character team id>.<bundle id>`);
      }
    }
    this.appIds = new Set(options.appIds);
    // Keyed by the hex SHA-256 that authenticator data carries in place of the app id.
    this.appIdByHash = new Map(options.appIds.map((id) => [sha256(Buffer.from(id, 'utf8')).toString('hex'), id]));
    this.environment = options.environment;
    this.clock = options.clock;
    this.roots = options.roots ?? [appleAppAttestRoot()];
    if (this.roots.length === 0) throw new TypeError('App Attest needs at least one trusted root');
  }

  async verifyAttestation(input: AttestationInput): Promise<AttestationOutcome> {
    return this.attestation(input);
  }

  async verifyAssertion(input: AssertionInput): Promise<AssertionOutcome> {
    return this.assertion(input);
  }

  private attestation({ attestation, keyId, clientDataHash }: AttestationInput): AttestationOutcome {
    if (attestation.byteLength > MAX_ATTESTATION_BYTES) return refuse('malformed', 'the attestation object is too large');
    const object = decodeMap(attestation);
    if (!object) return refuse('malformed', 'the attestation object is not a CBOR map');
    if (object.get('fmt') !== 'apple-appattest') return refuse('malformed', 'the attestation format is not apple-appattest');
    const statement = object.get('attStmt');
    const authData = bytesField(object, 'authData');
    if (!(statement instanceof Map) || !authData) return refuse('malformed', 'attStmt or authData is missing');
    const x5c = statement.get('x5c');
    if (!Array.isArray(x5c) || x5c.length < 2 || x5c.length > MAX_CHAIN_CERTIFICATES || !x5c.every((c) => c instanceof Uint8Array)) {
      return refuse('malformed', 'x5c is not a list of two to four certificates');
    }
    const ders = x5c as Uint8Array[];
    const receipt = bytesField(statement, 'receipt');

    // 1. The chain: credential certificate, intermediate(s), then one of our roots.
    let chain: X509Certificate[];
    try {
      chain = ders.map((der) => new X509Certificate(der));
    } catch {
      return refuse('malformed', 'a certificate in x5c does not parse');
    }
    const chainRefusal = this.verifyChain(chain);
    if (chainRefusal) return chainRefusal;
    const credentialCertificate = chain[0]!;

    // 2–4. nonce = SHA-256(authData || clientDataHash) must be what Apple certified, which binds
    // this attestation to the server's one-time challenge.
    const expectedNonce = sha256(authData, clientDataHash);
    const certifiedNonce = certificateNonce(ders[0]!);
    if (!certifiedNonce) return refuse('malformed', 'the credential certificate has no App Attest nonce extension');
    if (!constantTimeEqual(certifiedNonce, expectedNonce)) {
      return refuse('nonce-mismatch', 'the attestation was not made for this challenge');
    }

    // 5. The key id is the SHA-256 of the certified public key.
    const point = uncompressedPoint(credentialCertificate.publicKey);
    if (!point) return refuse('malformed', 'the credential certificate key is not P-256');
    const claimedKeyId = Buffer.from(keyId, 'base64');
    const certifiedKeyId = sha256(point);
    if (!constantTimeEqual(claimedKeyId, certifiedKeyId)) {
      return refuse('key-id-mismatch', 'the key id is not the hash of the attested public key');
    }

    const data = parseAuthenticatorData(authData);
    if (!data?.aaguid || !data.credentialId) return refuse('malformed', 'authData has no attested credential data');

    // 6. The RP ID hash names the app: SHA-256 of <team id>.<bundle id>.
    const appId = this.appIdByHash.get(data.rpIdHash.toString('hex'));
    if (!appId) return refuse('wrong-app-id', 'the attestation was made for another app');

    // 7. A new key has never signed anything.
    if (data.counter !== 0) return refuse('bad-counter', `a new key's counter must be 0, not ${data.counter}`);

    // 8. Development or production, as configured.
    if (!data.aaguid.equals(AAGUID[this.environment])) {
      return refuse('wrong-environment', `the key is not from the App Attest ${this.environment} environment`);
    }

    // 9. The credential id is the key id too.
    if (!constantTimeEqual(data.credentialId, certifiedKeyId)) {
      return refuse('key-id-mismatch', 'the credential id is not the attested key id');
    }

    const jwk = credentialCertificate.publicKey.export({ format: 'jwk' });
    const key: AttestedKey = {
      platform: this.platform,
      keyId: certifiedKeyId.toString('base64'),
      appId,
      environment: this.environment,
      publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
      counter: 0,
    };
    if (receipt) key.receipt = Buffer.from(receipt).toString('base64');
    return { ok: true, key };
  }

  /** Each certificate issued and signed by the next, the last by a trusted root; all valid now. */
  private verifyChain(chain: X509Certificate[]): Refused | undefined {
    const now = new Date(this.clock.now());
    for (let i = 0; i < chain.length; i++) {
      const certificate = chain[i]!;
      if (!isValidAt(certificate, now)) return refuse('bad-chain', `certificate ${i} of x5c is not valid at ${now.toISOString()}`);
      const issuer = chain[i + 1];
      if (issuer) {
        if (!issuer.ca || !certificate.checkIssued(issuer) || !certificate.verify(issuer.publicKey)) {
          return refuse('bad-chain', `certificate ${i} of x5c is not issued by certificate ${i + 1}`);
        }
      } else {
        const root = this.roots.find(
          (r) => r.ca && isValidAt(r, now) && certificate.checkIssued(r) && certificate.verify(r.publicKey),
        );
        if (!root) return refuse('bad-chain', 'the chain does not lead to the App Attest root');
      }
    }
    return undefined;
  }

  private assertion({ assertion, key, clientDataHash }: AssertionInput): AssertionOutcome {
    if (key.platform !== this.platform) return refuse('malformed', `the stored key is a ${key.platform} key`);
    // A key enrolled before the configuration changed keeps no standing it would not get today.
    if (!this.appIds.has(key.appId)) return refuse('wrong-app-id', `${key.appId} is no longer a configured app`);
    if (key.environment !== this.environment) {
      return refuse('wrong-environment', `the key is from the ${key.environment} environment, not ${this.environment}`);
    }
    if (assertion.byteLength > MAX_ASSERTION_BYTES) return refuse('malformed', 'the assertion is too large');
    const object = decodeMap(assertion);
    const signature = object && bytesField(object, 'signature');
    const authenticatorData = object && bytesField(object, 'authenticatorData');
    if (!signature || !authenticatorData) return refuse('malformed', 'the assertion is not {signature, authenticatorData}');
    const data = parseAuthenticatorData(authenticatorData);
    if (!data) return refuse('malformed', 'authenticatorData is too short');

    // 1–3. The stored key signed nonce = SHA-256(authenticatorData || clientDataHash), so the
    // signature covers this very request and the counter in the authenticator data.
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: key.publicKey, format: 'jwk' });
    } catch {
      return refuse('malformed', 'the stored public key does not load');
    }
    const nonce = sha256(authenticatorData, clientDataHash);
    let valid: boolean;
    try {
      valid = createVerify('sha256').update(nonce).verify(publicKey, signature);
    } catch {
      valid = false;
    }
    if (!valid) return refuse('bad-signature', 'the assertion is not signed by the attested key over this request');

    // 4. Made by the app the key was attested for.
    if (!constantTimeEqual(data.rpIdHash, sha256(Buffer.from(key.appId, 'utf8')))) {
      return refuse('wrong-app-id', 'the assertion was made for another app');
    }

    // 5. The Secure Enclave increments the counter on every assertion; one not above the last
    // accepted is a recorded assertion played again.
    if (data.counter <= key.counter) {
      return refuse('replayed-counter', `counter ${data.counter} is not above the last accepted ${key.counter}`);
    }
    return { ok: true, counter: data.counter };
  }
}
