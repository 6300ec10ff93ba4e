import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppRow, FileRow, MetaStore, TokenRow } from '../../src/meta/meta-store.js';
import { SqliteMetaStore } from '../../src/meta/sqlite-meta-store.js';
import { createTestSchema, openPostgresMetaStore } from '../helpers/postgres-schema.js';
import { describeWithServices } from '../helpers/services.js';
import { makeTempDir, removeDir } from '../helpers/temp-dir.js';

/** Where one test's rows live: every store opened on it sees the same rows (the next process, another instance). */
interface StoreSpace {
  open(): MetaStore;
  remove(): Promise<void>;
}

async function sqliteSpace(): Promise<StoreSpace> {
  const dir = makeTempDir('meta');
  return { open: () => new SqliteMetaStore(path.join(dir, 'm.sqlite')), remove: async () => removeDir(dir) };
}

async function postgresSpace(): Promise<StoreSpace> {
  const schema = await createTestSchema('lingo_meta_');
  return { open: () => openPostgresMetaStore(schema.url), remove: () => schema.drop() };
}

const t0 = Date.UTC(2026, 0, 1);

function app(id: string, overrides: Partial<AppRow> = {}): AppRow {
  return {
    appId: id,
    name: `app ${id}`,
    secretHash: 'f'.repeat(64),
    tenantKey: 'tenant_a',
    type: 'self_built',
    scopes: ['baike:entity'],
    createdAtMs: t0,
    ...overrides,
  };
}

function token(hash: string, overrides: Partial<TokenRow> = {}): TokenRow {
  return {
    tokenHash: hash,
    kind: 'tenant',
    appId: 'cli_a',
    tenantKey: 'tenant_a',
    userId: null,
    scopes: null,
    nonce: `nonce-${hash}`,
    issuedAtMs: t0,
    expiresAtMs: t0 + 7_200_000,
    ...overrides,
  };
}

function file(i: number, overrides: Partial<FileRow> = {}): FileRow {
  return {
    fileToken: `boxbc${String(i).padStart(22, '0')}`,
    tenantKey: 'tenant_a',
    appId: 'cli_a',
    name: `f${i}.png`,
    blobKey: 'a'.repeat(64),
    sizeBytes: 4096,
    sha256: 'a'.repeat(64),
    format: 'png',
    mime: 'image/png',
    width: 320,
    height: 320,
    createdAtMs: t0 + i,
    ...overrides,
  };
}

async function allFiles(meta: MetaStore): Promise<FileRow[]> {
  const rows: FileRow[] = [];
  for await (const r of meta.listFiles()) rows.push(r);
  return rows;
}

