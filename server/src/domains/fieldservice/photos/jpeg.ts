/**
 * A bounds-checked walk over a JPEG's marker segments (ITU-T T.81, Annex B), shared by the
 * content check and the metadata stripper: every segment, its length and the entropy-coded data
 * after each SOS are accounted for from SOI to EOI, so a cut-off file, a bad length or bytes
 * appended after EOI (a JPEG + ZIP or JPEG + HTML polyglot) are caught before anything is stored.
 */
import { PhotoRejected, ascii, need, u16 } from './errors.ts';

export interface JpegSegment {
  /** The marker code (the byte after 0xFF). */
  marker: number;
  /** Offset of the segment's 0xFF, and the end (exclusive) of its payload; for SOS, of its scan data. */
  start: number;
  end: number;
}

export interface JpegStructure {
  segments: JpegSegment[];
  width: number;
  height: number;
}

export const SOI = 0xd8;
export const EOI = 0xd9;
export const SOS = 0xda;
export const APP0 = 0xe0;
export const APP1 = 0xe1;
export const APP2 = 0xe2;
export const APP14 = 0xee;
export const COM = 0xfe;

/** More segments than any camera writes (progressive scans, split ICC and XMP included). */
const MAX_SEGMENTS = 10_000;

// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * Segments with a length that carry no pixels of their own and are known to decoders: DHT, DAC,
 * DQT, DNL, DRI, DHP, EXP, APP0–APP15, COM. Anything else (JPG, JPGn, reserved codes, JPEG-LS
 * and JPEG XT extensions) is refused: no camera writes it, and a parser that guesses at unknown
 * markers is where polyglots hide.
 */
function isKnownSegment(marker: number): boolean {
  return marker === 0xc4 || marker === 0xcc || (marker >= 0xdb && marker <= 0xdf) || (marker >= 0xe0 && marker <= 0xef) || marker === COM;
}

export function readJpeg(bytes: Uint8Array): JpegStructure {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) throw new PhotoRejected('unsupported-type', 'not a JPEG');
  const segments: JpegSegment[] = [{ marker: SOI, start: 0, end: 2 }];
  let width = 0;
  let height = 0;
  let frames = 0;
  let scans = 0;
  let pos = 2;
  for (;;) {
    if (segments.length > MAX_SEGMENTS) throw new PhotoRejected('malformed', 'the JPEG has too many segments');
    need(bytes, pos, 2, 'JPEG marker');
    if (bytes[pos] !== 0xff) throw new PhotoRejected('malformed', `the JPEG has no marker where one must be (offset ${pos})`);
    // Any number of 0xFF fill bytes may precede a marker (T.81 B.1.1.2).
    while (bytes[pos + 1] === 0xff) {
      pos++;
      need(bytes, pos, 2, 'JPEG marker');
    }
    const marker = bytes[pos + 1]!;
    if (marker === EOI) {
      if (frames === 0 || scans === 0) throw new PhotoRejected('malformed', 'the JPEG ends before any image data');
      segments.push({ marker, start: pos, end: pos + 2 });
      pos += 2;
      break;
    }
    if (!isStartOfFrame(marker) && !isKnownSegment(marker) && marker !== SOS) {
      throw new PhotoRejected('malformed', `the JPEG has an unexpected marker 0x${marker.toString(16)} (offset ${pos})`);
    }
    const length = u16(bytes, pos + 2, 'JPEG segment length');
    if (length < 2) throw new PhotoRejected('malformed', `a JPEG segment declares a length of ${length}`);
    need(bytes, pos + 2, length, 'JPEG segment');
    const payload = pos + 4;
    let end = pos + 2 + length;

    if (isStartOfFrame(marker)) {
      // P, Y, X, Nf, then 3 bytes per component (T.81 B.2.2).
      if (++frames > 1) throw new PhotoRejected('malformed', 'the JPEG has more than one frame header');
      if (length < 8) throw new PhotoRejected('malformed', 'the JPEG frame header is too short');
      height = u16(bytes, payload + 1, 'JPEG frame header');
      width = u16(bytes, payload + 3, 'JPEG frame header');
      const components = bytes[payload + 5]!;
      if (components === 0 || length !== 8 + 3 * components) throw new PhotoRejected('malformed', 'the JPEG frame header is inconsistent');
      // A height of 0 defers to a DNL marker after the first scan: no camera does it, and the
      // pixel limit could not be checked before decoding.
      if (width === 0 || height === 0) throw new PhotoRejected('malformed', 'the JPEG frame header declares no dimensions');
    } else if (marker === SOS) {
      if (frames === 0) throw new PhotoRejected('malformed', 'the JPEG has a scan before its frame header');
      const components = bytes[payload]!;
      if (components === 0 || length !== 6 + 2 * components) throw new PhotoRejected('malformed', 'the JPEG scan header is inconsistent');
      scans++;
      end = scanEnd(bytes, end);
    }
    segments.push({ marker, start: pos, end });
    pos = end;
  }
  if (pos !== bytes.length) {
    throw new PhotoRejected('trailing-data', `${bytes.length - pos} bytes follow the JPEG's end marker`);
  }
  return { segments, width, height };
}

/**
 * Where the entropy-coded data after a scan header ends: at the first marker that is neither a
 * stuffed 0xFF00, a restart marker RST0–7, nor fill. `indexOf` keeps this native-speed.
 */
function scanEnd(bytes: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    i = bytes.indexOf(0xff, i);
    if (i < 0 || i + 1 >= bytes.length) throw new PhotoRejected('truncated', 'the file ends inside the JPEG image data');
    const next = bytes[i + 1]!;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) i += 2;
    else if (next === 0xff) i += 1;
    else return i;
  }
}

/** The APPn segment's identifier, e.g. `JFIF\0`, `Exif\0\0`, `ICC_PROFILE\0`, `Adobe`. */
export function appIdentifier(bytes: Uint8Array, segment: JpegSegment, length: number): string {
  return ascii(bytes, segment.start + 4, Math.min(length, segment.end - segment.start - 4));
}
