/**
 * Job photos. A technician uploads to a job assigned to them: the body is the image itself, and
 * its type is decided by its content (content.ts), never by the name or the declared content
 * type. Metadata — EXIF location, device serials, XMP, comments — is stripped before anything is
 * stored (strip.ts). The bytes go to the blob store under a random key, and the database row
 * records the key, type, size and SHA-256. A download re-checks the SHA-256, and is served only
 * to someone who may see the job (the same scope rules as the job itself, API and row-level
 * security).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Database, Queryable } from '../../../db/index.ts';
import { asCaller } from '../../../db/index.ts';
import type { AuditSink } from '../../../audit/index.ts';
import type { Caller } from '../../../authz/index.ts';
import { Problem, problems, NO_QUERY, UUID, Uuid, untypedReply } from '../../../http/index.ts';
import { BINARY_CONTENT_TYPES } from '../../../http/index.ts';
import { constantTimeEqual, PersonDataError, type PersonKeys } from '../../../security/index.ts';
import { openPhoto, sealPhoto } from '../personal.ts';
import { classified } from '../classification.ts';
import { findJob, findPhoto, insertPhoto, jobPhotos, type PhotoRow, type Scoping } from '../store.ts';
import { inspectPhoto, PhotoRejected, type PhotoLimits } from './content.ts';
import { stripMetadata } from './strip.ts';
import type { BlobStore } from './blob-store.ts';
import { createHash } from 'node:crypto';

/** What an upload may declare (the pipeline's binary types); the content decides what it is. */
export const PHOTO_CONTENT_TYPES = BINARY_CONTENT_TYPES;
export const PHOTO_LIMITS: PhotoLimits = { maxBytes: 10 * 1024 * 1024, maxPixels: 100_000_000 };

export interface PhotoRoutesDeps {
  db: Database;
  audit: AuditSink;
  blobs: BlobStore;
  /** The bytes are sealed under the uploader's person key (decision 0023). */
  personKeys: PersonKeys;
  scoping?: Scoping;
}

/** The reply is a photo row, serialized by this schema: not typed from it. */
const PhotoView = untypedReply({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'jobId', 'mediaType', 'size', 'sha256', 'uploadedBy', 'createdAt'],
  properties: {
    id: classified(UUID, 'internal'),
    jobId: classified(UUID, 'internal'),
    mediaType: classified({ type: 'string', enum: ['image/jpeg', 'image/png', 'image/heic'] }, 'public'),
    size: classified({ type: 'integer' }, 'internal'),
    sha256: classified({ type: 'string' }, 'internal'),
    uploadedBy: classified(UUID, 'internal'),
    createdAt: classified({ type: 'string', format: 'date-time' }, 'internal'),
  },
});

const view = ({ blobKey: _secret, sealed: _sealed, ...photo }: PhotoRow) => photo;

export const photoProblems = {
  rejected: (error: PhotoRejected) =>
    new Problem({
      type: 'photo-rejected',
      status: error.reason === 'too-large' ? 413 : 422,
      title: 'The photo was not accepted',
      detail: `${error.detail} Photos must be JPEG, PNG or HEIC, at most ${PHOTO_LIMITS.maxBytes / 1024 / 1024} MiB and ${PHOTO_LIMITS.maxPixels / 1_000_000} megapixels.`,
      extensions: { reason: error.reason },
    }),
  notAnImage: () =>
    new Problem({ type: 'unsupported-media-type', status: 415, title: 'The content type is not accepted', detail: `Send the image bytes as the body, as one of ${PHOTO_CONTENT_TYPES.join(', ')}.` }),
  damagedAtRest: () => new Problem({ type: 'photo-unavailable', status: 503, title: 'The photo cannot be served', detail: 'The stored photo does not match its recorded digest.' }),
  /** The sealed bytes do not open: altered in the blob store, moved from another photo, or the uploader's key was destroyed. */
  unreadable: (code: string) =>
    new Problem({
      type: 'photo-unavailable',
      status: 503,
      title: 'The photo cannot be served',
      detail: code === 'ERR_PERSON_KEY_DESTROYED' ? 'The photo’s key was destroyed when its uploader was erased.' : 'The stored photo failed its integrity check.',
      audit: { reason: 'photo_unreadable', detail: { code } },
    }),
};

