import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  assertBlobKey,
  BlobNotFoundError,
  DataDirBusyError,
  UnsupportedDataDirError,
  type BlobListing,
  type BlobStore,
  type ByteRange,
  type DeleteOptions,
  type RowJournal,
  type StagedBlob,
} from './blob-store.js';
import { fsyncDir, writeAll } from './file-io.js';
import { tryTakeWriterLock } from './writer-lock.js';

const tempSuffix = '.part';
/**
 * Bytes gathered before one writev. Each writev costs the event loop a fixed amount whatever its
 * size, so batches should be large; but each upload holds up to two of them (one being written,
 * one filling). The batch size is therefore a budget shared by the uploads in progress, within
 * [min, max]: 8 concurrent large uploads write 512 KiB at a time, 64 of them 64 KiB, which keeps
 * the memory of many concurrent large uploads bounded (docs/performance.md#write-batch-budget).
 */
const writeBatch = { budgetBytes: 4 * 1024 * 1024, minBytes: 64 * 1024, maxBytes: 1024 * 1024 } as const;

/** Unsynced bytes after which a background fdatasync starts (see stage()). */
const earlySyncBytes = 2 * 1024 * 1024;

function writeBatchBytes(uploadsInProgress: number): number {
  return Math.max(writeBatch.minBytes, Math.min(writeBatch.maxBytes, Math.floor(writeBatch.budgetBytes / Math.max(1, uploadsInProgress))));
}

/**
 * Blobs as files under `root/ab/<sha256>` (256 shards, as git does: few enough that each exists
 * early and directory fsyncs are shared, and ext4's hashed directories keep large ones fast).
 * stage() writes `root/tmp/<random>.part` and fsyncs it; publish() links it into place and
 * fsyncs the directory, so a blob is either absent or whole, even across a power cut. Temp files
 * left by a crash are removed by sweepTemp (gc).
 */
export class FsBlobStore implements BlobStore {
  private readonly tmpDir: string;
  private readonly knownDirs = new Set<string>();
  private readonly dirSync = new DirectorySyncer();
  /** Stagings streaming right now: they share the write-batch budget. */
  private stagingsInProgress = 0;
  private lock: { release(): void } | undefined;

