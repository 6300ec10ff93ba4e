/**
 * BMP walker (file header + DIB header + palette + pixel array) and the DIB walker used for BMP
 * entries inside ICO files (no file header, height doubled for the XOR and AND masks).
 *
 * Compression choice: only uncompressed pixel arrays are accepted: BI_RGB (0) and the bit-field
 * layouts BI_BITFIELDS (3) and BI_ALPHABITFIELDS (6), whose sizes follow from width, height and
 * bit count. RLE8/RLE4 (1, 2) and embedded JPEG/PNG (4, 5) are rejected with a clear reason: their
 * length cannot be checked without decoding, and browsers and most tools barely support them.
 *
 * The file header's size field is ignored (writers often get it wrong); the logical end is the end
 * of the pixel array, which must lie inside the file. That is only known when the input ends, so a
 * short file fails in end() with "bmp truncated in the pixel array …".
 */
import { fail, read, skip, type Walk } from './byte-feeder.js';
import { maxBmpEndBytes } from './limits.js';

const headerSizes: ReadonlySet<number> = new Set([12, 40, 52, 56, 108, 124]);
const bitCounts: ReadonlySet<number> = new Set([1, 4, 8, 16, 24, 32]);
const unsupported: ReadonlyMap<number, string> = new Map([
  [1, 'RLE8'],
  [2, 'RLE4'],
  [4, 'JPEG'],
  [5, 'PNG'],
]);

interface Dib {
  width: number;
  /** Signed: negative means top-down. */
  height: number;
  bitCount: number;
  /** Header + colour masks + palette: where the pixels start when they follow directly. */
  headersBytes: number;
}

/** Bytes of one pixel row: rows are padded to a multiple of 4 bytes. */
export function rowBytes(width: number, bitCount: number): number {
  return Math.ceil((width * bitCount) / 32) * 4;
}

/** Parses a complete DIB header (`h` starts with its own 4-byte size field) for `fmt` ('bmp'/'ico …'). */
function parseDib(h: Buffer, fmt: string, at: number): Dib {
  const size = h.readUInt32LE(0);
  const core = size === 12; // BITMAPCOREHEADER: 16-bit unsigned dimensions, no compression field
  const width = core ? h.readUInt16LE(4) : h.readInt32LE(4);
  const height = core ? h.readUInt16LE(6) : h.readInt32LE(8);
  const planes = h.readUInt16LE(core ? 8 : 12);
  const bitCount = h.readUInt16LE(core ? 10 : 14);
  const compression = core ? 0 : h.readUInt32LE(16);
  const colorsUsed = core ? 0 : h.readUInt32LE(32);
  const where = `${fmt}: DIB header at offset ${at}`;
  if (width <= 0) fail(`${where} has width ${width} (must be positive)`);
  if (height === 0) fail(`${where} has height 0`);
  if (planes !== 1) fail(`${where} has ${planes} colour planes (must be 1)`);
  if (!bitCounts.has(bitCount)) fail(`${where} has ${bitCount} bits per pixel (must be 1, 4, 8, 16, 24 or 32)`);
  const unsupportedName = unsupported.get(compression);
  if (unsupportedName) fail(`${where} uses ${unsupportedName} compression, which is not supported (only uncompressed BMPs are)`);
  if (compression !== 0 && compression !== 3 && compression !== 6) fail(`${where} has unknown compression ${compression}`);
  if (compression !== 0 && bitCount !== 16 && bitCount !== 32) {
    fail(`${where} uses bit-field compression with ${bitCount} bits per pixel (must be 16 or 32)`);
  }
  // A 40-byte header is followed by its colour masks; larger headers contain them.
  const masks = size === 40 ? (compression === 3 ? 12 : compression === 6 ? 16 : 0) : 0;
  let paletteEntries = 0;
  if (bitCount <= 8) {
    if (colorsUsed > 2 ** bitCount) fail(`${where} declares ${colorsUsed} palette colours for ${bitCount} bits per pixel`);
    paletteEntries = colorsUsed || 2 ** bitCount;
  }
  return { width, height, bitCount, headersBytes: size + masks + paletteEntries * (core ? 3 : 4) };
}

/** Reads a whole DIB header, whose first 4 bytes give its size. */
function* readDibHeader(fmt: string, at: number, trunc: string): Walk<Buffer> {
  const sizeField = (yield read(4, trunc)).bytes;
  const size = sizeField.readUInt32LE(0);
  if (!headerSizes.has(size)) {
    fail(`${fmt}: DIB header at offset ${at} has unknown size ${size} (expected 12, 40, 52, 56, 108 or 124)`);
  }
  return Buffer.concat([sizeField, (yield read(size - 4, trunc)).bytes]);
}

/** Walks a BMP file that starts at absolute offset `start`. */
export function* walkBmp(start = 0): Walk {
  let pos = start;
  const file = (yield read(14, `bmp truncated in the file header at offset ${pos}`)).bytes;
  if (file.toString('latin1', 0, 2) !== 'BM') fail(`bmp: bad signature at offset ${pos} (expected "BM")`);
  const pixelOffset = file.readUInt32LE(10);
  pos += 14;
  const header = yield* readDibHeader('bmp', pos, `bmp truncated in the DIB header at offset ${pos}`);
  const dib = parseDib(header, 'bmp', pos);
  pos += header.length;

  const minOffset = start + 14 + dib.headersBytes;
  if (start + pixelOffset < minOffset) {
    fail(`bmp: pixel data offset ${pixelOffset} points inside the headers and palette (must be at least ${minOffset - start})`);
  }
  const pixelBytes = rowBytes(dib.width, dib.bitCount) * Math.abs(dib.height);
  const end = start + pixelOffset + pixelBytes;
  const dims = `${dib.width}×${Math.abs(dib.height)} at ${dib.bitCount} bits per pixel`;
  if (end - start > maxBmpEndBytes) fail(`bmp: pixel array (${dims}) would end past 4 GiB, beyond what a BMP can hold`);

  yield skip(start + pixelOffset - pos, `bmp truncated before the pixel array at offset ${start + pixelOffset}`);
  pos = start + pixelOffset;
  yield skip(pixelBytes, `bmp truncated in the pixel array (${dims}: ${pixelBytes} bytes from offset ${pos})`);
  return { width: dib.width, height: Math.abs(dib.height), end };
}

/**
 * Walks the DIB of an ICO entry starting at `start`: header, masks/palette, XOR pixels and the
 * 1-bit AND mask, both bottom-up over height / 2 rows. Returns the real (halved) height.
 */
export function* walkIcoDib(start: number, fmt: string): Walk {
  let pos = start;
  const header = yield* readDibHeader(fmt, pos, `${fmt} truncated in the DIB header at offset ${pos}`);
  const dib = parseDib(header, fmt, pos);
  if (dib.height < 0 || dib.height % 2 !== 0) {
    fail(`${fmt}: DIB header at offset ${start} has height ${dib.height} (must be positive and even: XOR + AND masks)`);
  }
  pos += header.length;
  const rows = dib.height / 2;
  const rest = dib.headersBytes - header.length + (rowBytes(dib.width, dib.bitCount) + rowBytes(dib.width, 1)) * rows;
  yield skip(rest, `${fmt} truncated in the DIB palette, pixels or mask (from offset ${pos})`);
  return { width: dib.width, height: rows, end: pos + rest };
}
