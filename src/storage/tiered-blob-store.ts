import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobListing, BlobStore, ByteRange, DeleteOptions, PutOptions, PutResult } from './blob-store.js';
import type { FsBlobStore } from './fs-blob-store.js';
import type { PackedBlobStore } from './packed-blob-store.js';

/**
 * Blobs up to `packMaxBytes` go to the packed store (group-committed), larger ones to files.
 * A blob's size is known only at its end, so the first `packMaxBytes` are held in memory; past
 * that they are replayed into the file store, which then streams the rest. Keys are the same
 * SHA-256 in both tiers, so callers never know where a blob lives.
 */
export class TieredBlobStore implements BlobStore {
  constructor(
    private readonly files: FsBlobStore,
    private readonly packed: PackedBlobStore,
    private readonly packMaxBytes: number,
  ) {}

  async put(source: AsyncIterable<Buffer>, options: PutOptions = {}): Promise<PutResult> {
    // Known to be large (Content-Length): straight to a file, no head held in memory.
    if ((options.atLeastBytes ?? 0) > this.packMaxBytes) return this.files.put(source, options);
    const iterator = source[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headBytes = 0;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      head.push(next.value);
      headBytes += next.value.length;
      // Handed over as a bare async iterator: a Readable in between would buffer ~1 MB more per upload.
      if (headBytes > this.packMaxBytes) return this.files.put(replay(head, iterator), options);
    }
    const bytes = Buffer.concat(head, headBytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await options.beforePublish?.(sha256);
    // put() moves `bytes` to the writer thread: headBytes, not bytes.length, from here on.
    const { created } = await this.packed.put(sha256, bytes);
    return { key: sha256, sizeBytes: headBytes, sha256, created };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    return this.packed.read(key, range) ?? this.files.get(key, range);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    const [packed, file] = await Promise.all([this.packed.delete(key, options), this.files.delete(key, options)]);
    return packed || file;
  }

  async *keys(): AsyncIterable<BlobListing> {
    yield* this.packed.keys();
    yield* this.files.keys();
  }

  sweepTemp(olderThanMs: number): Promise<number> {
    return this.files.sweepTemp(olderThanMs);
  }

  async ping(): Promise<void> {
    await Promise.all([this.packed.ping(), this.files.ping()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.packed.close(), this.files.close()]);
  }
}

/** The head, then the rest; a consumer that stops early stops (and so destroys) the source too. */
async function* replay(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // After the end this is a no-op; after an early stop it ends (and so destroys) the source.
    await rest.return?.();
  }
}
