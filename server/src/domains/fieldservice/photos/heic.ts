/**
 * A bounds-checked walk over a HEIC still image (ISO/IEC 23008-12 HEIF on the ISO base media
 * file format, ISO/IEC 14496-12), shared by the content check and the metadata stripper. It reads
 * the boxes the check and the stripper need — ftyp, meta with hdlr, pitm, iinf/infe, iloc,
 * iprp/ipco/ispe/ipma and idat — and checks every box and every item extent lies inside the file.
 * It does not decode HEVC: the image data itself is only located, never interpreted.
 */
import { PhotoRejected, ascii, need, u16, u32 } from './errors.ts';

export interface Box {
  type: string;
  /** Offset of the box's size field, of its payload, and its end (exclusive). */
  start: number;
  payload: number;
  end: number;
}

/** A run of bytes in the file. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** A metadata item (Exif, XMP or other MIME/URI payload) and where its bytes lie, in order. */
export interface MetadataItem {
  id: number;
  type: string;
  /** A `mime` item's content type, such as `application/rdf+xml` for XMP. */
  contentType?: string;
  extents: ByteRange[];
}

export interface HeicStructure {
  width: number;
  height: number;
  /** The largest width × height of any image spatial extent (ispe), grid tiles and thumbnails included. */
  largestArea: number;
  metadataItems: MetadataItem[];
  /**
   * Boxes no decoder reads for the picture: metadata (a top-level XMP `uuid`, `xml `, `bxml`)
   * and free space (`free`, `skip`), where a payload could hide. The stripper blanks them.
   */
  blankBoxes: Box[];
  /** The media data boxes, and every byte range any item is read from (in the file or in idat). */
  mediaData: Box[];
  itemExtents: ByteRange[];
}

/**
 * HEVC-coded still images: `heic` (Main, Main Still Picture) and `heix` (Main 10, range
 * extensions). `mif1` alone is any HEIF (AVIF, JPEG-in-HEIF…) and is not enough; sequences
 * (`msf1`, `hevc`, `hevx`) and layered images (`heim`, `heis`) are not stills we accept.
 */
const HEIC_BRANDS = new Set(['heic', 'heix']);
/** Coded image items a HEIC's primary image may be: one HEVC image, or a grid of HEVC tiles (iPhone). */
const PRIMARY_TYPES = new Set(['hvc1', 'grid']);
/** Items whose whole content is metadata: Exif, and MIME (XMP is `application/rdf+xml`) or URI payloads. */
const METADATA_TYPES = new Set(['Exif', 'mime', 'uri ']);
const TOP_LEVEL = new Set(['ftyp', 'meta', 'mdat', 'free', 'skip', 'uuid']);
const MAX_BOXES = 10_000;
const MAX_ITEMS = 10_000;

export function isHeifContainer(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 4, 4) === 'ftyp';
}

/** The boxes in [from, to): `size` 1 means a 64-bit size follows, 0 (top level only) "to the end". */
export function readBoxes(bytes: Uint8Array, from: number, to: number, where: string, topLevel = false): Box[] {
  const boxes: Box[] = [];
  let pos = from;
  while (pos < to) {
    if (boxes.length >= MAX_BOXES) throw new PhotoRejected('malformed', `too many boxes in ${where}`);
    if (pos + 8 > to) throw new PhotoRejected(to === bytes.length ? 'truncated' : 'malformed', `a box header is cut off in ${where}`);
    let size = u32(bytes, pos, where);
    const type = ascii(bytes, pos + 4, 4);
    let header = 8;
    if (size === 1) {
      const high = u32(bytes, pos + 8, where);
      if (high > 0x1fffff) throw new PhotoRejected('malformed', `the box ${JSON.stringify(type)} in ${where} declares an impossible size`);
      size = high * 2 ** 32 + u32(bytes, pos + 12, where);
      header = 16;
    } else if (size === 0) {
      if (!topLevel) throw new PhotoRejected('malformed', `the box ${JSON.stringify(type)} in ${where} has no size`);
      size = to - pos;
    }
    if (type === 'uuid') header += 16;
    if (size < header) throw new PhotoRejected('malformed', `the box ${JSON.stringify(type)} in ${where} is smaller than its header`);
    if (pos + size > to) {
      throw new PhotoRejected(to === bytes.length ? 'truncated' : 'malformed', `the box ${JSON.stringify(type)} overruns ${where}`);
    }
    boxes.push({ type, start: pos, payload: pos + header, end: pos + size });
    pos += size;
  }
  return boxes;
}

/** Version and flags of a FullBox, and where its fields start. */
function fullBox(bytes: Uint8Array, box: Box): { version: number; flags: number; at: number } {
  const word = u32(bytes, box.payload, box.type);
  if (box.payload + 4 > box.end) throw new PhotoRejected('malformed', `the ${box.type} box is too short`);
  return { version: word >>> 24, flags: word & 0xffffff, at: box.payload + 4 };
}

