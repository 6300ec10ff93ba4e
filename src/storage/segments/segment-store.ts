import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { assertBlobKey, DataDirBusyError, type BlobListing, type ByteRange, type DeleteOptions, type RowJournal } from '../blob-store.js';
import { SegmentAppender } from './appender.js';
import { SegmentReaders } from './readers.js';
import { encodeRecord, recordHeaderBytes } from './record.js';
import { recoverSegments, type JournalApplier } from './recovery.js';
import { createSegmentFile, segmentPath } from './segment-files.js';
import { SegmentIndex, type Location } from './segment-index.js';
import { tryTakeWriterLock } from '../writer-lock.js';

export interface SegmentStoreOptions {
  /** A segment takes no new records once it is this large. */
  maxSegmentBytes?: number;
  /** What recovery calls for each journal entry it finds; without it, finding one fails the open. */
  applyJournal?: JournalApplier;
}

/**
 * Small blobs appended to segment files (appender.ts), one durable write per group of appends,
 * with an SQLite index of where each one is (segment-index.ts); why not a file per blob or SQLite
 * for the bytes: docs/performance.md#segment-files.
 *
 * A record carries its blob's file row as a journal entry, so one durable write covers both; the
 * row then reaches its database lazily, and only once it has is the record's index row written
 * (lazily too). Until then the record is served from `unindexed`; if the process dies first, the
 * next open finds the record in the segment's unindexed tail and re-applies the entry
 * (recovery.ts). An index write that fails (a full disk) leaves the record served from memory
 * until the next open indexes it.
 *
 * One process writes: open() takes the writer lock; another process opens the store read-only
 * (fsck, gc beside a server).
 */
export class SegmentStore {
  /** Opened at first use, so that an index this build does not read fails open(), not the constructor. */
  private openedIndex: SegmentIndex | undefined;
  private readonly maxSegmentBytes: number;
  private readonly applyJournal: JournalApplier | undefined;
  private readonly readers: SegmentReaders;
  private lock: { release(): void } | undefined;
  private opening: Promise<boolean> | undefined;
  private nextSegmentId = 1;
  private active: Promise<SegmentAppender> | undefined;
  private readonly appenders = new Set<SegmentAppender>();
  /**
   * Acknowledged records whose index row is not committed: reads find them here, and a delete
   * waits for `indexed` (the row would otherwise come back after it). A record whose row failed
   * stays here, `indexed` settled, until the next open indexes it from the segment.
   */
  private readonly unindexed = new Map<string, { at: Location; indexed: Promise<void>; settled: boolean }>();
  /** Appends under way, by key: a second publish of the same bytes waits for the first. */
  private readonly appending = new Map<string, Promise<void>>();

  constructor(
    private readonly dir: string,
    options: SegmentStoreOptions = {},
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? 128 * 1024 * 1024;
    this.applyJournal = options.applyJournal;
    this.readers = new SegmentReaders((id) => segmentPath(dir, id));
  }

  /**
   * Takes the writer lock and recovers what a crash left unindexed; true if this process now
   * writes. When another process holds the lock: with `exclusive`, DataDirBusyError; without, the
   * store stays read-only and false.
   */
  open(options: { exclusive: boolean }): Promise<boolean> {
    this.opening ??= this.takeLockAndRecover();
    return this.opening.then((writable) => {
      if (!writable && options.exclusive) throw new DataDirBusyError(`${this.dir} is being written by another lingo-server process`);
      return writable;
    });
  }

  /**
   * Stores the bytes with `row` in their record (see RowJournal; a record without a row is for
   * tests). Resolves once the record is durable; `row.commit(true)` then runs on. If the same
   * bytes are already stored, nothing is written, their age is refreshed, and the row is
   * committed durably (`commit(false)`) before this resolves, with `created` false.
   */
  async publish(key: string, chunks: readonly Buffer[], row?: RowJournal): Promise<{ created: boolean }> {
    assertBlobKey(key);
    await this.open({ exclusive: true });
    // Publishes of the same bytes go one after the other, and wait for the earlier record's row:
    // an index row written for a duplicate before that one is committed would let the next open
    // skip the record, and so its journal entry. From the loop's end to appending.set() nothing
    // awaits.
    for (let earlier = this.earlierOf(key); earlier; earlier = this.earlierOf(key)) await earlier.catch(() => {});
    const existing = this.locate(key);
    if (existing) {
      // Still unindexed after its commit settled: its row failed, and the next open indexes it.
      // No index row until then, so gc cannot see it and there is no age to refresh.
      const outcome = this.unindexed.has(key) ? 'duplicate' : await this.index.touch(key, existing);
      await row?.commit(false);
      // 'ok': gc had removed the row meanwhile, and it is back.
      return { created: outcome === 'ok' };
    }
    const appended = this.append(key, chunks, row);
    this.appending.set(key, appended);
    try {
      await appended;
    } finally {
      this.appending.delete(key);
    }
    return { created: true };
  }

