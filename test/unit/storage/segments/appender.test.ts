import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type fsp from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SegmentAppender } from '../../../../src/storage/segments/appender.js';
import { createSegmentFile, segmentPath } from '../../../../src/storage/segments/segment-files.js';
import { tempDirPerTest } from './fixtures.js';

type Writev = fsp.FileHandle['writev'];

describe('SegmentAppender (group commit of one segment file)', () => {
  const tmp = tempDirPerTest('lingo-appender-');
  const appenders: SegmentAppender[] = [];
  afterEach(async () => {
    await Promise.all(appenders.splice(0).map((a) => a.drained()));
  });

  /** An appender on a new segment file, and a hook on its file handle's writev. */
  async function appender(): Promise<{ a: SegmentAppender; fd: fsp.FileHandle; file: string }> {
    const fd = await createSegmentFile(tmp.path, 1);
    const file = segmentPath(tmp.path, 1);
    const a = new SegmentAppender(1, file, fd);
    appenders.push(a);
    return { a, fd, file };
  }

  it('appends in offset order, each record acknowledged with its offset once durable', async () => {
    const { a, file } = await appender();
    const records = Array.from({ length: 20 }, (_, i) => [Buffer.from(`header${i}`), randomBytes(100 + i)]);
    const offsets = await Promise.all(records.map((r) => a.append(r)));
    let expected = 0;
    records.forEach((r, i) => {
      expect(offsets[i]).toBe(expected);
      expected += Buffer.concat(r).length;
    });
    await a.drained();
    expect(fs.readFileSync(file).equals(Buffer.concat(records.flat()))).toBe(true);
  });

  it('records that arrive while two group writes are under way share the next one; no group passes IOV_MAX', async () => {
    const { a, fd } = await appender();
    const writev = fd.writev.bind(fd);
    const groups: number[] = [];
    fd.writev = ((buffers: Buffer[], at?: number) => {
      groups.push(buffers.length);
      return writev(buffers, at);
    }) as Writev;
    await Promise.all(Array.from({ length: 12 }, () => a.append([randomBytes(10), randomBytes(5_000)])));
    // A record is two buffers here: the first two records go alone, the other ten together.
    expect(groups).toEqual([2, 2, 20]);

    groups.length = 0;
    await Promise.all(Array.from({ length: 700 }, () => a.append([randomBytes(48), randomBytes(300), randomBytes(200)])));
    expect(Math.max(...groups)).toBeLessThanOrEqual(1024);
    expect(Math.max(...groups)).toBeGreaterThan(900); // and groups stay large
    expect(groups.reduce((n, g) => n + g, 0)).toBe(700 * 3);
  });

  it('acknowledges in offset order: a later group that ends first waits for the one before it', async () => {
    const { a, fd } = await appender();
    const writev = fd.writev.bind(fd);
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    let calls = 0;
    let secondWritten = false;
    fd.writev = (async (buffers: Buffer[], at?: number) => {
      const call = ++calls;
      const result = await writev(buffers, at);
      if (call === 1) await firstHeld;
      else secondWritten = true;
      return result;
    }) as Writev;
    const acked: number[] = [];
    try {
      const first = a.append([randomBytes(10)]).then(() => acked.push(1));
      const second = a.append([randomBytes(10)]).then(() => acked.push(2));
      await new Promise((r) => setTimeout(r, 50));
      expect(secondWritten).toBe(true);
      expect(acked).toEqual([]); // the second group is written, but not acknowledged before the first
      releaseFirst();
      await Promise.all([first, second]);
      expect(acked).toEqual([1, 2]);
    } finally {
      releaseFirst();
    }
  });

  it('a failed durable write fails every append not yet acknowledged and cuts the file back to the last acknowledged one', async () => {
    const { a, fd, file } = await appender();
    const kept = randomBytes(1000);
    await a.append([kept]);
    const writev = fd.writev.bind(fd);
    // The bytes reach the file, but the O_DSYNC write reports EIO: they must not survive.
    fd.writev = (async (buffers: Buffer[], at?: number) => {
      await writev(buffers, at);
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    }) as Writev;
    const failed = await Promise.allSettled(Array.from({ length: 5 }, () => a.append([randomBytes(500)])));
    expect(failed.every((r) => r.status === 'rejected')).toBe(true);
    expect(a.sealed).toBe(true);
    expect(a.hasRoomFor(1, Infinity)).toBe(false);
    await a.closed;
    expect(fs.readFileSync(file).equals(kept)).toBe(true);
  });

  it('a segment whose first write fails is removed', async () => {
    const { a, fd, file } = await appender();
    fd.writev = (() => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))) as Writev;
    await expect(a.append([randomBytes(10)])).rejects.toMatchObject({ code: 'ENOSPC' });
    await a.closed;
    expect(fs.existsSync(file)).toBe(false);
  });

  it('room: a first record always fits; later ones up to the limit; none once sealed', async () => {
    const { a } = await appender();
    expect(a.hasRoomFor(10_000, 100)).toBe(true);
    await a.append([Buffer.alloc(60)]);
    expect(a.hasRoomFor(40, 100)).toBe(true);
    expect(a.hasRoomFor(41, 100)).toBe(false);
    a.seal();
    expect(a.hasRoomFor(1, 100)).toBe(false);
  });
});
