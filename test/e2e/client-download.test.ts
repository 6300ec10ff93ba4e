import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { runCliAsync, serverArgs } from '../helpers/client-cli.js';
import { filePart, namePart, rawUpload } from '../helpers/http.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

describe('lingo-server download', () => {
  let server: ServerWithApp;
  let out: string;
  const files: Array<{ name: string; bytes: Buffer; token: string }> = [];

  beforeAll(async () => {
    server = await startServerWithApp();
    out = makeTempDir('client-download');
    // A plain name, a non-ASCII one (only filename* carries it exactly), and names that would
    // leave the folder if used as they are.
    const names = ['plain.png', '词典 图片 "1".jpg', '../escape.png', 'a/b\\c.gif', '..'];
    const images = [await makeImage('png', 320, 320), await makeImage('jpeg', 400, 320), await makeImage('png', 330, 320), await makeImage('gif', 320, 320)];
    for (const [i, name] of names.entries()) {
      const bytes = images[i % images.length]!;
      const res = await rawUpload(server.baseUrl, server.token, [namePart(name), filePart(bytes)]);
      expect(res.status, res.body.toString()).toBe(200);
      files.push({ name, bytes, token: res.json().data.file_token as string });
    }
  });
  afterAll(async () => {
    await server.close();
    removeDir(out);
  });

  it("saves each file under the server's name, made safe, with the exact bytes; an existing file is kept unless --force", async () => {
    const dir = path.join(out, 'first');
    const r = await runCliAsync(['download', ...files.map((f) => f.token), '--out', dir, ...serverArgs(server.baseUrl, server.creds)]);
    expect(r.stdout).toContain('downloaded 5, failed 0');
    expect(r.status, r.stderr).toBe(0);
    const expected = ['plain.png', '词典 图片 "1".jpg', '.._escape.png', 'a_b_c.gif', files[4]!.token];
    expect(fs.readdirSync(dir).sort()).toEqual([...expected].sort());
    for (const [i, name] of expected.entries()) expect(fs.readFileSync(path.join(dir, name)).equals(files[i]!.bytes), name).toBe(true);
    expect(fs.existsSync(path.join(out, 'escape.png'))).toBe(false);

    // Again into the same folder: nothing overwritten, each token fails, status 1.
    fs.writeFileSync(path.join(dir, 'plain.png'), 'mine');
    const again = await runCliAsync(['download', files[0]!.token, '--out', dir, ...serverArgs(server.baseUrl, server.creds)]);
    expect(again.stdout).toContain(`failed ${files[0]!.token}: ${path.join(dir, 'plain.png')} exists (--force overwrites)`);
    expect(again.stdout).toContain('downloaded 0, failed 1');
    expect(again.status).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'plain.png'), 'utf8')).toBe('mine');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);

    const forced = await runCliAsync(['download', files[0]!.token, '--out', dir, '--force', ...serverArgs(server.baseUrl, server.creds)]);
    expect(forced.stdout).toContain('downloaded 1, failed 0');
    expect(forced.status, forced.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'plain.png')).equals(files[0]!.bytes)).toBe(true);
  });

  it("an unknown token fails with the server's answer, the others are saved, and the status is 1", async () => {
    const dir = path.join(out, 'second');
    const r = await runCliAsync(['download', 'boxbcNoSuchFileToken000000', files[1]!.token, '--out', dir, ...serverArgs(server.baseUrl, server.creds)]);
    expect(r.stdout).toMatch(/^failed boxbcNoSuchFileToken000000: HTTP 400 code 2250001 invalid param: file_token: /m);
    expect(r.stdout).toContain('downloaded 1, failed 1');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('download: 1 failed');
    expect(fs.readdirSync(dir)).toEqual(['词典 图片 "1".jpg']);
  });
});
