import { describe, expect, it } from 'vitest';
import { randomFromPool, randomString } from '../../../src/random/random-pool.js';

describe('randomString', () => {
  it('draws only from the alphabet, at the asked length', () => {
    for (const length of [0, 1, 22, 40, 300]) {
      const s = randomString(length);
      expect(s).toHaveLength(length);
      expect(s).toMatch(/^[A-Za-z0-9]*$/);
    }
    expect(randomString(64, 'ab')).toMatch(/^[ab]{64}$/);
  });

  it('is uniform over alphabets that do not divide 256 (no modulo bias)', () => {
    // 62 and 36 characters: a plain `byte % n` would make the first 256 % n characters ~25 % (62)
    // or ~14 % (36) more frequent. With 124,000 draws each count is 2,000 ± ~45 (one sigma).
    for (const alphabet of ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'abcdefghijklmnopqrstuvwxyz0123456789']) {
      const draws = alphabet.length * 2000;
      const counts = new Map<string, number>();
      for (const c of randomString(draws, alphabet)) counts.set(c, (counts.get(c) ?? 0) + 1);
      expect(counts.size).toBe(alphabet.length);
      const firstFew = [...alphabet.slice(0, 256 % alphabet.length)].reduce((n, c) => n + counts.get(c)!, 0) / (256 % alphabet.length);
      const rest = [...alphabet.slice(256 % alphabet.length)].reduce((n, c) => n + counts.get(c)!, 0) / (alphabet.length - (256 % alphabet.length));
      expect(Math.abs(firstFew / rest - 1)).toBeLessThan(0.05);
      for (const n of counts.values()) expect(Math.abs(n - 2000)).toBeLessThan(300);
    }
  });

  it('draws from a pool that hands each byte out once, across refills', () => {
    // 1,000 draws of 40 bytes cross the 4 KiB pool's refill several times; a reused slice or a
    // refill that failed to happen would repeat a draw.
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(randomFromPool(40).toString('hex'));
    expect(seen.size).toBe(1000);
    expect(() => randomFromPool(4097)).toThrow(RangeError);
  });

  it('rejects alphabets it cannot sample from one byte', () => {
    expect(() => randomString(4, 'a')).toThrow(RangeError);
    expect(() => randomString(4, 'x'.repeat(257))).toThrow(RangeError);
  });
});
