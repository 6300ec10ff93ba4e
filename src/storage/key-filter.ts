/**
 * A Bloom filter over blob keys: "certainly not stored" without a database read. Almost every
 * key a writer looks up is new (each upload's own bytes), and the segment index's point read cost
 * ~30 µs of the main thread per small upload (bench/README.md, session 5).
 *
 * Keys are SHA-256 digests in hex, already uniform, so the filter hashes nothing: its four bit
 * positions are four 32-bit words of the key itself. A key that was added is always reported
 * (no false negatives); a key never added is reported with a probability that grows with the
 * number of keys per bit (~0.2 % at one key per 16 bits, ~14 % at one per 4). A false positive
 * only costs the read the filter would have saved. Keys cannot be removed: a deleted blob's key
 * stays, which is again only a false positive. A filter does not grow: its owner replaces it
 * with a bigger one once it is `overfull` (SegmentBlobStore).
 */
export class KeyFilter {
  /** Keys added so far (a key added twice counts twice). */
  size = 0;
  /** How many keys it holds at its design load of 16 bits per key. */
  readonly capacity: number;
  private readonly words: Uint32Array;
  private readonly mask: number;
  private readonly log2Bits: number;
  private readonly minKeys: number;

  /**
   * Sized for `expectedKeys` at 16 bits each, and for `minKeys` at least (by default a million
   * keys: 2 MiB); 128 MiB at most.
   */
  constructor(expectedKeys: number, minKeys = 2 ** 20) {
    this.minKeys = minKeys;
    this.log2Bits = Math.min(maxLog2Bits, Math.max(8, Math.ceil(Math.log2(Math.max(1, expectedKeys, minKeys) * 16))));
    this.words = new Uint32Array(2 ** (this.log2Bits - 5));
    this.mask = 2 ** this.log2Bits - 1;
    this.capacity = 2 ** (this.log2Bits - 4);
  }

  /** Past its design load and not at the largest size: a bigger filter would answer better. */
  get overfull(): boolean {
    return this.size > this.capacity && this.log2Bits < maxLog2Bits;
  }

  /**
   * An empty filter to replace this one: twice its capacity, or enough for its keys if it is
   * further behind (one doubling per replacement, not the fourfold that sizing from `size`
   * alone would round up to).
   */
  larger(): KeyFilter {
    return new KeyFilter(Math.max(this.capacity * 2, this.size), this.minKeys);
  }

  add(key: string): void {
    this.size++;
    for (let i = 0; i < positions; i++) {
      const bit = this.bitAt(key, i);
      this.words[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mayContain(key: string): boolean {
    for (let i = 0; i < positions; i++) {
      const bit = this.bitAt(key, i);
      if ((this.words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  private bitAt(key: string, i: number): number {
    // Characters 8i..8i+8 of the hex digest: 32 uniform bits, of which the mask keeps the low ones.
    return (parseInt(key.slice(i * 8, i * 8 + 8), 16) & this.mask) >>> 0;
  }
}

const positions = 4;
/** 2^30 bits: 128 MiB, for 67 million keys at the design load. */
const maxLog2Bits = 30;
