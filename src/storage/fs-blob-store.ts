import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  assertBlobKey,
  BlobNotFoundError,
  type BlobListing,
  type BlobStore,
  type ByteRange,
  type PutResult,
} from './blob-store.js';

const tempSuffix = '.part';
/** Bytes gathered before one writev: large enough to amortise the syscall, small enough to hold 64 uploads. */
const writeBatchBytes = 256 * 1024;

/**
 * Blobs as files under `root/ab/cd/<sha256>`. A write goes to `root/tmp/<random>.part`, is
 * fsynced, renamed into place and the directory fsynced, so a blob is either absent or whole,
 * even across a power cut. Temp files left by a crash are removed by sweepTemp (gc).
 */
export class FsBlobStore implements BlobStore {
  private readonly tmpDir: string;
  private readonly knownDirs = new Set<string>();

  constructor(private readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  async put(source: Readable): Promise<PutResult> {
    const tmp = path.join(this.tmpDir, randomBytes(16).toString('hex') + tempSuffix);
    const hash = createHash('sha256');
    let sizeBytes = 0;
    const fh = await fsp.open(tmp, 'wx', 0o644);
    try {
      try {
        // Chunks are gathered into batches written with one writev each; while a batch is being
        // written the next one fills, so receiving and writing overlap with bounded memory.
        let batch: Buffer[] = [];
        let batchBytes = 0;
        let writing: Promise<void> = Promise.resolve();
        for await (const chunk of source as AsyncIterable<Buffer>) {
          hash.update(chunk);
          sizeBytes += chunk.length;
          batch.push(chunk);
          batchBytes += chunk.length;
          if (batchBytes >= writeBatchBytes) {
            await writing;
            writing = writeAll(fh, batch);
            batch = [];
            batchBytes = 0;
          }
        }
        await writing;
        if (batch.length > 0) await writeAll(fh, batch);
        // fdatasync: the bytes and the size that finds them, without the timestamps.
        await fh.datasync();
      } finally {
        await fh.close();
      }
      const sha256 = hash.digest('hex');
      const final = this.pathOf(sha256);
      const dir = path.dirname(final);
      await this.ensureDir(dir);
      // link() publishes the blob atomically and fails if identical bytes are already stored, so
      // the common case (new content) costs no extra existence check.
      const created = await fsp.link(tmp, final).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') return false;
          throw err;
        },
      );
      await fsp.unlink(tmp);
      if (created) {
        await fsyncDir(dir);
      } else {
        // A fresh mtime puts the shared blob inside gc's grace period until our row lands.
        const now = new Date();
        await fsp.utimes(final, now, now);
      }
      return { key: sha256, sizeBytes, sha256, created };
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertBlobKey(key);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.pathOf(key), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw err;
    }
    return fh.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await fsp.rm(this.pathOf(key), { force: true });
  }

  async *keys(): AsyncIterable<BlobListing> {
    for (const a of await listDir(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of await listDir(path.join(this.root, a))) {
        for (const name of await listDir(path.join(this.root, a, b))) {
          if (!/^[0-9a-f]{64}$/.test(name)) continue;
          const st = await fsp.stat(path.join(this.root, a, b, name)).catch(() => undefined);
          if (st) yield { key: name, modifiedAtMs: st.mtimeMs };
        }
      }
    }
  }

  async sweepTemp(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await listDir(this.tmpDir)) {
      if (!name.endsWith(tempSuffix)) continue;
      const file = path.join(this.tmpDir, name);
      const st = await fsp.stat(file).catch(() => undefined);
      if (st && st.mtimeMs < cutoff) {
        await fsp.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async ping(): Promise<void> {
    await fsp.access(this.tmpDir, fs.constants.W_OK);
  }

  async close(): Promise<void> {}

  private pathOf(key: string): string {
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    await fsp.mkdir(dir, { recursive: true });
    // The new directory entries must survive a crash too, or the renamed blob could vanish.
    await fsyncDir(path.dirname(dir));
    await fsyncDir(path.dirname(path.dirname(dir)));
    this.knownDirs.add(dir);
  }
}

async function writeAll(fh: fsp.FileHandle, chunks: Buffer[]): Promise<void> {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const { bytesWritten } = await fh.writev(chunks);
  if (bytesWritten === total) return;
  // writev may write less than asked (rare for regular files): finish the rest plainly.
  let rest = Buffer.concat(chunks).subarray(bytesWritten);
  while (rest.length > 0) {
    const { bytesWritten: n } = await fh.write(rest);
    rest = rest.subarray(n);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function listDir(dir: string): Promise<string[]> {
  return fsp.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
}
