import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UnsupportedDataDirError } from '../../../../src/storage/blob-store.js';
import { recordHeaderBytes } from '../../../../src/storage/segments/record.js';
import type { Location } from '../../../../src/storage/segments/segment-index.js';
import { collectKeys, indexesPerTest, tempDirPerTest } from './fixtures.js';

const key = (i: number): string => i.toString(16).padStart(64, '0');
const at = (segment: number, offset: number, length = 100, journalBytes = 0): Location => ({ segment, offset, length, journalBytes });
const recordEnd = (l: Location): number => l.offset + recordHeaderBytes + l.length + l.journalBytes;

describe('SegmentIndex', () => {
  const tmp = tempDirPerTest('lingo-index-');
  const index = indexesPerTest(tmp);

  it('locates rows added lazily, and lists them in pages while they are deleted', async () => {
    const i = index();
    const locations = Array.from({ length: 1_050 }, (_, n) => at(1, n * (recordHeaderBytes + 100)));
    await Promise.all(locations.map((l, n) => i.add(key(n), l)));
    expect(i.locate(key(7))).toEqual(locations[7]);
    expect(i.locate(key(99_999))).toBeUndefined();
    let listed = 0;
    for await (const { key: k } of i.keys()) {
      expect(i.delete(k)).toBe(true);
      listed++;
    }
    expect(listed).toBe(1_050);
    expect(await collectKeys(i.keys())).toEqual([]);
  });

  it('indexed_to follows the run of rows without a gap, journal sections included', async () => {
    const i = index();
    const a = at(1, 0, 100, 20);
    const b = at(1, recordEnd(a), 50);
    const c = at(1, recordEnd(b), 70, 10);
    await i.add(key(1), a);
    await i.add(key(3), c); // b is missing: the run stops after a
    expect(i.indexedTo()).toEqual(new Map([[1, recordEnd(a)]]));
    await i.add(key(2), b);
    expect(i.indexedTo()).toEqual(new Map([[1, recordEnd(b)]]));
    i.addRecovered(1, [{ key: key(3), at: c }], recordEnd(c)); // recovery sets the end it scanned to
    expect(i.indexedTo()).toEqual(new Map([[1, recordEnd(c)]]));
  });

  it('touch refreshes the age of a stored row, and re-inserts one that gc removed', async () => {
    const i = index();
    await i.add(key(1), at(1, 0));
    await new Promise((r) => setTimeout(r, 5));
    const before = Date.now();
    expect(await i.touch(key(1), at(1, 0))).toBe('duplicate');
    // gc's conditional delete: touched since the cutoff, so it is kept.
    expect(i.delete(key(1), before)).toBe(false);
    expect(i.delete(key(1), Date.now() + 1)).toBe(true);
    expect(i.locate(key(1))).toBeUndefined();
    expect(await i.touch(key(1), at(1, 0))).toBe('ok');
    expect(i.locate(key(1))).toEqual(at(1, 0));
  });

  it('recovered rows already indexed are left as they are', async () => {
    const i = index();
    await i.add(key(1), at(1, 0));
    i.addRecovered(
      1,
      [
        { key: key(1), at: at(9, 9) },
        { key: key(2), at: at(1, 148) },
      ],
      296,
    );
    expect(i.locate(key(1))).toEqual(at(1, 0));
    expect(i.locate(key(2))).toEqual(at(1, 148));
  });

  it('a second connection (a read-only process) opens an existing index without writing', async () => {
    await index().add(key(1), at(1, 0));
    const file = path.join(tmp.path, 'index.sqlite');
    const readonly = new Database(file, { readonly: true });
    try {
      expect(readonly.pragma('user_version', { simple: true })).toBe(2);
    } finally {
      readonly.close();
    }
    expect(index().locate(key(1))).toEqual(at(1, 0));
  });

  it('an index of another version is refused with a clear message', () => {
    const db = new Database(path.join(tmp.path, 'index.sqlite'));
    db.exec(`CREATE TABLE segment_blobs (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, segment INTEGER, offset INTEGER, length INTEGER, touched_at_ms INTEGER);
      CREATE TRIGGER segment_blobs_indexed_to AFTER INSERT ON segment_blobs BEGIN SELECT 1; END;`);
    db.close();
    expect(() => index()).toThrow(UnsupportedDataDirError);
    expect(() => index()).toThrow(/segment index version 0 was written by a development build before 0\.1\.0; start with an empty data dir/);
  });
});
