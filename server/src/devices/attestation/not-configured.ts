/**
 * The verifier of a platform this server does not verify: it accepts nothing, and says so with
 * `not-configured` rather than with a reason that would blame the device.
 */
import type { AttestationPlatform, AttestationRefused, AttestationVerifier } from './types.ts';

export function notConfiguredVerifier(platform: AttestationPlatform, detail: string): AttestationVerifier {
  const refused = (): AttestationRefused => ({ ok: false, reason: 'not-configured', detail });
  return {
    platform,
    verifyAttestation: async () => refused(),
    verifyAssertion: async () => refused(),
  };
}