export async function photoRoutes(server: FastifyInstance, deps: PhotoRoutesDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const scoping: Scoping = deps.scoping ?? { apiChecks: true };
  const run = <T>(request: FastifyRequest, fn: (tx: Queryable, who: Caller) => Promise<T>) => asCaller(deps.db, request.caller!.claims, (tx) => fn(tx, request.caller!));
  const security = [{ bearer: [] }];
  // TypeBox schemas: the handlers' params types are inferred from them (the TypeBox type provider).
  const params = Type.Object({ id: Uuid }, { additionalProperties: false });
  const photoParams = Type.Object({ id: Uuid, photoId: Uuid }, { additionalProperties: false });

  app.post(
    '/api/v1/jobs/:id/photos',
    {
      onRequest: app.authenticate,
      bodyLimit: PHOTO_LIMITS.maxBytes + 1,
      config: { permission: 'photos.upload', binaryBody: true },
      schema: {
        tags: ['field service'],
        summary: 'Upload a photo to a job assigned to the caller: the body is the JPEG, PNG or HEIC itself; metadata is stripped',
        description: `Content types: ${PHOTO_CONTENT_TYPES.join(', ')} (the content decides). At most ${PHOTO_LIMITS.maxBytes} bytes.`,
        security,
        params,
        querystring: NO_QUERY,
        response: { 201: PhotoView },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw photoProblems.notAnImage();
      const received: Buffer = request.body;
      let cleaned: Uint8Array;
      let mediaType: PhotoRow['mediaType'];
      try {
        mediaType = inspectPhoto(received, PHOTO_LIMITS).mediaType;
        cleaned = stripMetadata(received, mediaType);
      } catch (error) {
        if (error instanceof PhotoRejected) throw photoProblems.rejected(error);
        throw error;
      }
      // Sealed under the uploader's person key before it leaves for the blob store, so no store
      // (a folder, the database, a versioned bucket) ever holds the plain image: erasure
      // destroys the key and every copy with it. The digest and size are the image's.
      const uploader = request.caller!.userId;
      const { id: photoId, sealed } = await sealPhoto(deps.personKeys, uploader, cleaned);
      const digest = createHash('sha256').update(cleaned).digest('hex');
      // Stored first, recorded second: a failed insert removes the blob again, so neither a
      // row without bytes nor (short of a crash between the two) bytes without a row remain.
      const stored = await deps.blobs.put(sealed, { mediaType });
      try {
        const photo = await run(request, async (tx, who) => {
          const job = await findJob(tx, scoping, request.params.id);
          if (!job) throw problems.notFound();
          if (job.assignedTo !== who.userId || who.userId !== uploader) {
            throw new Problem({ type: 'forbidden', status: 403, title: 'Not allowed', detail: 'Only the technician the job is assigned to can add photos.', audit: { reason: 'not_assignee' } });
          }
          const row = await insertPhoto(tx, { id: photoId, jobId: job.id, blobKey: stored.key, mediaType, size: cleaned.length, sha256: digest, uploadedBy: who.userId });
          await deps.audit.record(tx, { action: 'photo.upload', outcome: 'success', actor: {}, resource: { type: 'job', id: job.id }, detail: { photo: row.id, mediaType, size: cleaned.length, receivedSize: received.length } });
          return row;
        });
        return reply.code(201).send(view(photo));
      } catch (error) {
        await deps.blobs.delete(stored.key).catch(() => undefined);
        throw error;
      }
    },
  );

  app.get(
    '/api/v1/jobs/:id/photos',
    {
      onRequest: app.authenticate,
      config: { permission: 'photos.read' },
      schema: { tags: ['field service'], summary: 'The photos of a job the caller may see', security, params, querystring: NO_QUERY, response: { 200: { type: 'object', additionalProperties: false, required: ['photos'], properties: { photos: { type: 'array', items: PhotoView } } } } },
    },
    async (request) =>
      run(request, async (tx) => {
        const job = await findJob(tx, scoping, request.params.id);
        if (!job) throw problems.notFound();
        const rows = await jobPhotos(tx, job.id);
        await deps.audit.record(tx, { action: 'photo.list', outcome: 'success', actor: {}, resource: { type: 'job', id: job.id }, detail: { count: rows.length } });
        return { photos: rows.map(view) };
      }),
  );

  app.get(
    '/api/v1/jobs/:id/photos/:photoId',
    {
      onRequest: app.authenticate,
      config: { permission: 'photos.read' },
      schema: {
        tags: ['field service'],
        summary: 'Download a photo (the stripped image bytes) of a job the caller may see',
        security,
        params: photoParams,
        querystring: NO_QUERY,
        response: {
          200: {
            description: 'The image bytes, metadata stripped',
            content: Object.fromEntries(['image/jpeg', 'image/png', 'image/heic'].map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
          },
        },
      },
    },
    async (request, reply) => {
      const photo = await run(request, async (tx) => {
        const row = await findPhoto(tx, scoping, request.params.id, request.params.photoId);
        if (!row) throw problems.notFound();
        await deps.audit.record(tx, { action: 'photo.read', outcome: 'success', actor: {}, resource: { type: 'job', id: row.jobId }, detail: { photo: row.id } });
        return row;
      });
      const blob = await deps.blobs.get(photo.blobKey);
      if (!blob) throw photoProblems.damagedAtRest();
      let bytes: Uint8Array;
      try {
        bytes = await openPhoto(deps.personKeys, photo, blob.bytes);
      } catch (error) {
        if (error instanceof PersonDataError) throw photoProblems.unreadable(error.code);
        throw error;
      }
      if (!constantTimeEqual(createHash('sha256').update(bytes).digest('hex'), photo.sha256)) throw photoProblems.damagedAtRest();
      return reply
        .header('content-type', photo.mediaType)
        .header('content-disposition', `attachment; filename="${photo.id}.${photo.mediaType.split('/')[1]}"`)
        .header('content-length', bytes.length)
        .send(Buffer.from(bytes));
    },
  );
}
