import type Database from 'better-sqlite3';
import { SqliteBatchWriter, type InsertOutcome } from '../../sqlite/batch-writer.js';
import { openSqlite } from '../../sqlite/open.js';
import { UnsupportedDataDirError, type BlobListing } from '../blob-store.js';
import { recordHeaderBytes } from './record.js';

/** Where a record lies. */
export interface Location {
  segment: number;
  /** Of the record (its header); the bytes follow the header. */
  offset: number;
  length: number;
  /** The journal section after the bytes (0: none). */
  journalBytes: number;
}

const schemaVersion = 2;

const schemaSql = `
CREATE TABLE segment_blobs (
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
CREATE TABLE segment_ends (segment INTEGER PRIMARY KEY, indexed_to INTEGER NOT NULL);
CREATE TRIGGER segment_blobs_indexed_to AFTER INSERT ON segment_blobs BEGIN
  INSERT OR IGNORE INTO segment_ends (segment, indexed_to) VALUES (NEW.segment, 0);
  UPDATE segment_ends SET indexed_to = NEW.offset + ${recordHeaderBytes} + NEW.length + NEW.journal_bytes
    WHERE segment = NEW.segment AND indexed_to = NEW.offset;
END;
PRAGMA user_version = ${schemaVersion};
`;

const insertSql =
  'INSERT INTO segment_blobs (key, segment, offset, length, touched_at_ms, journal_bytes) VALUES (@key, @segment, @offset, @length, @touched_at_ms, @journal_bytes)';
/** Same bytes stored again: refresh their age in the writer's transaction, so gc cannot slip between. */
const touchSql = 'UPDATE segment_blobs SET touched_at_ms = @touched_at_ms WHERE key = @key';

/**
 * How long a new record's index row may wait for others (the record is durable and served from
 * memory meanwhile), so that many rows share a transaction (docs/performance.md#group-commit).
 */
const indexLingerMs = 50;

/**
 * The SQLite map from key to record (`index.sqlite`). It is rebuildable: the segments are the
 * durable copy, so its writes need no fsync, and what a power cut takes from it (rows and their
 * segment's `indexed_to`, in the same transactions) the next open rescans (recovery.ts).
 * Rows are written off the caller's path, in batches, by the batch writer's thread.
 */
export class SegmentIndex {
  private readonly db: Database.Database;
  private readonly writer: SqliteBatchWriter;
  private readonly stmts;

  constructor(file: string) {
    this.db = openSqlite(file);
    const hasSchema = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'segment_blobs_indexed_to'").get() !== undefined;
    // Nothing is written when the schema is there, so a read-only open beside a server works.
    if (!hasSchema) this.db.transaction(() => this.db.exec(schemaSql)).immediate();
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version !== schemaVersion) {
      this.db.close();
      throw new UnsupportedDataDirError(
        `${file}: segment index version ${version} was written by a development build before 0.1.0; start with an empty data dir`,
      );
    }
    this.writer = new SqliteBatchWriter(file, insertSql, touchSql, false, indexLingerMs);
    this.stmts = {
      locate: this.db.prepare('SELECT segment, offset, length, journal_bytes AS journalBytes FROM segment_blobs WHERE key = ?'),
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

  locate(key: string): Location | undefined {
    return this.stmts.locate.get(key) as Location | undefined;
  }

  /** A new record's row; it may wait a little to share a transaction. Resolves once committed. */
  async add(key: string, at: Location): Promise<void> {
    await this.writer.insert(indexRow(key, at), { lazy: true });
  }

  /**
   * The same bytes stored again: refreshes the row's age (gc's condition), or re-inserts the row
   * if gc removed it meanwhile ('ok'; the bytes are still where it said: segments are never
   * rewritten). Resolves once committed.
   */
  touch(key: string, at: Location): Promise<InsertOutcome> {
    return this.writer.insert(indexRow(key, at));
  }

  /**
   * Removes the row, with gc's condition in the same statement: an upload that refreshed the age
   * first wins, atomically. The bytes stay in their segment as dead space (docs/reliability.md).
   */
  delete(key: string, unlessTouchedSinceMs?: number): boolean {
    const result = unlessTouchedSinceMs === undefined ? this.stmts.delete.run(key) : this.stmts.deleteIfIdle.run(key, unlessTouchedSinceMs);
    return result.changes > 0;
  }

  /**
   * Every key, in pages of 1000 read on successive turns of the event loop, so that a caller may
   * delete while it iterates (gc), memory stays flat and a serving process is never held long.
   */
  async *keys(): AsyncIterable<BlobListing> {
    let after = '';
    for (;;) {
      const page = this.stmts.keysAfter.all(after) as { key: string; touched_at_ms: number }[];
      for (const r of page) yield { key: r.key, modifiedAtMs: r.touched_at_ms };
      if (page.length < 1000) return;
      after = page[page.length - 1]!.key;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** How far each segment is indexed without a gap. */
  indexedTo(): Map<number, number> {
    return new Map((this.stmts.ends.all() as { segment: number; indexed_to: number }[]).map((r) => [r.segment, r.indexed_to]));
  }

  /** Records found by recovery, and the end of the segment's valid part, in one transaction. */
  addRecovered(segment: number, records: readonly { key: string; at: Location }[], end: number): void {
    const now = Date.now();
    this.db.transaction(() => {
      for (const { key, at } of records) this.stmts.recovered.run(indexRow(key, at, now));
      this.stmts.setEnd.run(segment, end);
    })();
  }

  ping(): void {
    this.stmts.ping.get();
  }

  /** Waits for the rows queued so far to commit. */
  async close(): Promise<void> {
    await this.writer.close();
    if (this.db.open) this.db.close();
  }
}

function indexRow(key: string, at: Location, now = Date.now()) {
  return { key, segment: at.segment, offset: at.offset, length: at.length, touched_at_ms: now, journal_bytes: at.journalBytes };
}