/** A field that must end inside its box, so a short box never reads its neighbour's bytes. */
function field(bytes: Uint8Array, box: Box, at: number, size: number): number {
  if (at + size > box.end) throw new PhotoRejected('malformed', `the ${box.type} box is too short`);
  if (size === 0) return 0;
  if (size === 2) return u16(bytes, at, box.type);
  if (size === 4) return u32(bytes, at, box.type);
  if (size === 8) {
    const high = u32(bytes, at, box.type);
    if (high > 0x1fffff) throw new PhotoRejected('malformed', `the ${box.type} box declares an impossible offset`);
    return high * 2 ** 32 + u32(bytes, at + 4, box.type);
  }
  return bytes[at]!;
}

/** A NUL-terminated string inside a box; returns the offset after its NUL. */
function cString(bytes: Uint8Array, box: Box, at: number): { text: string; next: number } {
  const nul = bytes.subarray(0, box.end).indexOf(0, at);
  if (nul < 0) throw new PhotoRejected('malformed', `a string in the ${box.type} box is not terminated`);
  return { text: ascii(bytes, at, nul - at), next: nul + 1 };
}

function only(boxes: Box[], type: string, where: string, required: boolean): Box | undefined {
  const found = boxes.filter((b) => b.type === type);
  if (found.length > 1) throw new PhotoRejected('malformed', `${where} has more than one ${type} box`);
  if (required && found.length === 0) throw new PhotoRejected('malformed', `${where} has no ${type} box`);
  return found[0];
}

interface Location {
  method: number;
  extents: ByteRange[];
}

export function readHeic(bytes: Uint8Array): HeicStructure {
  if (!isHeifContainer(bytes)) throw new PhotoRejected('unsupported-type', 'not an ISO base media file');
  const top = readTopLevel(bytes);
  const ftyp = top[0]!;
  const brands = [ascii(bytes, ftyp.payload, 4)];
  if (ftyp.end - ftyp.payload < 8 || (ftyp.end - ftyp.payload) % 4 !== 0) throw new PhotoRejected('malformed', 'the ftyp box is malformed');
  for (let at = ftyp.payload + 8; at < ftyp.end; at += 4) brands.push(ascii(bytes, at, 4));
  if (!brands.some((b) => HEIC_BRANDS.has(b))) {
    throw new PhotoRejected('unsupported-type', `an ISO media file of brands ${brands.map((b) => JSON.stringify(b)).join(', ')}, not a HEIC image`);
  }

  const meta = only(top, 'meta', 'the file', true)!;
  const metaFields = fullBox(bytes, meta);
  const children = readBoxes(bytes, metaFields.at, meta.end, 'the meta box');
  const hdlr = only(children, 'hdlr', 'the meta box', true)!;
  // FullBox header, pre_defined (4), then handler_type (ISO/IEC 14496-12 8.4.3).
  if (ascii(bytes, fullBox(bytes, hdlr).at + 4, 4) !== 'pict' || hdlr.payload + 12 > hdlr.end) {
    throw new PhotoRejected('unsupported-type', 'the HEIF file holds no picture');
  }

  const pitm = only(children, 'pitm', 'the meta box', true)!;
  const pitmFields = fullBox(bytes, pitm);
  const primary = field(bytes, pitm, pitmFields.at, pitmFields.version === 0 ? 2 : 4);

  const items = readItemInfo(bytes, only(children, 'iinf', 'the meta box', true)!);
  const locations = readItemLocations(bytes, only(children, 'iloc', 'the meta box', true)!);
  const idat = only(children, 'idat', 'the meta box', false);

  const primaryType = items.get(primary)?.type;
  if (primaryType === undefined) throw new PhotoRejected('malformed', 'the primary item is not described');
  if (!PRIMARY_TYPES.has(primaryType)) throw new PhotoRejected('unsupported-type', `the primary image is coded as ${JSON.stringify(primaryType)}, not HEVC`);

  // Every extent of every item lies in the file (method 0) or in idat (method 1); method 2
  // (bytes of another item) is resolved by the reader of that item and is checked there.
  const metadataItems: MetadataItem[] = [];
  const itemExtents: ByteRange[] = [];
  for (const [id, location] of locations) {
    const info = items.get(id);
    if (info === undefined) throw new PhotoRejected('malformed', `item ${id} has a location but no description`);
    const type = info.type;
    const extents: ByteRange[] = [];
    for (const extent of location.extents) {
      if (location.method === 0) {
        const length = extent.length === 0 ? bytes.length - extent.offset : extent.length;
        if (extent.offset + length > bytes.length) throw new PhotoRejected('truncated', `the file ends inside item ${id}`);
        extents.push({ offset: extent.offset, length });
      } else if (location.method === 1) {
        if (!idat) throw new PhotoRejected('malformed', `item ${id} is in an idat box there is not`);
        const size = idat.end - idat.payload;
        const length = extent.length === 0 ? size - extent.offset : extent.length;
        if (extent.offset + length > size) throw new PhotoRejected('malformed', `item ${id} overruns the idat box`);
        extents.push({ offset: idat.payload + extent.offset, length });
      } else if (METADATA_TYPES.has(type)) {
        throw new PhotoRejected('unsupported-type', `metadata item ${id} is built from another item`);
      }
    }
    itemExtents.push(...extents);
    if (METADATA_TYPES.has(type)) metadataItems.push({ id, type, contentType: info.contentType, extents });
  }

  const { dimensions, largestArea } = readProperties(bytes, only(children, 'iprp', 'the meta box', true)!);
  const size = dimensions.get(primary);
  if (!size || size.width === 0 || size.height === 0) throw new PhotoRejected('malformed', 'the primary image has no dimensions (ispe)');

  const blankBoxes = [
    ...top.filter((b) => b.type === 'uuid' || b.type === 'free' || b.type === 'skip'),
    ...children.filter((b) => b.type === 'xml ' || b.type === 'bxml' || b.type === 'free' || b.type === 'skip'),
  ];
  const mediaData = top.filter((b) => b.type === 'mdat');
  return { width: size.width, height: size.height, largestArea, metadataItems, blankBoxes, mediaData, itemExtents };
}

