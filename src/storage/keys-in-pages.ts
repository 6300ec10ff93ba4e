import type Database from 'better-sqlite3';
import type { BlobListing } from './blob-store.js';

/**
 * Every key of a blob table, in pages of `LIMIT 1000` by key (`stmt` takes the last key seen), so
 * that a caller may delete while it iterates (gc) and memory stays flat. Each page after the
 * first is read on a later turn of the event loop: a listing of millions of keys in a serving
 * process (the segment store's key filter, loaded at open) never holds it for more than a page.
 */
export async function* keysInPages(stmt: Database.Statement): AsyncIterable<BlobListing> {
  let after = '';
  for (;;) {
    const page = stmt.all(after) as { key: string; touched_at_ms: number }[];
    for (const r of page) yield { key: r.key, modifiedAtMs: r.touched_at_ms };
    if (page.length < 1000) return;
    after = page[page.length - 1]!.key;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
