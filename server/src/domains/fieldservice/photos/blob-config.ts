/**
 * Which blob store holds photo bytes (photos.store): the folder for one embedded instance, the
 * database or an S3-compatible bucket when several instances share the photos. `auto` follows
 * the database: with PostgreSQL every instance must see every photo, so the folder is not an
 * option there; photos an earlier version wrote to the folder stay readable through it.
 */
import path from 'node:path';
import type { ResolvedConfig } from '../../../config/index.ts';
import type { Database } from '../../../db/index.ts';
import { FallbackBlobStore, FileBlobStore, type BlobStore } from './blob-store.ts';
import { DatabaseBlobStore } from './database-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

export type BlobStoreKind = 'folder' | 'database' | 's3';

export interface ConfiguredBlobStore {
  kind: BlobStoreKind;
  blobs: BlobStore;
  /** One line for the start-up banner and `config check`. */
  describe: string;
  close(): void;
}

export function blobStoreKind(config: Pick<ResolvedConfig, 'photos' | 'database'>): BlobStoreKind {
  const store = config.photos.store;
  if (store === 'auto') return config.database.url ? 'database' : 'folder';
  return store;
}

export async function openBlobStore(config: ResolvedConfig, db: Database): Promise<ConfiguredBlobStore> {
  const folder = new FileBlobStore(path.join(config.dataDir, 'blobs'));
  const kind = blobStoreKind(config);
  if (kind === 'folder') {
    return { kind, blobs: folder, describe: `photos in the folder ${folder.root} (one instance only)`, close: () => undefined };
  }
  if (kind === 'database') {
    return { kind, blobs: new FallbackBlobStore(new DatabaseBlobStore(db), folder), describe: 'photos in the database (shared by every instance)', close: () => undefined };
  }
  const s3 = config.photos.s3;
  if (!s3) throw new Error('photos.store s3 needs photos.s3'); // the configuration check refuses this first
  const store = new S3BlobStore({ bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, forcePathStyle: s3.forcePathStyle, prefix: s3.prefix });
  try {
    await store.reachable();
  } catch (error) {
    store.close();
    const reason = error instanceof Error ? error.name : 'unknown error';
    throw new Error(`photos.s3: the bucket ${s3.bucket} does not answer (${reason}); check the bucket, endpoint and credentials`, { cause: error });
  }
  return {
    kind,
    blobs: new FallbackBlobStore(store, folder),
    describe: `photos in the S3 bucket ${s3.bucket}${s3.endpoint ? ` at ${new URL(s3.endpoint).host}` : ''} (shared by every instance)`,
    close: () => store.close(),
  };
}
