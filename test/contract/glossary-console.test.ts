import { describe, expect, it } from 'vitest';
import type { FileRow } from '../../src/meta/meta-store.js';
import { postgresGlossarySpace, sqliteGlossarySpace, useGlossaryStores, type GlossarySpace } from '../helpers/glossary.js';
import { describeWithServices } from '../helpers/services.js';

const file = (tenantKey: string, fileToken: string, createdAtMs: number): FileRow => ({
  fileToken,
  tenantKey,
  appId: 'cli_a',
  name: `${fileToken}.png`,
  blobKey: 'b'.repeat(64),
  sizeBytes: 1234,
  sha256: 'b'.repeat(64),
  format: 'png',
  mime: 'image/png',
  width: 400,
  height: 320,
  createdAtMs,
});

/** One contract for every ConsoleStore (migration v3 and the console's programs), unchanged on each backend. */
function consoleStoreContract(newSpace: () => Promise<GlossarySpace>): void {
  const stores = useGlossaryStores(newSpace);

  it('credentials: found by hash by any store on the rows, deleted on sign-out; an insert purges the expired ones', async () => {
    const [one, two] = [stores.open(), stores.open()];
    const token = { hash: 'a'.repeat(64), kind: 'token' as const, tenantKey: 't1', expiresAtMs: 5_000 };
    const session = { hash: 'c'.repeat(64), kind: 'session' as const, tenantKey: 't1', expiresAtMs: 9_000 };
    await one.insertConsoleCredential(token, 1_000);
    await one.insertConsoleCredential(session, 1_000);
    expect(await two.findConsoleCredential(token.hash)).toEqual(token);
    expect(await two.findConsoleCredential(session.hash)).toEqual(session);
    expect(await two.findConsoleCredential('d'.repeat(64))).toBeUndefined();
    await two.deleteConsoleCredential(session.hash);
    expect(await one.findConsoleCredential(session.hash)).toBeUndefined();
    // At 6 s the token has expired: the next insert removes its row.
    await one.insertConsoleCredential({ ...session, hash: 'e'.repeat(64) }, 6_000);
    expect(await stores.space.query('SELECT hash FROM console_credentials ORDER BY hash')).toEqual([{ hash: 'e'.repeat(64) }]);
  });

  it('a duplicate hash is refused (the primary key), never silently replaced', async () => {
    const store = stores.open();
    const row = { hash: 'f'.repeat(64), kind: 'session' as const, tenantKey: 't1', expiresAtMs: 9_000 };
    await store.insertConsoleCredential(row, 1_000);
    await expect(store.insertConsoleCredential({ ...row, tenantKey: 't2' }, 1_000)).rejects.toThrow();
    expect((await store.findConsoleCredential(row.hash))?.tenantKey).toBe('t1');
  });

  it('listTenantFiles: the tenant’s files only, newest first, paged strictly before a (time, token) cursor', async () => {
    const meta = stores.space.open();
    try {
      for (const f of [file('t1', 'a1', 100), file('t1', 'a2', 200), file('t1', 'a3', 200), file('t2', 'b1', 300), file('t1', 'a4', 50)]) {
        expect(await meta.insertFile(f)).toBe('ok');
      }
    } finally {
      await meta.close();
    }
    const store = stores.open();
    const all = await store.listTenantFiles('t1', null, 10);
    expect(all.map((f) => f.fileToken)).toEqual(['a3', 'a2', 'a1', 'a4']);
    expect(all[0]).toEqual({
      fileToken: 'a3',
      name: 'a3.png',
      blobKey: 'b'.repeat(64),
      sizeBytes: 1234,
      format: 'png',
      mime: 'image/png',
      width: 400,
      height: 320,
      createdAtMs: 200,
    });
    const first = await store.listTenantFiles('t1', null, 2);
    expect(first.map((f) => f.fileToken)).toEqual(['a3', 'a2']);
    const next = await store.listTenantFiles('t1', { createdAtMs: 200, fileToken: 'a2' }, 2);
    expect(next.map((f) => f.fileToken)).toEqual(['a1', 'a4']);
    expect(await store.listTenantFiles('t3', null, 10)).toEqual([]);
  });
}

describe('ConsoleStore contract: SQLite', () => consoleStoreContract(sqliteGlossarySpace));
describeWithServices(['postgres'], 'ConsoleStore contract: PostgreSQL', () => consoleStoreContract(postgresGlossarySpace));
