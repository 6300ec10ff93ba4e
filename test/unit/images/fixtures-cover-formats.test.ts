import { describe, expect, it } from 'vitest';
import { inspectImage, supportedFormats } from '../../../src/images/inspector.js';
import { allFormats, makeImage, padTo } from '../../fixtures/images.js';

describe('fixtures cover every supported format', () => {
  it('allFormats is exactly the set of formats the inspector supports', () => {
    expect([...allFormats].sort()).toEqual([...supportedFormats].sort());
  });

  for (const format of supportedFormats) {
    it(`${format}: makeImage gives a valid image of the asked size and at least 3072 bytes`, async () => {
      const buf = await makeImage(format, 321, 322);
      expect(buf.length).toBeGreaterThanOrEqual(3072);
      expect(inspectImage(buf)).toMatchObject({ format, width: 321, height: 322, logicalEndBytes: buf.length });
      const big = await makeImage(format, 400, 300, { minBytes: 200_000 });
      expect(big.length).toBeGreaterThanOrEqual(200_000);
      expect(inspectImage(big)).toMatchObject({ format, width: 400, height: 300, logicalEndBytes: big.length });
    });
  }

  it('minBytes 0 gives a natural-size image that padTo can grow to an exact size', async () => {
    const small = await makeImage('png', 320, 320, { minBytes: 0 });
    expect(small.length).toBeLessThan(3071);
    const padded = padTo(small, 3072);
    expect(padded.length).toBe(3072);
    expect(inspectImage(padded)).toMatchObject({ logicalEndBytes: small.length, totalBytes: 3072 });
    expect(() => padTo(padded, 10)).toThrow();
  });

  it('returns a fresh copy each call: mutating one does not poison the cache', async () => {
    const a = await makeImage('gif', 320, 320);
    a.fill(0);
    const b = await makeImage('gif', 320, 320);
    expect(inspectImage(b)).toMatchObject({ format: 'gif' });
  });
});
