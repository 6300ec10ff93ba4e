import type { Readable } from 'node:stream';

/** Bytes, addressed by the SHA-256 of their content: identical uploads share one blob. */
export interface BlobStore {
  /**
   * Consume `source` to its end and make it durable under its content address. If the source
   * errors (a validation failure mid-stream, a vanished client), nothing is left behind.
   * `created` is false when identical bytes were already stored. Any async iterable of chunks
   * will do (a Readable is one); the store pulls one chunk at a time, which is its backpressure.
   */
  put(source: AsyncIterable<Buffer>, options?: PutOptions): Promise<PutResult>;
  /** The bytes of a blob, or of an inclusive byte range of it. Throws BlobNotFoundError. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes the blob; returns whether it did (a missing blob is not an error). */
  delete(key: string, options?: DeleteOptions): Promise<boolean>;
  /** Every stored key, for fsck and gc. */
  keys(): AsyncIterable<BlobListing>;
  /** Removes temp files (interrupted writes) older than the given age; returns how many. */
  sweepTemp(olderThanMs: number): Promise<number>;
  /**
   * Makes the store ready to write: crash recovery, and the lock that keeps a second process from
   * writing the same data dir. The server calls it with `exclusive` before it listens and fails to
   * start on DataDirBusyError; maintenance commands call it without, and then read (and delete)
   * beside a running server. Stores that need neither omit it.
   */
  open?(options: { exclusive: boolean }): Promise<unknown>;
  /**
   * Stores a blob that put() held (see `holdSmall`) in one durable write with `journal`. If the
   * same bytes are already stored, nothing is written, the entry neither, and `created` is false.
   */
  putHeld?(key: string, bytes: readonly Buffer[], journal: JournalEntry): Promise<{ created: boolean }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface PutOptions {
  /** A lower bound on the size, when known in advance (from Content-Length): lets a store pick its tier without buffering. */
  atLeastBytes?: number;
  /**
   * Called with the key once the bytes are complete and hashed, before the blob is published
   * (linked or inserted); publishing waits for it. Lets the caller claim the key first, so no
   * cleanup can delete a blob this put is about to be told is already stored.
   */
  beforePublish?: (key: string) => Promise<void>;
  /**
   * A small blob (one a store with putHeld() keeps in a segment) is hashed and held, not stored:
   * the result carries its bytes in `held`, with `created` false, and the caller stores it with
   * putHeld() once it knows what must be durable along with it (its file row).
   */
  holdSmall?: boolean;
}

/**
 * Something another store must make durable along with a blob (a file row): written in the
 * blob's record, so one durable write covers both, and applied to that store afterwards. Until
 * what `apply()` returns resolves, the blob stays out of the segment index, so a crash before
 * then leaves the record in the tail that recovery scans, and recovery applies the entry again
 * before indexing.
 */
export interface JournalEntry {
  bytes: Buffer;
  /**
   * Called once the record is durable, before the put resolves (never when nothing was written);
   * resolves once the entry is durable in its own store, rejects if it could not be.
   */
  apply: () => Promise<void>;
}

export interface DeleteOptions {
  /**
   * gc's condition: keep the blob if it was stored or re-stored (deduplicated) at or after this
   * time. Checked atomically with the removal, so a concurrent upload of the same bytes wins.
   */
  unlessTouchedSinceMs?: number;
}

export interface PutResult {
  key: string;
  sizeBytes: number;
  sha256: string;
  created: boolean;
  /** With `holdSmall`: the bytes (in chunks), not yet stored. */
  held?: readonly Buffer[];
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface BlobListing {
  key: string;
  modifiedAtMs: number;
}

export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
}

/** Another process holds the data dir's writer lock. */
export class DataDirBusyError extends Error {
  override readonly name = 'DataDirBusyError';
}

const blobKeyPattern = /^[0-9a-f]{64}$/;

/** Keys are SHA-256 hex digests; anything else is refused before it can reach a path or URL. */
export function assertBlobKey(key: string): void {
  if (!blobKeyPattern.test(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
}
