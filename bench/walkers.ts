/**
 * Micro-benchmark of the six walkers: MB/s over a ~1 MB and a ~9 MB fixture fed in 64 KiB chunks,
 * as the upload pipeline feeds them. No assertions. Run: npx tsx bench/walkers.ts
 */
import { performance } from 'node:perf_hooks';
import { createImageInspector, supportedFormats } from '../src/images/inspector.js';
import type { ImageFormatId } from '../src/images/types.js';
import { makeImage } from '../test/fixtures/images.js';

const chunkBytes = 64 * 1024;
const minMillis = 300;

/** Dimensions large enough for noise to make up most of the bytes (BMP size is fixed by its dims). */
function dimsFor(format: ImageFormatId, bytes: number): [number, number] {
  if (format === 'bmp') return [1024, Math.ceil(bytes / (1024 * 3))];
  return bytes > 2_000_000 ? [4096, 4096] : [1536, 1536];
}

function feedOnce(buf: Buffer): void {
  const inspector = createImageInspector();
  for (let i = 0; i < buf.length; i += chunkBytes) inspector.push(buf.subarray(i, i + chunkBytes));
  inspector.end();
}

function measure(buf: Buffer): { mbPerSec: number; runs: number } {
  feedOnce(buf); // warm-up
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMillis || runs < 3) {
    feedOnce(buf);
    runs++;
    elapsed = performance.now() - start;
  }
  return { mbPerSec: (buf.length * runs) / 1e6 / (elapsed / 1000), runs };
}

async function main(): Promise<void> {
  console.log(`walker throughput, ${chunkBytes / 1024} KiB chunks (Node ${process.version})`);
  console.log('format  fixture            bytes        MB/s   runs');
  for (const format of supportedFormats) {
    for (const target of [1_000_000, 9_000_000]) {
      const [w, h] = dimsFor(format, target);
      const buf = await makeImage(format, w, h, { minBytes: target });
      const { mbPerSec, runs } = measure(buf);
      const fixture = `${w}×${h}`.padEnd(17);
      console.log(`${format.padEnd(7)} ${fixture} ${String(buf.length).padStart(9)} ${mbPerSec.toFixed(0).padStart(9)} ${String(runs).padStart(6)}`);
    }
  }
}

await main();
