import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyTrie, type KeyMatch } from '../../../../src/glossary/highlight/key-trie.js';

/**
 * A small alphabet, so that random keys share prefixes and random texts hit them often: ASCII of
 * both cases, BMP CJK, an emoji and a CJK Extension B character (both astral: two UTF-16 units).
 */
const char = fc.constantFrom('a', 'b', 'A', '中', '文', '😀', '𠀀');
const key = fc.array(char, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
const text = fc.array(char, { maxLength: 40 }).map((cs) => cs.join(''));
const seq = fc.integer({ min: 1, max: 120 }).map(String);
const entities = fc.uniqueArray(fc.record({ seq, keys: fc.array(key, { maxLength: 3 }) }), { selector: (e) => e.seq, maxLength: 12 });

type Glossary = Map<string, readonly string[]>;
const glossaryOf = (rows: readonly { seq: string; keys: string[] }[]): Glossary => new Map(rows.map((r) => [r.seq, r.keys]));

function trieOf(glossary: Glossary): KeyTrie {
  const trie = new KeyTrie();
  for (const [s, keys] of glossary) trie.add(s, keys);
  return trie;
}

/**
 * The rule written plainly: at each code point, try every length from the longest key down; the
 * first that is a key is the match, and the scan resumes after it; otherwise move on by one.
 */
function oracle(glossary: Glossary, input: string): KeyMatch[] {
  const seqsByKey = new Map<string, string[]>();
  for (const [s, keys] of glossary) {
    for (const k of new Set(keys)) seqsByKey.set(k, [...(seqsByKey.get(k) ?? []), s]);
  }
  for (const list of seqsByKey.values()) list.sort((a, b) => Number(a) - Number(b));
  const longest = Math.max(0, ...[...seqsByKey.keys()].map((k) => Array.from(k).length));
  const chars = Array.from(input);
  const out: KeyMatch[] = [];
  let i = 0;
  while (i < chars.length) {
    let matched = 0;
    for (let len = Math.min(longest, chars.length - i); len >= 1; len--) {
      const candidate = chars.slice(i, i + len).join('');
      const seqs = seqsByKey.get(candidate);
      if (seqs) {
        out.push({ name: candidate, seqs, start: i, end: i + len });
        matched = len;
        break;
      }
    }
    i += matched || 1;
  }
  return out;
}

/** A text that surely contains some of the glossary's keys, with random characters around them. */
const textWithKeys = (glossary: Glossary, filler: readonly string[]): string => {
  const keys = [...glossary.values()].flat();
  return filler.map((f, i) => f + (keys.length > 0 ? keys[i % keys.length] : '')).join('');
};

describe('KeyTrie (property)', () => {
  it('gives in-range, ascending, non-overlapping spans, each naming a key of every listed entity', () => {
    fc.assert(
      fc.property(entities, fc.array(text, { maxLength: 4 }), (rows, filler) => {
        const glossary = glossaryOf(rows);
        const input = textWithKeys(glossary, filler);
        const chars = Array.from(input);
        let previousEnd = 0;
        for (const m of trieOf(glossary).scan(input)) {
          expect(m.start).toBeGreaterThanOrEqual(previousEnd);
          expect(m.end).toBeGreaterThan(m.start);
          expect(m.end).toBeLessThanOrEqual(chars.length);
          expect(chars.slice(m.start, m.end).join('')).toBe(m.name);
          const holders = [...glossary].filter(([, keys]) => keys.includes(m.name)).map(([s]) => s);
          expect(m.seqs).toEqual(holders.sort((a, b) => Number(a) - Number(b)));
          previousEnd = m.end;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('equals the brute-force leftmost-longest oracle', () => {
    fc.assert(
      fc.property(entities, text, fc.array(text, { maxLength: 4 }), (rows, random, filler) => {
        const glossary = glossaryOf(rows);
        const trie = trieOf(glossary);
        for (const input of [random, textWithKeys(glossary, filler)]) expect(trie.scan(input)).toEqual(oracle(glossary, input));
      }),
      { numRuns: 500 },
    );
  });

  it('after any sequence of adds and removes, equals a trie built from the final state', () => {
    const smallSeq = fc.integer({ min: 1, max: 8 }).map(String);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), seq: smallSeq, keys: fc.array(key, { maxLength: 3 }) }),
      fc.record({ kind: fc.constant('remove' as const), seq: smallSeq }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(text, { minLength: 1, maxLength: 4 }), (ops, filler) => {
        const trie = new KeyTrie();
        const final = new Map<string, string[]>();
        for (const o of ops) {
          if (o.kind === 'add') {
            trie.add(o.seq, o.keys);
            final.set(o.seq, o.keys);
          } else {
            expect(trie.remove(o.seq)).toBe(final.has(o.seq) && final.get(o.seq)!.length > 0);
            final.delete(o.seq);
          }
        }
        const fresh = trieOf(final);
        // Equal node counts: removal pruned exactly the paths no remaining key needs.
        expect(trie.stats()).toEqual(fresh.stats());
        const input = textWithKeys(final, filler);
        expect(trie.scan(input)).toEqual(fresh.scan(input));
        expect(trie.scan(input)).toEqual(oracle(final, input));
      }),
      { numRuns: 500 },
    );
  });
});
