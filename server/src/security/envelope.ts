/**
 * Envelope encryption of sensitive fields at rest (decision 0012). A field is
 * encrypted with AES-256-GCM under a data key (DEK); DEKs are random, stored only wrapped under
 * the master key, and named by every value they encrypt, so rotating the DEK needs no downtime
 * and rotating the master key re-wraps a few rows instead of re-encrypting every field.
 *
 * A value is `pe1.<keyId>.<iv>.<ciphertext+tag>` (base64url parts). The GCM additional data is
 * `pe1.<keyId>.<context>`: the caller's context names the column and row
 * (`fs_sites.access_notes:<row id>`), so a value copied to another row or column, or relabelled
 * with another key id, fails to decrypt instead of showing another record's secret. AES-GCM and
 * randomness come from node:crypto; key wrapping is primitives.ts's JWE.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import type { Database, Queryable } from '../db/index.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { AuditSink } from '../audit/index.ts';
import { randomId, rewrapRows, unwrapSecret, wrapSecret, WrongMasterKeyError, type MasterKey } from './primitives.ts';
import {
  insertActiveDataKey,
  insertFirstDataKey,
  lockDataKeys,
  retireActiveDataKey,
  selectActiveDataKey,
  selectAllDataKeys,
  selectDataKey,
  updateWrappedDataKey,
  type DataKeyRow,
} from './data-keys-store.ts';
import { PalisadeError } from '../errors/index.ts';
import { BoundedMap } from '../cache/index.ts';

const VERSION = 'pe1';
const IV_BYTES = 12; // the GCM nonce size NIST SP 800-38D recommends for random IVs
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID_BYTES = 12;
const KEY_ID = /^[A-Za-z0-9_-]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** How long an instance encrypts with the key it last saw active before asking again. */
export const ACTIVE_KEY_RECHECK_MS = 15_000;
/** Unwrapped data keys kept in memory per cipher. */
export const DATA_KEY_CACHE_SIZE = 64;

export type EnvelopeErrorCode =
  /** Not a `pe1.` value at all, or one whose parts are not canonical base64url of the right sizes. */
  | 'ERR_ENVELOPE_MALFORMED'
  /** The value names a data key this database does not have. */
  | 'ERR_ENVELOPE_UNKNOWN_KEY'
  /** GCM authentication failed: the value was altered, or belongs to another context. */
  | 'ERR_ENVELOPE_DECRYPT_FAILED'
  /** The stored data key itself does not unwrap (altered or copied from another key's row). */
  | 'ERR_DATA_KEY_UNWRAP_FAILED';

/**
 * Why a value does not decrypt. Callers branch on `code`. Messages name the key id and the
 * context (neither is secret) and never the value, the plaintext or key material.
 */
export class EnvelopeError extends PalisadeError<EnvelopeErrorCode> {
  constructor(code: EnvelopeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'EnvelopeError';
  }
}

interface Parsed {
  keyId: string;
  iv: Buffer;
  sealed: Buffer;
}

