import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError } from '../../src/storage/blob-store.js';
import { FsBlobStore } from '../../src/storage/fs-blob-store.js';

describe('FsBlobStore', () => {
  let root: string;
  let store: FsBlobStore;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-blobs-'));
    store = new FsBlobStore(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const read = async (key: string, range?: { start: number; end: number }) => {
    const chunks: Buffer[] = [];
    for await (const c of await store.get(key, range)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  it('stores bytes under their SHA-256, once, and reads them back whole or by range', async () => {
    const bytes = Buffer.from('x'.repeat(700_000) + 'tail');
    const results = await Promise.all(Array.from({ length: 8 }, () => store.put(Readable.from([bytes.subarray(0, 300_000), bytes.subarray(300_000)]))));
    expect(new Set(results.map((r) => r.key)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]!.sizeBytes).toBe(bytes.length);
    expect((await read(results[0]!.key)).equals(bytes)).toBe(true);
    expect((await read(results[0]!.key, { start: 700_000, end: 700_003 })).toString()).toBe('tail');
    const keys: string[] = [];
    for await (const k of store.keys()) keys.push(k.key);
    expect(keys).toEqual([results[0]!.key]);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('many concurrent new blobs in the same shard all land (shared directory fsyncs)', async () => {
    const puts = await Promise.all(Array.from({ length: 300 }, (_, i) => store.put(Readable.from([Buffer.from(`blob ${i}`)]))));
    for (const p of puts) expect((await read(p.key)).toString()).toMatch(/^blob \d+$/);
  });

  it('a failing source leaves no temp file and no blob', async () => {
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(100_000));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.put(source)).rejects.toThrow('client went away');
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
    for await (const _ of store.keys()) throw new Error('no blob expected');
  });

  it('refuses keys that are not SHA-256 digests and reports missing blobs', async () => {
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/not a blob key/);
    await expect(store.get('0'.repeat(64))).rejects.toBeInstanceOf(BlobNotFoundError);
  });
});
