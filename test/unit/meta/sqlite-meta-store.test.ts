import { describe, expect, it } from 'vitest';
import type { FileRow } from '../../../src/meta/meta-store.js';
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
