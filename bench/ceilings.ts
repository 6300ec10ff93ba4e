/**
 * Physical ceilings of this machine for what lingo-server must do per upload, measured without
 * HTTP, validation or a database, so the upload targets can be read against what is possible:
 *  - durable small writes: the chain every acknowledged blob needs (write a temp file, fdatasync,
 *    link into its shard, fsync the directory), 32 at a time, as the small-uploads scenario offers;
 *  - hashing and checksumming: SHA-256 (content address) and CRC-32 (PNG chunks) on one core.
 * `UV_THREADPOOL_SIZE=16 npx tsx bench/ceilings.ts` prints JSON (the variable sizes libuv's pool as
 * bin/lingo-server.cjs does for the server; set in this ES module it would come too late); run.ts
 * does not call it (it takes ~15 s).
 */
import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';

async function durableWritesPerSecond(bytes: number, concurrency: number, seconds: number, syncDir: boolean): Promise<number> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'lingo-ceiling-'));
  await fsp.mkdir(path.join(root, 'tmp'));
  for (let i = 0; i < 256; i++) await fsp.mkdir(path.join(root, i.toString(16).padStart(2, '0')));
  const payload = randomBytes(bytes);
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const name = randomBytes(32).toString('hex');
      const tmp = path.join(root, 'tmp', name);
      const fh = await fsp.open(tmp, 'wx');
      await fh.writev([payload, Buffer.from(name)]);
      await fh.datasync();
      await fh.close();
      const dir = path.join(root, name.slice(0, 2));
      await fsp.link(tmp, path.join(dir, name));
      await fsp.unlink(tmp);
      if (syncDir) {
        const d = await fsp.open(dir, 'r');
        await d.sync();
        await d.close();
      }
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await fsp.rm(root, { recursive: true, force: true });
  return Math.round(done / seconds);
}

function mbPerSecond(fn: (buf: Buffer) => void): number {
  const buf = randomBytes(64 * 1024 * 1024);
  fn(buf.subarray(0, 1024 * 1024));
  const t = performance.now();
  fn(buf);
  return Math.round(buf.length / 1e6 / ((performance.now() - t) / 1000));
}

const result = {
  machine: `${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, node ${process.version}`,
  durable50KbWritesPerSecond: await durableWritesPerSecond(50_000, 32, 5, true),
  durable50KbWritesPerSecondWithoutDirFsync: await durableWritesPerSecond(50_000, 32, 5, false),
  sha256MBPerSecond: mbPerSecond((b) => createHash('sha256').update(b).digest()),
  crc32MBPerSecond: mbPerSecond((b) => crc32(b)),
};
console.log(JSON.stringify(result, null, 2));
