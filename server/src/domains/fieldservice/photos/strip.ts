/**
 * Removes what a photo says about where, when and with what it was taken — EXIF (GPS position,
 * camera and lens serial numbers, maker notes, the embedded thumbnail), XMP, IPTC, comments —
 * before it is stored, leaving the coded image data byte for byte as it was.
 *
 * Why a structural stripper and not a library: re-encoding (sharp, ImageMagick) is lossy and
 * cannot write HEVC HEIC at all; piexifjs and the like handle JPEG EXIF only, not XMP, IPTC, PNG
 * or HEIC. Copying the segments, chunks and boxes a decoder needs, from the same bounds-checked
 * walk that accepted the file (content.ts), is exact and lossless. The walkers work from an
 * allowlist: what is not known to be needed for the picture is dropped, so a metadata block
 * nobody has thought of yet is not kept by default.
 */
import { PhotoRejected, ascii, u32 } from './errors.ts';
import { APP0, APP1, APP14, APP2, COM, appIdentifier, readJpeg, type JpegSegment } from './jpeg.ts';
import { PNG_SIGNATURE, readPng } from './png.ts';
import { readHeic, type ByteRange } from './heic.ts';
import type { PhotoMediaType } from './content.ts';

/** A copy of `bytes` without metadata. `bytes` must already have passed inspectPhoto. */
export function stripMetadata(bytes: Uint8Array, mediaType: PhotoMediaType): Uint8Array {
  switch (mediaType) {
    case 'image/jpeg':
      return stripJpeg(bytes);
    case 'image/png':
      return stripPng(bytes);
    case 'image/heic':
      return stripHeic(bytes);
    default:
      throw new PhotoRejected('unsupported-type', `cannot strip ${String(mediaType)}`);
  }
}

/**
 * JPEG: keeps every segment that is not APPn or COM (tables, frame, scans, restart intervals);
 * of the APPn, keeps JFIF (APP0, without its thumbnail), ICC colour profiles (APP2) and Adobe's
 * colour transform flag (APP14), which change how the pixels look. Drops Exif and XMP (APP1),
 * IPTC/Photoshop (APP13), MPF (APP2, which points at images after EOI), maker and vendor blocks
 * and comments. The EXIF Orientation alone is written back in a new, minimal Exif block:
 * without it, a photo taken in portrait shows on its side.
 */
function stripJpeg(bytes: Uint8Array): Uint8Array {
  const { segments } = readJpeg(bytes);
  const parts: Uint8Array[] = [];
  let orientation: number | undefined;
  for (const segment of segments) {
    const marker = segment.marker;
    const whole = bytes.subarray(segment.start, segment.end);
    if (marker === APP0) {
      const jfif = jfifWithoutThumbnail(bytes, segment);
      if (jfif) parts.push(jfif);
    } else if (marker === APP1) {
      orientation ??= exifOrientation(bytes, segment);
    } else if (marker === APP2) {
      if (appIdentifier(bytes, segment, 12) === 'ICC_PROFILE\0') parts.push(whole);
    } else if (marker === APP14) {
      if (appIdentifier(bytes, segment, 5) === 'Adobe') parts.push(whole);
    } else if ((marker >= 0xe0 && marker <= 0xef) || marker === COM) {
      // every other application segment, and comments: dropped
    } else {
      parts.push(whole);
    }
  }
  if (orientation !== undefined && orientation !== 1) {
    // Right after SOI, or after JFIF: where Exif readers look for APP1 (Exif 2.3, 4.5.4).
    parts.splice(parts[1]?.[1] === APP0 ? 2 : 1, 0, orientationOnlyExif(orientation));
  }
  return concat(parts);
}

/** JFIF APP0 (JFIF 1.02) rewritten with a 0 × 0 thumbnail; JFXX (thumbnails only) and others: none. */
function jfifWithoutThumbnail(bytes: Uint8Array, segment: JpegSegment): Uint8Array | undefined {
  if (appIdentifier(bytes, segment, 5) !== 'JFIF\0' || segment.end - segment.start < 18) return undefined;
  const out = new Uint8Array(18);
  out.set(bytes.subarray(segment.start, segment.start + 16));
  out[2] = 0;
  out[3] = 16; // length: identifier (5), version (2), units (1), densities (4), thumbnail size (2)
  out[16] = 0;
  out[17] = 0;
  return out;
}

