/**
 * Job photos' building blocks: the content check, the metadata stripper and the blob
 * store. Sample photos are made here, with real encoders where they exist (jpeg-js, pngjs) and
 * real EXIF (piexifjs), carrying GPS positions, serial numbers, XMP, IPTC and comments; an
 * independent reader (exifr) must find the metadata before stripping and none after, and the
 * decoders must see the same pixels. HEIC has no encoder on npm, so one sample is assembled box
 * by box here (exifr confirms it reads its Exif), and one is a file from a real encoder, kept in
 * fixtures/: photo-with-gps.heic, 96 × 64, made by libheif 1.15 with x265 (`heif-enc -q 60`) and
 * tagged by ExifTool 12.57 with a GPS position, serial numbers, an owner and XMP; libheif
 * (heic-decode) decodes it before and after stripping.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import exifr from 'exifr';
import fc from 'fast-check';
import decodeHeic from 'heic-decode';
import jpeg from 'jpeg-js';
import piexif from 'piexifjs';
import { PNG } from 'pngjs';
import { DEFAULT_PHOTO_LIMITS, PhotoRejected, inspectPhoto, type PhotoRejectedReason } from '../../src/domains/fieldservice/photos/content.ts';
import { stripMetadata } from '../../src/domains/fieldservice/photos/strip.ts';
import { BLOB_KEY_PATTERN, FileBlobStore, InvalidBlobKey } from '../../src/domains/fieldservice/photos/blob-store.ts';

const SERIAL = 'SN-4F2A9C77';
const LENS_SERIAL = 'LENS-0098812';
const OWNER = 'Technician Jane Roe';
const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" aux:SerialNumber="${SERIAL}" xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.5N"/></rdf:RDF></x:xmpmeta>`;
/** Every string that must not survive stripping. */
const SECRETS = [SERIAL, LENS_SERIAL, OWNER, 'GPSLatitude', 'rdf:RDF', 'Photoshop 3.0', 'PRIVATE-COMMENT', 'PK\u0003\u0004', '<html'];

const text = (s: string) => new TextEncoder().encode(s);
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

function rejection(fn: () => unknown): PhotoRejectedReason {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PhotoRejected, `expected PhotoRejected, got ${String(error)}`);
    return error.reason;
  }
  assert.fail('the photo was accepted');
}

function assertNoSecrets(bytes: Uint8Array, what: string): void {
  const haystack = latin1(bytes);
  for (const secret of SECRETS) assert.ok(!haystack.includes(secret), `${what} still contains ${JSON.stringify(secret)}`);
}

/** A pattern of colours, so a change to the image data shows in the decoded pixels. */
function pixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * 37) % 256, (i * 91) % 256, (i * 13) % 256, 255], i * 4);
  return data;
}

/** EXIF with the GPS position, the camera's and lens's serial numbers, an owner, an orientation and a thumbnail. */
function exifBlock(thumbnail?: Uint8Array): string {
  const exif: Record<string, Record<number, unknown> | string | null> = {
    '0th': { [piexif.ImageIFD.Make]: 'Acme', [piexif.ImageIFD.Model]: 'FieldCam 7', [piexif.ImageIFD.Orientation]: 6 },
    Exif: {
      [piexif.ExifIFD.BodySerialNumber]: SERIAL,
      [piexif.ExifIFD.LensSerialNumber]: LENS_SERIAL,
      [piexif.ExifIFD.CameraOwnerName]: OWNER,
      [piexif.ExifIFD.DateTimeOriginal]: '2026:03:04 05:06:07',
    },
    GPS: {
      [piexif.GPSIFD.GPSLatitudeRef]: 'N',
      [piexif.GPSIFD.GPSLatitude]: [[48, 1], [51, 1], [3000, 100]],
      [piexif.GPSIFD.GPSLongitudeRef]: 'E',
      [piexif.GPSIFD.GPSLongitude]: [[2, 1], [17, 1], [4000, 100]],
    },
  };
  if (thumbnail) {
    exif['1st'] = { [piexif.ImageIFD.Compression]: 6 };
    exif.thumbnail = latin1(thumbnail);
  }
  return piexif.dump(exif as piexif.ExifDict);
}

function jpegSegment(marker: number, payload: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(0xff, marker), u16(payload.length + 2), payload);
}

