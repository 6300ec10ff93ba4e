import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyFilter } from '../../src/storage/key-filter.js';

const key = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('KeyFilter', () => {
  it('never forgets a key it was given', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 300 }), (inputs) => {
        const filter = new KeyFilter(inputs.length);
        const keys = inputs.map(key);
        for (const k of keys) filter.add(k);
        return keys.every((k) => filter.mayContain(k));
      }),
    );
  });

  it('says "not stored" for almost every other key at its sizing (one key per 16 bits)', () => {
    // The smallest filter (2^24 bits) filled to its design load of 2^20 keys.
    const filter = new KeyFilter(1);
    const stored = randomBytes(32 * 2 ** 20);
    for (let i = 0; i < 2 ** 20; i++) filter.add(stored.toString('hex', i * 32, i * 32 + 32));
    let positives = 0;
    const probes = 20_000;
    const other = randomBytes(32 * probes);
    for (let i = 0; i < probes; i++) if (filter.mayContain(other.toString('hex', i * 32, i * 32 + 32))) positives++;
    // Expected (1 - e^(-4/16))^4 ≈ 0.24 %; a wrong bit position or mask gives far more.
    expect(positives / probes).toBeLessThan(0.01);
  });

  it('knows when it is past its design load, so that its owner can replace it', () => {
    const filter = new KeyFilter(0, 16);
    expect(filter.capacity).toBe(16);
    for (let i = 0; i < 16; i++) filter.add(key(Buffer.from(`k${i}`)));
    expect(filter.overfull).toBe(false);
    filter.add(key(Buffer.from('one more')));
    expect(filter.overfull).toBe(true);
    // Its replacement doubles the capacity, or covers the keys if they ran further ahead.
    expect(filter.larger().capacity).toBe(32);
    expect(filter.larger().size).toBe(0);
    for (let i = 0; i < 100; i++) filter.add(key(Buffer.from(`more ${i}`)));
    expect(filter.larger().capacity).toBe(128);
    expect(new KeyFilter(1).larger().capacity).toBe(2 ** 21);
    // The default smallest filter: 2^24 bits, a million keys.
    expect(new KeyFilter(1).capacity).toBe(2 ** 20);
    expect(new KeyFilter(3_000_000).capacity).toBe(2 ** 22);
  });

  it('uses the whole key: keys differing only in a later word are told apart', () => {
    const filter = new KeyFilter(1);
    const base = key(Buffer.from('base'));
    filter.add(base);
    const others = Array.from({ length: 200 }, (_, i) => base.slice(0, 24) + key(Buffer.from(`other ${i}`)).slice(24));
    expect(others.filter((k) => filter.mayContain(k)).length).toBeLessThan(5);
  });
});
