/**
 * GIF walker: header, logical screen descriptor, optional global colour table, then image
 * descriptors and extensions (each followed by data sub-blocks) up to the 3B trailer.
 */
import { fail, read, skip, type Walk } from './byte-feeder.js';
import { maxGifBlocks, maxGifFrames } from './limits.js';

const IMAGE = 0x2c;
const EXTENSION = 0x21;
const TRAILER = 0x3b;

/** A packed byte's colour table: present when bit 7 is set, 3 · 2^(N+1) bytes for N = bits 0–2. */
function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
}

/** Walks a GIF that starts at absolute offset `start`. */
export function* walkGif(start = 0): Walk {
  let pos = start;
  const head = (yield read(13, `gif truncated in the header and logical screen descriptor at offset ${pos}`)).bytes;
  const version = head.toString('latin1', 0, 6);
  if (version !== 'GIF87a' && version !== 'GIF89a') fail(`gif: bad signature at offset ${pos} (expected GIF87a or GIF89a)`);
  const width = head.readUInt16LE(6);
  const height = head.readUInt16LE(8);
  const globalTable = colourTableBytes(head.readUInt8(10));
  if (width === 0 || height === 0) fail(`gif: logical screen is ${width}×${height} (both dimensions must be at least 1)`);
  pos += 13;
  yield skip(globalTable, `gif truncated in the global colour table at offset ${pos}`);
  pos += globalTable;

  let frames = 0;
  for (let blocks = 1; ; blocks++) {
    if (blocks > maxGifBlocks) fail(`gif: more than ${maxGifBlocks} blocks (limit)`);
    const at = pos;
    const kind = (yield read(1, `gif truncated: expected a block or the trailer at offset ${at}`)).bytes.readUInt8(0);
    pos += 1;
    let label: string;
    if (kind === TRAILER) {
      if (frames === 0) fail(`gif: trailer at offset ${at} before any image (no image data)`);
      return { width, height, end: pos };
    } else if (kind === IMAGE) {
      if (++frames > maxGifFrames) fail(`gif: more than ${maxGifFrames} frames (limit)`);
      label = `image descriptor of frame ${frames} at offset ${at}`;
      const d = (yield read(9, `gif truncated in the ${label}`)).bytes; // left, top, width, height, packed
      const localTable = colourTableBytes(d.readUInt8(8));
      pos += 9;
      yield skip(localTable, `gif truncated in the local colour table of frame ${frames} at offset ${pos}`);
      pos += localTable;
      const lzw = (yield read(1, `gif truncated in the LZW code size of frame ${frames} at offset ${pos}`)).bytes.readUInt8(0);
      pos += 1;
      if (lzw > 11) fail(`gif: frame ${frames} at offset ${at} has LZW minimum code size ${lzw} (codes are at most 12 bits)`);
    } else if (kind === EXTENSION) {
      const code = (yield read(1, `gif truncated in the extension at offset ${at}`)).bytes.readUInt8(0);
      pos += 1;
      label = `extension 0x${code.toString(16).padStart(2, '0')} at offset ${at}`;
    } else {
      fail(`gif: unexpected byte 0x${kind.toString(16).padStart(2, '0')} at offset ${at} (expected an image, an extension or the trailer)`);
    }
    const data = yield { op: 'skipGifSubBlocks', trunc: `gif truncated in the data sub-blocks of the ${label}` };
    pos += data.consumed;
  }
}
