/**
 * Property tests of the six walkers on hostile input: random bytes behind each magic number and
 * mutated valid images. Whatever the bytes, inspection either returns or throws ImageInvalidError
 * (never a RangeError, never a hang), gives the same verdict however the bytes are chunked, holds
 * at most maxReadBytes, and does bounded work, measured in driver steps rather than time.
 * The seed is fixed so CI is reproducible; set FUZZ_SEED (and FUZZ_SCALE, a run-count multiplier)
 * to explore other inputs.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createImageInspector, supportedFormats } from '../../src/images/inspector.js';
import { maxReadBytes } from '../../src/images/limits.js';
import { ImageInvalidError, type ImageFormatId, type ImageInfo } from '../../src/images/types.js';
import { makeBmp, makeIcoOf, makeImage } from '../fixtures/images.js';
import { riff, riffChunk, vp8l, vp8x } from '../fixtures/image-builders.js';

const seed = Number(process.env.FUZZ_SEED ?? 20_240_611);
const scale = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number): fc.Parameters<unknown> => ({ numRuns: Math.ceil(n * scale), seed });

type Outcome = { ok: ImageInfo } | { invalid: string };

/**
 * Driver steps allowed for `bytes` of input: every step but a peek or an empty skip consumes at
 * least one byte, and those are bounded per structure (sniff peeks, ≤ 3 per ICO entry, ≤ 2 per
 * PNG/WebP chunk whose header already consumed 8 bytes).
 */
const stepBudget = (bytes: number): number => bytes + 1024;

/** Feeds `buf` cut at `cuts`, checking memory and work; any error but ImageInvalidError escapes. */
function run(buf: Buffer, cuts: number[] = []): Outcome {
  const inspector = createImageInspector();
  try {
    let from = 0;
    for (const cut of [...cuts.map((c) => c % (buf.length + 1)).sort((a, b) => a - b), buf.length]) {
      inspector.push(buf.subarray(from, Math.max(from, cut)));
      from = Math.max(from, cut);
      expect(inspector.heldBytes).toBeLessThanOrEqual(maxReadBytes);
    }
    return { ok: inspector.end() };
  } catch (err) {
    if (err instanceof ImageInvalidError) return { invalid: err.message };
    throw err;
  } finally {
    expect(inspector.steps).toBeLessThanOrEqual(stepBudget(buf.length));
  }
}

const magic: Record<ImageFormatId, Buffer> = {
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  jpeg: Buffer.from([0xff, 0xd8, 0xff]),
  gif: Buffer.from('GIF89a'),
  bmp: Buffer.from('BM'),
  webp: Buffer.from('RIFF\x10\x00\x00\x00WEBP', 'latin1'),
  ico: Buffer.from([0, 0, 1, 0]),
};

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'u32'; at: number; value: number; le: boolean }
  | { kind: 'zero'; at: number; len: number }
  | { kind: 'repeat'; at: number; len: number; times: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 2, 13, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff),
    le: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('zero' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }), times: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
);

function mutate(input: Buffer, m: Mutation): Buffer {
  const buf = Buffer.from(input);
  if (buf.length === 0) return buf;
  const at = m.at % buf.length;
  switch (m.kind) {
    case 'flip':
      buf[at] = (buf[at] as number) ^ (1 << m.bit);
      return buf;
    case 'truncate':
      return buf.subarray(0, at);
    case 'u32': {
      const field = Buffer.alloc(4);
      if (m.le) field.writeUInt32LE(m.value);
      else field.writeUInt32BE(m.value);
      field.copy(buf, Math.min(at, Math.max(0, buf.length - 4)));
      return buf;
    }
    case 'zero':
      buf.fill(0, at, Math.min(buf.length, at + m.len));
      return buf;
    case 'repeat': {
      // Repeats a slice in place: duplicated chunks, segments, blocks and directory entries.
      const slice = buf.subarray(at, at + m.len);
      return Buffer.concat([buf.subarray(0, at + slice.length), ...Array.from({ length: m.times }, () => slice), buf.subarray(at + slice.length)]);
    }
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
  }
}

const seeds = new Map<ImageFormatId, Buffer[]>();

beforeAll(async () => {
  for (const format of supportedFormats) seeds.set(format, [await makeImage(format, 40, 30, { minBytes: 0 })]);
  seeds.get('bmp')?.push(makeBmp(9, 7, { bits: 32, topDown: true }));
  seeds.get('ico')?.push(
    await makeIcoOf([
      { kind: 'bmp', width: 8, height: 8 },
      { kind: 'png', width: 20, height: 10 },
    ]),
  );
  seeds.get('webp')?.push(riff([vp8x(7, 9), riffChunk('ICCP', Buffer.alloc(3)), vp8l(7, 9)]));
  seeds.get('png')?.push(await makeImage('png', 64, 48)); // with a tEXt chunk
});

describe('walkers on hostile input', () => {
  for (const format of supportedFormats) {
    describe(format, () => {
      it('random bytes behind the magic number: a verdict or ImageInvalidError, same for any chunking', () => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 6 }), (tail, cuts) => {
            const buf = Buffer.concat([magic[format], tail]);
            expect(run(buf, cuts)).toEqual(run(buf));
          }),
          runs(2000),
        );
      });

      it('mutated valid images: a verdict or ImageInvalidError, same for any chunking', () => {
        const inputs = seeds.get(format) ?? [];
        fc.assert(
          fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (pick, ms, cuts) => {
            const base = inputs[pick % inputs.length] as Buffer;
            const buf = ms.reduce(mutate, base);
            const whole = run(buf);
            expect(run(buf, cuts)).toEqual(whole);
            if ('ok' in whole) {
              expect(whole.ok.totalBytes).toBe(buf.length);
              expect(whole.ok.logicalEndBytes).toBeLessThanOrEqual(buf.length);
            }
          }),
          runs(3000),
        );
      });
    });
  }

  it('completes 64 KiB of random or repetitive input in a bounded number of steps', () => {
    const patterns: Buffer[] = [
      Buffer.alloc(65_536, 0xff),
      Buffer.alloc(65_536, 0x00),
      Buffer.concat(Array.from({ length: 5_461 }, () => Buffer.from([0, 0, 0, 0, 0x74, 0x45, 0x58, 0x74, 0x4e, 0x5f, 0x18, 0xd4]))),
      Buffer.concat(Array.from({ length: 16_384 }, () => Buffer.from([0x21, 0xfe, 0x01, 0x00]))),
    ];
    for (const format of supportedFormats) {
      for (const body of patterns) {
        const buf = Buffer.concat([magic[format], body]);
        run(buf);
        run(buf, [1, 2, 3, 100, 1000, 40_000]);
      }
    }
    fc.assert(
      fc.property(fc.constantFrom(...supportedFormats), fc.uint8Array({ minLength: 65_536, maxLength: 65_536 }), (format, body) => {
        run(Buffer.concat([magic[format], body]));
      }),
      runs(60),
    );
  });
});
