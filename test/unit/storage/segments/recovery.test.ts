import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { encodeRecord, recordHeaderBytes } from '../../../../src/storage/segments/record.js';
import { recoverSegments } from '../../../../src/storage/segments/recovery.js';
import { segmentPath } from '../../../../src/storage/segments/segment-files.js';
import { collectKeys, indexesPerTest, sha, tempDirPerTest } from './fixtures.js';

describe('segment recovery', () => {
  const tmp = tempDirPerTest('lingo-recovery-');
  const index = indexesPerTest(tmp);

  /** Writes records (each blob with an optional entry) to segment `id`, as the appender would. */
  function writeSegment(id: number, records: { blob: Buffer; entry?: string }[]): void {
    const bytes = records.map(({ blob, entry }) =>
      Buffer.concat(encodeRecord(sha(blob), [blob], entry === undefined ? undefined : Buffer.from(entry)).buffers),
    );
    fs.writeFileSync(segmentPath(tmp.path, id), Buffer.concat(bytes));
  }
  const sizeOf = (id: number): number => fs.statSync(segmentPath(tmp.path, id)).size;
  const noEntries = async (): Promise<void> => {
    throw new Error('no entry expected');
  };

  it('indexes every record of segments the index does not cover, and returns the last segment id', async () => {
    const blobs = Array.from({ length: 6 }, () => randomBytes(1000));
    writeSegment(
      1,
      blobs.slice(0, 3).map((blob) => ({ blob })),
    );
    writeSegment(
      2,
      blobs.slice(3).map((blob) => ({ blob })),
    );
    const i = index();
    expect(await recoverSegments(tmp.path, i, noEntries)).toBe(2);
    expect(await collectKeys(i.keys())).toEqual(blobs.map(sha).sort());
    expect(i.indexedTo()).toEqual(
      new Map([
        [1, sizeOf(1)],
        [2, sizeOf(2)],
      ]),
    );
    expect(i.locate(sha(blobs[4]!))).toEqual({ segment: 2, offset: recordHeaderBytes + 1000, length: 1000, journalBytes: 0 });
    expect(await recoverSegments(tmp.path, index(), noEntries)).toBe(2); // nothing left to do
  });

  it('an empty directory: nothing to do, segment id 0', async () => {
    expect(await recoverSegments(tmp.path, index(), undefined)).toBe(0);
  });

  it('scans only past the indexed run: an index that lost its latest commits (a power cut) is completed', async () => {
    const blobs = Array.from({ length: 10 }, () => randomBytes(500));
    writeSegment(
      1,
      blobs.map((blob) => ({ blob })),
    );
    const i = index();
    await recoverSegments(tmp.path, i, undefined);
    // What synchronous=NORMAL may lose: the last rows, and the run in segment_ends with them.
    const db = new Database(path.join(tmp.path, 'index.sqlite'));
    db.exec('DELETE FROM segment_blobs WHERE id > 3; UPDATE segment_ends SET indexed_to = 0');
    db.close();
    await recoverSegments(tmp.path, i, undefined);
    expect(await collectKeys(i.keys())).toEqual(blobs.map(sha).sort());
  });

  it('a row missing in the middle of the index holds the indexed run back, so it is rescanned', async () => {
    const blobs = Array.from({ length: 6 }, () => randomBytes(40_000));
    writeSegment(
      1,
      blobs.map((blob) => ({ blob })),
    );
    const i = index();
    await recoverSegments(tmp.path, i, undefined);
    expect(i.indexedTo().get(1)).toBe(6 * (recordHeaderBytes + 40_000));
    // As if the second row's commit had failed while later ones landed: the run would have stopped at the first record.
    const db = new Database(path.join(tmp.path, 'index.sqlite'));
    db.prepare('DELETE FROM segment_blobs WHERE offset = ?').run(recordHeaderBytes + 40_000);
    db.prepare('UPDATE segment_ends SET indexed_to = ?').run(recordHeaderBytes + 40_000);
    db.close();
    await recoverSegments(tmp.path, i, undefined);
    expect(await collectKeys(i.keys())).toEqual(blobs.map(sha).sort());
  });

  it('a torn record at the end is cut off; nothing before it is lost', async () => {
    const blobs = Array.from({ length: 5 }, () => randomBytes(4000));
    writeSegment(
      1,
      blobs.map((blob) => ({ blob })),
    );
    const goodSize = sizeOf(1);
    // A record whose write was cut short: a whole header, half of its bytes.
    const torn = randomBytes(4000);
    fs.appendFileSync(segmentPath(tmp.path, 1), Buffer.concat(encodeRecord(sha(torn), [torn]).buffers).subarray(0, recordHeaderBytes + 2000));
    const i = index();
    await recoverSegments(tmp.path, i, undefined);
    expect(sizeOf(1)).toBe(goodSize);
    expect(i.locate(sha(torn))).toBeUndefined();
    expect(await collectKeys(i.keys())).toEqual(blobs.map(sha).sort());
  });

  it('a partial header at the end is cut off too', async () => {
    const blob = randomBytes(100);
    writeSegment(1, [{ blob }]);
    fs.appendFileSync(segmentPath(tmp.path, 1), Buffer.from('LGSEG0'));
    await recoverSegments(tmp.path, index(), undefined);
    expect(sizeOf(1)).toBe(recordHeaderBytes + 100);
  });

  it('a record whose bytes do not hash to its key ends the valid part of its segment', async () => {
    const blobs = [randomBytes(1000), randomBytes(1000)];
    writeSegment(
      1,
      blobs.map((blob) => ({ blob })),
    );
    const goodSize = sizeOf(1);
    const bytes = randomBytes(1000);
    const liar = encodeRecord(sha(Buffer.from('other bytes')), [bytes]);
    fs.appendFileSync(segmentPath(tmp.path, 1), Buffer.concat([...liar.buffers, ...encodeRecord(sha(bytes), [bytes]).buffers]));
    const i = index();
    await recoverSegments(tmp.path, i, undefined);
    expect(sizeOf(1)).toBe(goodSize);
    expect(await collectKeys(i.keys())).toEqual(blobs.map(sha).sort());
  });

  it('journal entries are applied before their records are indexed, and only while unindexed', async () => {
    const blobs = [randomBytes(3000), randomBytes(3000)];
    writeSegment(1, [{ blob: blobs[0]! }, { blob: blobs[1]!, entry: '{"row":"one"}' }]);
    const applied: string[] = [];
    const i = index();
    await recoverSegments(tmp.path, i, async (e) => {
      expect(i.locate(sha(blobs[1]!))).toBeUndefined();
      applied.push(e.toString());
    });
    expect(applied).toEqual(['{"row":"one"}']);
    // The record's end counts its journal section: the indexed run covers the whole file.
    expect(i.indexedTo().get(1)).toBe(sizeOf(1));
    await recoverSegments(tmp.path, i, async (e) => void applied.push(e.toString()));
    expect(applied).toHaveLength(1);
  });

  it('an entry that could not be applied fails recovery and indexes nothing of its segment', async () => {
    const blob = randomBytes(3000);
    writeSegment(1, [{ blob, entry: 'row' }]);
    const i = index();
    await expect(recoverSegments(tmp.path, i, () => Promise.reject(new Error('SQLITE_FULL')))).rejects.toThrow('SQLITE_FULL');
    expect(i.locate(sha(blob))).toBeUndefined();
    await expect(recoverSegments(tmp.path, i, undefined)).rejects.toThrow(/journal/); // and without an applier, refused
    const applied: string[] = [];
    await recoverSegments(tmp.path, i, async (e) => void applied.push(e.toString()));
    expect(applied).toEqual(['row']);
    expect(i.locate(sha(blob))).toBeDefined();
  });

  it('an entry that fails its CRC ends the valid part of the segment, and is not applied', async () => {
    const kept = randomBytes(2000);
    const blob = randomBytes(3000);
    writeSegment(1, [{ blob: kept }, { blob, entry: '{"row":"torn"}' }]);
    const file = segmentPath(tmp.path, 1);
    const bytes = fs.readFileSync(file);
    const recordAt = recordHeaderBytes + kept.length;
    bytes[recordAt + recordHeaderBytes + blob.length + 2]! ^= 0xff; // inside the entry
    fs.writeFileSync(file, bytes);
    const applied: string[] = [];
    const i = index();
    await recoverSegments(tmp.path, i, async (e) => void applied.push(e.toString()));
    expect(applied).toEqual([]);
    expect(await collectKeys(i.keys())).toEqual([sha(kept)]);
    expect(sizeOf(1)).toBe(recordAt);
  });
});
