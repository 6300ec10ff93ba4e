/** Shared helpers for the walker tests. */
import { crc32 } from 'node:zlib';
import { expect } from 'vitest';
import { createImageInspector, inspectImage } from '../../src/images/inspector.js';
import { ImageInvalidError, type ImageInfo } from '../../src/images/types.js';

/** Feeds `buf` cut at the given offsets (ascending) and returns the verdict. */
export function inspectSplit(buf: Buffer, cuts: number[]): ImageInfo {
  const inspector = createImageInspector();
  let from = 0;
  for (const cut of [...cuts, buf.length]) {
    inspector.push(buf.subarray(from, cut));
    from = cut;
  }
  return inspector.end();
}

/** Feeds `buf` in chunks of `size` bytes. */
export function inspectInChunks(buf: Buffer, size: number): ImageInfo {
  const cuts: number[] = [];
  for (let i = size; i < buf.length; i += size) cuts.push(i);
  return inspectSplit(buf, cuts);
}

/** The ImageInvalidError message `fn` throws; fails the test if it throws anything else or nothing. */
export function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ImageInvalidError);
    return (err as ImageInvalidError).message;
  }
  expect.unreachable('expected an ImageInvalidError, but the image was accepted');
}

export function expectInvalid(buf: Buffer, pattern: RegExp): string {
  const message = invalidMessage(() => inspectImage(buf));
  expect(message).toMatch(pattern);
  return message;
}

/** Every strict prefix shorter than the logical end must be rejected as truncated. */
export function expectEveryPrefixTruncated(buf: Buffer, logicalEnd = buf.length): void {
  for (let n = 0; n < logicalEnd; n++) {
    const message = invalidMessage(() => inspectImage(buf.subarray(0, n)));
    if (!/truncated|empty/.test(message)) expect.unreachable(`prefix of ${n} bytes: ${message}`);
  }
}

/** Cutting the input in two at any point, or into 1-byte chunks, gives the whole-buffer verdict. */
export function expectSameAtEverySplit(buf: Buffer): void {
  const whole = inspectImage(buf);
  for (let cut = 0; cut <= buf.length; cut++) {
    expect(inspectSplit(buf, [cut])).toEqual(whole);
  }
  expect(inspectInChunks(buf, 1)).toEqual(whole);
  expect(inspectInChunks(buf, 7)).toEqual(whole);
}

/** Index of the byte at which pushing stops being accepted (the chunk that made push() throw). */
export function rejectionPoint(buf: Buffer): number {
  const inspector = createImageInspector();
  for (let i = 0; i < buf.length; i++) {
    try {
      inspector.push(buf.subarray(i, i + 1));
    } catch (err) {
      expect(err).toBeInstanceOf(ImageInvalidError);
      return i;
    }
  }
  return buf.length;
}

/** A copy of `buf` with `bytes` written at `offset`. */
export function patched(buf: Buffer, offset: number, bytes: number[] | Buffer): Buffer {
  const out = Buffer.from(buf);
  Buffer.from(bytes).copy(out, offset);
  return out;
}

export function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export function u16le(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

/** Offsets of each PNG chunk: [offset, type, length]. */
export function pngChunks(buf: Buffer): Array<{ offset: number; type: string; length: number }> {
  const out: Array<{ offset: number; type: string; length: number }> = [];
  for (let p = 8; p + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    out.push({ offset: p, type, length });
    p += 12 + length;
    if (type === 'IEND') break;
  }
  return out;
}

/** Recomputes the CRC of the PNG chunk at `offset` (after a deliberate edit of its data). */
export function fixPngCrc(buf: Buffer, offset: number): Buffer {
  const length = buf.readUInt32BE(offset);
  const crc = crc32(buf.subarray(offset + 4, offset + 8 + length)) >>> 0;
  const out = Buffer.from(buf);
  out.writeUInt32BE(crc, offset + 8 + length);
  return out;
}
