import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { SqliteBatchWriter } from '../sqlite/batch-writer.js';
import { openSqlite } from '../sqlite/open.js';
import { keysInPages } from './keys-in-pages.js';
import { assertBlobKey, type BlobListing, type ByteRange, type DeleteOptions } from './blob-store.js';

const insertSql = 'INSERT INTO packed_blobs (key, bytes, touched_at_ms) VALUES (@key, @bytes, @touched_at_ms)';
/** Same bytes already stored: refresh their age in the same transaction, so gc cannot slip between. */
const touchSql = 'UPDATE packed_blobs SET touched_at_ms = @touched_at_ms WHERE key = @key AND @bytes IS NOT NULL';

/**
 * An ordinary rowid table with a unique index on the key, not a WITHOUT ROWID table keyed by it:
 * there the whole row, ~50 KB of blob included, is an index entry, and SQLite's own guidance is
 * that such tables suit rows under 1/20 of a page. Measured here with 11 × 50 KB blobs per durable
 * commit: 1,217 blobs/s WITHOUT ROWID, 2,080 with a rowid (bench/README.md).
 */
const schemaSql = `
CREATE TABLE IF NOT EXISTS packed_blobs (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, bytes BLOB NOT NULL, touched_at_ms INTEGER NOT NULL);
`;
/**
 * Data dirs written before the rowid table: move their blobs over, in one transaction. A key in
 * both tables (an older binary ran on the dir after an upgrade and stored the same bytes again)
 * keeps one copy and the later age. The move is one-way: an older binary finds no packed blobs.
 */
const migrateSql = `
INSERT INTO packed_blobs (key, bytes, touched_at_ms) SELECT key, bytes, touched_at_ms FROM blobs WHERE true ORDER BY key
  ON CONFLICT (key) DO UPDATE SET touched_at_ms = max(touched_at_ms, excluded.touched_at_ms);
DROP TABLE blobs;
`;

/**
 * Small blobs packed into one SQLite file: where data dirs written before segments keep them.
 * Only opened when `packed.sqlite` exists (src/app.ts); its blobs are read, deduplicated against
 * and deleted there, and new small blobs go to segments.
 */
export class PackedBlobStore {
  private readonly db: Database.Database;
  private readonly writer: SqliteBatchWriter;
  private readonly stmts;

  constructor(file: string) {
    this.db = openSqlite(file);
    const hasTable = (name: string): boolean => this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    // Nothing is written when the schema is already current, so a read-only open (fsck) works.
    if (!hasTable('packed_blobs') || hasTable('blobs')) {
      this.db.transaction(() => {
        this.db.exec(schemaSql);
        if (hasTable('blobs')) this.db.exec(migrateSql);
      }).immediate();
    }
    this.writer = new SqliteBatchWriter(file, insertSql, touchSql);
    this.stmts = {
      get: this.db.prepare('SELECT bytes FROM packed_blobs WHERE key = ?'),
      has: this.db.prepare('SELECT 1 FROM packed_blobs WHERE key = ?'),
      delete: this.db.prepare('DELETE FROM packed_blobs WHERE key = ?'),
      deleteIfIdle: this.db.prepare('DELETE FROM packed_blobs WHERE key = ? AND touched_at_ms < ?'),
      keysAfter: this.db.prepare('SELECT key, touched_at_ms FROM packed_blobs WHERE key > ? ORDER BY key LIMIT 1000'),
      ping: this.db.prepare('SELECT 1'),
    };
  }

  /** Durable when it resolves; `created` is false when these bytes were already stored. `bytes` may be moved to the writer thread: do not use it afterwards. */
  async put(key: string, bytes: Buffer): Promise<{ created: boolean }> {
    assertBlobKey(key);
    const outcome = await this.writer.insert({ key, bytes, touched_at_ms: Date.now() });
    return { created: outcome === 'ok' };
  }

  has(key: string): boolean {
    return this.stmts.has.get(key) !== undefined;
  }

  /** The bytes, or undefined when no packed blob has this key. */
  read(key: string, range?: ByteRange): Readable | undefined {
    assertBlobKey(key);
    const row = this.stmts.get.get(key) as { bytes: Buffer } | undefined;
    if (!row) return undefined;
    return Readable.from([range ? row.bytes.subarray(range.start, range.end + 1) : row.bytes]);
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<boolean> {
    assertBlobKey(key);
    const { unlessTouchedSinceMs: since } = options;
    // One statement: an upload that refreshed the age first wins, atomically.
    const result = since === undefined ? this.stmts.delete.run(key) : this.stmts.deleteIfIdle.run(key, since);
    return result.changes > 0;
  }

  /** Pages of keys, so that a caller may delete while it iterates (gc) and memory stays flat. */
  keys(): AsyncIterable<BlobListing> {
    return keysInPages(this.stmts.keysAfter);
  }

  async ping(): Promise<void> {
    this.stmts.ping.get();
  }

  async close(): Promise<void> {
    await this.writer.close();
    if (this.db.open) this.db.close();
  }
}
