/**
 * The physical limit of the upload scenarios: how many bytes per second this machine's disk can
 * make durable, measured in the same run, on the same filesystem as lingo-server's data dir, with
 * the same bodies. lingo-server may acknowledge an upload only after its bytes are fsynced, so no
 * layout of ours can beat these figures; the receive baseline, which discards every byte, can.
 *
 * Both measurements take the layout most favourable to the disk:
 *  - small: one file, appended to in groups of `concurrency` records with one fdatasync per group
 *    (the best any group-committing store can do when `concurrency` uploads are in flight);
 *  - large: `concurrency` files written at once in 64 KiB writes, each fdatasynced when complete
 *    (what a file-per-blob store must do), fresh files every time.
 * No hashing, parsing or HTTP: the bytes are written and synced, nothing else.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MB } from './stats.js';

export interface DiskRun {
  kind: 'small' | 'large';
  recordBytes: number;
  durationS: number;
  /** Records (uploads' worth of bytes) made durable per second. */
  recordsPerSec: number;
  mbPerSec: number;
  /** Median time of one fdatasync-ed group (small) or one whole file (large), ms. */
  p50Ms: number;
}

export interface DiskOptions {
  kind: 'small' | 'large';
  recordBytes: number;
  concurrency: number;
  seconds: number;
  /** Where to write: the data dir's filesystem (os.tmpdir(), as for lingo-server's data dir). */
  dir?: string;
}

/** Distinct bytes per record, so that nothing below us (compression, dedup) can skip a write. */
function recordMaker(bytes: number): () => Buffer {
  const base = randomBytes(bytes);
  let n = 0;
  return () => {
    const b = Buffer.from(base);
    b.writeUInt32LE(n++, 0);
    randomBytes(16).copy(b, b.length - 16);
    return b;
  };
}

export async function measureDisk(o: DiskOptions): Promise<DiskRun> {
  const root = await fsp.mkdtemp(path.join(o.dir ?? os.tmpdir(), 'lingo-bench-disk-'));
  try {
    return o.kind === 'small' ? await appendGroups(root, o) : await parallelFiles(root, o);
  } finally {
    await fsp.rm(root, { recursive: true, force: true });
  }
}

async function appendGroups(root: string, o: DiskOptions): Promise<DiskRun> {
  const next = recordMaker(o.recordBytes);
  const fh = await fsp.open(path.join(root, 'segment'), 'a');
  const times: number[] = [];
  let records = 0;
  const started = performance.now();
  try {
    while (performance.now() - started < o.seconds * 1000) {
      const group = Array.from({ length: o.concurrency }, next);
      const t = performance.now();
      await fh.writev(group);
      await fh.datasync();
      times.push(performance.now() - t);
      records += group.length;
    }
  } finally {
    await fh.close();
  }
  return result('small', o.recordBytes, records, (performance.now() - started) / 1000, times);
}

async function parallelFiles(root: string, o: DiskOptions): Promise<DiskRun> {
  const next = recordMaker(o.recordBytes);
  const times: number[] = [];
  let records = 0;
  let seq = 0;
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  const writer = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const bytes = next();
      const file = path.join(root, `f${seq++}`);
      const t = performance.now();
      const fh = await fsp.open(file, 'wx');
      try {
        for (let off = 0; off < bytes.length; off += 64 * 1024) await fh.write(bytes.subarray(off, off + 64 * 1024));
        await fh.datasync();
      } finally {
        await fh.close();
      }
      times.push(performance.now() - t);
      records++;
      fs.rmSync(file); // the page cache and the disk keep no advantage from earlier files
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, writer));
  return result('large', o.recordBytes, records, (performance.now() - started) / 1000, times);
}

function result(kind: DiskRun['kind'], recordBytes: number, records: number, durationS: number, times: number[]): DiskRun {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    kind,
    recordBytes,
    durationS,
    recordsPerSec: records / durationS,
    mbPerSec: (records * recordBytes) / MB / durationS,
    p50Ms: sorted[sorted.length >> 1] ?? NaN,
  };
}
