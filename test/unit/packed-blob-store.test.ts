import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { createBlobStore } from '../../src/app.js';
import { BlobNotFoundError } from '../../src/storage/blob-store.js';
import { PackedBlobStore } from '../../src/storage/packed-blob-store.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('PackedBlobStore schema', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-packed-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('moves blobs of a data dir written before the rowid table into it, ages included', async () => {
    const file = path.join(root, 'packed.sqlite');
    const old = new Database(file);
    old.exec('CREATE TABLE blobs (key TEXT PRIMARY KEY, bytes BLOB NOT NULL, touched_at_ms INTEGER NOT NULL) WITHOUT ROWID');
    const bytes = [Buffer.from('first blob'), Buffer.from('second blob')];
    for (const [i, b] of bytes.entries()) old.prepare('INSERT INTO blobs VALUES (?, ?, ?)').run(sha256(b), b, 1000 + i);
    old.close();

    const store = new PackedBlobStore(file);
    try {
      for (const b of bytes) {
        const chunks: Buffer[] = [];
        for await (const c of store.read(sha256(b))!) chunks.push(c as Buffer);
        expect(Buffer.concat(chunks).equals(b)).toBe(true);
      }
      const listed: { key: string; modifiedAtMs: number }[] = [];
      for await (const k of store.keys()) listed.push(k);
      expect(listed.sort((a, b) => a.modifiedAtMs - b.modifiedAtMs)).toEqual(bytes.map((b, i) => ({ key: sha256(b), modifiedAtMs: 1000 + i })));
      // New blobs go into the new table beside the moved ones; the same bytes again are a duplicate.
      const third = Buffer.from('third blob');
      expect(await store.put(sha256(third), Buffer.from(third))).toEqual({ created: true });
      expect(await store.put(sha256(bytes[0]!), Buffer.from(bytes[0]!))).toEqual({ created: false });
    } finally {
      await store.close();
    }
    const after = new Database(file, { readonly: true });
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    after.close();
    expect(tables).toEqual(['packed_blobs']);
  });

  it('migrates again without failing when an older binary stored the same bytes after an upgrade', async () => {
    const file = path.join(root, 'packed.sqlite');
    const bytes = Buffer.from('stored by both');
    const first = new PackedBlobStore(file);
    await first.put(sha256(bytes), Buffer.from(bytes));
    await first.close();
    // An older binary on the same dir: it creates its own table and stores the same blob again, later.
    const old = new Database(file);
    old.exec('CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, bytes BLOB NOT NULL, touched_at_ms INTEGER NOT NULL) WITHOUT ROWID');
    const later = Date.now() + 60_000;
    old.prepare('INSERT INTO blobs VALUES (?, ?, ?)').run(sha256(bytes), bytes, later);
    old.close();
    const store = new PackedBlobStore(file);
    try {
      const listed: { key: string; modifiedAtMs: number }[] = [];
      for await (const k of store.keys()) listed.push(k);
      expect(listed).toEqual([{ key: sha256(bytes), modifiedAtMs: later }]);
    } finally {
      await store.close();
    }
  });

  it('a data dir from before segments: its packed blobs are read, deduplicated against and deleted there; new ones go to segments', async () => {
    const old = new PackedBlobStore(path.join(root, 'packed.sqlite'));
    const legacy = Buffer.from('stored by an older version');
    await old.put(sha256(legacy), Buffer.from(legacy));
    await old.close();

    const store = createBlobStore({ kind: 'fs', root, segmentBlobMaxBytes: 256 * 1024 });
    const segmentBytes = (): number =>
      fs.existsSync(path.join(root, 'segments'))
        ? fs.readdirSync(path.join(root, 'segments')).filter((f) => f.endsWith('.seg')).reduce((n, f) => n + fs.statSync(path.join(root, 'segments', f)).size, 0)
        : 0;
    const read = async (key: string): Promise<string> => {
      const chunks: Buffer[] = [];
      for await (const c of await store.get(key)) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString();
    };
    try {
      expect(await read(sha256(legacy))).toBe(legacy.toString());
      expect((await store.put(Readable.from([legacy]))).created).toBe(false);
      expect(segmentBytes()).toBe(0); // deduplicated where it lives, not copied
      const fresh = await store.put(Readable.from([Buffer.from('stored by this version')]));
      expect(fresh.created).toBe(true);
      expect(segmentBytes()).toBeGreaterThan(0);
      const keys: string[] = [];
      for await (const { key } of store.keys()) keys.push(key);
      expect(keys.sort()).toEqual([sha256(legacy), fresh.key].sort());
      expect(await store.delete(sha256(legacy))).toBe(true);
      await expect(store.get(sha256(legacy))).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await read(fresh.key)).toBe('stored by this version');
    } finally {
      await store.close();
    }
  });
});
