import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { BlobListing } from '../storage/blob-store.js';

/**
 * Every SQLite file of ours is opened the same way: WAL so that readers (and the CLI) never
 * wait for the writer thread, synchronous=FULL so that a committed transaction survives a power
 * cut, and a busy timeout for the moments two connections want the write lock.
 * The writer thread (batch-writer.ts) applies the same pragmas to its own connection.
 */
export function openSqlite(file: string, options: { pageSize?: number } = {}): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  // Takes effect only on a new, empty file (before WAL mode writes the header); a no-op otherwise.
  if (options.pageSize !== undefined) db.pragma(`page_size = ${options.pageSize}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Every key of a blob table, in pages of `LIMIT 1000` by key (`stmt` takes the last key seen), so
 * that a caller may delete while it iterates (gc) and memory stays flat.
 */
export async function* keysInPages(stmt: Database.Statement): AsyncIterable<BlobListing> {
  let after = '';
  for (;;) {
    const page = stmt.all(after) as { key: string; touched_at_ms: number }[];
    for (const r of page) yield { key: r.key, modifiedAtMs: r.touched_at_ms };
    if (page.length < 1000) return;
    after = page[page.length - 1]!.key;
  }
}
