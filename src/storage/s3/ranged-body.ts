import { Readable } from 'node:stream';
import type { ByteRange } from '../blob-store.js';

/**
 * The bytes `range` of a whole-object body, for a server that ignored the Range header.
 * Destroying the result destroys `body` (and so releases its socket).
 */
export function withinRange(body: Readable, range: ByteRange): Readable {
  async function* cut(): AsyncGenerator<Buffer> {
    let offset = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const from = Math.max(range.start - offset, 0);
        const to = Math.min(range.end + 1 - offset, chunk.length);
        offset += chunk.length;
        if (to > from) yield chunk.subarray(from, to);
        if (offset > range.end) return;
      }
    } finally {
      body.destroy();
    }
  }
  return Readable.from(cut(), { objectMode: false });
}
