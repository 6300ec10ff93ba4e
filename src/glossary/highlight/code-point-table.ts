/**
 * A map from code points to positive integers (trie node ids) in two typed arrays: open
 * addressing, linear probing, Fibonacci hashing, deletion by backward shift (no tombstones, so
 * lookups stay short however many keys come and go). The trie's root looks up the first code
 * point of every scan position here, which makes it most of a scan's time: a Map<number,
 * number> costs ~27 ns a lookup on this path. A bitset of the Basic Multilingual Plane's code
 * points present (8 KiB) answers most positions, those no key starts with, before any hashing.
 */
export class CodePointTable {
  /** Code point + 1; 0 marks an empty slot. */
  private keys = new Int32Array(64);
  private values = new Int32Array(64);
  private bits = 6;
  private count = 0;
  /** Bit c set: code point c (< 0x10000) is a key. */
  private readonly bmp = new Uint32Array(0x10000 >>> 5);

  get size(): number {
    return this.count;
  }

  /** The value for `codePoint`, 0 if none. */
  get(codePoint: number): number {
    if (codePoint < 0x10000 && (this.bmp[codePoint >>> 5]! & (1 << (codePoint & 31))) === 0) return 0;
    const k = codePoint + 1;
    const mask = this.keys.length - 1;
    for (let i = this.home(codePoint); ; i = (i + 1) & mask) {
      const at = this.keys[i]!;
      if (at === k) return this.values[i]!;
      if (at === 0) return 0;
    }
  }

  /** `value` must be positive (0 means absent). */
  set(codePoint: number, value: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.resize(this.bits + 1);
    const k = codePoint + 1;
    const mask = this.keys.length - 1;
    let i = this.home(codePoint);
    while (this.keys[i] !== 0 && this.keys[i] !== k) i = (i + 1) & mask;
    if (this.keys[i] === 0) this.count++;
    if (codePoint < 0x10000) this.bmp[codePoint >>> 5]! |= 1 << (codePoint & 31);
    this.keys[i] = k;
    this.values[i] = value;
  }

  delete(codePoint: number): boolean {
    const k = codePoint + 1;
    const mask = this.keys.length - 1;
    let hole = this.home(codePoint);
    while (this.keys[hole] !== k) {
      if (this.keys[hole] === 0) return false;
      hole = (hole + 1) & mask;
    }
    // Pull back each later entry of the run that may sit at the hole: one whose home is not
    // cyclically within (hole, j].
    for (let j = (hole + 1) & mask; this.keys[j] !== 0; j = (j + 1) & mask) {
      const home = this.home(this.keys[j]! - 1);
      const homeAfterHole = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (homeAfterHole) continue;
      this.keys[hole] = this.keys[j]!;
      this.values[hole] = this.values[j]!;
      hole = j;
    }
    this.keys[hole] = 0;
    this.count--;
    if (codePoint < 0x10000) this.bmp[codePoint >>> 5]! &= ~(1 << (codePoint & 31));
    return true;
  }

  private home(codePoint: number): number {
    return Math.imul(codePoint, 0x9e3779b1) >>> (32 - this.bits);
  }

  private resize(bits: number): void {
    const keys = this.keys;
    const values = this.values;
    this.bits = bits;
    this.keys = new Int32Array(1 << bits);
    this.values = new Int32Array(1 << bits);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.set(keys[i]! - 1, values[i]!);
  }
}
