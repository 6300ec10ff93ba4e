import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../../src/images/inspector.js';
import { makeImage, padTo, pngChunk } from '../../fixtures/images.js';
import { fixPngCrc, idat, iend, ihdr, png, pngChunks } from '../../fixtures/image-builders.js';
import { patched, u32be } from '../../helpers/bytes.js';
import {
  expectEveryPrefixTruncated,
  expectInvalid,
  expectSameAtEverySplit,
  inspectStreaming,
  itReadsEachSize,
  rejectionPoint,
} from '../../helpers/image-walkers.js';

describe('png walker: valid files', () => {
  itReadsEachSize('png', [
    [320, 320],
    [4096, 320],
    [320, 4096],
    [16, 16],
    [1000, 777],
  ]);

  it('stops at IEND: trailing data (a ZIP, say) is counted but not walked', async () => {
    const buf = await makeImage('png', 320, 320);
    const withZip = Buffer.concat([buf, Buffer.from('PK\x03\x04 not part of the png', 'latin1')]);
    expect(inspectImage(withZip)).toMatchObject({ logicalEndBytes: buf.length, totalBytes: withZip.length });
    expect(inspectImage(padTo(buf, 10_000))).toMatchObject({ logicalEndBytes: buf.length, totalBytes: 10_000 });
  });

  it('accepts every legal bit depth / colour type pair, and a huge declared size (dims are checked later)', () => {
    const legal: Array<[number, number[]]> = [
      [0, [1, 2, 4, 8, 16]],
      [2, [8, 16]],
      [3, [1, 2, 4, 8]],
      [4, [8, 16]],
      [6, [8, 16]],
    ];
    for (const [ct, depths] of legal) {
      for (const d of depths) {
        const plte = ct === 3 ? [pngChunk('PLTE', Buffer.alloc(6))] : [];
        expect(inspectImage(png(ihdr(5, 6, d, ct), ...plte, idat, iend))).toMatchObject({ width: 5, height: 6 });
      }
    }
    expect(inspectImage(png(ihdr(65535, 65535), idat, iend))).toMatchObject({ width: 65535, height: 65535 });
    expect(inspectImage(png(ihdr(2 ** 31 - 1, 1), idat, iend))).toMatchObject({ width: 2 ** 31 - 1 });
  });

  it('accepts interlaced images and several consecutive IDAT chunks', () => {
    expect(inspectImage(png(ihdr(3, 3, 8, 2, [0, 0, 1]), idat, idat, idat, iend))).toMatchObject({ width: 3 });
  });

  it('gives the same verdict at every split point and with 1-byte chunks', async () => {
    expectSameAtEverySplit(await makeImage('png', 7, 5, { minBytes: 0 }));
  });
});

describe('png walker: truncation', () => {
  it('rejects every prefix of a small image as truncated', async () => {
    expectEveryPrefixTruncated(await makeImage('png', 7, 5, { minBytes: 0 }));
  });

  it('says in which chunk the file was cut', async () => {
    const buf = await makeImage('png', 320, 320);
    const at = pngChunks(buf).find((c) => c.type === 'IDAT')?.offset ?? -1;
    expectInvalid(buf.subarray(0, at + 20), new RegExp(`^png truncated in IDAT chunk at offset ${at} \\(the file ends after ${at + 20} bytes\\)$`));
    expectInvalid(buf.subarray(0, 20), /^png truncated in IHDR chunk at offset 8/);
    expectInvalid(buf.subarray(0, buf.length - 2), /^png truncated in the CRC of IEND chunk/);
    expectInvalid(buf.subarray(0, buf.length - 12), /^png truncated in the chunk header at offset/);
  });
});

