import fsp from 'node:fs/promises';
import { writeAll } from '../file-io.js';

/**
 * Two group writes may overlap: records that arrive while one is under way need not wait for it
 * to end before theirs starts. Acknowledgements are in offset order regardless.
 */
const maxGroupsInFlight = 2;
/**
 * Bounds one group's writev: IOV_MAX is 1024 buffers (a longer one is written in part, and the
 * rest by writeAll's slower path); a record is its header, its chunks and its journal section.
 */
const maxBuffersPerGroup = 1024;

interface QueuedAppend {
  buffers: Buffer[];
  offset: number;
  end: number;
  resolve: (offset: number) => void;
  reject: (err: Error) => void;
}

interface GroupInFlight {
  batch: QueuedAppend[];
  done: boolean;
  error?: Error;
}

/**
 * Appends records to one segment file opened with O_DSYNC (group commit; the reasons are in
 * docs/performance.md#group-commit). Space is reserved synchronously, so records never overlap and `queued`
 * is in offset order. Records queue while the groups in flight are busy; the next group takes
 * them all and writes them with one positional `writev`, which O_DSYNC makes return only once
 * the bytes (and the file size) are on the disk. A record is acknowledged when its group and
 * every group before it are done, so after a crash every acknowledged record lies before the
 * first torn one.
 */
export class SegmentAppender {
  reserved = 0;
  sealed = false;
  private durableEnd = 0;
  private readonly queued: QueuedAppend[] = [];
  private readonly groups: GroupInFlight[] = [];
  private failed = false;
  private closing: Promise<void> | undefined;
  private markClosed!: () => void;
  /** Resolves once the file is closed (after seal() and every pending write). */
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    readonly id: number,
    private readonly file: string,
    private readonly fd: fsp.FileHandle,
  ) {}

  /** Whether a record of this size still fits under `maxBytes` (a first record always does). */
  hasRoomFor(recordBytes: number, maxBytes: number): boolean {
    return !this.sealed && (this.reserved === 0 || this.reserved + recordBytes <= maxBytes);
  }

  /** Resolves with the record's offset once it is durable. */
  append(buffers: Buffer[]): Promise<number> {
    const offset = this.reserved;
    const size = buffers.reduce((n, b) => n + b.length, 0);
    this.reserved += size;
    return new Promise<number>((resolve, reject) => {
      this.queued.push({ buffers, offset, end: offset + size, resolve, reject });
      this.pump();
    });
  }

  /** No new records; the file closes once what is pending has settled. */
  seal(): void {
    this.sealed = true;
    this.closeWhenIdle();
  }

  drained(): Promise<void> {
    this.seal();
    return this.closed;
  }

  private pump(): void {
    while (!this.failed && this.groups.length < maxGroupsInFlight && this.queued.length > 0) {
      let records = 1;
      for (let buffers = this.queued[0]!.buffers.length; records < this.queued.length; records++) {
        buffers += this.queued[records]!.buffers.length;
        if (buffers > maxBuffersPerGroup) break;
      }
      const batch = this.queued.splice(0, records);
      const group: GroupInFlight = { batch, done: false };
      this.groups.push(group);
      writeAll(
        this.fd,
        batch.flatMap((e) => e.buffers),
        batch[0]!.offset,
      ).then(
        () => {
          group.done = true;
          this.settleGroups();
        },
        (err: Error) => {
          group.done = true;
          group.error = err;
          this.settleGroups();
        },
      );
    }
    this.closeWhenIdle();
  }

  /** Acknowledges in offset order: a group that ends early waits for the ones started before it. */
  private settleGroups(): void {
    while (this.groups[0]?.done) {
      const { batch, error } = this.groups.shift()!;
      if (error) this.fail(error);
      if (this.failed) {
        for (const e of batch) e.reject(error ?? new Error(`segment ${this.id} failed`));
      } else {
        this.durableEnd = batch[batch.length - 1]!.end;
        for (const e of batch) e.resolve(e.offset);
      }
    }
    this.pump();
  }

  /**
   * A failed write: nothing not yet acknowledged in this file can be trusted (after a failed
   * sync the kernel may have dropped the dirty pages), so every queued append fails, the segment
   * takes no more, and once its writes have stopped it is cut back to what was acknowledged,
   * leaving no partial record behind.
   */
  private fail(err: Error): void {
    this.sealed = true;
    this.failed = true;
    for (const e of this.queued.splice(0)) e.reject(err);
    this.closeWhenIdle();
  }

  private closeWhenIdle(): void {
    if (!this.sealed || this.closing || this.groups.length > 0 || this.queued.length > 0) return;
    this.closing = (async () => {
      try {
        if (this.failed && this.durableEnd > 0) {
          await this.fd.truncate(this.durableEnd);
          await this.fd.datasync();
        }
      } catch {
        // Recovery at the next open truncates at the first bad record anyway.
      } finally {
        await this.fd.close().catch(() => {});
        // Nothing in it was acknowledged (say the disk was full from the start): no empty file per failed append.
        if (this.failed && this.durableEnd === 0) await fsp.rm(this.file, { force: true }).catch(() => {});
        this.markClosed();
      }
    })();
  }
}
