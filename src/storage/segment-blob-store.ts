import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { SqliteBatchWriter } from '../sqlite/batch-writer.js';
import { openSqlite } from '../sqlite/open.js';
import { assertBlobKey, DataDirBusyError, type BlobListing, type ByteRange, type DeleteOptions } from './blob-store.js';

/**
 * A record: this header, then the blob's bytes. The key is the SHA-256 of the bytes, so a record
 * proves itself: recovery recomputes the hash, and a torn or never-finished record fails it.
 */
const magic = Buffer.from('LGSEG001', 'latin1');
export const recordHeaderBytes = 48;
const keyOffset = 16;

const schemaSql = `
CREATE TABLE IF NOT EXISTS segment_blobs (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  segment INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  touched_at_ms INTEGER NOT NULL
);
-- How far each segment is known to the index: recovery scans only what lies beyond.
CREATE TABLE IF NOT EXISTS segment_ends (segment INTEGER PRIMARY KEY, indexed_to INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS segment_blobs_indexed_to AFTER INSERT ON segment_blobs BEGIN
  INSERT INTO segment_ends (segment, indexed_to) VALUES (NEW.segment, NEW.offset + ${recordHeaderBytes} + NEW.length)
    ON CONFLICT (segment) DO UPDATE SET indexed_to = max(indexed_to, excluded.indexed_to);
END;
`;
const insertSql =
  'INSERT INTO segment_blobs (key, segment, offset, length, touched_at_ms) VALUES (@key, @segment, @offset, @length, @touched_at_ms)';
/** Same bytes stored again: refresh their age in the writer's transaction, so gc cannot slip between. */
const touchSql = 'UPDATE segment_blobs SET touched_at_ms = @touched_at_ms WHERE key = @key';

interface Location {
  segment: number;
  /** Of the record (its header); the bytes follow the header. */
  offset: number;
  length: number;
}

export interface SegmentBlobStoreOptions {
  /** A segment takes no new records once it is this large. */
  maxSegmentBytes?: number;
}

/**
 * Small blobs appended to segment files, one fdatasync per group of appends, with an SQLite
 * index of where each one is. This is the embedded default for blobs up to `--pack-max-bytes`.
 *
 * Why not SQLite for the bytes too (as `packed.sqlite` did): a WAL database writes every page
 * twice (WAL, then the checkpoint's copy) and a 50 KB blob is 4 frames of work on a writer
 * thread; here it is one `writev` on the libuv pool, and the group fdatasync is the only wait.
 *
 * Durability: a put resolves once its record is fdatasynced. Appends are acknowledged strictly in
 * offset order (a sync covers the longest run of finished writes from the oldest pending one), so
 * after a crash every acknowledged record lies before the first torn one. The index row is written
 * after the acknowledgement, off the upload's path; until it is committed the record is served
 * from memory, and if the process dies first, opening the store scans the segments' unindexed
 * tails, indexes every record whose bytes hash to its key and truncates at the first that does
 * not. If an index write ever fails, the store stops taking blobs and leaves a marker that makes
 * the next open rescan every segment.
 *
 * One process writes a data dir: `open()` takes an exclusive SQLite lock on `writer.lock`
 * (released by the OS when the process dies); another process opens it read-only (fsck, gc).
 */
export class SegmentBlobStore {
  private readonly db: Database.Database;
  private readonly index: SqliteBatchWriter;
  private readonly stmts;
  private readonly maxSegmentBytes: number;
  private lock: Database.Database | undefined;
  private opening: Promise<boolean> | undefined;
  private nextSegmentId = 1;
  private active: Promise<Segment> | undefined;
  /** Acknowledged records whose index row is not committed yet. */
  private readonly unindexed = new Map<string, Location>();
  /** Index inserts under way, by key: a delete waits for the row it would otherwise race. */
  private readonly indexing = new Map<string, Promise<unknown>>();
  /** Appends under way, by key: a second put of the same bytes waits for the first. */
  private readonly appending = new Map<string, Promise<void>>();
  private readonly segments = new Set<Segment>();
  private broken: Error | undefined;

