/**
 * What an uploaded photo is, decided from its bytes alone: never from its file name or the
 * declared Content-Type, which the uploader chooses. A photo is accepted only when its magic
 * bytes name JPEG, PNG or HEIC *and* its whole structure parses from the first byte to the last
 * (jpeg.ts, png.ts, heic.ts), so SVG, GIF, WebP, TIFF, AVIF and the rest, cut-off uploads,
 * polyglots with appended payloads and dimension bombs are refused before anything is stored.
 *
 * Why our own walkers and not a library: `file-type` and `image-size` read only the first bytes
 * (a JPEG header followed by HTML passes both), `sharp` cannot read HEVC-coded HEIC, and the
 * stripper needs the same segment/chunk/box boundaries anyway, so one bounds-checked walk per
 * format serves both. Decoders (jpeg-js, pngjs) and exifr check the walkers in the tests.
 */
import { PhotoRejected } from './errors.ts';
import { readJpeg } from './jpeg.ts';
import { PNG_SIGNATURE, readPng } from './png.ts';
import { isHeifContainer, readHeic } from './heic.ts';

export { PhotoRejected, type PhotoRejectedReason } from './errors.ts';

export type PhotoMediaType = 'image/jpeg' | 'image/png' | 'image/heic';

export interface PhotoLimits {
  /** Largest upload in bytes. */
  maxBytes: number;
  /** Largest width × height of the image (and, in a HEIC, of any tile or thumbnail in it). */
  maxPixels: number;
}

/**
 * 25 MiB holds any phone's full-resolution JPEG or HEIC; 100 megapixels holds a 48-megapixel
 * main camera with room to spare, and bounds what a decoder downstream allocates (about 400 MB
 * of RGBA) when it renders the photo.
 */
export const DEFAULT_PHOTO_LIMITS: PhotoLimits = { maxBytes: 25 * 1024 * 1024, maxPixels: 100_000_000 };

export interface PhotoInfo {
  mediaType: PhotoMediaType;
  width?: number;
  height?: number;
}

/** The media type the bytes begin like, or undefined: the first, cheap half of the check. */
export function sniffPhoto(bytes: Uint8Array): PhotoMediaType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'image/png';
  if (isHeifContainer(bytes)) return 'image/heic';
  return undefined;
}

/**
 * Accepts `bytes` as a JPEG, PNG or HEIC still image within `limits`, or throws PhotoRejected
 * with a stable `reason`. The dimensions are those the file declares (for a HEIC, of its primary
 * image); nothing is decoded.
 */
export function inspectPhoto(bytes: Uint8Array, limits: PhotoLimits = DEFAULT_PHOTO_LIMITS): PhotoInfo {
  if (bytes.length > limits.maxBytes) {
    throw new PhotoRejected('too-large', `the photo is ${bytes.length} bytes; at most ${limits.maxBytes} are accepted`);
  }
  if (bytes.length === 0) throw new PhotoRejected('malformed', 'the file is empty');
  const mediaType = sniffPhoto(bytes);
  if (mediaType === undefined) throw new PhotoRejected('unsupported-type', 'only JPEG, PNG and HEIC photos are accepted');

  let width: number;
  let height: number;
  let largestArea: number;
  if (mediaType === 'image/jpeg') {
    ({ width, height } = readJpeg(bytes));
    largestArea = width * height;
  } else if (mediaType === 'image/png') {
    ({ width, height } = readPng(bytes));
    largestArea = width * height;
  } else {
    ({ width, height, largestArea } = readHeic(bytes));
  }
  if (largestArea > limits.maxPixels) {
    throw new PhotoRejected('too-many-pixels', `the photo is ${width} × ${height}; at most ${limits.maxPixels} pixels are accepted`);
  }
  return { mediaType, width, height };
}
