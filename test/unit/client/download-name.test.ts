import { describe, expect, it } from 'vitest';
import { dispositionFileName, safeFileName } from '../../../src/client/download-name.js';
import { contentDisposition } from '../../../src/http/content-disposition.js';

describe('dispositionFileName: the name in Content-Disposition', () => {
  // fetch hands a header over as Node writes it: each byte on the wire as one Latin-1 character.
  it("reads back every name the server's own header writes", () => {
    for (const name of ['plain.png', '词典 图片.jpg', 'quote " and \\ backslash.png', "it's (1) *.gif", '100%.png', 'a;b=c.png']) {
      expect(dispositionFileName(contentDisposition(name)), name).toBe(name);
    }
  });

  it('prefers filename* (RFC 5987), UTF-8 or ISO-8859-1, over filename', () => {
    expect(dispositionFileName(`attachment; filename="fallback.png"; filename*=UTF-8''%E8%AF%8D.png`)).toBe('词.png');
    expect(dispositionFileName(`attachment; filename*=utf-8'en'a%20b.png; filename="x"`)).toBe('a b.png');
    expect(dispositionFileName(`attachment; filename*=ISO-8859-1''caf%E9.png`)).toBe('café.png');
  });

  it('falls back to filename when filename* is unusable, and reads its raw bytes as UTF-8 when they are', () => {
    expect(dispositionFileName(`attachment; filename*=UTF-8''%FF%FE.png; filename="ok.png"`)).toBe('ok.png');
    expect(dispositionFileName(`attachment; filename*=koi8-r''x.png; filename="ok.png"`)).toBe('ok.png');
    expect(dispositionFileName(`attachment; filename="${Buffer.from('词.png').toString('latin1')}"`)).toBe('词.png');
    expect(dispositionFileName('attachment; filename="caf\xe9.png"')).toBe('café.png');
    expect(dispositionFileName('attachment; filename=bare.png')).toBe('bare.png');
  });

  it('undefined when there is no name', () => {
    expect(dispositionFileName(null)).toBeUndefined();
    expect(dispositionFileName('attachment')).toBeUndefined();
    expect(dispositionFileName('inline; size=3')).toBeUndefined();
  });
});

describe('safeFileName: a name that stays inside the output folder', () => {
  it('replaces separators and control characters, and never yields a folder name', () => {
    expect(safeFileName('../../etc/passwd', 'tok')).toBe('.._.._etc_passwd');
    expect(safeFileName('a\\b/c', 'tok')).toBe('a_b_c');
    expect(safeFileName('new\nline\u0000.png', 'tok')).toBe('new_line_.png');
    for (const name of ['', '.', '..', '  ', ' .. ']) expect(safeFileName(name, 'tok'), JSON.stringify(name)).toBe('tok');
    expect(safeFileName('..a', 'tok')).toBe('..a');
  });

  it('shortens a name over 255 bytes before its extension, on a character boundary', () => {
    const name = '词'.repeat(99) + '.png';
    const safe = safeFileName(name, 'tok');
    expect(Buffer.byteLength(safe)).toBeLessThanOrEqual(255);
    expect(safe).toBe('词'.repeat(83) + '.png');
  });
});
