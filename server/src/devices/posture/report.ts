/**
 * The posture report: what an app says about its device at sign-in and at every refresh, as a
 * compact JWS signed with the same device key as its DPoP proofs (header
 * `palisade-device-posture`). The signature proves that the holder of the token's key made the
 * report, `iat` that it is fresh and `jti` (claimed once in the shared cache) that it was not
 * recorded and played back. It does not prove that the app told the truth: a tampered app on a
 * jailbroken phone can sign any report. Facts from the MDM outweigh it (compliance.ts), and
 * platform attestation (attestation/) is what ties the key to genuine hardware and app.
 */
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, errors as joseErrors, type JWK } from 'jose';
import { hashToken } from '../../security/index.ts';
import { PalisadeError } from '../../errors/index.ts';

/** The HTTP header the app sends with its token requests. */
export const POSTURE_HEADER = 'palisade-device-posture';
/** JWS `typ` (RFC 8725 §3.11): a posture report is never taken for a DPoP proof or a token. */
export const POSTURE_TYP = 'palisade-posture+jwt';
/** The device key algorithms DPoP accepts (http/dpop.ts): the report is signed with that key. */
export const POSTURE_ALGS = ['ES256', 'EdDSA'] as const;
/** A report is fresh for 5 minutes after its `iat`… */
export const POSTURE_MAX_AGE_S = 300;
/** …and may be dated at most this far in the future (device clocks drift). */
export const POSTURE_SKEW_S = 60;
/** Longest accepted report (a JWS with an App Attest assertion stays well under it). */
export const POSTURE_MAX_LENGTH = 16_384;

/** The device platforms: a report from them states facts about a phone. */
export type PosturePlatform = 'ios' | 'android';
/** Every platform a report may name: the devices', and `web` (a browser, which has no device facts). */
export type ReportPlatform = PosturePlatform | 'web';

/** The verified claims of a device's report. Field names are the wire names' camel-case equivalents. */
export interface DevicePostureReport {
  platform: PosturePlatform;
  osVersion: string;
  appVersion: string;
  appBuild: string;
  jailbroken: boolean;
  rootIndicators: string[];
  passcodeSet: boolean;
  biometry: boolean;
  managed: boolean;
  mdmDeviceId?: string;
  /**
   * The enrollment token the MDM pushed to the app as managed configuration (Jamf extension
   * attribute, docs/mdm.md): a bearer secret, passed to the MDM view and never logged, audited
   * or stored in clear (`postureRecord` keeps only its SHA-256).
   */
  mdmEnrollmentToken?: string;
  iat: number;
  jti: string;
  /** Platform evidence carried in the report (base64), verified by trust.ts when configured. */
  attestation?: { keyId: string; attestation?: string; assertion?: string };
}

/**
 * The verified claims of a browser's report (an app built on the SDK's web build). A browser
 * can state honestly only what it is told about itself: the app's version and build, and the
 * user agent's own low-entropy client hints (brand, major version, OS name, mobile). It has no
 * OS version the server could hold to a minimum, no jailbreak notion, no passcode, no biometry
 * the page may ask about, no MDM and no attestation: a web report carrying any of those claims
 * is refused, so that no rule reads a browser's word for a device fact.
 */
export interface WebPostureReport {
  platform: 'web';
  appVersion: string;
  appBuild: string;
  /** The user agent's brand ("Chromium", "Firefox"), as the browser names itself. */
  browser?: string;
  browserVersion?: string;
  /** The operating system the browser names ("Android", "macOS"), without a version. */
  os?: string;
  mobile?: boolean;
  iat: number;
  jti: string;
}

export type PostureReport = DevicePostureReport | WebPostureReport;

/** Claims only a device report may carry: a web report naming any of them is refused. */
const DEVICE_ONLY_CLAIMS = ['os_version', 'jailbroken', 'root_indicators', 'passcode_set', 'biometry', 'managed', 'mdm_device_id', 'mdm_enrollment_token', 'attestation', 'assertion', 'attestation_key_id'] as const;

/**
 * Why a report was refused; stable slugs for audit records. Everything but `missing` is
 * answered to the app as `posture-invalid`, with these words as the detail.
 */
export type PostureRefusal = 'missing' | 'malformed' | 'wrong-typ' | 'bad-alg' | 'wrong-key' | 'bad-signature' | 'bad-claims' | 'wrong-platform' | 'stale' | 'replayed';

/** A refused posture report: `reason` goes into audit records, `code` is it in the one spelling. */
export class PostureError extends PalisadeError<`ERR_POSTURE_${string}`> {
  readonly reason: PostureRefusal;
  constructor(reason: PostureRefusal, message: string) {
    super(`ERR_POSTURE_${reason.replace(/-/g, '_').toUpperCase()}`, message);
    this.name = 'PostureError';
    this.reason = reason;
  }
}

