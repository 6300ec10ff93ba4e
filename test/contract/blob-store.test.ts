import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError, type BlobStore } from '../../src/storage/blob-store.js';
import { FsBlobStore } from '../../src/storage/fs-blob-store.js';
import { SegmentBlobStore } from '../../src/storage/segment-blob-store.js';
import { TieredBlobStore } from '../../src/storage/tiered-blob-store.js';

const segments = (root: string): SegmentBlobStore => new SegmentBlobStore(path.join(root, 'segments'), { maxSegmentBytes: 256 * 1024 });

/**
 * One contract, every backend: blob files alone, and files with small blobs in segments (small
 * segments, so that the tests cross from one to the next). A data dir with an older
 * packed.sqlite: test/unit/packed-blob-store.test.ts.
 */
const backends: [string, (root: string) => BlobStore][] = [
  ['FsBlobStore', (root) => new FsBlobStore(root)],
  ['TieredBlobStore (segments ≤ 64 KiB)', (root) => new TieredBlobStore(new FsBlobStore(root), segments(root), 64 * 1024)],
];

describe.each(backends)('BlobStore contract: %s', (_name, create) => {
  let root: string;
  let store: BlobStore;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-blobs-'));
    store = create(root);
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

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
    // A failure past the pack limit (a streamed temp file) leaves nothing either.
    let sent = 0;
    const large = new Readable({
      read() {
        sent += 100_000;
        if (sent > 500_000) this.destroy(new Error('gone mid-file'));
        else this.push(Buffer.alloc(100_000, sent));
      },
    });
    await expect(store.put(large)).rejects.toThrow('gone mid-file');
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('small and large blobs: read back by range, listed, deleted', async () => {
    const small = Buffer.from('s'.repeat(10_000));
    const large = Buffer.from('L'.repeat(200_000));
    const [a, b] = [await store.put(Readable.from([small])), await store.put(Readable.from([large.subarray(0, 70_000), large.subarray(70_000)]))];
    expect((await read(a.key, { start: 5, end: 9 })).toString()).toBe('sssss');
    expect((await read(b.key)).equals(large)).toBe(true);
    const keys: string[] = [];
    for await (const k of store.keys()) keys.push(k.key);
    expect(keys.sort()).toEqual([a.key, b.key].sort());
    await store.delete(a.key);
    await expect(store.get(a.key)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect((await read(b.key)).length).toBe(200_000);
  });

  it('multi-MiB blobs (early background syncs, batches of the shared budget) land whole, and fail whole', async () => {
    // 9 MiB in 64 KiB chunks: several early fdatasyncs and write batches along the way.
    const big = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
    const chunks = Array.from({ length: big.length / 65536 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536));
    const [p1, p2] = await Promise.all([store.put(Readable.from(chunks)), store.put(Readable.from(chunks), { atLeastBytes: 8 * 1024 * 1024 })]);
    expect(p1.key).toBe(p2.key);
    expect(p1.sizeBytes).toBe(big.length);
    expect((await read(p1.key)).equals(big)).toBe(true);
    // Cut off after ~6 MiB, while an early sync may be in flight: no temp file, no second blob.
    let sent = 0;
    const cut = new Readable({
      read() {
        if (sent >= 6 * 1024 * 1024) return void this.destroy(new Error('gone after 6 MiB'));
        this.push(Buffer.alloc(65536, sent / 65536));
        sent += 65536;
      },
    });
    await expect(store.put(cut)).rejects.toThrow('gone after 6 MiB');
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
    const keys: string[] = [];
    for await (const k of store.keys()) keys.push(k.key);
    expect(keys).toEqual([p1.key]);
  });

  it('a size hint never changes what is stored or read back', async () => {
    const bytes = Buffer.from('h'.repeat(5000));
    const r = await store.put(Readable.from([bytes]), { atLeastBytes: 10 * 1024 * 1024 });
    expect((await read(r.key)).equals(bytes)).toBe(true);
    expect(r.sizeBytes).toBe(5000);
  });

  it("gc's conditional delete keeps a blob re-stored since the cutoff, and removes an idle one", async () => {
    for (const size of [1_000, 100_000]) {
      const bytes = Buffer.alloc(size, size % 251);
      const first = await store.put(Readable.from([bytes]));
      const cutoff = Date.now() + 60_000; // everything so far counts as idle
      expect(await store.delete(first.key, { unlessTouchedSinceMs: cutoff })).toBe(true);
      await expect(store.get(first.key)).rejects.toBeInstanceOf(BlobNotFoundError);
      const again = await store.put(Readable.from([bytes]));
      expect(again.created).toBe(true);
      const earlier = Date.now() - 60_000; // stored after this: not idle
      expect(await store.put(Readable.from([bytes]))).toMatchObject({ created: false });
      expect(await store.delete(again.key, { unlessTouchedSinceMs: earlier })).toBe(false);
      expect((await read(again.key)).equals(bytes)).toBe(true);
      expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
    }
  });

  it('gc can delete while it iterates keys', async () => {
    for (let i = 0; i < 30; i++) await store.put(Readable.from([Buffer.from(`k${i}`)]));
    let n = 0;
    for await (const { key } of store.keys()) {
      await store.delete(key);
      n++;
    }
    expect(n).toBe(30);
    for await (const _ of store.keys()) throw new Error('all deleted');
  });

  it('refuses keys that are not SHA-256 digests and reports missing blobs', async () => {
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/not a blob key/);
    await expect(store.get('0'.repeat(64))).rejects.toBeInstanceOf(BlobNotFoundError);
  });
});
