import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlobStore } from '../../src/app.js';
import type { Principal } from '../../src/auth/tokens.js';
import { FileService } from '../../src/files/file-service.js';
import type { FileRow, MetaStore } from '../../src/meta/meta-store.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { makeImage, padTo } from '../fixtures/images.js';

const principal = { tenantKey: 't', app: { appId: 'a' } } as unknown as Principal;

/** A FileService on a real blob store, with rows in memory; a row named `fail.png` is refused as by a failing database. */
function fixture(): { dir: string; blobs: BlobStore; files: FileService; rows: FileRow[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-race-'));
  const blobs = createBlobStore({ kind: 'fs', root: dir, segmentBlobMaxBytes: 256 * 1024 });
  const rows: FileRow[] = [];
  const meta = {
    insertFile: async (r: FileRow) => {
      if (r.name === 'fail.png') throw Object.assign(new Error('SQLITE_IOERR: disk I/O error'), { code: 'SQLITE_IOERR' });
      rows.push(r);
      return 'ok' as const;
    },
    isBlobReferenced: async (k: string) => rows.some((r) => r.blobKey === k),
  } as unknown as MetaStore;
  return { dir, blobs, files: new FileService(meta, blobs), rows };
}

const exists = (blobs: BlobStore, key: string): Promise<boolean> =>
  blobs.get(key).then(
    (s) => (s.destroy(), true),
    () => false,
  );
const turns = async (n: number): Promise<void> => {
  for (let k = 0; k < n; k++) await new Promise((r) => setImmediate(r));
};

/**
 * Upload A of some bytes is given up (its name was invalid, or its row could not be written)
 * while upload B of the same bytes is under way: B must never be acknowledged with a blob that
 * A's cleanup deleted.
 */
describe.each([
  ['segment tier', 0],
  ['file tier', 300 * 1024],
])('FileService: an upload given up while a duplicate is under way (%s)', (_tier, padBytes) => {
  let f: ReturnType<typeof fixture>;
  beforeEach(async () => {
    f = fixture();
    await f.blobs.open({ exclusive: true });
  });
  afterEach(async () => {
    await f.blobs.close();
    fs.rmSync(f.dir, { recursive: true, force: true });
  });

  const image = async (i: number): Promise<Buffer> => {
    const base = await makeImage('png', 400, 400 + i);
    return padBytes ? padTo(base, padBytes) : base;
  };

  it('a discard: every acknowledged duplicate still has its blob', async () => {
    let missing = 0;
    for (let i = 0; i < 40; i++) {
      const bytes = await image(i);
      const a = await f.files.stage(Readable.from([bytes]));
      const pendingB = f.files.stage(Readable.from([bytes]));
      await turns(i % 10);
      await f.files.discard(a);
      const b = await pendingB;
      await f.files.commit(principal, 'x.png', b);
      if (!(await exists(f.blobs, b.blob.key))) missing++;
    }
    expect(missing).toBe(0);
  });

  it('a commit whose row fails: every acknowledged duplicate still has its blob, and alone it leaves none', async () => {
    let missing = 0;
    for (let i = 0; i < 30; i++) {
      const bytes = await image(100 + i);
      const a = await f.files.stage(Readable.from([bytes]));
      // B staged before A's commit, or while A's commit (and its cleanup) is under way.
      const early = i % 2 === 0 ? f.files.stage(Readable.from([bytes])) : undefined;
      const failing = f.files.commit(principal, 'fail.png', a).then(
        () => 'committed',
        () => 'failed',
      );
      await turns(i % 7);
      const b = await (early ?? f.files.stage(Readable.from([bytes])));
      await f.files.commit(principal, 'x.png', b);
      await failing;
      if (!(await exists(f.blobs, b.blob.key))) missing++;
    }
    expect(missing).toBe(0);

    const alone = await f.files.stage(Readable.from([await image(999)]));
    const outcome = await f.files.commit(principal, 'fail.png', alone).then(
      () => 'committed',
      () => 'failed',
    );
    // The segment tier journals the row in the blob's record: the upload succeeds, the row comes later.
    if (padBytes) {
      expect(outcome).toBe('failed');
      expect(await exists(f.blobs, alone.blob.key)).toBe(false);
      expect(fs.readdirSync(path.join(f.dir, 'tmp'))).toEqual([]);
    } else expect(outcome).toBe('committed');
  });
});
