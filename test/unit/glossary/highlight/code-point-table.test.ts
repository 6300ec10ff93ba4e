import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodePointTable } from '../../../../src/glossary/highlight/code-point-table.js';

/**
 * 30 code points (BMP and astral) whose home slots in the first, 64-slot table are the last two
 * and the first, computed with the table's hash: they pile into runs that wrap around the end,
 * the case backward-shift deletion must get right. 30 entries never make the table grow.
 */
const homeIn64 = (c: number): number => Math.imul(c, 0x9e3779b1) >>> 26;
function collidingCodePoints(): number[] {
  const out: number[] = [];
  for (const home of [62, 63, 0]) {
    for (const base of [0x20, 0x1f600]) {
      // Bounded: about one code point in 64 has a given home.
      for (let c = base, found = 0; found < 5 && c < base + 10_000; c++) {
        if (homeIn64(c) === home) {
          out.push(c);
          found++;
        }
      }
    }
  }
  return out;
}

describe('CodePointTable', () => {
  it('behaves as a Map under any sequence of sets and deletes (property)', () => {
    const codePoint = fc.constantFrom(...collidingCodePoints());
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), codePoint, value: fc.integer({ min: 1, max: 1_000_000 }) }),
      fc.record({ kind: fc.constant('delete' as const), codePoint }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const table = new CodePointTable();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            table.set(o.codePoint, o.value);
            model.set(o.codePoint, o.value);
          } else {
            expect(table.delete(o.codePoint)).toBe(model.delete(o.codePoint));
          }
        }
        expect(table.size).toBe(model.size);
        for (const o of ops) expect(table.get(o.codePoint)).toBe(model.get(o.codePoint) ?? 0);
      }),
      { numRuns: 300 },
    );
  });

  it('grows past its first capacity and keeps every entry', () => {
    const table = new CodePointTable();
    for (let c = 0x4e00; c < 0x4e00 + 5000; c++) table.set(c, c - 0x4e00 + 1);
    expect(table.size).toBe(5000);
    for (let c = 0x4e00; c < 0x4e00 + 5000; c += 7) expect(table.get(c)).toBe(c - 0x4e00 + 1);
    expect(table.get(0x4e00 + 5000)).toBe(0);
  });
});
