import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/config/config.js';
import { BlobNotFoundError, type BlobStore, type RowJournal } from '../../../../src/storage/blob-store.js';
import { BlobLedger } from '../../../../src/storage/s3/blob-ledger.js';
import { defaultS3ClientLimits } from '../../../../src/storage/s3/s3-client.js';
import { S3BlobStore, type S3BlobStoreOptions } from '../../../../src/storage/s3/s3-blob-store.js';
import { describeWithServices, uniqueName } from '../../../helpers/services.js';
import { makeTempDir, removeDir } from '../../../helpers/temp-dir.js';
import { FileRows } from './file-rows.js';
import { openS3Fixture, type S3Fixture } from './s3-fixture.js';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const read = async (store: BlobStore, key: string, range?: { start: number; end: number }): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of await store.get(key, range)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** A port nothing listens on: an S3 server that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describeWithServices(['postgres', 's3'], 'S3BlobStore', () => {
  let fixture: S3Fixture;
  let files: FileRows;
  let dir: string;
  let bucket: string;
  const stores: BlobStore[] = [];
  beforeAll(async () => {
    fixture = await openS3Fixture();
    files = new FileRows(fixture.pool);
  });
  afterAll(() => fixture.close());
  beforeEach(async () => {
    await fixture.reset();
    dir = makeTempDir('s3-store');
    bucket = await fixture.newBucket();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    removeDir(dir);
  });

  /** An instance: its own S3 client and spool dir, the shared bucket and ledger. */
  const instance = async (options: Partial<S3BlobStoreOptions> = {}): Promise<S3BlobStore> => {
    const store = new S3BlobStore(
      { location: fixture.location(bucket), tempDir: path.join(dir, uniqueName('tmp-')), memoryMaxBytes: 64 * 1024, ...options },
      fixture.pool,
    );
    stores.push(store);
    await store.open({ exclusive: true });
    return store;
  };

  /** A row that is committed as the file row of the blob, as FileService does. */
  const fileRow = (key: string, size: number, before?: () => Promise<void>): RowJournal => ({
    bytes: Buffer.from('{}'),
    commit: async (journaled) => {
      expect(journaled).toBe(false);
      await before?.();
      await files.insert(key, size);
    },
  });

  const upload = async (store: BlobStore, bytes: Buffer, before?: () => Promise<void>) => {
    const staged = await store.stage(Readable.from([bytes]));
    return { key: staged.key, ...(await staged.publish(fileRow(staged.key, bytes.length, before))) };
  };

  it('objects are <prefix>/<sha256>, and nothing reaches the bucket before the body is whole and valid', async () => {
    const store = await instance({ location: fixture.location(bucket, 'blobs/v1/') });
    let sent = 0;
    const invalid = new Readable({
      read() {
        if (sent >= MiB) return void this.destroy(new Error('not an image'));
        this.push(Buffer.alloc(64 * 1024, 1));
        sent += 64 * 1024;
      },
    });
    await expect(store.stage(invalid)).rejects.toThrow('not an image');
    expect(await fixture.objectKeys(bucket)).toEqual([]);
    const bytes = Buffer.alloc(300 * 1024, 7);
    const staged = await store.stage(Readable.from([bytes]));
    expect(await fixture.objectKeys(bucket)).toEqual([]);
    await staged.publish(fileRow(staged.key, bytes.length));
    expect(await fixture.objectKeys(bucket)).toEqual([`blobs/v1/${sha256(bytes)}`]);
    expect((await read(store, staged.key, { start: 1000, end: 1009 })).equals(bytes.subarray(1000, 1010))).toBe(true);
    // Without a prefix, the key is the digest alone.
    const bare = await instance();
    const other = Buffer.alloc(1000, 8);
    await upload(bare, other);
    expect(await fixture.objectKeys(bucket)).toEqual([sha256(other), `blobs/v1/${sha256(bytes)}`].sort());
  });

  it('a duplicate on another instance is found in the ledger and the bucket, and not PUT again', async () => {
    const [a, b] = [await instance(), await instance()];
    const bytes = Buffer.alloc(200 * 1024, 3);
    expect(await upload(a, bytes)).toMatchObject({ created: true });
    expect(await upload(b, bytes)).toMatchObject({ created: false });
    // An object lost from the bucket behind the ledger's back is put back by the next upload.
    await fixture.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: sha256(bytes) }));
    await expect(b.get(sha256(bytes))).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await upload(b, bytes)).toMatchObject({ created: true });
    expect((await read(a, sha256(bytes))).equals(bytes)).toBe(true);
  });

  it('gc taking the blob just before the file row lands: publish puts it back before it resolves', async () => {
    const [uploader, gcInstance] = [await instance(), await instance()];
    for (const size of [10_000, 300 * 1024]) {
      const bytes = Buffer.alloc(size, size % 251);
      let removedByGc = false;
      // The row's commit is where gc (grace 0, no file row yet) can strike.
      const { key } = await upload(uploader, bytes, async () => {
        removedByGc = await gcInstance.delete(sha256(bytes), { unlessTouchedSinceMs: Date.now() + 60_000 });
      });
      expect(removedByGc).toBe(true);
      expect((await read(gcInstance, key)).equals(bytes)).toBe(true);
      expect(await new BlobLedger(fixture.pool).peek(key)).toMatchObject({ state: 'stored' });
      // Referenced now: gc keeps it.
      expect(await gcInstance.delete(key, { unlessTouchedSinceMs: Date.now() + 60_000 })).toBe(false);
    }
  });

  it('an upload whose twin died mid-PUT waits for it a bounded time, then PUTs the bytes itself', async () => {
    const store = await instance({ pendingWaitMs: 300 });
    const bytes = Buffer.alloc(100_000, 9);
    // The other instance claimed the key and was killed before its PUT.
    await new BlobLedger(fixture.pool).claim(sha256(bytes), bytes.length);
    const started = Date.now();
    expect(await upload(store, bytes)).toMatchObject({ created: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect((await read(store, sha256(bytes))).equals(bytes)).toBe(true);
    expect(await new BlobLedger(fixture.pool).peek(sha256(bytes))).toMatchObject({ state: 'stored' });
  });

  it('aborted downloads release their sockets', async () => {
    // Two sockets: a leaked one per aborted download would exhaust them at the second abort.
    const store = await instance({ limits: { ...defaultS3ClientLimits, maxSockets: 2, idleTimeoutMs: 60_000 } });
    const bytes = Buffer.alloc(4 * MiB, 5);
    const { key } = await upload(store, bytes);
    for (let i = 0; i < 10; i++) {
      const stream = await store.get(key, i % 2 ? { start: 1, end: 3 * MiB } : undefined);
      await new Promise<void>((resolve, reject) => stream.once('data', () => resolve()).once('error', reject));
      stream.destroy();
    }
    const whole = await Promise.race([read(store, key), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no socket left')), 5_000))]);
    expect(whole.equals(bytes)).toBe(true);
  });

  it('S3 down: publish fails after bounded attempts, before any file row, and the store is not ready', async () => {
    const down = { ...fixture.location(bucket), endpoint: `http://127.0.0.1:${await closedPort()}` };
    const store = new S3BlobStore(
      {
        location: down,
        tempDir: path.join(dir, 'down'),
        memoryMaxBytes: 64 * 1024,
        limits: { ...defaultS3ClientLimits, connectTimeoutMs: 500, maxAttempts: 2 },
      },
      fixture.pool,
    );
    stores.push(store);
    await expect(store.open({ exclusive: true })).rejects.toThrow(new RegExp(`S3 bucket "${bucket}" is not reachable`));
    await expect(store.ping()).rejects.toThrow();
    for (const size of [1000, 200 * 1024]) {
      const bytes = Buffer.alloc(size, 1);
      const staged = await store.stage(Readable.from([bytes]));
      let committed = false;
      const started = Date.now();
      await expect(staged.publish({ bytes: Buffer.from('{}'), commit: async () => void (committed = true) })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(committed).toBe(false);
      // The claim stays pending (gc's, after its grace); the spool is gone.
      expect(await new BlobLedger(fixture.pool).peek(staged.key)).toMatchObject({ state: 'pending' });
    }
    expect(fs.readdirSync(path.join(dir, 'down'))).toEqual([]);
  });

  it('open refuses a bucket that does not exist, and a database without the ledger', async () => {
    const missing = new S3BlobStore({ location: fixture.location(uniqueName('absent-')), tempDir: dir, memoryMaxBytes: 0 }, fixture.pool);
    stores.push(missing);
    await expect(missing.open({ exclusive: false })).rejects.toThrow(/S3 bucket "absent-[0-9a-f]+" is not reachable \(check --s3-bucket, --s3-endpoint/);
    // A ConfigError: the CLI exits 2 with this one line.
    await expect(missing.open({ exclusive: false })).rejects.toBeInstanceOf(ConfigError);
    await fixture.pool.query('ALTER TABLE blobs RENAME TO blobs_gone');
    try {
      const noLedger = new S3BlobStore({ location: fixture.location(bucket), tempDir: dir, memoryMaxBytes: 0 }, fixture.pool);
      stores.push(noLedger);
      await expect(noLedger.open({ exclusive: false })).rejects.toThrow(/the blob ledger \(tables blobs and files in PostgreSQL\) is not usable/);
    } finally {
      await fixture.pool.query('ALTER TABLE blobs_gone RENAME TO blobs');
    }
  });
});
