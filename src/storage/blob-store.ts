import type { Readable } from 'node:stream';

/**
 * Bytes, addressed by the SHA-256 of their content: identical uploads share one blob. A blob is
 * written in two steps, so that nothing is visible before it is whole and its row is committed:
 * stage() takes the bytes, publish() makes them visible and has the row committed (the pattern of
 * pict-rs's ingest session).
 *
 * The S3 backend (s3/s3-blob-store.ts) fits with no new option: stage() spools to memory or a
 * local temp file while hashing; publish() claims the key in a PostgreSQL ledger, PUTs the
 * object (or finds it stored, refreshed for gc), then `row.commit(false)`; discard() drops the
 * spool; get() is a GetObject with Range; delete() marks the ledger row and removes the object
 * under its lock, so a concurrent upload wins; keys() pages through the ledger; sweepTemp()
 * cleans the spool; open() checks the bucket. Journaling the row is something a backend may do
 * (segments do), never something a caller must know about.
 */
export interface BlobStore {
  /**
   * Makes the store ready: crash recovery, and the lock that keeps a second process from writing
   * the same data dir. The server calls it with `exclusive` before it listens and fails to start
   * on DataDirBusyError; maintenance commands call it without, and then read (and delete) beside
   * a running server. A data dir in a format this build does not read: UnsupportedDataDirError.
   */
  open(options: { exclusive: boolean }): Promise<void>;
  /**
   * Consumes `source` to its end (the validator is the iterable: pulling one chunk at a time is
   * its backpressure) and holds the bytes durable but invisible. If the source errors (a
   * validation failure mid-stream, a vanished client) nothing is left behind.
   */
  stage(source: AsyncIterable<Buffer>, options?: StageOptions): Promise<StagedBlob>;
  /** The bytes of a blob, or of an inclusive byte range of it. Throws BlobNotFoundError. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes the blob; returns whether it did (a missing blob is not an error). */
  delete(key: string, options?: DeleteOptions): Promise<boolean>;
  /** Every stored key, for fsck and gc; a caller may delete while it iterates. */
  keys(): AsyncIterable<BlobListing>;
  /** Removes temp files (interrupted writes) older than the given age; returns how many. */
  sweepTemp(olderThanMs: number): Promise<number>;
  ping(): Promise<void>;
  /** Waits for what is under way (including rows being committed by the store), then releases everything. */
  close(): Promise<void>;
}

export interface StageOptions {
  /** A lower bound on the size, when known in advance (from Content-Length): lets a store pick its tier without buffering. */
  sizeHint?: number;
}

/** Staged bytes: durable but not visible. Exactly one of publish() and discard() ends them. */
export interface StagedBlob {
  readonly key: string;
  readonly sizeBytes: number;
  /**
   * Makes the bytes visible under `key` and gets `row` committed; resolves once both are durable.
   * `created` is false when identical bytes were already stored. The store calls `row.commit`
   * once the bytes are visible, never before. If publish rejects, its staged bytes are gone; the
   * blob is visible only if `row.commit` was called (and failed), and the caller, which knows
   * which uploads share the key, decides whether to delete it.
   */
  publish(row: RowJournal): Promise<{ created: boolean }>;
  /** Gives the staged bytes up. Never throws, leaves nothing behind; a no-op once publish() was called. */
  discard(): Promise<void>;
}

/**
 * The row that must be durable along with a blob. A store that journals (segments) writes
 * `bytes` in the blob's record, so one durable write covers both, and calls `commit(true)`:
 * the row may then reach its own store lazily, and until what `commit` returns resolves the
 * store keeps the record where its recovery will find it and hand the entry back
 * (src/files/file-journal.ts). Any other store, or a duplicate of stored bytes (no record is
 * written), calls `commit(false)`: the row must be durable when it resolves, and publish waits
 * for it.
 */
export interface RowJournal {
  readonly bytes: Buffer;
  commit(journaled: boolean): Promise<void>;
}

export interface DeleteOptions {
  /**
   * gc's condition: keep the blob if it was stored or re-stored (deduplicated) at or after this
   * time. Checked atomically with the removal, so a concurrent upload of the same bytes wins.
   */
  unlessTouchedSinceMs?: number;
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

/** The data dir holds a layout this build does not read (one written by a development build). */
export class UnsupportedDataDirError extends Error {
  override readonly name = 'UnsupportedDataDirError';
}

const blobKeyPattern = /^[0-9a-f]{64}$/;

/** Keys are SHA-256 hex digests; anything else is refused before it can reach a path or URL. */
export function assertBlobKey(key: string): void {
  if (!blobKeyPattern.test(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
}
