import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { heldLazyInserts } from '../helpers/held-inserts.js';
import { entityData, runCliAsync } from '../helpers/lingo.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

// docs/operations.md, "Backup and restore": a data dir is backed up while its server runs by a
// snapshot of lingo.sqlite (`sqlite3 -readonly data/lingo.sqlite "VACUUM INTO '…'"`) and THEN a
// copy of blobs/ without tmp/, the segment index and the lock files (the doc's rsync line). The
// restore is that pair in an empty data dir, opened once (fsck) before serving.

/** What the rsync line of docs/operations.md copies: blobs/ without tmp/, segments/index.sqlite* and *writer.lock*. */
function copyBlobsAsDocumented(from: string, to: string, relative = ''): void {
  fs.mkdirSync(path.join(to, relative), { recursive: true });
  for (const entry of fs.readdirSync(path.join(from, relative), { withFileTypes: true })) {
    const name = path.posix.join(relative, entry.name);
    if (name === 'tmp' || name.startsWith('segments/index.sqlite') || entry.name.includes('writer.lock')) continue;
    try {
      if (entry.isDirectory()) copyBlobsAsDocumented(from, to, name);
      else fs.copyFileSync(path.join(from, name), path.join(to, name));
    } catch (err) {
      // A file that vanished while copying (a temp file, a blob gc removed): rsync's exit 24.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

describe('a backup of a running embedded server (docs/operations.md)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('rows first, then blobs: the restore serves every upload and entity acknowledged before the snapshot, even rows still on their way to lingo.sqlite', async () => {
    // Small uploads' rows are held on their way from the segment journal to lingo.sqlite, as they
    // are for up to 25 ms in production: the snapshot finds them in no table.
    const dataDir = makeTempDir('backup-source');
    const held = heldLazyInserts(dataDir);
    const source = await startServer({ dataDir }, { meta: held.meta });
    cleanups.push(
      () => source.close(),
      () => held.release(),
    );
    const creds = await source.newApp({ scopes: ['baike:entity', 'baike:entity:exempt_review'] });
    const client = source.sdk(creds);
    const upload = async (name: string, file: Buffer): Promise<string> => (await client.lingo.v1.file.upload({ data: { name, file } }))!.file_token!;

    const before = new Map<string, Buffer>();
    for (let i = 0; i < 6; i++) {
      const small = await makeImage('png', 320 + i, 320);
      before.set(await upload(`small-${i}.png`, small), small);
    }
    const large = await makeImage('png', 400, 400, { minBytes: 300_000 }); // over 256 KiB: a blob file, its row committed at once
    before.set(await upload('large.png', large), large);
    const fresh = await makeImage('png', 500, 320);
    const freshToken = await upload('fresh.png', fresh);
    before.set(freshToken, fresh);
    const created = await client.lingo.v1.entity.create({ data: entityData('Backup', { related_meta: { images: [{ token: freshToken }] } }) });
    expect(created.code).toBe(0);
    const entityId = created.data!.entity!.id!;

    // Uploads keep arriving while the blobs are copied.
    const during = Array.from({ length: 8 }, (_, i) =>
      makeImage('png', 330 + i, 330).then(async (b) => ({ token: await upload(`during-${i}.png`, b), bytes: b })),
    );

    const backup = makeTempDir('backup-copy');
    cleanups.push(() => removeDir(backup));
    const snapshot = new Database(path.join(dataDir, 'lingo.sqlite'), { readonly: true });
    snapshot.exec(`VACUUM INTO '${path.join(backup, 'lingo.sqlite')}'`);
    snapshot.close();
    copyBlobsAsDocumented(path.join(dataDir, 'blobs'), path.join(backup, 'blobs'));
    const after = await Promise.all(during);

    // The snapshot has the entity and the large file's row, but none of the small files' rows.
    const copied = new Database(path.join(backup, 'lingo.sqlite'), { readonly: true });
    const counts = copied.prepare('SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM entities) AS entities').get();
    copied.close();
    expect(counts).toEqual({ files: 1, entities: 1 });
    expect(fs.existsSync(path.join(backup, 'blobs/segments/index.sqlite'))).toBe(false);

    // Restore: the pair alone in a data dir, opened once by fsck (no server runs there), then served.
    const check = await runCliAsync(['fsck', '--data-dir', backup, '--json']);
    expect(check.status, check.stderr).toBe(0);
    const report = JSON.parse(check.stdout) as { filesChecked: number; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.filesChecked).toBeGreaterThanOrEqual(before.size);

    const restored: TestServer = await startServer({ dataDir: backup });
    cleanups.push(() => restored.close());
    const restoredClient = restored.sdk(creds);
    const download = async (token: string): Promise<Buffer> => {
      const res = await fetch(`${restored.baseUrl}/open-apis/lingo/v1/files/${token}/download`, {
        headers: { Authorization: `Bearer ${await restored.tenantToken(creds)}` },
      });
      return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : Buffer.alloc(0);
    };
    for (const [token, bytes] of before) expect((await download(token)).equals(bytes), token).toBe(true);
    const entity = await restoredClient.lingo.v1.entity.get({ path: { entity_id: entityId } });
    expect([entity.code, entity.data!.entity!.related_meta!.images]).toEqual([0, [{ token: freshToken }]]);
    // Acknowledged during the copy: in the backup whole, or not at all.
    for (const { token, bytes } of after) {
      const got = await download(token);
      expect(got.length === 0 || got.equals(bytes), token).toBe(true);
    }
  });
});
