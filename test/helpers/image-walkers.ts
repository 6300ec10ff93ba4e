/** Assertions about the image walkers' verdicts, shared by the walker tests. */
import { expect, it } from 'vitest';
import { createImageInspector, inspectImage } from '../../src/images/inspector.js';
import { ImageInvalidError, type ImageFormatId, type ImageInfo } from '../../src/images/types.js';
import { expectedMime, makeImage } from '../fixtures/images.js';

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

/** Feeds `buf` in 64 KiB pushes, as an upload arrives; the verdict and the most bytes held between pushes. */
export function inspectStreaming(buf: Buffer, chunkBytes = 65_536): { info: ImageInfo; maxHeld: number } {
  const inspector = createImageInspector();
  let maxHeld = 0;
  for (let i = 0; i < buf.length; i += chunkBytes) {
    inspector.push(buf.subarray(i, i + chunkBytes));
    maxHeld = Math.max(maxHeld, inspector.heldBytes);
  }
  return { info: inspector.end(), maxHeld };
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

/** One test per size: the fixture of that size is read with exactly its dimensions, MIME type and length. */
export function itReadsEachSize(format: ImageFormatId, sizes: ReadonlyArray<readonly [number, number]>): void {
  for (const [w, h] of sizes) {
    it(`reads ${w}×${h}`, async () => {
      const buf = await makeImage(format, w, h);
      expect(inspectImage(buf)).toEqual({ format, mime: expectedMime[format], width: w, height: h, logicalEndBytes: buf.length, totalBytes: buf.length });
    });
  }
}
