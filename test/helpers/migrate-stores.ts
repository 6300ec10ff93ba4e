import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createBlobStore, createMetaStore } from '../../src/app.js';
import { buildConfig, type ConfigInput } from '../../src/config/config.js';
import { encodeFileRow } from '../../src/files/file-journal.js';
import type { StorePair } from '../../src/maintenance/migrate.js';
import type { AppRow, FileRow, MetaStore, TokenRow } from '../../src/meta/meta-store.js';
import type { ServiceName } from './services.js';
import { makeTempDir, removeDir } from './temp-dir.js';

/** Stores that are open, and how to close them (blob store first: it may be committing rows). */
export interface OpenStores extends StorePair {
  close(): Promise<void>;
}

/**
 * Where migrate copies to, as a parameter of the suites: `create` makes a fresh, empty namespace
 * (a data dir, or later a PostgreSQL schema and an S3 bucket); `open` opens its stores, as often
 * as a test wants (a reopen is the next process); `remove` deletes the namespace.
 */
export interface Destination {
  name: string;
  needs: readonly ServiceName[];
  create(): Promise<{ open(): Promise<OpenStores>; remove(): Promise<void> }>;
}

/** The stores of an embedded data dir, opened exclusively as a server (or migrate) opens them. */
export async function openEmbedded(dataDir: string, input: ConfigInput = {}): Promise<OpenStores> {
  const config = buildConfig({ ...input, dataDir });
  const meta = createMetaStore(config.metaStore);
  const blobs = createBlobStore(config.blobStore, meta);
  const close = async (): Promise<void> => {
    await blobs.close();
    await meta.close();
  };
  try {
    await blobs.open({ exclusive: true });
  } catch (err) {
    await close();
    throw err;
  }
  return { meta, blobs, close };
}

function embedded(name: string, input: ConfigInput): Destination {
  return {
    name,
    needs: [],
    create: async () => {
      const dir = makeTempDir('migrate-to');
      return { open: () => openEmbedded(dir, input), remove: async () => removeDir(dir) };
    },
  };
}

export const destinations: readonly Destination[] = [embedded('SQLite + segments', {}), embedded('SQLite + blob files only', { segmentBlobMaxBytes: 0 })];

export function appRow(appId: string): AppRow {
  return {
    appId,
    name: `app ${appId}`,
    secretHash: 'c'.repeat(64),
    tenantKey: `tenant_${appId}`,
    type: 'self_built',
    scopes: ['baike:entity'],
    createdAtMs: 1000,
  };
}

export function tokenRow(app: AppRow, kind: TokenRow['kind'], expiresAtMs: number): TokenRow {
  return {
    tokenHash: randomBytes(32).toString('hex'),
    kind,
    appId: app.appId,
    tenantKey: app.tenantKey,
    userId: kind === 'user' ? 'ou_1' : null,
    scopes: kind === 'user' ? ['baike:entity'] : null,
    nonce: randomBytes(8).toString('hex'),
    issuedAtMs: expiresAtMs - 7200_000,
    expiresAtMs,
  };
}

let fileCounter = 0;

/** Stores `bytes` and a row for them the way an upload does; `row` overrides fields of that row. */
export async function addFile(stores: StorePair, app: AppRow, bytes: Buffer, row: Partial<FileRow> = {}): Promise<FileRow> {
  const staged = await stores.blobs.stage(Readable.from([bytes]));
  const full: FileRow = {
    fileToken: `boxbc${String(++fileCounter).padStart(6, '0')}${randomBytes(8).toString('hex')}`,
    tenantKey: app.tenantKey,
    appId: app.appId,
    name: `f${fileCounter}.png`,
    blobKey: staged.key,
    sizeBytes: staged.sizeBytes,
    sha256: staged.key,
    format: 'png',
    mime: 'image/png',
    width: 10,
    height: 10,
    createdAtMs: 2000 + fileCounter,
    ...row,
  };
  let committed: Promise<unknown> | undefined;
  await staged.publish({
    bytes: encodeFileRow(full),
    commit: async () => {
      committed = stores.meta.insertFile(full);
      await committed;
    },
  });
  await committed;
  return full;
}

export async function readBlob(stores: StorePair, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await stores.blobs.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function listAll<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The store, except that insertFile fails once `inserts` rows went in (a destination that goes down mid-run). */
export function failingAfter(meta: MetaStore, inserts: number): MetaStore {
  let left = inserts;
  return new Proxy(meta, {
    get(target, prop) {
      if (prop === 'insertFile') {
        return (row: FileRow) => (left-- > 0 ? target.insertFile(row) : Promise.reject(new Error('destination went down')));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function newSourceDir(): { dir: string; remove(): void } {
  const dir = makeTempDir('migrate-from');
  return { dir, remove: () => removeDir(dir) };
}