  constructor(
    private readonly dir: string,
    options: SegmentBlobStoreOptions = {},
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? 128 * 1024 * 1024;
    const indexFile = path.join(dir, 'index.sqlite');
    this.db = openSqlite(indexFile);
    // Nothing is written when the schema exists, so a read-only open beside a server works.
    const hasIndex = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'segment_blobs_indexed_to'").get();
    if (!hasIndex) this.db.transaction(() => this.db.exec(schemaSql)).immediate();
    this.index = new SqliteBatchWriter(indexFile, insertSql, touchSql);
    this.stmts = {
      locate: this.db.prepare('SELECT segment, offset, length FROM segment_blobs WHERE key = ?'),
      delete: this.db.prepare('DELETE FROM segment_blobs WHERE key = ?'),
      deleteIfIdle: this.db.prepare('DELETE FROM segment_blobs WHERE key = ? AND touched_at_ms < ?'),
      keysAfter: this.db.prepare('SELECT key, touched_at_ms FROM segment_blobs WHERE key > ? ORDER BY key LIMIT 1000'),
      ends: this.db.prepare('SELECT segment, indexed_to FROM segment_ends'),
      recovered: this.db.prepare(`${insertSql} ON CONFLICT (key) DO NOTHING`),
      setEnd: this.db.prepare(
        'INSERT INTO segment_ends (segment, indexed_to) VALUES (?, ?) ON CONFLICT (segment) DO UPDATE SET indexed_to = excluded.indexed_to',
      ),
      ping: this.db.prepare('SELECT 1'),
    };
  }

  /**
   * Takes the writer lock and recovers what a crash left unindexed; true if this process now
   * writes. When another process holds the lock: with `exclusive`, DataDirBusyError; without, the
   * store stays read-only (what fsck and gc need beside a running server) and false.
   */
  open(options: { exclusive: boolean }): Promise<boolean> {
    this.opening ??= this.takeLockAndRecover();
    return this.opening.then((writable) => {
      if (!writable && options.exclusive) throw new DataDirBusyError(`${this.dir} is being written by another lingo-server process`);
      return writable;
    });
  }

  /** Durable when it resolves; `created` is false when these bytes were already stored. */
  async put(key: string, bytes: Buffer): Promise<{ created: boolean }> {
    assertBlobKey(key);
    await this.open({ exclusive: true });
    if (this.broken) throw this.broken;
    await this.appending.get(key)?.catch(() => {});
    const existing = this.locate(key);
    if (existing) {
      // Refreshes the age (gc's condition); re-inserts the row if gc removed it meanwhile. The
      // bytes are still where the row said: segments are never rewritten.
      const outcome = await this.index.insert(indexRow(key, existing));
      return { created: outcome === 'ok' };
    }
    const appended = this.append(key, bytes);
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
    const fd = await fsp.open(this.segmentPath(at.segment), 'r');
    try {
      const bytes = Buffer.allocUnsafe(length);
      const { bytesRead } = await fd.read(bytes, 0, length, at.offset + recordHeaderBytes + start);
      if (bytesRead !== length) throw new Error(`segment ${at.segment} is shorter than its index says`);
      return Readable.from([bytes]);
    } finally {
      await fd.close();
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    assertBlobKey(key);
    // A row still on its way to the index would come back after this delete.
    await this.indexing.get(key)?.catch(() => {});
    const { unlessTouchedSinceMs: since } = options;
    // One statement: an upload that refreshed the age first wins, atomically. The bytes stay in
    // their segment as dead space (segments are append-only; see docs/reliability.md).
    const result = since === undefined ? this.stmts.delete.run(key) : this.stmts.deleteIfIdle.run(key, since);
    return result.changes > 0;
  }

  /** Pages of keys, so that a caller may delete while it iterates (gc) and memory stays flat. */
  async *keys(): AsyncIterable<BlobListing> {
    // Blobs acknowledged before the listing starts are in it.
    await Promise.allSettled([...this.indexing.values()]);
    let after = '';
    for (;;) {
      const page = this.stmts.keysAfter.all(after) as { key: string; touched_at_ms: number }[];
      for (const r of page) yield { key: r.key, modifiedAtMs: r.touched_at_ms };
      if (page.length < 1000) return;
      after = page[page.length - 1]!.key;
    }
  }

  async ping(): Promise<void> {
    this.stmts.ping.get();
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => {});
    await Promise.allSettled([...this.appending.values()]);
    await Promise.allSettled([...this.indexing.values()]);
    await Promise.allSettled([...this.segments].map((s) => s.drained()));
    await this.index.close();
    if (this.db.open) this.db.close();
    this.lock?.close();
    this.lock = undefined;
  }

  private locate(key: string): Location | undefined {
    return this.unindexed.get(key) ?? (this.stmts.locate.get(key) as Location | undefined);
  }

