import { CodePointTable } from './code-point-table.js';

/**
 * The highlight index of one tenant: keys → entity seqs, scanned leftmost-longest.
 *
 * Why a code-point trie walked from each start position rather than Aho-Corasick: an
 * Aho-Corasick automaton's failure links are global (adding "ab" changes where every "…a" state
 * falls back to), so keeping one current on every write means a rebuild or a far more intricate
 * dynamic variant, and leftmost-longest needs yet another construction on top. A plain trie takes
 * a write by touching only that entity's key paths, and leftmost-longest is simply "walk as far as
 * the trie goes, keep the last key end". The walk from a position stops at the first code point
 * no key continues with: O(n·d) where d is the depth actually walked, 1–3 for natural text and at
 * most 100 (the entity validator's key cap). The npm Aho-Corasick packages looked at
 * (modern-ahocorasick, ahocorasick, @monyone/aho-corasick) build the automaton whole, with no
 * removal or a rebuild per change, and report overlapping matches in UTF-16 units: none fits.
 *
 * Memory: nodes live in parallel typed arrays (17 bytes a node), children as sibling lists (a
 * node past the root has a handful); only the root, whose fan-out is the whole first-character
 * alphabet (thousands with CJK) and which every scan position consults, has a hash table.
 *
 * Matching is exact: case-sensitive, no normalisation, as match (§8) compares keys.
 */

export interface KeyMatch {
  /** The matched text, equal to the key. */
  name: string;
  /** Every entity with that key, by seq ascending (numerically). */
  seqs: string[];
  /** Code-point offsets in the scanned text, end exclusive. */
  start: number;
  end: number;
}

export interface KeyTrieStats {
  entities: number;
  /** Distinct keys. */
  keys: number;
  /** Live trie nodes, the root excluded. */
  nodes: number;
}

