import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../../src/images/inspector.js';
import { maxJpegSegments } from '../../../src/images/limits.js';
import { makeImage, noisyRgb, padTo } from '../../fixtures/images.js';
import { entropy, jpeg, segment, SOI, sof, sos } from '../../fixtures/image-builders.js';
import { expectEveryPrefixTruncated, expectInvalid, expectSameAtEverySplit, itReadsEachSize, rejectionPoint } from '../../helpers/image-walkers.js';

describe('jpeg walker: valid files', () => {
  itReadsEachSize('jpeg', [
    [320, 320],
    [4096, 320],
    [320, 4096],
    [16, 16],
    [641, 479],
  ]);

  it('walks every scan of a progressive JPEG', async () => {
    const img = noisyRgb(400, 300, 20_000, 1);
    const buf = await sharp(img.rgb, { raw: { width: 400, height: 300, channels: 3 } })
      .jpeg({ progressive: true })
      .toBuffer();
    let scans = 0;
    for (let i = 0; i + 1 < buf.length; i++) if (buf[i] === 0xff && buf[i + 1] === 0xda) scans++;
    expect(scans).toBeGreaterThan(1);
    expect(inspectImage(buf)).toMatchObject({ width: 400, height: 300, logicalEndBytes: buf.length });
  });

  it('understands stuffing, restarts, fill bytes, standalone markers and several scans', () => {
    const buf = jpeg(
      sof(33, 44),
      Buffer.from([0xff, 0xff, 0xff]),
      segment(0xfe, Buffer.from('fill bytes came first')),
      Buffer.from([0xff, 0x01]),
      sos,
      entropy,
      sos,
      entropy,
    );
    expect(inspectImage(buf)).toMatchObject({ width: 33, height: 44, logicalEndBytes: buf.length });
  });

  it('takes dimensions from the first SOFn (C1, C2, …) and not from DHT (C4), JPG (C8) or DAC (CC)', () => {
    for (const m of [0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]) {
      expect(inspectImage(jpeg(sof(10, 20, m), sof(99, 99, m), sos, entropy))).toMatchObject({ width: 10, height: 20 });
    }
    for (const m of [0xc4, 0xc8, 0xcc]) {
      expectInvalid(
        jpeg(segment(m, [8, 0, 20, 0, 10, 1, 1, 0x11, 0]), sos, entropy),
        /^jpeg: scan \(SOS\) at offset \d+ comes before any frame header \(SOF\)$/,
      );
    }
  });

  it('accepts trailing data after EOI and a 65535×65535 frame header', async () => {
    const buf = await makeImage('jpeg', 320, 320);
    expect(inspectImage(padTo(buf, 9000))).toMatchObject({ logicalEndBytes: buf.length, totalBytes: 9000 });
    expect(inspectImage(jpeg(sof(65535, 65535), sos, entropy))).toMatchObject({ width: 65535, height: 65535 });
  });

  it('gives the same verdict at every split point and with 1-byte chunks', async () => {
    expectSameAtEverySplit(await makeImage('jpeg', 7, 5, { minBytes: 0 }));
    expectSameAtEverySplit(jpeg(sof(33, 44), sos, entropy, sos, entropy));
  });
});

describe('jpeg walker: truncation', () => {
  it('rejects every prefix of a small image as truncated', async () => {
    expectEveryPrefixTruncated(await makeImage('jpeg', 7, 5, { minBytes: 0 }));
    expectEveryPrefixTruncated(jpeg(sof(33, 44), sos, entropy));
  });

  it('says where: a missing EOI is a truncated scan', async () => {
    const buf = await makeImage('jpeg', 320, 320);
    expectInvalid(buf.subarray(0, buf.length - 2), /^jpeg truncated in the entropy-coded data of scan 1 \(starting at offset \d+\)/);
    expectInvalid(buf.subarray(0, 5), /^jpeg truncated in the length of (APP0|DQT) at offset 2/);
  });
});

describe('jpeg walker: corruption', () => {
  it('rejects a scan without a frame header', () => {
    expectInvalid(jpeg(sos, entropy), /before any frame header/);
    expect(rejectionPoint(jpeg(sos, entropy))).toBe(3); // as soon as the SOS marker is seen
  });

  it('rejects a zero height (DNL) or width, and an inconsistent frame header', () => {
    expectInvalid(jpeg(sof(10, 0), sos, entropy), /height 0 \(DNL-defined height is not supported\)/);
    expectInvalid(jpeg(sof(0, 10), sos, entropy), /width 0/);
    expectInvalid(jpeg(segment(0xc0, [8, 0, 1, 0, 1, 3, 1, 0x11, 0]), sos, entropy), /length 11 for 3 components/);
    expectInvalid(jpeg(segment(0xc0, [8, 0, 1]), sos, entropy), /SOF0 frame header at offset 2 has length 5/);
  });

  it('rejects bad segment lengths, bad SOS headers, stray bytes and a second SOI', () => {
    expectInvalid(Buffer.concat([SOI, Buffer.from([0xff, 0xe0, 0x00, 0x01])]), /APP0 segment at offset 2 has length 1/);
    expectInvalid(jpeg(sof(1, 1), segment(0xda, [2, 1, 0, 0, 63, 0]), entropy), /SOS at offset \d+ has length 8 for 2 components/);
    expectInvalid(jpeg(sof(1, 1), Buffer.from([0x00]), sos, entropy), /expected a marker at offset 15, found byte 0x00/);
    expectInvalid(jpeg(sof(1, 1), SOI, sos, entropy), /second SOI/);
    expectInvalid(jpeg(sof(1, 1), Buffer.from([0xff, 0x00]), sos, entropy), /invalid marker FF00/);
    expectInvalid(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), /EOI at offset 2 before any scan/);
  });

  it('bounds the number of segments', () => {
    const com = segment(0xfe, [0x41]);
    const many = (n: number): Buffer => jpeg(sof(1, 1), ...Array.from({ length: n }, () => com), sos, entropy);
    expect(inspectImage(many(maxJpegSegments - 10))).toMatchObject({ width: 1 });
    expectInvalid(many(maxJpegSegments), new RegExp(`more than ${maxJpegSegments} marker segments`));
  });
});
