import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBatchWriter } from '../../../src/sqlite/batch-writer.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

let dir: string;
let file: string;
const writers: SqliteBatchWriter[] = [];
const writer = (lingerMs: number, options: { sql?: string; onDuplicateSql?: string; durable?: boolean } = {}): SqliteBatchWriter => {
  const w = new SqliteBatchWriter(file, options.sql ?? 'INSERT INTO t (k) VALUES (@k)', options.onDuplicateSql, options.durable ?? false, lingerMs);
  writers.push(w);
  return w;
};
/** Counts the batches the writer sends to its thread. */
const countBatches = (w: SqliteBatchWriter): { n: number } => {
  const count = { n: 0 };
  const internals = w as unknown as { workerOrStart: () => { postMessage: (...a: unknown[]) => void } };
  const start = internals.workerOrStart.bind(w);
  internals.workerOrStart = () => {
    const worker = start();
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (...a: unknown[]) => {
      count.n++;
      post(...a);
    };
    return worker;
  };
  return count;
};
const rows = (): number => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-batch-'));
  file = path.join(dir, 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  db.exec('CREATE TABLE b (k TEXT PRIMARY KEY, bytes BLOB NOT NULL, hits INTEGER NOT NULL DEFAULT 0)');
  db.close();
});
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SqliteBatchWriter lazy rows', () => {
  it('lazy rows wait for company and commit in one transaction', async () => {
    const w = writer(30);
    const batches = countBatches(w);
    const done = Promise.all(Array.from({ length: 5 }, (_, i) => w.insert({ k: `lazy-${i}` }, { lazy: true })));
    expect(batches.n).toBe(0);
    expect(await done).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(batches.n).toBe(1);
    expect(rows()).toBe(5);
  });

  it('a row someone waits for takes the lazy ones with it at once', async () => {
    const w = writer(60_000);
    const batches = countBatches(w);
    const lazy = w.insert({ k: 'lazy' }, { lazy: true });
    expect(await w.insert({ k: 'urgent' })).toBe('ok');
    expect(await lazy).toBe('ok');
    expect(batches.n).toBe(1);
    expect(rows()).toBe(2);
  });

  it('close() commits lazy rows without waiting out the linger', async () => {
    const w = writer(60_000);
    const lazy = w.insert({ k: 'lazy' }, { lazy: true });
    await w.close();
    expect(await lazy).toBe('ok');
    expect(rows()).toBe(1);
  });
});

describe('the writer thread (batch-writer-thread.js)', () => {
  const blobRow = (k: string, bytes: Uint8Array): { k: string; bytes: Uint8Array } => ({ k, bytes });
  const readBlob = (k: string): { bytes: Buffer; hits: number } | undefined => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT bytes, hits FROM b WHERE k = ?').get(k) as { bytes: Buffer; hits: number } | undefined;
    } finally {
      db.close();
    }
  };

  it('answers each row of a batch: ok, or duplicate for a key already there', async () => {
    const w = writer(0);
    expect(await Promise.all([w.insert({ k: 'a' }), w.insert({ k: 'b' }), w.insert({ k: 'a' })])).toEqual(['ok', 'ok', 'duplicate']);
    expect(await w.insert({ k: 'b' })).toBe('duplicate');
    expect(rows()).toBe(2);
  });

  it('runs onDuplicateSql on an existing key, and inserts again if that changed no row', async () => {
    const insertSql = 'INSERT INTO b (k, bytes) VALUES (@k, @bytes)';
    const w = writer(0, { sql: insertSql, onDuplicateSql: 'UPDATE b SET hits = hits + 1 WHERE k = @k' });
    expect(await w.insert(blobRow('x', new Uint8Array([1])))).toBe('ok');
    expect(await w.insert(blobRow('x', new Uint8Array([2])))).toBe('duplicate');
    expect(readBlob('x')).toEqual({ bytes: Buffer.from([1]), hits: 1 });
    // The row vanishing between the failed INSERT and the touch (as when gc removes it): a
    // delete through a view's INSTEAD OF trigger removes the row yet counts no change.
    const db = new Database(file);
    db.exec('CREATE VIEW bv AS SELECT k FROM b; CREATE TRIGGER bv_delete INSTEAD OF DELETE ON bv BEGIN DELETE FROM b WHERE k = OLD.k; END;');
    db.close();
    const vanishing = writer(0, { sql: insertSql, onDuplicateSql: 'DELETE FROM bv WHERE k = @k' });
    expect(await vanishing.insert(blobRow('x', new Uint8Array([3])))).toBe('ok');
    expect(readBlob('x')).toEqual({ bytes: Buffer.from([3]), hits: 0 });
  });

  it('moves bytes that own their whole buffer to the thread, and copies a view into a larger one', async () => {
    const w = writer(0, { sql: 'INSERT INTO b (k, bytes) VALUES (@k, @bytes)', durable: true });
    const owned = new Uint8Array([1, 2, 3]);
    const shared = Buffer.alloc(16, 7);
    const view = shared.subarray(4, 8);
    const inserted = Promise.all([w.insert(blobRow('owned', owned)), w.insert(blobRow('view', view))]);
    // Moved at once when the batch is sent: the caller's buffer is detached.
    expect(owned.byteLength).toBe(0);
    expect(view.byteLength).toBe(4);
    expect(await inserted).toEqual(['ok', 'ok']);
    expect(readBlob('owned')?.bytes).toEqual(Buffer.from([1, 2, 3]));
    expect(readBlob('view')?.bytes).toEqual(Buffer.alloc(4, 7));
  });

  it('fails a batch whose transaction fails, with the SQLite error code, and commits the next one', async () => {
    const w = writer(0, { sql: 'INSERT INTO b (k, bytes) VALUES (@k, @bytes)' });
    await expect(w.insert({ k: 'no bytes' })).rejects.toThrow(/bytes/);
    const notNull = writer(0, { sql: 'INSERT INTO b (k, bytes) VALUES (@k, NULL)' });
    await expect(notNull.insert({ k: 'c' })).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(await w.insert(blobRow('after', new Uint8Array([9])))).toBe('ok');
    expect(readBlob('after')?.bytes).toEqual(Buffer.from([9]));
  });

  it('is part of the build: tsconfig.build.json compiles both thread programs into dist/', () => {
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    const config = JSON.parse(
      execFileSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'tsconfig.build.json'), '--showConfig'], { encoding: 'utf8' }),
    ) as {
      compilerOptions: { allowJs?: boolean };
      files: string[];
    };
    expect(config.compilerOptions.allowJs).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['./src/sqlite/batch-writer-thread.js', './src/sqlite/wal-checkpointer-thread.js']));
  });
});
