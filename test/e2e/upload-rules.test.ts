import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allFormats, makeImage, padTo } from '../fixtures/images.js';
import { expectNoLeftovers } from '../helpers/hostile.js';
import { filePart, namePart, rawUpload, type Part, type RawResponse } from '../helpers/http.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';

const MiB = 1024 * 1024;

describe('upload rules at their boundaries', () => {
  let server: ServerWithApp;
  /** File tokens accepted by the running test. */
  let acceptedTokens: string[];

  beforeAll(async () => {
    server = await startServerWithApp();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    acceptedTokens = [];
  });
  // After every test: no rejected upload left a temp file or an unreferenced blob behind, and the
  // blob of each accepted one is among the listed blobs (so the check above is not vacuous).
  afterEach(async () => {
    await expectNoLeftovers(server);
    const stored = new Set<string>();
    for await (const { key } of server.app.blobs.keys()) stored.add(key);
    for (const fileToken of acceptedTokens) {
      const row = await server.app.meta.findFile(server.creds.tenant_key, fileToken);
      expect(row && stored.has(row.blobKey), `blob of ${fileToken} listed`).toBe(true);
    }
  });

  const upload = (parts: Part[]): Promise<RawResponse> => rawUpload(server.baseUrl, server.token, parts);
  const accepted = (res: RawResponse): void => {
    expect(res.status, res.body.toString()).toBe(200);
    expect(res.json().code).toBe(0);
    expect(res.json().data.file_token).toMatch(/^boxbc[A-Za-z0-9]{22}$/);
    acceptedTokens.push(res.json().data.file_token as string);
  };
  const rejected = (res: RawResponse, field: string): void => {
    expect(res.status, res.body.toString()).toBe(400);
    const body = res.json();
    expect(body.code).toBe(2250001);
    expect(body.msg).toBe('invalid param');
    expect(body.error.field_violations[0].field).toBe(field);
    expect(body.error.field_violations[0].description.length).toBeGreaterThan(5);
  };

  describe('dimensions: 320-4096 px on each side', () => {
    for (const format of allFormats) {
      it(`${format}: 320 and 4096 accepted, 319 and 4097 rejected, on each side`, async () => {
        for (const [w, h] of [
          [320, 320],
          [4096, 320],
          [320, 4096],
        ]) {
          accepted(await upload([namePart('ok'), filePart(await makeImage(format, w!, h!))]));
        }
        for (const [w, h] of [
          [319, 400],
          [400, 319],
          [4097, 400],
          [400, 4097],
        ]) {
          rejected(await upload([namePart('bad'), filePart(await makeImage(format, w!, h!))]), 'file');
        }
      });
    }
  });

  describe('size: 3 KiB-10 MiB inclusive', () => {
    it('3071 bytes rejected, 3072 accepted', async () => {
      const small = await makeImage('png', 320, 320, { minBytes: 0 });
      expect(small.length).toBeLessThan(3071);
      rejected(await upload([namePart('a'), filePart(padTo(small, 3071))]), 'file');
      accepted(await upload([namePart('a'), filePart(padTo(small, 3072))]));
    });

    it('10 MiB accepted, 10 MiB + 1 rejected', async () => {
      const image = await makeImage('jpeg', 1024, 768);
      accepted(await upload([namePart('big'), filePart(padTo(image, 10 * MiB))]));
      rejected(await upload([namePart('big'), filePart(padTo(image, 10 * MiB + 1))]), 'file');
    });
  });

  describe('name: 1-100 code points', () => {
    const cjk = (n: number): string => '图'.repeat(n);
    it('0 and 101 rejected; 1 and 100 accepted (CJK and emoji count as one)', async () => {
      const file = filePart(await makeImage('png', 320, 320));
      rejected(await upload([namePart(''), file]), 'name');
      accepted(await upload([namePart(cjk(1)), file]));
      accepted(await upload([namePart(cjk(100)), file]));
      accepted(await upload([namePart('😀'.repeat(100)), file]));
      rejected(await upload([namePart(cjk(101)), file]), 'name');
    });

    it('control characters and invalid UTF-8 rejected; quotes, ; / and \\ accepted', async () => {
      const file = filePart(await makeImage('png', 320, 320));
      rejected(await upload([namePart('a\tb.png'), file]), 'name');
      rejected(await upload([namePart('a\u007fb.png'), file]), 'name');
      rejected(await upload([namePart(Buffer.from([0x61, 0xff, 0xfe, 0x62])), file]), 'name');
      accepted(await upload([namePart('a"b;c/d\\e.png'), file]));
    });
  });

  describe('format comes from the bytes', () => {
    it('a text file named .png is rejected', async () => {
      rejected(await upload([namePart('x.png'), filePart(Buffer.from('hello '.repeat(1000)))]), 'file');
    });

    it('the name extension is not checked against the content', async () => {
      accepted(await upload([namePart('photo.gif'), filePart(await makeImage('png', 320, 320))]));
    });

    for (const format of allFormats) {
      it(`${format}: truncated files are rejected`, async () => {
        const image = await makeImage(format, 400, 400);
        for (const keep of [0.25, 0.5, 0.9, 0.999]) {
          const cut = image.subarray(0, Math.max(3072, Math.floor(image.length * keep)));
          rejected(await upload([namePart('t'), filePart(cut)]), 'file');
        }
      });
    }

    it('bytes after the logical end are accepted and stored', async () => {
      const image = await makeImage('gif', 320, 320);
      accepted(await upload([namePart('t'), filePart(Buffer.concat([image, Buffer.from('trailing bytes')]))]));
    });
  });

  describe('parts', () => {
    it('missing name, missing file, two files, an unknown part and an empty body are rejected', async () => {
      const file = filePart(await makeImage('png', 320, 320));
      rejected(await upload([file]), 'name');
      rejected(await upload([namePart('a')]), 'file');
      rejected(await upload([namePart('a'), file, file]), 'file');
      rejected(await upload([namePart('a'), namePart('b'), file]), 'name');
      rejected(await upload([namePart('a'), { name: 'extra', data: 'x' }, file]), 'body');
      rejected(await upload([]), 'file');
    });

    it('accepts either part order, any filename and any part Content-Type', async () => {
      const data = await makeImage('webp', 320, 320);
      accepted(await upload([filePart(data), namePart('first')]));
      accepted(await upload([namePart('go'), { name: 'file', data, filename: 'unknown-file', contentType: 'application/octet-stream' }]));
      accepted(await upload([namePart('guess'), { name: 'file', data, filename: 'x.webp', contentType: 'image/webp' }]));
      accepted(await upload([namePart('bare'), { name: 'file', data }]));
    });
  });
});
