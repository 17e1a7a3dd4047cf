/**
 * Security primitives (hashing, constant-time comparison, key derivation, wrapping under the
 * master key) and envelope encryption of sensitive columns. Other modules use these exports.
 */
export * from './primitives.ts';
export { redact, redactForLog, difference, isSecretName, REDACTED } from './redact.ts';
export { resolveMasterKey, sensitiveCipher } from './master-key.ts';
export {
  ACTIVE_KEY_RECHECK_MS,
  DATA_KEY_CACHE_SIZE,
  EnvelopeError,
  FieldCipher,
  isEncryptedValue,
  keyIdOf,
  listDataKeys,
  rewrapDataKeys,
  type DataKeyState,
  type DataKeyView,
  type EnvelopeErrorCode,
  type FieldCipherDeps,
} from './envelope.ts';
