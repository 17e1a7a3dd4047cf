/**
 * The one home of Palisade's security primitives: random identifiers, token hashing, keyed
 * hashes, constant-time comparison and key wrapping. A second implementation anywhere else is a bug
 * (STYLE.md, habit 9). Nothing here is hand-rolled cryptography: hashing and randomness come
 * from node:crypto, key wrapping is JWE (`dir` + A256GCM) from jose.
 */
import { createHash, createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { PalisadeError } from '../errors/index.ts';

/** URL-safe random identifier with `bytes` of entropy (default 256 bits). */
export function randomId(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Hex SHA-256 of a bearer secret. Tokens, codes and keys are stored only as this hash, so a
 * database leak does not hand out live credentials. The inputs are high-entropy random values,
 * so a plain (unsalted) hash is sufficient and keeps lookups indexable.
 */
export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two secrets without leaking, through timing, where they first differ. */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  // Hashing first makes lengths equal, so the length itself is not leaked either.
  return timingSafeEqual(left, right);
}

/** A key-encryption key (the master key) and its fingerprint, recorded beside wrapped data. */
export interface MasterKey {
  id: string;
  key: Uint8Array;
}

export function masterKeyFromBase64url(text: string): MasterKey {
  const key = Buffer.from(text, 'base64url');
  if (key.length !== 32) throw new TypeError('the master key must be 32 bytes, base64url encoded');
  return { id: createHash('sha256').update(key).digest('base64url').slice(0, 16), key: new Uint8Array(key) };
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Encrypts `plaintext` under the master key (authenticated: tampering is detected on unwrap). */
export async function wrapSecret(master: MasterKey, plaintext: string, context: string): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: master.id, cty: context })
    .encrypt(master.key);
}

export class WrongMasterKeyError extends PalisadeError<'ERR_WRONG_MASTER_KEY'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_WRONG_MASTER_KEY', message, options);
  }
}

export async function unwrapSecret(master: MasterKey, wrapped: string, context: string): Promise<string> {
  const header = decodeProtectedHeader(wrapped);
  if (header.kid !== master.id) {
    throw new WrongMasterKeyError(`data was wrapped under master key ${header.kid}, but the configured master key is ${master.id}`);
  }
  if (header.cty !== context) throw new WrongMasterKeyError(`wrapped value is a ${header.cty}, expected ${context}`);
  const { plaintext } = await compactDecrypt(wrapped, master.key);
  return new TextDecoder().decode(plaintext);
}

/** How one table's wrapped secrets are read and written again, for `rewrapRows`. */
export interface WrappedRows<Row> {
  /** The row's secret unwrapped under `master`; WrongMasterKeyError when it is wrapped under another. */
  unwrap(master: MasterKey, row: Row): Promise<string>;
  /** The secret wrapped under `master` for this row (the same context it had). */
  wrap(master: MasterKey, row: Row, secret: string): Promise<string>;
  /** Stores the newly wrapped secret in the row (inside the caller's transaction). */
  store(row: Row, wrapped: string): Promise<void>;
}

/**
 * Master key rotation's one loop, for every table of keys wrapped under the master key (data keys,
 * person keys): each row's secret is unwrapped under `from` and stored wrapped under `to`. A row
 * already under `to` (a second run) is skipped — proven by unwrapping it, not by its header; a row
 * under neither fails the rotation, so nothing is silently left behind. The caller holds the
 * transaction and the table lock. Returns how many rows were re-wrapped.
 */
export async function rewrapRows<Row>(rows: readonly Row[], from: MasterKey, to: MasterKey, how: WrappedRows<Row>): Promise<number> {
  if (from.id === to.id) throw new TypeError('the new master key is the same as the old one');
  let rewrapped = 0;
  for (const row of rows) {
    let secret: string;
    try {
      secret = await how.unwrap(from, row);
    } catch (error) {
      if (!(error instanceof WrongMasterKeyError)) throw error;
      await how.unwrap(to, row);
      continue;
    }
    await how.store(row, await how.wrap(to, row, secret));
    rewrapped++;
  }
  return rewrapped;
}

/**
 * A key for one purpose, derived from the master key (HKDF-SHA256, RFC 5869) with a fixed
 * label, so a key used to hash one kind of secret can never be confused with another. A
 * KeyObject: HMAC with it costs a tenth of HMAC with raw bytes, which are imported every time.
 */
export function deriveKey(master: MasterKey, purpose: string): KeyObject {
  return createSecretKey(new Uint8Array(hkdfSync('sha256', master.key, 'palisade', purpose, 32)));
}

/**
 * Hex HMAC-SHA256 of a secret under a derived key: how secrets are stored when a stolen
 * database must not even allow checking guesses offline (app keys).
 */
export function keyedHash(key: KeyObject, secret: string): string {
  return createHmac('sha256', key).update(secret, 'utf8').digest('hex');
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `length` uniformly random characters of [0-9A-Za-z] (5.95 bits each): for secrets that must
 * survive double-click selection and secret scanners' word boundaries. Bytes of 248 and above
 * are skipped, so every character is equally likely (248 = 4 × 62).
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** A 32-bit number as exactly 6 base62 characters (62^6 > 2^32), for checksums. */
export function base62Of32Bits(value: number): string {
  let n = value >>> 0;
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}
