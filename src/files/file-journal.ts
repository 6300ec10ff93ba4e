import type { FileRow, MetaStore } from '../meta/meta-store.js';

/**
 * A file row as a journal entry: written in its small blob's segment record, so that one durable
 * write makes both the bytes and the row durable before the upload is answered; the row reaches
 * the database afterwards, off the upload's path (bench/README.md, session 4). Recovery hands
 * entries it finds past the index back here.
 */
const version = 1;

export function encodeFileRow(row: FileRow): Buffer {
  return Buffer.from(JSON.stringify({ v: version, row }), 'utf8');
}

export function decodeFileRow(entry: Buffer): FileRow {
  const parsed = JSON.parse(entry.toString('utf8')) as { v?: unknown; row?: Record<string, unknown> };
  const row = parsed.row;
  const strings = ['fileToken', 'tenantKey', 'appId', 'name', 'blobKey', 'sha256', 'format', 'mime'] as const;
  const numbers = ['sizeBytes', 'width', 'height', 'createdAtMs'] as const;
  if (parsed.v !== version || !row || strings.some((k) => typeof row[k] !== 'string') || numbers.some((k) => typeof row[k] !== 'number')) {
    // The entry passed its CRC, so this is a format we do not know (a newer binary's): refuse.
    throw new Error(`unknown file journal entry (version ${String(parsed.v)})`);
  }
  return row as unknown as FileRow;
}

/**
 * What recovery calls for each entry: the row, inserted durably. An entry applied before the
 * crash meets its own row ('duplicate'), which is what it should find.
 */
export function fileJournalApplier(meta: MetaStore): (entry: Buffer) => Promise<void> {
  return async (entry) => {
    await meta.insertFile(decodeFileRow(entry));
  };
}
