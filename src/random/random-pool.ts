import { randomFillSync } from 'node:crypto';

const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Cryptographically random bytes drawn in bulk, for secrets, tokens and log ids alike: one
 * randomFillSync per 4 KiB instead of one per token or log id (each call into OpenSSL costs far
 * more than the bytes). Bytes are handed out once and never reused; callers copy what they keep.
 */
const randomPoolBytes = 4096;
const pool = Buffer.alloc(randomPoolBytes);
let poolOffset = pool.length;

/** `n` (at most randomPoolBytes) fresh random bytes, valid until the next call. */
export function randomFromPool(n: number): Buffer {
  if (n > pool.length) throw new RangeError(`at most ${pool.length} bytes at once`);
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/**
 * Uniformly random characters from a cryptographic source. Rejection sampling over random bytes
 * (a byte is used only below the largest multiple of the alphabet's size, so there is no modulo
 * bias), taken from one buffer rather than one randomInt() call per character: a file token is
 * minted per upload, and 22 randomInt() calls cost more than the rest of the token's work.
 */
export function randomString(length: number, alphabet = base62): string {
  const n = alphabet.length;
  if (n < 2 || n > 256) throw new RangeError(`alphabet of ${n} characters`);
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    // Enough bytes for the rest in one draw, with a margin for the rejected ones.
    for (const byte of randomFromPool(Math.min(randomPoolBytes, length - out.length + 8))) {
      if (byte < limit) out += alphabet[byte % n];
      if (out.length === length) break;
    }
  }
  return out;
}
