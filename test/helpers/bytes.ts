/** Byte-level helpers for tests that build or edit binary input by hand. */
import { createHash } from 'node:crypto';

export function u16le(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

export function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** A copy of `buf` with `bytes` written at `offset`. */
export function patched(buf: Buffer, offset: number, bytes: number[] | Buffer): Buffer {
  const out = Buffer.from(buf);
  Buffer.from(bytes).copy(out, offset);
  return out;
}

/** The SHA-256 of `buf` in hex: the key a blob is stored under. */
export function sha256Of(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}
