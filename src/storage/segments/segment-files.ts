import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../file-io.js';

/** Segment files are `00000001.seg`, `00000002.seg`, … in the store's directory. */
export function segmentPath(dir: string, id: number): string {
  return path.join(dir, `${String(id).padStart(8, '0')}.seg`);
}

/** The ids of the segment files in `dir`, in ascending order. */
export function listSegmentIds(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((name) => /^(\d{8})\.seg$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Creates a new, empty segment file opened with O_DSYNC (a write returns once its bytes and the
 * file's size are on the disk), and makes its name durable before any record in it can be
 * acknowledged.
 */
export async function createSegmentFile(dir: string, id: number): Promise<fsp.FileHandle> {
  const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fs.constants;
  const fd = await fsp.open(segmentPath(dir, id), O_WRONLY | O_CREAT | O_EXCL | O_DSYNC);
  try {
    await fsyncDir(dir);
  } catch (err) {
    await fd.close();
    throw err;
  }
  return fd;
}
