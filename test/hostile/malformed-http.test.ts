import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countRows, distinctImage, download, eventually, expectError, expectIntact, expectNoLeftovers } from '../helpers/hostile.js';
import { filePart, multipart, namePart, rawUpload, request, uploadPath, type Part } from '../helpers/http.js';
import { chunk, connect, lastChunk, uploadHead } from '../helpers/raw-socket.js';
import { startServerWithApp, storedFiles, type ServerWithApp } from '../helpers/server.js';

const MiB = 1024 * 1024;

describe('malformed HTTP and multipart', () => {
  let server: ServerWithApp;
  let token: string;
  let png: Buffer;

  beforeAll(async () => {
    server = await startServerWithApp({ headersTimeoutMs: 1000, idleTimeoutMs: 1000, requestTimeoutMs: 10_000 });
    token = server.token;
    png = await distinctImage();
  });
  afterAll(() => server.close());
  afterEach(() => expectIntact(server, token));

  const post = (contentType: string, body: Buffer) =>
    request(server.baseUrl, {
      method: 'POST',
      path: uploadPath,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, 'Content-Length': body.length },
      body,
    });

  describe('framing', () => {
    it('no boundary, an empty boundary, or a non-multipart type: 400 on Content-Type', async () => {
      const { body } = multipart([namePart('a.png'), filePart(png)]);
      for (const type of ['multipart/form-data', 'multipart/form-data; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain']) {
        expectError(await post(type, body), 400, 2250001, 'Content-Type');
      }
      const res = await post('multipart/form-data; boundary=', body);
      expectError(res, 400, 2250001);
    });

    it('a boundary that does not match the body: 400 on body', async () => {
      const { body } = multipart([namePart('a.png'), filePart(png)], 'AAAAAAAAAA');
      expectError(await post('multipart/form-data; boundary=BBBBBBBBBB', body), 400, 2250001, 'body');
    });

    it('a body that ends before its closing boundary: 400 on body', async () => {
      const { body, contentType } = multipart([namePart('a.png'), filePart(png)]);
      expectError(await post(contentType, body.subarray(0, body.length - 20)), 400, 2250001, 'body');
    });

    it('an unterminated body (half the file, then the client closes) leaves no temp file, blob or row', async () => {
      const rows = await countRows(server);
      const image = await distinctImage(2 * MiB);
      for (const close of ['end', 'destroy'] as const) {
        const { body, contentType } = multipart([namePart('half.png'), filePart(image)]);
        const conn = await connect(server.port);
        await conn.write(uploadHead(token, contentType, body.length));
        await conn.write(body.subarray(0, body.length / 2));
        // The file part is being written to a temp file when the client goes.
        await eventually(() => expect(storedFiles(server.dataDir).temp.length).toBeGreaterThan(0));
        conn[close]();
        await conn.closedWithin(8000);
        await expectNoLeftovers(server);
      }
      expect(await countRows(server)).toBe(rows);
    });
  });

  describe('part headers', () => {
    const withHeader = (header: string): Part[] => [namePart('a.png'), { ...filePart(png), extraHeaders: [header] }];
    const upload = (parts: Part[]) => rawUpload(server.baseUrl, token, parts);

    it('a 100 KB part header is rejected with 400 on body, wherever it sits', async () => {
      const pad = 'x'.repeat(100 * 1024);
      expectError(await upload(withHeader(`X-Padding: ${pad}`)), 400, 2250001, 'body');
      expectError(await upload([namePart('a.png'), { name: 'file', data: png, filename: pad }]), 400, 2250001, 'body');
      expectError(await upload([{ ...namePart('a.png'), extraHeaders: [`X-Padding: ${pad}`] }, filePart(png)]), 400, 2250001, 'body');
      // The limit is 8 KiB: just past it is refused, well under it is fine.
      expectError(await upload(withHeader(`X-Padding: ${'x'.repeat(8 * 1024)}`)), 400, 2250001, 'body');
      expect((await upload(withHeader(`X-Padding: ${'x'.repeat(7 * 1024)}`))).status).toBe(200);
    });

    it('a part whose header block is cut off by the next boundary is rejected, not skipped', async () => {
      const { body, contentType } = multipart([namePart('a.png'), filePart(png)], 'BOUNDARY');
      const junk = Buffer.from('--BOUNDARY\r\nContent-Disposition: form-data; name="junk"\r\nX-Never-Ends: yes\r\n');
      expectError(await post(contentType, Buffer.concat([junk, body])), 400, 2250001, 'body');
    });
  });

  describe('parts', () => {
    it('1 000 fields: 400 at the first one too many, before the rest is read', async () => {
      const fields: Part[] = Array.from({ length: 1000 }, (_, i) => ({ name: `field${i}`, data: 'v' }));
      expectError(await rawUpload(server.baseUrl, token, fields), 400, 2250001, 'body');
      expectError(await rawUpload(server.baseUrl, token, [namePart('a.png'), filePart(png), ...fields]), 400, 2250001);
      const names = Array.from({ length: 1000 }, () => namePart('n'));
      expectError(await rawUpload(server.baseUrl, token, [...names, filePart(png)]), 400, 2250001, 'name');
    });

    it('two files: 400 on file, and the first (already stored) is removed again', async () => {
      const other = await distinctImage();
      expectError(await rawUpload(server.baseUrl, token, [namePart('a.png'), filePart(png), filePart(other)]), 400, 2250001, 'file');
      expectError(await rawUpload(server.baseUrl, token, [filePart(other), namePart('a.png'), filePart(png)]), 400, 2250001, 'file');
    });

    it('invalid UTF-8 in name (bad byte, overlong, surrogate, truncated): 400 on name', async () => {
      for (const bytes of [
        [0x61, 0xff],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0xe5, 0x9b],
      ]) {
        expectError(await rawUpload(server.baseUrl, token, [namePart(Buffer.from(bytes)), filePart(png)]), 400, 2250001, 'name');
      }
    });

    it('a malformed %-escape in the download path is 400 2250001, not a 500', async () => {
      const res = await request(server.baseUrl, {
        path: '/open-apis/lingo/v1/files/%E0%A4%A/download',
        headers: { Authorization: `Bearer ${token}` },
      });
      expectError(res, 400, 2250001, 'file_token');
    });
  });

  describe('size', () => {
    it('a declared 100 MiB body (10× the cap) is refused from its headers and the connection closed', async () => {
      const conn = await connect(server.port);
      await conn.write(uploadHead(token, 'multipart/form-data; boundary=B', 100 * MiB));
      const junk = Buffer.alloc(64 * 1024, 0x61);
      while (conn.sent() < 100 * MiB && (await conn.write(junk)));
      const res = await conn.response();
      expectError(res, 400, 2250001, 'file');
      expect(res.headers.connection).toBe('close');
      await conn.closedWithin(8000);
      expect(conn.sent()).toBeLessThan(20 * MiB);
    });

    it('chunked: a valid upload is accepted', async () => {
      const image = await distinctImage(300 * 1024);
      const { body, contentType } = multipart([namePart('chunked.png'), filePart(image)]);
      const conn = await connect(server.port);
      await conn.write(uploadHead(token, contentType, 'chunked'));
      for (let off = 0; off < body.length; off += 7000) await conn.write(chunk(body.subarray(off, off + 7000)));
      await conn.write(lastChunk);
      const res = await conn.response();
      expect(res.status, res.body.toString()).toBe(200);
      conn.destroy();
      const dl = await download(server, token, res.json().data.file_token);
      expect(dl.body.equals(image)).toBe(true);
    });

    it('chunked: an endless body is refused past 10 MiB without being read to its end', async () => {
      const { body, contentType } = multipart([namePart('big.png'), filePart(png)], 'BOUNDARY');
      const opening = body.subarray(0, body.lastIndexOf('\r\n--BOUNDARY--'));
      const conn = await connect(server.port);
      await conn.write(uploadHead(token, contentType, 'chunked'));
      await conn.write(chunk(opening));
      const junk = chunk(Buffer.alloc(64 * 1024, 0x61));
      while (conn.sent() < 100 * MiB && (await conn.write(junk)));
      const res = await conn.response();
      expectError(res, 400, 2250001, 'file');
      await conn.closedWithin(8000);
      expect(conn.sent()).toBeLessThan(30 * MiB);
    });
  });

  describe('Content-Length that lies', () => {
    it('too small: the body is cut short, 400 (JSON or the parser’s), no leftovers', async () => {
      const image = await distinctImage(200 * 1024);
      const { body, contentType } = multipart([namePart('short.png'), filePart(image)]);
      const conn = await connect(server.port);
      await conn.write(uploadHead(token, contentType, Math.floor(body.length / 2)) + '');
      await conn.write(body);
      const res = await conn.response();
      expect(res.status).toBe(400);
      if (res.body.length > 0) expectError(res, 400, 2250001, 'body');
      await conn.closedWithin(8000);
    });

    it('too large: the client stops, the idle timeout closes the connection, no leftovers', async () => {
      const rows = await countRows(server);
      const image = await distinctImage(200 * 1024);
      const { body, contentType } = multipart([namePart('long.png'), filePart(image)]);
      const conn = await connect(server.port);
      const started = Date.now();
      await conn.write(uploadHead(token, contentType, body.length + 1000));
      await conn.write(body);
      const { atMs } = await conn.closedWithin(8000);
      // Idle timeout is 1 s here; the request deadline (10 s) must not be what fired.
      expect(atMs - started).toBeGreaterThanOrEqual(900);
      expect(atMs - started).toBeLessThan(5000);
      expect(conn.received().toString('latin1')).not.toMatch(/^HTTP\/1\.1 200/);
      await expectNoLeftovers(server);
      expect(await countRows(server)).toBe(rows);
    });
  });
});
