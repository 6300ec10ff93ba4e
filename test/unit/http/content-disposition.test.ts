import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../../src/http/content-disposition.js';

describe('contentDisposition', () => {
  it('escapes quotes and backslashes, keeps raw UTF-8 in filename and exact text in filename*', () => {
    const header = contentDisposition('a"b\\c;d/图.png');
    expect(Buffer.from(header, 'latin1').toString('utf8')).toBe(`attachment; filename="a\\"b\\\\c;d/图.png"; filename*=UTF-8''a%22b%5Cc%3Bd%2F%E5%9B%BE.png`);
    expect(header).not.toMatch(/[\r\n]/);
  });
});
