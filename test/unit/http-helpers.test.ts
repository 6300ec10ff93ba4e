import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/http/byte-range.js';
import { contentDisposition } from '../../src/http/content-disposition.js';
import { bearerToken } from '../../src/http/gateway.js';
import { newLogId } from '../../src/http/log-id.js';

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

describe('contentDisposition', () => {
  it('escapes quotes and backslashes, keeps raw UTF-8 in filename and exact text in filename*', () => {
    const header = contentDisposition('a"b\\c;d/图.png');
    expect(Buffer.from(header, 'latin1').toString('utf8')).toBe(
      `attachment; filename="a\\"b\\\\c;d/图.png"; filename*=UTF-8''a%22b%5Cc%3Bd%2F%E5%9B%BE.png`,
    );
    expect(header).not.toMatch(/[\r\n]/);
  });
});

describe('bearerToken', () => {
  it('accepts only "Bearer <token>"', () => {
    expect(bearerToken('Bearer t-abc')).toBe('t-abc');
    expect(bearerToken('bearer t-abc')).toBe('t-abc');
    for (const bad of [undefined, '', 'Bearer', 'Bearer ', 'Basic x', 'Bearer a b', 't-abc']) expect(bearerToken(bad)).toBeUndefined();
  });
});

describe('newLogId', () => {
  it('is UTC yyyyMMddHHmmss plus 20 uppercase hex digits', () => {
    expect(newLogId(Date.UTC(2026, 10, 24, 3, 4, 5))).toMatch(/^20261124030405[0-9A-F]{20}$/);
  });

  it('follows the clock second by second and never repeats its random part (pool refills included)', () => {
    const t = Date.UTC(2026, 10, 24, 23, 59, 59, 999);
    expect(newLogId(t).slice(0, 14)).toBe('20261124235959');
    expect(newLogId(t + 1).slice(0, 14)).toBe('20261125000000');
    const ids = Array.from({ length: 2000 }, () => newLogId(t));
    expect(new Set(ids.map((id) => id.slice(14))).size).toBe(ids.length);
  });
});
