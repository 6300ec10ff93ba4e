import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { writeAll } from '../file-io.js';

export const spoolSuffix = '.spool';

/** Bytes gathered before one write to the spool file: what a large upload holds in memory. */
const writeBatchBytes = 256 * 1024;

/**
 * An upload's bytes, whole, validated and hashed, kept locally until they are PUT: S3 needs the
 * key (the SHA-256) and the length before the first byte, and a body that failed validation must
 * never reach the bucket. Up to `memoryMaxBytes` stay in memory; past that everything goes to a
 * temp file (no fsync: it is scratch, and an upload cut by a crash was never acknowledged).
 */
export interface SpooledBody {
  readonly sha256: string;
  /** Base64, for Content-MD5: the server checks what it received against it. */
  readonly md5: string;
  readonly sizeBytes: number;
  /** A fresh body for each PUT attempt: a Buffer, or a stream of the temp file. */
  open(): Buffer | Readable;
  /** Removes the temp file, if any. Never throws. */
  drop(): Promise<void>;
}

export async function spool(source: AsyncIterable<Buffer>, dir: string, memoryMaxBytes: number): Promise<SpooledBody> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let held: Buffer[] = [];
  let heldBytes = 0;
  let sizeBytes = 0;
  let file: { path: string; handle: fsp.FileHandle } | undefined;
  try {
    for await (const chunk of source) {
      sha256.update(chunk);
      md5.update(chunk);
      sizeBytes += chunk.length;
      held.push(chunk);
      heldBytes += chunk.length;
      if (file === undefined && sizeBytes <= memoryMaxBytes) continue;
      if (heldBytes < writeBatchBytes) continue;
      file ??= await createSpoolFile(dir);
      await writeAll(file.handle, joinedIfMany(held));
      held = [];
      heldBytes = 0;
    }
    if (file === undefined && sizeBytes > memoryMaxBytes) file = await createSpoolFile(dir);
    if (file) {
      if (held.length > 0) await writeAll(file.handle, joinedIfMany(held));
      await file.handle.close();
      return new SpoolFile(file.path, sha256.digest('hex'), md5.digest('base64'), sizeBytes);
    }
  } catch (err) {
    if (file) {
      await file.handle.close().catch(() => {});
      await fsp.rm(file.path, { force: true });
    }
    throw err;
  }
  return new SpoolMemory(Buffer.concat(held, heldBytes), sha256.digest('hex'), md5.digest('base64'));
}

/** A client that sent tiny pieces: one buffer, so that a writev stays far below IOV_MAX. */
function joinedIfMany(chunks: Buffer[]): Buffer[] {
  return chunks.length > 64 ? [Buffer.concat(chunks)] : chunks;
}

async function createSpoolFile(dir: string): Promise<{ path: string; handle: fsp.FileHandle }> {
  const file = path.join(dir, randomBytes(16).toString('hex') + spoolSuffix);
  return { path: file, handle: await fsp.open(file, 'wx', 0o600) };
}

class SpoolMemory implements SpooledBody {
  constructor(
    private readonly bytes: Buffer,
    readonly sha256: string,
    readonly md5: string,
  ) {}

  get sizeBytes(): number {
    return this.bytes.length;
  }

  open(): Buffer {
    return this.bytes;
  }

  async drop(): Promise<void> {}
}

class SpoolFile implements SpooledBody {
  constructor(
    private readonly file: string,
    readonly sha256: string,
    readonly md5: string,
    readonly sizeBytes: number,
  ) {}

  open(): Readable {
    return fs.createReadStream(this.file, { highWaterMark: 64 * 1024 });
  }

  async drop(): Promise<void> {
    await fsp.rm(this.file, { force: true }).catch(() => {});
  }
}

/** Removes spool files older than `olderThanMs` (left by a crash); returns how many. */
export async function sweepSpool(dir: string, olderThanMs: number): Promise<number> {
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  const names = await fsp.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  for (const name of names) {
    if (!name.endsWith(spoolSuffix)) continue;
    const file = path.join(dir, name);
    const st = await fsp.stat(file).catch(() => undefined);
    if (st && st.mtimeMs < cutoff) {
      await fsp.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