/** Seqs are canonical decimals: a shorter one is smaller. */
export function compareSeqs(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

const none = 0; // node 0 is the root, never anyone's child, so 0 also means "no node"
const initialCapacity = 1024;

export class KeyTrie {
  private codePoint = new Int32Array(initialCapacity);
  private firstChild = new Int32Array(initialCapacity);
  private nextSibling = new Int32Array(initialCapacity);
  private parent = new Int32Array(initialCapacity);
  private terminal = new Uint8Array(initialCapacity);
  /** The root's children: its fan-out is the whole first-character alphabet. */
  private readonly rootChildren = new CodePointTable();
  /** Terminal node → the seqs with that key, sorted. */
  private readonly seqsAt = new Map<number, string[]>();
  /** Seq → the terminal nodes of its keys (nodes never move, and a referenced terminal is never freed). */
  private readonly keyNodesOf = new Map<string, number[]>();
  private highWater = 1;
  /** Freed nodes, chained through nextSibling. */
  private freeHead = none;
  private liveNodes = 0;

  /** Sets the keys of `seq`, replacing any it had; empty keys are ignored (they match nothing). */
  add(seq: string, keys: readonly string[]): void {
    this.remove(seq);
    const nodes: number[] = [];
    for (const key of new Set(keys)) {
      if (key.length === 0) continue;
      const node = this.insertPath(key);
      this.terminal[node] = 1;
      const seqs = this.seqsAt.get(node);
      if (seqs === undefined) this.seqsAt.set(node, [seq]);
      else seqs.splice(insertionIndex(seqs, seq), 0, seq);
      nodes.push(node);
    }
    if (nodes.length > 0) this.keyNodesOf.set(seq, nodes);
  }

  /** Drops every key of `seq`; false if it had none. */
  remove(seq: string): boolean {
    const nodes = this.keyNodesOf.get(seq);
    if (nodes === undefined) return false;
    this.keyNodesOf.delete(seq);
    for (const node of nodes) {
      const seqs = this.seqsAt.get(node)!;
      seqs.splice(seqs.indexOf(seq), 1);
      if (seqs.length > 0) continue;
      this.seqsAt.delete(node);
      this.terminal[node] = 0;
      this.prune(node);
    }
    return true;
  }

  /** Leftmost-longest, non-overlapping occurrences of keys in `text`, in text order. */
  scan(text: string): KeyMatch[] {
    // Code points of the text, with each one's UTF-16 offset (to slice `name` out).
    const codePoints = new Int32Array(text.length);
    const offsets = new Int32Array(text.length + 1);
    let count = 0;
    for (let i = 0; i < text.length; count++) {
      const c = text.codePointAt(i)!;
      codePoints[count] = c;
      offsets[count] = i;
      i += c > 0xffff ? 2 : 1;
    }
    offsets[count] = text.length;

    const out: KeyMatch[] = [];
    let start = 0;
    while (start < count) {
      let node = this.rootChildren.get(codePoints[start]!);
      let bestEnd = -1;
      let bestNode = none;
      let end = start + 1;
      while (node !== none) {
        if (this.terminal[node] === 1) {
          bestEnd = end;
          bestNode = node;
        }
        if (end >= count) break;
        node = this.child(node, codePoints[end]!);
        end++;
      }
      if (bestEnd < 0) {
        start++;
        continue;
      }
      const name = text.slice(offsets[start], offsets[bestEnd]);
      out.push({ name, seqs: this.seqsAt.get(bestNode)!.slice(), start, end: bestEnd });
      start = bestEnd;
    }
    return out;
  }

  stats(): KeyTrieStats {
    return { entities: this.keyNodesOf.size, keys: this.seqsAt.size, nodes: this.liveNodes };
  }

  private child(node: number, c: number): number {
    if (node === none) return this.rootChildren.get(c);
    for (let ch = this.firstChild[node]!; ch !== none; ch = this.nextSibling[ch]!) {
      if (this.codePoint[ch] === c) return ch;
    }
    return none;
  }

  /** The node at the end of `key`'s path, creating what is missing. */
  private insertPath(key: string): number {
    let node = none;
    for (let i = 0; i < key.length;) {
      const c = key.codePointAt(i)!;
      i += c > 0xffff ? 2 : 1;
      const next = this.child(node, c);
      node = next !== none ? next : this.newChild(node, c);
    }
    return node;
  }

  private newChild(parent: number, c: number): number {
    const node = this.allocate();
    this.codePoint[node] = c;
    this.parent[node] = parent;
    this.firstChild[node] = none;
    this.terminal[node] = 0;
    if (parent === none) {
      this.nextSibling[node] = none;
      this.rootChildren.set(c, node);
    } else {
      this.nextSibling[node] = this.firstChild[parent]!;
      this.firstChild[parent] = node;
    }
    return node;
  }

  /** Frees `node` and its ancestors for as long as they end no key and lead nowhere. */
  private prune(node: number): void {
    while (node !== none && this.terminal[node] === 0 && this.firstChild[node] === none) {
      const parent = this.parent[node]!;
      this.unlink(parent, node);
      this.nextSibling[node] = this.freeHead;
      this.freeHead = node;
      this.liveNodes--;
      node = parent;
    }
  }

  private unlink(parent: number, node: number): void {
    if (parent === none) {
      this.rootChildren.delete(this.codePoint[node]!);
      return;
    }
    if (this.firstChild[parent] === node) {
      this.firstChild[parent] = this.nextSibling[node]!;
      return;
    }
    let prev = this.firstChild[parent]!;
    while (this.nextSibling[prev] !== node) prev = this.nextSibling[prev]!;
    this.nextSibling[prev] = this.nextSibling[node]!;
  }

  private allocate(): number {
    this.liveNodes++;
    if (this.freeHead !== none) {
      const node = this.freeHead;
      this.freeHead = this.nextSibling[node]!;
      return node;
    }
    if (this.highWater === this.codePoint.length) this.grow();
    return this.highWater++;
  }

  private grow(): void {
    const capacity = this.codePoint.length * 2;
    const widen = <T extends Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.codePoint = widen(this.codePoint, (n) => new Int32Array(n));
    this.firstChild = widen(this.firstChild, (n) => new Int32Array(n));
    this.nextSibling = widen(this.nextSibling, (n) => new Int32Array(n));
    this.parent = widen(this.parent, (n) => new Int32Array(n));
    this.terminal = widen(this.terminal, (n) => new Uint8Array(n));
  }
}

/** Where `seq` goes in the sorted `seqs` (binary search). */
function insertionIndex(seqs: readonly string[], seq: string): number {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareSeqs(seqs[mid]!, seq) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
