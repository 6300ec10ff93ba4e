/**
 * WebP walker: the RIFF header, then every chunk (FourCC, size, payload, pad byte to even length)
 * up to the end the RIFF size declares. Dimensions come from the first chunk: VP8 (lossy), VP8L
 * (lossless) or VP8X (extended; the canvas size, and the file must then carry image data too).
 */
import { fail, read, skip, type Walk } from './byte-feeder.js';
import { maxWebpChunks } from './limits.js';

interface Dims {
  width: number;
  height: number;
}

function vp8Dims(p: Buffer, at: number): Dims {
  // Frame tag (3 bytes; bit 0 clear = key frame), start code 9D 01 2A, then 14-bit dimensions.
  if ((p.readUInt8(0) & 1) !== 0) fail(`webp: VP8 chunk at offset ${at} does not start with a key frame`);
  if (p.readUInt8(3) !== 0x9d || p.readUInt8(4) !== 0x01 || p.readUInt8(5) !== 0x2a) {
    fail(`webp: VP8 chunk at offset ${at} has a bad start code`);
  }
  return { width: p.readUInt16LE(6) & 0x3fff, height: p.readUInt16LE(8) & 0x3fff };
}

function vp8lDims(p: Buffer, at: number): Dims {
  // Signature 2F, then (little-endian bits) width − 1 (14), height − 1 (14), alpha (1), version (3).
  if (p.readUInt8(0) !== 0x2f) fail(`webp: VP8L chunk at offset ${at} has a bad signature byte`);
  const bits = p.readUInt32LE(1);
  if (bits >>> 29 !== 0) fail(`webp: VP8L chunk at offset ${at} has unknown version ${bits >>> 29}`);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}

function vp8xDims(p: Buffer, at: number): Dims {
  // Flags (1), reserved (3), canvas width − 1 (3, LE), canvas height − 1 (3, LE).
  const width = p.readUIntLE(4, 3) + 1;
  const height = p.readUIntLE(7, 3) + 1;
  if (width * height > 2 ** 32 - 1) fail(`webp: VP8X canvas at offset ${at} is ${width}×${height}, over 2^32 − 1 pixels`);
  return { width, height };
}

/** The chunks that can open a WebP, with the payload bytes needed to read their dimensions. */
const imageChunks: ReadonlyMap<string, { headerBytes: number; parse: (p: Buffer, at: number) => Dims }> = new Map([
  ['VP8 ', { headerBytes: 10, parse: vp8Dims }],
  ['VP8L', { headerBytes: 5, parse: vp8lDims }],
  ['VP8X', { headerBytes: 10, parse: vp8xDims }],
]);

/** Walks a WebP file that starts at absolute offset `start`. */
export function* walkWebp(start = 0): Walk {
  let pos = start;
  const riff = (yield read(12, `webp truncated in the RIFF header at offset ${pos}`)).bytes;
  if (riff.toString('latin1', 0, 4) !== 'RIFF' || riff.toString('latin1', 8, 12) !== 'WEBP') {
    fail(`webp: bad RIFF/WEBP signature at offset ${pos}`);
  }
  const riffSize = riff.readUInt32LE(4);
  const end = start + 8 + riffSize;
  if (riffSize < 4 + 8) fail(`webp: RIFF size ${riffSize} is too small to hold any chunk`);
  pos += 12;

  let dims: Dims | undefined;
  let sawImageData = false;
  for (let chunks = 1; pos < end; chunks++) {
    if (chunks > maxWebpChunks) fail(`webp: more than ${maxWebpChunks} chunks (limit)`);
    const at = pos;
    const truncHere = `webp truncated in the chunk header at offset ${at} (the RIFF header declares ${riffSize + 8} bytes)`;
    if (end - pos < 8) fail(`webp: ${end - pos} bytes left at offset ${at} before the RIFF end, too few for a chunk header`);
    const header = (yield read(8, truncHere)).bytes;
    const fourcc = header.toString('latin1', 0, 4);
    const size = header.readUInt32LE(4);
    const name = JSON.stringify(fourcc);
    pos += 8;
    // The pad byte of an odd-sized last chunk is tolerated missing when the RIFF size excludes it.
    const padded = size + (size & 1);
    if (pos + size > end) {
      fail(`webp: chunk ${name} at offset ${at} (${size} bytes) runs past the RIFF end at offset ${end}`);
    }
    const next = Math.min(pos + padded, end);
    let headerRead = 0;

    if (chunks === 1) {
      const image = imageChunks.get(fourcc);
      if (!image) fail(`webp: first chunk is ${name} at offset ${at}, expected "VP8 ", "VP8L" or "VP8X"`);
      if (size < image.headerBytes) fail(`webp: ${name} chunk at offset ${at} has size ${size}, too small for its header`);
      const payload = (yield read(image.headerBytes, `webp truncated in the ${name} chunk at offset ${at}`)).bytes;
      dims = image.parse(payload, at);
      if (dims.width === 0 || dims.height === 0) fail(`webp: ${name} chunk at offset ${at} gives ${dims.width}×${dims.height}`);
      headerRead = image.headerBytes;
      sawImageData = fourcc !== 'VP8X';
    } else if (fourcc === 'VP8X') {
      fail(`webp: second VP8X chunk at offset ${at}`);
    } else if (fourcc === 'VP8 ' || fourcc === 'VP8L' || fourcc === 'ANMF') {
      sawImageData = true;
    }
    const rest = next - pos - headerRead;
    yield skip(rest, `webp truncated in the ${name} chunk at offset ${at} (the RIFF header declares ${riffSize + 8} bytes)`);
    pos = next;
  }
  if (!sawImageData || !dims) fail(`webp: extended file has no image data (no VP8, VP8L or ANMF chunk)`);
  return { width: dims.width, height: dims.height, end };
}
