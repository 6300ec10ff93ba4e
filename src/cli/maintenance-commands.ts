import { integerIn } from '../config/config.js';
import { fsck } from '../maintenance/fsck.js';
import { defaultGcGraceMs, gc } from '../maintenance/gc.js';
import type { MetaStore } from '../meta/meta-store.js';
import type { BlobStore } from '../storage/blob-store.js';

export interface Stores {
  meta: MetaStore;
  blobs: BlobStore;
}

/** Exits non-zero (via the thrown error) when any row is damaged, so scripts can alert on it. */
export async function fsckCommand(stores: Stores, json: boolean, out: (line: string) => void): Promise<void> {
  const report = await fsck(stores.meta, stores.blobs);
  if (json) out(JSON.stringify(report));
  else {
    out(`files checked: ${report.filesChecked}, problems: ${report.problems.length}, unreferenced blobs: ${report.unreferencedBlobs}`);
    for (const p of report.problems) out(`  ${p.fileToken}  ${p.problem}  blob ${p.blobKey}`);
  }
  if (report.problems.length > 0) throw new FsckFailed(`${report.problems.length} file(s) damaged`);
}

export async function gcCommand(stores: Stores, graceSeconds: string | undefined, json: boolean, out: (line: string) => void): Promise<void> {
  const graceMs = graceSeconds === undefined ? defaultGcGraceMs : integerIn('--grace-seconds', graceSeconds, 0, 365 * 24 * 3600) * 1000;
  const report = await gc(stores.meta, stores.blobs, graceMs);
  out(json ? JSON.stringify(report) : `temp files removed: ${report.tempFilesRemoved}, blobs removed: ${report.blobsRemoved}, blobs kept: ${report.blobsKept}`);
}

/** fsck found damage: reported, exit status 1. */
export class FsckFailed extends Error {
  override readonly name = 'FsckFailed';
}