function canonical(part: string): Buffer | undefined {
  if (!BASE64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  // Node decodes leniently; only the one canonical spelling of the bytes is accepted, so a
  // stored value cannot be re-spelt into another string that decrypts the same.
  return bytes.toString('base64url') === part ? bytes : undefined;
}

function parse(value: string): Parsed {
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new EnvelopeError('ERR_ENVELOPE_MALFORMED', `not an encrypted value (expected ${VERSION}.<keyId>.<iv>.<ciphertext>)`);
  const [, keyId, ivText, sealedText] = parts as [string, string, string, string];
  const iv = canonical(ivText);
  const sealed = canonical(sealedText);
  if (!KEY_ID.test(keyId) || !iv || iv.length !== IV_BYTES || !sealed || sealed.length < TAG_BYTES) {
    throw new EnvelopeError('ERR_ENVELOPE_MALFORMED', 'encrypted value is malformed: a part is missing, has the wrong length or is not canonical base64url');
  }
  return { keyId, iv, sealed };
}

/** The id of the data key that encrypted `value`; throws `ERR_ENVELOPE_MALFORMED` if it is not one. */
export function keyIdOf(value: string): string {
  return parse(value).keyId;
}

/** Whether `value` is an encrypted value (for jobs that encrypt columns still holding plaintext). */
export function isEncryptedValue(value: string): boolean {
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

function additionalData(keyId: string, context: string): Buffer {
  if (context.length === 0) throw new TypeError('an encryption context is required: name the column and row, e.g. fs_sites.access_notes:<row id>');
  // The key id cannot contain a dot, so this string splits back into its parts one way only.
  return Buffer.from(`${VERSION}.${keyId}.${context}`, 'utf8');
}

const wrapContext = (keyId: string) => `palisade-data-key:${keyId}`;

async function newDataKey(master: MasterKey): Promise<{ id: string; key: KeyObject; wrappedKey: string }> {
  const id = randomId(KEY_ID_BYTES);
  const raw = randomBytes(KEY_BYTES);
  const wrappedKey = await wrapSecret(master, raw.toString('base64url'), wrapContext(id));
  return { id, key: createSecretKey(raw), wrappedKey };
}

async function unwrapDataKey(master: MasterKey, row: Pick<DataKeyRow, 'id' | 'wrappedKey'>): Promise<KeyObject> {
  let wrappedUnder: unknown;
  try {
    wrappedUnder = decodeProtectedHeader(row.wrappedKey).kid;
  } catch (error) {
    throw new EnvelopeError('ERR_DATA_KEY_UNWRAP_FAILED', `data key ${row.id} is not a wrapped key: its stored row was altered`, { cause: error });
  }
  // Another master key is a configuration problem the operator must see as such, not as tampering.
  if (wrappedUnder !== master.id) {
    throw new WrongMasterKeyError(`data key ${row.id} is wrapped under master key ${String(wrappedUnder)}, but the configured master key is ${master.id}`);
  }
  let text: string;
  try {
    text = await unwrapSecret(master, row.wrappedKey, wrapContext(row.id));
  } catch (error) {
    throw new EnvelopeError('ERR_DATA_KEY_UNWRAP_FAILED', `data key ${row.id} does not unwrap under the master key: its stored row was altered or copied from another key`, { cause: error });
  }
  const raw = Buffer.from(text, 'base64url');
  if (raw.length !== KEY_BYTES) throw new EnvelopeError('ERR_DATA_KEY_UNWRAP_FAILED', `data key ${row.id} is not a 256-bit key`);
  return createSecretKey(raw);
}

export type DataKeyState = 'active' | 'retired';

export interface DataKeyView {
  id: string;
  state: DataKeyState;
  createdAt: string;
  activatedAt: string;
  retiredAt: string | null;
}

/** Every data key and its state, newest first: ids and dates only, no key material, no master key needed. */
export async function listDataKeys(db: Queryable): Promise<DataKeyView[]> {
  return (await selectAllDataKeys(db)).map((row) => ({
    id: row.id,
    state: row.retiredAt ? 'retired' : 'active',
    createdAt: row.createdAt.toISOString(),
    activatedAt: row.activatedAt.toISOString(),
    retiredAt: row.retiredAt?.toISOString() ?? null,
  }));
}

export interface FieldCipherDeps {
  db: Database;
  master: MasterKey;
  clock?: Clock;
  /** Creating and rotating data keys are recorded here, in their transaction. */
  audit?: AuditSink;
  /** Default ACTIVE_KEY_RECHECK_MS: how soon a rotation by another instance or the CLI is seen. */
  activeKeyRecheckMs?: number;
  /** Default DATA_KEY_CACHE_SIZE. */
  cacheSize?: number;
}

interface ActiveKey {
  id: string;
  key: KeyObject;
}

/**
 * Encrypts and decrypts fields. Every method takes an optional `tx`: pass the transaction the
 * value is read or written in. On embedded PGlite (one connection) a lookup outside a running
 * transaction would wait for it forever; on PostgreSQL it saves a pool connection. Call
 * `ready()` at start so writes inside transactions rarely need a lookup at all.
 */
export class FieldCipher {
  private readonly db: Database;
  private readonly master: MasterKey;
  private readonly clock: Clock;
  private readonly audit: AuditSink | undefined;
  private readonly recheckMs: number;
  /** Unwrapped keys by id, the least recently used forgotten first. */
  private readonly keys: BoundedMap<string, KeyObject>;
  /** The active key as last learned from a committed read, and when. */
  private active: (ActiveKey & { checkedAt: number }) | undefined;
  private refreshing: Promise<ActiveKey> | undefined;
  /** Bumped by rotate(), so a read that started before it cannot put the old key back. */
  private generation = 0;

  constructor(deps: FieldCipherDeps) {
    this.db = deps.db;
    this.master = deps.master;
    this.clock = deps.clock ?? systemClock;
    this.audit = deps.audit;
    this.recheckMs = deps.activeKeyRecheckMs ?? ACTIVE_KEY_RECHECK_MS;
    this.keys = new BoundedMap({ max: Math.max(1, deps.cacheSize ?? DATA_KEY_CACHE_SIZE), order: 'use' });
  }

  /** Loads the active data key, creating the first one if the database has none. Returns its id. */
  async ready(): Promise<string> {
    return (await this.refreshActive()).id;
  }

  async encrypt(plaintext: string, context: string, tx?: Queryable): Promise<string> {
    const active = await this.activeKey(tx);
    return this.seal(active, plaintext, context);
  }

  async decrypt(value: string, context: string, tx?: Queryable): Promise<string> {
    const parsed = parse(value);
    const aad = additionalData(parsed.keyId, context);
    const key = await this.keyById(parsed.keyId, tx);
    const ciphertext = parsed.sealed.subarray(0, parsed.sealed.length - TAG_BYTES);
    const tag = parsed.sealed.subarray(parsed.sealed.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      return plaintext.toString('utf8');
    } catch (error) {
      throw new EnvelopeError('ERR_ENVELOPE_DECRYPT_FAILED', `value under data key ${parsed.keyId} does not decrypt for ${context}: it was altered, or belongs to another field or row`, { cause: error });
    }
  }

  /** `null` stays `null`: for nullable columns. */
  async encryptNullable(plaintext: string | null, context: string, tx?: Queryable): Promise<string | null> {
    return plaintext === null ? null : this.encrypt(plaintext, context, tx);
  }

  async decryptNullable(value: string | null, context: string, tx?: Queryable): Promise<string | null> {
    return value === null ? null : this.decrypt(value, context, tx);
  }

  /**
   * `value` under the active key: unchanged if it already is, else decrypted and encrypted
   * again (authenticated first, so a tampered value is refused, never laundered). A job walks
   * a table in batches after `rotate()`, writing back what changed; `keyIdOf` finds the rows.
   */
  async reencrypt(value: string, context: string, tx?: Queryable): Promise<string> {
    const keyId = keyIdOf(value);
    const active = await this.activeKey(tx);
    const plaintext = await this.decrypt(value, context, tx);
    if (keyId === active.id) return value;
    return this.seal(active, plaintext, context);
  }

  /** The id of the key new values are encrypted with. */
  async activeKeyId(tx?: Queryable): Promise<string> {
    return (await this.activeKey(tx)).id;
  }

  /**
   * Creates a new data key that encrypts from now on and retires the active one, which keeps
   * decrypting. Other instances switch within `activeKeyRecheckMs`; values they write meanwhile
   * are under the retired key and are picked up by the next re-encryption pass. Returns the id.
   */
  async rotate(options: { reason?: string } = {}): Promise<string> {
    const fresh = await newDataKey(this.master);
    const at = new Date(this.clock.now());
    await this.db.transaction(async (tx) => {
      await lockDataKeys(tx);
      const previous = await retireActiveDataKey(tx, at);
      await insertActiveDataKey(tx, { id: fresh.id, wrappedKey: fresh.wrappedKey, at });
      await this.audit?.record(tx, {
        action: 'data_key.rotate',
        outcome: 'success',
        reason: options.reason ?? 'rotation',
        actor: {},
        resource: { type: 'data_key', id: fresh.id },
        detail: { retired: previous ?? null },
      });
    });
    this.generation++;
    this.keys.set(fresh.id, fresh.key);
    this.active = { id: fresh.id, key: fresh.key, checkedAt: this.clock.now() };
    return fresh.id;
  }

  /** Every data key and its state, newest first (never key material). */
  async listKeys(): Promise<DataKeyView[]> {
    return listDataKeys(this.db);
  }

  private seal(active: ActiveKey, plaintext: string, context: string): string {
    const aad = additionalData(active.id, context);
    // A random 96-bit IV per value: with keys rotated long before 2^32 values (SP 800-38D's
    // bound for random IVs) a repeat, which would expose the GCM authentication key, stays out of reach.
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', active.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${active.id}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  private async activeKey(tx: Queryable | undefined): Promise<ActiveKey> {
    const known = this.active;
    if (known && this.clock.now() - known.checkedAt < this.recheckMs) return known;
    if (!tx) return this.refreshActive();
    if (known) {
      // Inside a transaction: keep using the key known (a retired key still decrypts) and learn
      // about rotations in the background, after the caller's transaction has let go.
      // A failed refresh leaves the known key in use; the next call tries again.
      this.refreshActive().catch(() => undefined);
      return known;
    }
    // Nothing known and a transaction open: read, or create, in it. What is learned here is not
    // remembered as active: if the transaction rolls back, a key it created is gone with it
    // (together with every value it encrypted), and must not encrypt later values.
    const row = await selectActiveDataKey(tx);
    if (row) return { id: row.id, key: await this.keyFromRow(row) };
    const fresh = await newDataKey(this.master);
    const at = new Date(this.clock.now());
    if (await insertFirstDataKey(tx, { id: fresh.id, wrappedKey: fresh.wrappedKey, at })) {
      await this.recordCreated(tx, fresh.id);
      return { id: fresh.id, key: fresh.key };
    }
    const winner = await selectActiveDataKey(tx);
    if (!winner) throw new Error('no active data key after creating one');
    return { id: winner.id, key: await this.keyFromRow(winner) };
  }

  /** Reads the active key on the cipher's own connection (committed state) and remembers it. */
  private refreshActive(): Promise<ActiveKey> {
    this.refreshing ??= this.loadActive().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async loadActive(): Promise<ActiveKey> {
    const generation = this.generation;
    let row = await selectActiveDataKey(this.db);
    if (!row) {
      // First use. Two instances may get here together: the partial unique index lets one
      // insert win and the other do nothing, and both then read the winner.
      const fresh = await newDataKey(this.master);
      const at = new Date(this.clock.now());
      await this.db.transaction(async (tx) => {
        if (await insertFirstDataKey(tx, { id: fresh.id, wrappedKey: fresh.wrappedKey, at })) await this.recordCreated(tx, fresh.id);
      });
      row = await selectActiveDataKey(this.db);
      if (!row) throw new Error('no active data key after creating one');
    }
    const active = { id: row.id, key: await this.keyFromRow(row) };
    if (generation === this.generation) this.active = { ...active, checkedAt: this.clock.now() };
    return active;
  }

  private async recordCreated(tx: Queryable, id: string): Promise<void> {
    await this.audit?.record(tx, { action: 'data_key.create', outcome: 'success', reason: 'first_use', actor: {}, resource: { type: 'data_key', id } });
  }

  private async keyById(id: string, tx: Queryable | undefined): Promise<KeyObject> {
    const cached = this.keys.get(id);
    if (cached) return cached;
    const row = await selectDataKey(tx ?? this.db, id);
    if (!row) throw new EnvelopeError('ERR_ENVELOPE_UNKNOWN_KEY', `value names data key ${id}, which this database does not have`);
    return this.keyFromRow(row);
  }

  /**
   * Unwraps and remembers a key by id. Remembering a key read inside a transaction that later
   * rolls back is harmless: no committed value can name a key whose row was never committed.
   */
  private async keyFromRow(row: DataKeyRow): Promise<KeyObject> {
    const cached = this.keys.get(row.id);
    if (cached) return cached;
    const key = await unwrapDataKey(this.master, row);
    this.keys.set(row.id, key);
    return key;
  }
}

/**
 * Master key rotation for data keys: re-wraps every data key from `from` to `to` in one
 * transaction (all or none), leaving every encrypted field as it is. Safe to run again: keys
 * already under `to` are skipped. Returns how many were re-wrapped. Instances still configured
 * with `from` keep decrypting with the keys they hold in memory but cannot unwrap any other:
 * switch every instance to the new master key together.
 */
export async function rewrapDataKeys(db: Database, from: MasterKey, to: MasterKey, options: { audit?: AuditSink } = {}): Promise<number> {
  return db.transaction(async (tx) => {
    await lockDataKeys(tx);
    const rewrapped = await rewrapRows(await selectAllDataKeys(tx), from, to, {
      unwrap: async (master, row) => (await unwrapDataKey(master, row)).export().toString('base64url'),
      wrap: (master, row, secret) => wrapSecret(master, secret, wrapContext(row.id)),
      store: (row, wrapped) => updateWrappedDataKey(tx, row.id, wrapped),
    });
    await options.audit?.record(tx, {
      action: 'data_key.rewrap',
      outcome: 'success',
      actor: {},
      resource: { type: 'data_key' },
      detail: { rewrapped, fromMasterKey: from.id, toMasterKey: to.id },
    });
    return rewrapped;
  });
}