describe('png walker: corruption', () => {
  it('rejects a bad CRC as soon as the CRC arrives', async () => {
    const buf = await makeImage('png', 320, 320);
    const c = pngChunks(buf).find((x) => x.type === 'IDAT');
    if (!c) throw new Error('no IDAT');
    const crcAt = c.offset + 8 + c.length;
    const bad = patched(buf, c.offset + 100, [buf[c.offset + 100]! ^ 0x01]);
    expectInvalid(bad, new RegExp(`^png: chunk IDAT at offset ${c.offset} has a bad CRC$`));
    expect(rejectionPoint(bad)).toBe(crcAt + 3);
  });

  it('checks the CRC of ancillary chunks too', async () => {
    const buf = await makeImage('png', 16, 16); // padded with a tEXt chunk
    const t = pngChunks(buf).find((x) => x.type === 'tEXt');
    if (!t) throw new Error('no tEXt');
    expectInvalid(patched(buf, t.offset + 20, [0]), /chunk tEXt at offset \d+ has a bad CRC/);
  });

  it('requires IHDR first, with length 13', () => {
    const bad = Buffer.concat([u32be(14), Buffer.from('IHDR'), Buffer.alloc(14)]);
    expectInvalid(png(pngChunk('IHDR', Buffer.alloc(14)), idat, iend), /^png: IHDR chunk at offset 8 has length 14, expected 13$/);
    expect(rejectionPoint(png(bad))).toBe(8 + 7); // known bad from its header alone
    expectInvalid(png(pngChunk('IHDR', Buffer.alloc(12)), idat, iend), /has length 12, expected 13/);
    expectInvalid(png(pngChunk('gAMA', Buffer.alloc(4)), ihdr(1, 1), idat, iend), /^png: first chunk is gAMA at offset 8, expected IHDR$/);
    expectInvalid(png(ihdr(1, 1), ihdr(1, 1), idat, iend), /second IHDR/);
  });

  it('rejects illegal IHDR fields', () => {
    expectInvalid(png(ihdr(0, 5), idat, iend), /width 0/);
    expectInvalid(png(ihdr(5, 0), idat, iend), /height 0/);
    expectInvalid(png(ihdr(2 ** 31, 5), idat, iend), /width 2147483648/);
    expectInvalid(png(ihdr(5, 5, 4, 2), idat, iend), /bit depth 4, not allowed with colour type 2/);
    expectInvalid(png(ihdr(5, 5, 16, 3), idat, iend), /bit depth 16, not allowed with colour type 3/);
    expectInvalid(png(ihdr(5, 5, 8, 5), idat, iend), /unknown colour type 5/);
    expectInvalid(png(ihdr(5, 5, 8, 2, [1, 0, 0]), idat, iend), /compression method 1/);
    expectInvalid(png(ihdr(5, 5, 8, 2, [0, 1, 0]), idat, iend), /filter method 1/);
    expectInvalid(png(ihdr(5, 5, 8, 2, [0, 0, 2]), idat, iend), /interlace method 2/);
  });

  it('requires image data, in consecutive IDAT chunks, and a palette for palette images', () => {
    expectInvalid(png(ihdr(5, 5), iend), /IEND at offset \d+ before any IDAT/);
    expectInvalid(png(ihdr(5, 5), idat, pngChunk('tEXt', Buffer.from('a\0b')), idat, iend), /IDAT chunks must be consecutive/);
    expectInvalid(png(ihdr(5, 5, 8, 3), idat, iend), /palette image has no PLTE/);
    expectInvalid(png(ihdr(5, 5), idat, pngChunk('PLTE', Buffer.alloc(3)), iend), /PLTE chunk at offset \d+ comes after IDAT/);
    expectInvalid(png(ihdr(5, 5), idat, pngChunk('IEND', Buffer.alloc(1))), /IEND chunk at offset \d+ has length 1, expected 0/);
  });

  it('rejects absurd chunk lengths and non-letter chunk types', () => {
    const huge = Buffer.concat([u32be(0x8000_0000), Buffer.from('tEXt')]);
    expectInvalid(png(ihdr(5, 5), huge), /chunk tEXt at offset 33 declares length 2147483648/);
    const weird = pngChunk('tE1t', Buffer.alloc(1));
    expectInvalid(png(ihdr(5, 5), weird, idat, iend), /chunk at offset 33 has an invalid type \(0x74453174/);
  });

  it('reports a fixed-up IHDR with a legal CRC but bad fields, not a CRC error', async () => {
    const buf = await makeImage('png', 320, 320);
    const edited = fixPngCrc(patched(buf, 16 + 8, [3]), 8); // bit depth 3
    expectInvalid(edited, /bit depth 3, not allowed/);
  });

  it('rejects a damaged signature as an unknown format', () => {
    const buf = png(ihdr(5, 5), idat, iend);
    expectInvalid(patched(buf, 4, [0x0a]), /^not a supported image format/);
  });

  it('keeps held memory tiny while a large image streams through', async () => {
    const buf = await makeImage('png', 2048, 2048, { minBytes: 3_000_000 });
    const { info, maxHeld } = inspectStreaming(buf);
    expect(info).toMatchObject({ width: 2048, height: 2048, logicalEndBytes: buf.length });
    expect(maxHeld).toBeLessThan(64);
  });
});
