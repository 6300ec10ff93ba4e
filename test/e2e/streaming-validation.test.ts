import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, uploadHead } from '../helpers/raw-socket.js';
import { storedFiles, startServerWithApp, type ServerWithApp } from '../helpers/server.js';

/**
 * The upload is validated while it streams: a file whose first bytes are no image is answered
 * before the client has sent the rest, and the connection is closed instead of drained.
 */
describe('streaming validation', () => {
  let server: ServerWithApp;
  beforeAll(async () => {
    server = await startServerWithApp();
  });
  afterAll(() => server.close());

  it('a 10 MiB body with a bad first byte is answered after the first chunk, not the whole body', async () => {
    const boundary = 'b0undary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx.png\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const fileBytes = 10 * 1024 * 1024 - 100;
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const conn = await connect(server.port);
    await conn.write(uploadHead(server.token, `multipart/form-data; boundary=${boundary}`, head.length + fileBytes + tail.length));
    await conn.write(head);
    await conn.write(Buffer.alloc(64 * 1024, 0x41)); // "AAAA…": not a PNG, JPEG, GIF, BMP, WebP or ICO
    await conn.closed;
    const response = conn.received().toString('latin1');
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toMatch(/\r\nConnection: close\r\n/i);
    expect(response).toContain('"code":2250001');
    expect(storedFiles(server.dataDir).temp).toEqual([]);
  });
});
