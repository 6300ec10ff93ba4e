import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import Database from 'better-sqlite3';
import { SqliteBatchWriter } from '../sqlite/batch-writer.js';
import { openSqlite } from '../sqlite/open.js';
import { KeyFilter } from './key-filter.js';
import { keysInPages } from './keys-in-pages.js';
import { assertBlobKey, DataDirBusyError, type BlobListing, type ByteRange, type DeleteOptions, type JournalEntry } from './blob-store.js';
import { fsyncDir, writeAll } from './file-io.js';

/**
 * A record: this header, then the blob's bytes, then its journal entry if it has one. The key is
 * the SHA-256 of the bytes, so a record proves itself: recovery recomputes the hash (and the
 * entry's CRC-32), and a torn or never-finished record fails it.
 *
 * Header: magic (8 bytes), the bytes' length (u32 LE), the journal section's length (u32 LE; 0
 * when none: records written before journals had zeros there), the SHA-256 (32 bytes). The
 * journal section is the entry, then its CRC-32 (u32 LE).
 */
const magic = Buffer.from('LGSEG001', 'latin1');
export const recordHeaderBytes = 48;
const journalLengthOffset = 12;
const keyOffset = 16;
const crcBytes = 4;

const indexedToTriggerSql = `
CREATE TRIGGER segment_blobs_indexed_to AFTER INSERT ON segment_blobs BEGIN
  INSERT OR IGNORE INTO segment_ends (segment, indexed_to) VALUES (NEW.segment, 0);
  UPDATE segment_ends SET indexed_to = NEW.offset + ${recordHeaderBytes} + NEW.length + NEW.journal_bytes
    WHERE segment = NEW.segment AND indexed_to = NEW.offset;
END;`;

const schemaSql = `
CREATE TABLE IF NOT EXISTS segment_blobs (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  segment INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  touched_at_ms INTEGER NOT NULL,
  journal_bytes INTEGER NOT NULL DEFAULT 0
);
-- How far each segment is known to the index, without a gap: recovery scans only what lies beyond.
-- An insert moves it only when it continues the run, so a row that failed to commit (while
-- later ones did) holds it back, and the next open rescans from there.
CREATE TABLE IF NOT EXISTS segment_ends (segment INTEGER PRIMARY KEY, indexed_to INTEGER NOT NULL);
${indexedToTriggerSql}
PRAGMA user_version = 2;
`;
/** Version 1 (before journal entries) had no journal_bytes and a trigger that ignored them. */
const migrateV1Sql = `
ALTER TABLE segment_blobs ADD COLUMN journal_bytes INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER segment_blobs_indexed_to;
${indexedToTriggerSql}
PRAGMA user_version = 2;
`;
const insertSql =
  'INSERT INTO segment_blobs (key, segment, offset, length, touched_at_ms, journal_bytes) VALUES (@key, @segment, @offset, @length, @touched_at_ms, @journal_bytes)';
/** Same bytes stored again: refresh their age in the writer's transaction, so gc cannot slip between. */
const touchSql = 'UPDATE segment_blobs SET touched_at_ms = @touched_at_ms WHERE key = @key';

/**
 * How long a new record's index row may wait for others (the record is durable and served from
 * memory meanwhile): one transaction per ~50 rows at 1 000 uploads/s instead of one or two.
 */
const indexLingerMs = 50;

interface Location {
  segment: number;
  /** Of the record (its header); the bytes follow the header. */
  offset: number;
  length: number;
  /** The journal section after the bytes (0: none). */
  journal_bytes: number;
}

export interface SegmentBlobStoreOptions {
  /** A segment takes no new records once it is this large. */
  maxSegmentBytes?: number;
  /**
   * Re-applies a journal entry found by recovery (durably, and harmlessly if it was applied
   * before). Without it, a store that finds an entry refuses to open rather than lose it.
   */
  applyJournal?: (entry: Buffer) => Promise<void>;
  /** The key filter's smallest size, in keys (default: a million, 2 MiB); for tests of its growth. */
  filterMinKeys?: number;
}

