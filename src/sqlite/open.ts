import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Every SQLite file of ours is opened the same way: WAL so that readers (and the CLI) never
 * wait for the writer thread, synchronous=FULL so that a committed transaction survives a power
 * cut, and a busy timeout for the moments two connections want the write lock.
 * The writer thread (batch-writer-thread.js) applies the same pragmas to its own connection.
 */
export function openSqlite(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  return db;
}
