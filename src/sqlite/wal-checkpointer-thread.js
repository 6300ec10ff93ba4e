// @ts-check
/**
 * Copies the WAL back into the database beside the batch writer's thread (see batch-writer.ts).
 * SQLite's automatic checkpoint would run inside whichever commit crosses the threshold, making
 * that batch wait for megabytes of copying and an fsync; a PASSIVE checkpoint here never blocks
 * the writer or readers. JavaScript checked by tsc, for the reason given in batch-writer-thread.js.
 *
 * @import { CheckpointerThreadData } from './batch-writer.js'
 */
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const data = /** @type {CheckpointerThreadData} */ (workerData);
const db = new Database(data.file);
db.pragma('busy_timeout = 5000');
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick tries again.
  }
}, data.everyMs);