/**
 * Small blobs appended to segment files, one durable (O_DSYNC) write per group of appends, with
 * an SQLite index of where each one is. This is the embedded default for blobs up to
 * `--pack-max-bytes`.
 *
 * Why not SQLite for the bytes too (as `packed.sqlite` did): a WAL database writes every page
 * twice (WAL, then the checkpoint's copy) and a 50 KB blob is several frames of work on a writer
 * thread; here a group of records is one `writev` on the libuv pool, which is the only wait.
 *
 * Durability: a put resolves once the write of its record's group has returned from a file
 * opened with O_DSYNC (the bytes and the file's size are on the disk). Appends are acknowledged
 * strictly in offset order, so after a crash every acknowledged record lies before the first torn
 * one. A record may carry a journal entry (a file row, see JournalEntry): one write makes both
 * durable.
 *
 * The index row is written after the acknowledgement, off the upload's path and in batches
 * (`indexLingerMs`), and for a record with an entry only once the entry is applied. Until then
 * the record is served from memory; if the process dies first, opening the store scans the
 * segments' unindexed tails, applies their entries (`applyJournal`), indexes every record whose
 * bytes hash to its key and truncates at the first that does not. An index write that fails (a
 * full disk) leaves its record served from memory until the next open indexes it.
 *
 * One process writes a data dir: `open()` takes an exclusive SQLite lock on `writer.lock`
 * (released by the OS when the process dies); another process opens it read-only (fsck, gc).
 * Only the writer adds keys, so it alone keeps a KeyFilter of them: the dedup lookup of a new
 * upload's key (almost always absent) then needs no index read.
 */
export class SegmentBlobStore {
  private readonly db: Database.Database;
  private readonly index: SqliteBatchWriter;
  private readonly stmts;
  private readonly maxSegmentBytes: number;
  private readonly applyJournal: ((entry: Buffer) => Promise<void>) | undefined;
  private lock: Database.Database | undefined;
  private opening: Promise<boolean> | undefined;
  private nextSegmentId = 1;
  private active: Promise<Segment> | undefined;
  /**
   * Acknowledged records whose index row is not committed: reads find them here, and a delete
   * waits for `indexed` (the row would otherwise come back after it). A record whose row failed
   * stays here, `indexed` settled, until the next open indexes it from the segment.
   */
  private readonly unindexed = new Map<string, { at: Location; indexed: Promise<void> }>();
  /** Appends under way, by key: a second put of the same bytes waits for the first. */
  private readonly appending = new Map<string, Promise<void>>();
  private readonly segments = new Set<Segment>();
  /**
   * Every key in the index or in `unindexed`; only in the writer process, which alone adds keys.
   * Until the first one is filled, every lookup reads the index.
   */
  private filter: KeyFilter | undefined;
  /** The filter being filled (the first at open, then a bigger one), and that fill; see fillFilter. */
  private nextFilter: KeyFilter | undefined;
  private filling: Promise<void> | undefined;
  private readonly filterMinKeys: number | undefined;
  private closing = false;
  private readonly readers = new SegmentReaders((id) => this.segmentPath(id));

