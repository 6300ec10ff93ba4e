import { describe, expect, it } from 'vitest';
import { progressPrinter } from '../../../src/cli/migrate-command.js';
import { forEachConcurrently } from '../../../src/maintenance/concurrently.js';
import type { MigrateReport } from '../../../src/maintenance/migrate.js';
import { emptyGlossaryReport } from '../../../src/maintenance/migrate-glossary.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** 0, 1, …, n-1, and what the consumer did to the iteration. */
function counting(n: number): { items: AsyncIterable<number>; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;
  async function* generate(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < n; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { items: generate(), pulled: () => pulled, closed: () => closed };
}

describe('forEachConcurrently (how migrate bounds the items in flight)', () => {
  it('does every item once, never more than the limit at a time, and reads no further ahead than the free slots', async () => {
    const source = counting(50);
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachConcurrently(source.items, 4, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Items pulled so far: the ones done, and at most one per slot.
      expect(source.pulled()).toBeLessThanOrEqual(done.length + 4);
      for (let k = 0; k < (i % 3) + 1; k++) await tick();
      done.push(i);
      inFlight--;
    });
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(4);
  });

  it('takes no new item after a failure, lets the ones in flight end, closes the iteration and throws the failure', async () => {
    const source = counting(1000);
    const finished: number[] = [];
    const run = forEachConcurrently(source.items, 3, async (i) => {
      await tick();
      if (i === 5) throw new Error('item 5 failed');
      await tick();
      finished.push(i);
    });
    await expect(run).rejects.toThrow('item 5 failed');
    expect(source.closed()).toBe(true);
    // Items 6 and 7 may have been under way beside item 5; nothing later was taken.
    expect(source.pulled()).toBeLessThanOrEqual(8);
    expect(Math.max(...finished)).toBeLessThanOrEqual(7);
  });

  it('throws a failure of the iteration itself', async () => {
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      throw new Error('cursor lost');
    }
    const seen: number[] = [];
    await expect(forEachConcurrently(broken(), 2, async (i) => void seen.push(i))).rejects.toThrow('cursor lost');
    expect(seen).toEqual([1]);
  });
});

describe('migrate progress lines', () => {
  const report = (files: number): MigrateReport => ({
    apps: { copied: 1, skipped: 0 },
    tokens: { copied: 2, skipped: 0 },
    files: { copied: files, skipped: 0 },
    blobs: { copied: files, skipped: 0, corrupt: 0 },
    notCopied: [],
    glossary: emptyGlossaryReport(),
    glossaryConflicts: [],
  });

  it('prints at most one line a second, with the counts of the moment', () => {
    let now = 10_000;
    const lines: string[] = [];
    const progress = progressPrinter(
      (l) => lines.push(l),
      () => now,
    );
    for (let i = 1; i <= 100; i++) {
      now += 25;
      progress(report(i));
    }
    // 100 items over 2.5 s.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'migrate: apps 1 copied, 0 skipped; tokens 2 copied, 0 skipped; files 40 copied, 0 skipped; blobs 40 copied, 0 skipped, 0 corrupt; ' +
        'glossary rows 0 copied, 0 skipped, 0 conflicting',
    );
    expect(lines[1]).toContain('files 80 copied');
  });
});
