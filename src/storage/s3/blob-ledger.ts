import type pg from 'pg';
import { ConfigError } from '../../config/config.js';
import type { BlobListing } from '../blob-store.js';

/**
 * The `blobs` table in PostgreSQL: who may write, and who may delete, each object of the bucket.
 * S3 alone cannot say "delete unless re-stored since T", so every instance coordinates here. A
 * row's life:
 *
 *   claim → `pending` → (PUT) → `stored` → (gc) `deleting` → (DeleteObject under the row lock) gone
 *
 * A claim of a `deleting` row turns it back to `pending`, so an upload always wins over gc. A
 * claim that starts a `pending` row (inserts it, or revives a `deleting` one) sets its
 * `touched_at`; later claims of the same pending row leave it alone. That timestamp is the
 * row's *epoch*: `markStored` succeeds only while the epoch in which the PUT was made is still
 * in force, i.e. no gc can have deleted the object between that PUT and the mark.
 *
 * The file rows live in the same database (`files.blob_key`): gc's deletion re-checks them
 * under the row lock, with a fresh snapshot, so a file row committed meanwhile keeps the blob.
 */
export class BlobLedger {
  constructor(private readonly pool: pg.Pool) {}

  /** Fails (naming the table) unless the ledger exists: it is created by the PostgreSQL migrations. */
  async check(): Promise<void> {
    try {
      await this.pool.query('SELECT key, size_bytes, state, touched_at FROM blobs LIMIT 0');
      await this.pool.query('SELECT blob_key FROM files LIMIT 0');
    } catch (err) {
      // The PostgreSQL metadata store's migrations create both tables: --blob s3 goes with --meta postgres.
      throw new ConfigError(`the blob ledger (tables blobs and files in PostgreSQL) is not usable: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Registers an upload of `key`. `started`: this claim began the row's current pending epoch
   * (so this upload is the one that PUTs); otherwise another upload's PUT is under way
   * (`pending`), or the bytes are already stored (`stored`, refreshed for gc).
   */
  async claim(key: string, sizeBytes: number): Promise<Claim> {
    const { rows } = await this.pool.query<{ state: 'pending' | 'stored'; epoch: string; started: boolean }>(
      `INSERT INTO blobs AS b (key, size_bytes, state) VALUES ($1, $2, 'pending')
       ON CONFLICT (key) DO UPDATE SET
         state = CASE WHEN b.state = 'deleting' THEN 'pending' ELSE b.state END,
         touched_at = CASE WHEN b.state = 'pending' THEN b.touched_at ELSE now() END
       RETURNING state, touched_at::text AS epoch, (state = 'pending' AND touched_at = now()) AS started`,
      [key, sizeBytes],
    );
    return rows[0]!;
  }

  /** After the PUT made in `epoch`: true if the row is now `stored`, false if gc ended the epoch (claim again). */
  async markStored(key: string, epoch: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE blobs SET state = 'stored', touched_at = now() WHERE key = $1 AND state = 'pending' AND touched_at = $2::timestamptz`,
      [key, epoch],
    );
    return rowCount === 1;
  }

  /** The row as it is now: for an upload waiting on another's PUT. */
  async peek(key: string): Promise<{ state: LedgerState; epoch: string } | undefined> {
    const { rows } = await this.pool.query<{ state: LedgerState; epoch: string }>('SELECT state, touched_at::text AS epoch FROM blobs WHERE key = $1', [key]);
    return rows[0];
  }

  /**
   * Whether the blob is `stored`, read under a share lock: a gc deletion in progress is waited
   * for, so `true` means the object exists and (its file row being committed) stays.
   */
  async isStored(key: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ state: LedgerState }>('SELECT state FROM blobs WHERE key = $1 FOR SHARE', [key]);
    return rows[0]?.state === 'stored';
  }

  /**
   * gc's first step: marks the row `deleting` if no file row references it and (when given) it
   * was not touched since `touchedBeforeMs`. From then on an upload's claim revives it.
   */
  async markDeleting(key: string, touchedBeforeMs: number | undefined): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE blobs SET state = 'deleting'
       WHERE key = $1 AND ($2::float8 IS NULL OR touched_at < to_timestamp($2::float8 / 1000))
         AND NOT EXISTS (SELECT 1 FROM files WHERE blob_key = $1)`,
      [key, touchedBeforeMs ?? null],
    );
    return rowCount === 1;
  }

  /**
   * gc's second step, in one transaction holding the row lock: if the row is still `deleting`
   * and still unreferenced, `removeObject` runs and the row goes. A claim meanwhile waits on the
   * lock; after the commit it inserts a fresh row and its upload PUTs again. A crash after the
   * object went leaves the row `deleting`: the next claim revives it (and PUTs), the next gc
   * finishes the job.
   */
  async deleteMarked(key: string, removeObject: () => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect();
    let done = false;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ state: LedgerState }>('SELECT state FROM blobs WHERE key = $1 FOR UPDATE', [key]);
      // A fresh snapshot, taken under the lock: sees every file row committed before it.
      const referenced = await client.query('SELECT 1 FROM files WHERE blob_key = $1 LIMIT 1', [key]);
      if (rows[0]?.state === 'deleting' && referenced.rowCount === 0) {
        await removeObject();
        await client.query('DELETE FROM blobs WHERE key = $1', [key]);
        done = true;
      }
      await client.query('COMMIT');
      return done;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Every row, in key order, a page at a time: rows deleted meanwhile are simply not seen. */
  async *list(pageSize = 1000): AsyncIterable<BlobListing> {
    let after = '';
    for (;;) {
      const { rows } = await this.pool.query<{ key: string; ms: number }>(
        `SELECT key, extract(epoch FROM touched_at)::float8 * 1000 AS ms FROM blobs WHERE key > $1 ORDER BY key LIMIT $2`,
        [after, pageSize],
      );
      for (const row of rows) yield { key: row.key, modifiedAtMs: row.ms };
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.key;
    }
  }
}

export type LedgerState = 'pending' | 'stored' | 'deleting';

export interface Claim {
  state: 'pending' | 'stored';
  /** `touched_at` as PostgreSQL prints it: exact, unlike a JavaScript Date. */
  epoch: string;
  started: boolean;
}
