import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { BlobLedger } from '../../../../src/storage/s3/blob-ledger.js';
import { describeWithServices } from '../../../helpers/services.js';
import { FileRows } from './file-rows.js';
import { openS3Fixture, type S3Fixture } from './s3-fixture.js';

const key = (n: number): string => n.toString(16).padStart(64, '0');

describeWithServices(['postgres', 's3'], 'BlobLedger: the claim / store / delete protocol in PostgreSQL', () => {
  let fixture: S3Fixture;
  let ledger: BlobLedger;
  let files: FileRows;
  beforeAll(async () => {
    fixture = await openS3Fixture();
    ledger = new BlobLedger(fixture.pool);
    files = new FileRows(fixture.pool);
  });
  afterAll(() => fixture.close());
  beforeEach(() => fixture.reset());

  it('the first claim starts a pending epoch; later ones join it until the PUT is marked stored', async () => {
    const first = await ledger.claim(key(1), 10);
    expect(first).toMatchObject({ state: 'pending', started: true });
    const second = await ledger.claim(key(1), 10);
    expect(second).toEqual({ state: 'pending', started: false, epoch: first.epoch });
    expect(await ledger.markStored(key(1), first.epoch)).toBe(true);
    expect(await ledger.markStored(key(1), first.epoch)).toBe(false);
    expect(await ledger.claim(key(1), 10)).toMatchObject({ state: 'stored', started: false });
    expect(await ledger.isStored(key(1))).toBe(true);
    await ledger.check();
  });

  it('gc marks only unreferenced rows not touched since the cutoff; a claim revives a marked row in a new epoch', async () => {
    const claim = await ledger.claim(key(2), 10);
    expect(await ledger.markDeleting(key(2), Date.now() - 60_000)).toBe(false);
    expect(await ledger.markDeleting(key(2), Date.now() + 60_000)).toBe(true);
    expect(await ledger.isStored(key(2))).toBe(false);
    // The PUT made in the old epoch no longer counts: gc may have removed the object since.
    const revived = await ledger.claim(key(2), 10);
    expect(revived).toMatchObject({ state: 'pending', started: true });
    expect(revived.epoch).not.toBe(claim.epoch);
    expect(await ledger.markStored(key(2), claim.epoch)).toBe(false);
    expect(await ledger.markStored(key(2), revived.epoch)).toBe(true);
    // A file row keeps the blob whatever the cutoff.
    await files.insert(key(2), 10);
    expect(await ledger.markDeleting(key(2), undefined)).toBe(false);
    expect(await ledger.peek(key(2))).toMatchObject({ state: 'stored' });
  });

  it('the deletion removes the object only for a row still marked and unreferenced, under the row lock', async () => {
    const removed: string[] = [];
    const remove = (k: string) => async () => void removed.push(k);
    // Not marked: nothing happens.
    await ledger.claim(key(3), 10);
    expect(await ledger.deleteMarked(key(3), remove(key(3)))).toBe(false);
    // Marked, then a file row was committed (gc's first look came too early): kept.
    expect(await ledger.markDeleting(key(3), undefined)).toBe(true);
    await files.insert(key(3), 10);
    expect(await ledger.deleteMarked(key(3), remove(key(3)))).toBe(false);
    expect(await ledger.peek(key(3))).toMatchObject({ state: 'deleting' });
    // Marked and unreferenced: object and row go.
    await ledger.claim(key(4), 10);
    expect(await ledger.markDeleting(key(4), undefined)).toBe(true);
    expect(await ledger.deleteMarked(key(4), remove(key(4)))).toBe(true);
    expect(removed).toEqual([key(4)]);
    expect(await ledger.peek(key(4))).toBeUndefined();
    // A failing removal keeps the row, marked, for the next gc.
    await ledger.claim(key(5), 10);
    await ledger.markDeleting(key(5), undefined);
    await expect(ledger.deleteMarked(key(5), () => Promise.reject(new Error('S3 down')))).rejects.toThrow('S3 down');
    expect(await ledger.peek(key(5))).toMatchObject({ state: 'deleting' });
  });

  it('a claim and a confirmation wait for a deletion in progress, then see the row gone', async () => {
    const first = await ledger.claim(key(6), 10);
    await ledger.markStored(key(6), first.epoch);
    await ledger.markDeleting(key(6), undefined);
    let release!: () => void;
    const removing = new Promise<void>((resolve) => (release = resolve));
    let objectRemoved = false;
    const deletion = ledger.deleteMarked(key(6), async () => {
      await removing;
      objectRemoved = true;
    });
    await sleep(50); // the deletion holds the row lock now
    let claimed: Awaited<ReturnType<BlobLedger['claim']>> | undefined;
    const confirmation = ledger.isStored(key(6));
    const claim = ledger.claim(key(6), 10).then((c) => (claimed = c));
    await sleep(100);
    expect(claimed).toBeUndefined();
    release();
    expect(await deletion).toBe(true);
    expect(objectRemoved).toBe(true);
    expect(await confirmation).toBe(false);
    // After the deletion committed, the claim starts afresh: its upload PUTs again.
    await claim;
    expect(claimed).toMatchObject({ state: 'pending', started: true });
  });

  it('lists every row in key order, page by page, while rows are deleted', async () => {
    const before = Date.now();
    for (let n = 1; n <= 25; n++) await ledger.claim(key(n), n);
    const seen: string[] = [];
    for await (const listing of ledger.list(10)) {
      seen.push(listing.key);
      expect(listing.modifiedAtMs).toBeGreaterThanOrEqual(before - 5_000);
      await ledger.markDeleting(listing.key, undefined);
      await ledger.deleteMarked(listing.key, async () => {});
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => key(i + 1)));
    for await (const _ of ledger.list()) throw new Error('all deleted');
  });
});
