import { describe, expect, it } from 'vitest';
import type { EntitySearchQuery } from '../../src/glossary/glossary-store.js';
import type { EntityRecord } from '../../src/glossary/model.js';
import {
  content,
  entityRow,
  inserted,
  postgresGlossarySpace,
  relatedMeta,
  searchFor,
  sqliteGlossarySpace,
  term,
  useGlossaryStores,
  type GlossarySpace,
} from '../helpers/glossary.js';
import { describeWithServices } from '../helpers/services.js';

/** The EntityStore contract, reads (list, search, match): the same tests, unchanged, on each backend. */
function entityReadsContract(newSpace: () => Promise<GlossarySpace>): void {
  const stores = useGlossaryStores(newSpace);

  it('listEntities: by seq after the cursor, bounded by the limit, one repo of one tenant, optionally one provider', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const other = await store.createRepo('tenant_a', 'other');
    const made: EntityRecord[] = [];
    for (let i = 0; i < 7; i++) {
      const outerInfo = i % 3 === 0 ? { provider: 'crm', outerId: `o${i}` } : i % 3 === 1 ? { provider: 'wiki', outerId: `o${i}` } : null;
      made.push(inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content(`e${i}`, { outerInfo })))));
    }
    inserted(await store.insertEntity(entityRow('tenant_a', other.id, content('other'))));
    const list = (provider: string | null, afterSeq: string | null, limit: number) =>
      store.listEntities({ tenantKey: 'tenant_a', repoId: repo.id, provider, afterSeq, limit });
    expect(await list(null, null, 100)).toEqual(made);
    expect(await list(null, null, 3)).toEqual(made.slice(0, 3));
    expect(await list(null, made[2]!.seq, 3)).toEqual(made.slice(3, 6));
    expect(await list('crm', null, 100)).toEqual([made[0], made[3], made[6]]);
    expect(await list('crm', made[0]!.seq, 1)).toEqual([made[3]]);
    expect(await list('CRM', null, 100)).toEqual([]);
    expect(await store.listEntities({ tenantKey: 'tenant_b', repoId: repo.id, provider: null, afterSeq: null, limit: 100 })).toEqual([]);
  });

  it('keyset pages list every entity present throughout exactly once while others are inserted and deleted between pages', async () => {
    const store = stores.open();
    const writer = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const initial: EntityRecord[] = [];
    for (let i = 0; i < 40; i++) initial.push(inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content(`term ${i}`)))));
    const deleted = new Set<string>();
    const listed: string[] = [];
    const searched: string[] = [];
    let cursor: string | null = null;
    let searchCursor: { rank: 0 | 1 | 2; seq: string } | null = null;
    for (let page = 0; page < 100; page++) {
      const rows = await store.listEntities({ tenantKey: 'tenant_a', repoId: repo.id, provider: null, afterSeq: cursor, limit: 6 });
      const hits = await store.searchEntities(searchFor('tenant_a', repo.id, 'TERM'), searchCursor, 6);
      listed.push(...rows.map((r) => r.seq));
      searched.push(...hits.map((h) => h.entity.seq));
      if (rows.length < 6 && hits.length < 6) break;
      if (rows.length === 6) cursor = rows.at(-1)!.seq;
      if (hits.length === 6) searchCursor = { rank: hits.at(-1)!.rank, seq: hits.at(-1)!.entity.seq };
      // Between pages: two new entities, and one of the initial ones deleted (alternately ahead of and behind the cursor).
      for (let j = 0; j < 2; j++) inserted(await writer.insertEntity(entityRow('tenant_a', repo.id, content(`term new ${page}-${j}`))));
      const victim = initial[page % 2 === 0 ? 39 - page : page]!;
      if (!deleted.has(victim.seq) && (await writer.deleteEntity('tenant_a', victim.seq))) deleted.add(victim.seq);
    }
    for (const seen of [listed, searched]) {
      expect(new Set(seen).size).toBe(seen.length);
      for (const e of initial) if (!deleted.has(e.seq)) expect(seen).toContain(e.seq);
    }
  });

  it('searchEntities: case-insensitive substring; main key before alias or full name before description; unsearchable keys never match', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const add = async (c: ReturnType<typeof content>) => inserted(await store.insertEntity(entityRow('tenant_a', repo.id, c))).seq;
    const byDescription = await add(content('Borg', { description: 'the ancestor of KUBERNETES' }));
    const byAlias = await add(content('K8s', { aliases: [term('Kubernetes')] }));
    const byMain = await add(content('kubectl'));
    const hiddenMain = await add(content(term('Kubeflow', { search: false }), { description: 'ml pipelines' }));
    const byFullName = await add(content('EKS', { fullNames: [term('Elastic Kubernetes Service')] }));
    const byI18n = await add(content('GKE', { description: 'google', i18nDescs: [{ language: 2, description: 'Managed kubernetes' }] }));
    const mainAndDescription = await add(content('Kube-proxy', { description: 'kube networking' }));
    await add(content('unrelated'));
    inserted(await store.insertEntity(entityRow('tenant_a', (await store.createRepo('tenant_a', 'x')).id, content('kube in another repo'))));
    inserted(await store.insertEntity(entityRow('tenant_b', (await store.companyRepo('tenant_b')).id, content('kube of tenant b'))));

    const ranked = (await store.searchEntities(searchFor('tenant_a', repo.id, 'KuBe'), null, 20)).map((h) => [h.entity.seq, h.rank]);
    expect(ranked).toEqual([
      [byMain, 0],
      [mainAndDescription, 0],
      [byAlias, 1],
      [byFullName, 1],
      [byDescription, 2],
      [byI18n, 2],
    ]);
    expect(ranked.map(([seq]) => seq)).not.toContain(hiddenMain);
    // Pages continue after (rank, seq), across ranks.
    const first = await store.searchEntities(searchFor('tenant_a', repo.id, 'kube'), null, 3);
    const last = first.at(-1)!;
    const rest = await store.searchEntities(searchFor('tenant_a', repo.id, 'kube'), { rank: last.rank, seq: last.entity.seq }, 10);
    expect([...first, ...rest].map((h) => [h.entity.seq, h.rank])).toEqual(ranked);
    expect(await store.searchEntities(searchFor('tenant_a', repo.id, 'kube'), { rank: 2, seq: byI18n }, 10)).toEqual([]);
    // Non-ASCII folds as String#toLowerCase does; no hit is an empty page.
    inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content('ÉCOLE'))));
    expect((await store.searchEntities(searchFor('tenant_a', repo.id, 'écol'), null, 5)).map((h) => h.entity.content.mainKeys[0]?.key)).toEqual(['ÉCOLE']);
    expect(await store.searchEntities(searchFor('tenant_a', repo.id, 'nothing like it'), null, 5)).toEqual([]);
  });

  it('searchEntities filters: classifications included (any, either level) and excluded (none), sources, creators; no query lists by seq', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const tech = await store.createClassification({ repoId: repo.id, name: 'tech', fatherId: null, i18nNames: [] });
    const db = await store.createClassification({ repoId: repo.id, name: 'db', fatherId: tech.id, i18nNames: [] });
    const ops = await store.createClassification({ repoId: repo.id, name: 'ops', fatherId: tech.id, i18nNames: [] });
    const biz = await store.createClassification({ repoId: repo.id, name: 'biz', fatherId: null, i18nNames: [] });
    const sales = await store.createClassification({ repoId: repo.id, name: 'sales', fatherId: biz.id, i18nNames: [] });
    const add = async (key: string, classes: string[], extra: { creator?: string; source?: 1 | 2 | 3 | 4 } = {}) =>
      inserted(
        await store.insertEntity(
          entityRow('tenant_a', repo.id, content(key, { relatedMeta: relatedMeta({ classifications: classes.map((id) => ({ id })) }) }), extra),
        ),
      ).seq;
    const pg = await add('item pg', [db.id], { creator: 'ou_1', source: 1 });
    const k8s = await add('item k8s', [ops.id, sales.id], { creator: 'ou_2' });
    const crm = await add('item crm', [sales.id], { creator: 'ou_1' });
    const none = await add('item none', [], { source: 2 });

    const seqs = async (extra: Partial<EntitySearchQuery>, query: string | null = 'item') =>
      (await store.searchEntities(searchFor('tenant_a', repo.id, query, extra), null, 20)).map((h) => h.entity.seq);
    expect(await seqs({})).toEqual([pg, k8s, crm, none]);
    expect(await seqs({ classificationInclude: [db.id] })).toEqual([pg]);
    expect(await seqs({ classificationInclude: [tech.id] })).toEqual([pg, k8s]);
    expect(await seqs({ classificationInclude: [db.id, sales.id] })).toEqual([pg, k8s, crm]);
    expect(await seqs({ classificationExclude: [biz.id] })).toEqual([pg, none]);
    expect(await seqs({ classificationInclude: [tech.id], classificationExclude: [sales.id] })).toEqual([pg]);
    expect(await seqs({ classificationInclude: ['987654321', 'abc'] })).toEqual([]);
    expect(await seqs({ classificationExclude: ['abc'] })).toEqual([pg, k8s, crm, none]);
    expect(await seqs({ sources: [1, 2] })).toEqual([pg, none]);
    expect(await seqs({ creators: ['ou_1'] })).toEqual([pg, crm]);
    expect(await seqs({ creators: ['ou_1'], sources: [4] })).toEqual([crm]);
    // No query: every entity of the repo passing the filters, rank 0, by seq, paged.
    const all = await store.searchEntities(searchFor('tenant_a', repo.id, null, { creators: ['ou_1', 'cli_a'] }), null, 20);
    expect(all.map((h) => [h.entity.seq, h.rank])).toEqual([
      [pg, 0],
      [crm, 0],
      [none, 0],
    ]);
    expect((await store.searchEntities(searchFor('tenant_a', repo.id, null), { rank: 0, seq: k8s }, 1)).map((h) => h.entity.seq)).toEqual([crm]);
    expect(await store.searchEntities(searchFor('tenant_a', repo.id, null), { rank: 1, seq: pg }, 5)).toEqual([]);
  });

  it('matchEntities: exact equality on searchable main keys (0), full names (1) and aliases (2); one result per (seq, type), by seq', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const add = async (c: ReturnType<typeof content>, repoId = repo.id) => inserted(await store.insertEntity(entityRow('tenant_a', repoId, c))).seq;
    const main = await add(content('KYC'));
    const alias = await add(content('Know your customer', { aliases: [term('KYC'), term('kyc')] }));
    const both = await add(content('KYC', { fullNames: [term('KYC')], aliases: [term('KYC'), term('KYC')] }));
    await add(content('KYCM', { aliases: [term('KYC-V2')] }));
    await add(content(term('KYC', { search: false })));
    await add(content('KYC'), (await store.createRepo('tenant_a', 'other')).id);
    expect(await store.matchEntities('tenant_a', repo.id, 'KYC')).toEqual([
      { seq: main, type: 0 },
      { seq: alias, type: 2 },
      { seq: both, type: 0 },
      { seq: both, type: 1 },
      { seq: both, type: 2 },
    ]);
    expect(await store.matchEntities('tenant_a', repo.id, 'kyc')).toEqual([{ seq: alias, type: 2 }]);
    expect(await store.matchEntities('tenant_a', repo.id, 'KY')).toEqual([]);
    expect(await store.matchEntities('tenant_a', repo.id, 'KYC is a term')).toEqual([]);
    expect(await store.matchEntities('tenant_b', repo.id, 'KYC')).toEqual([]);
  });

  it('long keys: one far past 100 characters (and PostgreSQL’s index entry bound) is stored, matched and searched whole', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const long = '词'.repeat(2000);
    const e = inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content(long, { aliases: [term(`${long}x`)] }))));
    expect(await store.matchEntities('tenant_a', repo.id, long)).toEqual([{ seq: e.seq, type: 0 }]);
    expect(await store.matchEntities('tenant_a', repo.id, '词'.repeat(100))).toEqual([]);
    expect((await store.searchEntities(searchFor('tenant_a', repo.id, '词x'), null, 5)).map((h) => h.rank)).toEqual([1]);
  });
}

describe('EntityStore reads contract: SQLite', () => entityReadsContract(sqliteGlossarySpace));
describeWithServices(['postgres'], 'EntityStore reads contract: PostgreSQL', () => entityReadsContract(postgresGlossarySpace));
