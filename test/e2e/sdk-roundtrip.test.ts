import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { allFormats, expectedMime, makeImage } from '../fixtures/images.js';
import { startServerWithApp, storedFiles, type ServerWithApp } from '../helpers/server.js';
import { readAll } from '../helpers/streams.js';

// Both blob layouts: small images appended to segment files (the default), and every blob a file.
describe.each([
  ['small blobs in segments', {}],
  ['every blob a file', { segmentBlobMaxBytes: 0 }],
])('official Node SDK: upload then download, every format (%s)', (_layout, storage) => {
  let server: ServerWithApp;
  let client: lark.Client;
  let userToken: string;

  beforeAll(async () => {
    server = await startServerWithApp(storage);
    client = server.client;
    userToken = await server.userToken(server.creds, ['baike:entity']);
  });
  afterAll(() => server.close());

  for (const format of allFormats) {
    it(`${format} with a tenant token (fetched by the SDK itself)`, async () => {
      const bytes = await makeImage(format, 640, 480);
      const uploaded = await client.lingo.v1.file.upload({ data: { name: `示例图片.${format}`, file: bytes } });
      expect(uploaded?.file_token).toMatch(/^boxbc[A-Za-z0-9]{22}$/);
      const downloaded = await client.lingo.v1.file.download({ path: { file_token: uploaded!.file_token! } });
      const body = await readAll(downloaded.getReadableStream());
      expect(body.equals(bytes)).toBe(true);
      expect(downloaded.headers['content-type']).toBe(expectedMime[format]);
    });

    it(`${format} with a user token`, async () => {
      const bytes = await makeImage(format, 320, 4096);
      const uploaded = await client.lingo.v1.file.upload({ data: { name: `user.${format}`, file: bytes } }, lark.withUserAccessToken(userToken));
      expect(uploaded?.file_token).toMatch(/^boxbc[A-Za-z0-9]{22}$/);
      const downloaded = await client.lingo.v1.file.download({ path: { file_token: uploaded!.file_token! } }, lark.withUserAccessToken(userToken));
      expect((await readAll(downloaded.getReadableStream())).equals(bytes)).toBe(true);
    });
  }

  it('gives every upload a new token, even for identical bytes, and stores the bytes once', async () => {
    const bytes = await makeImage('png', 400, 400);
    const a = await client.lingo.v1.file.upload({ data: { name: 'a.png', file: bytes } });
    const b = await client.lingo.v1.file.upload({ data: { name: 'b.png', file: bytes } });
    expect(a!.file_token).not.toBe(b!.file_token);
    const rowA = await server.app.meta.findFile(server.creds.tenant_key, a!.file_token!);
    const rowB = await server.app.meta.findFile(rowA!.tenantKey, b!.file_token!);
    expect(rowA!.blobKey).toBe(rowB!.blobKey);
    const asFile = storedFiles(server.dataDir).blobs.some((f) => f.endsWith(rowA!.blobKey));
    expect(asFile).toBe('segmentBlobMaxBytes' in storage);
  });

  it('accepts a file sent as a stream with its real basename', async () => {
    const { Readable: R } = await import('node:stream');
    const bytes = await makeImage('jpeg', 800, 600);
    const uploaded = await client.lingo.v1.file.upload({ data: { name: 'stream.jpg', file: R.from([bytes]) as never } });
    expect(uploaded?.file_token).toMatch(/^boxbc/);
  });
});