const WIDTH = 24;
const HEIGHT = 16;

/**
 * A camera-like JPEG: JFIF, Exif with GPS, serials and a thumbnail, XMP, an MPF index, an ICC
 * profile, IPTC (Photoshop APP13), a vendor APP segment and a comment holding HTML.
 */
function sampleJpeg(): Uint8Array {
  const plain = new Uint8Array(jpeg.encode({ data: pixels(WIDTH, HEIGHT), width: WIDTH, height: HEIGHT }, 90).data);
  const thumbnail = new Uint8Array(jpeg.encode({ data: pixels(4, 4), width: 4, height: 4 }, 50).data);
  const withExif = new Uint8Array(Buffer.from(piexif.insert(exifBlock(thumbnail), latin1(plain)), 'latin1'));
  const extra = [
    jpegSegment(0xe1, concat(text('http://ns.adobe.com/xap/1.0/\0'), text(XMP))),
    jpegSegment(0xe2, concat(text('MPF\0'), text('MM\0*'), new Uint8Array(8))),
    jpegSegment(0xe2, concat(text('ICC_PROFILE\0'), Uint8Array.of(1, 1), text('fake-icc-profile-bytes'))),
    jpegSegment(0xed, concat(text('Photoshop 3.0\0'), text('8BIM'), u16(0x0404), new Uint8Array(2), u32(OWNER.length + 5),
      Uint8Array.of(0x1c, 0x02, 0x50), u16(OWNER.length), text(OWNER))),
    jpegSegment(0xeb, text(`vendor block ${SERIAL}`)),
    jpegSegment(0xfe, text('PRIVATE-COMMENT <html><script>alert(1)</script></html>')),
  ];
  // After SOI and the APP segments the encoder and piexif wrote (stepping over them by their
  // lengths: the Exif thumbnail is a JPEG of its own), before the tables.
  let at = 2;
  while (withExif[at + 1]! >= 0xe0 && withExif[at + 1]! <= 0xef) at += 2 + ((withExif[at + 2]! << 8) | withExif[at + 3]!);
  return concat(withExif.subarray(0, at), ...extra, withExif.subarray(at));
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(text(type), data);
  return concat(u32(data.length), body, u32(crc32(body)));
}

/** pngjs's PNG with a gamma chunk, then eXIf, tEXt, zTXt, iTXt (XMP), tIME and a private chunk. */
function samplePng(): Uint8Array {
  const png = new PNG({ width: WIDTH, height: HEIGHT });
  pixels(WIDTH, HEIGHT).copy(png.data);
  const plain = new Uint8Array(PNG.sync.write(png));
  const ihdrEnd = 8 + 25;
  const metadata = [
    pngChunk('gAMA', u32(45455)),
    pngChunk('eXIf', new Uint8Array(Buffer.from(exifBlock().slice(6), 'latin1'))),
    pngChunk('tEXt', text(`Comment\0PRIVATE-COMMENT ${SERIAL}`)),
    pngChunk('zTXt', concat(text('Author\0'), Uint8Array.of(0), new Uint8Array(deflateSync(text(`${OWNER} ${SERIAL}`))))),
    pngChunk('iTXt', concat(text('XML:com.adobe.xmp\0'), Uint8Array.of(0, 0), text('\0\0'), text(XMP))),
    pngChunk('tIME', Uint8Array.of(0x07, 0xea, 3, 4, 5, 6, 7)),
    pngChunk('prVt', text(`private ${LENS_SERIAL}`)),
  ];
  return concat(plain.subarray(0, ihdrEnd), ...metadata, plain.subarray(ihdrEnd));
}

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const body = concat(...payload);
  return concat(u32(body.length + 8), text(type), body);
}

function fullBox(type: string, version: number, flags: number, ...payload: Uint8Array[]): Uint8Array {
  return box(type, Uint8Array.of(version, flags >> 16, (flags >> 8) & 0xff, flags & 0xff), ...payload);
}

interface HeicOptions {
  width?: number;
  height?: number;
  /** A second, thumbnail-sized image item with its own ispe. */
  thumbnail?: { width: number; height: number };
  brands?: string[];
  primaryType?: string;
}

/** Stands in for HEVC-coded image data: the stripper must leave these bytes exactly as they are. */
const CODED_IMAGE = new Uint8Array(Array.from({ length: 64 }, (_, i) => (i * 29 + 7) % 251));

