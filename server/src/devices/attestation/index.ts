/**
 * Platform attestation: proof, from Apple or Google rather than from the app's own word, that a
 * device key lives in genuine hardware and belongs to the company's genuine app. Verification is
 * offline, against pinned roots and an injected clock; every refusal carries a stable reason.
 * Platforms are pluggable: Apple App Attest is implemented, Play Integrity refuses as not configured.
 */
import type { X509Certificate } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { AttestationEnvironment, AttestationPlatform, AttestationVerifier } from './types.ts';
import { notConfiguredVerifier } from './not-configured.ts';
import { AppAttestVerifier } from './app-attest.ts';
import { PlayIntegrityVerifier } from './play-integrity.ts';

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

/** One app's attestation settings (`clients[].attestation`). */
export interface AppAttestationSettings {
  apple?: { appIds: readonly string[]; environment: AttestationEnvironment };
}

export interface AttestationForAppsOptions {
  /** Time for certificate validity. */
  clock: Clock;
  /**
   * Trust anchors in place of Apple's App Attestation Root CA. Tests only (a fake Apple under a
   * test root); never taken from configuration, where it would let anyone vouch for a device.
   */
  roots?: readonly X509Certificate[];
}

/**
 * The verifiers for DeviceTrust's `attestation` option, from the apps' settings: an app with
 * App Attest configured gets an App Attest verifier for its app ids and environment, and a Play
 * Integrity verifier that refuses (`not-configured`: not built yet), so Android evidence from it
 * is refused rather than ignored. An app without attestation settings gets no verifier: its
 * evidence is not checked, and a policy requiring attestation refuses its devices.
 */
export function attestationForApps(
  apps: readonly { id: string; attestation?: AppAttestationSettings | undefined }[],
  options: AttestationForAppsOptions,
): (clientId: string, platform: AttestationPlatform) => AttestationVerifier | undefined {
  const byApp = new Map<string, (platform: AttestationPlatform) => AttestationVerifier>();
  for (const app of apps) {
    const apple = app.attestation?.apple;
    if (!apple) continue;
    const appAttest = new AppAttestVerifier({ appIds: apple.appIds, environment: apple.environment, clock: options.clock, ...(options.roots ? { roots: options.roots } : {}) });
    byApp.set(app.id, attestationVerifiers([appAttest, new PlayIntegrityVerifier()]));
  }
  return (clientId, platform) => byApp.get(clientId)?.(platform);
}
