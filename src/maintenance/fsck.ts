import { createHash } from 'node:crypto';
import type { MetaStore } from '../meta/meta-store.js';
import { BlobNotFoundError, type BlobStore } from '../storage/blob-store.js';

export interface FsckProblem {
  fileToken: string;
  blobKey: string;
  problem: 'blob missing' | 'hash mismatch' | 'size mismatch';
}

export interface FsckReport {
  filesChecked: number;
  problems: FsckProblem[];
  /** Blobs no row references: harmless leftovers that `gc` removes after its grace period. */
  unreferencedBlobs: number;
}

/** Checks that every row's blob exists and hashes to the row's SHA-256 and size. Read-only. */
export async function fsck(meta: MetaStore, blobs: BlobStore): Promise<FsckReport> {
  const report: FsckReport = { filesChecked: 0, problems: [], unreferencedBlobs: 0 };
  const verified = new Map<string, { sha256: string; size: number } | 'missing'>();
  for await (const row of meta.listFiles()) {
    report.filesChecked++;
    let digest = verified.get(row.blobKey);
    if (!digest) {
      digest = await hashBlob(blobs, row.blobKey);
      verified.set(row.blobKey, digest);
    }
    const problem: FsckProblem['problem'] | undefined =
      digest === 'missing' ? 'blob missing' : digest.sha256 !== row.sha256 ? 'hash mismatch' : digest.size !== row.sizeBytes ? 'size mismatch' : undefined;
    if (problem) report.problems.push({ fileToken: row.fileToken, blobKey: row.blobKey, problem });
  }
  for await (const { key } of blobs.keys()) if (!verified.has(key)) report.unreferencedBlobs++;
  return report;
}

async function hashBlob(blobs: BlobStore, key: string): Promise<{ sha256: string; size: number } | 'missing'> {
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of await blobs.get(key)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  } catch (err) {
    if (err instanceof BlobNotFoundError) return 'missing';
    throw err;
  }
}
