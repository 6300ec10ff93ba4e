import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrate, type MigrateReport } from '../../../src/maintenance/migrate.js';
import { emptyGlossaryReport } from '../../../src/maintenance/migrate-glossary.js';
import type { AppRow, FileRow } from '../../../src/meta/meta-store.js';
import { BlobNotFoundError } from '../../../src/storage/blob-store.js';
import { describeWithServices } from '../../helpers/services.js';
import {
  addFile,
  appRow,
  destinations,
  failingAfter,
  listAll,
  newSourceDir,
  openEmbedded,
  readBlob,
  tokenRow,
  type OpenStores,
} from '../../helpers/migrate-stores.js';

const KiB = 1024;

for (const destination of destinations) {
  describeWithServices(destination.needs, `migrate into ${destination.name}`, () => {
    let source: OpenStores;
    let sourceDir: ReturnType<typeof newSourceDir>;
    let target: Awaited<ReturnType<typeof destination.create>>;
    let app: AppRow;
    const open: OpenStores[] = [];
    const openTarget = async (): Promise<OpenStores> => {
      const stores = await target.open();
      open.push(stores);
      return stores;
    };

    beforeEach(async () => {
      sourceDir = newSourceDir();
      source = await openEmbedded(sourceDir.dir);
      open.push(source);
      target = await destination.create();
      app = appRow('cli_migrate_a');
      await source.meta.insertApp(app);
    });
    afterEach(async () => {
      for (const stores of open.splice(0)) await stores.close().catch(() => {});
      await target.remove();
      sourceDir.remove();
    });

    /** Small blobs (segments at the source), a large one (a file), and two rows sharing one blob. */
    async function fillSource(): Promise<FileRow[]> {
      const other = appRow('cli_migrate_b');
      await source.meta.insertApp(other);
      for (const t of [tokenRow(app, 'tenant', Date.now() + 3600_000), tokenRow(app, 'user', Date.now() + 600_000), tokenRow(other, 'user', 5000)]) {
        await source.meta.insertToken(t);
      }
      const shared = randomBytes(3 * KiB);
      const rows = [
        await addFile(source, app, randomBytes(2 * KiB)),
        await addFile(source, app, randomBytes(20 * KiB)),
        await addFile(source, other, randomBytes(300 * KiB)),
        await addFile(source, app, shared),
        await addFile(source, other, shared),
      ];
      return rows;
    }

    async function expectSameContent(to: OpenStores, rows: FileRow[]): Promise<void> {
      const byId = (a: AppRow, b: AppRow) => a.appId.localeCompare(b.appId);
      expect((await to.meta.listApps()).sort(byId)).toEqual((await source.meta.listApps()).sort(byId));
      const byHash = (a: { tokenHash: string }, b: { tokenHash: string }) => a.tokenHash.localeCompare(b.tokenHash);
      expect((await listAll(to.meta.listTokens())).sort(byHash)).toEqual((await listAll(source.meta.listTokens())).sort(byHash));
      for (const row of rows) {
        expect(await to.meta.findFile(row.tenantKey, row.fileToken)).toEqual(row);
        expect((await readBlob(to, row.blobKey)).equals(await readBlob(source, row.blobKey))).toBe(true);
      }
    }

    it('copies every app, token (expired ones too), file row and blob; a second run copies nothing', async () => {
      const rows = await fillSource();
      const to = await openTarget();
      const progress: number[] = [];
      const first = await migrate(source, to, { onProgress: (r) => progress.push(r.files.copied) });
      expect(first).toEqual<MigrateReport>({
        apps: { copied: 2, skipped: 0 },
        tokens: { copied: 3, skipped: 0 },
        files: { copied: 5, skipped: 0 },
        // The second row of the shared bytes finds them stored.
        blobs: { copied: 4, skipped: 1, corrupt: 0 },
        notCopied: [],
        glossary: emptyGlossaryReport(),
        glossaryConflicts: [],
      });
      expect(progress).toHaveLength(2 + 3 + 5);
      expect(progress.at(-1)).toBe(5);
      await expectSameContent(to, rows);

      const second = await migrate(source, to);
      expect(second).toEqual<MigrateReport>({
        apps: { copied: 0, skipped: 2 },
        tokens: { copied: 0, skipped: 3 },
        files: { copied: 0, skipped: 5 },
        blobs: { copied: 0, skipped: 5, corrupt: 0 },
        notCopied: [],
        glossary: emptyGlossaryReport(),
        glossaryConflicts: [],
      });
    });

    it('a run that fails part-way (the destination goes down) is completed by the next one, after a reopen', async () => {
      const rows = await fillSource();
      const first = await openTarget();
      // Fails at the second file row (a small one): whatever the destination journaled with its blob comes back at the reopen.
      await expect(migrate(source, { meta: failingAfter(first.meta, 1), blobs: first.blobs }, { concurrency: 1 })).rejects.toThrow('destination went down');
      await first.close();
      open.splice(open.indexOf(first), 1);

      const to = await openTarget();
      const rerun = await migrate(source, to);
      expect(rerun.apps).toEqual({ copied: 0, skipped: 2 });
      expect(rerun.tokens).toEqual({ copied: 0, skipped: 3 });
      expect(rerun.files.copied + rerun.files.skipped).toBe(rows.length);
      expect(rerun.files.skipped).toBeGreaterThanOrEqual(1);
      expect(rerun.blobs.corrupt).toBe(0);
      await expectSameContent(to, rows);
    });

    it('a blob that does not match its row is reported and neither it nor its row is copied', async () => {
      const good = await addFile(source, app, randomBytes(4 * KiB));
      const damaged = await addFile(source, app, randomBytes(300 * KiB));
      const blobFile = path.join(sourceDir.dir, 'blobs', damaged.blobKey.slice(0, 2), damaged.blobKey);
      const bytes = fs.readFileSync(blobFile);
      bytes[1000] = bytes[1000]! ^ 0xff;
      fs.writeFileSync(blobFile, bytes);
      const missing = await addFile(source, app, randomBytes(5 * KiB));
      await source.blobs.delete(missing.blobKey);
      // Right bytes, wrong size in the row.
      const wrongSize = await addFile(source, app, randomBytes(6 * KiB));
      const misfit = { ...wrongSize, fileToken: 'boxbcWrongSize000000000000', sizeBytes: wrongSize.sizeBytes + 1 };
      await source.meta.insertFile(misfit);

      const to = await openTarget();
      const report = await migrate(source, to);
      expect(report.files).toEqual({ copied: 2, skipped: 0 });
      expect(report.blobs).toEqual({ copied: 2, skipped: 0, corrupt: 3 });
      expect(report.notCopied).toEqual(
        expect.arrayContaining([
          { fileToken: damaged.fileToken, blobKey: damaged.blobKey, problem: 'hash mismatch' },
          { fileToken: missing.fileToken, blobKey: missing.blobKey, problem: 'blob missing' },
          { fileToken: misfit.fileToken, blobKey: misfit.blobKey, problem: 'size mismatch' },
        ]),
      );
      expect(await to.meta.findFile(app.tenantKey, good.fileToken)).toEqual(good);
      for (const bad of [damaged, missing, misfit]) expect(await to.meta.findFile(app.tenantKey, bad.fileToken)).toBeUndefined();
      for (const key of [damaged.blobKey, missing.blobKey]) await expect(to.blobs.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
      // The damaged bytes were staged under their own hash and given up: nothing of them is stored.
      const keys = (await listAll(to.blobs.keys())).map((k) => k.key).sort();
      expect(keys).toEqual([good.blobKey, wrongSize.blobKey].sort());
    });
  });
}
