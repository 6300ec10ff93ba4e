/**
 * The entry point of upload validation: sniffs the format from the first bytes (never from the
 * client's name or Content-Type), then runs that format's walker over the streamed chunks.
 */
import { walkBmp } from './bmp.js';
import { ByteFeeder, fail, peek, type Walk, type WalkResult } from './byte-feeder.js';
import { walkGif } from './gif.js';
import { walkIco } from './ico.js';
import { walkJpeg } from './jpeg.js';
import { maxSniffBytes } from './limits.js';
import { walkPng } from './png.js';
import type { ImageFormatId, ImageInfo, ImageInspector } from './types.js';
import { walkWebp } from './webp.js';

/** Every format the inspector accepts (fixtures must cover each: see test/images). */
export const supportedFormats: readonly ImageFormatId[] = ['png', 'jpeg', 'gif', 'bmp', 'webp', 'ico'];

const mimes: Readonly<Record<ImageFormatId, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  ico: 'image/vnd.microsoft.icon',
};

/** The Content-Type served for a format. */
export function mimeOf(format: ImageFormatId): string {
  return mimes[format];
}

const walkers: Readonly<Record<ImageFormatId, (start: number) => Walk>> = {
  png: walkPng,
  jpeg: walkJpeg,
  gif: walkGif,
  bmp: walkBmp,
  webp: walkWebp,
  ico: walkIco,
};

/** Magic numbers; `null` matches any byte (the RIFF size). CUR is listed only to reject it clearly. */
const magics: ReadonlyArray<{ format: ImageFormatId | 'cur'; bytes: ReadonlyArray<number | null> }> = [
  { format: 'png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { format: 'jpeg', bytes: [0xff, 0xd8, 0xff] },
  { format: 'gif', bytes: [...Buffer.from('GIF87a')] },
  { format: 'gif', bytes: [...Buffer.from('GIF89a')] },
  { format: 'bmp', bytes: [...Buffer.from('BM')] },
  { format: 'webp', bytes: [...Buffer.from('RIFF'), null, null, null, null, ...Buffer.from('WEBP')] },
  { format: 'ico', bytes: [0, 0, 1, 0] },
  { format: 'cur', bytes: [0, 0, 2, 0] },
];

const unsupported = 'not a supported image format (png, jpeg, gif, bmp, webp, ico)';

/**
 * Peeks one more byte at a time so that a file is rejected at the first byte that matches no
 * magic number (no magic is a prefix of another, so the first full match decides).
 */
function* sniff(): Walk<ImageFormatId> {
  for (let n = 1; n <= maxSniffBytes; n++) {
    const head = (yield peek(n, 'image truncated in its format signature')).bytes;
    if (head.length === 0) fail('the file is empty');
    if (head.length < n) fail(`image truncated in its format signature (the file has only ${head.length} bytes)`);
    const candidates = magics.filter((m) => m.bytes.slice(0, n).every((b, i) => b === null || b === head[i]));
    const full = candidates.find((m) => m.bytes.length <= n);
    if (full?.format === 'cur') fail('a CUR cursor file is not supported (only ICO icons, type 1)');
    if (full) return full.format;
    if (candidates.length === 0) fail(unsupported);
  }
  return fail(unsupported);
}

interface Inspected extends WalkResult {
  format: ImageFormatId;
}

function* walkImage(): Walk<Inspected> {
  const format = yield* sniff();
  const result = yield* walkers[format](0);
  return { format, ...result };
}

/** An ImageInspector that also reports its work and memory, for tests and benchmarks. */
export interface InstrumentedInspector extends ImageInspector {
  /** Walker resumptions so far: bounded by about one per byte consumed. */
  readonly steps: number;
  /** Bytes held back between pushes right now (≤ maxReadBytes). */
  readonly heldBytes: number;
}

export function createImageInspector(): InstrumentedInspector {
  const feeder = new ByteFeeder(walkImage());
  return {
    push: (chunk) => feeder.push(chunk),
    end: () => {
      const r = feeder.end();
      return {
        format: r.format,
        mime: mimeOf(r.format),
        width: r.width,
        height: r.height,
        logicalEndBytes: r.end,
        totalBytes: feeder.totalBytes,
      };
    },
    get steps() {
      return feeder.steps;
    },
    get heldBytes() {
      return feeder.heldBytes;
    },
  };
}

/** Inspects a whole buffer (push + end). */
export function inspectImage(buf: Buffer): ImageInfo {
  const inspector = createImageInspector();
  inspector.push(buf);
  return inspector.end();
}
