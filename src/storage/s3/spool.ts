import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { writeAll } from '../file-io.js';

const spoolSuffix = '.spool';

/** Bytes gathered before one write to the spool file: what a large upload holds in memory. */
const writeBatchBytes = 256 * 1024;

/**
 * An upload's bytes, whole, validated and hashed, kept locally until they are PUT: S3 needs the
 * key (the SHA-256) and the length before the first byte, and a body that failed validation must
 * never reach the bucket.
 */
export interface SpooledBody {
  readonly sha256: string;
  /** Base64, for Content-MD5: the server checks what it received against it. */
  readonly md5: string;
  readonly sizeBytes: number;
  /** A fresh body for each PUT attempt: a Buffer, or a stream of the temp file (opened already, so a vanished file fails here). */
  open(): Promise<Buffer | Readable>;
  /** Removes the temp file, if any. Never throws. */
  drop(): Promise<void>;
}

/**
 * Upload bodies in `dir`: up to `memoryMaxBytes` stay in memory; past that the whole body goes to
 * a temp file, written a batch at a time, so memory stays bounded however many large uploads
 * run at once. No fsync: it is scratch, and an upload cut by a crash was never acknowledged.
 */
export class Spool {
  /** Temp files of bodies not yet dropped: sweep() never takes them, whatever its age limit. */
  private readonly live = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly memoryMaxBytes: number,
  ) {}

  /** Consumes `source` to its end; if it throws, nothing is left behind. */
  async take(source: AsyncIterable<Buffer>): Promise<SpooledBody> {
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
        if ((file === undefined && sizeBytes <= this.memoryMaxBytes) || heldBytes < writeBatchBytes) continue;
        file ??= await this.createFile();
        await writeAll(file.handle, joinedIfMany(held));
        held = [];
        heldBytes = 0;
      }
      if (file === undefined && sizeBytes > this.memoryMaxBytes) file = await this.createFile();
      if (file) {
        if (held.length > 0) await writeAll(file.handle, joinedIfMany(held));
        await file.handle.close();
        return new SpoolFile(file.path, sha256.digest('hex'), md5.digest('base64'), sizeBytes, () => this.live.delete(file!.path));
      }
    } catch (err) {
      if (file) {
        await file.handle.close().catch(() => {});
        await fsp.rm(file.path, { force: true });
        this.live.delete(file.path);
      }
      throw err;
    }
    return new SpoolMemory(Buffer.concat(held, heldBytes), sha256.digest('hex'), md5.digest('base64'));
  }

  /** Removes temp files older than `olderThanMs` that no body in this process still uses (a crash left them); returns how many. */
  async sweep(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    const names = await fsp.readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const name of names) {
      const file = path.join(this.dir, name);
      if (!name.endsWith(spoolSuffix) || this.live.has(file)) continue;
      const st = await fsp.stat(file).catch(() => undefined);
      if (st && st.mtimeMs < cutoff) {
        await fsp.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  private async createFile(): Promise<{ path: string; handle: fsp.FileHandle }> {
    const file = path.join(this.dir, randomBytes(16).toString('hex') + spoolSuffix);
    this.live.add(file);
    try {
      return { path: file, handle: await fsp.open(file, 'wx', 0o600) };
    } catch (err) {
      this.live.delete(file);
      throw err;
    }
  }
}

/** A client that sent tiny pieces: one buffer, so that a writev stays far below IOV_MAX. */
function joinedIfMany(chunks: Buffer[]): Buffer[] {
  return chunks.length > 64 ? [Buffer.concat(chunks)] : chunks;
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

  async open(): Promise<Buffer> {
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
    private readonly forget: () => void,
  ) {}

  async open(): Promise<Readable> {
    const handle = await fsp.open(this.file, 'r');
    return handle.createReadStream({ highWaterMark: 64 * 1024 });
  }

  async drop(): Promise<void> {
    await fsp.rm(this.file, { force: true }).catch(() => {});
    this.forget();
  }
}
