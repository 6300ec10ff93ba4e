import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedFiles, startServer, type TestServer } from '../helpers/server.js';

/**
 * The upload is validated while it streams: a file whose first bytes are no image is answered
 * before the client has sent the rest, and the connection is closed instead of drained.
 */
describe('streaming validation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('a 10 MiB body with a bad first byte is answered after the first chunk, not the whole body', async () => {
    const token = await server.tenantToken(await server.newApp());
    const boundary = 'b0undary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx.png\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const fileBytes = 10 * 1024 * 1024 - 100;
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /open-apis/lingo/v1/files/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${head.length + fileBytes + tail.length}\r\n\r\n`,
    );
    socket.write(head);
    socket.write(Buffer.alloc(64 * 1024, 0x41)); // "AAAA…": not a PNG, JPEG, GIF, BMP, WebP or ICO
    let response = '';
    socket.on('data', (c: Buffer) => (response += c.toString('latin1')));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => {});
    await closed;
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toMatch(/\r\nConnection: close\r\n/i);
    expect(response).toContain('"code":2250001');
    expect(storedFiles(server.dataDir).temp).toEqual([]);
  });
});
