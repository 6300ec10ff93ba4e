/**
 * The two derivations of spec §3 "observed behaviour": Feishu fills `description` from
 * `rich_text` (tags stripped) and `rich_text` from `description` (the main key in bold, then the
 * text). Neither is an HTML parser: the rich text only ever goes back to clients as the string
 * they stored, so all that matters here is readable plain text for search and a well-formed,
 * escaped wrapper.
 */

/** True when the rich text has a `<p>` or `<p …>` tag, in any case (spec §3: at least one). */
export function hasParagraph(richText: string): boolean {
  return /<p[\s>]/i.test(richText);
}

/** `<p><b>{main key}</b><span>{description}</span></p>`, both HTML-escaped. */
export function richTextFromDescription(mainKey: string, description: string): string {
  return `<p><b>${escapeHtml(mainKey)}</b><span>${escapeHtml(description)}</span></p>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The text of a rich text: tags and comments removed, character references decoded, whitespace
 * collapsed to single spaces and trimmed. Inline tags vanish (`<b>K</b>YC` is `KYC`); block and
 * break tags become a space so that paragraphs do not run into each other. A `<` that does not
 * start a tag (`a < b`) is text. Linear in the input.
 */
export function plainTextOf(richText: string): string {
  let out = '';
  let i = 0;
  while (i < richText.length) {
    const lt = richText.indexOf('<', i);
    if (lt < 0) {
      out += richText.slice(i);
      break;
    }
    out += richText.slice(i, lt);
    const tag = tagAt(richText, lt);
    if (tag === undefined) {
      out += '<';
      i = lt + 1;
      continue;
    }
    if (tag.end < 0) {
      // An unterminated tag or comment: everything from it on is markup, none of it text.
      break;
    }
    if (tag.block) out += ' ';
    i = tag.end;
  }
  return decodeCharacterReferences(out).replace(/\s+/g, ' ').trim();
}

/** Tags whose start or end separates words. */
const blockTags = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'td', 'th', 'tr', 'ul',
]); // prettier-ignore

/**
 * The markup that starts at `text[lt] === '<'`: a tag (`<b`, `</p`), a comment (`<!--`) or a
 * declaration / processing instruction (`<!…`, `<?…`), with the index just after it (-1 when it
 * never ends); undefined when this `<` starts no markup.
 */
function tagAt(text: string, lt: number): { end: number; block: boolean } | undefined {
  if (text.startsWith('<!--', lt)) {
    const close = text.indexOf('-->', lt + 4);
    return { end: close < 0 ? -1 : close + 3, block: false };
  }
  const m = /^<(\/?)([A-Za-z][A-Za-z0-9]*)|^<[!?]/.exec(text.slice(lt, lt + 64));
  if (!m) return undefined;
  const gt = text.indexOf('>', lt + 1);
  return { end: gt < 0 ? -1 : gt + 1, block: m[2] !== undefined && blockTags.has(m[2].toLowerCase()) };
}

const namedReferences: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** `&amp;`-style names of the common few, and every numeric reference that names a scalar value. */
export function decodeCharacterReferences(text: string): string {
  return text.replace(/&(?:#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z]+));/g, (ref, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return namedReferences[name] ?? ref;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex ?? '', 16);
    const scalar = cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    return scalar ? String.fromCodePoint(cp) : ref;
  });
}
