import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataDirBusyError } from '../../src/storage/blob-store.js';
import { KeyFilter } from '../../src/storage/key-filter.js';
import { recordHeaderBytes, SegmentBlobStore } from '../../src/storage/segment-blob-store.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function readAll(store: SegmentBlobStore, key: string): Promise<Buffer | undefined> {
  const stream = await store.read(key);
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listKeys(store: SegmentBlobStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of store.keys()) keys.push(key);
  return keys.sort();
}

const segmentFiles = (dir: string): string[] => fs.readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();

describe('SegmentBlobStore', () => {
  let dir: string;
  const open: SegmentBlobStore[] = [];
  const store = (maxSegmentBytes = 1024 * 1024, applyJournal?: (entry: Buffer) => Promise<void>): SegmentBlobStore => {
    const s = new SegmentBlobStore(dir, { maxSegmentBytes, applyJournal });
    open.push(s);
    return s;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-segments-'));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function putSome(s: SegmentBlobStore, n: number, size = 40_000): Promise<Buffer[]> {
    const blobs = Array.from({ length: n }, () => randomBytes(size));
    const results = await Promise.all(blobs.map((b) => s.put(sha(b), b)));
    expect(results.every((r) => r.created)).toBe(true);
    return blobs;
  }

  it('rolls over to new segments and reads everything back after a reopen', async () => {
    const first = store(100_000);
    const blobs = await putSome(first, 12);
    await first.close();
    expect(segmentFiles(dir).length).toBeGreaterThanOrEqual(6);
    for (const f of segmentFiles(dir)) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(100_000);
    const again = store();
    for (const b of blobs) expect((await readAll(again, sha(b)))?.equals(b)).toBe(true);
    expect(await listKeys(again)).toEqual(blobs.map(sha).sort());
  });

  it('keeps a bounded number of segment files open for reads', async () => {
    const s = store(1000); // one record per segment
    const blobs = await putSome(s, 45, 2000);
    await s.close();
    const again = store();
    const openSegments = (): number =>
      fs.readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir) && fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith('.seg');
        } catch {
          return false;
        }
      }).length;
    for (let round = 0; round < 2; round++) {
      const read = await Promise.all(blobs.map((b) => readAll(again, sha(b))));
      read.forEach((r, i) => expect(r?.equals(blobs[i]!)).toBe(true));
    }
    expect(openSegments()).toBeLessThanOrEqual(32);
    await again.close();
    expect(openSegments()).toBe(0);
  });

  it('a failed durable write fails its group, cuts the segment back to what was acknowledged, and later puts go to a new segment', async () => {
    const s = store();
    const [first] = await putSome(s, 1);
    type Fd = { writev: (b: Buffer[], at?: number) => Promise<unknown> };
    const segment = (await (s as unknown as { active: Promise<{ fd: Fd }> }).active)!;
    // The bytes reach the file, but the O_DSYNC write reports EIO: they must not survive.
    const writev = segment.fd.writev.bind(segment.fd);
    segment.fd.writev = async (buffers, at) => {
      await writev(buffers, at);
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    };
    const lost = randomBytes(40_000);
    await expect(s.put(sha(lost), lost)).rejects.toMatchObject({ code: 'EIO' });
    expect(await readAll(s, sha(lost))).toBeUndefined();
    const [later] = await putSome(s, 1);
    await s.close();
    const files = segmentFiles(dir);
    expect(files).toHaveLength(2);
    expect(fs.statSync(path.join(dir, files[0]!)).size).toBe(recordHeaderBytes + first!.length);
    const again = store();
    await again.open({ exclusive: true });
    expect(await listKeys(again)).toEqual([sha(first!), sha(later!)].sort());
  });

  it('records that arrive while two group writes are under way share the next one', async () => {
    const s = store();
    await putSome(s, 1); // the segment exists
    type Fd = { writev: (b: Buffer[], at?: number) => Promise<unknown> };
    const segment = (await (s as unknown as { active: Promise<{ fd: Fd }> }).active)!;
    const writev = segment.fd.writev.bind(segment.fd);
    const groups: number[] = [];
    const bufferCounts: number[] = [];
    segment.fd.writev = (buffers, at) => {
      groups.push(buffers.length / 2); // a header and the bytes per record
      bufferCounts.push(buffers.length);
      return writev(buffers, at);
    };
    const blobs = Array.from({ length: 12 }, () => randomBytes(5_000));
    await Promise.all(blobs.map((b) => s.put(sha(b), b)));
    expect(groups).toEqual([1, 1, 10]);
    for (const b of blobs) expect((await readAll(s, sha(b)))?.equals(b)).toBe(true);

    // Many at once, in chunks: no group's writev passes IOV_MAX (1024 buffers).
    bufferCounts.length = 0;
    const many = Array.from({ length: 700 }, () => [randomBytes(300), randomBytes(200)]);
    await Promise.all(many.map((chunks) => s.put(sha(Buffer.concat(chunks)), chunks)));
    expect(Math.max(...bufferCounts)).toBeLessThanOrEqual(1024);
    expect(Math.max(...bufferCounts)).toBeGreaterThan(900); // and groups stay large
    expect(bufferCounts.reduce((n, g) => n + g, 0)).toBe(700 * 3);
    for (const chunks of many.slice(0, 20)) expect((await readAll(s, sha(Buffer.concat(chunks))))?.equals(Buffer.concat(chunks))).toBe(true);
  });

  it('an index row that cannot be written: the blob is served from memory, and the next open indexes it', async () => {
    const s = store();
    // The index writer failing as on a full disk (the segment itself still takes the record).
    (s as unknown as { index: { insert: () => Promise<never> } }).index.insert = () => Promise.reject(new Error('SQLITE_FULL'));
    const [blob] = await putSome(s, 1);
    expect((await readAll(s, sha(blob!)))?.equals(blob!)).toBe(true);
    expect(await listKeys(s)).toEqual([]);
    await s.close();
    const again = store();
    await again.open({ exclusive: true });
    expect(await listKeys(again)).toEqual([sha(blob!)]);
    expect((await readAll(again, sha(blob!)))?.equals(blob!)).toBe(true);
  });

  it('an index that lost its latest commits (a power cut) is rebuilt from the segments on open', async () => {
    const first = store();
    const blobs = await putSome(first, 10);
    await first.close();
    // What synchronous=NORMAL may lose: the last rows, and the run in segment_ends with them.
    const db = new Database(path.join(dir, 'index.sqlite'));
    db.exec('DELETE FROM segment_blobs WHERE id > 3; UPDATE segment_ends SET indexed_to = 0');
    db.close();
    const again = store();
    expect(await readAll(again, sha(blobs[9]!))).toBeUndefined(); // not before open()
    expect(await again.open({ exclusive: true })).toBe(true);
    for (const b of blobs) expect((await readAll(again, sha(b)))?.equals(b)).toBe(true);
    expect(await listKeys(again)).toEqual(blobs.map(sha).sort());
  });

  it('a row missing in the middle of the index holds the indexed run back, so it is rescanned', async () => {
    const first = store();
    const blobs = await putSome(first, 6);
    await first.close();
    const db = new Database(path.join(dir, 'index.sqlite'));
    const end = db.prepare('SELECT indexed_to FROM segment_ends').pluck().get() as number;
    expect(end).toBe(6 * (recordHeaderBytes + 40_000));
    // As if the second row's commit had failed while later ones landed: the run would have stopped at the first record.
    db.prepare('DELETE FROM segment_blobs WHERE offset = ?').run(recordHeaderBytes + 40_000);
    db.prepare('UPDATE segment_ends SET indexed_to = ?').run(recordHeaderBytes + 40_000);
    db.close();
    const again = store();
    await again.open({ exclusive: true });
    expect(await listKeys(again)).toEqual(blobs.map(sha).sort());
  });

  it('a torn record at the end is cut off on open; nothing before it is lost and new blobs go to a new segment', async () => {
    const first = store();
    const blobs = await putSome(first, 5);
    await first.close();
    const [segment] = segmentFiles(dir);
    const file = path.join(dir, segment!);
    const goodSize = fs.statSync(file).size;
    // A record whose write was cut short: a whole header, half of its bytes.
    const torn = randomBytes(40_000);
    const header = Buffer.alloc(recordHeaderBytes);
    Buffer.from('LGSEG001', 'latin1').copy(header);
    header.writeUInt32LE(torn.length, 8);
    header.write(sha(torn), 16, 'hex');
    fs.appendFileSync(file, Buffer.concat([header, torn.subarray(0, 20_000)]));
    const again = store();
    await again.open({ exclusive: true });
    expect(fs.statSync(file).size).toBe(goodSize);
    expect(await readAll(again, sha(torn))).toBeUndefined();
    for (const b of blobs) expect((await readAll(again, sha(b)))?.equals(b)).toBe(true);
    const [later] = await putSome(again, 1);
    expect(segmentFiles(dir)).toHaveLength(2);
    expect((await readAll(again, sha(later!)))?.equals(later!)).toBe(true);
  });

  it('a record whose bytes do not hash to its key ends the valid part of its segment', async () => {
    const first = store();
    await putSome(first, 2);
    await first.close();
    const file = path.join(dir, segmentFiles(dir)[0]!);
    const goodSize = fs.statSync(file).size;
    const bytes = randomBytes(1000);
    const header = Buffer.alloc(recordHeaderBytes);
    Buffer.from('LGSEG001', 'latin1').copy(header);
    header.writeUInt32LE(bytes.length, 8);
    header.write(sha(Buffer.from('other bytes')), 16, 'hex');
    fs.appendFileSync(file, Buffer.concat([header, bytes]));
    const again = store();
    await again.open({ exclusive: true });
    expect(fs.statSync(file).size).toBe(goodSize);
    expect(await listKeys(again)).toHaveLength(2);
  });

  it('one writer per directory: a second store is refused with exclusive, read-only without, and takes over once the first closes', async () => {
    const writer = store();
    const [blob] = await putSome(writer, 1);
    await listKeys(writer); // its index row committed: what another process reads
    const second = store();
    await expect(second.open({ exclusive: true })).rejects.toBeInstanceOf(DataDirBusyError);
    expect(await second.open({ exclusive: false })).toBe(false);
    expect((await readAll(second, sha(blob!)))?.equals(blob!)).toBe(true);
    await expect(second.put(sha(blob!), blob!)).rejects.toBeInstanceOf(DataDirBusyError);
    await writer.close();
    const third = store();
    expect(await third.open({ exclusive: true })).toBe(true);
    await putSome(third, 1);
  });

  describe('journal entries (a file row in its blob\'s record)', () => {
    const notApplied = (): Promise<void> => Promise.reject(new Error('SQLITE_FULL'));
    const ends = (): { segment: number; indexed_to: number }[] => {
      const db = new Database(path.join(dir, 'index.sqlite'), { readonly: true });
      try {
        return db.prepare('SELECT segment, indexed_to FROM segment_ends ORDER BY segment').all() as { segment: number; indexed_to: number }[];
      } finally {
        db.close();
      }
    };

    it('an entry that did not reach its own store is applied again on open, before its record is indexed, and only once', async () => {
      const blob = randomBytes(30_000);
      const entry = Buffer.from('{"row":"one"}');
      const first = store(undefined, async () => {});
      expect(await first.put(sha(blob), blob, { bytes: entry, apply: notApplied })).toEqual({ created: true });
      expect((await readAll(first, sha(blob)))?.equals(blob)).toBe(true);
      expect(await listKeys(first)).toEqual([]); // not indexed: the entry was never applied
      await first.close();

      const applied: string[] = [];
      const again = store(undefined, async (e) => void applied.push(e.toString()));
      await again.open({ exclusive: true });
      expect(applied).toEqual(['{"row":"one"}']);
      expect(await listKeys(again)).toEqual([sha(blob)]);
      expect((await readAll(again, sha(blob)))?.equals(blob)).toBe(true);
      await again.close();
      // The record's end counts its journal section: the indexed run covers the whole file.
      const [seg] = segmentFiles(dir);
      expect(ends()[0]!.indexed_to).toBe(fs.statSync(path.join(dir, seg!)).size);

      const third = store(undefined, async (e) => void applied.push(e.toString()));
      await third.open({ exclusive: true });
      expect(applied).toHaveLength(1);
    });

    it('an applied entry lets its record be indexed at once; the same bytes again write nothing and say so', async () => {
      const s = store(undefined, async () => {});
      const blob = randomBytes(30_000);
      const applied: string[] = [];
      const apply = (name: string) => async () => void applied.push(name);
      expect(await s.put(sha(blob), blob, { bytes: Buffer.from('a'), apply: apply('a') })).toEqual({ created: true });
      expect(applied).toEqual(['a']); // before the put resolved
      expect(await listKeys(s)).toEqual([sha(blob)]);
      const size = fs.statSync(path.join(dir, segmentFiles(dir)[0]!)).size;
      // Already stored: no record, so no entry either; the caller must store its row another way.
      expect(await s.put(sha(blob), blob, { bytes: Buffer.from('b'), apply: apply('b') })).toEqual({ created: false });
      expect(fs.statSync(path.join(dir, segmentFiles(dir)[0]!)).size).toBe(size);
      expect(applied).toEqual(['a']); // nothing written, nothing to apply
    });

    it('a store opened without applyJournal refuses a segment holding an unapplied entry instead of losing it', async () => {
      const first = store(undefined, async () => {});
      const blob = randomBytes(30_000);
      await first.put(sha(blob), blob, { bytes: Buffer.from('row'), apply: notApplied });
      await first.close();
      await expect(store().open({ exclusive: true })).rejects.toThrow(/journal/);
    });

    it('an entry that fails its CRC ends the valid part of the segment, and is not applied', async () => {
      const first = store(undefined, async () => {});
      const [kept] = await putSome(first, 1);
      const blob = randomBytes(30_000);
      await first.put(sha(blob), blob, { bytes: Buffer.from('{"row":"torn"}'), apply: notApplied });
      await first.close();
      const file = path.join(dir, segmentFiles(dir)[0]!);
      const bytes = fs.readFileSync(file);
      const recordAt = recordHeaderBytes + kept!.length;
      bytes[recordAt + recordHeaderBytes + blob.length + 2]! ^= 0xff; // inside the entry
      fs.writeFileSync(file, bytes);
      const applied: string[] = [];
      const again = store(undefined, async (e) => void applied.push(e.toString()));
      await again.open({ exclusive: true });
      expect(applied).toEqual([]);
      expect(await listKeys(again)).toEqual([sha(kept!)]);
      expect(fs.statSync(file).size).toBe(recordAt);
    });

    it('an index written before journal entries (version 1) is migrated on open', async () => {
      const first = store();
      const before = await putSome(first, 2);
      await first.close();
      // Back to version 1: no journal_bytes, the old trigger, user_version 0.
      const db = new Database(path.join(dir, 'index.sqlite'));
      db.exec(`DROP TRIGGER segment_blobs_indexed_to;
        ALTER TABLE segment_blobs DROP COLUMN journal_bytes;
        CREATE TRIGGER segment_blobs_indexed_to AFTER INSERT ON segment_blobs BEGIN
          INSERT OR IGNORE INTO segment_ends (segment, indexed_to) VALUES (NEW.segment, 0);
          UPDATE segment_ends SET indexed_to = NEW.offset + 48 + NEW.length WHERE segment = NEW.segment AND indexed_to = NEW.offset;
        END;
        PRAGMA user_version = 0;`);
      db.close();
      const again = store(undefined, async () => {});
      const blob = randomBytes(30_000);
      await again.put(sha(blob), blob, { bytes: Buffer.from('row'), apply: async () => {} });
      expect(await listKeys(again)).toEqual([...before.map(sha), sha(blob)].sort());
      await again.close();
      for (const { segment, indexed_to } of ends()) {
        expect(indexed_to).toBe(fs.statSync(path.join(dir, `${String(segment).padStart(8, '0')}.seg`)).size);
      }
    });
  });

  it('the same bytes twice, concurrently or later: one record, created once', async () => {
    const s = store();
    const bytes = randomBytes(30_000);
    const results = await Promise.all(Array.from({ length: 5 }, () => s.put(sha(bytes), bytes)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await s.put(sha(bytes), bytes)).created).toBe(false);
    await s.close();
    expect(fs.statSync(path.join(dir, segmentFiles(dir)[0]!)).size).toBe(recordHeaderBytes + bytes.length);
  });

  describe('key filter', () => {
    it('a reopened writer loads every indexed key, so bytes stored by an earlier process still deduplicate', async () => {
      const first = store();
      // More than one page of the load (1 000 keys), small enough to stay quick.
      const blobs = Array.from({ length: 2_100 }, () => randomBytes(64));
      await Promise.all(blobs.map((b) => first.put(sha(b), b)));
      await first.close();
      const segmentsBefore = segmentFiles(dir).length;

      const again = store();
      await again.open({ exclusive: true });
      expect(await again.filterLoaded()).toBe(true);
      const results = await Promise.all(blobs.map((b) => again.put(sha(b), b)));
      // A key the filter missed would have been appended again as a new record.
      expect(results.filter((r) => r.created)).toHaveLength(0);
      const fresh = randomBytes(64);
      expect((await again.put(sha(fresh), fresh)).created).toBe(true);
      expect((await again.put(sha(fresh), fresh)).created).toBe(false);
      expect((await readAll(again, sha(fresh)))?.equals(fresh)).toBe(true);
      expect((await readAll(again, sha(randomBytes(64))))).toBeUndefined();
      await again.close();
      // Only the fresh blob was written: one new segment with one record.
      const segments = segmentFiles(dir);
      expect(segments.length).toBe(segmentsBefore + 1);
      expect(fs.statSync(path.join(dir, segments.at(-1)!)).size).toBe(recordHeaderBytes + 64);
    });

    it('bytes stored while the filter is still loading are found once it is loaded', async () => {
      const first = store();
      await Promise.all(Array.from({ length: 1_500 }, () => randomBytes(64)).map((b) => first.put(sha(b), b)));
      await first.close();
      const again = store();
      await again.open({ exclusive: true });
      const during = randomBytes(64);
      expect((await again.put(sha(during), during)).created).toBe(true);
      expect(await again.filterLoaded()).toBe(true);
      expect((await again.put(sha(during), during)).created).toBe(false);
      expect((await readAll(again, sha(during)))?.equals(during)).toBe(true);
      await again.close();
    });

    it('a writer whose filter fills up replaces it with a bigger one, and no key goes missing on the way', async () => {
      // A filter sized for 16 keys; 5,000 puts at once make it overfull again and again while
      // records are still unindexed, still being appended and already in the index (the later
      // fills read more than one page of it).
      const s = new SegmentBlobStore(dir, { maxSegmentBytes: 1024 * 1024, filterMinKeys: 16 });
      open.push(s);
      await s.open({ exclusive: true });
      expect(await s.filterLoaded()).toBe(true);
      expect(s.filterStats()).toEqual({ keys: 0, capacity: 16 });
      const blobs = Array.from({ length: 5_000 }, () => randomBytes(64));
      await Promise.all(blobs.map((b) => s.put(sha(b), b)));
      expect(await s.filterLoaded()).toBe(true);
      const stats = s.filterStats()!;
      expect(stats.keys).toBeGreaterThanOrEqual(5_000);
      // How far it grew depends on how the fills interleaved with the puts.
      expect(stats.capacity).toBeGreaterThanOrEqual(1_024);
      // Every row indexed, so lookups now go through the filter rather than the unindexed map.
      for await (const page of s.keys()) void page;
      const again = await Promise.all(blobs.map((b) => s.put(sha(b), b)));
      expect(again.filter((r) => r.created)).toHaveLength(0);
      const fresh = randomBytes(64);
      expect((await s.put(sha(fresh), fresh)).created).toBe(true);
      await s.close();
      // One record per distinct blob: a key the filter lost would have been appended twice.
      const bytes = segmentFiles(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
      expect(bytes).toBe(5_001 * (recordHeaderBytes + 64));
    });

    it('a bigger filter that cannot be allocated leaves the old one in use, and every put still succeeds', async () => {
      const larger = vi.spyOn(KeyFilter.prototype, 'larger').mockImplementation(() => {
        throw new RangeError('Array buffer allocation failed');
      });
      try {
        const s = new SegmentBlobStore(dir, { maxSegmentBytes: 1024 * 1024, filterMinKeys: 16 });
        open.push(s);
        await s.open({ exclusive: true });
        const blobs = Array.from({ length: 100 }, () => randomBytes(64));
        const first = await Promise.all(blobs.map((b) => s.put(sha(b), b)));
        expect(first.every((r) => r.created)).toBe(true);
        expect(await s.filterLoaded()).toBe(true);
        // Tried once, not again at every later put.
        expect(larger).toHaveBeenCalledTimes(1);
        expect(s.filterStats()!.capacity).toBe(16);
        const again = await Promise.all(blobs.map((b) => s.put(sha(b), b)));
        expect(again.filter((r) => r.created)).toHaveLength(0);
        await s.close();
      } finally {
        larger.mockRestore();
      }
    });

    it('a read-only store (fsck, gc beside a server) has no filter and reads the index for every key', async () => {
      const writer = store();
      const bytes = randomBytes(64);
      await writer.put(sha(bytes), bytes);
      const reader = store();
      expect(await reader.open({ exclusive: false })).toBe(false);
      expect(await reader.filterLoaded()).toBe(false);
      // Written by the other process after this one opened: only the index knows it.
      const later = randomBytes(64);
      await writer.put(sha(later), later);
      await writer.close();
      expect((await readAll(reader, sha(later)))?.equals(later)).toBe(true);
      await reader.close();
    });
  });
});
