/**
 * The driver that runs a format walker over pushed chunks.
 *
 * A walker is a generator that yields byte requests ("give me the next 8 bytes", "skip 1 MiB and
 * CRC it", "scan JPEG entropy data to the next marker"); the feeder answers them from whatever
 * chunks have arrived, suspending the walker until enough bytes are pushed. Walkers therefore read
 * like straight-line parsers while the feeder guarantees the streaming properties:
 *  - chunk boundaries are invisible to walkers (1-byte chunks work);
 *  - at most `maxReadBytes` are ever held back between pushes; skipped/scanned data is never kept;
 *  - everything is synchronous, so push() can run inside a stream transform;
 *  - `steps` counts walker resumptions, a timing-free measure of the work done.
 */
import { crc32 } from 'node:zlib';
import { maxReadBytes } from './limits.js';
import { ImageInvalidError } from './types.js';

export type Request =
  /** The next `n` bytes (n ≤ maxReadBytes), consumed. */
  | { readonly op: 'read'; readonly n: number; readonly trunc: string }
  /** The next `n` bytes, not consumed. Shorter than `n` only when the input has ended. */
  | { readonly op: 'peek'; readonly n: number; readonly trunc: string }
  /** Consume `n` bytes without keeping them; when `crc` is a number, continue that CRC-32 over them. */
  | { readonly op: 'skip'; readonly n: number; readonly crc: number | null; readonly trunc: string }
  /** Consume JPEG entropy-coded data up to and including the next real marker (not FF00/RSTn). */
  | { readonly op: 'scanJpegEntropy'; readonly trunc: string }
  /** Consume GIF data sub-blocks (length byte + data) up to and including the 00 terminator. */
  | { readonly op: 'skipGifSubBlocks'; readonly trunc: string };

/**
 * The feeder's answer. `trunc` in each request is the message used if the input ends before the
 * request is satisfied (e.g. "png truncated in IDAT chunk at offset 33").
 */
export interface Reply {
  /** read/peek: a copy of the bytes, so a walker's locals never pin the caller's chunks. */
  bytes: Buffer;
  /** skip: the CRC-32 continued over the skipped bytes (0 when none was asked for). */
  crc: number;
  /** scanJpegEntropy: the marker code (the byte after FF) that ended the scan. */
  marker: number;
  /** scanJpegEntropy / skipGifSubBlocks: bytes consumed by the request. */
  consumed: number;
}

/** What every format walker returns: real dimensions and the offset one past its logical end. */
export interface WalkResult {
  width: number;
  height: number;
  end: number;
}

export type Walk<R = WalkResult> = Generator<Request, R, Reply>;

/** Throws the human-readable structural error. */
export function fail(message: string): never {
  throw new ImageInvalidError(message);
}

export const read = (n: number, trunc: string): Request => ({ op: 'read', n, trunc });
export const peek = (n: number, trunc: string): Request => ({ op: 'peek', n, trunc });
export const skip = (n: number, trunc: string, crc: number | null = null): Request => ({ op: 'skip', n, crc, trunc });

const EMPTY = Buffer.alloc(0);

/**
 * A copy of bytes [start, end) of `buf`. Buffer.from(buf.subarray(…)) would make a view and then
 * copy it element by element in JavaScript (Node 20's fromArrayLike); a native copy into a fresh
 * buffer is several times faster for the small reads walkers make (tens per file).
 */
function copyOf(buf: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  buf.copy(out, 0, start, end);
  return out;
}

export class ByteFeeder<R extends { end: number }> {
  /** Walker resumptions so far. */
  steps = 0;
  /** Bytes pushed so far. */
  totalBytes = 0;
  /** Bytes consumed by the walker so far. */
  private pos = 0;
  private done = false;
  private result: R | undefined;
  private failure: ImageInvalidError | undefined;
  private req: Request = skip(0, '');
  private readonly reply: Reply = { bytes: EMPTY, crc: 0, marker: 0, consumed: 0 };
  /** Bytes pushed but not yet consumed, for a read/peek that spans pushes: hold[holdStart, holdEnd). */
  private hold: Buffer = EMPTY;
  private holdStart = 0;
  private holdEnd = 0;
  /** Per-request progress of skip / scan / sub-block requests. */
  private skipLeft = 0;
  private crc = 0;
  private consumedInReq = 0;
  private sawFF = false;
  private subBlockLeft = 0;

  constructor(private readonly walk: Walk<R>) {
    this.guard(() => this.advance());
  }

