import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFileRow } from '../../src/files/file-journal.js';
import { newFileToken } from '../../src/files/file-service.js';
import type { MigrateReport } from '../../src/maintenance/migrate.js';
import { emptyGlossaryReport } from '../../src/maintenance/migrate-glossary.js';
import type { FileRow } from '../../src/meta/meta-store.js';
import { SqliteMetaStore } from '../../src/meta/sqlite-meta-store.js';
import { distinctImage, expectError } from '../helpers/hostile.js';
import { downloadPath, filePart, namePart, postJson, rawUpload, request, tenantTokenPath } from '../helpers/http.js';
import { cli, cliDestinations, migrateJson, serveDestination as spawnDestination } from '../helpers/migrate-cli.js';
import { openEmbedded } from '../helpers/migrate-stores.js';
import { startServerWithApp, type ServerWithApp } from '../helpers/server.js';
import { describeWithServices } from '../helpers/services.js';
import { readAll } from '../helpers/streams.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server on a fresh source data dir (removed after the test); close() it to leave the data dir behind. */
async function sourceServer(): Promise<ServerWithApp> {
  const dataDir = makeTempDir('migrate-e2e-from');
  cleanups.push(() => removeDir(dataDir));
  const server = await startServerWithApp({ dataDir });
  cleanups.push(() => server.app.close());
  return server;
}

async function upload(server: ServerWithApp, bytes: Buffer, name = 'f.png'): Promise<string> {
  const res = await rawUpload(server.baseUrl, server.token, [namePart(name), filePart(bytes)]);
  expect(res.status, res.body.toString()).toBe(200);
  expect(res.json().code).toBe(0);
  return res.json().data.file_token as string;
}

async function serveDestination(serveArgs: string[]): ReturnType<typeof spawnDestination> {
  const server = await spawnDestination(serveArgs);
  cleanups.push(async () => void (await server.stop()));
  return server;
}

async function tenantTokenOf(baseUrl: string, creds: { app_id: string; app_secret: string }): Promise<string> {
  const res = await postJson(baseUrl, tenantTokenPath, { app_id: creds.app_id, app_secret: creds.app_secret });
  expect(res.status).toBe(200);
  expect(res.json().code).toBe(0);
  return res.json().tenant_access_token as string;
}

async function downloadExact(baseUrl: string, token: string, fileToken: string, bytes: Buffer): Promise<void> {
  const res = await request(baseUrl, { path: downloadPath(fileToken), headers: { Authorization: `Bearer ${token}` } });
  expect(res.status, `${fileToken}: ${res.body.toString().slice(0, 200)}`).toBe(200);
  expect(res.body.equals(bytes), `${fileToken}: bytes differ`).toBe(true);
}

/**
 * A small upload that a crash cut off after its record, and so its row, was durable in a segment
 * but before the row reached lingo.sqlite: written through the store with a row commit that fails.
 */
async function journalOnlyUpload(server: ServerWithApp, bytes: Buffer): Promise<FileRow> {
  const stores = await openEmbedded(server.dataDir);
  try {
    const staged = await stores.blobs.stage(Readable.from([bytes]));
    const row: FileRow = {
      fileToken: newFileToken(),
      tenantKey: server.creds.tenant_key,
      appId: server.creds.app_id,
      name: 'journaled.png',
      blobKey: staged.key,
      sizeBytes: staged.sizeBytes,
      sha256: staged.key,
      format: 'png',
      mime: 'image/png',
      width: 320,
      height: 320,
      createdAtMs: Date.now(),
    };
    await staged.publish({ bytes: encodeFileRow(row), commit: () => Promise.reject(new Error('killed before the row reached the database')) });
    return row;
  } finally {
    await stores.close();
  }
}

