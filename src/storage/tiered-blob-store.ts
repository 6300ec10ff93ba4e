import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobListing, BlobStore, ByteRange, DeleteOptions, JournalEntry, PutOptions, PutResult } from './blob-store.js';
import type { FsBlobStore } from './fs-blob-store.js';
import type { PackedBlobStore } from './packed-blob-store.js';
import type { SegmentBlobStore } from './segment-blob-store.js';

/**
 * Blobs up to `packMaxBytes` go to the segment store (appended, group-synced), larger ones to
 * files. A blob's size is known only at its end, so the first `packMaxBytes` are held in memory;
 * past that they are replayed into the file store, which then streams the rest. Keys are the same
 * SHA-256 in every tier, so callers never know where a blob lives.
 *
 * `legacyPacked`: the `packed.sqlite` of a data dir written before segments. Its blobs are read,
 * deleted and deduplicated against where they are; new small blobs no longer go there.
 */
export class TieredBlobStore implements BlobStore {
  constructor(
    private readonly files: FsBlobStore,
    private readonly segments: SegmentBlobStore,
    private readonly packMaxBytes: number,
    private readonly legacyPacked?: PackedBlobStore,
  ) {}

  async open(options: { exclusive: boolean }): Promise<boolean> {
    return this.segments.open(options);
  }

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
    const hash = createHash('sha256');
    for (const chunk of head) hash.update(chunk);
    const sha256 = hash.digest('hex');
    // The chunks as they came go to the segment's writev; joined only when there are many (a
    // client that sent the file in tiny pieces), which keeps a group's writev within IOV_MAX.
    const chunks = head.length > maxHeldChunks ? [Buffer.concat(head, headBytes)] : head;
    await options.beforePublish?.(sha256);
    // Same bytes in an old packed.sqlite: refresh them there rather than store a second copy.
    // (Its put() moves the bytes to its writer thread.)
    if (this.legacyPacked?.has(sha256)) {
      const { created } = await this.legacyPacked.put(sha256, Buffer.concat(head, headBytes));
      return { key: sha256, sizeBytes: headBytes, sha256, created };
    }
    if (options.holdSmall) return { key: sha256, sizeBytes: headBytes, sha256, created: false, held: chunks };
    const { created } = await this.segments.put(sha256, chunks);
    return { key: sha256, sizeBytes: headBytes, sha256, created };
  }

  putHeld(key: string, bytes: readonly Buffer[], journal: JournalEntry): Promise<{ created: boolean }> {
    return this.segments.put(key, bytes, journal);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    return (await this.segments.read(key, range)) ?? this.legacyPacked?.read(key, range) ?? this.files.get(key, range);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    const deleted = await Promise.all([
      this.segments.delete(key, options),
      this.legacyPacked?.delete(key, options) ?? false,
      this.files.delete(key, options),
    ]);
    return deleted.includes(true);
  }

  async *keys(): AsyncIterable<BlobListing> {
    yield* this.segments.keys();
    if (this.legacyPacked) yield* this.legacyPacked.keys();
    yield* this.files.keys();
  }

  sweepTemp(olderThanMs: number): Promise<number> {
    return this.files.sweepTemp(olderThanMs);
  }

  async ping(): Promise<void> {
    await Promise.all([this.segments.ping(), this.legacyPacked?.ping(), this.files.ping()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.segments.close(), this.legacyPacked?.close(), this.files.close()]);
  }
}

const maxHeldChunks = 16;

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
