/**
 * Platform attestation: proof, from Apple or Google rather than from the app's own word, that a
 * device key lives in genuine hardware and belongs to the company's genuine app. Verification is
 * offline, against pinned roots and an injected clock; every refusal carries a stable reason.
 * Platforms are pluggable: Apple App Attest is implemented, Play Integrity refuses as not configured.
 */
import type { AttestationPlatform, AttestationVerifier } from './types.ts';
import { notConfiguredVerifier } from './not-configured.ts';

export type {
  AssertionInput,
  AssertionOutcome,
  AttestationEnvironment,
  AttestationInput,
  AttestationOutcome,
  AttestationPlatform,
  AttestationRefusal,
  AttestationRefused,
  AttestationVerifier,
  AttestedKey,
} from './types.ts';
export {
  AppAttestVerifier,
  APP_ATTEST_NONCE_OID,
  APPLE_APP_ATTEST_ROOT_SHA256,
  appleAppAttestRoot,
  clientDataHash,
  type AppAttestOptions,
} from './app-attest.ts';
export { PlayIntegrityVerifier } from './play-integrity.ts';

/**
 * The verifiers a server runs, looked up by platform. A platform left out gets a verifier that
 * refuses every piece of evidence with `not-configured`, so the caller never has to decide what
 * a missing verifier means.
 */
export function attestationVerifiers(verifiers: readonly AttestationVerifier[]): (platform: AttestationPlatform) => AttestationVerifier {
  const byPlatform = new Map(verifiers.map((v) => [v.platform, v]));
  if (byPlatform.size !== verifiers.length) throw new TypeError('one attestation verifier per platform');
  return (platform) => byPlatform.get(platform) ?? notConfiguredVerifier(platform, `${platform} verification is not configured on this server`);
}
