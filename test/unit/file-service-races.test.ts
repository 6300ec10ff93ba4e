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

/**
 * Upload A of some bytes is discarded (say its name was invalid) while upload B of the same bytes
 * is being stored: B must never be acknowledged with a blob that A's cleanup deleted.
 */
describe.each([
  ['segment tier', 0],
  ['file tier', 300 * 1024],
])('FileService: discard racing a duplicate upload (%s)', (_tier, padBytes) => {
  let dir: string;
  let blobs: BlobStore;
  let files: FileService;
  const rows: FileRow[] = [];
  const principal = { tenantKey: 't', app: { appId: 'a' } } as unknown as Principal;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-race-'));
    blobs = createBlobStore({ kind: 'fs', root: dir, segmentBlobMaxBytes: 256 * 1024 });
    const meta = {
      insertFile: async (r: FileRow) => (rows.push(r), 'ok' as const),
      isBlobReferenced: async (k: string) => rows.some((r) => r.blobKey === k),
    } as unknown as MetaStore;
    files = new FileService(meta, blobs);
  });
  afterEach(async () => {
    await blobs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every acknowledged duplicate still has its blob', async () => {
    let missing = 0;
    for (let i = 0; i < 40; i++) {
      const base = await makeImage('png', 400, 400 + i);
      const image = padBytes ? padTo(base, padBytes) : base;
      const a = await files.stage(Readable.from([image]));
      const pendingB = files.stage(Readable.from([image]));
      for (let k = 0; k < i % 10; k++) await new Promise((r) => setImmediate(r));
      await files.discard(a);
      const b = await pendingB;
      await files.commit(principal, 'x.png', b);
      if (!(await blobs.get(b.blob.key).then((s) => (s.destroy(), true), () => false))) missing++;
    }
    expect(missing).toBe(0);
  });
});
