import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteBatchWriter } from '../../src/sqlite/batch-writer.js';

describe('SqliteBatchWriter lazy rows', () => {
  let dir: string;
  let file: string;
  const writers: SqliteBatchWriter[] = [];
  const writer = (lingerMs: number): SqliteBatchWriter => {
    const w = new SqliteBatchWriter(file, 'INSERT INTO t (k) VALUES (@k)', undefined, false, lingerMs);
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
    db.close();
  });
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((w) => w.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

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
