import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../../src/images/inspector.js';
import { makeImage, noisyRgb, padTo } from '../../fixtures/images.js';
import { riff, riffChunk, vp8, vp8l, vp8x } from '../../fixtures/image-builders.js';
import { patched, u32le } from '../../helpers/bytes.js';
import { expectEveryPrefixTruncated, expectInvalid, expectSameAtEverySplit, itReadsEachSize } from '../../helpers/image-walkers.js';

describe('webp walker: valid files', () => {
  itReadsEachSize('webp', [
    [320, 320],
    [4096, 320],
    [320, 4096],
    [16, 16],
    [555, 333],
  ]);

  it('reads lossy (VP8), lossless (VP8L) and extended (VP8X + ALPH) files from sharp', async () => {
    const img = noisyRgb(401, 301, 5000, 3);
    const raw = { raw: { width: 401, height: 301, channels: 3 as const } };
    const lossless = await sharp(img.rgb, raw).webp({ lossless: true }).toBuffer();
    expect(lossless.toString('latin1', 12, 16)).toBe('VP8L');
    const alpha = await sharp(img.rgb, raw).ensureAlpha(0.5).webp().toBuffer();
    expect(alpha.toString('latin1', 12, 16)).toBe('VP8X');
    for (const buf of [lossless, alpha]) expect(inspectImage(buf)).toMatchObject({ width: 401, height: 301, logicalEndBytes: buf.length });
  });

  it('walks chunks with pad bytes, unknown chunks and animation frames; dims are the canvas', () => {
    const anim = riff([vp8x(300, 200, 0x02), riffChunk('ANIM', Buffer.alloc(6)), riffChunk('ANMF', Buffer.alloc(33)), riffChunk('ANMF', Buffer.alloc(17))]);
    expect(inspectImage(anim)).toMatchObject({ width: 300, height: 200, logicalEndBytes: anim.length });
    const odd = riff([vp8x(7, 9), riffChunk('ICCP', Buffer.alloc(3)), vp8l(7, 9), riffChunk('EXIF', [1])]);
    expect(inspectImage(odd)).toMatchObject({ width: 7, height: 9, logicalEndBytes: odd.length });
    expect(inspectImage(riff([vp8(16383, 16383)]))).toMatchObject({ width: 16383, height: 16383 });
  });

  it('accepts bomb canvases the format allows (dims are judged later)', () => {
    expect(inspectImage(riff([vp8x(65535, 65535), vp8l(1, 1)]))).toMatchObject({ width: 65535, height: 65535 });
    expect(inspectImage(riff([vp8l(16384, 16384)]))).toMatchObject({ width: 16384, height: 16384 });
  });

  it('ends where the RIFF size says: anything after is trailing data', async () => {
    const buf = await makeImage('webp', 320, 320);
    expect(inspectImage(padTo(buf, buf.length + 999))).toMatchObject({ logicalEndBytes: buf.length, totalBytes: buf.length + 999 });
  });

  it('gives the same verdict at every split point and with 1-byte chunks', async () => {
    expectSameAtEverySplit(await makeImage('webp', 7, 5, { minBytes: 0 }));
    expectSameAtEverySplit(riff([vp8x(7, 9), riffChunk('ICCP', Buffer.alloc(3)), vp8l(7, 9)]));
  });
});

describe('webp walker: truncation', () => {
  it('rejects every prefix of a small image as truncated', async () => {
    expectEveryPrefixTruncated(await makeImage('webp', 7, 5, { minBytes: 0 }));
    expectEveryPrefixTruncated(riff([vp8x(7, 9), riffChunk('ICCP', Buffer.alloc(3)), vp8l(7, 9)]));
  });

  it('rejects a RIFF size larger than the file', async () => {
    const buf = await makeImage('webp', 320, 320);
    const lying = patched(buf, 4, u32le(buf.length)); // 8 bytes more than present
    expectInvalid(
      lying,
      new RegExp(`^webp truncated in the .* \\(the RIFF header declares ${buf.length + 8} bytes\\) \\(the file ends after ${buf.length} bytes\\)$`),
    );
    expectInvalid(riff([vp8l(5, 5)], 0xffff_fff0), /^webp truncated/);
  });
});

describe('webp walker: corruption', () => {
  it('rejects chunks that overrun the RIFF size', () => {
    expectInvalid(riff([vp8l(5, 5)], 12), /chunk "VP8L" at offset 12 \(8 bytes\) runs past the RIFF end at offset 20/);
    expectInvalid(riff([vp8l(5, 5), Buffer.from('XY')]), /2 bytes left at offset 28 before the RIFF end, too few for a chunk header/);
    expectInvalid(riff([vp8l(5, 5)], 2), /RIFF size 2 is too small/);
  });

  it('requires an image chunk first, and image data in extended files', () => {
    expectInvalid(riff([riffChunk('ALPH', [1, 2]), vp8l(5, 5)]), /first chunk is "ALPH" at offset 12, expected "VP8 ", "VP8L" or "VP8X"/);
    expectInvalid(riff([vp8x(5, 5), riffChunk('EXIF', [1, 2])]), /extended file has no image data/);
    expectInvalid(riff([vp8x(5, 5), vp8x(5, 5), vp8l(5, 5)]), /second VP8X chunk/);
  });

  it('checks the VP8, VP8L and VP8X headers', () => {
    expectInvalid(riff([riffChunk('VP8 ', [0x31, 1, 0, 0x9d, 1, 0x2a, 5, 0, 5, 0])]), /does not start with a key frame/);
    expectInvalid(riff([riffChunk('VP8 ', [0x30, 1, 0, 0x9d, 1, 0x2b, 5, 0, 5, 0])]), /VP8 chunk at offset 12 has a bad start code/);
    expectInvalid(riff([vp8(0, 5)]), /"VP8 " chunk at offset 12 gives 0×5/);
    expectInvalid(riff([riffChunk('VP8 ', [0x30, 1, 0])]), /"VP8 " chunk at offset 12 has size 3, too small for its header/);
    expectInvalid(riff([riffChunk('VP8L', [0x2e, 0, 0, 0, 0])]), /VP8L chunk at offset 12 has a bad signature byte/);
    expectInvalid(riff([vp8l(5, 5, 1)]), /unknown version 1/);
    expectInvalid(riff([vp8x(2 ** 24, 2 ** 24), vp8l(1, 1)]), /canvas at offset 12 is 16777216×16777216, over 2\^32 − 1 pixels/);
  });

  it('rejects RIFF files that are not WebP', () => {
    expectInvalid(Buffer.concat([Buffer.from('RIFF'), u32le(100), Buffer.from('WAVEfmt ')]), /^not a supported image format/);
  });
});
