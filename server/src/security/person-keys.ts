/**
 * Per-person data keys: crypto-shredding (decision 0023). The personal data that lives longest or
 * leaves the database — photo bytes in a blob store, the location trail — is encrypted with
 * AES-256-GCM (node:crypto) under a random 256-bit key of its own person. The key is stored only
 * wrapped (JWE dir/A256GCM of primitives.ts) under a key-encryption key derived from the master key,
 * in `person_keys` (migration 0023). Erasure deletes that row in its transaction: from then on
 * every copy of the data — an old S3 object version, a blob whose delete failed, a row in a backup
 * restored with a later key file — is ciphertext no key opens.
 *
 * Two forms, both naming their key and authenticated with the additional data
 * `pk1.<keyId>.<personId>.<context>`, where the context names the record (`fs_photos:<photo id>`),
 * so a value moved to another person or record fails to decrypt instead of showing:
 * - text (rows): `pk1.<keyId>.<iv>.<ciphertext+tag>`, base64url parts;
 * - bytes (blobs): `pk1.` + key id (16 characters) + `.` + 12-byte IV + ciphertext + 16-byte tag.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Database, Queryable } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import { BoundedMap } from '../cache/index.ts';
import { PalisadeError } from '../errors/index.ts';
import { decodeProtectedHeader } from 'jose';
import { deriveKey, randomId, rewrapRows, unwrapSecret, wrapSecret, WrongMasterKeyError, type MasterKey } from './primitives.ts';
import { deletePersonKeys, insertPersonKey, lockPersonKeys, selectAllPersonKeys, selectPersonKeyById, selectPersonKeyOf, updateWrappedPersonKey, type PersonKeyRow } from './person-keys-store.ts';

const VERSION = 'pk1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID_BYTES = 12;
const KEY_ID = /^[A-Za-z0-9_-]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** `pk1.` + 16-character key id + `.`: the header of a sealed blob. */
const BYTES_HEADER = VERSION.length + 1 + 16 + 1;

/** How long an unwrapped key is trusted without reading its row again: bounds how long another instance's erasure takes to reach this one's memory. */
export const PERSON_KEY_CACHE_MS = 60_000;
export const PERSON_KEY_CACHE_SIZE = 1024;

export type PersonDataErrorCode =
  /** Not a `pk1` value, or its parts have the wrong sizes. */
  | 'ERR_PERSON_DATA_MALFORMED'
  /** The value names a key this database does not hold: the person was erased (crypto-shredded), or the key file restored is older than the data. */
  | 'ERR_PERSON_KEY_DESTROYED'
  /** GCM authentication failed: the value was altered, or belongs to another person or record. */
  | 'ERR_PERSON_DATA_DECRYPT_FAILED';

/** Why personal data does not decrypt. Messages name the key id and context, never data or key material. */
export class PersonDataError extends PalisadeError<PersonDataErrorCode> {
  constructor(code: PersonDataErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PersonDataError';
  }
}

export interface PersonKeysDeps {
  db: Database;
  master: MasterKey;
  clock?: Clock;
  cacheMs?: number;
  cacheSize?: number;
}

interface KnownKey {
  id: string;
  personId: string;
  key: KeyObject;
  at: number;
}

const wrapContext = (id: string, personId: string) => `palisade-person-key:${id}:${personId}`;

/**
 * The key person keys are wrapped under: HKDF from the master key, so nothing wrapped under the
 * master key directly can be passed off as a person key or the other way round. It carries the
 * master key's id, so a row names the master key it needs.
 */
function personKek(master: MasterKey): MasterKey {
  return { id: master.id, key: new Uint8Array(deriveKey(master, 'palisade-person-key-wrap').export()) };
}

function additionalData(keyId: string, personId: string, context: string): Buffer {
  if (context.length === 0) throw new TypeError('a context naming the record is required, e.g. fs_photos:<photo id>');
  return Buffer.from(`${VERSION}.${keyId}.${personId}.${context}`, 'utf8');
}

