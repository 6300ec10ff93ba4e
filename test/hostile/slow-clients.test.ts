import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Of } from '../helpers/bytes.js';
import { countRows, distinctImage, download, eventually, expectIntact, expectNoLeftovers } from '../helpers/hostile.js';
import { filePart, multipart, namePart, postJson, rawUpload, tenantTokenPath } from '../helpers/http.js';
import { connect, sleep, uploadHead, type RawConnection } from '../helpers/raw-socket.js';
import { startServerWithApp, storedFiles, type ServerWithApp } from '../helpers/server.js';

const MiB = 1024 * 1024;

/** The socket was closed by the server, with a 408 if it answered at all. */
function expectTimedOut(conn: RawConnection): void {
  const text = conn.received().toString('latin1');
  if (text.length > 0) expect(text).toMatch(/^HTTP\/1\.1 408 /);
}

describe('slow clients', () => {
  let server: ServerWithApp;
  let token: string;

  beforeAll(async () => {
    server = await startServerWithApp({ headersTimeoutMs: 1000, idleTimeoutMs: 1000, requestTimeoutMs: 3000 });
    token = server.token;
  });
  afterAll(() => server.close());
  afterEach(() => expectIntact(server, token));

  it('headers trickling past the headers timeout (1 s) are cut off with 408', async () => {
    const conn = await connect(server.port, { ignoreFin: true });
    const started = Date.now();
    await conn.write('POST /open-apis/lingo/v1/files/upload HTTP/1.1\r\nHost: x\r\n');
    // A header line every 100 ms: never idle, so it is the headers deadline that must fire.
    while (!conn.isClosed() && Date.now() - started < 5000) {
      await conn.write('X-Slow: a\r\n');
      await sleep(100);
    }
    const { atMs } = await conn.closedWithin(8000);
    expect(atMs - started).toBeGreaterThanOrEqual(900);
    expect(atMs - started).toBeLessThan(2500);
    expectTimedOut(conn);
  });

  it('a body that stops flowing is cut off by the idle timeout (1 s): no temp file, blob or row', async () => {
    const rows = await countRows(server);
    const { body, contentType } = multipart([namePart('stalled.png'), filePart(await distinctImage(MiB))]);
    const conn = await connect(server.port);
    await conn.write(uploadHead(token, contentType, body.length));
    await conn.write(body.subarray(0, 300 * 1024));
    const stalled = Date.now();
    await eventually(() => expect(storedFiles(server.dataDir).temp.length).toBeGreaterThan(0));
    const { atMs } = await conn.closedWithin(8000);
    expect(atMs - stalled).toBeGreaterThanOrEqual(800);
    expect(atMs - stalled).toBeLessThan(2500);
    await expectNoLeftovers(server);
    expect(await countRows(server)).toBe(rows);
  });

  it('a body that keeps trickling is cut off at the request deadline (3 s) with 408: no leftovers', async () => {
    const rows = await countRows(server);
    const { body, contentType } = multipart([namePart('trickle.png'), filePart(await distinctImage(2 * MiB))]);
    const conn = await connect(server.port, { ignoreFin: true });
    const started = Date.now();
    await conn.write(uploadHead(token, contentType, body.length));
    // 16 KiB every 150 ms: never idle for the 1 s idle timeout, but 2 MiB would take ~20 s.
    for (let off = 0; off < body.length && !conn.isClosed(); off += 16 * 1024) {
      await conn.write(body.subarray(off, off + 16 * 1024));
      await sleep(150);
    }
    const { atMs } = await conn.closedWithin(8000);
    expect(atMs - started).toBeGreaterThanOrEqual(2800);
    expect(atMs - started).toBeLessThan(5500);
    expect(conn.sent()).toBeLessThan(body.length);
    expectTimedOut(conn);
    await expectNoLeftovers(server);
    expect(await countRows(server)).toBe(rows);
  });

  it('a client that disconnects mid-file, or after the file but before the end, leaves no temp file, blob or row', async () => {
    const rows = await countRows(server);
    const image = await distinctImage(MiB);
    const { body, contentType } = multipart([namePart('gone.png'), filePart(image)], 'BOUNDARY');

    const mid = await connect(server.port);
    await mid.write(uploadHead(token, contentType, body.length));
    await mid.write(body.subarray(0, body.length / 2));
    await eventually(() => expect(storedFiles(server.dataDir).temp.length).toBeGreaterThan(0));
    mid.destroy();
    await expectNoLeftovers(server);

    // Up to the next boundary: the file part is complete, so its blob is staged (a whole temp
    // file, not yet visible), and then the client vanishes before the closing `--`.
    const late = await connect(server.port);
    await late.write(uploadHead(token, contentType, body.length));
    await late.write(body.subarray(0, body.lastIndexOf('--BOUNDARY--') + '--BOUNDARY'.length));
    const tempSizes = (): number[] => storedFiles(server.dataDir).temp.map((t) => fs.statSync(path.join(server.dataDir, 'blobs', t)).size);
    await eventually(() => expect(tempSizes()).toContain(image.length));
    expect(storedFiles(server.dataDir).blobs.some((b) => b.endsWith(sha256Of(image)))).toBe(false);
    late.destroy();
    await expectNoLeftovers(server);
    expect(await countRows(server)).toBe(rows);
  });
});

describe('slowloris', () => {
  let server: ServerWithApp;
  const loris: RawConnection[] = [];

  beforeAll(async () => {
    server = await startServerWithApp({ headersTimeoutMs: 4000, idleTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
  });
  afterEach(() => {
    for (const c of loris.splice(0)) c.destroy();
  });
  afterAll(() => server.close());

  it('300 connections trickling headers do not keep a normal client from being served, and are cut off', async () => {
    const opened = Date.now();
    for (let i = 0; i < 300; i++) {
      const c = await connect(server.port);
      await c.write('POST /open-apis/lingo/v1/files/upload HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      loris.push(c);
    }
    let trickling = true;
    const trickle = (async () => {
      // Also ends once every slow connection is gone (closed by the server, or by afterEach after a failure).
      while (trickling && loris.some((c) => !c.isClosed())) {
        for (const c of loris) if (!c.isClosed()) void c.write('a');
        await sleep(250);
      }
    })();

    // A normal client, start to finish: token, upload, download.
    const t0 = Date.now();
    const creds = await server.newApp();
    const tokenRes = await postJson(server.baseUrl, tenantTokenPath, { app_id: creds.app_id, app_secret: creds.app_secret });
    const fresh = tokenRes.json().tenant_access_token as string;
    const image = await distinctImage(512 * 1024);
    const up = await rawUpload(server.baseUrl, fresh, [namePart('served.png'), filePart(image)]);
    expect(up.status, up.body.toString()).toBe(200);
    const dl = await download(server, fresh, up.json().data.file_token);
    expect(dl.body.equals(image)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(loris.filter((c) => c.isClosed()).length, 'the slow connections are still open while the client is served').toBe(0);

    // The headers deadline (4 s) then closes every one of them.
    await Promise.all(loris.map((c) => c.closedWithin(8000)));
    trickling = false;
    await trickle;
    expect(Date.now() - opened).toBeLessThan(9000);
    await expectIntact(server, server.token);
  });
});
