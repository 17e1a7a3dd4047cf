/**
 * Google Play Integrity: the Android side of platform attestation, not implemented yet. This
 * verifier exists so that enrolment can name the platform and refuse plainly: it verifies
 * nothing and accepts nothing, and answers `not-configured` to every piece of evidence, so an
 * Android device is never taken as attested by mistake.
 *
 * A real implementation verifies an integrity token (decrypted and checked with the keys from
 * the Play Console, or through Google's decodeIntegrityToken call) whose `requestHash` equals
 * the `clientDataHash` given here, for the company app's package name and signing certificate,
 * with the device and app integrity verdicts that the compliance policy asks for.
 */
import { notConfiguredVerifier } from './not-configured.ts';
import type { AssertionInput, AssertionOutcome, AttestationInput, AttestationOutcome, AttestationVerifier } from './types.ts';

export class PlayIntegrityVerifier implements AttestationVerifier {
  readonly platform = 'play-integrity' as const;
  private readonly refusing = notConfiguredVerifier(this.platform, 'Play Integrity verification is not configured on this server');

  verifyAttestation(input: AttestationInput): Promise<AttestationOutcome> {
    return this.refusing.verifyAttestation(input);
  }

  verifyAssertion(input: AssertionInput): Promise<AssertionOutcome> {
    return this.refusing.verifyAssertion(input);
  }
}