/**
 * A HEIC as an iPhone lays it out, reduced: ftyp (heic), meta with hdlr pict, pitm, iinf (an
 * hvc1 image, an Exif item, an XMP mime item), iloc (version 1, 4-byte offsets into mdat), iprp
 * (hvcC, ispe, associated by ipma), an XMP uuid box, free space holding a ZIP header, and mdat
 * with bytes no item refers to. Exif is `exif_tiff_header_offset` 6, then `Exif\0\0` + TIFF.
 */
function sampleHeic(options: HeicOptions = {}): Uint8Array {
  const { width = 640, height = 480, brands = ['heic', 'mif1', 'heic'], primaryType = 'hvc1' } = options;
  const exif = concat(u32(6), new Uint8Array(Buffer.from(exifBlock(), 'latin1')));
  const xmp = text(XMP);
  const hidden = text('PK\u0003\u0004 <html> unreferenced bytes in mdat');
  const items = [
    { id: 1, type: primaryType, data: CODED_IMAGE },
    { id: 2, type: 'Exif', data: exif },
    { id: 3, type: 'mime', data: xmp, contentType: 'application/rdf+xml' },
    ...(options.thumbnail ? [{ id: 4, type: 'hvc1', data: CODED_IMAGE.subarray(0, 16) }] : []),
  ];
  const infe = (item: (typeof items)[number]) =>
    fullBox('infe', 2, 0, u16(item.id), u16(0), text(item.type), text('\0'), item.contentType ? text(`${item.contentType}\0`) : new Uint8Array());
  const properties = [
    box('hvcC', new Uint8Array(23)),
    fullBox('ispe', 0, 0, u32(width), u32(height)),
    ...(options.thumbnail ? [fullBox('ispe', 0, 0, u32(options.thumbnail.width), u32(options.thumbnail.height))] : []),
  ];
  const ipma = fullBox('ipma', 0, 0, u32(options.thumbnail ? 2 : 1),
    u16(1), Uint8Array.of(2, 0x81, 0x02),
    ...(options.thumbnail ? [u16(4), Uint8Array.of(2, 0x81, 0x03)] : []));
  // The meta box's size does not depend on the offsets, so lay it out once with zeros, then for real.
  const build = (offsets: number[]) => {
    const iloc = fullBox('iloc', 1, 0, Uint8Array.of(0x44, 0x00), u16(items.length),
      ...items.map((item, i) => concat(u16(item.id), u16(0), u16(0), u16(1), u32(offsets[i] ?? 0), u32(item.data.length))));
    const meta = fullBox('meta', 0, 0,
      fullBox('hdlr', 0, 0, u32(0), text('pict'), new Uint8Array(12), text('\0')),
      fullBox('pitm', 0, 0, u16(1)),
      fullBox('iinf', 0, 0, u16(items.length), ...items.map(infe)),
      iloc,
      box('iprp', box('ipco', ...properties), ipma),
    );
    const ftyp = box('ftyp', text(brands[0]!), u32(0), ...brands.slice(1).map(text));
    const uuid = box('uuid', new Uint8Array(Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex')), xmp);
    const free = box('free', text('PK\u0003\u0004 zip payload hidden in free space'));
    return concat(ftyp, meta, uuid, free);
  };
  const headLength = build([]).length;
  const mdatStart = headLength + 8;
  const offsets: number[] = [];
  let at = mdatStart + hidden.length;
  for (const item of items) {
    offsets.push(at);
    at += item.data.length;
  }
  const head = build(offsets);
  assert.equal(head.length, headLength);
  return concat(head, box('mdat', hidden, ...items.map((i) => i.data)));
}

describe('inspectPhoto: the type comes from the content', () => {
  test('JPEG, PNG and HEIC samples are accepted with their dimensions', () => {
    assert.deepEqual(inspectPhoto(sampleJpeg(), DEFAULT_PHOTO_LIMITS), { mediaType: 'image/jpeg', width: WIDTH, height: HEIGHT });
    assert.deepEqual(inspectPhoto(samplePng(), DEFAULT_PHOTO_LIMITS), { mediaType: 'image/png', width: WIDTH, height: HEIGHT });
    assert.deepEqual(inspectPhoto(sampleHeic(), DEFAULT_PHOTO_LIMITS), { mediaType: 'image/heic', width: 640, height: 480 });
  });

  test('a renamed file is what its bytes are: there is no name or declared type to trust', () => {
    // A PNG uploaded as "site.jpg" with Content-Type image/jpeg is still reported as a PNG, and
    // the caller stores it as one; the check has no parameter through which a name could leak in.
    assert.equal(inspectPhoto(samplePng()).mediaType, 'image/png');
    assert.equal(inspectPhoto.length, 1, 'inspectPhoto takes the bytes (and limits), nothing an uploader names');
  });

  test('SVG, GIF, WebP, TIFF, BMP, AVIF, PDF, HTML and ZIP are refused as unsupported types', () => {
    const others: Record<string, Uint8Array> = {
      svg: text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'),
      gif: new Uint8Array(Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64')),
      webp: concat(text('RIFF'), Uint8Array.of(26, 0, 0, 0), text('WEBPVP8L'), Uint8Array.of(13, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0)),
      tiffLittle: concat(text('II*\0'), u32(0x08000000), new Uint8Array(16)),
      tiffBig: concat(text('MM\0*'), u32(8), new Uint8Array(16)),
      bmp: concat(text('BM'), new Uint8Array(60)),
      avif: concat(box('ftyp', text('avif'), u32(0), text('mif1'), text('avif')), box('meta'), box('mdat')),
      mp4: box('ftyp', text('isom'), u32(0), text('isom'), text('mp41')),
      pdf: text('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF'),
      html: text('<!doctype html><html><body>photo</body></html>'),
      zip: concat(text('PK\u0003\u0004'), new Uint8Array(26)),
      almostJpeg: Uint8Array.of(0xff, 0xd8, 0x00, 0x00),
    };
    for (const [name, bytes] of Object.entries(others)) {
      assert.equal(rejection(() => inspectPhoto(bytes)), 'unsupported-type', `${name} must be refused as unsupported`);
    }
  });

  test('a HEIF whose primary image is not HEVC (a JPEG or AV1 item) is refused even with a heic brand', () => {
    assert.equal(rejection(() => inspectPhoto(sampleHeic({ primaryType: 'av01' }))), 'unsupported-type');
    assert.equal(rejection(() => inspectPhoto(sampleHeic({ brands: ['mif1', 'mif1', 'miaf'] }))), 'unsupported-type');
  });

  test('a photo over the size limit is refused before it is parsed', () => {
    const bytes = sampleJpeg();
    assert.equal(rejection(() => inspectPhoto(bytes, { maxBytes: bytes.length - 1, maxPixels: 1e9 })), 'too-large');
    assert.equal(inspectPhoto(bytes, { maxBytes: bytes.length, maxPixels: 1e9 }).mediaType, 'image/jpeg', 'exactly at the limit is allowed');
    assert.equal(rejection(() => inspectPhoto(new Uint8Array(100), { maxBytes: 10, maxPixels: 1e9 })), 'too-large');
  });

  test('an empty file is refused', () => {
    assert.equal(rejection(() => inspectPhoto(new Uint8Array())), 'malformed');
  });

  test('every truncation of every sample is refused, never accepted as a shorter image', () => {
    for (const [name, bytes] of Object.entries({ jpeg: sampleJpeg(), png: samplePng(), heic: sampleHeic() })) {
      for (let length = 1; length < bytes.length; length++) {
        const reason = rejection(() => inspectPhoto(bytes.subarray(0, length)));
        assert.ok(['truncated', 'malformed', 'unsupported-type'].includes(reason), `${name} cut to ${length} bytes: ${reason}`);
      }
    }
    assert.equal(rejection(() => inspectPhoto(sampleJpeg().subarray(0, -2))), 'truncated', 'a JPEG without its EOI is truncated');
    assert.equal(rejection(() => inspectPhoto(samplePng().subarray(0, -12))), 'truncated', 'a PNG without its IEND is truncated');
    const heic = sampleHeic();
    assert.equal(rejection(() => inspectPhoto(heic.subarray(0, heic.length - 10))), 'truncated', 'a HEIC cut inside mdat is truncated');
  });

  test('polyglots: bytes appended after the image are refused', () => {
    const zip = concat(text('PK\u0003\u0004'), new Uint8Array(26), text('PK\u0005\u0006'), new Uint8Array(18));
    const html = text('<html><script>alert(document.cookie)</script></html>');
    for (const [name, image] of Object.entries({ jpeg: sampleJpeg(), png: samplePng(), heic: sampleHeic() })) {
      assert.equal(rejection(() => inspectPhoto(concat(image, zip))), 'trailing-data', `${name} + ZIP`);
      assert.equal(rejection(() => inspectPhoto(concat(image, html))), 'trailing-data', `${name} + HTML`);
      assert.equal(rejection(() => inspectPhoto(concat(image, Uint8Array.of(0)))), 'trailing-data', `${name} + one byte`);
    }
  });

  test('polyglots: a JPEG or PNG header followed by something else is refused', () => {
    const html = text('<html><body><script>alert(1)</script></body></html>');
    assert.ok(['malformed', 'truncated'].includes(rejection(() => inspectPhoto(concat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0), html)))));
    assert.ok(['malformed', 'truncated'].includes(rejection(() => inspectPhoto(concat(samplePng().subarray(0, 8), html)))));
    // A GIFAR-style file: a real JPEG's first segments, then a ZIP where the frame should be.
    const jpegHead = sampleJpeg().subarray(0, 20);
    assert.ok(['malformed', 'truncated'].includes(rejection(() => inspectPhoto(concat(jpegHead, text('PK\u0003\u0004'), new Uint8Array(40))))));
  });

  test('dimension bombs are refused from the declared size, without decoding', () => {
    const limits = { maxBytes: DEFAULT_PHOTO_LIMITS.maxBytes, maxPixels: 50_000_000 };
    // PNG: a valid IHDR of 100000 × 100000 with a few bytes of IDAT.
    const png = samplePng();
    const ihdr = pngChunk('IHDR', concat(u32(100_000), u32(100_000), Uint8Array.of(8, 6, 0, 0, 0)));
    const bombPng = concat(png.subarray(0, 8), ihdr, png.subarray(8 + 25));
    assert.equal(rejection(() => inspectPhoto(bombPng, limits)), 'too-many-pixels');
    // JPEG: the frame header claims 65535 × 65535.
    const jpg = sampleJpeg();
    const sof = latin1(jpg).lastIndexOf('\xff\xc0'); // the main image's, after the Exif thumbnail's
    const bombJpeg = new Uint8Array(jpg);
    bombJpeg.set([0xff, 0xff, 0xff, 0xff], sof + 5);
    assert.equal(rejection(() => inspectPhoto(bombJpeg, limits)), 'too-many-pixels');
    // HEIC: the primary image, and separately a second image item, declare 10000 × 10000.
    assert.equal(rejection(() => inspectPhoto(sampleHeic({ width: 10_000, height: 10_000 }), limits)), 'too-many-pixels');
    assert.equal(rejection(() => inspectPhoto(sampleHeic({ thumbnail: { width: 10_000, height: 10_000 } }), limits)), 'too-many-pixels');
    assert.equal(inspectPhoto(sampleHeic({ thumbnail: { width: 160, height: 120 } }), limits).width, 640);
  });

  test('structural damage is malformed: a PNG CRC, a JPEG marker, a HEIC box size', () => {
    const png = samplePng();
    png[42] = png[42]! ^ 0x01; // one bit of gAMA's value: only the CRC can tell
    assert.equal(rejection(() => inspectPhoto(png)), 'malformed');
    const jpg = sampleJpeg();
    const dqt = latin1(jpg).lastIndexOf('\xff\xdb');
    jpg[dqt + 1] = 0xc8; // JPG: a reserved marker no camera writes
    assert.equal(rejection(() => inspectPhoto(jpg)), 'malformed');
    const heic = sampleHeic();
    heic.set(u32(4), latin1(heic).indexOf('pitm') - 4); // a box smaller than its header
    assert.equal(rejection(() => inspectPhoto(heic)), 'malformed');
  });

  test('random damage anywhere never crashes the check: the answer is an image or a PhotoRejected', () => {
    const samples = [sampleJpeg(), samplePng(), sampleHeic()];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (which, edits) => {
        const bytes = new Uint8Array(samples[which]!);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        let info;
        try {
          info = inspectPhoto(bytes);
        } catch (error) {
          assert.ok(error instanceof PhotoRejected, `a damaged file threw ${String(error)}`);
          return;
        }
        // Accepted despite the damage (it hit image data): stripping works and is accepted again.
        const stripped = stripMetadata(bytes, info.mediaType);
        assert.deepEqual(inspectPhoto(stripped), info);
      }),
      { numRuns: 600 },
    );
  });
});