/**
 * The top-level boxes: ftyp first, one meta, the media data, free space and uuid extensions;
 * anything past a complete ftyp + meta + mdat that is not a well-formed box is appended data.
 */
function readTopLevel(bytes: Uint8Array): Box[] {
  let boxes: Box[];
  try {
    boxes = readBoxes(bytes, 0, bytes.length, 'the file', true);
  } catch (error) {
    if (!(error instanceof PhotoRejected) || !completeBefore(bytes)) throw error;
    throw new PhotoRejected('trailing-data', 'bytes that are no box follow the HEIC image');
  }
  if (boxes[0]?.type !== 'ftyp') throw new PhotoRejected('malformed', 'the file does not start with ftyp');
  for (const box of boxes) {
    if (!TOP_LEVEL.has(box.type)) throw new PhotoRejected('malformed', `the file has an unexpected ${JSON.stringify(box.type)} box`);
  }
  if (boxes.filter((b) => b.type === 'ftyp').length > 1) throw new PhotoRejected('malformed', 'the file has more than one ftyp box');
  return boxes;
}

/** Whether well-formed ftyp, meta and mdat boxes come before the first box that does not parse. */
function completeBefore(bytes: Uint8Array): boolean {
  const seen = new Set<string>();
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    const size = u32(bytes, pos, 'the file');
    if (size < 8 || pos + size > bytes.length) break;
    seen.add(ascii(bytes, pos + 4, 4));
    pos += size;
  }
  return seen.has('ftyp') && seen.has('meta') && seen.has('mdat');
}

/** item_ID → item_type (and content type), from infe boxes of version 2 or 3, the only ones with a type. */
function readItemInfo(bytes: Uint8Array, iinf: Box): Map<number, { type: string; contentType?: string }> {
  const { version, at } = fullBox(bytes, iinf);
  const countSize = version === 0 ? 2 : 4;
  const count = field(bytes, iinf, at, countSize);
  const entries = readBoxes(bytes, at + countSize, iinf.end, 'the iinf box').filter((b) => b.type === 'infe');
  if (entries.length !== count || count > MAX_ITEMS) throw new PhotoRejected('malformed', 'the iinf box does not hold the items it counts');
  const items = new Map<number, { type: string; contentType?: string }>();
  for (const infe of entries) {
    const fields = fullBox(bytes, infe);
    if (fields.version < 2) throw new PhotoRejected('unsupported-type', 'item information older than HEIF (infe version < 2)');
    const idSize = fields.version === 2 ? 2 : 4;
    const id = field(bytes, infe, fields.at, idSize);
    const protection = field(bytes, infe, fields.at + idSize, 2);
    if (protection !== 0) throw new PhotoRejected('unsupported-type', 'the HEIC has protected (encrypted) items');
    need(bytes, fields.at + idSize + 2, 4, 'infe');
    const type = ascii(bytes, fields.at + idSize + 2, 4);
    const name = cString(bytes, infe, fields.at + idSize + 6); // item_name, which must end inside the box
    const contentType = type === 'mime' ? cString(bytes, infe, name.next).text : undefined;
    if (items.has(id)) throw new PhotoRejected('malformed', `item ${id} is described twice`);
    items.set(id, { type, contentType });
  }
  return items;
}

