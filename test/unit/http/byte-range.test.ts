import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/http/byte-range.js';

describe('parseRange', () => {
  it('reads single ranges and refuses what lies outside the file', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'range', range: { start: 0, end: 9 } });
    expect(parseRange('bytes=90-200', 100)).toEqual({ kind: 'range', range: { start: 90, end: 99 } });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'range', range: { start: 90, end: 99 } });
    expect(parseRange('bytes=-500', 100)).toEqual({ kind: 'range', range: { start: 0, end: 99 } });
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    for (const ignored of [undefined, '', 'bytes=0-1,4-5', 'items=0-1', 'bytes=5-2', 'bytes=-']) {
      expect(parseRange(ignored, 100)).toEqual({ kind: 'none' });
    }
  });
});