describe('stripMetadata: the metadata goes, the image stays', () => {
  test('JPEG: GPS, serial numbers, owner, XMP, IPTC, comments and the thumbnail are gone; the pixels are the same', async () => {
    const original = sampleJpeg();
    const before = await exifr.parse(original, { tiff: true, exif: true, gps: true, xmp: true, iptc: true });
    assert.equal(before?.SerialNumber, SERIAL, 'the sample carries a serial number an independent reader finds');
    assert.ok(before?.latitude > 48, 'the sample carries a GPS position');
    assert.ok(await exifr.thumbnail(original), 'the sample carries an EXIF thumbnail');

    const stripped = stripMetadata(original, 'image/jpeg');
    assertNoSecrets(stripped, 'the stripped JPEG');
    assert.equal(await exifr.gps(stripped), undefined, 'no GPS position is left');
    const after = await exifr.parse(stripped, { tiff: true, exif: true, gps: true, xmp: true, iptc: true, icc: false });
    assert.deepEqual(after, { Orientation: 'Rotate 90 CW' }, 'only the orientation, rewritten, is left');
    assert.equal(await exifr.thumbnail(stripped), undefined, 'no thumbnail is left');
    assert.ok(latin1(stripped).includes('ICC_PROFILE\0\x01\x01fake-icc-profile-bytes'), 'the ICC colour profile is kept');
    assert.ok(latin1(stripped).includes('JFIF\0'), 'the JFIF header is kept');

    const a = jpeg.decode(original, { useTArray: true });
    const b = jpeg.decode(stripped, { useTArray: true });
    assert.equal(b.width, WIDTH);
    assert.equal(b.height, HEIGHT);
    assert.deepEqual(b.data, a.data, 'the decoded pixels are identical');
    assert.deepEqual(inspectPhoto(stripped), { mediaType: 'image/jpeg', width: WIDTH, height: HEIGHT });
    const scan = (bytes: Uint8Array) => bytes.subarray(latin1(bytes).lastIndexOf('\xff\xda'));
    assert.deepEqual(scan(stripped), scan(original), 'the scan data is copied byte for byte');
  });

  test('JPEG: a photo with no orientation gets no Exif block at all, and stripping twice changes nothing', async () => {
    const plain = new Uint8Array(jpeg.encode({ data: pixels(8, 8), width: 8, height: 8 }, 80).data);
    const commented = concat(plain.subarray(0, 2), jpegSegment(0xfe, text('PRIVATE-COMMENT')), plain.subarray(2));
    const stripped = stripMetadata(commented, 'image/jpeg');
    assert.ok(!latin1(stripped).includes('Exif'), 'no Exif block is invented');
    assert.deepEqual(stripped, plain, 'the comment was the only difference');
    const twice = stripMetadata(stripMetadata(sampleJpeg(), 'image/jpeg'), 'image/jpeg');
    assert.deepEqual(twice, stripMetadata(sampleJpeg(), 'image/jpeg'));
  });

  test('PNG: eXIf, tEXt, zTXt, iTXt, tIME and private chunks are gone; colour chunks and pixels stay', async () => {
    const original = samplePng();
    assert.equal((await exifr.parse(original, { tiff: true, exif: true, gps: true }))?.SerialNumber, SERIAL, 'the sample has EXIF exifr reads');
    const stripped = stripMetadata(original, 'image/png');
    assertNoSecrets(stripped, 'the stripped PNG');
    assert.equal(await exifr.gps(stripped), undefined);
    const chunks: string[] = [];
    for (let at = 8; at < stripped.length; ) {
      const length = Buffer.from(stripped).readUInt32BE(at);
      chunks.push(latin1(stripped.subarray(at + 4, at + 8)));
      at += length + 12;
    }
    assert.deepEqual([...new Set(chunks)], ['IHDR', 'gAMA', 'IDAT', 'IEND']);
    const a = PNG.sync.read(Buffer.from(original));
    const b = PNG.sync.read(Buffer.from(stripped));
    assert.equal(b.width, WIDTH);
    assert.equal(b.height, HEIGHT);
    assert.ok(b.data.equals(a.data), 'the decoded pixels are identical');
    assert.deepEqual(inspectPhoto(stripped), { mediaType: 'image/png', width: WIDTH, height: HEIGHT });
  });

  test('HEIC: the Exif and XMP items are emptied in place; the coded image and every offset stay', async () => {
    const original = sampleHeic();
    const before = await exifr.parse(original, { tiff: true, exif: true, gps: true });
    assert.equal(before?.SerialNumber, SERIAL, 'exifr reads the sample as a HEIC with Exif');
    assert.ok(before?.latitude > 48, 'the sample carries a GPS position');

    const stripped = stripMetadata(original, 'image/heic');
    assert.equal(stripped.length, original.length, 'nothing moves: iloc offsets stay valid');
    assertNoSecrets(stripped, 'the stripped HEIC');
    assert.equal(await exifr.gps(stripped), undefined, 'no GPS position is left');
    const after = await exifr.parse(stripped, { tiff: true, exif: true, gps: true, xmp: true });
    assert.equal(after, undefined, 'exifr finds an Exif item with no tags in it');
    const imageAt = latin1(original).lastIndexOf(latin1(CODED_IMAGE));
    assert.ok(imageAt > 0);
    assert.deepEqual(stripped.subarray(imageAt, imageAt + CODED_IMAGE.length), CODED_IMAGE, 'the coded image is untouched');
    assert.deepEqual(stripped.subarray(0, latin1(original).indexOf('uuid') - 4), original.subarray(0, latin1(original).indexOf('uuid') - 4),
      'ftyp and meta (item types, locations, properties) are byte for byte the same');
    assert.deepEqual(inspectPhoto(stripped), { mediaType: 'image/heic', width: 640, height: 480 });
  });

  test('HEIC from a real encoder: GPS, serials, owner and XMP are gone; libheif decodes the same pixels', async () => {
    const original = new Uint8Array(readFileSync(path.join(import.meta.dirname, 'fixtures', 'photo-with-gps.heic')));
    assert.deepEqual(inspectPhoto(original), { mediaType: 'image/heic', width: 96, height: 64 });
    const before = await exifr.parse(original, { tiff: true, exif: true, gps: true, xmp: true });
    assert.equal(before?.SerialNumber, SERIAL, 'the fixture carries the serial number');
    assert.ok(before?.latitude > 48 && before?.longitude > 2, 'the fixture carries a GPS position');
    assert.ok(latin1(original).includes(OWNER) && latin1(original).includes('rdf:RDF'));

    const stripped = stripMetadata(original, 'image/heic');
    assertNoSecrets(stripped, 'the stripped HEIC');
    assert.equal(await exifr.gps(stripped), undefined, 'no GPS position is left');
    assert.equal(await exifr.parse(stripped, { tiff: true, exif: true, gps: true, xmp: true }), undefined, 'no tag is left');
    assert.deepEqual(inspectPhoto(stripped), { mediaType: 'image/heic', width: 96, height: 64 });
    const [a, b] = [await decodeHeic({ buffer: original }), await decodeHeic({ buffer: stripped })];
    assert.equal(b.width, 96);
    assert.equal(b.height, 64);
    assert.deepEqual(b.data, a.data, 'the decoded pixels are identical');
  });

  test('stripping refuses bytes that did not pass the check', () => {
    assert.equal(rejection(() => stripMetadata(concat(sampleJpeg(), text('<html>')), 'image/jpeg')), 'trailing-data');
    assert.equal(rejection(() => stripMetadata(samplePng(), 'image/jpeg')), 'unsupported-type');
  });
});

