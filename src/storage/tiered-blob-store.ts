import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobListing, BlobStore, ByteRange, DeleteOptions, RowJournal, StagedBlob, StageOptions } from './blob-store.js';
import type { FsBlobStore } from './fs-blob-store.js';
import type { SegmentStore } from './segments/segment-store.js';

/**
 * Blobs up to `segmentBlobMaxBytes` go to the segment store (appended, group-synced, with their
 * row in the same record), larger ones to files. A blob's size is known only at its end, so the
 * first `segmentBlobMaxBytes` are held in memory; past that they are replayed into the file
 * store, which then streams the rest. Keys are the same SHA-256 in every tier, so callers never
 * know where a blob lives.
 */
export class TieredBlobStore implements BlobStore {
  constructor(
    private readonly files: FsBlobStore,
    private readonly segments: SegmentStore,
    private readonly segmentBlobMaxBytes: number,
  ) {}

  async open(options: { exclusive: boolean }): Promise<void> {
    await this.segments.open(options);
    await this.files.open(options);
  }

  async stage(source: AsyncIterable<Buffer>, options: StageOptions = {}): Promise<StagedBlob> {
    // Known to be large (Content-Length): straight to a file, no head held in memory.
    if ((options.sizeHint ?? 0) > this.segmentBlobMaxBytes) return this.files.stage(source);
    const iterator = source[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headBytes = 0;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      head.push(next.value);
      headBytes += next.value.length;
      // Handed over as a bare async iterator: a Readable in between would buffer ~1 MB more per upload.
      if (headBytes > this.segmentBlobMaxBytes) return this.files.stage(replay(head, iterator));
    }
    const hash = createHash('sha256');
    for (const chunk of head) hash.update(chunk);
    // The chunks as they came go to the segment's writev; joined only when there are many (a
    // client that sent the file in tiny pieces), which keeps a group's writev within IOV_MAX.
    const chunks = head.length > maxHeldChunks ? [Buffer.concat(head, headBytes)] : head;
    return new HeldBlob(this.segments, hash.digest('hex'), headBytes, chunks);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    return (await this.segments.read(key, range)) ?? this.files.get(key, range);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    const deleted = await Promise.all([this.segments.delete(key, options), this.files.delete(key, options)]);
    return deleted.includes(true);
  }

  async *keys(): AsyncIterable<BlobListing> {
    yield* this.segments.keys();
    yield* this.files.keys();
  }

  sweepTemp(olderThanMs: number): Promise<number> {
    return this.files.sweepTemp(olderThanMs);
  }

  async ping(): Promise<void> {
    await Promise.all([this.segments.ping(), this.files.ping()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.segments.close(), this.files.close()]);
  }
}

const maxHeldChunks = 16;

/** A small blob, validated and hashed, held in memory until it is written with its row. */
class HeldBlob implements StagedBlob {
  private chunks: readonly Buffer[] | undefined;

  constructor(
    private readonly segments: SegmentStore,
    readonly key: string,
    readonly sizeBytes: number,
    chunks: readonly Buffer[],
  ) {
    this.chunks = chunks;
  }

  publish(row: RowJournal): Promise<{ created: boolean }> {
    const chunks = this.chunks;
    if (!chunks) return Promise.reject(new Error(`blob ${this.key} was already published or discarded`));
    this.chunks = undefined;
    return this.segments.publish(this.key, chunks, row);
  }

  async discard(): Promise<void> {
    this.chunks = undefined;
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