export interface VerifyPostureInput {
  /** The header's value as received. */
  report: string | undefined;
  /** The public JWK of the request's DPoP proof (oidc-provider has verified the proof itself). */
  deviceJwk: JWK;
  /** The thumbprint the tokens are bound to (`cnf.jkt` of the grant): the key must be this one. */
  jkt: string;
  /** Milliseconds since the epoch. */
  now: number;
  /** Single use, shared by every instance when Redis is configured. */
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
  /**
   * The platforms the app is registered for (compliance.ts `platformsOf`). Default: the device
   * platforms. A report naming another is refused `wrong-platform`: a device app may not pass
   * itself off as a browser to escape the device rules, nor a browser app as a phone.
   */
  platforms?: readonly ReportPlatform[];
}

// eslint-disable-next-line security/detect-unsafe-regex -- linear: bounded repetitions, anchored
const VERSION = /^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$/;
const SHORT_TEXT = /^[\w .,:()+/-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
/** Printable ASCII without spaces, as an administrator sets it in the MDM. */
const ENROLLMENT_TOKEN = /^[\x21-\x7e]{8,512}$/;

/** Verifies a posture report; throws `PostureError` with the reason it was refused. */
export async function verifyPosture(input: VerifyPostureInput): Promise<PostureReport> {
  const { report } = input;
  if (!report) throw new PostureError('missing', `send a posture report (header ${POSTURE_HEADER}) with the token request`);
  if (report.length > POSTURE_MAX_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(report)) {
    throw new PostureError('malformed', 'the posture report is not one compact JWS');
  }
  let header;
  try {
    header = decodeProtectedHeader(report);
  } catch {
    throw new PostureError('malformed', 'the posture report header could not be read');
  }
  if (header.typ !== POSTURE_TYP) throw new PostureError('wrong-typ', `the posture report's typ must be ${POSTURE_TYP}`);
  // `alg: none` and HMAC (signed with the public key as a secret) never reach verification.
  if (!POSTURE_ALGS.includes(header.alg as (typeof POSTURE_ALGS)[number])) throw new PostureError('bad-alg', 'the posture report must be signed ES256 or EdDSA with the device key');
  // The key is the DPoP proof's; a key in the report's own header is not trusted for anything.
  if ((await calculateJwkThumbprint(input.deviceJwk)) !== input.jkt) throw new PostureError('wrong-key', 'the DPoP key is not the key these tokens are bound to');
  let payload: Uint8Array;
  try {
    const key = await importJWK(input.deviceJwk, header.alg);
    ({ payload } = await compactVerify(report, key, { algorithms: [header.alg!] }));
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw new PostureError('bad-signature', 'the posture report is not signed by the device key');
    throw new PostureError('bad-signature', 'the posture report could not be verified with the device key');
  }
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as Record<string, unknown>;
  } catch {
    throw new PostureError('malformed', 'the posture report payload is not JSON');
  }
  const parsed = readClaims(claims);
  const platforms = input.platforms ?? (['ios', 'android'] as const);
  if (!platforms.includes(parsed.platform)) {
    throw new PostureError('wrong-platform', `this app is registered for ${platforms.join(' and ')}: a report naming platform ${parsed.platform} is not accepted from it`);
  }
  const nowS = Math.floor(input.now / 1000);
  if (parsed.iat > nowS + POSTURE_SKEW_S) throw new PostureError('stale', 'the posture report is dated in the future');
  if (parsed.iat < nowS - POSTURE_MAX_AGE_S) throw new PostureError('stale', `the posture report is older than ${POSTURE_MAX_AGE_S} seconds`);
  // Remembered for as long as the report could be accepted, per device key.
  const ttlMs = (POSTURE_MAX_AGE_S + 2 * POSTURE_SKEW_S) * 1000;
  if (!(await input.claimOnce(`posture:${input.jkt}:${parsed.jti}`, ttlMs, parsed.iat))) throw new PostureError('replayed', 'this posture report was already used, or made before this server began remembering used reports: send a fresh one');
  return parsed;
}