describe('FileBlobStore', () => {
  async function store(options = {}): Promise<{ blobs: FileBlobStore; root: string; done: () => Promise<void> }> {
    const dir = await mkdtemp(path.join(tmpdir(), 'palisade-blobs-'));
    const root = path.join(dir, 'blobs');
    return { blobs: new FileBlobStore(root, options), root, done: () => rm(dir, { recursive: true, force: true }) };
  }

  test('a blob round-trips with its SHA-256 and size, as a file only its owner can read', async () => {
    const { blobs, root, done } = await store();
    try {
      const bytes = stripMetadata(sampleJpeg(), 'image/jpeg');
      const stored = await blobs.put(bytes, { mediaType: 'image/jpeg' });
      assert.match(stored.key, BLOB_KEY_PATTERN);
      assert.equal(stored.size, bytes.length);
      assert.equal(stored.sha256, createHash('sha256').update(bytes).digest('hex'));
      const got = await blobs.get(stored.key);
      assert.ok(got);
      assert.deepEqual(got.bytes, bytes);
      assert.equal(got.size, bytes.length);
      assert.equal(got.sha256, stored.sha256);
      const file = path.join(root, stored.key.slice(0, 2), stored.key);
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'the file is readable by the server alone');
      assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
      assert.deepEqual(await readFile(file), Buffer.from(bytes));
    } finally {
      await done();
    }
  });

  test('keys are random, never derived from the content', async () => {
    const { blobs, done } = await store();
    try {
      const bytes = samplePng();
      const a = await blobs.put(bytes, { mediaType: 'image/png' });
      const b = await blobs.put(bytes, { mediaType: 'image/png' });
      assert.notEqual(a.key, b.key, 'the same bytes twice get two keys');
      assert.equal(a.sha256, b.sha256);
    } finally {
      await done();
    }
  });

  test('delete removes a blob once; an unknown key reads as nothing', async () => {
    const { blobs, done } = await store();
    try {
      const { key } = await blobs.put(samplePng(), { mediaType: 'image/png' });
      assert.equal(await blobs.delete(key), true);
      assert.equal(await blobs.get(key), undefined);
      assert.equal(await blobs.delete(key), false);
      assert.equal(await blobs.get('A'.repeat(43)), undefined);
    } finally {
      await done();
    }
  });

  test('a key that is not exactly 43 base64url characters is refused before it reaches the file system', async () => {
    const { blobs, root, done } = await store();
    try {
      await mkdir(root, { recursive: true });
      await writeFile(path.join(path.dirname(root), 'secret'), 'outside the store');
      const valid = 'A'.repeat(43);
      const attempts = ['../secret', '../../etc/passwd', `..${'/'.repeat(41)}`, `../${'A'.repeat(40)}`, `AA/${'A'.repeat(40)}`, `${'A'.repeat(42)}.`,
        `${valid}\n`, `${valid.slice(1)}\0`, '', '.tmp-AAAAAAAAAAAAAAAAAAAAAA', valid.replace(/A/g, '%'), `${valid}A`, '/etc/hostname'];
      for (const key of attempts) {
        await assert.rejects(blobs.get(key), InvalidBlobKey, `get(${JSON.stringify(key)})`);
        await assert.rejects(blobs.delete(key), InvalidBlobKey, `delete(${JSON.stringify(key)})`);
      }
      const traversal = new FileBlobStore(root, { newKey: () => '../../secret' });
      await assert.rejects(traversal.put(text('x'), { mediaType: 'image/png' }), InvalidBlobKey);
      assert.equal(await readFile(path.join(path.dirname(root), 'secret'), 'utf8'), 'outside the store', 'nothing outside the store was written');
    } finally {
      await done();
    }
  });

  test('a failed write leaves no partial or temporary file and never replaces a stored blob', async () => {
    const key = 'B'.repeat(43);
    const { blobs, root, done } = await store({ newKey: () => key });
    try {
      const first = await blobs.put(text('the first photo'), { mediaType: 'image/jpeg' });
      // The same key again (a broken random source): the write fails after the temporary file
      // was written in full, at the step that puts it in place.
      await assert.rejects(blobs.put(text('a second, different photo'), { mediaType: 'image/jpeg' }), { code: 'EEXIST' });
      assert.deepEqual((await blobs.get(first.key))?.bytes, text('the first photo'), 'the stored blob is unchanged');
      assert.deepEqual(await readdir(path.join(root, key.slice(0, 2))), [key], 'no temporary file is left beside it');
    } finally {
      await done();
    }
  });

  test('a symbolic link planted under a key is not followed', async () => {
    const key = 'C'.repeat(43);
    const { blobs, root, done } = await store();
    try {
      await mkdir(path.join(root, 'CC'), { recursive: true });
      await symlink('/etc/hostname', path.join(root, 'CC', key));
      await assert.rejects(blobs.get(key), { code: 'ELOOP' });
    } finally {
      await done();
    }
  });
});
