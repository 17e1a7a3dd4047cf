/**
 * Where photo bytes live: a small interface any store (a folder, an object store) implements,
 * and the folder implementation. Keys are random, never derived from anything a user sent, and
 * are checked against one strict pattern before they touch a path, so a key read back from the
 * database cannot name a file outside the store. A blob appears whole or not at all: it is
 * written to a temporary file created exclusively (O_EXCL), flushed, then moved into place.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomId } from '../../../security/index.ts';
import type { PhotoMediaType } from './content.ts';
import { PalisadeError } from '../../../errors/index.ts';

export interface StoredBlob {
  key: string;
  /** Hex SHA-256 of the bytes: recorded beside the key so a blob changed at rest is detected. */
  sha256: string;
  size: number;
}

export interface BlobStore {
  put(bytes: Uint8Array, options: { mediaType: PhotoMediaType }): Promise<StoredBlob>;
  /** The blob's bytes, or undefined when there is no blob of that key. */
  get(key: string): Promise<{ bytes: Uint8Array; size: number; sha256: string } | undefined>;
  /** Whether a blob was there to delete. */
  delete(key: string): Promise<boolean>;
}

/** 32 random bytes, base64url: 43 characters of [A-Za-z0-9_-], no dots, no slashes. */
export const BLOB_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class InvalidBlobKey extends PalisadeError<'ERR_INVALID_BLOB_KEY'> {
  constructor() {
    // The key itself is not repeated: it may be an attacker's path.
    super('ERR_INVALID_BLOB_KEY', 'not a blob key');
    this.name = 'InvalidBlobKey';
  }
}

export interface FileBlobStoreOptions {
  /** New keys (STYLE.md, habit 4: randomness is injected); must match BLOB_KEY_PATTERN. */
  newKey?: () => string;
}

/**
 * Blobs as files `<root>/<first two key characters>/<key>`, mode 0600 in folders of mode 0700,
 * so a directory never holds more than a sliver of the store. The media type is not kept here:
 * the photo's database row records it; an object store would set it as the object's type.
 */
export class FileBlobStore implements BlobStore {
  readonly root: string;
  private readonly newKey: () => string;

  constructor(root: string, options: FileBlobStoreOptions = {}) {
    this.root = path.resolve(root);
    this.newKey = options.newKey ?? (() => randomId(32));
  }

  async put(bytes: Uint8Array, _options: { mediaType: PhotoMediaType }): Promise<StoredBlob> {
    const key = this.newKey();
    const final = this.pathOf(key);
    const folder = path.dirname(final);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    // The temporary name is random too, and created exclusively: never an existing file, nor a
    // symbolic link planted in its place. Its leading dot keeps it apart from every key.
    const temporary = path.join(folder, `.tmp-${randomId(16)}`);
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // A rename that cannot replace: link() fails with EEXIST where rename() would silently
      // overwrite, so even a repeated key never loses a stored photo. The blob appears whole.
      await link(temporary, final);
    } finally {
      await rm(temporary, { force: true });
    }
    await syncFolder(folder);
    return { key, sha256: sha256(bytes), size: bytes.length };
  }

  async get(key: string): Promise<{ bytes: Uint8Array; size: number; sha256: string } | undefined> {
    const file = this.pathOf(key);
    let handle;
    try {
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
    try {
      if (!(await handle.stat()).isFile()) return undefined;
      const bytes = new Uint8Array(await handle.readFile());
      return { bytes, size: bytes.length, sha256: sha256(bytes) };
    } finally {
      await handle.close();
    }
  }

  async delete(key: string): Promise<boolean> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false;
      throw error;
    }
    await syncFolder(path.dirname(file));
    return true;
  }

  private pathOf(key: string): string {
    if (typeof key !== 'string' || !BLOB_KEY_PATTERN.test(key)) throw new InvalidBlobKey();
    return path.join(this.root, key.slice(0, 2), key);
  }
}

/**
 * A shared store in front of the folder an earlier version wrote to: new blobs go to `primary`,
 * a key the primary does not have is looked up in `legacy`, so switching a deployment to the
 * database or S3 store keeps its existing photos readable without a copy step.
 */
export class FallbackBlobStore implements BlobStore {
  readonly primary: BlobStore;
  readonly legacy: BlobStore;

  constructor(primary: BlobStore, legacy: BlobStore) {
    this.primary = primary;
    this.legacy = legacy;
  }

  put(bytes: Uint8Array, options: { mediaType: PhotoMediaType }): Promise<StoredBlob> {
    return this.primary.put(bytes, options);
  }

  async get(key: string): Promise<{ bytes: Uint8Array; size: number; sha256: string } | undefined> {
    return (await this.primary.get(key)) ?? this.legacy.get(key);
  }

  async delete(key: string): Promise<boolean> {
    const [primary, legacy] = [await this.primary.delete(key), await this.legacy.delete(key)];
    return primary || legacy;
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Makes a rename or unlink durable: the folder's entry is flushed, not only the file. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