  private async append(key: string, bytes: Buffer): Promise<void> {
    const recordBytes = recordHeaderBytes + bytes.length;
    const segment = await this.segmentWithRoom(recordBytes);
    const header = Buffer.alloc(recordHeaderBytes);
    magic.copy(header, 0);
    header.writeUInt32LE(bytes.length, magic.length);
    header.write(key, keyOffset, 'hex');
    const offset = await segment.append([header, bytes]);
    const at: Location = { segment: segment.id, offset, length: bytes.length };
    this.unindexed.set(key, at);
    const indexed = this.index.insert(indexRow(key, at)).then(
      () => {
        if (this.unindexed.get(key) === at) this.unindexed.delete(key);
      },
      (err: Error) => this.indexFailed(err),
    );
    this.indexing.set(key, indexed);
    void indexed.finally(() => {
      if (this.indexing.get(key) === indexed) this.indexing.delete(key);
    });
  }

  /** The segment appends go to, a new one once it is full or has failed. */
  private async segmentWithRoom(recordBytes: number): Promise<Segment> {
    for (;;) {
      this.active ??= this.createSegment();
      const current = this.active;
      const segment = await current.catch((err: unknown) => {
        // A segment that could not be created (disk full): the next put tries a new one.
        if (this.active === current) this.active = undefined;
        throw err;
      });
      if (!segment.sealed && (segment.reserved === 0 || segment.reserved + recordBytes <= this.maxSegmentBytes)) return segment;
      segment.seal();
      if (this.active === current) this.active = undefined;
    }
  }

  private async createSegment(): Promise<Segment> {
    const id = this.nextSegmentId++;
    const file = this.segmentPath(id);
    const fd = await fsp.open(file, 'wx');
    try {
      // The new name must survive a crash before any record in it is acknowledged.
      await fsyncDir(this.dir);
    } catch (err) {
      await fd.close();
      throw err;
    }
    const segment = new Segment(id, fd);
    this.segments.add(segment);
    void segment.closed.then(() => this.segments.delete(segment));
    return segment;
  }

  private indexFailed(err: Error): void {
    if (this.broken) return;
    this.broken = Object.assign(new Error(`segment index write failed; restart to recover: ${err.message}`), { cause: err });
    // Later batches may still commit and move a segment's indexed_to past the lost rows, so the
    // next open must not trust indexed_to: it rescans everything.
    try {
      fs.writeFileSync(path.join(this.dir, rescanMarker), '');
    } catch {
      // If even this fails the disk is gone; the records themselves are durable.
    }
  }

