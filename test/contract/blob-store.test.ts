import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError, UnsupportedDataDirError, type BlobStore, type RowJournal, type StageOptions } from '../../src/storage/blob-store.js';
import { FsBlobStore } from '../../src/storage/fs-blob-store.js';
import { S3BlobStore } from '../../src/storage/s3/s3-blob-store.js';
import { SegmentStore } from '../../src/storage/segments/segment-store.js';
import { TieredBlobStore } from '../../src/storage/tiered-blob-store.js';
import { describeWithServices, type ServiceName } from '../helpers/services.js';
import { openS3Fixture } from '../unit/storage/s3/s3-fixture.js';

const segments = (root: string): SegmentStore => new SegmentStore(path.join(root, 'segments'), { maxSegmentBytes: 256 * 1024, applyJournal: async () => {} });

/** Makes a store whose local files live under `root` (a fresh temp dir per test). */
type Factory = (root: string) => BlobStore;

/** A backend of the contract: what it needs running, and its suite-wide setup (servers, schema, bucket). */
interface Backend {
  name: string;
  needs: ServiceName[];
  start(): Promise<BackendRun>;
}

interface BackendRun {
  create: Factory;
  /** Before each test: no blob known. */
  reset: () => Promise<void>;
  stop: () => Promise<void>;
}

const local = (name: string, create: Factory): Backend => ({ name, needs: [], start: async () => ({ create, reset: async () => {}, stop: async () => {} }) });

/**
 * One contract, every backend: blob files alone; files with small blobs in segments (small
 * segments, so that the tests cross from one to the next); and S3 objects with their ledger in
 * PostgreSQL (bodies over 64 KiB spooled to a file, so both spool paths run).
 */
const fsBackends: Backend[] = [
  local('FsBlobStore', (root) => new FsBlobStore(root)),
  local('TieredBlobStore (segments ≤ 64 KiB)', (root) => new TieredBlobStore(new FsBlobStore(root), segments(root), 64 * 1024)),
];
const backends: Backend[] = [
  ...fsBackends,
  {
    name: 'S3BlobStore (PostgreSQL ledger, spool ≤ 64 KiB in memory)',
    needs: ['postgres', 's3'],
    start: async () => {
      const fixture = await openS3Fixture();
      let bucket = '';
      return {
        // A fresh bucket per test: each test sees only its own objects.
        create: (root) => new S3BlobStore({ location: fixture.location(bucket), tempDir: path.join(root, 'tmp'), memoryMaxBytes: 64 * 1024 }, fixture.pool),
        reset: async () => {
          await fixture.reset();
          bucket = await fixture.newBucket();
        },
        stop: () => fixture.close(),
      };
    },
  },
];

for (const backend of backends) describeWithServices(backend.needs, `BlobStore contract: ${backend.name}`, () => contract(backend));