  /** The bytes, or undefined when no segment holds this key. */
  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    assertBlobKey(key);
    const at = this.locate(key);
    if (!at) return undefined;
    const start = range?.start ?? 0;
    const length = (range ? range.end + 1 : at.length) - start;
    const bytes = Buffer.allocUnsafe(length);
    const bytesRead = await this.readers.read(at.segment, bytes, at.offset + recordHeaderBytes + start);
    if (bytesRead !== length) throw new Error(`segment ${at.segment} is shorter than its index says`);
    return Readable.from([bytes]);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    assertBlobKey(key);
    await this.unindexed.get(key)?.indexed;
    const since = options.unlessTouchedSinceMs;
    if (this.index.delete(key, since)) return true;
    // A record whose index row could not be written is known only here.
    return since === undefined && this.unindexed.delete(key);
  }

  /** Pages of keys; blobs acknowledged before the listing starts are in it. */
  async *keys(): AsyncIterable<BlobListing> {
    await this.indexed();
    yield* this.index.keys();
  }

  async ping(): Promise<void> {
    this.index.ping();
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => {});
    await Promise.allSettled([...this.appending.values()]);
    await this.indexed();
    await Promise.allSettled([...this.appenders].map((s) => s.drained()));
    await Promise.all([this.openedIndex?.close(), this.readers.close()]);
    this.lock?.release();
    this.lock = undefined;
  }

  private get index(): SegmentIndex {
    return (this.openedIndex ??= new SegmentIndex(path.join(this.dir, 'index.sqlite')));
  }

  /** An append of these bytes under way, or a record of them whose row is not committed yet. */
  private earlierOf(key: string): Promise<void> | undefined {
    const unindexed = this.unindexed.get(key);
    return this.appending.get(key) ?? (unindexed && !unindexed.settled ? unindexed.indexed : undefined);
  }

  private locate(key: string): Location | undefined {
    return this.unindexed.get(key)?.at ?? this.index.locate(key);
  }

  /** Every index row under way has settled. */
  private async indexed(): Promise<void> {
    await Promise.all([...this.unindexed.values()].map((u) => u.indexed));
  }

  private async append(key: string, chunks: readonly Buffer[], row: RowJournal | undefined): Promise<void> {
    const record = encodeRecord(key, chunks, row?.bytes);
    const { segment, offset } = await this.appendToSegment(record.buffers, record.recordBytes);
    const at: Location = { segment, offset, length: record.length, journalBytes: record.journalBytes };
    // Served from memory from now on, before the row's commit starts (it may read the blob).
    const entry = { at, settled: false, indexed: Promise.resolve() };
    this.unindexed.set(key, entry);
    // Indexed only once the row is committed elsewhere: until then recovery must find the record.
    entry.indexed = commitRow(row)
      .then(() => this.index.add(key, at))
      .then(
        () => {
          if (this.unindexed.get(key) === entry) this.unindexed.delete(key);
        },
        // Kept in `unindexed`; the run in segment_ends stops before it, so the next open rescans
        // it (and re-applies its journal entry).
        () => {},
      )
      .finally(() => (entry.settled = true));
  }

  /** Appends to the active segment, or to a new one once it is full or has failed; resolves when durable. */
  private async appendToSegment(buffers: Buffer[], recordBytes: number): Promise<{ segment: number; offset: number }> {
    for (;;) {
      this.active ??= this.createSegment();
      const current = this.active;
      const appender = await current.catch((err: unknown) => {
        // A segment that could not be created (disk full): the next append tries a new one.
        if (this.active === current) this.active = undefined;
        throw err;
      });
      // The room check and the reservation inside append() run without an await between them.
      if (appender.hasRoomFor(recordBytes, this.maxSegmentBytes)) return { segment: appender.id, offset: await appender.append(buffers) };
      appender.seal();
      if (this.active === current) this.active = undefined;
    }
  }

  private async createSegment(): Promise<SegmentAppender> {
    const id = this.nextSegmentId++;
    const appender = new SegmentAppender(id, segmentPath(this.dir, id), await createSegmentFile(this.dir, id));
    this.appenders.add(appender);
    void appender.closed.then(() => this.appenders.delete(appender));
    return appender;
  }

  private async takeLockAndRecover(): Promise<boolean> {
    fs.mkdirSync(this.dir, { recursive: true });
    const index = this.index;
    const lock = tryTakeWriterLock(path.join(this.dir, 'writer.lock'));
    if (!lock) return false;
    this.lock = lock;
    this.nextSegmentId = (await recoverSegments(this.dir, index, this.applyJournal)) + 1;
    return true;
  }
}

/** The journaled row's commit, as a promise even if it throws at once. */
function commitRow(row: RowJournal | undefined): Promise<void> {
  try {
    return row ? row.commit(true) : Promise.resolve();
  } catch (err) {
    return Promise.reject(err as Error);
  }
}
