import { describe, expect, it } from 'vitest';
import { newLogId } from '../../../src/http/log-id.js';

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