function canonical(part: string): Buffer | undefined {
  if (!BASE64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

/** Whether `value` is a sealed text value (a row written before migration 0023 holds plaintext instead). */
export function isSealedText(value: string): boolean {
  return value.startsWith(`${VERSION}.`);
}

/** Whether `bytes` begin like a sealed blob. */
export function isSealedBytes(bytes: Uint8Array): boolean {
  return bytes.length >= BYTES_HEADER && Buffer.from(bytes.subarray(0, VERSION.length + 1)).toString('latin1') === `${VERSION}.`;
}

/**
 * Seals and opens one person's data under their key, creating it on first use. Keys are created
 * and looked up on the store's own connection (committed state), never inside a caller's
 * transaction for creation, so a rolled-back transaction cannot leave a key remembered that no
 * row holds. Opening takes the caller's transaction (embedded PGlite has one connection).
 */
export class PersonKeys {
  private readonly db: Database;
  private readonly kek: MasterKey;
  private readonly clock: Clock;
  private readonly cacheMs: number;
  /** Unwrapped keys by key id, and the key id of each person. */
  private readonly byId: BoundedMap<string, KnownKey>;
  private readonly byPerson: BoundedMap<string, KnownKey>;

  constructor(deps: PersonKeysDeps) {
    this.db = deps.db;
    this.kek = personKek(deps.master);
    this.clock = deps.clock ?? systemClock;
    this.cacheMs = deps.cacheMs ?? PERSON_KEY_CACHE_MS;
    const max = Math.max(1, deps.cacheSize ?? PERSON_KEY_CACHE_SIZE);
    this.byId = new BoundedMap({ max, order: 'use' });
    this.byPerson = new BoundedMap({ max, order: 'use' });
  }

  /** The person's key, created (and committed) when they have none. Call outside any open transaction. */
  async keyOf(personId: string): Promise<{ id: string }> {
    return { id: (await this.writeKey(personId)).id };
  }

  async sealText(personId: string, context: string, plaintext: string): Promise<string> {
    const known = await this.writeKey(personId);
    const iv = randomBytes(IV_BYTES);
    const sealed = this.encrypt(known, context, iv, Buffer.from(plaintext, 'utf8'));
    return `${VERSION}.${known.id}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  async openText(personId: string, context: string, value: string, tx?: Queryable): Promise<string> {
    const parts = value.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new PersonDataError('ERR_PERSON_DATA_MALFORMED', 'not sealed personal data (expected pk1.<keyId>.<iv>.<ciphertext>)');
    const [, keyId, ivText, sealedText] = parts as [string, string, string, string];
    const iv = canonical(ivText);
    const sealed = canonical(sealedText);
    if (!KEY_ID.test(keyId) || !iv || iv.length !== IV_BYTES || !sealed || sealed.length < TAG_BYTES) {
      throw new PersonDataError('ERR_PERSON_DATA_MALFORMED', 'sealed personal data is malformed: a part is missing, has the wrong length or is not canonical base64url');
    }
    const known = await this.readKey(keyId, tx);
    return this.decrypt(known, personId, context, iv, sealed).toString('utf8');
  }

  async sealBytes(personId: string, context: string, bytes: Uint8Array): Promise<Uint8Array> {
    const known = await this.writeKey(personId);
    const iv = randomBytes(IV_BYTES);
    const sealed = this.encrypt(known, context, iv, bytes);
    return Buffer.concat([Buffer.from(`${VERSION}.${known.id}.`, 'latin1'), iv, sealed]);
  }

  async openBytes(personId: string, context: string, bytes: Uint8Array, tx?: Queryable): Promise<Uint8Array> {
    if (!isSealedBytes(bytes) || bytes.length < BYTES_HEADER + IV_BYTES + TAG_BYTES || bytes[BYTES_HEADER - 1] !== 0x2e) {
      throw new PersonDataError('ERR_PERSON_DATA_MALFORMED', 'not a sealed blob (expected pk1.<keyId>. and an IV, ciphertext and tag)');
    }
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const keyId = buffer.subarray(VERSION.length + 1, BYTES_HEADER - 1).toString('latin1');
    if (!KEY_ID.test(keyId)) throw new PersonDataError('ERR_PERSON_DATA_MALFORMED', 'a sealed blob names no valid key id');
    const known = await this.readKey(keyId, tx);
    return new Uint8Array(this.decrypt(known, personId, context, buffer.subarray(BYTES_HEADER, BYTES_HEADER + IV_BYTES), buffer.subarray(BYTES_HEADER + IV_BYTES)));
  }

  /**
   * Destroys the person's key in the caller's (owner) transaction: the erasure's. This instance
   * forgets it at once; others within PERSON_KEY_CACHE_MS. Returns how many keys were destroyed.
   */
  async destroy(tx: Queryable, personId: string): Promise<number> {
    const ids = await deletePersonKeys(tx, personId);
    this.forget(personId, ids);
    return ids.length;
  }

  /** Drops the person's keys from memory (after an erasure committed elsewhere in this process). */
  forget(personId: string, ids: readonly string[] = []): void {
    const known = this.byPerson.peek(personId);
    if (known) this.byId.delete(known.id);
    this.byPerson.delete(personId);
    for (const id of ids) this.byId.delete(id);
  }

  private fresh(known: KnownKey | undefined): KnownKey | undefined {
    return known && this.clock.now() - known.at < this.cacheMs ? known : undefined;
  }

  private async writeKey(personId: string): Promise<KnownKey> {
    const cached = this.fresh(this.byPerson.get(personId));
    if (cached) return cached;
    let row = await selectPersonKeyOf(this.db, personId);
    if (!row) {
      const id = randomId(KEY_ID_BYTES);
      const raw = randomBytes(KEY_BYTES);
      const wrappedKey = await wrapSecret(this.kek, raw.toString('base64url'), wrapContext(id, personId));
      // Two first uses at once (two instances, two requests): the unique person id lets one win.
      await this.db.transaction((tx) => insertPersonKey(tx, { id, personId, wrappedKey, at: new Date(this.clock.now()) }));
      row = await selectPersonKeyOf(this.db, personId);
      if (!row) throw new Error('no person key after creating one');
    }
    return this.remember(row);
  }

  private async readKey(keyId: string, tx: Queryable | undefined): Promise<KnownKey> {
    const cached = this.fresh(this.byId.get(keyId));
    if (cached) return cached;
    const row = await selectPersonKeyById(tx ?? this.db, keyId);
    if (!row) {
      this.byId.delete(keyId);
      throw new PersonDataError('ERR_PERSON_KEY_DESTROYED', `personal data names key ${keyId}, which no longer exists: its person was erased`);
    }
    return this.remember(row);
  }

  private async remember(row: PersonKeyRow): Promise<KnownKey> {
    let wrappedUnder: unknown;
    try {
      wrappedUnder = decodeProtectedHeader(row.wrappedKey).kid;
    } catch (error) {
      throw new PersonDataError('ERR_PERSON_DATA_DECRYPT_FAILED', `person key ${row.id} is not a wrapped key: its stored row was altered`, { cause: error });
    }
    // Another master key is a configuration problem the operator must see as such, not as tampering.
    if (wrappedUnder !== this.kek.id) throw new WrongMasterKeyError(`person key ${row.id} is wrapped under master key ${String(wrappedUnder)}, but the configured master key is ${this.kek.id}`);
    let text: string;
    try {
      text = await unwrapSecret(this.kek, row.wrappedKey, wrapContext(row.id, row.personId));
    } catch (error) {
      throw new PersonDataError('ERR_PERSON_DATA_DECRYPT_FAILED', `person key ${row.id} does not unwrap: its stored row was altered or copied from another person`, { cause: error });
    }
    const raw = Buffer.from(text, 'base64url');
    if (raw.length !== KEY_BYTES) throw new PersonDataError('ERR_PERSON_DATA_DECRYPT_FAILED', `person key ${row.id} is not a 256-bit key`);
    const known: KnownKey = { id: row.id, personId: row.personId, key: createSecretKey(raw), at: this.clock.now() };
    this.byId.set(row.id, known);
    this.byPerson.set(row.personId, known);
    return known;
  }

  private encrypt(known: KnownKey, context: string, iv: Buffer, plaintext: Uint8Array): Buffer {
    // A random 96-bit IV per value under a per-person key: far below SP 800-38D's 2^32 bound.
    const cipher = createCipheriv('aes-256-gcm', known.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(known.id, known.personId, context));
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  private decrypt(known: KnownKey, personId: string, context: string, iv: Buffer, sealed: Buffer): Buffer {
    // The additional data names the person the caller expects, not the key's owner: another
    // person's key (or their value moved here) fails authentication like any tampering.
    const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', known.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(known.id, personId, context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch (error) {
      throw new PersonDataError('ERR_PERSON_DATA_DECRYPT_FAILED', `personal data under key ${known.id} does not decrypt for ${context}: it was altered, or belongs to another person or record`, { cause: error });
    }
  }
}

/**
 * Master key rotation for person keys, as `rewrapDataKeys` for data keys: re-wraps every person's
 * key from `from` to `to` in one owner transaction (all or none; the runtime role may not update a
 * key), leaving every sealed position and photo as it is — the person keys themselves do not
 * change, so nothing is re-encrypted and erasure still shreds by deleting the one row. The key
 * table is locked against new first uses meanwhile. Safe to run again: keys already under `to`
 * (proven by unwrapping) are skipped; a key under neither is refused, so nothing is silently left
 * behind. Instances still configured with `from` create new keys under it: switch every instance,
 * then run it once more. Returns how many keys were re-wrapped.
 */
export async function rewrapPersonKeys(db: Database, from: MasterKey, to: MasterKey, options: { audit?: AuditSink } = {}): Promise<number> {
  // Derived once each: rewrapRows only ever hands back `from` or `to`.
  const fromKek = personKek(from);
  const toKek = personKek(to);
  const kekOf = (master: MasterKey) => (master === from ? fromKek : toKek);
  return db.asOwner(async (tx) => {
    await lockPersonKeys(tx);
    const rewrapped = await rewrapRows(await selectAllPersonKeys(tx), from, to, {
      async unwrap(master, row) {
        try {
          return await unwrapSecret(kekOf(master), row.wrappedKey, wrapContext(row.id, row.personId));
        } catch (error) {
          if (error instanceof WrongMasterKeyError) throw error;
          throw new PersonDataError('ERR_PERSON_DATA_DECRYPT_FAILED', `person key ${row.id} does not unwrap: its stored row was altered or copied from another person`, { cause: error });
        }
      },
      wrap: (master, row, secret) => wrapSecret(kekOf(master), secret, wrapContext(row.id, row.personId)),
      store: (row, wrapped) => updateWrappedPersonKey(tx, row.id, wrapped),
    });
    await options.audit?.record(tx, {
      action: 'person_key.rewrap',
      outcome: 'success',
      actor: {},
      resource: { type: 'person_key' },
      detail: { rewrapped, fromMasterKey: from.id, toMasterKey: to.id },
    });
    return rewrapped;
  });
}