  constructor(
    private readonly dir: string,
    options: SegmentBlobStoreOptions = {},
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? 128 * 1024 * 1024;
    this.applyJournal = options.applyJournal;
    this.filterMinKeys = options.filterMinKeys;
    const indexFile = path.join(dir, 'index.sqlite');
    this.db = openSqlite(indexFile);
    // Nothing is written when the schema is current, so a read-only open beside a server works.
    const version = this.db.pragma('user_version', { simple: true }) as number;
    const hasIndex = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'segment_blobs_indexed_to'").get();
    if (!hasIndex) this.db.transaction(() => this.db.exec(schemaSql)).immediate();
    else if (version < 2) this.db.transaction(() => this.db.exec(migrateV1Sql)).immediate();
    // The index need not wait for fsyncs: what a power cut takes from it (rows and their
    // segment's indexed_to, in the same transactions) the next open rescans from the segments.
    this.index = new SqliteBatchWriter(indexFile, insertSql, touchSql, false, indexLingerMs);
    this.stmts = {
      locate: this.db.prepare('SELECT segment, offset, length, journal_bytes FROM segment_blobs WHERE key = ?'),
      delete: this.db.prepare('DELETE FROM segment_blobs WHERE key = ?'),
      deleteIfIdle: this.db.prepare('DELETE FROM segment_blobs WHERE key = ? AND touched_at_ms < ?'),
      keysAfter: this.db.prepare('SELECT key, touched_at_ms FROM segment_blobs WHERE key > ? ORDER BY key LIMIT 1000'),
      ends: this.db.prepare('SELECT segment, indexed_to FROM segment_ends'),
      recovered: this.db.prepare(`${insertSql} ON CONFLICT (key) DO NOTHING`),
      setEnd: this.db.prepare(
        'INSERT INTO segment_ends (segment, indexed_to) VALUES (?, ?) ON CONFLICT (segment) DO UPDATE SET indexed_to = excluded.indexed_to',
      ),
      ping: this.db.prepare('SELECT 1'),
      count: this.db.prepare('SELECT count(*) AS n FROM segment_blobs'),
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

  /**
   * Durable when it resolves; `created` is false when these bytes were already stored, and then
   * nothing was written: a `journal` entry was not stored either (the caller must make it durable
   * another way).
   */
  async put(key: string, bytes: Buffer | readonly Buffer[], journal?: JournalEntry): Promise<{ created: boolean }> {
    assertBlobKey(key);
    await this.open({ exclusive: true });
    // From here to appending.set() nothing awaits, so puts of the same bytes are strictly one after the other.
    for (let earlier = this.appending.get(key); earlier; earlier = this.appending.get(key)) await earlier.catch(() => {});
    const existing = this.locate(key);
    if (existing) {
      // Refreshes the age (gc's condition); re-inserts the row if gc removed it meanwhile. The
      // bytes are still where the row said: segments are never rewritten.
      const outcome = await this.index.insert(indexRow(key, existing));
      // 'ok': the row had gone (gc) and is back. A filter filled from the index in between (at
      // open, or growing) may have missed it.
      if (outcome === 'ok') this.addToFilters(key);
      return { created: outcome === 'ok' && !journal };
    }
    const appended = this.append(key, bytes, journal);
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
    const { unlessTouchedSinceMs: since } = options;
    // One statement: an upload that refreshed the age first wins, atomically. The bytes stay in
    // their segment as dead space (segments are append-only; see docs/reliability.md).
    const result = since === undefined ? this.stmts.delete.run(key) : this.stmts.deleteIfIdle.run(key, since);
    // A record whose index row could not be written is known only here.
    const unindexed = result.changes === 0 && since === undefined && this.unindexed.delete(key);
    return result.changes > 0 || unindexed;
  }

  /** Pages of keys, so that a caller may delete while it iterates (gc) and memory stays flat. */
  async *keys(): AsyncIterable<BlobListing> {
    // Blobs acknowledged before the listing starts are in it.
    await this.indexed();
    yield* keysInPages(this.stmts.keysAfter);
  }

  async ping(): Promise<void> {
    this.stmts.ping.get();
  }

  /**
   * Settles once the writer's key filter is filled (or the fill gave up); true if there is one.
   * The store is fully usable before; lookups then read the index for every key.
   */
  async filterLoaded(): Promise<boolean> {
    await this.filling;
    return this.filter !== undefined;
  }

  /** The writer's key filter as it stands (tests, diagnostics); undefined in a read-only store. */
  filterStats(): { keys: number; capacity: number } | undefined {
    return this.filter && { keys: this.filter.size, capacity: this.filter.capacity };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.opening?.catch(() => {});
    await this.filling;
    await Promise.allSettled([...this.appending.values()]);
    await this.indexed();
    await Promise.allSettled([...this.segments].map((s) => s.drained()));
    await Promise.all([this.index.close(), this.readers.close()]);
    if (this.db.open) this.db.close();
    this.lock?.close();
    this.lock = undefined;
  }

  private locate(key: string): Location | undefined {
    const unindexed = this.unindexed.get(key);
    if (unindexed) return unindexed.at;
    if (this.filter && !this.filter.mayContain(key)) return undefined;
    return this.stmts.locate.get(key) as Location | undefined;
  }

  /** Every index insert under way has settled. */
  private async indexed(): Promise<void> {
    await Promise.all([...this.unindexed.values()].map((u) => u.indexed));
  }

  private async append(key: string, bytes: Buffer | readonly Buffer[], journal?: JournalEntry): Promise<void> {
    const chunks = Buffer.isBuffer(bytes) ? [bytes] : bytes;
    const length = chunks.reduce((n, c) => n + c.length, 0);
    const header = Buffer.alloc(recordHeaderBytes);
    magic.copy(header, 0);
    header.writeUInt32LE(length, magic.length);
    header.write(key, keyOffset, 'hex');
    const buffers = [header, ...chunks];
    let journalBytes = 0;
    if (journal) {
      const crc = Buffer.allocUnsafe(crcBytes);
      crc.writeUInt32LE(crc32(journal.bytes));
      buffers.push(journal.bytes, crc);
      journalBytes = journal.bytes.length + crcBytes;
      header.writeUInt32LE(journalBytes, journalLengthOffset);
    }
    const { segment, offset } = await this.appendToSegment(buffers, recordHeaderBytes + length + journalBytes);
    const at: Location = { segment, offset, length, journal_bytes: journalBytes };
    // Indexed only once the entry is applied elsewhere: until then recovery must find the record.
    const applied = journal ? journal.apply() : Promise.resolve();
    const entry = {
      at,
      indexed: applied.then(() => this.index.insert(indexRow(key, at), { lazy: true })).then(
        () => {
          if (this.unindexed.get(key) === entry) this.unindexed.delete(key);
        },
        // Kept in `unindexed`; the run in segment_ends stops before it, so the next open rescans
        // it (and re-applies its journal entry).
        () => {},
      ),
    };
    this.unindexed.set(key, entry);
    this.addToFilters(key);
  }

  /** A key now stored: into the filter in use and the one being filled, if any. */
  private addToFilters(key: string): void {
    this.filter?.add(key);
    this.nextFilter?.add(key);
    if (this.filter?.overfull && !this.filling) this.fillFilter(() => this.filter!.larger());
  }

  /** Appends to the active segment, or to a new one once it is full or has failed; resolves when durable. */
  private async appendToSegment(buffers: Buffer[], recordBytes: number): Promise<{ segment: number; offset: number }> {
    for (;;) {
      this.active ??= this.createSegment();
      const current = this.active;
      const segment = await current.catch((err: unknown) => {
        // A segment that could not be created (disk full): the next put tries a new one.
        if (this.active === current) this.active = undefined;
        throw err;
      });
      // The room check and the reservation inside append() run without an await between them.
      if (!segment.sealed && (segment.reserved === 0 || segment.reserved + recordBytes <= this.maxSegmentBytes)) {
        return { segment: segment.id, offset: await segment.append(buffers) };
      }
      segment.seal();
      if (this.active === current) this.active = undefined;
    }
  }

  private async createSegment(): Promise<Segment> {
    const id = this.nextSegmentId++;
    const file = this.segmentPath(id);
    // O_DSYNC: a write returns once its bytes are durable (see Segment).
    const fd = await fsp.open(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_DSYNC);
    try {
      // The new name must survive a crash before any record in it is acknowledged.
      await fsyncDir(this.dir);
    } catch (err) {
      await fd.close();
      throw err;
    }
    const segment = new Segment(id, file, fd);
    this.segments.add(segment);
    void segment.closed.then(() => this.segments.delete(segment));
    return segment;
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
    this.fillFilter(() => new KeyFilter((this.stmts.count.get() as { n: number }).n, this.filterMinKeys));
    return true;
  }

  /**
   * Fills a new filter (`make`) and then puts it in use: the first one at open, and later a
   * bigger one when the one in use is overfull (it was sized when the store opened; a
   * long-running writer keeps adding keys). It gets the keys not indexed yet, every key of the
   * index (a page per turn of the event loop, so the server answers meanwhile) and every key
   * stored meanwhile (addToFilters adds to both). The filter in use, or none (the index), answers
   * until the new one is complete, so no stored key is ever missing from the one in use. Up to
   * the first page read everything runs before fillFilter returns, so a key stored after the
   * call cannot miss the new filter. A fill that fails (the index unreadable, no memory for the
   * filter) keeps what was in use, and `filling` stays set: no new attempt is made.
   */
  private fillFilter(make: () => KeyFilter): void {
    const fill = async (): Promise<void> => {
      try {
        const next = make();
        this.nextFilter = next;
        for (const key of this.unindexed.keys()) next.add(key);
        for await (const { key } of keysInPages(this.stmts.keysAfter)) {
          if (this.closing) return;
          next.add(key);
        }
        this.filter = next;
        this.filling = undefined;
      } catch {
        // Only the filter's speed-up is lost.
      } finally {
        this.nextFilter = undefined;
      }
    };
    this.filling = fill();
  }

  private async recover(): Promise<void> {
    const ends = new Map((this.stmts.ends.all() as { segment: number; indexed_to: number }[]).map((r) => [r.segment, r.indexed_to]));
    const ids = fs
      .readdirSync(this.dir)
      .map((name) => /^(\d{8})\.seg$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const id of ids) {
      const from = ends.get(id) ?? 0;
      if (fs.statSync(this.segmentPath(id)).size > from) await this.recoverSegment(id, from);
    }
    // Appends always go to a fresh segment: an old one may end in a torn record.
    this.nextSegmentId = (ids.at(-1) ?? 0) + 1;
  }

  /** Indexes the records of `id` from `from` on; truncates the segment at the first bad one. */
  private async recoverSegment(id: number, from: number): Promise<void> {
    const fd = await fsp.open(this.segmentPath(id), 'r+');
    try {
      const size = (await fd.stat()).size;
      const header = Buffer.alloc(recordHeaderBytes);
      const found: { key: string; at: Location; journal?: Buffer }[] = [];
      let pos = from;
      while (pos + recordHeaderBytes <= size) {
        await fd.read(header, 0, recordHeaderBytes, pos);
        const length = header.readUInt32LE(magic.length);
        const journalBytes = header.readUInt32LE(journalLengthOffset);
        const end = pos + recordHeaderBytes + length + journalBytes;
        if (!header.subarray(0, magic.length).equals(magic) || end > size || (journalBytes > 0 && journalBytes < crcBytes)) break;
        const bytes = Buffer.allocUnsafe(length + journalBytes);
        await fd.read(bytes, 0, bytes.length, pos + recordHeaderBytes);
        const key = header.toString('hex', keyOffset, keyOffset + 32);
        if (createHash('sha256').update(bytes.subarray(0, length)).digest('hex') !== key) break;
        let journal: Buffer | undefined;
        if (journalBytes > 0) {
          // A copy: a view would keep the whole record's bytes alive until the segment is done.
          journal = Buffer.from(bytes.subarray(length, length + journalBytes - crcBytes));
          if (crc32(journal) !== bytes.readUInt32LE(length + journalBytes - crcBytes)) break;
        }
        found.push({ key, at: { segment: id, offset: pos, length, journal_bytes: journalBytes }, journal });
        pos = end;
      }
      if (pos < size) {
        // Nothing at or after a torn record was acknowledged (appends are acknowledged in order).
        await fd.truncate(pos);
        await fd.datasync();
      }
      // Entries first, durably: once a record is indexed, recovery never looks at it again. All
      // at once, so the row writer commits them in a few transactions, not one fsync each.
      const entries = found.flatMap((f) => (f.journal ? [f.journal] : []));
      if (entries.length > 0 && !this.applyJournal) throw new Error(`segment ${id} holds journal entries and this store was opened without applyJournal`);
      await Promise.all(entries.map((e) => this.applyJournal!(e)));
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

function indexRow(key: string, at: Location, now = Date.now()) {
  return { key, segment: at.segment, offset: at.offset, length: at.length, touched_at_ms: now, journal_bytes: at.journal_bytes };
}

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
 * One segment file being appended to, opened with O_DSYNC. Space is reserved synchronously, so
 * records never overlap and `queued` is in offset order. Records queue while the groups in
 * flight are busy; the next group takes them all and writes them with one positional `writev`,
 * which O_DSYNC makes return only once the bytes (and the file size) are on the disk: one trip to
 * the libuv pool per group, where a write per record plus an fdatasync per group took one per
 * record plus one. A record is acknowledged when its group and every group before it are done.
 */
class Segment {
  reserved = 0;
  sealed = false;
  private durableEnd = 0;
  private readonly queued: QueuedAppend[] = [];
  private readonly groups: GroupInFlight[] = [];
  private failed = false;
  private closing: Promise<void> | undefined;
  private markClosed!: () => void;
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    readonly id: number,
    private readonly file: string,
    private readonly fd: fsp.FileHandle,
  ) {}

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
        // Nothing in it was acknowledged (say the disk was full from the start): no empty file per failed put.
        if (this.failed && this.durableEnd === 0) await fsp.rm(this.file, { force: true }).catch(() => {});
        this.markClosed();
      }
    })();
  }
}

