import { createHash } from 'node:crypto';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createScratchStores, type ScratchStores } from '../../scripts/scratch-stores.js';
import { distinctImage, download, eventually } from '../helpers/hostile.js';
import { filePart, namePart, rawUpload } from '../helpers/http.js';
import { scrape, type Scrape } from '../helpers/metrics.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';
import { describeWithServices, serviceUrl } from '../helpers/services.js';

const calls = 'lingo_backend_call_duration_seconds_count';
const seconds = 'lingo_backend_call_duration_seconds_sum';
const errors = 'lingo_backend_call_errors_total';
const put = { store: 's3', backend: 's3', method: 'PutObject' };
const get = { store: 's3', backend: 's3', method: 'GetObject' };
const publish = { store: 'blob', backend: 's3', method: 'publish' };

// What an S3 blob-store call is made of, in the server's own metrics: where a slow upload's time
// goes (npm run bench -- --backend pg-s3 reads it), S3 or the ledger in PostgreSQL.
describeWithServices(['postgres', 's3'], 'metrics of the S3 blob store: its S3 requests and ledger statements', () => {
  let stores: ScratchStores;
  let server: ServerWithApp;

  beforeAll(async () => {
    stores = await createScratchStores({ postgres: serviceUrl('postgres'), s3: serviceUrl('s3') }, 'metrics');
    server = await startServerWithApp(stores.settings);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await stores?.remove();
  });

  async function uploaded(): Promise<{ fileToken: string; key: string }> {
    const image = await distinctImage();
    const res = await rawUpload(server.baseUrl, server.token, [namePart('s3.png'), filePart(image)]);
    expect([res.status, res.json().code]).toEqual([200, 0]);
    return { fileToken: res.json().data.file_token as string, key: createHash('sha256').update(image).digest('hex') };
  }

  /** Scrapes until the download's request is counted: it is observed just after the client has its answer. */
  async function afterDownload(before: Scrape, status: string): Promise<Scrape> {
    const labels = { operation: 'lingo.v1.file.download', status };
    let after: Scrape | undefined;
    await eventually(async () => {
      after = await scrape(server.baseUrl);
      expect(after.value('lingo_http_requests_total', labels)).toBe(before.value('lingo_http_requests_total', labels) + 1);
    });
    return after!;
  }

  it('an upload counts one PutObject and its ledger statements, inside its publish; a download one GetObject', async () => {
    const before = await scrape(server.baseUrl);
    const { fileToken } = await uploaded();
    expect((await download(server, server.token, fileToken)).status).toBe(200);
    const after = await afterDownload(before, '200');
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(delta(calls, put)).toBe(1);
    expect(delta(calls, get)).toBe(1);
    expect(delta(calls, publish)).toBe(1);
    for (const method of ['claim', 'markStored', 'isStored']) expect(delta(calls, { store: 'ledger', backend: 'postgres', method })).toBe(1);
    // Nested: the PUT is part of the publish that made it.
    expect(delta(seconds, put)).toBeGreaterThan(0);
    expect(delta(seconds, put)).toBeLessThanOrEqual(delta(seconds, publish));
    expect(delta(errors, put)).toBe(0);
  });

  it('an S3 request that fails counts as an error of store s3 and its command', async () => {
    const { fileToken, key } = await uploaded();
    const s3 = new S3Client({ endpoint: serviceUrl('s3'), region: 'us-east-1', forcePathStyle: true });
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: stores.bucket, Key: key }));
    } finally {
      s3.destroy();
    }
    const before = await scrape(server.baseUrl);
    const res = await download(server, server.token, fileToken);
    expect(res.status).toBe(500);
    expect(res.json().code).toBe(2250002);
    const after = await afterDownload(before, '500');
    expect(after.value(errors, get) - before.value(errors, get)).toBe(1);
    expect(after.value(calls, get) - before.value(calls, get)).toBe(1);
  });
});
