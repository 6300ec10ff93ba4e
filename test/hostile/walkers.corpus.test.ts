/**
 * A seeded corpus of real-world trouble for the walkers, each with its expected verdict:
 * decompression-bomb headers, lying ICO directories, odd BMPs, GIF floods, bad RIFF sizes,
 * JPEGs without frames, malformed PNG headers and polyglots. Bombs are only structurally valid
 * when complete: a complete tiny file declaring 65535 × 65535 is accepted with those dimensions
 * here, because the upload pipeline rejects the dimensions later, with its own message.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/images/inspector.js';
import { maxGifFrames, maxIcoEntries, maxJpegFillBytes, maxPngChunks } from '../../src/images/limits.js';
import { ImageInvalidError, type ImageInfo } from '../../src/images/types.js';
import { encodeWithSharp, makeIcoOf, makeImage, noisyRgb, pngChunk } from '../fixtures/images.js';
import {
  bmp,
  entropy,
  gif,
  gifFrame,
  gifHeader,
  icoRaw,
  idat,
  iend,
  ihdr,
  jpeg,
  png,
  riff,
  riffChunk,
  segment,
  sof,
  sos,
  vp8l,
  vp8x,
} from '../fixtures/image-builders.js';
import { patched, u16le, u32le } from '../helpers/bytes.js';

type Expected = Partial<ImageInfo> | RegExp;
interface Case {
  name: string;
  make: () => Buffer | Promise<Buffer>;
  expect: Expected;
}

const u32leAt = (buf: Buffer, at: number, v: number): Buffer => patched(buf, at, u32le(v));
const zip = Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00payload.txt PK\x05\x06', 'latin1');

const cases: Case[] = [
  // Bomb headers: complete, tiny files declaring enormous images.
  { name: 'PNG declaring 65535×65535', make: () => png(ihdr(65535, 65535), idat, iend), expect: { format: 'png', width: 65535, height: 65535 } },
  {
    name: 'GIF declaring a 65535×65535 screen',
    make: () => gif(gifHeader(65535, 65535), gifFrame(65535, 65535)),
    expect: { format: 'gif', width: 65535, height: 65535 },
  },
  { name: 'WebP VP8X canvas 65535×65535', make: () => riff([vp8x(65535, 65535), vp8l(16384, 16384)]), expect: { format: 'webp', width: 65535, height: 65535 } },
  { name: 'JPEG frame 65535×65535', make: () => jpeg(sof(65535, 65535), sos, entropy), expect: { format: 'jpeg', width: 65535, height: 65535 } },
  {
    name: 'BMP 65535×65535 at 24 bits: over 4 GiB, rejected at the header',
    make: () => bmp({ width: 65535, height: 65535, pixelBytes: 64 }),
    expect: /would end past 4 GiB/,
  },
  {
    name: 'BMP 65535×65535 at 1 bit: its 512 MiB pixel array is missing',
    make: () => bmp({ width: 65535, height: 65535, bits: 1, pixelBytes: 64 }),
    expect: /^bmp truncated in the pixel array/,
  },
  // ICO directories that lie.
  {
    name: 'ICO whose directory says 16×16 for a 512×512 PNG',
    make: async () => icoRaw([{ bytes: await encodeWithSharp('png', noisyRgb(512, 512, 16, 1)) }]),
    expect: { format: 'ico', width: 512, height: 512 },
  },
  {
    name: 'ICO whose entry claims fewer bytes than its PNG',
    make: async () => {
      const p = await encodeWithSharp('png', noisyRgb(64, 64, 16, 1));
      return icoRaw([{ bytes: p, size: 100 }]);
    },
    expect: /the embedded image runs past the end of the entry/,
  },
  {
    name: 'ICO whose entry claims 2 GiB',
    make: async () => u32leAt(await makeIcoOf([{ kind: 'bmp', width: 16, height: 16 }]), 14, 0x7fff_ffff),
    expect: /^ico truncated in entry 1/,
  },
  {
    name: 'ICO whose entries overlap (shared bytes)',
    make: async () =>
      u32leAt(
        await makeIcoOf([
          { kind: 'bmp', width: 8, height: 8 },
          { kind: 'bmp', width: 8, height: 8 },
        ]),
        6 + 16 + 12,
        38,
      ),
    expect: /overlaps entry/,
  },
  {
    name: 'ICO declaring 65535 entries',
    make: () => Buffer.concat([u16le(0), u16le(1), u16le(65535), Buffer.alloc(64)]),
    expect: new RegExp(`limit ${maxIcoEntries}`),
  },
  { name: 'CUR cursor', make: () => icoRaw([{ bytes: Buffer.alloc(40) }], 2), expect: /CUR cursor file is not supported/ },
  // BMP oddities.
  { name: 'BMP with 7 bits per pixel', make: () => bmp({ width: 8, height: 8, bits: 7, pixelBytes: 64 }), expect: /7 bits per pixel/ },
  { name: 'BMP with 0 bits per pixel', make: () => bmp({ width: 8, height: 8, bits: 0, pixelBytes: 64 }), expect: /0 bits per pixel/ },
  { name: 'BMP with a negative height (top-down)', make: () => bmp({ width: 8, height: -8 }), expect: { format: 'bmp', width: 8, height: 8 } },
  { name: 'BMP with height −2^31', make: () => bmp({ width: 1, height: -(2 ** 31), bits: 1, pixelBytes: 8 }), expect: /would end past 4 GiB/ },
  // GIF floods and degenerate screens.
  { name: 'GIF with a 0×0 screen', make: () => gif(gifHeader(0, 0), gifFrame()), expect: /logical screen is 0×0/ },
  {
    name: `GIF with ${maxGifFrames} frames`,
    make: () => gif(gifHeader(2, 2), ...Array.from({ length: maxGifFrames }, () => gifFrame())),
    expect: { format: 'gif', width: 2 },
  },
  {
    name: 'GIF with 5000 frames',
    make: () => gif(gifHeader(2, 2), ...Array.from({ length: 5000 }, () => gifFrame())),
    expect: new RegExp(`more than ${maxGifFrames} frames`),
  },
  {
    name: 'GIF with 20000 comment extensions',
    make: () => gif(gifHeader(2, 2), ...Array.from({ length: 20_000 }, () => Buffer.from([0x21, 0xfe, 0]))),
    expect: /more than \d+ blocks/,
  },
  // RIFF sizes.
  {
    name: 'WebP whose RIFF size exceeds the file',
    make: async () => u32leAt(await makeImage('webp', 320, 320), 4, 50_000_000),
    expect: /^webp truncated .*RIFF header declares 50000008 bytes/,
  },
  { name: 'WebP whose RIFF size is 0xFFFFFFFF', make: () => u32leAt(riff([vp8l(4, 4)]), 4, 0xffff_ffff), expect: /^webp truncated/ },
  {
    name: 'WebP whose chunk size exceeds the RIFF size',
    make: () => riff([riffChunk('VP8L', Buffer.alloc(400)), vp8l(1, 1)], 100),
    expect: /runs past the RIFF end/,
  },
  // JPEG structure.
  { name: 'JPEG without SOF', make: () => jpeg(segment(0xdb, Buffer.alloc(65)), sos, entropy), expect: /before any frame header/ },
  { name: 'JPEG with only DHT (C4), never a frame', make: () => jpeg(segment(0xc4, Buffer.alloc(20)), sos, entropy), expect: /before any frame header/ },
  { name: 'JPEG with a DNL-style height 0', make: () => jpeg(sof(100, 0), sos, entropy), expect: /height 0/ },
  {
    name: 'JPEG with 70000 fill bytes',
    make: () => jpeg(sof(1, 1), Buffer.alloc(70_000, 0xff), Buffer.from([0xfe, 0, 2]), sos, entropy),
    expect: new RegExp(`more than ${maxJpegFillBytes} fill bytes`),
  },
  { name: 'JPEG with no EOI', make: () => jpeg(sof(1, 1), sos, entropy).subarray(0, -2), expect: /^jpeg truncated in the entropy-coded data/ },
  // PNG headers.
  {
    name: 'PNG with IHDR length 14',
    make: () => png(pngChunk('IHDR', Buffer.alloc(14, 1)), idat, iend),
    expect: /IHDR chunk at offset 8 has length 14, expected 13/,
  },
  {
    name: 'PNG with IHDR length 0xFFFFFFFF',
    make: () => Buffer.concat([png(), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from('IHDR')]),
    expect: /declares length 4294967295/,
  },
  {
    name: 'PNG with too many chunks',
    make: () => png(ihdr(1, 1), ...Array.from({ length: maxPngChunks }, () => pngChunk('teXt', Buffer.alloc(0))), idat, iend),
    expect: /more than 65536 chunks/,
  },
  // Polyglots: the image part is judged; what follows its logical end is stored verbatim.
  { name: 'PNG with an appended ZIP', make: async () => Buffer.concat([await makeImage('png', 320, 320), zip]), expect: { format: 'png', width: 320 } },
  { name: 'GIFAR (GIF + JAR)', make: async () => Buffer.concat([await makeImage('gif', 320, 320), zip]), expect: { format: 'gif', width: 320 } },
  {
    name: 'GIF/JavaScript polyglot (GIF89a/*…*/=1;)',
    // The screen width bytes are "/*": 0x2A2F = 10799 px. Structurally a valid GIF.
    make: () => Buffer.concat([gif(Buffer.concat([Buffer.from('GIF89a/*'), u16le(10), Buffer.from([0, 0, 0])]), gifFrame()), Buffer.from('*/=1;')]),
    expect: { format: 'gif', width: 10799, height: 10 },
  },
  {
    name: 'JPEG with appended PHP',
    make: async () => Buffer.concat([await makeImage('jpeg', 320, 320), Buffer.from('<?php system($_GET["c"]); ?>')]),
    expect: { format: 'jpeg', width: 320 },
  },
  { name: 'BMP/ICO confusion: "BM" then an ICO', make: () => Buffer.concat([Buffer.from('BM'), icoRaw([{ bytes: Buffer.alloc(40) }])]), expect: /^bmp:/ },
  {
    name: 'HTML disguised with an image extension',
    make: () => Buffer.from('<html><script>alert(1)</script></html>'),
    expect: /^not a supported image format/,
  },
];

describe('walkers: seeded corpus of real-world trouble', () => {
  const built = new Map<string, Buffer>();
  beforeAll(async () => {
    for (const c of cases) built.set(c.name, await c.make());
  });

  for (const c of cases) {
    it(c.name, () => {
      const buf = built.get(c.name) as Buffer;
      if (c.expect instanceof RegExp) {
        let error: unknown;
        try {
          inspectImage(buf);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(ImageInvalidError);
        expect((error as Error).message).toMatch(c.expect);
      } else {
        expect(inspectImage(buf)).toMatchObject(c.expect);
      }
    });
  }

  it('the polyglots keep their trailing bytes outside the logical end', async () => {
    const image = await makeImage('png', 320, 320);
    const info = inspectImage(Buffer.concat([image, zip]));
    expect(info).toMatchObject({ logicalEndBytes: image.length, totalBytes: image.length + zip.length });
  });

  it('also rejects ICO entries listed with u32 offsets past 4 GiB of input', () => {
    expect(() => inspectImage(icoRaw([{ bytes: Buffer.alloc(40), offset: 0xffff_fff0 }]))).toThrow(/^ico truncated before entry 1/);
  });
});