/** One contract for every MetaStore: the same tests, unchanged, on each backend. */
function metaStoreContract(newSpace: () => Promise<StoreSpace>): void {
  let space: StoreSpace;
  let open: MetaStore[];
  /** A store on this test's rows, closed after the test unless the test closes it. */
  const openStore = (): MetaStore => {
    const store = space.open();
    open.push(store);
    return store;
  };
  const closeStore = async (store: MetaStore): Promise<void> => {
    open = open.filter((s) => s !== store);
    await store.close();
  };
  beforeEach(async () => {
    space = await newSpace();
    open = [];
  });
  afterEach(async () => {
    await Promise.all(open.map((s) => s.close()));
    await space.remove();
  });

  it('apps: found as inserted; a second insert of the same id is a duplicate and changes nothing', async () => {
    const meta = openStore();
    expect(await meta.insertApp(app('cli_b', { createdAtMs: t0 + 1, type: 'store', scopes: ['a:b', 'c'] }))).toBe('ok');
    expect(await meta.insertApp(app('cli_a', { scopes: [] }))).toBe('ok');
    expect(await meta.insertApp(app('cli_c', { createdAtMs: t0 + 1 }))).toBe('ok');
    expect(await meta.insertApp(app('cli_a', { name: 'other' }))).toBe('duplicate');
    expect(await meta.findApp('cli_a')).toEqual(app('cli_a', { scopes: [] }));
    expect(await meta.findApp('cli_b')).toEqual(app('cli_b', { createdAtMs: t0 + 1, type: 'store', scopes: ['a:b', 'c'] }));
    expect(await meta.findApp('cli_none')).toBeUndefined();
    // Oldest first; the same instant by app id.
    expect((await meta.listApps()).map((a) => a.appId)).toEqual(['cli_a', 'cli_b', 'cli_c']);
  });

  it('tokens: found by hash with every field; a token of an unknown app is refused', async () => {
    const meta = openStore();
    await meta.insertApp(app('cli_a'));
    const user = token('h-user', { kind: 'user', userId: 'ou_1', scopes: ['baike:entity:readonly'], nonce: '' });
    await meta.insertToken(token('h-tenant'));
    await meta.insertToken(user);
    expect(await meta.findToken('h-tenant')).toEqual(token('h-tenant'));
    expect(await meta.findToken('h-user')).toEqual(user);
    expect(await meta.findToken('h-none')).toBeUndefined();
    await expect(meta.insertToken(token('h-orphan', { appId: 'cli_none' }))).rejects.toThrow();
    await expect(meta.insertToken(token('h-tenant'))).rejects.toThrow();
    expect(await meta.findToken('h-orphan')).toBeUndefined();
  });

  it('listTokens: every row once, across pages, expired ones included', async () => {
    const meta = openStore();
    await meta.insertApp(app('cli_a'));
    const rows = Array.from({ length: 1201 }, (_, i) =>
      token(
        i.toString(16).padStart(64, '0'),
        i % 2 ? { kind: 'user', userId: 'ou_1', scopes: ['baike:entity'], issuedAtMs: i, expiresAtMs: i + 1 } : { issuedAtMs: i, expiresAtMs: i + 1 },
      ),
    );
    for (const r of rows) await meta.insertToken(r);
    const listed: TokenRow[] = [];
    for await (const r of meta.listTokens()) listed.push(r);
    expect(listed.sort((a, b) => a.tokenHash.localeCompare(b.tokenHash))).toEqual(rows);
  });

  it('issueTenantToken: the latest tenant token of this app and tenant while it expires late enough, else the minted one, inserted', async () => {
    const meta = openStore();
    await meta.insertApp(app('cli_a'));
    await meta.insertApp(app('cli_other'));
    // Never reused: a user token, another tenant's, another app's, and an older one.
    await meta.insertToken(token('h-user', { kind: 'user', userId: 'ou_1', scopes: [], expiresAtMs: t0 + 9_000_000 }));
    await meta.insertToken(token('h-tenant-b', { tenantKey: 'tenant_b', expiresAtMs: t0 + 9_000_000 }));
    await meta.insertToken(token('h-other-app', { appId: 'cli_other', expiresAtMs: t0 + 9_000_000 }));
    await meta.insertToken(token('h-older', { expiresAtMs: t0 + 5_000_000 }));
    await meta.insertToken(token('h-latest', { expiresAtMs: t0 + 7_200_000 }));
    let mints = 0;
    const mint = (hash: string) => () => (mints++, token(hash, { expiresAtMs: t0 + 20_000_000 }));

    expect(await meta.issueTenantToken('cli_a', 'tenant_a', t0 + 7_200_000, mint('h-new'))).toEqual(token('h-latest', { expiresAtMs: t0 + 7_200_000 }));
    expect(mints).toBe(0);
    // One millisecond too late for the latest: a new row, which the next caller gets.
    expect(await meta.issueTenantToken('cli_a', 'tenant_a', t0 + 7_200_001, mint('h-new'))).toEqual(token('h-new', { expiresAtMs: t0 + 20_000_000 }));
    expect(mints).toBe(1);
    expect(await meta.findToken('h-new')).toEqual(token('h-new', { expiresAtMs: t0 + 20_000_000 }));
    expect((await meta.issueTenantToken('cli_a', 'tenant_a', t0 + 7_200_001, mint('h-unused'))).tokenHash).toBe('h-new');
    expect(mints).toBe(1);
    // A tenant with no token at all gets the minted one.
    expect((await meta.issueTenantToken('cli_a', 'tenant_c', t0, () => token('h-c', { tenantKey: 'tenant_c' }))).tokenHash).toBe('h-c');
  });

  it('issueTenantToken: 20 concurrent callers on two stores of the same rows all get one row', async () => {
    const [a, b] = [openStore(), openStore()];
    await a.insertApp(app('cli_a'));
    // Connections open beforehand (where a store has them), so that the callers truly overlap.
    await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).ping()));
    let mints = 0;
    const issued = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).issueTenantToken('cli_a', 'tenant_a', t0, () => token(`h-${mints++}`))),
    );
    expect(mints).toBe(1);
    expect(new Set(issued.map((r) => r.tokenHash))).toEqual(new Set(['h-0']));
  });

  it('files: each of many concurrent inserts is answered, duplicates included, and every acknowledged row is readable at once', async () => {
    const meta = openStore();
    const rows = Array.from({ length: 200 }, (_, i) => file(i));
    const outcomes = await Promise.all([...rows.map((r) => meta.insertFile(r)), meta.insertFile(file(999, { fileToken: rows[7]!.fileToken }))]);
    expect(outcomes.slice(0, 200).every((o) => o === 'ok')).toBe(true);
    expect(outcomes[200]).toBe('duplicate');
    for (const r of rows) expect(await meta.findFile('tenant_a', r.fileToken)).toEqual(r);
    // Another tenant's token answers like an unknown one.
    expect(await meta.findFile('tenant_b', rows[0]!.fileToken)).toBeUndefined();
    expect(await meta.findFile('tenant_a', 'boxbcnope')).toBeUndefined();
  });

  it('files: numbers come back as numbers, exactly (sizes past 4 GiB, millisecond times)', async () => {
    const meta = openStore();
    const big = file(1, { sizeBytes: 5_000_000_123, width: 65_535, height: 1, createdAtMs: 4_102_444_800_123 });
    await meta.insertFile(big);
    expect(await meta.findFile('tenant_a', big.fileToken)).toEqual(big);
  });

  it('rows acknowledged before close, lazy ones included, are there for the next store', async () => {
    const first = openStore();
    await Promise.all(Array.from({ length: 20 }, (_, i) => first.insertFile(file(i), { lazy: i % 2 === 0 })));
    await first.insertApp(app('cli_a'));
    await closeStore(first);
    const next = openStore();
    expect(await allFiles(next)).toHaveLength(20);
    expect((await next.findApp('cli_a'))?.name).toBe('app cli_a');
  });

  it('listFiles yields every row exactly once, past any page size', async () => {
    const meta = openStore();
    const n = 2500;
    for (let i = 0; i < n; i += 250) await Promise.all(Array.from({ length: 250 }, (_, j) => meta.insertFile(file(i + j))));
    const tokens = (await allFiles(meta)).map((r) => r.fileToken);
    expect(tokens).toHaveLength(n);
    expect(new Set(tokens).size).toBe(n);
  });

  it('isBlobReferenced: whether any row names the key', async () => {
    const meta = openStore();
    await meta.insertFile(file(1, { blobKey: 'b'.repeat(64) }));
    expect(await meta.isBlobReferenced('b'.repeat(64))).toBe(true);
    expect(await meta.isBlobReferenced('c'.repeat(64))).toBe(false);
  });

  it('ping answers while the store is open', async () => {
    await expect(openStore().ping()).resolves.toBeUndefined();
  });
}

describe('MetaStore contract: SqliteMetaStore', () => metaStoreContract(sqliteSpace));
describeWithServices(['postgres'], 'MetaStore contract: PostgresMetaStore', () => metaStoreContract(postgresSpace));