  constructor(private readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  /**
   * Nothing to recover. With `exclusive` (a server), takes the blob dir's writer lock, so a second
   * server on the same data dir stops at start. A data dir of a development build (packed.sqlite)
   * is refused.
   */
  async open(options: { exclusive: boolean }): Promise<void> {
    const packed = path.join(this.root, 'packed.sqlite');
    if (fs.existsSync(packed)) {
      throw new UnsupportedDataDirError(`${packed} was written by a development build before 0.1.0; start with an empty data dir`);
    }
    if (!options.exclusive || this.lock) return;
    this.lock = tryTakeWriterLock(path.join(this.root, 'writer.lock'));
    if (!this.lock) throw new DataDirBusyError(`${this.root} is being written by another lingo-server process`);
  }

  async stage(source: AsyncIterable<Buffer>): Promise<StagedBlob> {
    const tmp = path.join(this.tmpDir, randomBytes(16).toString('hex') + tempSuffix);
    const hash = createHash('sha256');
    let sizeBytes = 0;
    const fh = await fsp.open(tmp, 'wx', 0o644);
    this.stagingsInProgress++;
    try {
      try {
        // Chunks are gathered into batches written with one writev each; while a batch is being
        // written the next one fills, so receiving and writing overlap with bounded memory.
        let batch: Buffer[] = [];
        let batchBytes = 0;
        let writing: Promise<void> = Promise.resolve();
        // Early writeback: an fdatasync started in the background every few MiB pushes the bytes
        // to the disk while the rest of the body arrives, so the final one finds little left to
        // flush (docs/performance.md#early-fdatasync).
        let syncing: Promise<void> = Promise.resolve();
        let syncInFlight = false;
        let unsyncedBytes = 0;
        for await (const chunk of source) {
          hash.update(chunk);
          sizeBytes += chunk.length;
          batch.push(chunk);
          batchBytes += chunk.length;
          if (batchBytes >= writeBatchBytes(this.stagingsInProgress)) {
            await writing;
            writing = writeAll(fh, batch);
            // Awaited at the next batch or the end; until then a failure (ENOSPC) must not count
            // as an unhandled rejection, which would take the whole process down.
            writing.catch(() => {});
            unsyncedBytes += batchBytes;
            batch = [];
            batchBytes = 0;
            if (unsyncedBytes >= earlySyncBytes && !syncInFlight) {
              unsyncedBytes = 0;
              syncInFlight = true;
              // Chained, not replaced: a later early sync must not hide an earlier one's failure.
              const previous = syncing;
              syncing = writing
                .then(() => fh.datasync())
                .finally(() => (syncInFlight = false))
                .then(() => previous);
              syncing.catch(() => {});
            }
          }
        }
        await writing;
        if (batch.length > 0) await writeAll(fh, batch);
        // An early sync's failure is this upload's failure too; and the file is closed only once it is done.
        await syncing;
        // fdatasync: the bytes and the size that finds them, without the timestamps.
        await fh.datasync();
      } finally {
        this.stagingsInProgress--;
        await fh.close();
      }
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return new StagedFile((key) => this.link(tmp, key), tmp, hash.digest('hex'), sizeBytes);
  }

  /**
   * Links the staged temp file into place; false when identical bytes were already stored (their
   * age is then refreshed for gc). The temp file is gone when this settles, either way.
   */
  private async link(tmp: string, key: string): Promise<boolean> {
    try {
      const final = this.pathOf(key);
      const dir = path.dirname(final);
      await this.ensureDir(dir);
      // link() publishes the blob atomically and fails if identical bytes are already stored, so
      // the common case (new content) costs no extra existence check.
      let created = false;
      for (let attempt = 1; ; attempt++) {
        try {
          await fsp.link(tmp, final);
          created = true;
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        try {
          // Deduplicated: a fresh mtime tells gc the blob is wanted again (see delete()).
          const now = new Date();
          await fsp.utimes(final, now, now);
          break;
        } catch (err) {
          // gc moved it away between our link and now: publish our own copy after all.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
        }
      }
      await fsp.unlink(tmp);
      // For a dedup too: whoever linked it may still be syncing the directory.
      await this.dirSync.sync(dir);
      return created;
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertBlobKey(key);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.pathOf(key), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw err;
    }
    return fh.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    assertBlobKey(key);
    const final = this.pathOf(key);
    const since = options.unlessTouchedSinceMs;
    if (since === undefined) return removeIfPresent(final);
    // gc: move the blob aside first. An upload deduplicating onto it from now on finds it gone
    // and publishes its own copy; one that refreshed its age before the move is seen here, and
    // the blob goes back. (Aside names end in .part, so a crash here leaves what gc sweeps.)
    const aside = path.join(this.tmpDir, `${key}.${randomBytes(4).toString('hex')}.gc${tempSuffix}`);
    try {
      await fsp.rename(final, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    if ((await fsp.stat(aside)).mtimeMs >= since) {
      await fsp.link(aside, final).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err; // a new copy is already there: same bytes
      });
      await fsp.unlink(aside);
      await this.dirSync.sync(path.dirname(final));
      return false;
    }
    await fsp.unlink(aside);
    return true;
  }

  async *keys(): AsyncIterable<BlobListing> {
    for (const shard of await listDir(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await listDir(path.join(this.root, shard))) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue;
        const st = await fsp.stat(path.join(this.root, shard, name)).catch(() => undefined);
        if (st) yield { key: name, modifiedAtMs: st.mtimeMs };
      }
    }
  }

  async sweepTemp(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await listDir(this.tmpDir)) {
      if (!name.endsWith(tempSuffix)) continue;
      const file = path.join(this.tmpDir, name);
      const st = await fsp.stat(file).catch(() => undefined);
      if (st && st.mtimeMs < cutoff) {
        await fsp.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async ping(): Promise<void> {
    await fsp.access(this.tmpDir, fs.constants.W_OK);
  }

  async close(): Promise<void> {
    this.lock?.release();
    this.lock = undefined;
  }

  private pathOf(key: string): string {
    return path.join(this.root, key.slice(0, 2), key);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    await fsp.mkdir(dir, { recursive: true });
    // The new directory entry must survive a crash too, or the blob linked into it could vanish.
    await this.dirSync.sync(path.dirname(dir));
    this.knownDirs.add(dir);
  }
}

/** A temp file, fsynced, waiting to be linked into place or removed. */
class StagedFile implements StagedBlob {
  private state: 'staged' | 'publishing' | 'discarded' = 'staged';

  constructor(
    private readonly link: (key: string) => Promise<boolean>,
    private readonly tmp: string,
    readonly key: string,
    readonly sizeBytes: number,
  ) {}

  async publish(row: RowJournal): Promise<{ created: boolean }> {
    if (this.state !== 'staged') throw new Error(`blob ${this.key} was already ${this.state === 'discarded' ? 'discarded' : 'published'}`);
    this.state = 'publishing';
    const created = await this.link(this.key);
    await row.commit(false);
    return { created };
  }

  async discard(): Promise<void> {
    if (this.state !== 'staged') return;
    this.state = 'discarded';
    await fsp.rm(this.tmp, { force: true }).catch(() => {});
  }
}

/**
 * Group fsync of directories: a caller is covered by any fsync that starts after it asked, so
 * callers arriving while one runs share the next one instead of each paying for its own
 * (docs/performance.md#directory-fsync-grouping).
 */
class DirectorySyncer {
  /** Per directory: the fsync now running, and the one queued behind it (shared by its waiters). */
  private readonly dirs = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

  sync(dir: string): Promise<void> {
    const state = this.dirs.get(dir);
    if (!state) return this.start(dir);
    state.next ??= state.running.then(
      () => this.start(dir),
      () => this.start(dir),
    );
    return state.next;
  }

  private start(dir: string): Promise<void> {
    const running = fsyncDir(dir);
    // Replaces any queued entry: whoever waited on it is answered by this fsync.
    this.dirs.set(dir, { running });
    // Forget the directory once nothing is queued; errors reach the callers, not this chain.
    void running
      .catch(() => {})
      .then(() => {
        const now = this.dirs.get(dir);
        if (now && now.running === running && !now.next) this.dirs.delete(dir);
      });
    return running;
  }
}

async function removeIfPresent(file: string): Promise<boolean> {
  return fsp.unlink(file).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

async function listDir(dir: string): Promise<string[]> {
  return fsp.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
}