function readClaims(c: Record<string, unknown>): PostureReport {
  const bad = (what: string): never => {
    throw new PostureError('bad-claims', `the posture report's ${what}`);
  };
  if (typeof c !== 'object' || c === null || Array.isArray(c)) bad('payload is not an object');
  if (c.platform === 'web') return readWebClaims(c, bad);
  if (c.platform !== 'ios' && c.platform !== 'android') bad('platform must be ios, android or web');
  for (const name of ['os_version', 'app_version'] as const) {
    if (typeof c[name] !== 'string' || !VERSION.test(c[name] as string)) bad(`${name} must be a dotted version such as 17.4.1`);
  }
  if (typeof c.app_build !== 'string' || !SHORT_TEXT.test(c.app_build)) bad('app_build must be short plain text');
  for (const name of ['jailbroken', 'passcode_set', 'biometry', 'managed'] as const) {
    if (typeof c[name] !== 'boolean') bad(`${name} must be true or false`);
  }
  const indicators = c.root_indicators ?? [];
  if (!Array.isArray(indicators) || indicators.length > 32 || !indicators.every((i) => typeof i === 'string' && SHORT_TEXT.test(i))) bad('root_indicators must be a short list of plain strings');
  if (c.mdm_device_id !== undefined && (typeof c.mdm_device_id !== 'string' || !/^[\w.:{}-]{1,128}$/.test(c.mdm_device_id))) bad('mdm_device_id must be the id the MDM pushed to the app');
  // The message never repeats the value: it is a secret.
  if (c.mdm_enrollment_token !== undefined && (typeof c.mdm_enrollment_token !== 'string' || !ENROLLMENT_TOKEN.test(c.mdm_enrollment_token))) bad('mdm_enrollment_token must be the token the MDM pushed to the app');
  if (typeof c.iat !== 'number' || !Number.isInteger(c.iat)) bad('iat must be a NumericDate');
  if (typeof c.jti !== 'string' || !/^[\w-]{16,128}$/.test(c.jti)) bad('jti must be a unique identifier of 16 to 128 characters');
  let attestation: DevicePostureReport['attestation'];
  if (c.attestation !== undefined || c.assertion !== undefined) {
    const keyId = c.attestation_key_id;
    if (typeof keyId !== 'string' || !BASE64.test(keyId) || keyId.length > 128) bad('attestation_key_id must name the attested key');
    for (const name of ['attestation', 'assertion'] as const) {
      if (c[name] !== undefined && (typeof c[name] !== 'string' || !BASE64.test(c[name] as string) || (c[name] as string).length > 12_000)) bad(`${name} must be base64`);
    }
    attestation = { keyId: keyId as string, ...(c.attestation !== undefined ? { attestation: c.attestation as string } : {}), ...(c.assertion !== undefined ? { assertion: c.assertion as string } : {}) };
  }
  return {
    platform: c.platform as PosturePlatform,
    osVersion: c.os_version as string,
    appVersion: c.app_version as string,
    appBuild: c.app_build as string,
    jailbroken: c.jailbroken as boolean,
    rootIndicators: indicators as string[],
    passcodeSet: c.passcode_set as boolean,
    biometry: c.biometry as boolean,
    managed: c.managed as boolean,
    ...(c.mdm_device_id !== undefined ? { mdmDeviceId: c.mdm_device_id as string } : {}),
    ...(c.mdm_enrollment_token !== undefined ? { mdmEnrollmentToken: c.mdm_enrollment_token as string } : {}),
    iat: c.iat as number,
    jti: c.jti as string,
    ...(attestation ? { attestation } : {}),
  };
}

function readWebClaims(c: Record<string, unknown>, bad: (what: string) => never): WebPostureReport {
  const named = DEVICE_ONLY_CLAIMS.filter((name) => c[name] !== undefined);
  if (named.length) bad(`platform web states no device facts: ${named.join(', ')} cannot be shown by a browser`);
  if (typeof c.app_version !== 'string' || !VERSION.test(c.app_version)) bad('app_version must be a dotted version such as 2.4.0');
  if (typeof c.app_build !== 'string' || !SHORT_TEXT.test(c.app_build)) bad('app_build must be short plain text');
  for (const name of ['browser', 'os'] as const) {
    if (c[name] !== undefined && (typeof c[name] !== 'string' || !SHORT_TEXT.test(c[name] as string))) bad(`${name} must be short plain text`);
  }
  if (c.browser_version !== undefined && (typeof c.browser_version !== 'string' || !VERSION.test(c.browser_version))) bad('browser_version must be a dotted version');
  if (c.mobile !== undefined && typeof c.mobile !== 'boolean') bad('mobile must be true or false');
  if (typeof c.iat !== 'number' || !Number.isInteger(c.iat)) bad('iat must be a NumericDate');
  if (typeof c.jti !== 'string' || !/^[\w-]{16,128}$/.test(c.jti)) bad('jti must be a unique identifier of 16 to 128 characters');
  return {
    platform: 'web',
    appVersion: c.app_version as string,
    appBuild: c.app_build as string,
    ...(c.browser !== undefined ? { browser: c.browser as string } : {}),
    ...(c.browser_version !== undefined ? { browserVersion: c.browser_version as string } : {}),
    ...(c.os !== undefined ? { os: c.os as string } : {}),
    ...(c.mobile !== undefined ? { mobile: c.mobile as boolean } : {}),
    iat: c.iat as number,
    jti: c.jti as string,
  };
}

/**
 * What is stored on the device row (no evidence bytes: they are large and verified once). The
 * enrollment token is kept only as its SHA-256, which lets a re-evaluation (trust.ts) present it
 * to the MDM store again without the token itself ever being stored.
 */
export function postureRecord(report: PostureReport): Record<string, unknown> {
  if (report.platform === 'web') return { ...report };
  const { attestation, mdmEnrollmentToken, ...rest } = report;
  return {
    ...rest,
    ...(attestation ? { attestationKeyId: attestation.keyId } : {}),
    ...(mdmEnrollmentToken !== undefined ? { mdmEnrollmentTokenHash: hashToken(mdmEnrollmentToken) } : {}),
  };
}
