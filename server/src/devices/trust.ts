/**
 * Device trust at every token decision: at the code exchange and at each refresh the device's
 * posture report is verified, combined with what the MDM says, and judged by the app's policy
 * for the device's ownership. A device out of policy gets no tokens and a problem telling the
 * app what to fix; a device that falls out of policy while signed in (`reevaluate`, called when
 * the MDM reports a change) loses its sessions on every instance within a second.
 */
import { createHash } from 'node:crypto';
import { decodeProtectedHeader, type JWK } from 'jose';
import type { Database, Queryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { AuditSink } from '../audit/index.ts';
import { attestedKeyOf, liveSessionIdsOfDevice, recordCompliance, recordedPosture, sessionDeviceCompliance, storeAttestedKey, type Sessions } from '../sessions/index.ts';
import type { Problem } from '../http/index.ts';
import type { MdmDeviceState } from './mdm/index.ts';
import type { AttestationPlatform, AttestationVerifier, AttestedKey } from './attestation/index.ts';
import { PostureError, postureRecord, verifyPosture, type DevicePostureReport, type PosturePlatform, type PostureReport } from './posture/report.ts';
import { combineFacts, evaluate, platformsOf, postureInvalid, refusalFor, rulesFor, type Decision, type DevicePolicyConfig, type Ownership, type Violation } from './posture/compliance.ts';

/**
 * What the MDM says about a person's device. The MDM wiring provides it; until then main.ts
 * passes `noMdm`, and every device is BYOD (nothing vouches for it being managed).
 */
export interface MdmView {
  /**
   * `enrollmentToken`: the one the app's report carries, which a device whose MDM record holds
   * one must match. `enrollmentTokenHash`: its SHA-256 as recorded from an accepted report, for
   * a re-evaluation (the token itself is never stored).
   */
  stateFor(input: { userId: string; mdmDeviceId?: string; platform?: PosturePlatform; enrollmentToken?: string; enrollmentTokenHash?: string }): Promise<MdmDeviceState | undefined>;
}

export const noMdm: MdmView = { stateFor: async () => undefined };

/** The claims access tokens carry (RFC 9068 private claims), read by the API and export. */
export interface DeviceClaims {
  device_ownership?: Ownership;
  device_compliant?: boolean;
}

export interface TokenRequestFacts {
  grantType: 'authorization_code' | 'refresh_token';
  session: { id: string; userId: string; clientId: string; acr: string | null; amr: readonly string[] };
  /** The key the tokens are bound to (`cnf.jkt`); undefined for an app without DPoP. */
  jkt: string | undefined;
  /** The request's DPoP header (already verified by oidc-provider): the key that signs the posture. */
  dpopProof: string | undefined;
  /** The request's posture header. */
  posture: string | undefined;
}

/** An accepted token request: the claims to add, and the record to write once tokens are issued. */
export interface DeviceCheck {
  decision: Decision | undefined;
  claims: DeviceClaims;
  commit(): Promise<void>;
}

export interface DeviceTrustOptions {
  db: Database;
  clock: Clock;
  sessions: Sessions;
  policy: DevicePolicyConfig | undefined;
  mdm: MdmView;
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
  audit: AuditSink;
  /** Platform attestation verifiers for an app; none configured: evidence is not checked. */
  attestation?: (clientId: string, platform: AttestationPlatform) => AttestationVerifier | undefined;
  /** Apps device trust does not apply to (the development start page: a browser page, no device). */
  exemptClients?: readonly string[];
  /**
   * Browser clients (compliance.ts `isBrowserClient`): no posture report is required of them by
   * default. Every other app is a device app and must send one unless its policy relaxes it.
   */
  browserClients?: readonly string[];
}

/** Violations that end the session at once even at a refresh: the device itself is not to be trusted. */
const ENDS_SESSION: readonly Violation[] = ['device-compromised', 'mdm-noncompliant'];

const PLATFORM_ATTESTATION: Record<PosturePlatform, AttestationPlatform> = { ios: 'apple-app-attest', android: 'play-integrity' };

export class DeviceTrust {
  private readonly o: DeviceTrustOptions;

  constructor(options: DeviceTrustOptions) {
    this.o = options;
  }

  /**
   * Judges the device of a token request. Throws a `Problem` (RFC 9457) when it is out of
   * policy or its report is not acceptable; every refusal is audited as `device.noncompliant`.
   */
  async check(input: TokenRequestFacts): Promise<DeviceCheck> {
    const { session } = input;
    if (this.o.exemptClients?.includes(session.clientId)) return { decision: undefined, claims: {}, commit: async () => undefined };
    const actor = { userId: session.userId, sessionId: session.id, appId: session.clientId, ...(input.jkt ? { deviceId: input.jkt } : {}) };
    const refuse = async (problem: Problem, reasons: string[], detail: Record<string, unknown>, endSession: boolean): Promise<never> => {
      this.o.audit.emit({ action: 'device.noncompliant', outcome: 'denied', reason: reasons.join(','), actor, resource: { type: 'session', id: session.id }, detail: { grantType: input.grantType, ...detail } });
      // The monitoring rule compromised_device (audit/monitor.ts) raises a critical alert on this.
      if (reasons.includes('device-compromised')) this.o.audit.emit({ action: 'device.compromised', outcome: 'denied', reason: 'device-compromised', actor, resource: { type: 'session', id: session.id }, detail });
      // A code exchange that is refused leaves a sign-in without tokens: it ends now rather than
      // being listed as active until it expires.
      if (endSession) await this.o.sessions.revoke(session.id, 'device_noncompliant');
      throw problem;
    };

    let report: PostureReport | undefined;
    if (input.posture) {
      try {
        if (!input.jkt || !input.dpopProof) throw new PostureError('wrong-key', 'a posture report is signed with the DPoP device key: send it with a DPoP-bound token request');
        report = await verifyPosture({ report: input.posture, deviceJwk: dpopJwk(input.dpopProof), jkt: input.jkt, now: this.o.clock.now(), claimOnce: this.o.claimOnce, platforms: platformsOf(this.isBrowser(session.clientId)) });
      } catch (error) {
        if (!(error instanceof PostureError)) throw error;
        return refuse(postureInvalid(error.message), ['posture-invalid'], { posture: error.reason }, input.grantType === 'authorization_code');
      }
    }

    // A browser's report names no device (report.ts): no attestation, no MDM id to look up.
    const device = report?.platform === 'web' ? undefined : report;
    const attested = device?.attestation && input.jkt ? await this.attest(session, input.jkt, device) : undefined;
    if (attested && !attested.ok) return refuse(postureInvalid(`the platform attestation was refused (${attested.reason})`), ['posture-invalid'], { attestation: attested.reason }, input.grantType === 'authorization_code');

    const mdm = await this.o.mdm.stateFor({
      userId: session.userId,
      ...(device?.mdmDeviceId ? { mdmDeviceId: device.mdmDeviceId } : {}),
      ...(device ? { platform: device.platform } : {}),
      ...(device?.mdmEnrollmentToken !== undefined ? { enrollmentToken: device.mdmEnrollmentToken } : {}),
    });
    const facts = combineFacts(report, mdm, attested?.ok === true);
    const decision = evaluate(facts, this.rulesOf(session.clientId, facts.ownership), session, this.o.policy?.mfaAcrValues ?? []);
    const record = { ownership: decision.ownership, compliance: decision.compliance, reasons: decision.violations, posture: report ? postureRecord(report) : undefined, mdmDeviceId: mdm?.mdmDeviceId ?? device?.mdmDeviceId };

    if (decision.violations.length) {
      if (input.jkt) await this.recordOn(this.o.db, { userId: session.userId, clientId: session.clientId, jkt: input.jkt }, record);
      const endSession = input.grantType === 'authorization_code' || decision.violations.some((v) => ENDS_SESSION.includes(v));
      return refuse(refusalFor(decision, facts.platform), decision.violations, { violations: decision.violations, ownership: decision.ownership, sources: facts.sources }, endSession);
    }
    // Tokens always say what was judged. A device nothing is known about (no report, no MDM
    // record, and the policy requires neither) was judged as BYOD, the most restrictive
    // ownership, and its tokens say so: every later decision (export, RLS, managed
    // configuration) reads the same answer, and not reporting gains nothing.
    const claims: DeviceClaims = { device_ownership: decision.ownership, device_compliant: decision.compliance === 'compliant' };
    return {
      decision,
      claims,
      commit: async () => {
        if (!input.jkt) return;
        await this.recordOn(this.o.db, { userId: session.userId, clientId: session.clientId, jkt: input.jkt }, record);
        // The counter only moves forward: of two requests racing with the same assertion counter, one stores it.
        if (attested?.ok && attested.store) {
          await storeAttestedKey(this.o.db, { userId: session.userId, clientId: session.clientId, jkt: input.jkt }, attested.store);
        }
      },
    };
  }

  /**
   * Judges a signed-in device again from its last report and the MDM's current state (the MDM
   * wiring calls this when a notification or a sync changes a device). Out of policy: the device
   * is marked noncompliant and its sessions end, on every instance within a second (the
   * revocation feed), in one transaction with the audit record. MFA is a property of a sign-in
   * and is checked at the next refresh, not here.
   */
  async reevaluate(deviceId: string, reason: string): Promise<{ decision: Decision; ended: number } | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(deviceId)) return undefined;
    const device = await recordedPosture(this.o.db, deviceId);
    if (!device) return undefined;
    const recorded = (typeof device.posture === 'string' ? JSON.parse(device.posture) : device.posture) as (PostureReport & { mdmEnrollmentTokenHash?: unknown }) | null;
    const { mdmEnrollmentTokenHash: tokenHash, ...stored } = recorded ?? {};
    const report = recorded ? (stored as PostureReport) : undefined;
    const platform = report && report.platform !== 'web' ? report.platform : device.platform === 'ios' || device.platform === 'android' ? device.platform : undefined;
    const mdm = await this.o.mdm.stateFor({
      userId: device.userId,
      ...(device.mdmDeviceId ? { mdmDeviceId: device.mdmDeviceId } : {}),
      ...(platform ? { platform } : {}),
      ...(typeof tokenHash === 'string' ? { enrollmentTokenHash: tokenHash } : {}),
    });
    const facts = combineFacts(report && report.platform !== 'web' ? { ...report, rootIndicators: report.rootIndicators ?? [] } : report, mdm, false);
    const rules = this.rulesOf(device.clientId, facts.ownership);
    // Attestation is proven per request; a stored report cannot prove it again.
    const decision = evaluate(facts, { ...rules, requireAttestation: false }, undefined);
    const ended = await this.o.db.transaction(async (tx) => {
      await this.recordOn(tx, device, { ownership: decision.ownership, compliance: decision.compliance, reasons: decision.violations, mdmDeviceId: mdm?.mdmDeviceId ?? device.mdmDeviceId ?? undefined });
      if (!decision.violations.length) return [];
      await this.o.audit.record(tx, {
        action: 'device.noncompliant',
        outcome: 'success',
        reason: decision.violations.join(','),
        actor: { userId: device.userId, appId: device.clientId, deviceId: device.jkt },
        resource: { type: 'device', id: deviceId },
        detail: { trigger: reason, violations: decision.violations, ownership: decision.ownership, sources: facts.sources },
      });
      if (decision.violations.includes('device-compromised')) {
        await this.o.audit.record(tx, { action: 'device.compromised', outcome: 'success', reason: 'device-compromised', actor: { userId: device.userId, appId: device.clientId, deviceId: device.jkt }, resource: { type: 'device', id: deviceId }, detail: { trigger: reason, sources: facts.sources } });
      }
      const ended: string[] = [];
      for (const id of await liveSessionIdsOfDevice(tx, deviceId)) if (await this.o.sessions.revokeWithin(tx, id, 'device_noncompliant')) ended.push(id);
      return ended;
    });
    for (const id of ended) await this.o.sessions.revokeCommitted(id);
    return { decision, ended: ended.length };
  }

  /** The device's current compliance record, for managed app configuration. */
  async deviceOf(sessionId: string): Promise<{ id: string; clientId: string; platform: string | null; ownership: Ownership; compliance: string } | undefined> {
    const row = await sessionDeviceCompliance(this.o.db, sessionId);
    if (!row) return undefined;
    const posture = (typeof row.posture === 'string' ? JSON.parse(row.posture) : row.posture) as { platform?: string } | null;
    return { id: row.id, clientId: row.clientId, platform: posture?.platform ?? row.platform, ownership: (row.ownership as Ownership | null) ?? 'byod', compliance: row.compliance };
  }

  get policy(): DevicePolicyConfig | undefined {
    return this.o.policy;
  }

  /** The rules for an app and ownership, knowing whether the app is a browser client. */
  rulesOf(clientId: string, ownership: Ownership) {
    return rulesFor(this.o.policy, clientId, ownership, this.isBrowser(clientId));
  }

  private isBrowser(clientId: string): boolean {
    return this.o.browserClients?.includes(clientId) ?? false;
  }

  private async recordOn(db: Queryable, device: { userId: string; clientId: string; jkt: string }, r: { ownership: Ownership; compliance: string; reasons: readonly string[]; posture?: Record<string, unknown> | undefined; mdmDeviceId?: string | undefined }): Promise<void> {
    await recordCompliance(db, device, r, new Date(this.o.clock.now()));
  }

  /**
   * Platform evidence in the report, checked by the app's verifier when one is configured. An
   * assertion is checked against the key the device enrolled (its counter must move forward); an
   * attestation enrols a key, once per device. The assertion's client data is `<jkt>.<jti>` (this
   * report) and the attestation's is the device key's thumbprint: the App Attest key vouches for
   * the DPoP key. Without a verifier the evidence is ignored, and `requireAttestation` refuses.
   */
  private async attest(session: { userId: string; clientId: string }, jkt: string, report: DevicePostureReport): Promise<{ ok: true; store?: AttestedKey } | { ok: false; reason: string } | undefined> {
    const evidence = report.attestation!;
    const verifier = this.o.attestation?.(session.clientId, PLATFORM_ATTESTATION[report.platform]);
    if (!verifier) return undefined;
    const raw = await attestedKeyOf(this.o.db, { userId: session.userId, clientId: session.clientId, jkt });
    const stored = (typeof raw === 'string' ? JSON.parse(raw) : raw) as AttestedKey | null | undefined;
    if (evidence.assertion) {
      if (!stored || stored.keyId !== evidence.keyId) return { ok: false, reason: 'not-enrolled' };
      const outcome = await verifier.verifyAssertion({ assertion: Buffer.from(evidence.assertion, 'base64'), key: stored, clientDataHash: sha256(`${jkt}.${report.jti}`) });
      return outcome.ok ? { ok: true, store: { ...stored, counter: outcome.counter } } : { ok: false, reason: outcome.reason };
    }
    if (evidence.attestation) {
      // One enrolment per device key: a recorded attestation played again cannot reset the counter.
      if (stored) return { ok: false, reason: 'already-enrolled' };
      const outcome = await verifier.verifyAttestation({ attestation: Buffer.from(evidence.attestation, 'base64'), keyId: evidence.keyId, clientDataHash: sha256(jkt) });
      return outcome.ok ? { ok: true, store: outcome.key } : { ok: false, reason: outcome.reason };
    }
    return undefined;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The public key of a DPoP proof (oidc-provider has already verified the proof with it). */
function dpopJwk(proof: string): JWK {
  const jwk = decodeProtectedHeader(proof).jwk;
  if (!jwk) throw new PostureError('wrong-key', 'the DPoP proof carries no key');
  return jwk;
}
