import { describe, expect, it } from 'vitest';
import { createImageInspector, inspectImage } from '../../../src/images/inspector.js';
import { makeBmp, padTo } from '../../fixtures/images.js';
import { bmp } from '../../fixtures/image-builders.js';
import { patched } from '../../helpers/bytes.js';
import { expectEveryPrefixTruncated, expectInvalid, expectSameAtEverySplit, invalidMessage, itReadsEachSize } from '../../helpers/image-walkers.js';

describe('bmp walker: valid files', () => {
  itReadsEachSize('bmp', [
    [320, 320],
    [4096, 320],
    [320, 4096],
    [16, 16],
    [321, 123],
  ]);

  it('accepts a negative height (top-down rows) and reports it positive', () => {
    const buf = makeBmp(33, 17, { bits: 32, topDown: true });
    expect(buf.readInt32LE(22)).toBe(-17);
    expect(inspectImage(buf)).toMatchObject({ width: 33, height: 17, logicalEndBytes: buf.length });
    expect(inspectImage(bmp({ width: 5, height: -3 }))).toMatchObject({ width: 5, height: 3 });
  });

  it('accepts every DIB header size, bit count and palette size', () => {
    for (const headerSize of [12, 40, 52, 56, 108, 124]) {
      for (const bits of [1, 4, 8, 16, 24, 32]) {
        const buf = bmp({ headerSize, width: 7, height: 3, bits });
        expect(inspectImage(buf)).toMatchObject({ width: 7, height: 3, logicalEndBytes: buf.length });
      }
    }
    expect(inspectImage(bmp({ width: 9, height: 2, bits: 8, colorsUsed: 3 }))).toMatchObject({ width: 9 });
  });

  it('accepts BITFIELDS and ALPHABITFIELDS at 16 and 32 bits, with masks after a 40-byte header', () => {
    for (const compression of [3, 6]) {
      for (const headerSize of [40, 56, 108, 124]) {
        for (const bits of [16, 32]) {
          expect(inspectImage(bmp({ headerSize, width: 6, height: 6, bits, compression }))).toMatchObject({ width: 6 });
        }
      }
    }
  });

  it('ends at the pixel array, whatever the file size field says; the rest is trailing data', () => {
    const buf = bmp({ width: 10, height: 10, offset: 200 });
    const lying = patched(buf, 2, [0xff, 0xff, 0xff, 0x7f]);
    expect(inspectImage(padTo(lying, buf.length + 50))).toMatchObject({ logicalEndBytes: buf.length, totalBytes: buf.length + 50 });
  });

  it('gives the same verdict at every split point and with 1-byte chunks', () => {
    expectSameAtEverySplit(makeBmp(7, 5));
    expectSameAtEverySplit(bmp({ width: 3, height: -2, bits: 4 }));
  });
});

describe('bmp walker: truncation', () => {
  it('rejects every prefix of a small image as truncated', () => {
    expectEveryPrefixTruncated(makeBmp(7, 5));
    expectEveryPrefixTruncated(bmp({ headerSize: 12, width: 3, height: 2, bits: 1 }));
  });

  it('checks the pixel array against the real size only at end(): push never fails on it', () => {
    const buf = makeBmp(64, 64);
    const inspector = createImageInspector();
    inspector.push(buf.subarray(0, 1000));
    const message = invalidMessage(() => inspector.end());
    expect(message).toBe('bmp truncated in the pixel array (64×64 at 24 bits per pixel: 12288 bytes from offset 54) (the file ends after 1000 bytes)');
  });

  it('rejects a pixel offset past the end of the file', () => {
    expectInvalid(bmp({ width: 4, height: 4, offset: 100_000 }).subarray(0, 60), /^bmp truncated before the pixel array at offset 100000/);
  });
});

describe('bmp walker: corruption', () => {
  it('rejects odd bit depths, planes other than 1 and unknown header sizes', () => {
    for (const bits of [0, 2, 3, 7, 12, 15, 48, 64]) {
      expectInvalid(bmp({ width: 4, height: 4, bits, pixelBytes: 16 }), new RegExp(`has ${bits} bits per pixel \\(must be 1, 4, 8, 16, 24 or 32\\)`));
    }
    expectInvalid(bmp({ width: 4, height: 4, planes: 2 }), /has 2 colour planes \(must be 1\)/);
    expectInvalid(patched(bmp({ width: 4, height: 4 }), 14, [64]), /DIB header at offset 14 has unknown size 64/);
  });

  it('rejects zero or negative widths and a zero height', () => {
    expectInvalid(bmp({ width: 0, height: 4 }), /has width 0 \(must be positive\)/);
    expectInvalid(bmp({ width: -4, height: 4, pixelBytes: 0 }), /has width -4/);
    expectInvalid(bmp({ width: 4, height: 0 }), /has height 0/);
  });

  it('rejects compressions it cannot size, with a clear reason', () => {
    expectInvalid(bmp({ width: 4, height: 4, bits: 8, compression: 1, pixelBytes: 4 }), /uses RLE8 compression, which is not supported/);
    expectInvalid(bmp({ width: 4, height: 4, bits: 4, compression: 2, pixelBytes: 4 }), /uses RLE4 compression/);
    expectInvalid(bmp({ width: 4, height: 4, bits: 24, compression: 4, pixelBytes: 4 }), /uses JPEG compression/);
    expectInvalid(bmp({ width: 4, height: 4, bits: 24, compression: 5, pixelBytes: 4 }), /uses PNG compression/);
    expectInvalid(bmp({ width: 4, height: 4, compression: 9 }), /unknown compression 9/);
    expectInvalid(bmp({ width: 4, height: 4, bits: 24, compression: 3 }), /bit-field compression with 24 bits per pixel/);
  });

  it('rejects pixel data overlapping the headers or palette, and oversized palettes', () => {
    expectInvalid(bmp({ width: 4, height: 4, offset: 40 }), /pixel data offset 40 points inside the headers and palette \(must be at least 54\)/);
    expectInvalid(bmp({ width: 4, height: 4, bits: 8, offset: 54 }), /must be at least 1078/);
    expectInvalid(bmp({ width: 4, height: 4, bits: 1, colorsUsed: 3 }), /declares 3 palette colours for 1 bits per pixel/);
  });

  it('rejects a 65535×65535 24-bit header at once (over 4 GiB), a 1-bit one when the data is missing', () => {
    const bomb = bmp({ width: 65535, height: 65535, pixelBytes: 100 });
    expectInvalid(bomb, /pixel array \(65535×65535 at 24 bits per pixel\) would end past 4 GiB/);
    expectInvalid(bmp({ width: 65535, height: -65535, bits: 1, pixelBytes: 100 }), /^bmp truncated in the pixel array/);
  });
});
