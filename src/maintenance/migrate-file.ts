import type { Readable } from 'node:stream';
import { encodeFileRow } from '../files/file-journal.js';
import type { FileRow, MetaStore } from '../meta/meta-store.js';
import { BlobNotFoundError, type BlobStore, type StagedBlob } from '../storage/blob-store.js';

export interface StorePair {
  meta: MetaStore;
  blobs: BlobStore;
}

/** Why a file row was not copied: its blob is gone, or its bytes are not what the row says. */
export type BlobProblem = 'blob missing' | 'hash mismatch' | 'size mismatch';

/**
 * What became of one file row: `file` copied or already there; `blob` written, already there
 * (the destination had these bytes), or a problem (and then the row was not copied either).
 */
export type FileOutcome = { file: 'copied' | 'skipped'; blob: 'copied' | 'skipped' } | { problem: BlobProblem };

/**
 * Copies one file row and its blob, so that the row never exists in the destination without its
 * bytes: the bytes go through the destination's stage(), whose SHA-256 must equal the row's key,
 * and the row is the RowJournal of publish(), committed by the store once the bytes are visible
 * (or journaled with them, as segments do). A row already in the destination is skipped. Rows
 * that share a blob each read and stage it again: each is checked, and the destination's publish
 * finds the bytes already there (`created` false) rather than storing them twice.
 */
export async function copyFile(row: FileRow, source: StorePair, destination: StorePair): Promise<FileOutcome> {
  if (await destination.meta.findFile(row.tenantKey, row.fileToken)) return { file: 'skipped', blob: 'skipped' };

  let body: Readable;
  try {
    body = await source.blobs.get(row.blobKey);
  } catch (err) {
    if (err instanceof BlobNotFoundError) return { problem: 'blob missing' };
    throw err;
  }
  let staged: StagedBlob;
  try {
    staged = await destination.blobs.stage(body, { sizeHint: row.sizeBytes });
  } finally {
    body.destroy();
  }
  const problem: BlobProblem | undefined =
    staged.key !== row.blobKey || row.sha256 !== row.blobKey ? 'hash mismatch' : staged.sizeBytes !== row.sizeBytes ? 'size mismatch' : undefined;
  if (problem) {
    await staged.discard();
    return { problem };
  }

  let committed: Promise<'copied' | 'skipped'> | undefined;
  const { created } = await staged.publish({
    bytes: encodeFileRow(row),
    // A journaling store resolves publish once the record holding the row is durable and lets
    // the commit run on; it is awaited below all the same, so the counts are what is committed.
    commit: async () => {
      committed = insertRow(destination.meta, row);
      await committed;
    },
  });
  if (!committed) throw new Error(`the destination published blob ${row.blobKey} without committing its row`);
  return { file: await committed, blob: created ? 'copied' : 'skipped' };
}

/** 'duplicate': an earlier, interrupted run (or its journal's recovery) inserted it already. */
async function insertRow(meta: MetaStore, row: FileRow): Promise<'copied' | 'skipped'> {
  return (await meta.insertFile(row)) === 'ok' ? 'copied' : 'skipped';
}
