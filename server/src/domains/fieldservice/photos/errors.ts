/**
 * Why an uploaded photo was refused, as a stable code callers branch on and map to a problem
 * type (STYLE.md, habit 3), never as a message to match.
 */
import { PalisadeError } from '../../../errors/index.ts';
export type PhotoRejectedReason =
  /** Not a JPEG, PNG or HEIC still image by its content (SVG, GIF, WebP, TIFF, AVIF, video, …). */
  | 'unsupported-type'
  /** More bytes than the limit allows. */
  | 'too-large'
  /** The image's dimensions exceed the pixel limit: a decompression bomb for whoever decodes it. */
  | 'too-many-pixels'
  /** The file ends before its structure does (an interrupted upload, a cut-off file). */
  | 'truncated'
  /** Bytes after the image's end marker: a polyglot (JPEG + ZIP/HTML) or an appended payload. */
  | 'trailing-data'
  /** The structure does not parse: bad lengths, checksums, markers or boxes. */
  | 'malformed';

export class PhotoRejected extends PalisadeError<'ERR_PHOTO_REJECTED'> {
  readonly reason: PhotoRejectedReason;
  /** Safe to show the uploader: says what was wrong with their file, never echoes its bytes. */
  readonly detail: string;

  constructor(reason: PhotoRejectedReason, detail: string) {
    super('ERR_PHOTO_REJECTED', `photo rejected (${reason}): ${detail}`);
    this.name = 'PhotoRejected';
    this.reason = reason;
    this.detail = detail;
  }
}

/** Bounds-checked big-endian reads: every read past the end is a `truncated` rejection. */
export function need(bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > bytes.length) {
    throw new PhotoRejected('truncated', `the file ends inside the ${what}`);
  }
}

export function u16(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 2, what);
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

export function u32(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 4, what);
  return ((bytes[offset]! << 24) >>> 0) + ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!);
}

export function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let out = '';
  for (let i = offset; i < offset + length && i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}
