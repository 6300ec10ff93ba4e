import { verifiedTokenCacheMs } from '../../src/auth/tokens.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gc } from '../../src/maintenance/gc.js';
import type { AppRow, FileRow, MetaStore, TokenRow } from '../../src/meta/meta-store.js';
import { SqliteMetaStore } from '../../src/meta/sqlite-meta-store.js';
import type { BlobListing, BlobStore, ByteRange, DeleteOptions, StagedBlob, StageOptions } from '../../src/storage/blob-store.js';
import { FsBlobStore } from '../../src/storage/fs-blob-store.js';
import { recordHeaderBytes } from '../../src/storage/segments/record.js';
import { distinctImage, download, eventually, expectError, expectNoLeftovers, expectStillServes, logLinesFor, socketUpload } from '../helpers/hostile.js';
import { filePart, namePart, request } from '../helpers/http.js';
import type { ParsedResponse } from '../helpers/raw-socket.js';
import { startServer, storedFiles, type TestServer } from '../helpers/server.js';
import { createGlossaryStore } from '../../src/glossary/create-glossary-store.js';

const MiB = 1024 * 1024;

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code, errno: -28, syscall: 'write' });
}

/** The real store, except that while `full` a write fails with ENOSPC after `failAfterBytes`. */
class DiskFullBlobStore implements BlobStore {
  full = false;
  failAfterBytes = 64 * 1024;
  constructor(private readonly inner: BlobStore) {}