/**
 * Read-only handles of segment files, kept for the next download, so that a download costs one
 * trip to the libuv pool instead of three (open, read, close). The benchmark's downloads stayed
 * at 0.87–0.88× of the serve baseline either way: the pool trip itself is what costs. Bounded; a
 * handle in use is never closed.
 */
class SegmentReaders {
  private readonly handles = new Map<number, { handle: Promise<fsp.FileHandle>; users: number }>();

  constructor(
    private readonly pathOf: (id: number) => string,
    private readonly max = 32,
  ) {}

  async read(id: number, into: Buffer, position: number): Promise<number> {
    let entry = this.handles.get(id);
    if (entry) this.handles.delete(id); // re-inserted below: the map's order is least recently used first
    else {
      const opened = { handle: fsp.open(this.pathOf(id), 'r'), users: 0 };
      opened.handle.catch(() => this.handles.get(id) === opened && this.handles.delete(id));
      entry = opened;
    }
    this.handles.set(id, entry);
    entry.users++;
    try {
      const fd = await entry.handle;
      return (await fd.read(into, 0, into.length, position)).bytesRead;
    } finally {
      entry.users--;
      this.trim();
    }
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.allSettled(all.map((e) => e.handle.then((fd) => fd.close())));
  }

  private trim(): void {
    for (const [id, e] of this.handles) {
      if (this.handles.size <= this.max) return;
      if (e.users > 0) continue;
      this.handles.delete(id);
      void e.handle.then((fd) => fd.close()).catch(() => {});
    }
  }
}
