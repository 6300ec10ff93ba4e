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
 * stays, which is again only a false positive.
 */
export class KeyFilter {
  private readonly words: Uint32Array;
  private readonly mask: number;

  /** Sized for `expectedKeys` at 16 bits each: 2 MiB at least (a million keys), 128 MiB at most. */
  constructor(expectedKeys: number) {
    const log2Bits = Math.min(30, Math.max(24, Math.ceil(Math.log2(Math.max(1, expectedKeys) * 16))));
    this.words = new Uint32Array(2 ** (log2Bits - 5));
    this.mask = 2 ** log2Bits - 1;
  }

  add(key: string): void {
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
