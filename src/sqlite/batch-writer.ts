import { Worker } from 'node:worker_threads';

/** One row as the INSERT statement's named parameters. */
export type BatchRecord = Record<string, string | number | Uint8Array>;
export type InsertOutcome = 'ok' | 'duplicate';

/** What the writer thread (batch-writer-thread.js) is started with. */
export interface WriterThreadData {
  file: string;
  sql: string;
  onDuplicateSql: string | undefined;
  durable: boolean;
}

/** The writer thread's answer to one batch: an outcome per row, or why its transaction failed. */
export interface BatchReply {
  outcomes?: InsertOutcome[];
  error?: { message: string; code?: string | undefined };
}

/** What the checkpointer thread (wal-checkpointer-thread.js) is started with. */
export interface CheckpointerThreadData {
  file: string;
  everyMs: number;
}

/**
 * The threads' programs are files beside this one, found from this module's URL: the same
 * names under src/ (sources, tests) and dist/ (build). See batch-writer-thread.js for why
 * they are JavaScript.
 */
const writerThreadUrl = new URL('./batch-writer-thread.js', import.meta.url);
const checkpointerThreadUrl = new URL('./wal-checkpointer-thread.js', import.meta.url);

/**
 * Byte values that own their whole ArrayBuffer are moved to the worker, not copied (a small blob
 * would otherwise be cloned once more). The caller must not touch such bytes after insert().
 */
function transferables(batch: Pending[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const { record } of batch) {
    for (const v of Object.values(record)) {
      if (v instanceof Uint8Array && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer) {
        out.add(v.buffer);
      }
    }
  }
  return [...out];
}

/** Lazy rows go at once when this many are queued: a transaction's size stays bounded. */
const maxLazyBatch = 512;

interface Pending {
  record: BatchRecord;
  resolve: (outcome: InsertOutcome) => void;
  reject: (err: Error) => void;
}

/**
 * Group commit off the event loop, for one INSERT statement (file rows, small blobs).
 * better-sqlite3 commits synchronously, and a durable commit waits for an fsync: on the main
 * thread that stalls every request. Here a worker thread owns a write connection; rows that
 * arrive while a commit is in flight wait and go together in the next transaction, so one fsync
 * covers many uploads. A caller is answered only after its commit. The table must exist.
 */
export class SqliteBatchWriter {
  private worker: Worker | undefined;
  private checkpointer: Worker | undefined;
  private queue: Pending[] = [];
  private inFlight: Pending[] | undefined;
  private idle: (() => void) | undefined;
  /** Queued rows that asked to be sent now; while there are none, lazy rows wait for the timer. */
  private urgentQueued = 0;
  private lingering: NodeJS.Timeout | undefined;

  /**
   * `onDuplicateSql`, if given, runs in the same transaction when the INSERT meets an existing
   * key (e.g. to refresh its age); if it changes no row, the INSERT is retried.
   */
  constructor(
    private readonly file: string,
    private readonly sql: string,
    private readonly onDuplicateSql?: string,
    /**
     * false: commits without waiting for an fsync (synchronous=NORMAL; WAL still keeps every
     * commit atomic, and a power cut can only lose the latest ones). Only for data that can be
     * rebuilt from something durable, as the segment index can from the segments.
     */
    private readonly durable = true,
    /**
     * How long a `lazy` row may wait for others to share its transaction. A commit costs the
     * writer thread far more than a row, and a row nobody waits for (the segment index) need not
     * be sent alone.
     */
    private readonly lingerMs = 0,
  ) {}

  /**
   * Resolves once the row is committed. `lazy`: nobody waits for it, so it may wait up to
   * `lingerMs` (or until a non-lazy row comes) to go with others.
   */
  insert(record: BatchRecord, options: { lazy?: boolean } = {}): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (!options.lazy) this.urgentQueued++;
      this.sendOrLinger();
    });
  }

  /** Waits for queued rows to commit, then stops the worker. */
  async close(): Promise<void> {
    if (this.lingering && !this.inFlight) this.sendBatch();
    if (this.inFlight || this.queue.length > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    const worker = this.worker;
    this.worker = undefined;
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    await Promise.all([worker?.terminate(), checkpointer?.terminate()]);
  }

  private sendOrLinger(): void {
    if (this.inFlight) return;
    if (this.urgentQueued > 0 || this.lingerMs === 0 || this.queue.length >= maxLazyBatch || this.idle) return this.sendBatch();
    if (this.queue.length === 0 || this.lingering) return;
    // Not unref'd: queued rows keep the process alive until they are sent.
    this.lingering = setTimeout(() => this.sendBatch(), this.lingerMs);
  }

  private sendBatch(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    const batch = this.queue;
    this.queue = [];
    this.urgentQueued = 0;
    if (batch.length === 0) {
      this.idle?.();
      return;
    }
    this.inFlight = batch;
    try {
      const worker = this.workerOrStart();
      // A batch in flight keeps the process alive (someone may await it with nothing else
      // running, as recovery does before the server listens); an idle writer does not.
      worker.ref();
      worker.postMessage({ rows: batch.map((p) => p.record) }, transferables(batch));
    } catch (err) {
      // A record that cannot be sent (or a worker that cannot start) fails its batch, not the process.
      this.settle({ error: { message: `batch writer: ${(err as Error).message}` } });
    }
  }

  private settle(result: BatchReply): void {
    const batch = this.inFlight ?? [];
    this.inFlight = undefined;
    this.worker?.unref();
    if (result.outcomes) batch.forEach((p, i) => p.resolve(result.outcomes![i]!));
    else {
      const err = Object.assign(new Error(result.error?.message ?? 'batched insert failed'), { code: result.error?.code });
      for (const p of batch) p.reject(err);
    }
    if (this.queue.length === 0) this.idle?.();
    else this.sendOrLinger();
  }

  /** Started on first use (CLI commands never insert); restarted if it ever dies. */
  private workerOrStart(): Worker {
    if (this.worker) return this.worker;
    // Small heaps: the writer holds a batch of rows (blob bytes are external memory), nothing more.
    const workerData: WriterThreadData = { file: this.file, sql: this.sql, onDuplicateSql: this.onDuplicateSql, durable: this.durable };
    const worker = new Worker(writerThreadUrl, {
      workerData,
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    worker.on('message', (reply: BatchReply) => this.settle(reply));
    // A dead worker fails the batch it held (the next insert starts a new one): nothing waits forever.
    const died = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.inFlight) this.settle({ error: { message: `batch writer failed: ${why}` } });
    };
    worker.on('error', (err) => died(err.message));
    worker.on('messageerror', (err) => died(err.message));
    worker.on('exit', (code) => died(`worker exited with code ${code}`));
    worker.unref();
    this.worker = worker;
    if (!this.checkpointer) {
      const checkpointerData: CheckpointerThreadData = { file: this.file, everyMs: 250 };
      this.checkpointer = new Worker(checkpointerThreadUrl, {
        workerData: checkpointerData,
        resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
      });
      this.checkpointer.on('error', () => (this.checkpointer = undefined));
      this.checkpointer.unref();
    }
    return worker;
  }
}
