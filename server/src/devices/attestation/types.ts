/**
 * The shapes every platform attestation verifier shares, so that enrolment and posture checks
 * can treat Apple App Attest and Google Play Integrity alike and store one kind of record.
 */
import type { JsonWebKey } from 'node:crypto';

/** Which platform service vouches for the device key. */
export type AttestationPlatform = 'apple-app-attest' | 'play-integrity';

/**
 * Why evidence was refused. The slugs are stable: audit records, metrics and problem types
 * name them, so a new failure gets a new slug rather than a new meaning for an old one.
 *
 * - `malformed`: not the structure the platform produces (bad CBOR, missing fields, oversize).
 * - `bad-chain`: the certificate chain does not lead to the trusted root, or a certificate in
 *   it is not valid at the injected clock's time.
 * - `nonce-mismatch`: the evidence was made for another challenge or request than this one.
 * - `wrong-app-id`: made by another app (team id and bundle id) than the one configured.
 * - `wrong-environment`: a development key presented where production is required, or back.
 * - `key-id-mismatch`: the key id the app sent is not the key the evidence attests.
 * - `bad-counter`: a fresh attestation whose counter is not zero.
 * - `replayed-counter`: an assertion whose counter is not above the last one accepted.
 * - `bad-signature`: the assertion is not signed by the attested key.
 * - `not-configured`: this platform's verification is not set up on this server.
 */
export type AttestationRefusal =
  | 'malformed'
  | 'bad-chain'
  | 'nonce-mismatch'
  | 'wrong-app-id'
  | 'wrong-environment'
  | 'key-id-mismatch'
  | 'bad-counter'
  | 'replayed-counter'
  | 'bad-signature'
  | 'not-configured';

/** A refusal, with a detail for logs and audit (it never echoes secrets; evidence holds none). */
export interface AttestationRefused {
  ok: false;
  reason: AttestationRefusal;
  detail: string;
}

/** Apple's two App Attest environments; a server accepts exactly one of them. */
export type AttestationEnvironment = 'production' | 'development';

/**
 * What enrolment proved and what later checks need: store it per device (the public key is not
 * secret). `counter` is the last accepted counter and must be replaced after every accepted
 * assertion, atomically, so that two instances cannot both accept the same counter.
 */
export interface AttestedKey {
  platform: AttestationPlatform;
  /** The key's identifier as the app holds it (App Attest: base64 SHA-256 of the public key). */
  keyId: string;
  /** The app the key belongs to (App Attest: `<team id>.<bundle id>`). */
  appId: string;
  environment: AttestationEnvironment;
  /** The attested public key (P-256), as a public JWK. */
  publicKey: JsonWebKey;
  counter: number;
  /**
   * Apple's receipt (base64 DER, PKCS #7), kept so that a later, online step can exchange it for
   * a fraud-risk metric. Verification here is offline and does not use it.
   */
  receipt?: string;
}

export interface AttestationInput {
  /** The attestation object exactly as the app produced it. */
  attestation: Uint8Array;
  /** The key id the app claims the attestation is for. */
  keyId: string;
  /**
   * The hash the app passed to the platform when attesting. The server computes it itself from
   * the challenge it issued (see `clientDataHash`), never takes it from the app: that is what
   * ties the attestation to this one challenge and stops a recorded attestation being replayed.
   */
  clientDataHash: Uint8Array;
}

export interface AssertionInput {
  /** The assertion exactly as the app produced it. */
  assertion: Uint8Array;
  /** The key enrolment stored for this device, with the last accepted counter. */
  key: AttestedKey;
  /** The hash of what the assertion vouches for (the posture report, the refresh request), computed by the server from the bytes it received. */
  clientDataHash: Uint8Array;
}

export type AttestationOutcome = { ok: true; key: AttestedKey } | AttestationRefused;

/** `counter` is the new counter to store in place of `key.counter`. */
export type AssertionOutcome = { ok: true; counter: number } | AttestationRefused;

/**
 * One platform's verifier. `verifyAttestation` runs once, when a device enrols its key;
 * `verifyAssertion` runs on every later posture report (at login and at each refresh). For
 * platforms without a per-key assertion (Play Integrity issues a fresh verdict each time), the
 * verifier reads the "assertion" as that platform's fresh evidence for the stored key.
 */
export interface AttestationVerifier {
  readonly platform: AttestationPlatform;
  verifyAttestation(input: AttestationInput): Promise<AttestationOutcome>;
  verifyAssertion(input: AssertionInput): Promise<AssertionOutcome>;
}