  open(options: { exclusive: boolean }): Promise<void> {
    return this.inner.open(options);
  }
  stage(source: AsyncIterable<Buffer>, options?: StageOptions): Promise<StagedBlob> {
    if (!this.full) return this.inner.stage(source, options);
    let seen = 0;
    const limit = this.failAfterBytes;
    const disk = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > limit) done(errnoError('ENOSPC', 'no space left on device, write'));
        else done(null, chunk);
      },
    });
    pipeline(Readable.from(source), disk, () => {});
    return this.inner.stage(disk, options);
  }
  get(key: string, range?: ByteRange): Promise<Readable> {
    return this.inner.get(key, range);
  }
  delete(key: string, options?: DeleteOptions): Promise<boolean> {
    return this.inner.delete(key, options);
  }
  keys(): AsyncIterable<BlobListing> {
    return this.inner.keys();
  }
  sweepTemp(olderThanMs: number): Promise<number> {
    return this.inner.sweepTemp(olderThanMs);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

type MetaMethod = Exclude<keyof MetaStore, 'close'>;

/** The real row store, except that the methods in `down` fail as SQLite does when its disk goes. */
class FlakyMetaStore implements MetaStore {
  down = new Set<MetaMethod>();
  /** Only the lazy inserts of journaled rows fail (the database full after the answer). */
  lazyInsertsFail = false;
  constructor(private readonly inner: MetaStore) {}

  outage(...methods: MetaMethod[]): void {
    this.down = new Set(methods.length > 0 ? methods : allMetaMethods);
  }
  private async call<T>(method: MetaMethod, run: () => Promise<T>): Promise<T> {
    if (this.down.has(method)) throw Object.assign(new Error('SQLITE_IOERR: disk I/O error at /var/lib/lingo/lingo.sqlite'), { code: 'SQLITE_IOERR' });
    return run();
  }
  insertApp(row: AppRow) {
    return this.call('insertApp', () => this.inner.insertApp(row));
  }
  findApp(appId: string) {
    return this.call('findApp', () => this.inner.findApp(appId));
  }
  listApps() {
    return this.call('listApps', () => this.inner.listApps());
  }
  insertToken(row: TokenRow) {
    return this.call('insertToken', () => this.inner.insertToken(row));
  }
  findToken(tokenHash: string) {
    return this.call('findToken', () => this.inner.findToken(tokenHash));
  }
  issueTenantToken(appId: string, tenantKey: string, minExpiresAtMs: number, mint: () => TokenRow) {
    return this.call('issueTenantToken', () => this.inner.issueTenantToken(appId, tenantKey, minExpiresAtMs, mint));
  }
  insertFile(row: FileRow, options?: { lazy?: boolean }) {
    if (options?.lazy && this.lazyInsertsFail)
      return Promise.reject(Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' }));
    return this.call('insertFile', () => this.inner.insertFile(row, options));
  }
  findFile(tenantKey: string, fileToken: string) {
    return this.call('findFile', () => this.inner.findFile(tenantKey, fileToken));
  }
  listTokens(): AsyncIterable<TokenRow> {
    return this.inner.listTokens();
  }
  listFiles(): AsyncIterable<FileRow> {
    return this.inner.listFiles();
  }
  isBlobReferenced(blobKey: string) {
    return this.call('isBlobReferenced', () => this.inner.isBlobReferenced(blobKey));
  }
  ping() {
    return this.call('ping', () => this.inner.ping());
  }
  close() {
    return this.inner.close();
  }
}

const allMetaMethods: MetaMethod[] = [
  'insertApp',
  'findApp',
  'listApps',
  'insertToken',
  'findToken',
  'issueTenantToken',
  'insertFile',
  'findFile',
  'listFiles',
  'isBlobReferenced',
  'ping',
];

/** 500 2250002 with Feishu's exact text, the log id in header and body, and nothing internal. */
function expectInternal(
  server: TestServer,
  res: ParsedResponse | { status: number; headers: Record<string, unknown>; json(): any; body: Buffer },
  leak: RegExp,
): void {
  expectError(res, 500, 2250002);
  const body = res.json();
  expect(body.msg).toBe('network anomaly, please try again');
  expect(body.error.field_violations).toBeUndefined();
  expect(res.body.toString('utf8')).not.toMatch(leak);
  expect(res.body.toString('utf8')).not.toMatch(/\bat \w|\/tmp\/|\.ts:\d/);
  const logId = String(res.headers['x-tt-logid']);
  expect(body.error.log_id).toBe(logId);
  const logged = logLinesFor(server, logId).find((l) => l.msg === 'internal error');
  expect(logged, `no "internal error" log line for ${logId}`).toBeDefined();
  expect(logged!.level).toBe(50);
  expect(JSON.stringify(logged!.err)).toMatch(leak);
}

describe('the blob store fails before it has read the file part', () => {
  // A large upload (by Content-Length) goes straight to a temp file; here that file cannot be
  // created. The part stream is then failed before anything listens to it, which once was an
  // uncaught 'error' event: the whole process went down (this test's worker with it).
  it('500 2250002, and the server lives on: small uploads still work', async () => {
    const server = await startServer();
    try {
      const token = await server.tenantToken(await server.newApp());
      fs.rmSync(path.join(server.dataDir, 'blobs', 'tmp'), { recursive: true, force: true });
      for (let i = 0; i < 3; i++) {
        const res = await socketUpload(server, token, [namePart('no-tmp.png'), filePart(await distinctImage(MiB))]);
        expectInternal(server, res, /ENOENT/);
      }
      await expectStillServes(server, token);
      expect(storedFiles(server.dataDir).blobs).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

/**
 * A tmpfs of `size` mounted on a fresh data dir's `blobs/` for the enclosing describe; `mounted`
 * stays undefined when mounting is not possible (not root, no mount(8)).
 */
function tmpfsBlobsDir(size: string): { dataDir: string; mounted: string | undefined } {
  const disk: { dataDir: string; mounted: string | undefined } = { dataDir: '', mounted: undefined };
  beforeAll(() => {
    disk.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-tmpfs-'));
    const blobsDir = path.join(disk.dataDir, 'blobs');
    fs.mkdirSync(blobsDir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', blobsDir], { stdio: 'ignore' });
      disk.mounted = blobsDir;
    } catch {
      // The caller's test skips itself.
    }
  });
  // Registered before the caller's own afterAll, so it runs after it (vitest runs them in reverse): the server closes first.
  afterAll(() => {
    if (disk.mounted) execFileSync('umount', [disk.mounted]);
    fs.rmSync(disk.dataDir, { recursive: true, force: true });
  });
  return disk;
}

describe('disk full (ENOSPC) while writing', () => {
  describe('injected into the blob store mid-stream', () => {
    let server: TestServer;
    let blobs: DiskFullBlobStore;
    let token: string;
    beforeAll(async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-enospc-'));
      blobs = new DiskFullBlobStore(new FsBlobStore(path.join(dataDir, 'blobs')));
      server = await startServer({ dataDir }, { blobs });
      token = await server.tenantToken(await server.newApp());
    });
    afterAll(() => server.close());

    it('500 2250002, logged with the log id, no temp file or blob; the next upload succeeds once space returns', async () => {
      blobs.full = true;
      const res = await socketUpload(server, token, [namePart('full.png'), filePart(await distinctImage(MiB))]);
      expectInternal(server, res, /ENOSPC/);
      await expectNoLeftovers(server);
      expect(storedFiles(server.dataDir).blobs).toEqual([]);
      blobs.full = false;
      await expectStillServes(server, token);
    });
  });

  describe('on a real 1 MiB tmpfs (needs root; skipped elsewhere)', () => {
    // Not root, or no mount(8): the injected test above covers the code path.
    const disk = tmpfsBlobsDir('1m');
    let server: TestServer | undefined;
    afterAll(() => server?.app.close());

    it('a 2 MiB upload onto a full disk: 500 2250002, nothing left; after growing the disk, uploads work', async (ctx) => {
      const mounted = disk.mounted;
      if (!mounted) return ctx.skip();
      server = await startServer({ dataDir: disk.dataDir });
      const token = await server.tenantToken(await server.newApp());
      const res = await socketUpload(server, token, [namePart('big.png'), filePart(await distinctImage(2 * MiB))]);
      expectInternal(server, res, /ENOSPC/);
      await expectNoLeftovers(server);
      expect(fs.readdirSync(path.join(mounted, 'tmp'))).toEqual([]);
      execFileSync('mount', ['-o', 'remount,size=16m', mounted]);
      const image = await distinctImage(2 * MiB);
      const ok = await socketUpload(server, token, [namePart('big.png'), filePart(image)]);
      expect(ok.status).toBe(200);
      expect((await download(server, token, ok.json().data.file_token)).body.equals(image)).toBe(true);
    });
  });
});

describe('disk full under small uploads (segments), on a real tmpfs (needs root; skipped elsewhere)', () => {
  const disk = tmpfsBlobsDir('2m');
  let server: TestServer | undefined;
  afterAll(() => server?.app.close());

  it('uploads until the disk is full: the one that does not fit gets 500 2250002 and leaves no partial record; every acknowledged one survives', async (ctx) => {
    const mounted = disk.mounted;
    if (!mounted) return ctx.skip();
    server = await startServer({ dataDir: disk.dataDir });
    const token = await server.tenantToken(await server.newApp());
    const acked: { token: string; image: Buffer }[] = [];
    let failed: ParsedResponse | undefined;
    for (let i = 0; i < 20 && !failed; i++) {
      const image = await distinctImage(200 * 1024);
      const res = await socketUpload(server, token, [namePart('small.png'), filePart(image)]);
      if (res.status === 200) acked.push({ token: res.json().data.file_token, image });
      else failed = res;
    }
    expect(acked.length).toBeGreaterThan(0);
    expectInternal(server, failed!, /ENOSPC/);
    const segmentsDir = path.join(mounted, 'segments');
    await eventually(() => {
      // Walked record by record (header, bytes, the row's journal section): the files hold
      // exactly the acknowledged records, with nothing after the last.
      const blobs: number[] = [];
      for (const f of fs.readdirSync(segmentsDir).filter((n) => n.endsWith('.seg'))) {
        const seg = fs.readFileSync(path.join(segmentsDir, f));
        let pos = 0;
        while (pos < seg.length) {
          blobs.push(seg.readUInt32LE(pos + 8));
          pos += recordHeaderBytes + seg.readUInt32LE(pos + 8) + seg.readUInt32LE(pos + 12);
        }
        expect(pos).toBe(seg.length);
      }
      expect(blobs.sort()).toEqual(acked.map((a) => a.image.length).sort());
    });
    execFileSync('mount', ['-o', 'remount,size=16m', mounted]);
    const image = await distinctImage(200 * 1024);
    const ok = await socketUpload(server, token, [namePart('small.png'), filePart(image)]);
    expect(ok.status).toBe(200);
    acked.push({ token: ok.json().data.file_token, image });
    for (const a of acked) expect((await download(server, token, a.token)).body.equals(a.image)).toBe(true);
  });
});

describe('a small upload whose row cannot reach the database after the answer', () => {
  it('is served from memory, and after a restart its row is recovered from its segment record', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-journal-'));
    const inner = new SqliteMetaStore(path.join(dataDir, 'lingo.sqlite'));
    const meta = new FlakyMetaStore(inner);
    const first = await startServer({ dataDir }, { meta, glossary: createGlossaryStore(inner) });
    const creds = await first.newApp();
    const image = await distinctImage(20 * 1024);
    let fileToken: string;
    try {
      const token = await first.tenantToken(creds);
      meta.lazyInsertsFail = true;
      const res = await socketUpload(first, token, [namePart('journaled.png'), filePart(image)]);
      expect(res.status).toBe(200);
      expect(res.json().code).toBe(0);
      fileToken = res.json().data.file_token as string;
      await first.app.files.flushed();
      // Not in the database, yet served: the row is durable in the blob's record.
      expect(await meta.findFile(creds.tenant_key, fileToken)).toBeUndefined();
      expect((await download(first, token, fileToken)).body.equals(image)).toBe(true);
    } finally {
      await first.app.close(); // the data dir stays
    }
    const again = await startServer({ dataDir });
    try {
      expect((await again.app.meta.findFile(creds.tenant_key, fileToken))?.name).toBe('journaled.png');
      const dl = await download(again, await again.tenantToken(creds), fileToken);
      expect(dl.status).toBe(200);
      expect(dl.body.equals(image)).toBe(true);
      await expectNoLeftovers(again);
    } finally {
      await again.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('database unreachable', () => {
  let server: TestServer;
  let meta: FlakyMetaStore;
  let token: string;
  let stored: string;
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-dbdown-'));
    const inner = new SqliteMetaStore(path.join(dataDir, 'lingo.sqlite'));
    meta = new FlakyMetaStore(inner);
    server = await startServer({ dataDir }, { meta, glossary: createGlossaryStore(inner) });
    token = await server.tenantToken(await server.newApp());
    stored = await expectStillServes(server, token);
  });
  afterAll(() => server.close());

  const readyz = () => request(server.baseUrl, { path: '/readyz' });

  it('every API call answers 500 2250002 at once, /readyz names the store, and it recovers without a restart', async () => {
    // Let the verified-token cache lapse, so the gateway itself meets the outage.
    await new Promise((r) => setTimeout(r, verifiedTokenCacheMs + 50));
    meta.outage();
    const started = Date.now();
    const up = await socketUpload(server, token, [namePart('down.png'), filePart(await distinctImage(MiB))]);
    expectInternal(server, up, /SQLITE_IOERR/);
    const dl = await download(server, token, stored);
    expectInternal(server, { ...dl, headers: dl.headers as Record<string, unknown> }, /SQLITE_IOERR/);
    expect(Date.now() - started).toBeLessThan(1000);

    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.json()).toEqual({
      status: 'unavailable',
      backends: { meta: 'sqlite', blob: 'fs', ratelimit: 'memory' },
      checks: { meta: 'down', blob: 'ok' },
    });
    expect((await request(server.baseUrl, { path: '/healthz' })).status).toBe(200);

    meta.down.clear();
    expect((await readyz()).status).toBe(200);
    await expectNoLeftovers(server);
    await expectStillServes(server, token);
  });

  it('writes failing while reads work: the staged blob is removed again', async () => {
    meta.outage('insertFile');
    const res = await socketUpload(server, token, [namePart('nowrite.png'), filePart(await distinctImage(300 * 1024))]);
    expectInternal(server, res, /SQLITE_IOERR/);
    meta.down.clear();
    await expectNoLeftovers(server);
    await expectStillServes(server, token);
  });

  it('the whole database failing between blob and row: the blob is kept (it cannot be proven unused) and gc removes it', async () => {
    meta.outage('insertFile', 'isBlobReferenced');
    const before = storedFiles(server.dataDir).blobs.length;
    const res = await socketUpload(server, token, [namePart('orphan.png'), filePart(await distinctImage(300 * 1024))]);
    expectInternal(server, res, /SQLITE_IOERR/);
    meta.down.clear();
    expect(storedFiles(server.dataDir).temp).toEqual([]);
    expect(storedFiles(server.dataDir).blobs.length).toBe(before + 1);
    const report = await gc(server.app.meta, server.app.blobs, 0);
    expect(report.blobsRemoved).toBe(1);
    await expectNoLeftovers(server);
    await expectStillServes(server, token);
  });
});