  /** Bytes currently held back (never more than maxReadBytes). */
  get heldBytes(): number {
    return this.holdEnd - this.holdStart;
  }

  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    this.totalBytes += chunk.length;
    if (this.done || chunk.length === 0) return; // after the logical end, bytes are only counted
    this.guard(() => this.consume(chunk));
  }

  /** No more input: finish the walk or explain where it was cut short. */
  end(): R {
    if (this.failure) throw this.failure;
    this.guard(() => {
      while (!this.done) {
        this.consume(EMPTY); // lets held bytes satisfy the pending request if they can
        if (this.done) break;
        if (this.req.op !== 'peek') fail(`${this.req.trunc} (the file ends after ${this.totalBytes} bytes)`);
        this.reply.bytes = copyOf(this.hold, this.holdStart, this.holdEnd); // a short peek
        this.advance();
      }
    });
    if (this.result === undefined) throw new Error('walker bug: finished without a result');
    return this.result;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof ImageInvalidError) this.failure = err;
      throw err;
    }
  }

  /** Resumes the walker with the current reply and installs its next request. */
  private advance(): void {
    this.steps++;
    const it = this.walk.next(this.reply);
    this.reply.bytes = EMPTY; // the walker has taken what it needs
    if (it.done) {
      if (it.value.end !== this.pos) {
        throw new Error(`walker bug: logical end ${it.value.end} but ${this.pos} bytes consumed`);
      }
      this.done = true;
      this.result = it.value;
      return;
    }
    const req = it.value;
    if ((req.op === 'read' || req.op === 'peek') && !(req.n >= 0 && req.n <= maxReadBytes)) {
      throw new Error(`walker bug: ${req.op} of ${req.n} bytes`);
    }
    this.req = req;
    this.skipLeft = req.op === 'skip' ? req.n : 0;
    this.crc = req.op === 'skip' && req.crc !== null ? req.crc : 0;
    this.consumedInReq = 0;
    this.sawFF = false;
    this.subBlockLeft = 0;
  }

  /** Feeds `data` (which logically follows any held bytes) to the walker until it is used up. */
  private consume(data: Buffer): void {
    let off = 0;
    while (!this.done) {
      const req = this.req;
      if (req.op === 'read' || req.op === 'peek') {
        off = this.serveRead(req.op === 'read', req.n, data, off);
        if (off < 0) return; // waiting for more bytes
        continue;
      }
      if (this.heldBytes > 0) {
        // Bytes kept back by an earlier peek come first. Copy: consuming them may refill `hold`.
        const held = copyOf(this.hold, this.holdStart, this.holdEnd);
        this.holdStart = this.holdEnd = 0;
        this.consume(held);
        continue;
      }
      if (req.op === 'skip' && this.skipLeft === 0) {
        this.reply.crc = this.crc >>> 0;
        this.advance();
        continue;
      }
      if (off === data.length) return;
      if (req.op === 'skip') off = this.serveSkip(req.crc !== null, data, off);
      else if (req.op === 'scanJpegEntropy') off = this.serveJpegScan(data, off);
      else off = this.serveGifSubBlocks(data, off);
    }
  }

  /** Returns the new offset in `data`, or -1 when all of `data` went into `hold` and more is needed. */
  private serveRead(consumeIt: boolean, n: number, data: Buffer, off: number): number {
    const held = this.heldBytes;
    if (held === 0 && data.length - off >= n) {
      this.reply.bytes = copyOf(data, off, off + n); // reads are small: copying is cheap
      if (consumeIt) {
        off += n;
        this.pos += n;
      }
      this.advance();
      return off;
    }
    if (held >= n) {
      this.reply.bytes = copyOf(this.hold, this.holdStart, this.holdStart + n);
      if (consumeIt) {
        this.holdStart += n;
        this.pos += n;
        if (this.holdStart === this.holdEnd) this.holdStart = this.holdEnd = 0;
      }
      this.advance();
      return off;
    }
    const take = Math.min(n - held, data.length - off);
    if (take === 0) return -1;
    this.appendHold(data.subarray(off, off + take), n);
    return off + take;
  }

  private appendHold(bytes: Buffer, need: number): void {
    const held = this.heldBytes;
    if (this.holdEnd + bytes.length > this.hold.length) {
      // Compact, growing only up to what the pending request needs (≤ maxReadBytes).
      const next = held + bytes.length > this.hold.length ? Buffer.alloc(Math.max(need, 64)) : this.hold;
      this.hold.copy(next, 0, this.holdStart, this.holdEnd);
      this.hold = next;
      this.holdStart = 0;
      this.holdEnd = held;
    }
    bytes.copy(this.hold, this.holdEnd);
    this.holdEnd += bytes.length;
  }

  private serveSkip(withCrc: boolean, data: Buffer, off: number): number {
    const take = Math.min(this.skipLeft, data.length - off);
    if (withCrc) this.crc = crc32(data.subarray(off, off + take), this.crc);
    this.skipLeft -= take;
    this.pos += take;
    return off + take;
  }

  /** FF00 is a stuffed data byte, FFD0–FFD7 are restarts, FFFF.. is fill; any other FFxx ends the scan. */
  private serveJpegScan(data: Buffer, off: number): number {
    let i = off;
    let marker = -1;
    while (i < data.length) {
      if (this.sawFF) {
        const b = data[i++] as number;
        if (b === 0xff) continue;
        this.sawFF = false;
        if (b === 0x00 || (b >= 0xd0 && b <= 0xd7)) continue;
        marker = b;
        break;
      }
      const ff = data.indexOf(0xff, i);
      if (ff < 0) {
        i = data.length;
        break;
      }
      i = ff + 1;
      this.sawFF = true;
    }
    this.pos += i - off;
    this.consumedInReq += i - off;
    if (marker >= 0) {
      this.reply.marker = marker;
      this.reply.consumed = this.consumedInReq;
      this.advance();
    }
    return i;
  }

  /** Each sub-block is a length byte (1..255) and that many bytes; a 00 length byte ends the run. */
  private serveGifSubBlocks(data: Buffer, off: number): number {
    const start = off;
    let finished = false;
    while (off < data.length) {
      if (this.subBlockLeft > 0) {
        const take = Math.min(this.subBlockLeft, data.length - off);
        this.subBlockLeft -= take;
        off += take;
        continue;
      }
      const len = data[off++] as number;
      if (len === 0) {
        finished = true;
        break;
      }
      this.subBlockLeft = len;
    }
    this.pos += off - start;
    this.consumedInReq += off - start;
    if (finished) {
      this.reply.consumed = this.consumedInReq;
      this.advance();
    }
    return off;
  }
}
