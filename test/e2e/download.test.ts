import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { downloadPath, filePart, namePart, rawUpload, request } from '../helpers/http.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';

// Every test reads the one file uploaded before them all; none writes.
describe('download', () => {
  let server: ServerWithApp;
  let fileToken: string;
  let bytes: Buffer;
  const name = '示例图片 "q";a/b\\c.png';
  const get = (headers: Record<string, string> = {}, method = 'GET', t = fileToken) =>
    request(server.baseUrl, { method, path: downloadPath(t), headers: { Authorization: `Bearer ${server.token}`, ...headers } });

  beforeAll(async () => {
    server = await startServerWithApp();
    bytes = await makeImage('png', 500, 400);
    const res = await rawUpload(server.baseUrl, server.token, [namePart(name), filePart(bytes)]);
    fileToken = res.json().data.file_token;
  });
  afterAll(() => server.close());

  it('returns the exact bytes with type, length, disposition and hardening headers', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.body.equals(bytes)).toBe(true);
    expect(res.headers['content-type']).toBe('image/png');
    expect(Number(res.headers['content-length'])).toBe(bytes.length);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['etag']).toMatch(/^"[0-9a-f]{64}"$/);
    const disposition = Buffer.from(res.headers['content-disposition']!, 'latin1').toString('utf8');
    expect(disposition).toBe(`attachment; filename="示例图片 \\"q\\";a/b\\\\c.png"; filename*=UTF-8''${encodeURIComponent(name).replace(/'/g, '%27')}`);
    const star = /filename\*=UTF-8''(.+)$/.exec(res.headers['content-disposition']!)![1]!;
    expect(decodeURIComponent(star)).toBe(name);
  });

  it('writes header names in canonical casing', async () => {
    const res = await get();
    for (const h of ['Content-Type', 'Content-Length', 'Content-Disposition', 'X-Tt-Logid', 'ETag', 'X-Content-Type-Options']) {
      expect(res.rawHeaderNames).toContain(h);
    }
  });

  it('tolerates the Node SDK GET body {} with Content-Type: application/json', async () => {
    const res = await request(server.baseUrl, {
      path: downloadPath(fileToken),
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', 'Content-Length': 2 },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(res.body.equals(bytes)).toBe(true);
  });

  it('If-None-Match with the ETag answers 304 with no body', async () => {
    const etag = (await get()).headers['etag']!;
    const res = await get({ 'If-None-Match': etag });
    expect(res.status).toBe(304);
    expect(res.body.length).toBe(0);
    expect((await get({ 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('a single Range answers 206 with Content-Range; outside the file 416 JSON; multiple ranges the whole file', async () => {
    const r1 = await get({ Range: 'bytes=10-19' });
    expect(r1.status).toBe(206);
    expect(r1.headers['content-range']).toBe(`bytes 10-19/${bytes.length}`);
    expect(r1.body.equals(bytes.subarray(10, 20))).toBe(true);
    const suffix = await get({ Range: 'bytes=-5' });
    expect(suffix.body.equals(bytes.subarray(-5))).toBe(true);
    const open = await get({ Range: `bytes=${bytes.length - 3}-` });
    expect(open.body.equals(bytes.subarray(-3))).toBe(true);
    const bad = await get({ Range: `bytes=${bytes.length}-` });
    expect(bad.status).toBe(416);
    expect(bad.json().code).toBe(2250001);
    expect(bad.headers['content-range']).toBe(`bytes */${bytes.length}`);
    const multi = await get({ Range: 'bytes=0-1,5-6' });
    expect(multi.status).toBe(200);
    expect(multi.body.equals(bytes)).toBe(true);
  });

  it('HEAD answers the headers without a body, and without reading the blob', async () => {
    const reads = vi.spyOn(server.app.blobs, 'get');
    try {
      const res = await get({}, 'HEAD');
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBe(bytes.length);
      expect(res.body.length).toBe(0);
      expect(reads).not.toHaveBeenCalled();
      expect((await get()).status).toBe(200);
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
  });

  it("an unknown token and another tenant's token answer the same non-2xx JSON 2250001", async () => {
    const unknown = await get({}, 'GET', 'boxbcAAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await get({}, 'GET', '..%2F..%2Fetc');
    const otherTenant = await server.tenantToken(await server.newApp());
    const foreign = await request(server.baseUrl, { path: downloadPath(fileToken), headers: { Authorization: `Bearer ${otherTenant}` } });
    for (const res of [unknown, malformed, foreign]) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json().code).toBe(2250001);
    }
    expect(foreign.json().error.field_violations).toEqual(unknown.json().error.field_violations);
  });

  it('the same tenant, through another app, can read the file', async () => {
    const sibling = await server.newApp({ tenantKey: server.creds.tenant_key });
    const res = await request(server.baseUrl, { path: downloadPath(fileToken), headers: { Authorization: `Bearer ${await server.tenantToken(sibling)}` } });
    expect(res.status).toBe(200);
  });
});
