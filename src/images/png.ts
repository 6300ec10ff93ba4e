/**
 * PNG walker: signature, then chunks (length, type, data, CRC-32) from IHDR to IEND.
 *
 * CRC choice: the CRC-32 of every chunk, critical or ancillary, is enforced. It costs one pass of
 * zlib.crc32 over bytes we see anyway, and a mismatch means the file was damaged in transit,
 * which is exactly what upload validation should catch (libpng errors on critical-chunk CRCs).
 */
import { crc32 } from 'node:zlib';
import { fail, read, skip, type Walk } from './byte-feeder.js';
import { maxPngChunks } from './limits.js';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const maxChunkLength = 0x7fff_ffff; // the spec caps chunk lengths (and dimensions) at 2^31 − 1

/** Legal bit depths per colour type (PNG spec, table 11.1). */
const legalBitDepths: ReadonlyMap<number, readonly number[]> = new Map([
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]],
]);

function isAsciiLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

interface Ihdr {
  width: number;
  height: number;
  colourType: number;
}

function parseIhdr(d: Buffer, at: number): Ihdr {
  const width = d.readUInt32BE(0);
  const height = d.readUInt32BE(4);
  const bitDepth = d.readUInt8(8);
  const colourType = d.readUInt8(9);
  const compression = d.readUInt8(10);
  const filter = d.readUInt8(11);
  const interlace = d.readUInt8(12);
  if (width === 0 || width > maxChunkLength) fail(`png: IHDR at offset ${at} has width ${width} (must be 1..2^31 − 1)`);
  if (height === 0 || height > maxChunkLength) fail(`png: IHDR at offset ${at} has height ${height} (must be 1..2^31 − 1)`);
  const depths = legalBitDepths.get(colourType);
  if (!depths) fail(`png: IHDR at offset ${at} has unknown colour type ${colourType}`);
  if (!depths.includes(bitDepth)) {
    fail(`png: IHDR at offset ${at} has bit depth ${bitDepth}, not allowed with colour type ${colourType}`);
  }
  if (compression !== 0) fail(`png: IHDR at offset ${at} has unknown compression method ${compression}`);
  if (filter !== 0) fail(`png: IHDR at offset ${at} has unknown filter method ${filter}`);
  if (interlace !== 0 && interlace !== 1) fail(`png: IHDR at offset ${at} has unknown interlace method ${interlace}`);
  return { width, height, colourType };
}

/** Walks a PNG that starts at absolute offset `start` (0 for a file, the entry offset inside an ICO). */
export function* walkPng(start = 0): Walk {
  let pos = start;
  const sig = (yield read(8, `png truncated in the signature at offset ${pos}`)).bytes;
  if (!sig.equals(PNG_SIGNATURE)) fail(`png: bad signature at offset ${pos}`);
  pos += 8;

  let ihdr: Ihdr | undefined;
  let sawPlte = false;
  let idat: 'none' | 'in' | 'after' = 'none'; // IDAT chunks must be consecutive
  for (let chunks = 1; ; chunks++) {
    if (chunks > maxPngChunks) fail(`png: more than ${maxPngChunks} chunks (limit)`);
    const at = pos;
    const header = (yield read(8, `png truncated in the chunk header at offset ${at}`)).bytes;
    const length = header.readUInt32BE(0);
    const typeBytes = header.subarray(4, 8);
    if (!typeBytes.every(isAsciiLetter)) {
      fail(`png: chunk at offset ${at} has an invalid type (0x${typeBytes.toString('hex')}, not 4 ASCII letters)`);
    }
    const type = typeBytes.toString('latin1');
    let crc = crc32(typeBytes); // the CRC covers type + data
    if (length > maxChunkLength) fail(`png: chunk ${type} at offset ${at} declares length ${length} (over 2^31 − 1)`);
    if (!ihdr && type !== 'IHDR') fail(`png: first chunk is ${type} at offset ${at}, expected IHDR`);
    pos += 8;

    if (type === 'IHDR') {
      if (ihdr) fail(`png: second IHDR chunk at offset ${at}`);
      if (length !== 13) fail(`png: IHDR chunk at offset ${at} has length ${length}, expected 13`);
      const data = (yield read(13, `png truncated in IHDR chunk at offset ${at}`)).bytes;
      crc = crc32(data, crc);
      ihdr = parseIhdr(data, at);
    } else {
      if (type === 'IDAT') {
        if (idat === 'after') fail(`png: IDAT chunk at offset ${at} after other chunks (IDAT chunks must be consecutive)`);
        if (ihdr?.colourType === 3 && !sawPlte) fail(`png: palette image has no PLTE chunk before IDAT at offset ${at}`);
        idat = 'in';
      } else if (idat === 'in') {
        idat = 'after';
      }
      if (type === 'PLTE') {
        if (idat !== 'none') fail(`png: PLTE chunk at offset ${at} comes after IDAT`);
        if (sawPlte) fail(`png: second PLTE chunk at offset ${at}`);
        sawPlte = true;
      }
      if (type === 'IEND' && length !== 0) fail(`png: IEND chunk at offset ${at} has length ${length}, expected 0`);
      if (type === 'IEND' && idat === 'none') fail(`png: IEND at offset ${at} before any IDAT chunk (no image data)`);
      crc = (yield skip(length, `png truncated in ${type} chunk at offset ${at}`, crc)).crc;
    }
    pos += length;

    const stored = (yield read(4, `png truncated in the CRC of ${type} chunk at offset ${at}`)).bytes.readUInt32BE(0);
    pos += 4;
    if (stored !== crc >>> 0) fail(`png: chunk ${type} at offset ${at} has a bad CRC`);
    if (type === 'IEND' && ihdr) return { width: ihdr.width, height: ihdr.height, end: pos };
  }
}