/** The Orientation (tag 0x0112) of IFD0 of an Exif APP1, if it is a valid 1–8; else undefined. */
function exifOrientation(bytes: Uint8Array, segment: JpegSegment): number | undefined {
  if (appIdentifier(bytes, segment, 6) !== 'Exif\0\0') return undefined;
  const tiff = bytes.subarray(segment.start + 10, segment.end);
  try {
    const order = ascii(tiff, 0, 2);
    if (order !== 'II' && order !== 'MM') return undefined;
    const little = order === 'II';
    const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
    if (view.getUint16(2, little) !== 42) return undefined;
    const ifd = view.getUint32(4, little);
    const count = view.getUint16(ifd, little);
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + i * 12;
      if (view.getUint16(entry, little) !== 0x0112) continue;
      if (view.getUint16(entry + 2, little) !== 3 || view.getUint32(entry + 4, little) !== 1) return undefined;
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  } catch (error) {
    // A DataView read past the end: an Exif block too broken to hold an orientation.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  return undefined;
}

/** APP1 `Exif\0\0` + a big-endian TIFF header + IFD0 with one entry, Orientation, and no next IFD. */
function orientationOnlyExif(orientation: number): Uint8Array {
  const out = new Uint8Array(2 + 2 + 6 + 8 + 2 + 12 + 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xff00 | APP1);
  view.setUint16(2, out.length - 2);
  out.set([0x45, 0x78, 0x69, 0x66, 0, 0], 4); // Exif\0\0
  out.set([0x4d, 0x4d, 0x00, 0x2a], 10); // MM, 42
  view.setUint32(14, 8); // IFD0 right after the header
  view.setUint16(18, 1); // one entry
  view.setUint16(20, 0x0112); // Orientation
  view.setUint16(22, 3); // SHORT
  view.setUint32(24, 1); // count
  view.setUint16(28, orientation);
  view.setUint32(32, 0); // no IFD1: no thumbnail
  return out;
}

/**
 * PNG: keeps the critical chunks and the ancillary chunks that change how the pixels look
 * (colour space, gamma, transparency, background, pixel density, HDR metadata) or move (APNG);
 * drops eXIf, tEXt, iTXt, zTXt, tIME and every private or unknown chunk.
 */
const PNG_KEPT = new Set([
  'IHDR', 'PLTE', 'IDAT', 'IEND',
  'tRNS', 'cHRM', 'gAMA', 'iCCP', 'sBIT', 'sRGB', 'cICP', 'mDCV', 'cLLI', 'bKGD', 'hIST', 'pHYs', 'sPLT',
  'acTL', 'fcTL', 'fdAT',
]);

function stripPng(bytes: Uint8Array): Uint8Array {
  const { chunks } = readPng(bytes);
  return concat([PNG_SIGNATURE, ...chunks.filter((c) => PNG_KEPT.has(c.type)).map((c) => bytes.subarray(c.start, c.end))]);
}

/**
 * HEIC: items and boxes are located by absolute file offsets (iloc), so nothing is removed, which
 * would move them; metadata is overwritten in place instead. Exif items become a valid, empty
 * Exif block (a TIFF header with no entries) followed by zeros, and XMP items an empty XMP
 * packet followed by spaces, so readers find no tags rather than an error; other MIME items and
 * URI items are zeroed; XMP `uuid`, `xml ` and `bxml` boxes
 * become zeroed `free` boxes, and `free`/`skip` are zeroed; media data that no item is read from
 * is zeroed, so nothing can hide in it. The HEVC-coded image, its tiles, thumbnails and
 * properties (rotation, colour) are untouched.
 */
function stripHeic(bytes: Uint8Array): Uint8Array {
  const structure = readHeic(bytes);
  const out = new Uint8Array(bytes);
  for (const item of structure.metadataItems) {
    const length = item.extents.reduce((sum, e) => sum + e.length, 0);
    const content = new Uint8Array(length);
    if (item.type === 'Exif' && length >= EMPTY_EXIF_ITEM.length) content.set(EMPTY_EXIF_ITEM);
    if (item.contentType === 'application/rdf+xml' && length >= EMPTY_XMP.length) content.fill(0x20).set(EMPTY_XMP);
    scatter(out, item.extents, content);
  }
  for (const box of structure.blankBoxes) {
    if (box.type !== 'free' && box.type !== 'skip') {
      // Keep the size field; a uuid box loses its 16-byte user type with its payload.
      out.set([0x66, 0x72, 0x65, 0x65], box.start + 4); // 'free'
    }
    out.fill(0, box.start + headerLength(bytes, box.start), box.end);
  }
  for (const mdat of structure.mediaData) {
    for (const gap of gaps(mdat.payload, mdat.end, structure.itemExtents)) out.fill(0, gap.offset, gap.offset + gap.length);
  }
  return out;
}

/** An XMP packet with no properties; the rest of the item is spaces, which XML allows after it. */
const EMPTY_XMP = new TextEncoder().encode('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>');

/** exif_tiff_header_offset 0, then `MM`, 42, IFD0 at 8 with no entries and no next IFD. */
const EMPTY_EXIF_ITEM = Uint8Array.of(0, 0, 0, 0, 0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0);

function headerLength(bytes: Uint8Array, start: number): number {
  return u32(bytes, start, 'box') === 1 ? 16 : 8;
}

/** Writes `content` across the extents, in order. */
function scatter(out: Uint8Array, extents: ByteRange[], content: Uint8Array): void {
  let from = 0;
  for (const extent of extents) {
    out.set(content.subarray(from, from + extent.length), extent.offset);
    from += extent.length;
  }
}

/** The parts of [from, to) that no range covers. */
function gaps(from: number, to: number, ranges: ByteRange[]): ByteRange[] {
  const sorted = ranges
    .map((r) => ({ start: Math.max(from, r.offset), end: Math.min(to, r.offset + r.length) }))
    .filter((r) => r.start < r.end)
    .sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [];
  let cursor = from;
  for (const r of sorted) {
    if (r.start > cursor) out.push({ offset: cursor, length: r.start - cursor });
    cursor = Math.max(cursor, r.end);
  }
  if (cursor < to) out.push({ offset: cursor, length: to - cursor });
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
