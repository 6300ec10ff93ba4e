import { describe, expect, it } from 'vitest';
import type { GlossaryStore } from '../../src/glossary/glossary-store.js';
import type { DraftRecord, EntityContent } from '../../src/glossary/model.js';
import {
  content,
  entityRow,
  inserted,
  postgresGlossarySpace,
  sqliteGlossarySpace,
  t0,
  term,
  useGlossaryStores,
  type GlossarySpace,
} from '../helpers/glossary.js';
import { describeWithServices } from '../helpers/services.js';

/** One contract for every DraftStore: the same tests, unchanged, on each backend. */
function draftStoreContract(newSpace: () => Promise<GlossarySpace>): void {
  const stores = useGlossaryStores(newSpace);

  const draftRow = (repoId: string, c: EntityContent, extra: Partial<Omit<DraftRecord, 'draftId' | 'state' | 'entitySeq'>> = {}) => ({
    tenantKey: 'tenant_a',
    repoId,
    targetSeq: null,
    content: c,
    creator: 'ou_writer',
    appId: 'cli_a',
    createdAtMs: t0,
    updatedAtMs: t0,
    ...extra,
  });

  const companyRepoId = async (store: GlossaryStore) => (await store.companyRepo('tenant_a')).id;

  it('insertDraft and findDraft: pending, no entity yet, a decimal id; odd or unknown ids find nothing', async () => {
    const store = stores.open();
    const repoId = await companyRepoId(store);
    const row = draftRow(repoId, content('草稿', { outerInfo: { provider: 'crm', outerId: 'd1' } }), { targetSeq: '42' });
    const draft = await store.insertDraft(row);
    expect(draft).toEqual({ ...row, draftId: expect.stringMatching(/^[1-9][0-9]*$/), state: 'pending', entitySeq: null });
    expect(await store.findDraft(draft.draftId)).toEqual(draft);
    for (const id of ['987654321', 'abc', '0', '']) expect(await store.findDraft(id)).toBeUndefined();
    expect((await store.insertDraft(row)).draftId).not.toBe(draft.draftId);
  });

  it('updateDraft: content, target and time while pending; missing for an unknown id; reviewed once approved or rejected', async () => {
    const store = stores.open();
    const repoId = await companyRepoId(store);
    const draft = await store.insertDraft(draftRow(repoId, content('v1')));
    const updated = await store.updateDraft(draft.draftId, content('v2'), '7', t0 + 10);
    expect(updated).toEqual({ ...draft, content: content('v2'), targetSeq: '7', updatedAtMs: t0 + 10 });
    expect(await store.findDraft(draft.draftId)).toEqual(updated);
    expect(await store.updateDraft(draft.draftId, content('v3'), null, t0 + 20)).toEqual({ ...draft, content: content('v3'), updatedAtMs: t0 + 20 });
    expect(await store.updateDraft('987654321', content('x'), null, t0)).toBe('missing');
    expect(await store.updateDraft('nope', content('x'), null, t0)).toBe('missing');

    const rejected = await store.insertDraft(draftRow(repoId, content('r')));
    await store.reviewDraft(rejected.draftId, 'rejected', t0 + 30);
    await store.reviewDraft(draft.draftId, 'approved', t0 + 30);
    for (const d of [draft, rejected]) {
      const before = await store.findDraft(d.draftId);
      expect(await store.updateDraft(d.draftId, content('late'), null, t0 + 40)).toBe('reviewed');
      expect(await store.findDraft(d.draftId)).toEqual(before);
    }
  });

  it('listDrafts: the tenant’s drafts oldest first, optionally in one state', async () => {
    const store = stores.open();
    const repoId = await companyRepoId(store);
    const [a, b, c] = [
      await store.insertDraft(draftRow(repoId, content('a'))),
      await store.insertDraft(draftRow(repoId, content('b'))),
      await store.insertDraft(draftRow(repoId, content('c'))),
    ];
    await store.insertDraft({ ...draftRow((await store.companyRepo('tenant_b')).id, content('b')), tenantKey: 'tenant_b' });
    await store.reviewDraft(b.draftId, 'rejected', t0 + 1);
    const approved = await store.reviewDraft(c.draftId, 'approved', t0 + 1);
    if (typeof approved === 'string') throw new Error(approved);
    expect((await store.listDrafts('tenant_a', null)).map((d) => [d.draftId, d.state])).toEqual([
      [a.draftId, 'pending'],
      [b.draftId, 'rejected'],
      [c.draftId, 'approved'],
    ]);
    expect(await store.listDrafts('tenant_a', 'pending')).toEqual([a]);
    expect(await store.listDrafts('tenant_a', 'approved')).toEqual([approved.draft]);
    expect(await store.listDrafts('tenant_c', null)).toEqual([]);
  });

  it('reject locks the draft and writes no entity; a second review of any kind says reviewed; unknown ids say missing', async () => {
    const store = stores.open();
    const repoId = await companyRepoId(store);
    const draft = await store.insertDraft(draftRow(repoId, content('no')));
    expect(await store.reviewDraft(draft.draftId, 'rejected', t0 + 5)).toEqual({ draft: { ...draft, state: 'rejected', updatedAtMs: t0 + 5 }, entity: null });
    expect(await store.reviewDraft(draft.draftId, 'approved', t0 + 6)).toBe('reviewed');
    expect(await store.reviewDraft(draft.draftId, 'rejected', t0 + 6)).toBe('reviewed');
    expect(await store.reviewDraft('987654321', 'approved', t0)).toBe('missing');
    expect(await store.reviewDraft('x', 'rejected', t0)).toBe('missing');
    expect(await store.glossaryVersion('tenant_a')).toBe(0);
    expect(await stores.space.query('SELECT seq FROM entities')).toEqual([]);
  });

  it('approving a new-entry draft creates the entity in the draft’s repo, source 4, by the draft’s creator, at the review time', async () => {
    const store = stores.open();
    const repo = await store.createRepo('tenant_a', 'team');
    const c = content('新词', { aliases: [term('new word')] });
    const draft = await store.insertDraft(draftRow(repo.id, c));
    const review = await store.reviewDraft(draft.draftId, 'approved', t0 + 1000);
    if (typeof review === 'string') throw new Error(review);
    expect(review.entity).toEqual({
      seq: expect.stringMatching(/^[1-9][0-9]*$/),
      tenantKey: 'tenant_a',
      repoId: repo.id,
      content: c,
      creator: 'ou_writer',
      updater: 'ou_writer',
      createdAtMs: t0 + 1000,
      updatedAtMs: t0 + 1000,
      source: 4,
    });
    expect(review.draft).toEqual({ ...draft, state: 'approved', updatedAtMs: t0 + 1000, entitySeq: review.entity!.seq });
    expect(await store.findDraft(draft.draftId)).toEqual(review.draft);
    expect(await store.findEntity('tenant_a', review.entity!.seq)).toEqual(review.entity);
    expect(await store.matchEntities('tenant_a', repo.id, 'new word')).toEqual([{ seq: review.entity!.seq, type: 2 }]);
    expect(await store.glossaryVersion('tenant_a')).toBe(1);
  });

  it('approving overwrites the target entity as a PUT would (creator and create time kept), else the entity with the draft’s outer_info', async () => {
    const store = stores.open();
    const repoId = await companyRepoId(store);
    const target = inserted(await store.insertEntity(entityRow('tenant_a', repoId, content('old'), { creator: 'cli_owner', source: 1 })));
    const outer = { provider: 'crm', outerId: 'c9' };
    const bound = inserted(await store.insertEntity(entityRow('tenant_a', repoId, content('bound', { outerInfo: outer }), { creator: 'cli_owner' })));

    const byId = await store.insertDraft(draftRow(repoId, content('new', { aliases: [term('fresh')] }), { targetSeq: target.seq }));
    const first = await store.reviewDraft(byId.draftId, 'approved', t0 + 500);
    if (typeof first === 'string') throw new Error(first);
    expect(first.entity).toEqual({ ...target, content: content('new', { aliases: [term('fresh')] }), updater: 'ou_writer', updatedAtMs: t0 + 500, source: 4 });
    expect(first.draft.entitySeq).toBe(target.seq);
    expect(await store.matchEntities('tenant_a', repoId, 'old')).toEqual([]);

    const byOuter = await store.insertDraft(draftRow(repoId, content('bound v2', { outerInfo: outer })));
    const second = await store.reviewDraft(byOuter.draftId, 'approved', t0 + 600);
    if (typeof second === 'string') throw new Error(second);
    expect(second.entity).toEqual({ ...bound, content: content('bound v2', { outerInfo: outer }), updater: 'ou_writer', updatedAtMs: t0 + 600, source: 4 });
    expect(await stores.space.query('SELECT seq FROM entities')).toHaveLength(2);
    expect(await store.glossaryVersion('tenant_a')).toBe(4);
  });

  it('an approval that cannot apply (target deleted, outer_info another entity’s) changes nothing: the draft stays pending', async () => {
    const store = stores.open();
    const repoId = await companyRepoId(store);
    const target = inserted(await store.insertEntity(entityRow('tenant_a', repoId, content('t'))));
    const other = inserted(await store.insertEntity(entityRow('tenant_a', repoId, content('o', { outerInfo: { provider: 'crm', outerId: 'taken' } }))));
    const taken = await store.insertDraft(draftRow(repoId, content('t2', { outerInfo: { provider: 'crm', outerId: 'taken' } }), { targetSeq: target.seq }));
    const orphan = await store.insertDraft(draftRow(repoId, content('t3'), { targetSeq: target.seq }));
    const odd = await store.insertDraft(draftRow(repoId, content('t4'), { targetSeq: 'enterprise_1' }));
    const version = await store.glossaryVersion('tenant_a');

    expect(await store.reviewDraft(taken.draftId, 'approved', t0 + 1)).toBe('outer-info-taken');
    expect(await store.findEntity('tenant_a', target.seq)).toEqual(target);
    expect(await store.findEntity('tenant_a', other.seq)).toEqual(other);
    expect(await store.deleteEntity('tenant_a', target.seq)).toBe(true);
    expect(await store.reviewDraft(orphan.draftId, 'approved', t0 + 2)).toBe('target-missing');
    expect(await store.reviewDraft(odd.draftId, 'approved', t0 + 2)).toBe('target-missing');
    expect(await store.glossaryVersion('tenant_a')).toBe(version + 1);
    for (const d of [taken, orphan]) expect(await store.findDraft(d.draftId)).toEqual(d);
    expect((await store.findDraft(odd.draftId))?.state).toBe('pending');
    // Still pending, so it may be rejected (or fixed and approved).
    expect(await store.reviewDraft(orphan.draftId, 'rejected', t0 + 3)).toMatchObject({ entity: null });
  });

  it('approval by outer_info overwrites only an entity the draft’s app may see (its repo, company-wide, or granted)', async () => {
    const store = stores.open();
    const repoId = await companyRepoId(store);
    const hidden = await store.createRepo('tenant_a', 'hidden');
    const granted = await store.createRepo('tenant_a', 'granted');
    await store.grantRepo(granted.id, 'cli_a');
    // The entities took the outer_info after the drafts were written (each draft found no owner then).
    const drafts = await Promise.all(
      ['h', 'g'].map((id) => store.insertDraft(draftRow(repoId, content(`draft ${id}`, { outerInfo: { provider: 'crm', outerId: id } })))),
    );
    const inHidden = inserted(await store.insertEntity(entityRow('tenant_a', hidden.id, content('h', { outerInfo: { provider: 'crm', outerId: 'h' } }))));
    const inGranted = inserted(await store.insertEntity(entityRow('tenant_a', granted.id, content('g', { outerInfo: { provider: 'crm', outerId: 'g' } }))));

    expect(await store.reviewDraft(drafts[0]!.draftId, 'approved', t0 + 1)).toBe('outer-info-taken');
    expect(await store.findEntity('tenant_a', inHidden.seq)).toEqual(inHidden);
    const approved = await store.reviewDraft(drafts[1]!.draftId, 'approved', t0 + 2);
    if (typeof approved === 'string') throw new Error(approved);
    expect(approved.entity).toMatchObject({
      seq: inGranted.seq,
      repoId: granted.id,
      content: content('draft g', { outerInfo: { provider: 'crm', outerId: 'g' } }),
    });
  });

  it('concurrent reviews of one draft on two stores: exactly one wins, one entity is made, the rest say reviewed', async () => {
    const [one, two] = [stores.open(), stores.open()];
    const repoId = await companyRepoId(one);
    await two.companyRepo('tenant_a');
    const draft = await one.insertDraft(draftRow(repoId, content('race')));
    const reviews = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).reviewDraft(draft.draftId, i % 3 === 0 ? 'rejected' : 'approved', t0 + i)),
    );
    const winners = reviews.filter((r) => typeof r !== 'string');
    expect(winners).toHaveLength(1);
    expect(reviews.filter((r) => r === 'reviewed')).toHaveLength(9);
    const made = await stores.space.query('SELECT seq FROM entities');
    expect(made).toHaveLength(winners[0]!.draft.state === 'approved' ? 1 : 0);
  });
}

describe('DraftStore contract: SQLite', () => draftStoreContract(sqliteGlossarySpace));
describeWithServices(['postgres'], 'DraftStore contract: PostgreSQL', () => draftStoreContract(postgresGlossarySpace));