function contract(backend: Backend): void {
  let create: Factory;
  let reset: () => Promise<void>;
  let stop: (() => Promise<void>) | undefined;
  let root: string;
  let store: BlobStore;
  beforeAll(async () => {
    ({ create, reset, stop } = await backend.start());
  });
  afterAll(async () => {
    await stop?.();
  });
  beforeEach(async () => {
    await reset();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-blobs-'));
    store = create(root);
    await store.open({ exclusive: true });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** A row whose commit succeeds (and is recorded). */
  const commits: boolean[] = [];
  const row = (): RowJournal => ({ bytes: Buffer.from('{"row":"r"}'), commit: async (journaled) => void commits.push(journaled) });

  /** Stage, then publish with a row: what an upload does. */
  const put = async (source: AsyncIterable<Buffer>, options?: StageOptions) => {
    const staged = await store.stage(source, options);
    const { created } = await staged.publish(row());
    return { key: staged.key, sizeBytes: staged.sizeBytes, created };
  };

  const read = async (key: string, range?: { start: number; end: number }) => {
    const chunks: Buffer[] = [];
    for await (const c of await store.get(key, range)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  const listKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    for await (const k of store.keys()) keys.push(k.key);
    return keys.sort();
  };

  it('stores bytes under their SHA-256, once, and reads them back whole or by range', async () => {
    const bytes = Buffer.from('x'.repeat(700_000) + 'tail');
    const results = await Promise.all(Array.from({ length: 8 }, () => put(Readable.from([bytes.subarray(0, 300_000), bytes.subarray(300_000)]))));
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
    const puts = await Promise.all(Array.from({ length: 300 }, (_, i) => put(Readable.from([Buffer.from(`blob ${i}`)]))));
    for (const p of puts) expect((await read(p.key)).toString()).toMatch(/^blob \d+$/);
  });

  it('a failing source leaves no temp file and no blob', async () => {
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(100_000));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(put(source)).rejects.toThrow('client went away');
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
    await expect(put(large)).rejects.toThrow('gone mid-file');
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('small and large blobs: read back by range, listed, deleted', async () => {
    const small = Buffer.from('s'.repeat(10_000));
    const large = Buffer.from('L'.repeat(200_000));
    const [a, b] = [await put(Readable.from([small])), await put(Readable.from([large.subarray(0, 70_000), large.subarray(70_000)]))];
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
    const [p1, p2] = await Promise.all([put(Readable.from(chunks)), put(Readable.from(chunks), { sizeHint: 8 * 1024 * 1024 })]);
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
    await expect(put(cut)).rejects.toThrow('gone after 6 MiB');
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
    const keys: string[] = [];
    for await (const k of store.keys()) keys.push(k.key);
    expect(keys).toEqual([p1.key]);
  });

  it('a size hint never changes what is stored or read back', async () => {
    const bytes = Buffer.from('h'.repeat(5000));
    const r = await put(Readable.from([bytes]), { sizeHint: 10 * 1024 * 1024 });
    expect((await read(r.key)).equals(bytes)).toBe(true);
    expect(r.sizeBytes).toBe(5000);
  });

  it("gc's conditional delete keeps a blob re-stored since the cutoff, and removes an idle one", async () => {
    for (const size of [1_000, 100_000]) {
      const bytes = Buffer.alloc(size, size % 251);
      const first = await put(Readable.from([bytes]));
      const cutoff = Date.now() + 60_000; // everything so far counts as idle
      expect(await store.delete(first.key, { unlessTouchedSinceMs: cutoff })).toBe(true);
      await expect(store.get(first.key)).rejects.toBeInstanceOf(BlobNotFoundError);
      const again = await put(Readable.from([bytes]));
      expect(again.created).toBe(true);
      const earlier = Date.now() - 60_000; // stored after this: not idle
      expect(await put(Readable.from([bytes]))).toMatchObject({ created: false });
      expect(await store.delete(again.key, { unlessTouchedSinceMs: earlier })).toBe(false);
      expect((await read(again.key)).equals(bytes)).toBe(true);
      expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
    }
  });

  it('gc can delete while it iterates keys', async () => {
    for (let i = 0; i < 30; i++) await put(Readable.from([Buffer.from(`k${i}`)]));
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

  it('staged bytes are invisible until published, and a discard leaves nothing', async () => {
    for (const size of [5_000, 200_000]) {
      const bytes = Buffer.alloc(size, size % 253);
      const staged = await store.stage(Readable.from([bytes]));
      expect(staged.sizeBytes).toBe(size);
      await expect(store.get(staged.key)).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await listKeys()).toEqual([]);
      await staged.discard();
      await staged.discard(); // twice is harmless
      await expect(staged.publish(row())).rejects.toThrow(/discarded/);
      expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
      expect(await listKeys()).toEqual([]);
    }
  });

  it('publish commits the row once, after the bytes are visible; a discard after publish changes nothing', async () => {
    for (const size of [5_000, 200_000]) {
      const bytes = Buffer.alloc(size, 7);
      const staged = await store.stage(Readable.from([bytes]));
      const seen: { journaled: boolean; visible: Buffer }[] = [];
      const { created } = await staged.publish({
        bytes: Buffer.from('{"row":"seen"}'),
        commit: async (journaled) => void seen.push({ journaled, visible: await read(staged.key) }),
      });
      expect(created).toBe(true);
      await expect.poll(() => seen.length).toBe(1);
      expect(seen[0]!.visible.equals(bytes)).toBe(true);
      await staged.discard();
      expect((await read(staged.key)).equals(bytes)).toBe(true);
      await expect(staged.publish(row())).rejects.toThrow(/published/);
      expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
    }
  });

  it('a duplicate commits its row durably before publish resolves, and fails with it', async () => {
    for (const size of [5_000, 200_000]) {
      const bytes = Buffer.alloc(size, 9);
      await put(Readable.from([bytes]));
      let committed = false;
      const again = await store.stage(Readable.from([bytes]));
      const slowCommit: RowJournal = {
        bytes: Buffer.from('{}'),
        commit: async (journaled) => {
          expect(journaled).toBe(false);
          await new Promise((r) => setTimeout(r, 20));
          committed = true;
        },
      };
      expect(await again.publish(slowCommit)).toEqual({ created: false });
      expect(committed).toBe(true);
      const failing = await store.stage(Readable.from([bytes]));
      const refused: RowJournal = { bytes: Buffer.from('{}'), commit: () => Promise.reject(new Error('SQLITE_IOERR')) };
      await expect(failing.publish(refused)).rejects.toThrow('SQLITE_IOERR');
      expect((await read(again.key)).equals(bytes)).toBe(true);
      expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
    }
  });
}

/** The local data dir's format: a question for the stores that keep their blobs in it. */
describe.each(fsBackends)('BlobStore data dir: $name', (backend) => {
  let create: Factory;
  let root: string;
  beforeAll(async () => {
    ({ create } = await backend.start());
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-blobs-'));
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a data dir written by a development build (blobs/packed.sqlite) is refused at open', async () => {
    const old = path.join(root, 'old');
    fs.mkdirSync(old);
    fs.writeFileSync(path.join(old, 'packed.sqlite'), '');
    const refused = create(old);
    try {
      await expect(refused.open({ exclusive: true })).rejects.toBeInstanceOf(UnsupportedDataDirError);
      await expect(refused.open({ exclusive: false })).rejects.toThrow(
        /packed\.sqlite was written by a development build before 0\.1\.0; start with an empty data dir/,
      );
    } finally {
      await refused.close();
    }
  });
});
