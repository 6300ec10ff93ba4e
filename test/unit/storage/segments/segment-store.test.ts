import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataDirBusyError, UnsupportedDataDirError, type RowJournal } from '../../../../src/storage/blob-store.js';
import { recordHeaderBytes } from '../../../../src/storage/segments/record.js';
import { SegmentIndex } from '../../../../src/storage/segments/segment-index.js';
import { SegmentStore } from '../../../../src/storage/segments/segment-store.js';
import { collectKeys, readStream, segmentFiles, sha, tempDirPerTest } from './fixtures.js';

describe('SegmentStore', () => {
  const tmp = tempDirPerTest('lingo-segments-');
  const opened: SegmentStore[] = [];
  const store = (maxSegmentBytes = 1024 * 1024, applyJournal?: (entry: Buffer) => Promise<void>): SegmentStore => {
    const s = new SegmentStore(tmp.path, { maxSegmentBytes, applyJournal });
    opened.push(s);
    return s;
  };
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  const readAll = async (s: SegmentStore, key: string) => readStream(await s.read(key));
  const put = (s: SegmentStore, b: Buffer | Buffer[], row?: RowJournal) => s.publish(sha(Buffer.concat([b].flat())), [b].flat(), row);

  async function putSome(s: SegmentStore, n: number, size = 40_000): Promise<Buffer[]> {
    const blobs = Array.from({ length: n }, () => randomBytes(size));
    const results = await Promise.all(blobs.map((b) => put(s, b)));
    expect(results.every((r) => r.created)).toBe(true);
    return blobs;
  }

  it('rolls over to new segments and reads everything back after a reopen', async () => {
    const first = store(100_000);
    const blobs = await putSome(first, 12);
    await first.close();
    expect(segmentFiles(tmp.path).length).toBeGreaterThanOrEqual(6);
    for (const f of segmentFiles(tmp.path)) expect(fs.statSync(path.join(tmp.path, f)).size).toBeLessThanOrEqual(100_000);
    const again = store();
    for (const b of blobs) expect((await readAll(again, sha(b)))?.equals(b)).toBe(true);
    expect(await collectKeys(again.keys())).toEqual(blobs.map(sha).sort());
  });

  it('reads a byte range of a blob', async () => {
    const s = store();
    const [blob] = await putSome(s, 1, 1000);
    expect((await readStream(await s.read(sha(blob!), { start: 10, end: 19 })))?.equals(blob!.subarray(10, 20))).toBe(true);
    expect(await s.read(sha(randomBytes(8)))).toBeUndefined();
  });

  it('a failed durable write fails its group, cuts the segment back to what was acknowledged, and later puts go to a new segment', async () => {
    const s = store();
    const [first] = await putSome(s, 1);
    type Fd = { writev: (b: Buffer[], at?: number) => Promise<unknown> };
    const appender = (await (s as unknown as { active: Promise<{ fd: Fd }> }).active)!;
    // The bytes reach the file, but the O_DSYNC write reports EIO: they must not survive.
    const writev = appender.fd.writev.bind(appender.fd);
    appender.fd.writev = async (buffers, at) => {
      await writev(buffers, at);
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    };
    const lost = randomBytes(40_000);
    await expect(put(s, lost)).rejects.toMatchObject({ code: 'EIO' });
    expect(await readAll(s, sha(lost))).toBeUndefined();
    const [later] = await putSome(s, 1);
    await s.close();
    const files = segmentFiles(tmp.path);
    expect(files).toHaveLength(2);
    expect(fs.statSync(path.join(tmp.path, files[0]!)).size).toBe(recordHeaderBytes + first!.length);
    const again = store();
    await again.open({ exclusive: true });
    expect(await collectKeys(again.keys())).toEqual([sha(first!), sha(later!)].sort());
  });

  it('an index row that cannot be written: the blob is served from memory, and the next open indexes it', async () => {
    const s = store();
    // The index writer failing as on a full disk (the segment itself still takes the record).
    vi.spyOn(SegmentIndex.prototype, 'add').mockRejectedValue(new Error('SQLITE_FULL'));
    const [blob] = await putSome(s, 1);
    expect((await readAll(s, sha(blob!)))?.equals(blob!)).toBe(true);
    expect(await collectKeys(s.keys())).toEqual([]);
    // The same bytes again: no second record, and no index row that would hide the first from recovery.
    expect(await put(s, blob!)).toEqual({ created: false });
    await s.close();
    vi.restoreAllMocks();
    const again = store();
    await again.open({ exclusive: true });
    expect(await collectKeys(again.keys())).toEqual([sha(blob!)]);
    expect((await readAll(again, sha(blob!)))?.equals(blob!)).toBe(true);
    expect(fs.statSync(path.join(tmp.path, segmentFiles(tmp.path)[0]!)).size).toBe(recordHeaderBytes + blob!.length);
  });

  it('one writer per directory: a second store is refused with exclusive, read-only without, and takes over once the first closes', async () => {
    const writer = store();
    const [blob] = await putSome(writer, 1);
    await collectKeys(writer.keys()); // its index row committed: what another process reads
    const second = store();
    await expect(second.open({ exclusive: true })).rejects.toBeInstanceOf(DataDirBusyError);
    expect(await second.open({ exclusive: false })).toBe(false);
    expect((await readAll(second, sha(blob!)))?.equals(blob!)).toBe(true);
    await expect(put(second, blob!)).rejects.toBeInstanceOf(DataDirBusyError);
    await writer.close();
    const third = store();
    expect(await third.open({ exclusive: true })).toBe(true);
    await putSome(third, 1);
  });

  it('a read-only store (fsck, gc beside a server) sees blobs the writer stored after it opened', async () => {
    const writer = store();
    await putSome(writer, 1, 64);
    const reader = store();
    expect(await reader.open({ exclusive: false })).toBe(false);
    const later = randomBytes(64);
    await put(writer, later);
    await writer.close();
    expect((await readAll(reader, sha(later)))?.equals(later)).toBe(true);
  });

  it('the same bytes twice, concurrently or later: one record, created once', async () => {
    const s = store();
    const bytes = randomBytes(30_000);
    const results = await Promise.all(Array.from({ length: 5 }, () => put(s, bytes)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await put(s, bytes)).created).toBe(false);
    await s.close();
    expect(fs.statSync(path.join(tmp.path, segmentFiles(tmp.path)[0]!)).size).toBe(recordHeaderBytes + bytes.length);
  });

  it('a reopened writer finds every indexed key (more than one page), so bytes stored by an earlier process still deduplicate', async () => {
    const first = store();
    const blobs = Array.from({ length: 2_100 }, () => randomBytes(64));
    await Promise.all(blobs.map((b) => put(first, b)));
    await first.close();
    const segmentsBefore = segmentFiles(tmp.path).length;
    const again = store();
    await again.open({ exclusive: true });
    const results = await Promise.all(blobs.map((b) => put(again, b)));
    expect(results.filter((r) => r.created)).toHaveLength(0);
    const fresh = randomBytes(64);
    expect((await put(again, fresh)).created).toBe(true);
    expect((await put(again, fresh)).created).toBe(false);
    await again.close();
    // Only the fresh blob was written: one new segment with one record.
    const segments = segmentFiles(tmp.path);
    expect(segments.length).toBe(segmentsBefore + 1);
    expect(fs.statSync(path.join(tmp.path, segments.at(-1)!)).size).toBe(recordHeaderBytes + 64);
  });

  it('an index from a development build (version 1) is refused with a clear message', async () => {
    const db = new Database(path.join(tmp.path, 'index.sqlite'));
    db.exec(`CREATE TABLE segment_blobs (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, segment INTEGER, offset INTEGER, length INTEGER, touched_at_ms INTEGER);
      CREATE TABLE segment_ends (segment INTEGER PRIMARY KEY, indexed_to INTEGER NOT NULL);
      CREATE TRIGGER segment_blobs_indexed_to AFTER INSERT ON segment_blobs BEGIN SELECT 1; END;
      PRAGMA user_version = 1;`);
    db.close();
    const s = store();
    const refusal = /segment index version 1 was written by a development build before 0\.1\.0; start with an empty data dir/;
    await expect(s.open({ exclusive: true })).rejects.toThrow(refusal);
    await expect(s.open({ exclusive: false })).rejects.toBeInstanceOf(UnsupportedDataDirError);
  });

  describe("rows journaled in their blob's record", () => {
    const notCommitted = (): Promise<void> => Promise.reject(new Error('SQLITE_FULL'));
    const row = (text: string, commit: (journaled: boolean) => Promise<void>): RowJournal => ({ bytes: Buffer.from(text), commit });

    it('a row that did not reach its own store is applied again on open, before its record is indexed, and only once', async () => {
      const blob = randomBytes(30_000);
      const first = store(undefined, async () => {});
      expect(await put(first, blob, row('{"row":"one"}', notCommitted))).toEqual({ created: true });
      expect((await readAll(first, sha(blob)))?.equals(blob)).toBe(true);
      expect(await collectKeys(first.keys())).toEqual([]); // not indexed: the row never committed
      await first.close();

      const applied: string[] = [];
      const again = store(undefined, async (e) => void applied.push(e.toString()));
      await again.open({ exclusive: true });
      expect(applied).toEqual(['{"row":"one"}']);
      expect(await collectKeys(again.keys())).toEqual([sha(blob)]);
      await again.close();

      const third = store(undefined, async (e) => void applied.push(e.toString()));
      await third.open({ exclusive: true });
      expect(applied).toHaveLength(1);
    });

    it('a committed row lets its record be indexed; the same bytes again write nothing and commit their row durably', async () => {
      const s = store(undefined, async () => {});
      const blob = randomBytes(30_000);
      const commits: string[] = [];
      const commit = (name: string) => async (journaled: boolean) => void commits.push(`${name}:${journaled}`);
      expect(await put(s, blob, row('a', commit('a')))).toEqual({ created: true });
      expect(commits).toEqual(['a:true']); // called before the publish resolved
      expect(await collectKeys(s.keys())).toEqual([sha(blob)]);
      const size = fs.statSync(path.join(tmp.path, segmentFiles(tmp.path)[0]!)).size;
      expect(await put(s, blob, row('b', commit('b')))).toEqual({ created: false });
      expect(commits).toEqual(['a:true', 'b:false']);
      expect(fs.statSync(path.join(tmp.path, segmentFiles(tmp.path)[0]!)).size).toBe(size);
    });

    it("a duplicate waits for the first record's row, so its index row never lets recovery skip that record", async () => {
      const s = store(undefined, async () => {});
      const blob = randomBytes(30_000);
      let commitFirst!: () => void;
      const first = put(
        s,
        blob,
        row('first', () => new Promise<void>((resolve) => (commitFirst = resolve))),
      );
      expect(await first).toEqual({ created: true });
      try {
        let secondDone = false;
        const second = put(
          s,
          blob,
          row('second', async () => {}),
        ).then((r) => ((secondDone = true), r));
        await new Promise((r) => setTimeout(r, 100));
        expect(secondDone).toBe(false);
        expect(await collectKeysNow(tmp.path)).toEqual([]);
        commitFirst();
        expect(await second).toEqual({ created: false });
      } finally {
        commitFirst();
      }
    });

    it('a store opened without applyJournal refuses a segment holding an unapplied row instead of losing it', async () => {
      const first = store(undefined, async () => {});
      const blob = randomBytes(30_000);
      await put(first, blob, row('row', notCommitted));
      await first.close();
      await expect(store().open({ exclusive: true })).rejects.toThrow(/journal/);
    });
  });
});

/** The keys in the index file as another process would read them now. */
async function collectKeysNow(dir: string): Promise<string[]> {
  const db = new Database(path.join(dir, 'index.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT key FROM segment_blobs ORDER BY key').pluck().all() as string[];
  } finally {
    db.close();
  }
}
