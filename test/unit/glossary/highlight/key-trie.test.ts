import { describe, expect, it } from 'vitest';
import { KeyTrie, compareSeqs } from '../../../../src/glossary/highlight/key-trie.js';

const trieOf = (entities: Record<string, string[]>): KeyTrie => {
  const trie = new KeyTrie();
  for (const [seq, keys] of Object.entries(entities)) trie.add(seq, keys);
  return trie;
};
const spans = (trie: KeyTrie, text: string): [string, number, number][] => trie.scan(text).map((m) => [m.name, m.start, m.end]);

describe('KeyTrie.scan', () => {
  it('counts astral-plane characters (emoji, CJK Extension B) as one code point', () => {
    const trie = trieOf({ '1': ['😀'], '2': ['𠀀文'], '3': ['数据'] });
    // 👍🏽 is two code points (the thumb and its skin-tone modifier), four UTF-16 units.
    expect(spans(trie, 'a😀b𠀀文👍🏽数据')).toEqual([
      ['😀', 1, 2],
      ['𠀀文', 3, 5],
      ['数据', 7, 9],
    ]);
  });

  it('prefers the leftmost match, then the longest one there', () => {
    const trie = trieOf({ '1': ['ab'], '2': ['abc'], '3': ['bcd'], '4': ['d'] });
    expect(spans(trie, 'abcd')).toEqual([
      ['abc', 0, 3],
      ['d', 3, 4],
    ]);
    expect(spans(trie, 'xbcd')).toEqual([['bcd', 1, 4]]);
  });

  it('falls back to the longest key the walk passed when a longer path dead-ends', () => {
    const trie = trieOf({ '1': ['a'], '2': ['abc'] });
    expect(spans(trie, 'abx ab abc')).toEqual([
      ['a', 0, 1],
      ['a', 4, 5],
      ['abc', 7, 10],
    ]);
  });

  it('matches exactly: case and form matter', () => {
    const trie = trieOf({ '1': ['KYC'] });
    expect(spans(trie, 'kyc Kyc KYC KYCM')).toEqual([
      ['KYC', 8, 11],
      ['KYC', 12, 15],
    ]);
  });

  it('maps every key of an entity to it, and a shared key to all its entities by seq', () => {
    const trie = trieOf({ '7': ['Lingo', '飞书词典', 'LG'], '10': ['AI'], '9': ['AI'], '100': ['AI'] });
    expect(trie.scan('LG 是 Lingo，即飞书词典；AI').map((m) => [m.name, m.seqs])).toEqual([
      ['LG', ['7']],
      ['Lingo', ['7']],
      ['飞书词典', ['7']],
      ['AI', ['9', '10', '100']],
    ]);
  });

  it('matches a key of 100 characters', () => {
    const key = '词'.repeat(50) + 'x'.repeat(50);
    const trie = trieOf({ '1': [key, '词'] });
    expect(spans(trie, `a${key}`)).toEqual([[key, 1, 101]]);
  });

  it('handles a lone surrogate as one code point, never half of a pair', () => {
    const trie = trieOf({ '1': ['\uD83D'] });
    expect(spans(trie, '😀')).toEqual([]);
    expect(spans(trie, 'a\uD83Db')).toEqual([['\uD83D', 1, 2]]);
  });

  it('returns seq lists the caller may change without changing the index', () => {
    const trie = trieOf({ '1': ['x'] });
    trie.scan('x')[0]!.seqs.push('2');
    expect(trie.scan('x')[0]!.seqs).toEqual(['1']);
  });

  it('finds nothing in an empty text or an empty index', () => {
    expect(trieOf({ '1': ['a'] }).scan('')).toEqual([]);
    expect(new KeyTrie().scan('abc')).toEqual([]);
  });
});

describe('KeyTrie updates', () => {
  it('add replaces the keys an entity had', () => {
    const trie = trieOf({ '1': ['old', 'both'] });
    trie.add('1', ['both', 'new']);
    expect(spans(trie, 'old both new')).toEqual([
      ['both', 4, 8],
      ['new', 9, 12],
    ]);
    expect(trie.stats()).toEqual({ entities: 1, keys: 2, nodes: 7 });
  });

  it('remove drops only that entity and prunes the nodes no key needs', () => {
    const trie = trieOf({ '1': ['abc', 'AI'], '2': ['ab', 'AI'] });
    expect(trie.stats()).toEqual({ entities: 2, keys: 3, nodes: 5 });
    expect(trie.remove('1')).toBe(true);
    expect(trie.scan('abc AI').map((m) => [m.name, m.seqs])).toEqual([
      ['ab', ['2']],
      ['AI', ['2']],
    ]);
    expect(trie.stats()).toEqual({ entities: 1, keys: 2, nodes: 4 });
    expect(trie.remove('1')).toBe(false);
    trie.remove('2');
    expect(trie.stats()).toEqual({ entities: 0, keys: 0, nodes: 0 });
  });

  it('ignores empty and repeated keys; an entity with no key is not held', () => {
    const trie = trieOf({ '1': ['', 'a', 'a'], '2': [''] });
    expect(trie.scan('a')[0]!.seqs).toEqual(['1']);
    expect(trie.stats()).toEqual({ entities: 1, keys: 1, nodes: 1 });
    trie.add('1', []);
    expect(trie.stats()).toEqual({ entities: 0, keys: 0, nodes: 0 });
  });

  it('reuses freed nodes and grows past its first capacity', () => {
    const trie = new KeyTrie();
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i <= 600; i++) trie.add(String(i), [`k${i}`, `${i}号`]);
      expect(trie.stats().keys).toBe(1200);
      expect(trie.scan('k599 600号')).toEqual([
        { name: 'k599', seqs: ['599'], start: 0, end: 4 },
        { name: '600号', seqs: ['600'], start: 5, end: 9 },
      ]);
      for (let i = 1; i <= 600; i++) trie.remove(String(i));
      expect(trie.stats()).toEqual({ entities: 0, keys: 0, nodes: 0 });
    }
  });
});

describe('compareSeqs', () => {
  it('orders canonical decimals numerically, beyond 2^53 too', () => {
    const seqs = ['10', '9', '9007199254740993', '9007199254740992', '100'];
    expect(seqs.sort(compareSeqs)).toEqual(['9', '10', '100', '9007199254740992', '9007199254740993']);
  });
});
