import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SegmentReaders } from '../../../../src/storage/segments/readers.js';
import { segmentPath } from '../../../../src/storage/segments/segment-files.js';
import { tempDirPerTest } from './fixtures.js';

/** How many of this process's descriptors point at segment files in `dir`. */
function openSegments(dir: string): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir) && target.endsWith('.seg');
    } catch {
      return false;
    }
  }).length;
}

describe('SegmentReaders', () => {
  const tmp = tempDirPerTest('lingo-readers-');

  it('reads at a position, keeps at most `max` files open, and closes them all', async () => {
    for (let id = 1; id <= 45; id++) fs.writeFileSync(segmentPath(tmp.path, id), Buffer.alloc(100, id));
    const readers = new SegmentReaders((id) => segmentPath(tmp.path, id), 32);
    try {
      for (let round = 0; round < 2; round++) {
        const reads = await Promise.all(
          Array.from({ length: 45 }, async (_, i) => {
            const into = Buffer.alloc(10);
            const n = await readers.read(i + 1, into, 50);
            return { n, into };
          }),
        );
        reads.forEach(({ n, into }, i) => {
          expect(n).toBe(10);
          expect(into.equals(Buffer.alloc(10, i + 1))).toBe(true);
        });
        expect(openSegments(tmp.path)).toBeLessThanOrEqual(32);
      }
      // Fewer bytes at the end of a file.
      expect(await readers.read(1, Buffer.alloc(10), 95)).toBe(5);
    } finally {
      await readers.close();
    }
    expect(openSegments(tmp.path)).toBe(0);
  });

  it('a missing file fails its read, and a later read of it tries again', async () => {
    const readers = new SegmentReaders((id) => path.join(tmp.path, `${id}.seg`));
    try {
      await expect(readers.read(7, Buffer.alloc(1), 0)).rejects.toMatchObject({ code: 'ENOENT' });
      fs.writeFileSync(path.join(tmp.path, '7.seg'), 'x');
      expect(await readers.read(7, Buffer.alloc(1), 0)).toBe(1);
    } finally {
      await readers.close();
    }
  });
});
