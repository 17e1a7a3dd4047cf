/**
 * A bounds-checked walk over a PNG's chunks (PNG Third Edition, W3C 2025, section 5), shared by
 * the content check and the metadata stripper: the signature, IHDR first, every chunk's CRC,
 * the critical chunks' order, IEND last and nothing after it.
 */
import { crc32 } from 'node:zlib';
import { PhotoRejected, ascii, need, u32 } from './errors.ts';

export interface PngChunk {
  type: string;
  /** Offset of the chunk's length field, and the end (exclusive) of its CRC. */
  start: number;
  end: number;
}

export interface PngStructure {
  chunks: PngChunk[];
  width: number;
  height: number;
}

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Encoders that write tiny IDAT chunks stay far below this; a file of millions of empty chunks does not. */
const MAX_CHUNKS = 100_000;
const MAX_LENGTH = 0x7fffffff;

// Allowed bit depths for each colour type (PNG 11.2.1, Table 11).
const BIT_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

export function readPng(bytes: Uint8Array): PngStructure {
  for (let i = 0; i < PNG_SIGNATURE.length; i++) {
    if (bytes[i] !== PNG_SIGNATURE[i]) throw new PhotoRejected('unsupported-type', 'not a PNG');
  }
  const chunks: PngChunk[] = [];
  let width = 0;
  let height = 0;
  let colourType = -1;
  let sawPalette = false;
  let idat: 'none' | 'open' | 'closed' = 'none';
  let pos = PNG_SIGNATURE.length;
  for (;;) {
    if (chunks.length > MAX_CHUNKS) throw new PhotoRejected('malformed', 'the PNG has too many chunks');
    const length = u32(bytes, pos, 'PNG chunk header');
    need(bytes, pos + 4, 4, 'PNG chunk header');
    const type = ascii(bytes, pos + 4, 4);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PhotoRejected('malformed', `the PNG has a chunk with an invalid type (offset ${pos})`);
    if (length > MAX_LENGTH) throw new PhotoRejected('malformed', `the PNG chunk ${type} declares an impossible length`);
    need(bytes, pos + 8, length + 4, `PNG chunk ${type}`);
    const data = pos + 8;
    const declared = u32(bytes, data + length, `PNG chunk ${type}`);
    if (crc32(bytes.subarray(pos + 4, data + length)) !== declared) {
      throw new PhotoRejected('malformed', `the PNG chunk ${type} fails its CRC (offset ${pos})`);
    }
    const end = data + length + 4;
    if (chunks.length === 0 && type !== 'IHDR') throw new PhotoRejected('malformed', 'the PNG does not start with IHDR');
    if (idat === 'open' && type !== 'IDAT') idat = 'closed';

    switch (type) {
      case 'IHDR': {
        if (chunks.length !== 0 || length !== 13) throw new PhotoRejected('malformed', 'the PNG has a misplaced or malformed IHDR');
        width = u32(bytes, data, 'PNG IHDR');
        height = u32(bytes, data + 4, 'PNG IHDR');
        const depth = bytes[data + 8]!;
        colourType = bytes[data + 9]!;
        const [compression, filter, interlace] = [bytes[data + 10], bytes[data + 11], bytes[data + 12]];
        if (width === 0 || height === 0 || width > MAX_LENGTH || height > MAX_LENGTH) {
          throw new PhotoRejected('malformed', 'the PNG declares impossible dimensions');
        }
        if (!BIT_DEPTHS[colourType]?.includes(depth) || compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) {
          throw new PhotoRejected('malformed', 'the PNG declares an invalid pixel format');
        }
        break;
      }
      case 'PLTE':
        if (sawPalette || idat !== 'none' || length === 0 || length % 3 !== 0 || length > 256 * 3) {
          throw new PhotoRejected('malformed', 'the PNG has a misplaced or malformed palette');
        }
        sawPalette = true;
        break;
      case 'IDAT':
        // All IDAT chunks are consecutive (PNG 5.6).
        if (idat === 'closed') throw new PhotoRejected('malformed', 'the PNG image data is not contiguous');
        if (colourType === 3 && !sawPalette) throw new PhotoRejected('malformed', 'the PNG uses a palette it does not have');
        idat = 'open';
        break;
      case 'IEND':
        if (length !== 0 || idat === 'none') throw new PhotoRejected('malformed', 'the PNG ends before any image data');
        break;
      default:
        // An unknown critical chunk (upper-case first letter) means no decoder can show the image.
        if (type.charCodeAt(0) < 0x61) throw new PhotoRejected('malformed', `the PNG has an unknown critical chunk ${type}`);
    }
    chunks.push({ type, start: pos, end });
    pos = end;
    if (type === 'IEND') break;
  }
  if (pos !== bytes.length) {
    throw new PhotoRejected('trailing-data', `${bytes.length - pos} bytes follow the PNG's IEND chunk`);
  }
  return { chunks, width, height };
}
