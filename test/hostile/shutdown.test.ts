import fs from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { countRows, distinctImage, download, eventually, expectIntact } from '../helpers/hostile.js';
import { filePart, multipart, namePart } from '../helpers/http.js';
import { connect, sleep, uploadHead } from '../helpers/raw-socket.js';
import { startServer, startServerWithApp, storedFiles } from '../helpers/server.js';

const MiB = 1024 * 1024;

/** Resolves with the connection error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('graceful shutdown (what SIGTERM runs: app.close())', () => {
  it('an upload in flight completes with 200 and survives a restart; new connections are refused meanwhile', async () => {
    const server = await startServerWithApp({ shutdownGraceMs: 15_000 });
    const { creds, token } = server;
    const image = await distinctImage(2 * MiB);
    const { body, contentType } = multipart([namePart('inflight.png'), filePart(image)]);

    // No `Connection: close`: a keep-alive client, as the SDKs are.
    const conn = await connect(server.port);
    await conn.write(uploadHead(token, contentType, body.length));
    const step = 64 * 1024;
    let off = 0;
    for (; off < body.length / 3; off += step) {
      await conn.write(body.subarray(off, off + step));
      await sleep(20);
    }

    const closing = server.app.close();
    let closed = false;
    void closing.then(() => (closed = true));
    expect(await tryConnect(server.port)).toBe('ECONNREFUSED');

    for (; off < body.length; off += step) {
      await conn.write(body.subarray(off, off + step));
      await sleep(20);
    }
    const res = await conn.response();
    expect(res.status, res.body.toString()).toBe(200);
    const fileToken = res.json().data.file_token as string;
    // Shutdown completes promptly once the last response is out: the kept-alive socket is closed.
    await conn.closedWithin(3000);
    await closing;
    expect(closed).toBe(true);

    const again = await startServer({ dataDir: server.dataDir });
    try {
      const t = await again.tenantToken(creds);
      const dl = await download(again, t, fileToken);
      expect(dl.status).toBe(200);
      expect(dl.body.equals(image)).toBe(true);
      await expectIntact(again, t);
    } finally {
      await again.close();
    }
  });

  it('an upload still running when the grace period ends is cut off and leaves no temp file', async () => {
    const server = await startServerWithApp({ shutdownGraceMs: 500 });
    const { creds, token } = server;
    const { body, contentType } = multipart([namePart('too-slow.png'), filePart(await distinctImage(2 * MiB))]);
    const conn = await connect(server.port);
    await conn.write(uploadHead(token, contentType, body.length));
    // Past the packed-blob limit (256 KiB), so the file streams to a temp file.
    await conn.write(body.subarray(0, 512 * 1024));
    await eventually(() => expect(storedFiles(server.dataDir).temp.length).toBeGreaterThan(0));

    const started = Date.now();
    await server.app.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await conn.closedWithin(3000);
    await eventually(() => expect(storedFiles(server.dataDir).temp).toEqual([]));
    expect(storedFiles(server.dataDir).blobs).toEqual([]);

    const again = await startServer({ dataDir: server.dataDir });
    try {
      expect(await countRows(again)).toBe(0);
      await expectIntact(again, await again.tenantToken(creds));
    } finally {
      await again.close();
    }
    expect(fs.existsSync(server.dataDir)).toBe(false);
  });
});
