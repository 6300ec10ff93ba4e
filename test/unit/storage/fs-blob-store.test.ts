import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataDirBusyError } from '../../../src/storage/blob-store.js';
import { FsBlobStore } from '../../../src/storage/fs-blob-store.js';

type Handle = Awaited<ReturnType<typeof fsp.open>>;

/** Lets a test reach into every file handle the store opens (the temp files of its stagings). */
function onOpen(wrap: (fh: Handle) => void): void {
  const open = fsp.open.bind(fsp);
  vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
    const fh = await open(...args);
    wrap(fh);
    return fh;
  });
}

const chunked = (bytes: number, chunk = 64 * 1024): Readable =>
  Readable.from(Array.from({ length: Math.ceil(bytes / chunk) }, (_, i) => Buffer.alloc(Math.min(chunk, bytes - i * chunk), i % 251)));

describe('FsBlobStore: large writes', () => {
  let root: string;
  let store: FsBlobStore;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-fsblobs-'));
    store = new FsBlobStore(root);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const keys = async (): Promise<string[]> => {
    const out: string[] = [];
    for await (const k of store.keys()) out.push(k.key);
    return out;
  };

  it('a failed early (background) fdatasync fails the upload, although the final one succeeds', async () => {
    let syncs = 0;
    onOpen((fh) => {
      const datasync = fh.datasync.bind(fh);
      // Only the first sync fails: the early one, started after 2 MiB. Every later one works,
      // so only an upload that waits for its early sync's outcome can notice.
      fh.datasync = () => (++syncs === 1 ? Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })) : datasync());
    });
    await expect(store.stage(chunked(6 * 1024 * 1024))).rejects.toMatchObject({ code: 'EIO' });
    // 6 MiB: early syncs at 2 and 4 MiB; the first one's failure ends the upload before the
    // final sync (a second early sync once replaced it, and the upload succeeded).
    expect(syncs).toBe(2);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
    expect(await keys()).toEqual([]);
  });

  it('write batches share one budget: 1 MiB for an upload alone, 64 KiB each when 64 stream at once', async () => {
    const sizes = new Map<Handle, number[]>();
    onOpen((fh) => {
      const writev = fh.writev.bind(fh);
      const mine: number[] = [];
      sizes.set(fh, mine);
      fh.writev = ((buffers: Buffer[], position?: number) => {
        mine.push(buffers.reduce((n, b) => n + b.length, 0));
        return writev(buffers, position);
      }) as Handle['writev'];
    });
    await store.stage(chunked(3 * 1024 * 1024));
    const [alone] = [...sizes.values()];
    // Every batch but the last is a full 1 MiB (16 chunks of 64 KiB).
    expect(alone!.slice(0, -1).every((n) => n === 1024 * 1024)).toBe(true);

    sizes.clear();
    // 64 uploads stream at once: each one's chunks arrive only as all of them advance together.
    const gates = Array.from({ length: 64 }, (_, u) => {
      let sent = 0;
      return new Readable({
        read() {
          if (sent >= 1024 * 1024) return void this.push(null);
          setImmediate(() => this.push(Buffer.alloc(64 * 1024, u)));
          sent += 64 * 1024;
        },
      });
    });
    await Promise.all(gates.map((g) => store.stage(g)));
    const batches = [...sizes.values()].flatMap((s) => s.slice(0, -1));
    expect(batches.length).toBeGreaterThan(0);
    // Nearly all batches are at the floor of 64 KiB; none reaches the 1 MiB an upload alone gets.
    expect(Math.max(...batches)).toBeLessThan(1024 * 1024);
    expect(batches.filter((n) => n === 64 * 1024).length / batches.length).toBeGreaterThan(0.5);
  });
});

describe('FsBlobStore: one writer per blob dir', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-fslock-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a second exclusive open fails with DataDirBusyError; a reader may open; after close the lock is free', async () => {
    const first = new FsBlobStore(root);
    await first.open({ exclusive: true });
    await expect(new FsBlobStore(root).open({ exclusive: true })).rejects.toThrow(DataDirBusyError);
    const reader = new FsBlobStore(root);
    await reader.open({ exclusive: false });
    await reader.close();
    await first.close();
    const next = new FsBlobStore(root);
    await next.open({ exclusive: true });
    await next.close();
  });
});
