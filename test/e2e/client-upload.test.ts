import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { busyAnswer, faultyProxy, isUpload, runCliAsync, serverArgs } from '../helpers/client-cli.js';
import { countRows, distinctImage, download } from '../helpers/hostile.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

interface Entry {
  path: string;
  sha256: string;
  file_token?: string;
  error?: string;
}

const readJsonManifest = (file: string): Entry[] => JSON.parse(fs.readFileSync(file, 'utf8')) as Entry[];

/** A folder of `count` distinct valid PNGs. */
async function folderOfImages(label: string, count: number): Promise<string> {
  const dir = makeTempDir(label);
  for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, `img-${i}.png`), await distinctImage());
  return dir;
}

describe('lingo-server upload: a folder of good and bad images', () => {
  let server: ServerWithApp;
  let dir: string;
  let good: Record<string, Buffer>;

  beforeAll(async () => {
    server = await startServerWithApp();
    dir = makeTempDir('client-upload');
    good = {
      'a.png': await makeImage('png', 400, 400),
      'b.jpg': await makeImage('jpeg', 500, 320),
      'nested/deeper/c.gif': await makeImage('gif', 320, 330),
    };
    const bad = {
      'tiny.png': await makeImage('png', 100, 100),
      'notes.txt': Buffer.from('not an image at all'),
      'cut.png': (await makeImage('png', 400, 400)).subarray(0, 3500),
    };
    for (const [name, bytes] of Object.entries({ ...good, ...bad })) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), bytes);
    }
    // Left out of the walk: a dot file, a dot folder, and a symlink (to a good image).
    fs.writeFileSync(path.join(dir, '.hidden.png'), await makeImage('png', 320, 320));
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, '.git', 'x.png'), await makeImage('png', 321, 320));
    fs.symlinkSync(path.join(dir, 'a.png'), path.join(dir, 'link.png'));
  });
  afterAll(async () => {
    await server.close();
    removeDir(dir);
  });

  it('uploads the good ones, lists the refused ones with the reason without sending them, and writes the manifest; a re-run skips them all', async () => {
    const manifest = path.join(dir, '.manifest.json');
    const r = await runCliAsync(['upload', dir, '--manifest', manifest, '--concurrency', '2', ...serverArgs(server.baseUrl, server.creds)]);
    expect(r.stdout).toContain('uploaded 3, skipped 0, refused 3, failed 0');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('upload: 3 refused, 0 failed');
    expect(r.stdout).toMatch(/^not walked: 2 hidden .*1 symlink/m);
    expect(r.stdout).toContain(`refused ${path.join(dir, 'tiny.png')}: file: image width is 100 px; width and height must each be 320-4096 px`);
    expect(r.stdout).toContain(`refused ${path.join(dir, 'notes.txt')}: file: not a supported image format`);
    expect(r.stdout).toMatch(new RegExp(`refused ${path.join(dir, 'cut.png')}: file: png truncated`));
    // Only the three good files reached the server.
    expect(await countRows(server)).toBe(3);

    const entries = readJsonManifest(manifest);
    expect(entries.map((e) => path.relative(dir, e.path)).sort()).toEqual(['a.png', 'b.jpg', 'cut.png', 'nested/deeper/c.gif', 'notes.txt', 'tiny.png']);
    for (const [name, bytes] of Object.entries(good)) {
      const entry = entries.find((e) => e.path === path.join(dir, name))!;
      expect(entry.error).toBeUndefined();
      const res = await download(server, server.token, entry.file_token!);
      expect(res.status).toBe(200);
      expect(res.body.equals(bytes), name).toBe(true);
      expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${path.basename(name)}`);
    }
    expect(entries.find((e) => e.path.endsWith('tiny.png'))).toMatchObject({ error: expect.stringMatching(/^refused: file: image width/) });

    const again = await runCliAsync(['upload', dir, '--manifest', manifest, ...serverArgs(server.baseUrl, server.creds)]);
    expect(again.stdout).toContain('uploaded 0, skipped 3, refused 3, failed 0');
    expect(await countRows(server)).toBe(3);
    // The tokens are kept for the files skipped.
    expect(
      readJsonManifest(manifest)
        .filter((e) => e.file_token)
        .map((e) => e.file_token),
    ).toEqual(entries.filter((e) => e.file_token).map((e) => e.file_token));
  });

  it('re-uploads a file whose bytes changed since the manifest recorded it, and skips the rest (CSV manifest)', async () => {
    const folder = await folderOfImages('client-upload-csv', 3);
    const manifest = path.join(folder, '..', `${path.basename(folder)}.csv`);
    try {
      const first = await runCliAsync(['upload', folder, '--manifest', manifest, ...serverArgs(server.baseUrl, server.creds)]);
      expect(first.stdout).toContain('uploaded 3, skipped 0, refused 0, failed 0');
      expect(first.status, first.stderr).toBe(0);
      const rows = parse(fs.readFileSync(manifest, 'utf8'), { columns: true }) as Entry[];
      expect(Object.keys(rows[0]!)).toEqual(['path', 'sha256', 'file_token', 'error']);
      expect(rows.every((e) => /^[0-9a-f]{64}$/.test(e.sha256) && e.file_token !== '' && e.error === '')).toBe(true);

      fs.writeFileSync(path.join(folder, 'img-1.png'), await distinctImage());
      const second = await runCliAsync(['upload', folder, '--manifest', manifest, ...serverArgs(server.baseUrl, server.creds)]);
      expect(second.stdout).toContain('uploaded 1, skipped 2, refused 0, failed 0');
      expect(second.stdout).toContain(`uploaded ${path.join(folder, 'img-1.png')} `);
      expect(second.status).toBe(0);
    } finally {
      removeDir(folder);
      fs.rmSync(manifest, { force: true });
    }
  });

  it('a wrong secret ends the run at once with one line, status 1; a missing path is an argument error, status 2', async () => {
    const wrong = await runCliAsync(['upload', dir, ...serverArgs(server.baseUrl, { app_id: server.creds.app_id, app_secret: 'not-the-secret' })]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^lingo-server: no tenant access token from http:\/\/127\.0\.0\.1:\d+: HTTP 200 code 10014 app secret invalid/);
    expect(wrong.stderr).not.toContain('    at ');
    expect(wrong.stdout).not.toContain('uploaded');

    const missing = await runCliAsync(['upload', path.join(dir, 'no-such-folder'), ...serverArgs(server.baseUrl, server.creds)]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no-such-folder: no such file or folder');
  });

  it('an app without the upload scope: the first refusal stops the run, the other files are not sent', async () => {
    const readOnly = await server.newApp({ scopes: ['baike:entity:readonly'] });
    const proxy = await faultyProxy(server.baseUrl, { matches: () => false, times: 0, ...busyAnswer });
    try {
      const r = await runCliAsync(['upload', ...Object.keys(good).map((f) => path.join(dir, f)), '--concurrency', '1', ...serverArgs(proxy.baseUrl, readOnly)]);
      expect(r.stdout).toContain('uploaded 0, skipped 0, refused 0, failed 3');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^failed \S+a\.png: HTTP 400 code 99991672 Access denied/m);
      expect(r.stdout).toMatch(/^failed \S+b\.jpg: not sent: the server refused this app \(HTTP 400 code 99991672/m);
      expect(proxy.paths.filter((p) => p.endsWith('/files/upload'))).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});

describe('lingo-server upload against a server that pushes back', () => {
  it('waits out 429 on an app limited to 2 uploads a second (x-ogw-ratelimit-reset) and finishes', async () => {
    const server = await startServerWithApp({ rateLimitPerSecond: 2 });
    const folder = await folderOfImages('client-upload-429', 6);
    try {
      const started = Date.now();
      const r = await runCliAsync(['upload', folder, '--concurrency', '4', ...serverArgs(server.baseUrl, server.creds)]);
      expect(r.stdout).toContain('uploaded 6, skipped 0, refused 0, failed 0');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^waited [1-9]\d* time\(s\) on 429/m);
      // Six uploads at two a second span at least two window changes.
      expect(Date.now() - started).toBeGreaterThan(2_000);
      expect(await countRows(server)).toBe(6);
    } finally {
      await server.close();
      removeDir(folder);
    }
  });

  it('retries 2250002 with backoff until the server answers again', async () => {
    const server = await startServerWithApp();
    const proxy = await faultyProxy(server.baseUrl, { matches: isUpload, times: 3, ...busyAnswer });
    const folder = await folderOfImages('client-upload-busy', 2);
    try {
      const r = await runCliAsync(['upload', folder, '--concurrency', '1', ...serverArgs(proxy.baseUrl, server.creds)]);
      expect(r.stdout).toContain('uploaded 2, skipped 0, refused 0, failed 0');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/retried 3 time\(s\) after 2250002/);
      expect([proxy.faulted, proxy.passed]).toEqual([3, 2]);
      expect(await countRows(server)).toBe(2);
    } finally {
      await proxy.close();
      await server.close();
      removeDir(folder);
    }
  });
});
