/**
 * The field-service data sealed under its person's key (decision 0023): a technician's positions
 * and the bytes of the photos they upload. Erasure destroys the key, so every copy — an S3 object
 * version, a blob whose delete failed, a backup restored with a later key file — stops opening.
 *
 * Each value's context names its record, and the person is part of the additional data too, so
 * a sealed value moved to another person or another record fails authentication:
 * - a position: `fs_locations:<at, ISO 8601>` under the technician (`at` is part of the row);
 * - a photo's bytes: `fs_photos:<photo id>` under the uploader.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/index.ts';
import { isSealedBytes, type PersonKeys } from '../../security/index.ts';
import type { BlobStore } from './photos/blob-store.ts';
import { markPhotoSealed, sealLocation, unsealedLocations, unsealedPhotos, type StoredLocationRow } from './store.ts';

export interface Position {
  latitude: number;
  longitude: number;
  accuracyM: number | null;
}

export const locationContext = (at: Date) => `fs_locations:${at.toISOString()}`;
export const photoContext = (photoId: string) => `fs_photos:${photoId}`;

/** A position sealed for its row. Call outside an open transaction: the first use creates the technician's key. */
export function sealPosition(keys: PersonKeys, technicianId: string, at: Date, position: Position): Promise<string> {
  return keys.sealText(technicianId, locationContext(at), JSON.stringify({ latitude: position.latitude, longitude: position.longitude, accuracyM: position.accuracyM }));
}

/**
 * A stored position as the API shows it: opened when sealed, read from the plaintext columns when
 * the sealing pass has not reached it yet. Throws PersonDataError when it does not open.
 */
export async function openPosition(keys: PersonKeys, row: StoredLocationRow, tx?: Queryable): Promise<{ at: Date } & Position> {
  if (row.sealed === null) return { at: row.at, latitude: row.latitude!, longitude: row.longitude!, accuracyM: row.accuracyM };
  const position = JSON.parse(await keys.openText(row.technicianId, locationContext(row.at), row.sealed, tx)) as Position;
  return { at: row.at, latitude: position.latitude, longitude: position.longitude, accuracyM: position.accuracyM };
}

/** A new photo's id and its bytes sealed under the uploader's key, ready for the blob store. */
export async function sealPhoto(keys: PersonKeys, uploadedBy: string, bytes: Uint8Array): Promise<{ id: string; sealed: Uint8Array }> {
  const id = randomUUID();
  return { id, sealed: await keys.sealBytes(uploadedBy, photoContext(id), bytes) };
}

/** A photo's bytes as stored in the blob store, opened (or, for an unsealed older photo, as they are). */
export async function openPhoto(keys: PersonKeys, photo: { id: string; uploadedBy: string; sealed: boolean }, stored: Uint8Array, tx?: Queryable): Promise<Uint8Array> {
  if (!photo.sealed) return stored;
  return keys.openBytes(photo.uploadedBy, photoContext(photo.id), stored, tx);
}

export interface SealingResult {
  locations: number;
  photos: number;
  /** Photos whose blob is missing or does not match the photo's digest: left as they are. */
  photosSkipped: number;
}

/**
 * Seals what was written before migration 0023, in batches, each its own owner transaction that
 * skips rows another pass holds (so instances may run it together, and an interrupted pass
 * resumes). A photo is sealed into a new blob; the row moves to it in the transaction, and the
 * plain blob is deleted after the commit (a failed delete leaves an orphan named by no row, and
 * the pass reports it like the erasure does). Returns what it sealed.
 */
export async function sealPersonalData(db: Database, keys: PersonKeys, blobs: BlobStore, options: { batch?: number } = {}): Promise<SealingResult> {
  const batch = options.batch ?? 200;
  const result: SealingResult = { locations: 0, photos: 0, photosSkipped: 0 };
  // Keys are created on the store's own connection, outside the batch's transaction (embedded
  // PGlite has one connection): the people of a batch are read first, their keys made, then sealed.
  for (;;) {
    const people = await db.asOwner(async (tx) => [...new Set((await unsealedLocations(tx, batch)).map((r) => r.technicianId))]);
    if (people.length === 0) break;
    for (const person of people) await keys.keyOf(person);
    const sealed = await db.asOwner(async (tx) => {
      let n = 0;
      for (const row of await unsealedLocations(tx, batch)) {
        if (!people.includes(row.technicianId)) continue;
        await sealLocation(tx, row.id, await sealPosition(keys, row.technicianId, row.at, { latitude: row.latitude!, longitude: row.longitude!, accuracyM: row.accuracyM }));
        n += 1;
      }
      return n;
    });
    result.locations += sealed;
    if (sealed === 0) break;
  }
  const skipped = new Set<string>();
  for (;;) {
    const pending = (await db.asOwner((tx) => unsealedPhotos(tx, batch + skipped.size))).filter((p) => !skipped.has(p.id));
    if (pending.length === 0) break;
    for (const photo of pending) {
      const blob = await blobs.get(photo.blobKey);
      if (!blob || isSealedBytes(blob.bytes) || createHash('sha256').update(blob.bytes).digest('hex') !== photo.sha256) {
        skipped.add(photo.id);
        result.photosSkipped += 1;
        continue;
      }
      // The photo keeps its id; the sealed bytes go to a new blob, so a reader never sees a key
      // whose content changed under it.
      const sealed = await keys.sealBytes(photo.uploadedBy, photoContext(photo.id), blob.bytes);
      const stored = await blobs.put(sealed, { mediaType: photo.mediaType });
      const moved = await db
        .asOwner((tx) => markPhotoSealed(tx, photo.id, photo.blobKey, stored.key))
        .catch(async (error: unknown) => {
          await blobs.delete(stored.key).catch(() => undefined);
          throw error;
        });
      if (moved) {
        await blobs.delete(photo.blobKey).catch(() => undefined);
        result.photos += 1;
      } else {
        await blobs.delete(stored.key).catch(() => undefined);
        skipped.add(photo.id);
      }
    }
  }
  return result;
}
