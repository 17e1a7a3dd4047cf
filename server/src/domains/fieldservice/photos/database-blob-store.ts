/**
 * Photo bytes in PostgreSQL (or PGlite): the shared store every instance behind a load balancer
 * reads, with nothing to run beside the database. A blob is a row plus its bytes in chunks of at
 * most 1 MiB (migration 0021), written in one transaction so it appears whole or not at all, and
 * read chunk by chunk, so no query result or protocol message holds more than one chunk.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../../db/index.ts';
import { randomId } from '../../../security/index.ts';
import type { PhotoMediaType } from './content.ts';
import { BLOB_KEY_PATTERN, InvalidBlobKey, type BlobStore, type StoredBlob } from './blob-store.ts';

/** Each chunk is one bytea value; the table's CHECK holds the same bound. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

export interface DatabaseBlobStoreOptions {
  /** New keys (STYLE.md, habit 4: randomness is injected); must match BLOB_KEY_PATTERN. */
  newKey?: () => string;
  /** Chunk size, at most BLOB_CHUNK_BYTES (tests use a small one to exercise many chunks). */
  chunkBytes?: number;
}

export class DatabaseBlobStore implements BlobStore {
  private readonly db: Database;
  private readonly newKey: () => string;
  private readonly chunkBytes: number;

  constructor(db: Database, options: DatabaseBlobStoreOptions = {}) {
    this.db = db;
    this.newKey = options.newKey ?? (() => randomId(32));
    this.chunkBytes = Math.min(options.chunkBytes ?? BLOB_CHUNK_BYTES, BLOB_CHUNK_BYTES);
  }

  async put(bytes: Uint8Array, _options: { mediaType: PhotoMediaType }): Promise<StoredBlob> {
    const key = checked(this.newKey());
    const digest = sha256(bytes);
    await this.db.transaction(async (tx) => {
      // A plain INSERT: a repeated key fails on the primary key and never replaces a stored blob.
      await tx.query('INSERT INTO fs_photo_blobs (key, size, sha256) VALUES ($1, $2, $3)', [key, bytes.length, digest]);
      for (let seq = 0, at = 0; at < bytes.length; seq += 1, at += this.chunkBytes) {
        await tx.query('INSERT INTO fs_photo_blob_chunks (key, seq, bytes) VALUES ($1, $2, $3)', [key, seq, Buffer.from(bytes.subarray(at, at + this.chunkBytes))]);
      }
    });
    return { key, sha256: digest, size: bytes.length };
  }

  async get(key: string): Promise<{ bytes: Uint8Array; size: number; sha256: string } | undefined> {
    checked(key);
    // One transaction so a delete in between cannot hand back half a blob.
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ size: number }>('SELECT size FROM fs_photo_blobs WHERE key = $1', [key]);
      if (!rows[0]) return undefined;
      const out = new Uint8Array(rows[0].size);
      const hash = createHash('sha256');
      let filled = 0;
      for (let seq = 0; filled < out.length; seq += 1) {
        const chunk = await tx.query<{ bytes: Uint8Array }>('SELECT bytes FROM fs_photo_blob_chunks WHERE key = $1 AND seq = $2', [key, seq]);
        const piece = chunk.rows[0]?.bytes;
        // A missing or oversized chunk is damage at rest: the digest the caller compares with
        // the photo's row then differs, and the route answers photo-damaged.
        if (!piece || filled + piece.length > out.length) break;
        out.set(piece, filled);
        hash.update(piece);
        filled += piece.length;
      }
      const bytes = filled === out.length ? out : out.subarray(0, filled);
      return { bytes, size: bytes.length, sha256: filled === out.length ? hash.digest('hex') : sha256(bytes) };
    });
  }

  async delete(key: string): Promise<boolean> {
    checked(key);
    const { rowCount } = await this.db.transaction((tx) => tx.query('DELETE FROM fs_photo_blobs WHERE key = $1', [key]));
    return rowCount > 0;
  }
}

function checked(key: string): string {
  if (typeof key !== 'string' || !BLOB_KEY_PATTERN.test(key)) throw new InvalidBlobKey();
  return key;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
