import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { decodeHeader, recordHeaderBytes, verifyBody } from './record.js';
import type { Location, SegmentIndex } from './segment-index.js';
import { listSegmentIds, segmentPath } from './segment-files.js';

/** Re-applies a journal entry found by recovery: durably, and harmlessly if it was applied before. */
export type JournalApplier = (entry: Buffer) => Promise<void>;

interface FoundRecord {
  key: string;
  at: Location;
  entry: Buffer | undefined;
}

/**
 * What a crash left unindexed: scans each segment past the point the index covers without a gap,
 * truncates it at the first record that fails its checks (nothing at or after a torn record was
 * acknowledged: appends are acknowledged in offset order), re-applies the journal entries of the
 * records found (durably, before anything is indexed: once a record is indexed, recovery never
 * looks at it again) and indexes them. Returns the highest segment id (0: none); appends then go
 * to a new segment, since an old one may have ended in a torn record.
 *
 * Without `applyJournal`, a segment holding entries makes recovery throw rather than index a
 * record whose entry would be lost.
 */
export async function recoverSegments(dir: string, index: SegmentIndex, applyJournal: JournalApplier | undefined): Promise<number> {
  const ends = index.indexedTo();
  const ids = listSegmentIds(dir);
  for (const id of ids) {
    const from = ends.get(id) ?? 0;
    if (fs.statSync(segmentPath(dir, id)).size <= from) continue;
    const { records, end } = await scanAndTruncate(segmentPath(dir, id), id, from);
    const entries = records.flatMap((r) => (r.entry ? [r.entry] : []));
    if (entries.length > 0 && !applyJournal) throw new Error(`segment ${id} holds journal entries and this store was opened without applyJournal`);
    // All at once, so the row writer commits them in a few transactions, not one fsync each.
    await Promise.all(entries.map((e) => applyJournal!(e)));
    index.addRecovered(id, records, end);
  }
  return ids.at(-1) ?? 0;
}

/** The valid records of a segment from `from` on; the file is cut at the first invalid one. */
export async function scanAndTruncate(file: string, id: number, from: number): Promise<{ records: FoundRecord[]; end: number }> {
  const fd = await fsp.open(file, 'r+');
  try {
    const size = (await fd.stat()).size;
    const headerBytes = Buffer.alloc(recordHeaderBytes);
    const records: FoundRecord[] = [];
    let pos = from;
    while (pos + recordHeaderBytes <= size) {
      await fd.read(headerBytes, 0, recordHeaderBytes, pos);
      const header = decodeHeader(headerBytes);
      if (!header) break;
      const end = pos + recordHeaderBytes + header.length + header.journalBytes;
      if (end > size) break;
      const body = Buffer.allocUnsafe(header.length + header.journalBytes);
      await fd.read(body, 0, body.length, pos + recordHeaderBytes);
      const verified = verifyBody(header, body);
      if (!verified) break;
      records.push({ key: header.key, at: { segment: id, offset: pos, length: header.length, journalBytes: header.journalBytes }, entry: verified.entry });
      pos = end;
    }
    if (pos < size) {
      await fd.truncate(pos);
      await fd.datasync();
    }
    return { records, end: pos };
  } finally {
    await fd.close();
  }
}