  private async takeLockAndRecover(): Promise<boolean> {
    const lock = new Database(path.join(this.dir, 'writer.lock'), { timeout: 0 });
    try {
      // EXCLUSIVE locking mode keeps the lock from the first write until the connection closes.
      lock.pragma('locking_mode = EXCLUSIVE');
      lock.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (err) {
      lock.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw err;
    }
    this.lock = lock;
    await this.recover();
    return true;
  }

  private async recover(): Promise<void> {
    const marker = path.join(this.dir, rescanMarker);
    const rescanAll = fs.existsSync(marker);
    const ends = new Map((this.stmts.ends.all() as { segment: number; indexed_to: number }[]).map((r) => [r.segment, r.indexed_to]));
    const ids = fs
      .readdirSync(this.dir)
      .map((name) => /^(\d{8})\.seg$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const id of ids) {
      const from = rescanAll ? 0 : (ends.get(id) ?? 0);
      if (fs.statSync(this.segmentPath(id)).size > from) await this.recoverSegment(id, from);
    }
    if (rescanAll) fs.rmSync(marker, { force: true });
    // Appends always go to a fresh segment: an old one may end in a torn record.
    this.nextSegmentId = (ids.at(-1) ?? 0) + 1;
  }

  /** Indexes the records of `id` from `from` on; truncates the segment at the first bad one. */
  private async recoverSegment(id: number, from: number): Promise<void> {
    const fd = await fsp.open(this.segmentPath(id), 'r+');
    try {
      const size = (await fd.stat()).size;
      const header = Buffer.alloc(recordHeaderBytes);
      const found: { key: string; at: Location }[] = [];
      let pos = from;
      while (pos + recordHeaderBytes <= size) {
        await fd.read(header, 0, recordHeaderBytes, pos);
        const length = header.readUInt32LE(magic.length);
        if (!header.subarray(0, magic.length).equals(magic) || pos + recordHeaderBytes + length > size) break;
        const bytes = Buffer.allocUnsafe(length);
        await fd.read(bytes, 0, length, pos + recordHeaderBytes);
        const key = header.toString('hex', keyOffset, keyOffset + 32);
        if (createHash('sha256').update(bytes).digest('hex') !== key) break;
        found.push({ key, at: { segment: id, offset: pos, length } });
        pos += recordHeaderBytes + length;
      }
      if (pos < size) {
        // Nothing at or after a torn record was acknowledged (appends are acknowledged in order).
        await fd.truncate(pos);
        await fd.datasync();
      }
      const now = Date.now();
      this.db.transaction(() => {
        for (const { key, at } of found) this.stmts.recovered.run(indexRow(key, at, now));
        this.stmts.setEnd.run(id, pos);
      })();
    } finally {
      await fd.close();
    }
  }

  private segmentPath(id: number): string {
    return path.join(this.dir, `${String(id).padStart(8, '0')}.seg`);
  }
}

const rescanMarker = 'rescan-needed';

function indexRow(key: string, at: Location, now = Date.now()) {
  return { key, segment: at.segment, offset: at.offset, length: at.length, touched_at_ms: now };
}

interface PendingAppend {
  end: number;
  written: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * One segment file being appended to. Space is reserved synchronously, so records never overlap
 * and `pending` is in offset order; writes run concurrently on the libuv pool; one fdatasync at a
 * time covers the longest finished run at the head of `pending`, and only those are acknowledged.
 */
class Segment {
  reserved = 0;
  sealed = false;
  private durableEnd = 0;
  private readonly pending: PendingAppend[] = [];
  private writesInFlight = 0;
  private syncing = false;
  private failed = false;
  private closing: Promise<void> | undefined;
  private markClosed!: () => void;
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    readonly id: number,
    private readonly fd: fsp.FileHandle,
  ) {}

  /** Resolves with the record's offset once it is durable. */
  append(buffers: Buffer[]): Promise<number> {
    const offset = this.reserved;
    const size = buffers.reduce((n, b) => n + b.length, 0);
    this.reserved += size;
    return new Promise<number>((resolve, reject) => {
      const entry: PendingAppend = { end: offset + size, written: false, resolve: () => resolve(offset), reject };
      this.pending.push(entry);
      this.writesInFlight++;
      this.fd.writev(buffers, offset).then(
        ({ bytesWritten }) => {
          this.writesInFlight--;
          if (bytesWritten !== size) return this.fail(new Error(`short write to segment ${this.id}: ${bytesWritten} of ${size} bytes`));
          entry.written = true;
          this.flush();
        },
        (err: Error) => {
          this.writesInFlight--;
          this.fail(err);
        },
      );
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

  private flush(): void {
    if (this.syncing || this.failed) return this.closeWhenIdle();
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.written) n++;
    if (n === 0) return this.closeWhenIdle();
    const batch = this.pending.splice(0, n);
    this.syncing = true;
    this.fd.datasync().then(
      () => {
        this.syncing = false;
        if (this.failed) {
          for (const e of batch) e.reject(new Error(`segment ${this.id} failed`));
        } else {
          this.durableEnd = batch[batch.length - 1]!.end;
          for (const e of batch) e.resolve();
        }
        this.flush();
      },
      (err: Error) => {
        this.syncing = false;
        for (const e of batch) e.reject(err);
        this.fail(err);
      },
    );
  }

  /**
   * A failed write or fdatasync: nothing not yet acknowledged in this file can be trusted (after
   * a failed fsync the kernel may have dropped the dirty pages), so every pending append fails,
   * the segment takes no more, and once its writes have stopped it is cut back to what was
   * acknowledged, leaving no partial record behind.
   */
  private fail(err: Error): void {
    this.sealed = true;
    this.failed = true;
    for (const e of this.pending.splice(0)) e.reject(err);
    this.closeWhenIdle();
  }

  private closeWhenIdle(): void {
    if (!this.sealed || this.closing || this.syncing || this.writesInFlight > 0 || this.pending.length > 0) return;
    this.closing = (async () => {
      try {
        if (this.failed) {
          await this.fd.truncate(this.durableEnd);
          await this.fd.datasync();
        }
      } catch {
        // Recovery at the next open truncates at the first bad record anyway.
      } finally {
        await this.fd.close().catch(() => {});
        this.markClosed();
      }
    })();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fd = await fsp.open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}
