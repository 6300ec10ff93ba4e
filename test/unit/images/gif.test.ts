import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../../src/images/inspector.js';
import { maxGifFrames } from '../../../src/images/limits.js';
import { makeImage, padTo } from '../../fixtures/images.js';
import { comment, gce, gif, gifFrame, gifHeader } from '../../fixtures/image-builders.js';
import { expectEveryPrefixTruncated, expectInvalid, expectSameAtEverySplit, itReadsEachSize, rejectionPoint } from '../../helpers/image-walkers.js';

describe('gif walker: valid files', () => {
  itReadsEachSize('gif', [
    [320, 320],
    [4096, 320],
    [320, 4096],
    [16, 16],
    [333, 555],
  ]);

  it('walks colour tables, extensions and several frames of GIF87a and GIF89a', () => {
    const buf = gif(gifHeader(20, 10, 7), comment, gce, gifFrame(5, 5, 3), gce, gifFrame(20, 10), gifFrame(1, 1, 0));
    expect(inspectImage(buf)).toMatchObject({ width: 20, height: 10, logicalEndBytes: buf.length });
    expect(inspectImage(gif(gifHeader(3, 4, -1, 'GIF87a'), gifFrame()))).toMatchObject({ width: 3, height: 4 });
  });

  it('accepts a 65535×65535 logical screen (dims are judged later) and trailing data (GIFAR)', async () => {
    expect(inspectImage(gif(gifHeader(65535, 65535), gifFrame()))).toMatchObject({ width: 65535, height: 65535 });
    const buf = await makeImage('gif', 320, 320);
    const gifar = Buffer.concat([buf, Buffer.from('PK\x03\x04META-INF/MANIFEST.MF', 'latin1')]);
    expect(inspectImage(gifar)).toMatchObject({ logicalEndBytes: buf.length, totalBytes: gifar.length });
    expect(inspectImage(padTo(buf, 5000))).toMatchObject({ logicalEndBytes: buf.length });
  });

  it('accepts exactly the frame limit and rejects one more', () => {
    const f = gifFrame();
    expect(inspectImage(gif(gifHeader(1, 1), ...Array.from({ length: maxGifFrames }, () => f)))).toMatchObject({ width: 1 });
    expectInvalid(gif(gifHeader(1, 1), ...Array.from({ length: maxGifFrames + 1 }, () => f)), new RegExp(`more than ${maxGifFrames} frames`));
  });

  it('gives the same verdict at every split point and with 1-byte chunks', async () => {
    expectSameAtEverySplit(await makeImage('gif', 7, 5, { minBytes: 0 }));
    expectSameAtEverySplit(gif(gifHeader(20, 10, 1), comment, gce, gifFrame(5, 5, 1), gifFrame()));
  });
});

describe('gif walker: truncation', () => {
  it('rejects every prefix of a small image as truncated', async () => {
    expectEveryPrefixTruncated(await makeImage('gif', 7, 5, { minBytes: 0 }));
    expectEveryPrefixTruncated(gif(gifHeader(20, 10, 1), comment, gce, gifFrame(5, 5, 1)));
  });

  it('says where', async () => {
    const buf = await makeImage('gif', 320, 320);
    expectInvalid(buf.subarray(0, buf.length - 1), /^gif truncated: expected a block or the trailer at offset \d+/);
    expectInvalid(buf.subarray(0, 100), /^gif truncated in the (global colour table|data sub-blocks)/);
    expectInvalid(buf.subarray(0, 10), /^gif truncated in the header and logical screen descriptor at offset 0/);
    expectInvalid(gif(gifHeader(2, 2), gifFrame(1, 1, 4)).subarray(0, 30), /^gif truncated in the local colour table of frame 1/);
  });
});

describe('gif walker: corruption', () => {
  it('rejects a zero-size logical screen as soon as it is read', () => {
    expectInvalid(gif(gifHeader(0, 0), gifFrame()), /^gif: logical screen is 0×0 \(both dimensions must be at least 1\)$/);
    expectInvalid(gif(gifHeader(0, 7), gifFrame()), /logical screen is 0×7/);
    expectInvalid(gif(gifHeader(7, 0), gifFrame()), /logical screen is 7×0/);
    expect(rejectionPoint(gif(gifHeader(0, 0), gifFrame()))).toBe(12);
  });

  it('rejects unknown blocks, a missing image and bad LZW code sizes', () => {
    expectInvalid(
      gif(gifHeader(1, 1), gifFrame(), Buffer.from([0x00])),
      /unexpected byte 0x00 at offset \d+ \(expected an image, an extension or the trailer\)/,
    );
    expectInvalid(gif(gifHeader(1, 1), comment), /trailer at offset \d+ before any image/);
    expectInvalid(gif(gifHeader(1, 1), gifFrame(1, 1, -1, 12)), /LZW minimum code size 12/);
    expectInvalid(Buffer.concat([Buffer.from('GIF88a'), Buffer.alloc(20)]), /^not a supported image format/);
  });
});
