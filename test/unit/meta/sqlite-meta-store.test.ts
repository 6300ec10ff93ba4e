import { describe, expect, it } from 'vitest';
import type { FileRow, TokenRow } from '../../../src/meta/meta-store.js';
import { useTempMetaStore } from '../../helpers/meta-store.js';

function row(i: number, token = `boxbc${String(i).padStart(22, '0')}`): FileRow {
  return {
    fileToken: token,
    tenantKey: 'tenant',
    appId: 'cli_a',
    name: `f${i}.png`,
    blobKey: 'a'.repeat(64),
    sizeBytes: 4096,
    sha256: 'a'.repeat(64),
    format: 'png',
    mime: 'image/png',
    width: 320,
    height: 320,
    createdAtMs: i,
  };
}

describe('SqliteMetaStore file rows (group commit in a worker)', () => {
  const store = useTempMetaStore('meta');

  it('answers each of many concurrent inserts, duplicates included, and every acknowledged row is readable at once', async () => {
    const { meta } = store;
    const rows = Array.from({ length: 200 }, (_, i) => row(i));
    const outcomes = await Promise.all([...rows.map((r) => meta.insertFile(r)), meta.insertFile(row(999, rows[7]!.fileToken))]);
    expect(outcomes.slice(0, 200).every((o) => o === 'ok')).toBe(true);
    expect(outcomes[200]).toBe('duplicate');
    for (const r of rows) expect((await meta.findFile('tenant', r.fileToken))?.name).toBe(r.name);
    expect(await meta.findFile('other-tenant', rows[0]!.fileToken)).toBeUndefined();
  });

  it('rows acknowledged before close are on disk for the next process', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.meta.insertFile(row(i))));
    const again = await store.reopen();
    let n = 0;
    for await (const _ of again.listFiles()) n++;
    expect(n).toBe(20);
  });
});

describe('SqliteMetaStore token rows', () => {
  const store = useTempMetaStore('meta-tokens');

  it('listTokens yields every row once, across pages, expired ones included', async () => {
    const { meta } = store;
    await meta.insertApp({ appId: 'cli_a', name: 'a', secretHash: 'c'.repeat(64), tenantKey: 'tenant', type: 'self_built', scopes: [], createdAtMs: 1 });
    const token = (i: number): TokenRow => ({
      tokenHash: i.toString(16).padStart(64, '0'),
      kind: i % 2 ? 'user' : 'tenant',
      appId: 'cli_a',
      tenantKey: 'tenant',
      userId: i % 2 ? 'ou_1' : null,
      scopes: i % 2 ? ['baike:entity'] : null,
      nonce: `n${i}`,
      issuedAtMs: i,
      expiresAtMs: i + 1,
    });
    // More than two pages of 500.
    const rows = Array.from({ length: 1201 }, (_, i) => token(i));
    for (const r of rows) await meta.insertToken(r);
    const listed: TokenRow[] = [];
    for await (const r of meta.listTokens()) listed.push(r);
    expect(listed.sort((a, b) => a.tokenHash.localeCompare(b.tokenHash))).toEqual(rows);
  });
});
