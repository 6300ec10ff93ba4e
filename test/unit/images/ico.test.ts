import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../../src/images/inspector.js';
import { maxIcoEntries } from '../../../src/images/limits.js';
import { encodeIco, encodeIcoDib, encodeWithSharp, makeIcoOf, noisyRgb, padTo } from '../../fixtures/images.js';
import { icoRaw, pngChunks } from '../../fixtures/image-builders.js';
import { patched, u32le } from '../../helpers/bytes.js';
import { expectEveryPrefixTruncated, expectInvalid, expectSameAtEverySplit, itReadsEachSize, rejectionPoint } from '../../helpers/image-walkers.js';

const dib = (w: number, h: number): Buffer => encodeIcoDib(noisyRgb(w, h, 8, 1));
const pngOf = (w: number, h: number): Promise<Buffer> => encodeWithSharp('png', noisyRgb(w, h, 8, 2));

describe('ico walker: valid files', () => {
  itReadsEachSize('ico', [
    [320, 320],
    [4096, 320],
    [320, 4096],
    [16, 16],
    [48, 48],
    [257, 300],
  ]);

  it('reports a 16×16 favicon as 16×16 (from its DIB header: height / 2)', async () => {
    const favicon = await makeIcoOf([{ kind: 'bmp', width: 16, height: 16 }]);
    expect(inspectImage(favicon)).toMatchObject({ width: 16, height: 16, logicalEndBytes: favicon.length });
    const twoSizes = await makeIcoOf([
      { kind: 'bmp', width: 16, height: 16 },
      { kind: 'bmp', width: 32, height: 32 },
    ]);
    expect(inspectImage(twoSizes)).toMatchObject({ width: 32, height: 32 });
  });

  it('uses the real dimensions of the embedded images, not the directory bytes', async () => {
    // The directory says 16×16 for every entry (icoRaw); the PNG inside is 512×400.
    const buf = icoRaw([{ bytes: dib(16, 16) }, { bytes: await pngOf(512, 400) }]);
    expect(buf[6 + 16]).toBe(16);
    expect(inspectImage(buf)).toMatchObject({ width: 512, height: 400 });
  });

  it('judges the largest entry by real width × height', async () => {
    const buf = await makeIcoOf([
      { kind: 'png', width: 300, height: 20 },
      { kind: 'bmp', width: 48, height: 48 },
      { kind: 'png', width: 64, height: 64 },
    ]);
    expect(inspectImage(buf)).toMatchObject({ width: 300, height: 20 });
  });

  it('visits entries in offset order, whatever the directory order, and skips gaps', async () => {
    const a = dib(16, 16);
    const b = await pngOf(40, 30);
    const dirEnd = 6 + 32;
    const buf = icoRaw([
      { bytes: a, offset: dirEnd + 10 + b.length },
      { bytes: b, offset: dirEnd + 5 },
    ]);
    const laidOut = Buffer.concat([buf.subarray(0, dirEnd), Buffer.alloc(5), b, Buffer.alloc(5), a]);
    expect(inspectImage(laidOut)).toMatchObject({ width: 40, height: 30, logicalEndBytes: laidOut.length });
  });

  it('tolerates slack bytes after an embedded image inside its entry, and trailing data', async () => {
    const png = await pngOf(20, 20);
    const buf = icoRaw([{ bytes: Buffer.concat([png, Buffer.alloc(7)]) }]);
    expect(inspectImage(padTo(buf, buf.length + 100))).toMatchObject({ width: 20, logicalEndBytes: buf.length });
  });

  it('gives the same verdict at every split point and with 1-byte chunks', async () => {
    expectSameAtEverySplit(
      await makeIcoOf([
        { kind: 'bmp', width: 4, height: 4 },
        { kind: 'png', width: 5, height: 3 },
      ]),
    );
  });
});

