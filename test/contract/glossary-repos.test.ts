import { describe, expect, it } from 'vitest';
import { postgresGlossarySpace, sqliteGlossarySpace, useGlossaryStores, type GlossarySpace } from '../helpers/glossary.js';
import { describeWithServices } from '../helpers/services.js';

const decimalId = /^[1-9][0-9]*$/;

/** One contract for every RepoStore: the same tests, unchanged, on each backend. */
function repoStoreContract(newSpace: () => Promise<GlossarySpace>): void {
  const stores = useGlossaryStores(newSpace);

  it('companyRepo: the tenant’s 全员词库, made on first use, the same record ever after; one per tenant', async () => {
    const store = stores.open();
    const a = await store.companyRepo('tenant_a');
    expect(a).toEqual({ id: expect.stringMatching(decimalId), tenantKey: 'tenant_a', name: '全员词库', companyWide: true });
    expect(await store.companyRepo('tenant_a')).toEqual(a);
    expect(await store.findRepo(a.id)).toEqual(a);
    const b = await store.companyRepo('tenant_b');
    expect(b.id).not.toBe(a.id);
    expect(b.tenantKey).toBe('tenant_b');
    // Another process on the same rows finds the same repo.
    expect(await stores.open().companyRepo('tenant_a')).toEqual(a);
  });

  it('companyRepo: 24 concurrent first calls on two stores (two connections or pools) make exactly one repo', async () => {
    const [one, two] = [stores.open(), stores.open()];
    // Connections open beforehand, so that the callers truly overlap.
    await Promise.all([one.findRepo('1'), two.findRepo('1'), one.findRepo('2'), two.findRepo('2')]);
    const repos = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? one : two).companyRepo('tenant_a')));
    expect(new Set(repos.map((r) => r.id)).size).toBe(1);
    expect(await stores.space.query('SELECT id FROM repos WHERE tenant_key = ?', 'tenant_a')).toHaveLength(1);
  });

  it('createRepo and findRepo: decimal ids; ids that cannot be ours are simply not found', async () => {
    const store = stores.open();
    const r1 = await store.createRepo('tenant_a', '研发词库');
    const r2 = await store.createRepo('tenant_a', '研发词库');
    expect(r1).toEqual({ id: expect.stringMatching(decimalId), tenantKey: 'tenant_a', name: '研发词库', companyWide: false });
    expect(r2.id).not.toBe(r1.id);
    expect(await store.findRepo(r2.id)).toEqual(r2);
    for (const id of ['0', '-1', 'abc', '01', '7152790921053274113', '99999999999999999999999', '', '1.5', ' 1'])
      expect(await store.findRepo(id)).toBeUndefined();
  });

  it('grants: idempotent, per app; listRepos puts the company-wide repo first, then the others by id, only granted ones for an app', async () => {
    const store = stores.open();
    const other = await store.createRepo('tenant_a', 'other');
    const granted = await store.createRepo('tenant_a', 'granted');
    const foreign = await store.createRepo('tenant_b', 'foreign');
    await store.grantRepo(granted.id, 'cli_a');
    await store.grantRepo(granted.id, 'cli_a');
    await store.grantRepo(foreign.id, 'cli_a');
    await store.grantRepo(other.id, 'cli_b');
    expect(await store.isRepoGranted(granted.id, 'cli_a')).toBe(true);
    expect(await store.isRepoGranted(granted.id, 'cli_b')).toBe(false);
    expect(await store.isRepoGranted(other.id, 'cli_a')).toBe(false);
    expect(await store.isRepoGranted('abc', 'cli_a')).toBe(false);
    await expect(store.grantRepo('987654321', 'cli_a')).rejects.toThrow();

    const company = await store.companyRepo('tenant_a');
    expect(await store.listRepos('tenant_a', null)).toEqual([company, other, granted]);
    expect(await store.listRepos('tenant_a', 'cli_a')).toEqual([company, granted]);
    expect(await store.listRepos('tenant_a', 'cli_b')).toEqual([company, other]);
    expect(await store.listRepos('tenant_a', 'cli_none')).toEqual([company]);
    // A tenant's first listing makes its company-wide repo.
    const listedB = await store.listRepos('tenant_b', 'cli_a');
    expect(listedB.map((r) => [r.name, r.companyWide])).toEqual([
      ['全员词库', true],
      ['foreign', false],
    ]);
  });

  it('classifications: two levels with names in three languages, listed by id after a cursor, bounded by the limit', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const elsewhere = await store.createRepo('tenant_a', 'other');
    const first = await store.createClassification({ repoId: repo.id, name: '技术', fatherId: null, i18nNames: [{ language: 2, name: 'Tech' }] });
    const second = await store.createClassification({
      repoId: repo.id,
      name: '数据库',
      fatherId: first.id,
      i18nNames: [
        { language: 1, name: '数据库' },
        { language: 3, name: 'データベース' },
      ],
    });
    const foreign = await store.createClassification({ repoId: elsewhere.id, name: 'x', fatherId: null, i18nNames: [] });
    const third = await store.createClassification({ repoId: repo.id, name: '产品', fatherId: null, i18nNames: [] });
    expect(first).toEqual({ id: expect.stringMatching(decimalId), repoId: repo.id, name: '技术', fatherId: null, i18nNames: [{ language: 2, name: 'Tech' }] });
    expect(second.fatherId).toBe(first.id);

    expect(await store.listClassifications(repo.id, null, 100)).toEqual([first, second, third]);
    expect(await store.listClassifications(repo.id, null, 2)).toEqual([first, second]);
    expect(await store.listClassifications(repo.id, second.id, 2)).toEqual([third]);
    expect(await store.listClassifications(repo.id, third.id, 2)).toEqual([]);
    expect(await store.listClassifications(elsewhere.id, null, 20)).toEqual([foreign]);

    expect(await store.findClassifications(repo.id, [third.id, foreign.id, first.id, first.id, 'abc', '999999'])).toEqual([first, third]);
    expect(await store.findClassifications(repo.id, [])).toEqual([]);
    // A father that does not exist is refused.
    await expect(store.createClassification({ repoId: repo.id, name: 'orphan', fatherId: '987654321', i18nNames: [] })).rejects.toThrow();
  });
}

describe('RepoStore contract: SQLite', () => repoStoreContract(sqliteGlossarySpace));
describeWithServices(['postgres'], 'RepoStore contract: PostgreSQL', () => repoStoreContract(postgresGlossarySpace));
