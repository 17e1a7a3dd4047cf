/**
 * Photo bytes in an S3-compatible object store (AWS S3, MinIO, Ceph, Garage…) through the AWS
 * SDK v3 client, for deployments that keep large objects out of the database. Objects are
 * `<prefix><key>` with the photo's media type; the SHA-256 recorded in the photo's row is checked
 * on every read by the route, so an object changed in the bucket is refused as damaged. The
 * credentials come from the SDK's default chain (environment, web identity, instance role),
 * never from Palisade's configuration.
 */
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { randomId } from '../../../security/index.ts';
import type { PhotoMediaType } from './content.ts';
import { BLOB_KEY_PATTERN, InvalidBlobKey, type BlobStore, type StoredBlob } from './blob-store.ts';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint; absent: AWS S3. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Prepended to every key ('' or folder names each ending in '/'). */
  prefix?: string;
  /** Explicit credentials (tests); absent: the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** New keys (STYLE.md, habit 4: randomness is injected); must match BLOB_KEY_PATTERN. */
  newKey?: () => string;
}

export class S3BlobStore implements BlobStore {
  readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly newKey: () => string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.newKey = options.newKey ?? (() => randomId(32));
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: options.credentials,
      // The photo's SHA-256 is Palisade's integrity check at rest; the SDK's own CRC checksums
      // are sent and checked only where the operation needs them, which every S3-compatible
      // store understands.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async put(bytes: Uint8Array, options: { mediaType: PhotoMediaType }): Promise<StoredBlob> {
    const key = checked(this.newKey());
    const digest = createHash('sha256').update(bytes).digest();
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: bytes,
        ContentLength: bytes.length,
        ContentType: options.mediaType,
        // The store checks the bytes it received against this digest (stores that support it),
        // and If-None-Match makes a repeated key fail instead of replacing a stored photo.
        ChecksumSHA256: digest.toString('base64'),
        IfNoneMatch: '*',
      }),
    );
    return { key, sha256: digest.toString('hex'), size: bytes.length };
  }

  async get(key: string): Promise<{ bytes: Uint8Array; size: number; sha256: string } | undefined> {
    checked(key);
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      if (!object.Body) return undefined;
      const bytes = await object.Body.transformToByteArray();
      return { bytes, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<boolean> {
    checked(key);
    // S3 deletes are idempotent and do not say whether there was an object: ask first.
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    return true;
  }

  /** Whether the bucket answers with these credentials (start-up and `config check`). */
  async reachable(): Promise<void> {
    // A GET of a key that cannot exist: NoSuchKey proves the bucket and the credentials work
    // without the ListBucket permission a HeadBucket needs (a HEAD could not tell a missing
    // bucket from a missing key: it has no body to name the error).
    try {
      await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}.palisade-probe` }));
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
  }

  close(): void {
    this.client.destroy();
  }
}

function checked(key: string): string {
  if (typeof key !== 'string' || !BLOB_KEY_PATTERN.test(key)) throw new InvalidBlobKey();
  return key;
}

/** No object of that key; a missing bucket is not that (it is an outage, not a lost photo). */
function isMissing(error: unknown): boolean {
  if (!(error instanceof S3ServiceException) || error.name === 'NoSuchBucket') return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound';
}