describe('ico walker: truncation', () => {
  it('rejects every prefix of a small icon as truncated', async () => {
    expectEveryPrefixTruncated(
      await makeIcoOf(
        [
          { kind: 'bmp', width: 4, height: 4 },
          { kind: 'png', width: 5, height: 3 },
        ],
        3,
      ),
    );
  });

  it('rejects entries that reach past the end of the file', async () => {
    const buf = await makeIcoOf([{ kind: 'bmp', width: 16, height: 16 }]);
    const beyond = patched(buf, 6 + 12, u32le(100_000));
    expectInvalid(beyond, /^ico truncated before entry 1 \(\d+ bytes at offset 100000\)/);
    expectInvalid(buf.subarray(0, 100), /^ico truncated in entry 1 \(1128 bytes at offset 22\): bmp truncated in the DIB palette, pixels or mask/);
  });
});

describe('ico walker: corruption', () => {
  it('rejects CUR cursors at their type field', () => {
    const cur = icoRaw([{ bytes: dib(16, 16) }], 2);
    expectInvalid(cur, /^a CUR cursor file is not supported \(only ICO icons, type 1\)$/);
    expect(rejectionPoint(cur)).toBe(3);
  });

  it('checks the header and directory', () => {
    expectInvalid(icoRaw([]), /^ico: directory has no entries$/);
    const many = icoRaw(Array.from({ length: maxIcoEntries + 1 }, () => ({ bytes: Buffer.alloc(0) })));
    expectInvalid(many, new RegExp(`directory has ${maxIcoEntries + 1} entries \\(limit ${maxIcoEntries}\\)`));
    expectInvalid(icoRaw([{ bytes: dib(4, 4), size: 0 }]), /entry 1 has size 0/);
    expectInvalid(icoRaw([{ bytes: dib(4, 4), offset: 10 }]), /entry 1 at offset 10 overlaps the header or directory/);
  });

  it('rejects overlapping entries', () => {
    const a = dib(4, 4);
    const buf = icoRaw([{ bytes: a }, { bytes: a, offset: 6 + 32 + 10 }]);
    expectInvalid(buf, /^ico: entry 2 at offset 48 overlaps entry 1 \(offset 38, \d+ bytes\)$/);
  });

  it('rejects an embedded image larger than its entry says', async () => {
    const png = await pngOf(20, 20);
    expectInvalid(
      icoRaw([{ bytes: png, size: png.length - 12 }]),
      /^ico entry 1 \(\d+ bytes at offset 22\): the embedded image runs past the end of the entry/,
    );
    expectInvalid(icoRaw([{ bytes: dib(8, 8), size: 100 }]), /runs past the end of the entry/);
  });

  it('passes on the embedded image errors with the entry named', async () => {
    const png = await pngOf(20, 20);
    const idat = pngChunks(png).find((c) => c.type === 'IDAT')?.offset ?? 0;
    const bad = patched(png, idat + 9, [png[idat + 9]! ^ 0xff]);
    expectInvalid(icoRaw([{ bytes: dib(4, 4) }, { bytes: bad }]), /^ico entry 2 \(\d+ bytes at offset \d+\): png: chunk IDAT at offset \d+ has a bad CRC$/);
    const odd = patched(dib(4, 4), 8, u32le(7));
    expectInvalid(icoRaw([{ bytes: odd }]), /DIB header at offset 22 has height 7 \(must be positive and even/);
    expectInvalid(icoRaw([{ bytes: patched(dib(4, 4), 0, u32le(41)) }]), /DIB header at offset 22 has unknown size 41/);
    expectInvalid(icoRaw([{ bytes: patched(dib(4, 4), 16, u32le(1)) }]), /RLE8 compression/);
  });

  it('rejects an ICO whose only entry is neither a PNG nor a DIB', () => {
    expectInvalid(encodeIco([{ width: 1, height: 1, bytes: Buffer.from('GIF89a, not an icon image') }]), /DIB header at offset 22 has unknown size/);
  });
});