/** item_ID → construction method and extents, from iloc versions 0–2 (ISO/IEC 14496-12 8.11.3). */
function readItemLocations(bytes: Uint8Array, iloc: Box): Map<number, Location> {
  const { version, at } = fullBox(bytes, iloc);
  if (version > 2) throw new PhotoRejected('unsupported-type', `item locations of version ${version}`);
  const sizes = field(bytes, iloc, at, 2);
  const offsetSize = sizes >> 12;
  const lengthSize = (sizes >> 8) & 0xf;
  const baseOffsetSize = (sizes >> 4) & 0xf;
  const indexSize = version === 0 ? 0 : sizes & 0xf;
  for (const s of [offsetSize, lengthSize, baseOffsetSize, indexSize]) {
    if (s !== 0 && s !== 4 && s !== 8) throw new PhotoRejected('malformed', 'the iloc box declares an invalid field size');
  }
  let pos = at + 2;
  const countSize = version < 2 ? 2 : 4;
  const count = field(bytes, iloc, pos, countSize);
  pos += countSize;
  if (count > MAX_ITEMS) throw new PhotoRejected('malformed', 'the iloc box lists too many items');
  const locations = new Map<number, Location>();
  for (let i = 0; i < count; i++) {
    const idSize = version < 2 ? 2 : 4;
    const id = field(bytes, iloc, pos, idSize);
    pos += idSize;
    let method = 0;
    if (version >= 1) {
      method = field(bytes, iloc, pos, 2) & 0xf;
      pos += 2;
    }
    if (method > 2) throw new PhotoRejected('malformed', `item ${id} has an unknown construction method`);
    const dataReference = field(bytes, iloc, pos, 2);
    pos += 2;
    if (dataReference !== 0) throw new PhotoRejected('unsupported-type', `item ${id} lives in another file`);
    const base = field(bytes, iloc, pos, baseOffsetSize);
    pos += baseOffsetSize;
    const extentCount = field(bytes, iloc, pos, 2);
    pos += 2;
    const extents: ByteRange[] = [];
    for (let e = 0; e < extentCount; e++) {
      pos += indexSize;
      const offset = field(bytes, iloc, pos, offsetSize);
      pos += offsetSize;
      const length = field(bytes, iloc, pos, lengthSize);
      pos += lengthSize;
      extents.push({ offset: base + offset, length });
    }
    if (locations.has(id)) throw new PhotoRejected('malformed', `item ${id} is located twice`);
    locations.set(id, { method, extents });
  }
  return locations;
}

/**
 * Each item's image spatial extent (ispe): the properties in ipco, associated to items by ipma
 * through 1-based indices (ISO/IEC 23008-12 9.3).
 */
function readProperties(bytes: Uint8Array, iprp: Box): { dimensions: Map<number, { width: number; height: number }>; largestArea: number } {
  const children = readBoxes(bytes, iprp.payload, iprp.end, 'the iprp box');
  const ipco = only(children, 'ipco', 'the iprp box', true)!;
  const properties = readBoxes(bytes, ipco.payload, ipco.end, 'the ipco box');
  let largestArea = 0;
  const extents = new Map<number, { width: number; height: number }>();
  properties.forEach((property, index) => {
    if (property.type !== 'ispe') return;
    const { at } = fullBox(bytes, property);
    const width = field(bytes, property, at, 4);
    const height = field(bytes, property, at + 4, 4);
    largestArea = Math.max(largestArea, width * height);
    extents.set(index + 1, { width, height });
  });
  const dimensions = new Map<number, { width: number; height: number }>();
  for (const ipma of children.filter((b) => b.type === 'ipma')) {
    const { version, flags, at } = fullBox(bytes, ipma);
    let pos = at;
    const count = field(bytes, ipma, pos, 4);
    pos += 4;
    if (count > MAX_ITEMS) throw new PhotoRejected('malformed', 'the ipma box lists too many items');
    for (let i = 0; i < count; i++) {
      const idSize = version < 1 ? 2 : 4;
      const id = field(bytes, ipma, pos, idSize);
      pos += idSize;
      const associations = field(bytes, ipma, pos, 1);
      pos += 1;
      for (let a = 0; a < associations; a++) {
        const wide = (flags & 1) === 1;
        const value = field(bytes, ipma, pos, wide ? 2 : 1);
        pos += wide ? 2 : 1;
        const index = value & (wide ? 0x7fff : 0x7f);
        if (index > properties.length) throw new PhotoRejected('malformed', `item ${id} is associated with a property there is not`);
        const extent = extents.get(index);
        if (extent) dimensions.set(id, extent);
      }
    }
  }
  return { dimensions, largestArea };
}
