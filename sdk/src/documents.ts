/**
 * The JWS documents the SDK makes with its keys and the ones it verifies from the server, all
 * through jose: posture reports, command acknowledgements and unlock proofs (signed by device or
 * unlock key), and the server's signed commands, pin sets and managed app configuration
 * (verified against `/oauth2/jwks`, each with its own `typ` so none passes for another).
 */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';
import { randomToken } from './crypto.ts';
import { publicJwkOf, signCompact, thumbprintOf, type SigningKeyRef } from './keys.ts';
import type { PostureFacts } from './platform.ts';

export const POSTURE_TYP = 'palisade-posture+jwt';
export const POSTURE_HEADER = 'palisade-device-posture';
export const COMMAND_TYP = 'palisade-device-command+jwt';
export const COMMAND_ACK_TYP = 'palisade-command-ack+jwt';
export const UNLOCK_TYP = 'palisade-unlock+jwt';
export const PINS_TYP = 'palisade-pins+jwt';
export const APP_CONFIG_TYP = 'palisade-app-config+jwt';
/** Algorithms of Palisade's own signing keys (tokens, commands, pins, config). */
const SERVER_ALGS = ['ES256', 'EdDSA'];

/** The public JWK of a key pair or hardware signer (only public members). */
export async function publicJwk(keys: SigningKeyRef): Promise<JWK> {
  return publicJwkOf(keys);
}

export async function thumbprint(keys: SigningKeyRef): Promise<string> {
  return thumbprintOf(keys);
}

/** A posture report (server/src/devices/posture/report.ts) signed with the device key, dated `nowMs`. */
export async function signPosture(keys: SigningKeyRef, facts: PostureFacts & { appVersion: string }, nowMs: number): Promise<string> {
  const once = { jti: randomToken(16), iat: Math.floor(nowMs / 1000) };
  if (facts.platform === 'web') {
    const claims = {
      platform: 'web',
      app_version: facts.appVersion,
      app_build: facts.appBuild ?? facts.appVersion,
      ...(facts.browser ? { browser: facts.browser } : {}),
      ...(facts.browserVersion ? { browser_version: facts.browserVersion } : {}),
      ...(facts.os ? { os: facts.os } : {}),
      ...(facts.mobile !== undefined ? { mobile: facts.mobile } : {}),
      ...once,
    };
    return signCompact(keys, { typ: POSTURE_TYP }, claims);
  }
  const claims = {
    platform: facts.platform,
    os_version: facts.osVersion,
    app_version: facts.appVersion,
    app_build: facts.appBuild,
    jailbroken: facts.jailbroken,
    ...(facts.rootIndicators?.length ? { root_indicators: facts.rootIndicators } : {}),
    passcode_set: facts.passcodeSet,
    biometry: facts.biometry,
    managed: facts.managed,
    ...(facts.mdmDeviceId ? { mdm_device_id: facts.mdmDeviceId } : {}),
    ...(facts.mdmEnrollmentToken ? { mdm_enrollment_token: facts.mdmEnrollmentToken } : {}),
    ...once,
  };
  return signCompact(keys, { typ: POSTURE_TYP }, claims);
}

/** The acknowledgement of command `commandId`, signed with the device key it names. */
export async function signCommandAck(keys: SigningKeyRef, commandId: string, nowMs: number): Promise<string> {
  return signCompact(keys, { typ: COMMAND_ACK_TYP, jwk: await publicJwk(keys) }, { jti: commandId, iat: Math.floor(nowMs / 1000) });
}

/** The unlock proof: the server's challenge and the session id, signed with the unlock key. */
export async function signUnlockProof(keys: SigningKeyRef, challenge: string, sessionId: string, nowMs: number): Promise<string> {
  return signCompact(keys, { typ: UNLOCK_TYP }, { challenge, sid: sessionId, iat: Math.floor(nowMs / 1000) });
}

/** A device command as the server signs it. */
export interface DeviceCommand extends JWTPayload {
  cmd: 'wipe' | 'lock';
  jkt: string;
  jti: string;
  sub: string;
}

export interface PinsDocument extends JWTPayload {
  host: string;
  max_age: number;
  pins: { pin: string; role: 'current' | 'backup' }[];
}

export interface AppConfig extends JWTPayload {
  sub: string;
  client_id: string;
  features: Record<string, boolean>;
  offline_allowed: boolean;
  export_allowed: boolean;
  pins: { pin: string; role: 'current' | 'backup' }[];
  min_app_version?: string;
  min_os_version?: string;
  ownership: 'corporate' | 'byod';
  compliance: string;
}

/**
 * Verifies a document Palisade signed with its OAuth key: signature by a key of `jwks`, the
 * expected `typ`, `iss` and expiry. Throws jose's error (with its stable `code`) otherwise.
 */
export async function verifyServerDocument<T extends JWTPayload>(jws: string, jwks: JSONWebKeySet, typ: string, issuer: string, nowMs: number): Promise<T> {
  const { payload } = await jwtVerify(jws, createLocalJWKSet(jwks), { typ, issuer, algorithms: SERVER_ALGS, currentDate: new Date(nowMs) });
  return payload as T;
}
