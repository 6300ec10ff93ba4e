import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fsck } from '../../../../src/maintenance/fsck.js';
import { gc } from '../../../../src/maintenance/gc.js';
import type { BlobStore } from '../../../../src/storage/blob-store.js';
import { S3BlobStore } from '../../../../src/storage/s3/s3-blob-store.js';
import { describeWithServices } from '../../../helpers/services.js';
import { makeTempDir, removeDir } from '../../../helpers/temp-dir.js';
import { FileRows } from './file-rows.js';
import { openS3Fixture, type S3Fixture } from './s3-fixture.js';

/** Three contents: one held in memory, two spooled to a file (the stores hold ≤ 64 KiB). */
const contents = [5_000, 100_000, 700_000].map((size) => {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
  return bytes;
});
const keyOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const plans = fc.record({
  uploads: fc.array(
    // commitDelayMs: a slow commit of the file row, the window in which gc finds the blob unreferenced.
    fc.record({ instance: fc.constantFrom(0, 1), content: fc.nat(contents.length - 1), delayMs: fc.nat(30), commitDelayMs: fc.nat(30) }),
    { minLength: 2, maxLength: 8 },
  ),
  gcRuns: fc.array(fc.record({ instance: fc.constantFrom(0, 1), delayMs: fc.nat(60) }), { minLength: 1, maxLength: 6 }),
});

/**
 * Two instances (each its own S3 client and PostgreSQL pool) upload the same bytes at once while
 * gc runs beside them with no grace period at all, so that it targets every blob whose file row
 * is not committed yet. An acknowledged upload must keep its blob: readable on the other
 * instance at once, after more gc, and in fsck; and gc leaves no object no file row references.
 */
describeWithServices(['postgres', 's3'], 'dedup and gc across two S3 instances (property)', () => {
  let fixture: S3Fixture;
  let files: FileRows;
  const pools: [ReturnType<S3Fixture['newPool']>, ReturnType<S3Fixture['newPool']>] = [] as never;
  beforeAll(async () => {
    fixture = await openS3Fixture();
    files = new FileRows(fixture.pool);
    pools.push(fixture.newPool(), fixture.newPool());
  });
  afterAll(() => fixture.close());

  const read = async (store: BlobStore, key: string): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const c of await store.get(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  it('never loses an acknowledged file', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => {
        await fixture.reset();
        const dir = makeTempDir('s3-prop');
        // Keys at the top of a bucket of its own: PUTs race DELETEs here (see s3-fixture.ts).
        const bucket = await fixture.newBucket();
        const instances = pools.map(
          (pool, i) => new S3BlobStore({ location: fixture.location(bucket), tempDir: path.join(dir, `i${i}`), memoryMaxBytes: 64 * 1024 }, pool),
        );
        const meta = files.asMetaStore();
        try {
          const acked: { key: string; bytes: Buffer }[] = [];
          const failures: string[] = [];
          const uploads = plan.uploads.map(async ({ instance, content, delayMs, commitDelayMs }) => {
            await sleep(delayMs);
            const bytes = contents[content]!;
            const store = instances[instance]!;
            const staged = await store.stage(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
            try {
              await staged.publish({
                bytes: Buffer.from('{}'),
                commit: async () => {
                  await sleep(commitDelayMs);
                  await files.insert(staged.key, bytes.length);
                },
              });
            } catch (err) {
              failures.push(`upload failed: ${String(err)}`);
              return;
            }
            acked.push({ key: staged.key, bytes });
            // Acknowledged: the other instance serves it at once.
            const served = await read(instances[1 - instance]!, staged.key).catch((err: unknown) => err);
            if (!(Buffer.isBuffer(served) && served.equals(bytes))) failures.push(`acknowledged ${staged.key}, then: ${String(served)}`);
          });
          const gcs = plan.gcRuns.map(async ({ instance, delayMs }) => {
            await sleep(delayMs);
            await gc(meta, instances[instance]!, 0);
          });
          // Every task settles before anything is checked or torn down.
          const settled = await Promise.allSettled([...uploads, ...gcs]);
          for (const s of settled) if (s.status === 'rejected') failures.push(String(s.reason));
          expect(failures).toEqual([]);
          expect(acked).toHaveLength(plan.uploads.length);

          // More gc finds nothing to take from acknowledged files, and everything else goes.
          await gc(meta, instances[0]!, 0);
          await gc(meta, instances[1]!, 0);
          for (const { key, bytes } of acked) expect((await read(instances[1]!, key)).equals(bytes)).toBe(true);
          const report = await fsck(meta, instances[0]!);
          expect(report.problems).toEqual([]);
          expect(report.unreferencedBlobs).toBe(0);
          const wanted = [...new Set(acked.map((a) => a.key))].sort();
          expect(await fixture.objectKeys(bucket)).toEqual(wanted);
          expect(new Set(plan.uploads.map((u) => keyOf(contents[u.content]!))).size).toBe(wanted.length);
        } finally {
          await Promise.all(instances.map((s) => s.close()));
          removeDir(dir);
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });
});