describe('lingo-server migrate: refusals', () => {
  it('refuses while a server holds the source data dir: exit 2, one clear line, the destination untouched', async () => {
    const server = await sourceServer();
    const to = path.join(makeTempDir('migrate-e2e-to'), 'data');
    cleanups.push(() => removeDir(path.dirname(to)));
    const run = await cli(['migrate', '--data-dir', server.dataDir, '--to-data-dir', to, '--json']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`lingo-server: ${server.dataDir} is in use by a running lingo-server: stop it, then migrate (one server per data dir)\n`);
    expect(fs.existsSync(to)).toBe(false);
  });

  it('refuses a destination that is the source, a source that is no data dir, and a missing destination: exit 2', async () => {
    const server = await sourceServer();
    await server.app.close();
    const empty = makeTempDir('migrate-e2e-empty');
    cleanups.push(() => removeDir(empty));
    const cases: Array<[string[], RegExp]> = [
      [['--data-dir', server.dataDir, '--to-data-dir', server.dataDir], /the destination is the source data dir/],
      [['--data-dir', empty, '--to-data-dir', path.join(empty, 'to')], /holds no lingo\.sqlite: not a data dir/],
      [['--data-dir', server.dataDir], /--to-data-dir/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(['migrate', ...args]);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(fs.readdirSync(empty)).toEqual([]);
  });
});

for (const destination of cliDestinations) {
  describeWithServices(destination.needs, `lingo-server migrate into ${destination.name}`, () => {
    async function newDestination() {
      const to = await destination.create();
      cleanups.push(() => to.remove());
      return to;
    }

    it('copies what a server wrote, journal tail included; a server there serves it to the official SDK; re-runs copy nothing', async () => {
      const server = await sourceServer();
      const userToken = await server.userToken(server.creds, ['baike:entity']);
      const shared = await distinctImage(3 * 1024);
      const images = [await distinctImage(2 * 1024), await distinctImage(40 * 1024), await distinctImage(400 * 1024), shared, shared];
      const stored = new Map<string, Buffer>();
      for (const bytes of images) stored.set(await upload(server, bytes), bytes);
      await server.app.close();
      const journaledBytes = await distinctImage(10 * 1024);
      const journaled = await journalOnlyUpload(server, journaledBytes);
      stored.set(journaled.fileToken, journaledBytes);
      const sourceMeta = new SqliteMetaStore(path.join(server.dataDir, 'lingo.sqlite'));
      expect(await sourceMeta.findFile(journaled.tenantKey, journaled.fileToken), 'the row is only in the segment record').toBeUndefined();
      await sourceMeta.close();

      const to = await newDestination();
      const first = await cli(['migrate', '--data-dir', server.dataDir, ...to.migrateArgs, '--json']);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stderr, 'quiet with --json').toBe('');
      expect(migrateJson(first)).toEqual<MigrateReport>({
        apps: { copied: 1, skipped: 0 },
        // The tenant token the server issued, and the user token.
        tokens: { copied: 2, skipped: 0 },
        files: { copied: 6, skipped: 0 },
        blobs: { copied: 5, skipped: 1, corrupt: 0 },
        notCopied: [],
        glossary: emptyGlossaryReport(),
        glossaryConflicts: [],
      });

      const served = await serveDestination(to.serveArgs);
      const client = new lark.Client({
        appId: server.creds.app_id,
        appSecret: server.creds.app_secret,
        domain: served.baseUrl,
        loggerLevel: lark.LoggerLevel.fatal,
      });
      for (const [fileToken, bytes] of stored) {
        const downloaded = await client.lingo.v1.file.download({ path: { file_token: fileToken } });
        expect((await readAll(downloaded.getReadableStream())).equals(bytes), fileToken).toBe(true);
      }
      // Tokens issued before the move still work.
      await downloadExact(served.baseUrl, server.token, journaled.fileToken, journaledBytes);
      await downloadExact(served.baseUrl, userToken, journaled.fileToken, journaledBytes);
      await served.stop();

      const second = await cli(['migrate', '--data-dir', server.dataDir, ...to.migrateArgs, '--json']);
      expect(second.status, second.stderr).toBe(0);
      expect(migrateJson(second)).toEqual<MigrateReport>({
        apps: { copied: 0, skipped: 1 },
        tokens: { copied: 0, skipped: 2 },
        files: { copied: 0, skipped: 6 },
        blobs: { copied: 0, skipped: 6, corrupt: 0 },
        notCopied: [],
        glossary: emptyGlossaryReport(),
        glossaryConflicts: [],
      });
      const third = await cli(['migrate', '--data-dir', server.dataDir, ...to.migrateArgs]);
      expect(third.status, third.stderr).toBe(0);
      expect(third.stdout).toBe(
        'migrated: apps 0 copied, 1 skipped; tokens 0 copied, 2 skipped; files 0 copied, 6 skipped; blobs 0 copied, 6 skipped, 0 corrupt; ' +
          'glossary rows 0 copied, 0 skipped, 0 conflicting\n',
      );
    });

    it('names a damaged blob and exits 1 without copying its file; the other files are served', async () => {
      const server = await sourceServer();
      const good = await distinctImage(5 * 1024);
      const goodToken = await upload(server, good);
      const damagedToken = await upload(server, await distinctImage(300 * 1024));
      const damaged = (await server.app.meta.findFile(server.creds.tenant_key, damagedToken))!;
      await server.app.close();
      const blobFile = path.join(server.dataDir, 'blobs', damaged.blobKey.slice(0, 2), damaged.blobKey);
      const bytes = fs.readFileSync(blobFile);
      bytes[5000] = bytes[5000]! ^ 0x01;
      fs.writeFileSync(blobFile, bytes);

      const to = await newDestination();
      const run = await cli(['migrate', '--data-dir', server.dataDir, ...to.migrateArgs, '--json']);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `lingo-server: migrate: 1 file(s) not copied, their blob missing or damaged: ${damagedToken} (hash mismatch, blob ${damaged.blobKey})\n`,
      );
      const report = migrateJson(run);
      expect(report.files).toEqual({ copied: 1, skipped: 0 });
      expect(report.blobs).toEqual({ copied: 1, skipped: 0, corrupt: 1 });
      expect(report.notCopied).toEqual([{ fileToken: damagedToken, blobKey: damaged.blobKey, problem: 'hash mismatch' }]);

      const served = await serveDestination(to.serveArgs);
      const token = await tenantTokenOf(served.baseUrl, server.creds);
      await downloadExact(served.baseUrl, token, goodToken, good);
      const missing = await request(served.baseUrl, { path: downloadPath(damagedToken), headers: { Authorization: `Bearer ${token}` } });
      expectError(missing, 400, 2250001, 'file_token');
    });

    it('killed with SIGKILL mid-run, a re-run completes and every file downloads byte-exact', async () => {
      const server = await sourceServer();
      const total = 300;
      const stored = new Map<string, Buffer>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          while (next < total) {
            next++;
            const bytes = await distinctImage(4 * 1024);
            stored.set(await upload(server, bytes), bytes);
          }
        }),
      );
      await server.app.close();
      expect(stored.size).toBe(total);

      const to = await newDestination();
      const killed = await cli(['migrate', '--data-dir', server.dataDir, ...to.migrateArgs], async () => (await to.countFiles()) > 0);
      expect(killed.signal).toBe('SIGKILL');
      const copiedBeforeKill = await to.countFiles();
      expect(copiedBeforeKill, 'the kill came mid-run').toBeLessThan(total);

      const rerun = await cli(['migrate', '--data-dir', server.dataDir, ...to.migrateArgs, '--json']);
      expect(rerun.status, rerun.stderr).toBe(0);
      const report = migrateJson(rerun);
      expect(report.files.copied + report.files.skipped).toBe(total);
      expect(report.files.skipped).toBeGreaterThanOrEqual(copiedBeforeKill);
      expect(report.blobs.corrupt).toBe(0);
      expect(report.apps).toEqual({ copied: 0, skipped: 1 });

      const served = await serveDestination(to.serveArgs);
      const token = await tenantTokenOf(served.baseUrl, server.creds);
      const tokens = [...stored.keys()];
      let i = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (i < tokens.length) {
            const fileToken = tokens[i++]!;
            await downloadExact(served.baseUrl, token, fileToken, stored.get(fileToken)!);
          }
        }),
      );
    });
  });
}
