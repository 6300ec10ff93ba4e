/**
 * A seeded glossary and highlight texts for the highlight benchmarks (bench/highlight-index.ts,
 * and the server-level one over HTTP). Same seed, same corpus on every run and machine. Keys look
 * like a company glossary's: English-like product words and acronyms, CJK words of 2–4
 * characters, and multi-word English phrases; ~1 % of aliases are shared between entities, as
 * real glossaries share "AI" or "数据". Everything is in the Basic Multilingual Plane, so a text's
 * length is the same in code points and UTF-16 units (the highlight body's 1,000-character cap).
 */

export interface CorpusEntity {
  mainKey: string;
  aliases: string[];
  description: string;
}

/** mulberry32: a tiny seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rnd: Rng, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const between = (rnd: Rng, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

const onsets = ['b', 'c', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cl', 'st', 'tr', 'sh', 'ch', 'pl'];
const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou', 'io'];
const codas = ['', '', '', 'n', 'r', 's', 'x', 'l', 'ng', 'm', 'st'];
const fillerWords = ['the', 'and', 'with', 'for', 'our', 'team', 'will', 'use', 'in', 'to', 'of', 'new', 'on', 'this', 'week', 'please', 'check'];
const fillerCjk = '的了是在我们和有这个为上也就到说要去你会着看好自己还那些吗过';

/** 3,000 distinct characters of the CJK Unified Ideographs block, chosen by the seed. */
function cjkPool(rnd: Rng): string[] {
  const chosen = new Set<number>();
  while (chosen.size < 3000) chosen.add(between(rnd, 0x4e00, 0x9fa5));
  return [...chosen].map((c) => String.fromCodePoint(c));
}

function englishWord(rnd: Rng): string {
  let w = '';
  for (let i = between(rnd, 2, 4); i > 0; i--) w += pick(rnd, onsets) + pick(rnd, vowels) + pick(rnd, codas);
  return rnd() < 0.4 ? w[0]!.toUpperCase() + w.slice(1) : w;
}

const acronymOf = (words: readonly string[]): string => words.map((w) => w[0]!.toUpperCase()).join('');

function cjkWord(rnd: Rng, pool: readonly string[]): string {
  let w = '';
  for (let i = between(rnd, 2, 4); i > 0; i--) w += pick(rnd, pool);
  return w;
}

/** A main key and the words an acronym alias can be built from. */
function mainKey(rnd: Rng, pool: readonly string[]): { key: string; words: string[] } {
  const r = rnd();
  if (r < 0.4) {
    const w = englishWord(rnd);
    return { key: w, words: [w] };
  }
  if (r < 0.75) return { key: cjkWord(rnd, pool), words: [] };
  const words = Array.from({ length: between(rnd, 2, 3) }, () => englishWord(rnd).toLowerCase());
  return { key: words.join(' '), words };
}

function alias(rnd: Rng, pool: readonly string[], words: readonly string[], shared: readonly string[]): string {
  if (shared.length > 0 && rnd() < 0.01) return pick(rnd, shared);
  if (words.length > 1 && rnd() < 0.6) return acronymOf(words) + (rnd() < 0.5 ? '' : String(between(rnd, 2, 99)));
  return rnd() < 0.5 ? cjkWord(rnd, pool) : englishWord(rnd);
}

/**
 * `entities` entries with twice as many keys: one main key each and, by the pattern 0, 1, 2, 1
 * aliases, one alias on average. Main keys are unique; aliases may repeat across entities.
 */
export function makeGlossary(opts: { entities?: number; seed?: number } = {}): CorpusEntity[] {
  const entities = opts.entities ?? 10_000;
  const rnd = seededRandom(opts.seed ?? 17);
  const pool = cjkPool(rnd);
  const used = new Set<string>();
  const aliasesSoFar: string[] = [];
  const out: CorpusEntity[] = [];
  for (let i = 0; i < entities; i++) {
    let main = mainKey(rnd, pool);
    for (let attempt = 0; used.has(main.key) && attempt < 100; attempt++) main = mainKey(rnd, pool);
    used.add(main.key);
    const aliases: string[] = [];
    for (let a = [0, 1, 2, 1][i % 4]!; a > 0; a--) {
      let key = alias(rnd, pool, main.words, aliasesSoFar);
      for (let attempt = 0; (key === main.key || aliases.includes(key)) && attempt < 100; attempt++) key = alias(rnd, pool, main.words, []);
      aliases.push(key);
      aliasesSoFar.push(key);
    }
    out.push({ mainKey: main.key, aliases, description: `${main.key}: ${cjkWord(rnd, pool)}${cjkWord(rnd, pool)} (generated entry ${i + 1})` });
  }
  return out;
}

/**
 * A chat-like text of exactly `codePoints` characters: glossary keys (about `keyShare` of the
 * pieces) among English and Chinese filler, so a scan finds some phrases and walks past many
 * near-misses. Different seeds give different texts over the same glossary.
 */
export function makeHighlightText(glossary: readonly CorpusEntity[], opts: { codePoints?: number; seed?: number; keyShare?: number } = {}): string {
  const length = opts.codePoints ?? 1000;
  const keyShare = opts.keyShare ?? 0.2;
  const rnd = seededRandom(opts.seed ?? 1);
  let text = '';
  while (text.length < length) {
    const r = rnd();
    if (r < keyShare) {
      const e = pick(rnd, glossary);
      text += e.aliases.length > 0 && rnd() < 0.4 ? pick(rnd, e.aliases) : e.mainKey;
    } else if (r < keyShare + (1 - keyShare) / 2) {
      text += pick(rnd, fillerWords);
    } else {
      for (let i = between(rnd, 1, 4); i > 0; i--) text += fillerCjk[Math.floor(rnd() * fillerCjk.length)];
    }
    text += pick(rnd, [' ', ' ', ' ', '，', ', ', '。']);
  }
  return text.slice(0, length);
}
