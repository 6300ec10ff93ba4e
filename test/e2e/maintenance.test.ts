import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsck } from '../../src/maintenance/fsck.js';
import { gc } from '../../src/maintenance/gc.js';
import { BlobNotFoundError, DataDirBusyError } from '../../src/storage/blob-store.js';
import { makeImage, padTo } from '../fixtures/images.js';
import { filePart, namePart, rawUpload } from '../helpers/http.js';
import { startServer, storedFiles, type TestServer } from '../helpers/server.js';

describe('fsck and gc', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer();
    token = await server.tenantToken(await server.newApp());
  });
  afterAll(() => server.close());

  /** `bytes` past 256 KiB puts the blob in a file; smaller ones go to a segment. */
  const upload = async (w: number, bytes = 0) => {
    const res = await rawUpload(server.baseUrl, token, [
      namePart('f.png'),
      filePart(bytes ? padTo(await makeImage('png', w, 320), bytes) : await makeImage('png', w, 320)),
    ]);
    return res.json().data.file_token as string;
  };
  const blobPath = (key: string) => path.join(server.dataDir, 'blobs', key.slice(0, 2), key);

  it('a second server on the same data dir refuses to start (one writer appends to the segments)', async () => {
    const first = await startServer();
    try {
      await expect(startServer({ dataDir: first.dataDir })).rejects.toBeInstanceOf(DataDirBusyError);
      const res = await rawUpload(first.baseUrl, await first.tenantToken(await first.newApp()), [
        namePart('f.png'),
        filePart(await makeImage('png', 333, 320)),
      ]);
      expect(res.status).toBe(200);
    } finally {
      await first.close();
    }
  });

  it('gc removes stale temp files and unreferenced blobs, and keeps referenced or recent ones', async () => {
    await upload(330);
    // Stored with a row that goes nowhere: a blob no row references.
    const orphan = await server.app.blobs.stage(Readable.from([Buffer.from('orphan bytes')]));
    await orphan.publish({ bytes: Buffer.from('{}'), commit: async () => {} });
    const staleTemp = path.join(server.dataDir, 'blobs', 'tmp', 'crashed.part');
    fs.writeFileSync(staleTemp, 'half');
    const recent = await gc(server.app.meta, server.app.blobs);
    expect(recent).toEqual({ tempFilesRemoved: 0, blobsRemoved: 0, blobsKept: 2 });
    const later = await gc(server.app.meta, server.app.blobs, 60_000, Date.now() + 120_000);
    expect(later.blobsRemoved).toBe(1);
    await expect(server.app.blobs.get(orphan.key)).rejects.toBeInstanceOf(BlobNotFoundError);
    const old = new Date(Date.now() - 7200_000);
    fs.utimesSync(staleTemp, old, old);
    expect((await gc(server.app.meta, server.app.blobs)).tempFilesRemoved).toBe(1);
    expect(storedFiles(server.dataDir).temp).toEqual([]);
  });

  it('fsck reports a missing blob and a corrupted blob', async () => {
    expect((await fsck(server.app.meta, server.app.blobs)).problems).toEqual([]);
    const t1 = await upload(340); // in a segment
    const t2 = await upload(350, 300 * 1024); // a file
    const tenant = (await server.app.meta.findApp((await server.app.meta.listApps())[0]!.appId))!.tenantKey;
    const r1 = (await server.app.meta.findFile(tenant, t1))!;
    const r2 = (await server.app.meta.findFile(tenant, t2))!;
    await server.app.blobs.delete(r1.blobKey);
    const bytes = fs.readFileSync(blobPath(r2.blobKey));
    bytes[100] = bytes[100]! ^ 0xff;
    fs.writeFileSync(blobPath(r2.blobKey), bytes);
    const report = await fsck(server.app.meta, server.app.blobs);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        { fileToken: t1, blobKey: r1.blobKey, problem: 'blob missing' },
        { fileToken: t2, blobKey: r2.blobKey, problem: 'hash mismatch' },
      ]),
    );
  });
});
