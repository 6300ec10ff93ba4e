import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createImageInspector, inspectImage, mimeOf, supportedFormats } from '../../../src/images/inspector.js';
import { maxReadBytes } from '../../../src/images/limits.js';
import { ImageInvalidError } from '../../../src/images/types.js';
import { expectedMime, makeImage, padTo } from '../../fixtures/images.js';
import { expectInvalid, inspectInChunks, inspectStreaming, invalidMessage, rejectionPoint } from '../../helpers/image-walkers.js';

describe('inspector: sniffing', () => {
  it('names the supported formats when the bytes are none of them', () => {
    for (const junk of ['hello world, this is text', '%PDF-1.7', 'II*\0tiff', '<svg xmlns="x"/>', '\0\0\0\x18ftypheic']) {
      expectInvalid(Buffer.from(junk, 'latin1'), /^not a supported image format \(png, jpeg, gif, bmp, webp, ico\)$/);
    }
  });

  it('rejects at the first byte that matches no magic number', () => {
    expect(rejectionPoint(Buffer.from('hello'))).toBe(0);
    expect(rejectionPoint(Buffer.from('GIF90a'))).toBe(3);
    expect(rejectionPoint(Buffer.from('RIFF\0\0\0\0WAVE'))).toBe(9);
    expect(rejectionPoint(Buffer.from([0xff, 0xd8, 0x00]))).toBe(2);
  });

  it('explains an empty or too short file', () => {
    expectInvalid(Buffer.alloc(0), /^the file is empty$/);
    expectInvalid(Buffer.from('GIF8'), /^image truncated in its format signature \(the file has only 4 bytes\)$/);
  });

  it('maps formats to their download Content-Type', () => {
    expect(Object.fromEntries(supportedFormats.map((f) => [f, mimeOf(f)]))).toEqual(expectedMime);
  });
});

describe('inspector: streaming', () => {
  it('streams a 10 MiB upload holding at most maxReadBytes between pushes', async () => {
    for (const format of supportedFormats) {
      const image = await makeImage(format, 640, 480);
      const buf = padTo(image, 10 * 1024 * 1024);
      const { info, maxHeld } = inspectStreaming(buf);
      expect(maxHeld).toBeLessThanOrEqual(maxReadBytes);
      expect(info).toMatchObject({ format, logicalEndBytes: image.length, totalBytes: buf.length });
    }
  });

  it('does the same work whatever the chunking, in bounded steps', async () => {
    for (const format of supportedFormats) {
      const buf = await makeImage(format, 320, 320);
      const whole = createImageInspector();
      whole.push(buf);
      const verdict = whole.end();
      expect(inspectInChunks(buf, 1)).toEqual(verdict);
      expect(inspectInChunks(buf, 4096)).toEqual(verdict);
      expect(whole.steps).toBeLessThanOrEqual(buf.length + 64);
    }
  });

  it('keeps failing with the same error after a rejection, and end() is repeatable', async () => {
    const inspector = createImageInspector();
    const first = invalidMessage(() => inspector.push(Buffer.from('nope')));
    expect(invalidMessage(() => inspector.push(Buffer.from('more')))).toBe(first);
    expect(invalidMessage(() => inspector.end())).toBe(first);
    const ok = createImageInspector();
    ok.push(await makeImage('png', 320, 320));
    expect(ok.end()).toEqual(ok.end());
  });

  it('throws only ImageInvalidError for a bad image', () => {
    expect(() => inspectImage(Buffer.from('x'))).toThrow(ImageInvalidError);
  });
});

describe('inspector: memory', () => {
  it('keeps no pushed chunk alive once push() returns, mid-image or after its end', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    for (const format of supportedFormats) {
      const image = await makeImage(format, 640, 480, { minBytes: 200_000 });
      const inspector = createImageInspector();
      const refs: Array<WeakRef<Buffer>> = [];
      const pushCopy = (from: number, to: number): void => {
        const chunk = Buffer.from(image.subarray(from, to)); // a fresh allocation only the inspector sees
        refs.push(new WeakRef(chunk));
        inspector.push(chunk);
      };
      const alive = async (): Promise<number> => {
        await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRef targets live until the job ends
        // Twice: a collection that finishes a marking cycle already under way keeps what was
        // allocated during it (V8's black allocation); the second one starts from scratch. A
        // chunk the inspector really holds survives any number of them. (One collection let a
        // chunk survive once in a clean-clone CI run.)
        gc();
        gc();
        return refs.filter((r) => r.deref() !== undefined).length;
      };
      // Stop in the middle of the image, where the walker is suspended inside a skip.
      for (let i = 0; i < 120_000; i += 10_000) pushCopy(i, i + 10_000);
      expect(await alive(), format).toBe(0);
      pushCopy(120_000, image.length);
      pushCopy(0, 1_000_000); // trailing data
      expect(await alive(), format).toBe(0);
      expect(inspector.end()).toMatchObject({ logicalEndBytes: image.length });
    }
  });
});
