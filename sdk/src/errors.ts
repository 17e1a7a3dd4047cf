/**
 * One error class for everything the SDK refuses or the server refuses. `code` is stable and
 * callers branch on it (never on `message`): for a server answer it is the slug of the RFC 9457
 * problem type (`https://palisade.dev/problems/<slug>`, server/src/http/problems.ts), so the SDK
 * and the server speak one vocabulary; the SDK's own refusals have codes of their own below.
 */

export const PROBLEM_BASE = 'https://palisade.dev/problems/';

/** Problem types the SDK turns into app states; any other server slug is passed through as the code. */
export const SERVER_CODES = [
  'session-locked',
  'session-revoked',
  'device-locked',
  'device-wiped',
  'step-up-required',
  'app-update-required',
  'os-update-required',
  'rate-limited',
  'locked-out',
  'invalid-token',
  'invalid-dpop-proof',
  'unlock-failed',
  'unlock-blocked',
  'no-unlock-key',
  'forbidden',
  'no-role',
  'posture-invalid',
  'invalid-app-key',
  'missing-app-key',
  'signature-invalid',
  'signature-expired',
  'signature-replayed',
] as const;

/** Refusals made by the SDK itself, before or instead of a server answer. */
export const SDK_CODES = [
  /** No session: sign in first. */
  'not-signed-in',
  /** The app is locked (idle timer, server lock or lock command): unlock first. */
  'locked',
  /** The server asked for a newer app or OS version: nothing works until the update. */
  'update-required',
  /** The session ended (revoked, 7-day limit, user disabled, invalid grant): local data was erased. */
  'signed-out',
  /** The authorization response was refused (state mismatch, error from the IdP, bad ID token). */
  'sign-in-failed',
  /** A signed document (command, pins, app config) did not verify against the JWKS. */
  'document-invalid',
  /** The TLS certificate's key is not in the verified pin set. */
  'pin-mismatch',
  /** The network failed and retrying did not help. */
  'network',
  /** The offline store refused a record: a field the OpenAPI document does not allow offline. */
  'offline-refused',
  /** The managed app configuration turned offline data off on this device (BYOD). */
  'offline-not-allowed',
  /** The device cannot keep a P-256 key in secure hardware (an RSA-only Android Keystore). */
  'unsupported-device',
  /** The server answered something the SDK cannot read. */
  'unexpected-response',
] as const;

export type ServerCode = (typeof SERVER_CODES)[number];
export type SdkCode = (typeof SDK_CODES)[number];
/** Known codes, plus any other problem slug the server may add later. */
export type PalisadeErrorCode = ServerCode | SdkCode | (string & {});

/** An RFC 9457 problem as the server sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  [extension: string]: unknown;
}

export class PalisadeError extends Error {
  readonly code: PalisadeErrorCode;
  /** The HTTP status, when the error is a server answer. */
  readonly status: number | undefined;
  /** The problem document, when the error is a server answer. */
  readonly problem: Problem | undefined;
  /** Seconds to wait before retrying (429), when the server said. */
  readonly retryAfter: number | undefined;

  constructor(code: PalisadeErrorCode, message: string, options: { status?: number; problem?: Problem; retryAfter?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PalisadeError';
    this.code = code;
    this.status = options.status;
    this.problem = options.problem;
    this.retryAfter = options.retryAfter;
  }

  /** The error for a problem answer (`type` → code; a non-Palisade type becomes `unexpected-response`). */
  static fromProblem(status: number, problem: Problem, retryAfter?: number): PalisadeError {
    const slug = typeof problem.type === 'string' && problem.type.startsWith(PROBLEM_BASE) ? problem.type.slice(PROBLEM_BASE.length) : undefined;
    const message = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
    return new PalisadeError(slug ?? 'unexpected-response', message, { status, problem, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }
}

/** The problem slug of a problem document (undefined when it is not one of Palisade's). */
export function problemSlug(problem: Problem | undefined): string | undefined {
  const type = problem?.type;
  return typeof type === 'string' && type.startsWith(PROBLEM_BASE) ? type.slice(PROBLEM_BASE.length) : undefined;
}
