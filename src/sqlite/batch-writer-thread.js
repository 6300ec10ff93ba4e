// @ts-check
/**
 * The batch writer's thread (see batch-writer.ts): its own write connection, one transaction per
 * batch of rows, one answer per batch.
 *
 * JavaScript typed with JSDoc and checked by `tsc` (allowJs, @ts-check), not TypeScript: Node 20
 * cannot start a worker from a .ts file, and tsx does not register its loader inside worker threads
 * there. As plain JavaScript the very same file runs from the sources (vitest, `node --import tsx`)
 * and from dist, where `npm run build` copies it.
 *
 * @import { BatchReply, BatchRecord, InsertOutcome, WriterThreadData } from './batch-writer.js'
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const data = /** @type {WriterThreadData} */ (workerData);
const port = parentPort;
if (!port) throw new Error('batch-writer-thread.js runs as a worker thread (see batch-writer.ts)');

const db = new Database(data.file);
db.pragma('journal_mode = WAL');
db.pragma(data.durable ? 'synchronous = FULL' : 'synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
// Checkpoints run on a thread of their own (wal-checkpointer-thread.js), never inside a commit.
db.pragma('wal_autocheckpoint = 0');

const insert = db.prepare(data.sql);
const onDuplicate = data.onDuplicateSql ? db.prepare(data.onDuplicateSql) : undefined;
const uniqueViolations = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);

/**
 * @param {BatchRecord} row
 * @returns {InsertOutcome}
 */
function insertOne(row) {
  try {
    insert.run(row);
    return 'ok';
  } catch (err) {
    if (!uniqueViolations.has(errorCode(err) ?? '')) throw err;
    if (!onDuplicate || onDuplicate.run(row).changes > 0) return 'duplicate';
    insert.run(row); // the existing row vanished in between (gc): ours takes its place
    return 'ok';
  }
}

const insertAll = db.transaction(/** @param {BatchRecord[]} rows */ (rows) => rows.map(insertOne));

port.on('message', (/** @type {{ rows: BatchRecord[] }} */ { rows }) => {
  /** @type {BatchReply} */
  let reply;
  try {
    reply = { outcomes: insertAll(rows) };
  } catch (err) {
    reply = { error: { message: String(err instanceof Error ? err.message : err), code: errorCode(err) } };
  }
  port.postMessage(reply);
});

/**
 * @param {unknown} err
 * @returns {string | undefined}
 */
function errorCode(err) {
  const code = err instanceof Error ? /** @type {{ code?: unknown }} */ (err).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
