import { createHash } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultS3ClientLimits } from '../../../../src/storage/s3/s3-client.js';
import { S3BlobStore } from '../../../../src/storage/s3/s3-blob-store.js';
import { makeImage, padTo } from '../../../fixtures/images.js';
import { downloadPath, filePart, namePart, rawUpload, request } from '../../../helpers/http.js';
import { startServerWithApp, type ServerWithApp } from '../../../helpers/server.js';
import { describeWithServices } from '../../../helpers/services.js';
import { makeTempDir, removeDir } from '../../../helpers/temp-dir.js';
import { openS3Fixture, type S3Fixture } from './s3-fixture.js';

/**
 * The upload and download routes on the S3 store (rows in the server's SQLite here, so no gc:
 * the ledger's reference check reads PostgreSQL's file rows). The store has two sockets, so a
 * download that leaked one would soon block every other.
 */
describeWithServices(['postgres', 's3'], 'HTTP upload and download on S3', () => {
  let fixture: S3Fixture;
  let bucket: string;
  let server: ServerWithApp;
  let spoolDir: string;
  beforeAll(async () => {
    fixture = await openS3Fixture();
    bucket = await fixture.newBucket();
    spoolDir = makeTempDir('s3-http');
    const blobs = new S3BlobStore(
      {
        location: fixture.location(bucket),
        tempDir: path.join(spoolDir, 'tmp'),
        memoryMaxBytes: 256 * 1024,
        limits: { ...defaultS3ClientLimits, maxSockets: 2 },
      },
      fixture.pool,
    );
    server = await startServerWithApp({}, {}, { blobs });
  });
  afterAll(async () => {
    await server?.close();
    removeDir(spoolDir);
    await fixture.close();
  });

  const auth = () => ({ Authorization: `Bearer ${server.token}` });
  const upload = async (bytes: Buffer): Promise<string> => {
    const res = await rawUpload(server.baseUrl, server.token, [namePart('f.png'), filePart(bytes)]);
    expect(res.status, res.body.toString()).toBe(200);
    expect(res.json().code).toBe(0);
    return res.json().data.file_token as string;
  };

  it('uploads land as objects and download whole, by range, as HEAD and as 304', async () => {
    const small = await makeImage('png', 400, 400);
    const large = padTo(await makeImage('png', 640, 480), 3 * 1024 * 1024);
    for (const bytes of [small, large]) {
      const token = await upload(bytes);
      const whole = await request(server.baseUrl, { path: downloadPath(token), headers: auth() });
      expect(whole.status).toBe(200);
      expect(whole.body.equals(bytes)).toBe(true);
      const part = await request(server.baseUrl, { path: downloadPath(token), headers: { ...auth(), Range: 'bytes=100-199' } });
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
      expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
      const head = await request(server.baseUrl, { method: 'HEAD', path: downloadPath(token), headers: auth() });
      expect(head.status).toBe(200);
      expect(Number(head.headers['content-length'])).toBe(bytes.length);
      const cached = await request(server.baseUrl, { path: downloadPath(token), headers: { ...auth(), 'If-None-Match': whole.headers.etag! } });
      expect(cached.status).toBe(304);
    }
    const keys = await fixture.objectKeys(bucket);
    for (const bytes of [small, large]) expect(keys).toContain(createHash('sha256').update(bytes).digest('hex'));
  });

  it('a rejected upload never reaches the bucket', async () => {
    const before = await fixture.objectKeys(bucket);
    const truncated = (await makeImage('png', 500, 400)).subarray(0, 2000);
    const res = await rawUpload(server.baseUrl, server.token, [namePart('f.png'), filePart(padTo(truncated, 400_000))]);
    expect(res.status).toBe(400);
    expect(res.json().code).toBe(2250001);
    expect(await fixture.objectKeys(bucket)).toEqual(before);
  });

  it('clients that abort downloads cancel the S3 reads: the two sockets stay free', async () => {
    const bytes = padTo(await makeImage('png', 800, 600), 4 * 1024 * 1024);
    const token = await upload(bytes);
    for (let i = 0; i < 8; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${server.baseUrl}${downloadPath(token)}`, { headers: auth() }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => (req.destroyed ? resolve() : reject(err)));
      });
    }
    const res = await request(server.baseUrl, { path: downloadPath(token), headers: auth() });
    expect(res.status).toBe(200);
    expect(res.body.equals(bytes)).toBe(true);
  });
});
