import type { MetaStore } from '../meta/meta-store.js';
import type { BlobStore } from '../storage/blob-store.js';

export interface GcReport {
  tempFilesRemoved: number;
  blobsRemoved: number;
  blobsKept: number;
}

/** One hour: far longer than any upload may take (the request deadline is 5 minutes). */
export const defaultGcGraceMs = 60 * 60 * 1000;

/**
 * Removes what crashes and failures leave: temp files of interrupted writes, and blobs that no
 * row references. Both only when older than the grace period, so an upload in flight, whose blob
 * is written (or re-touched, when its bytes were already stored) before its row, is never robbed.
 */
export async function gc(meta: MetaStore, blobs: BlobStore, graceMs = defaultGcGraceMs, now = Date.now()): Promise<GcReport> {
  const report: GcReport = { tempFilesRemoved: await blobs.sweepTemp(graceMs), blobsRemoved: 0, blobsKept: 0 };
  for await (const { key, modifiedAtMs } of blobs.keys()) {
    if (now - modifiedAtMs < graceMs || (await meta.isBlobReferenced(key))) {
      report.blobsKept++;
      continue;
    }
    // Conditional: an upload that re-stored the same bytes since we listed them keeps the blob.
    if (await blobs.delete(key, { unlessTouchedSinceMs: now - graceMs })) report.blobsRemoved++;
    else report.blobsKept++;
  }
  return report;
}
