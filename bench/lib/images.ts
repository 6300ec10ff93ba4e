import sharp from 'sharp';

/**
 * The bench's images, made with sharp from a seeded generator so their sizes are the same on
 * every run (and every machine with the same libvips). Generation takes well under a second.
 */
export interface BenchImages {
  /** 800×600 JPEG, ~50 KB: a smooth gradient plus low noise, like a photo crop. */
  smallJpeg: Buffer;
  /** 4096×4096 PNG, ~9 MB: noise in the top band (incompressible) over a gradient. */
  largePng: Buffer;
}

export const limits = { maxFileBytes: 10 * 1024 * 1024 } as const;

/** xorshift32: fast, seeded, good enough to defeat JPEG and deflate. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

async function smallJpeg(): Promise<Buffer> {
  const width = 800;
  const height = 600;
  const amplitude = 8; // ±8 levels of noise: tuned with quality 80 to land near 50 KB
  const raw = Buffer.alloc(width * height * 3);
  const rnd = xorshift(1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const n = (rnd() % (2 * amplitude + 1)) - amplitude;
      raw[i] = clamp((x * 255) / width + n);
      raw[i + 1] = clamp((y * 255) / height + n);
      raw[i + 2] = clamp(128 + n);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

async function largePng(): Promise<Buffer> {
  const side = 4096;
  // Noise costs ~3 bytes a pixel after deflate; the gradient below compresses to almost nothing.
  const noiseRows = 690;
  const raw = Buffer.alloc(side * side * 3);
  const rnd = xorshift(2);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = (y * side + x) * 3;
      if (y < noiseRows) {
        const v = rnd();
        raw[i] = v & 0xff;
        raw[i + 1] = (v >>> 8) & 0xff;
        raw[i + 2] = (v >>> 16) & 0xff;
      } else {
        raw[i] = x >> 4;
        raw[i + 1] = y >> 4;
        raw[i + 2] = 128;
      }
    }
  }
  return sharp(raw, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

export async function makeImages(): Promise<BenchImages> {
  const [small, large] = await Promise.all([smallJpeg(), largePng()]);
  // The scenarios are defined by these sizes; fail early rather than measure something else.
  if (small.length < 40_000 || small.length > 60_000) throw new Error(`small JPEG is ${small.length} bytes, expected ~50 KB`);
  if (large.length < 8_500_000 || large.length > limits.maxFileBytes - 1024) {
    throw new Error(`large PNG is ${large.length} bytes, expected ~9 MB and under 10 MiB`);
  }
  return { smallJpeg: small, largePng: large };
}
