import type { FileRow, MetaStore } from '../meta/meta-store.js';

/**
 * A file row as a journal entry: a store that journals (segments) writes it in its small blob's
 * record, so that one durable write makes both the bytes and the row durable before the upload is
 * answered; the row reaches the database afterwards, off the upload's path (docs/performance.md#row-journaling).
 * Recovery hands entries it finds past the index back here (fileJournalApplier).
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

/**
 * The write-behind of journaled rows: rows already durable in their blob's record, on their way
 * into the database. Until their insert commits they are served from here; one whose insert
 * fails (a full disk) stays until the process ends, and the next open of the blob store applies
 * its entry again.
 */
export class JournaledRows {
  private readonly rows = new Map<string, { row: FileRow; inserting: Promise<unknown> }>();

  constructor(private readonly meta: MetaStore) {}

  /** Starts the row's lazy insert; resolves once it has committed, rejects if it could not. */
  insert(row: FileRow): Promise<void> {
    const id = rowId(row.tenantKey, row.fileToken);
    const inserting = this.meta.insertFile(row, { lazy: true }).then((outcome) => {
      // 22 random base62 characters: a collision is not expected in the life of the universe.
      if (outcome !== 'ok') throw new Error(`file token ${row.fileToken} collides with an existing row`);
      this.rows.delete(id);
    });
    this.rows.set(id, { row, inserting });
    return inserting;
  }

  find(tenantKey: string, fileToken: string): FileRow | undefined {
    return this.rows.get(rowId(tenantKey, fileToken))?.row;
  }

  /** Whether a row held here references the blob (the database does not know it yet). */
  references(blobKey: string): boolean {
    for (const { row } of this.rows.values()) if (row.blobKey === blobKey) return true;
    return false;
  }

  /** Settles once every row inserted so far has been committed (or has failed). */
  async flushed(): Promise<void> {
    await Promise.allSettled([...this.rows.values()].map((j) => j.inserting));
  }
}

function rowId(tenantKey: string, fileToken: string): string {
  return `${tenantKey}/${fileToken}`;
}
