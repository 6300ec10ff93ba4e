import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCharacterReferences, escapeHtml, hasParagraph, plainTextOf, richTextFromDescription } from '../../../../src/glossary/wire/rich-text.js';

describe('hasParagraph', () => {
  it('finds <p> and <p …> in any case, and nothing else', () => {
    for (const yes of ['<p>x</p>', '<P>x', 'a<p class="c">b', '<p\tid=1>', '<p\n>']) expect(hasParagraph(yes), yes).toBe(true);
    for (const no of ['', 'plain', '<pre>x</pre>', '<span>p</span>', '&lt;p&gt;', '< p>', '<param>', '</p>']) expect(hasParagraph(no), no).toBe(false);
  });
});

describe('richTextFromDescription', () => {
  it('wraps the main key in bold and the description in a span, both escaped', () => {
    expect(richTextFromDescription('KYC', 'Know your customer')).toBe('<p><b>KYC</b><span>Know your customer</span></p>');
    expect(richTextFromDescription('A&B <x>', `"q" 'a' <script>`)).toBe('<p><b>A&amp;B &lt;x&gt;</b><span>&quot;q&quot; &#39;a&#39; &lt;script&gt;</span></p>');
  });

  it('round-trips: the text of the wrapper is the key followed by the description', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ maxLength: 200 }), (key, description) => {
        const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
        expect(plainTextOf(richTextFromDescription(key, description))).toBe(squash(key + description));
      }),
    );
  });
});

describe('plainTextOf', () => {
  it('strips tags, separates blocks, decodes references and collapses whitespace', () => {
    expect(plainTextOf('<p><b>KYC</b><span>Know your customer</span></p>')).toBe('KYCKnow your customer');
    expect(plainTextOf('<p>First</p><p>Second<br/>line</p>')).toBe('First Second line');
    expect(plainTextOf('<P CLASS="x">a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x4E2D;&#25991;</P>')).toBe(`a & b <c> "d" 'e' 中文`);
    expect(plainTextOf('<p>a&nbsp;&nbsp; \n\t b</p>')).toBe('a b');
    expect(plainTextOf('<p><a href="https://x.example/?a=1&amp;b=2">link</a> <i>it</i></p>')).toBe('link it');
    expect(plainTextOf('<p>x<!-- <b>hidden</b> -->y</p>')).toBe('xy');
  });

  it('keeps a < that starts no tag, and drops an unterminated tag', () => {
    expect(plainTextOf('<p>a < b and 3<4</p>')).toBe('a < b and 3<4');
    expect(plainTextOf('<p>ok</p><b unterminated')).toBe('ok');
    expect(plainTextOf('<p>ok<!-- never closed')).toBe('ok');
  });

  it('leaves unknown or invalid references as they are', () => {
    expect(decodeCharacterReferences('&bogus; &#0; &#xD800; &#x110000; &amp')).toBe('&bogus; &#0; &#xD800; &#x110000; &amp');
    expect(decodeCharacterReferences('&#128512;')).toBe('😀');
  });

  it('never leaves a tag behind and stays fast on hostile input', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('<p>', '</p>', '<b>', '<', '>', 'a', ' ', '&amp;', '<!--', '-->', '<br/>', '&'), { maxLength: 60 }), (parts) => {
        const text = plainTextOf(parts.join(''));
        expect(text).not.toMatch(/<\/?(p|b|br)[\s/>]/i);
        expect(text).toBe(text.trim());
        expect(text).not.toMatch(/\s{2}/);
      }),
    );
    const hostile = '<a'.repeat(50_000) + '<!--'.repeat(20_000) + 'a<'.repeat(50_000);
    const started = performance.now();
    plainTextOf(hostile);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
