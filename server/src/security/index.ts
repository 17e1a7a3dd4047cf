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
export {
  PERSON_KEY_CACHE_MS,
  PERSON_KEY_CACHE_SIZE,
  PersonDataError,
  PersonKeys,
  isSealedBytes,
  isSealedText,
  rewrapPersonKeys,
  type PersonDataErrorCode,
  type PersonKeysDeps,
} from './person-keys.ts';
export { countPeopleWithoutKeys, replaceAllPersonKeys, selectAllPersonKeys, type PersonKeyRow } from './person-keys-store.ts';
export { PERSON_KEY_FILE_FORMAT, readPersonKeyFile, writePersonKeyFile, type PersonKeyFile } from './person-key-file.ts';
