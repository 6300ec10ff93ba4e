import { describe, expect, it } from 'vitest';
import type { GlossaryStore } from '../../src/glossary/glossary-store.js';
import {
  content,
  entityRow,
  inserted,
  postgresGlossarySpace,
  relatedMeta,
  sqliteGlossarySpace,
  t0,
  term,
  useGlossaryStores,
  type GlossarySpace,
} from '../helpers/glossary.js';
import { describeWithServices } from '../helpers/services.js';

/** One contract for every EntityStore: the same tests, unchanged, on each backend. */
function entityStoreContract(newSpace: () => Promise<GlossarySpace>): void {
  const stores = useGlossaryStores(newSpace);

  /** The derived rows of an entity, read straight from the database. */
  const derived = async (seq: string) => ({
    terms: (await stores.space.query<{ key: string }>('SELECT key FROM entity_terms WHERE seq = ? ORDER BY ord', Number(seq))).map((r) => r.key),
    images: (await stores.space.query<{ file_token: string }>('SELECT file_token FROM entity_images WHERE seq = ? ORDER BY ord', Number(seq))).map(
      (r) => r.file_token,
    ),
    classifications: (
      await stores.space.query<{ classification_id: number | string }>(
        'SELECT classification_id FROM entity_classifications WHERE seq = ? ORDER BY classification_id',
        Number(seq),
      )
    ).map((r) => String(r.classification_id)),
  });

  it('insertEntity and findEntity: the record as written, under a new positive seq; other tenants and odd ids find nothing', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const full = content('Kubernetes', {
      fullNames: [term('Kubernetes container orchestration', { highlight: false })],
      aliases: [term('K8s'), term('kube', { search: false })],
      relatedMeta: relatedMeta({ users: [{ id: 'ou_1', title: '负责人' }], images: [{ token: 'boxbc1' }], docs: [{ title: 'd', url: 'https://x.y/z' }] }),
      outerInfo: { provider: 'star', outerId: 'k8s' },
      i18nDescs: [{ language: 2, description: 'container orchestration' }],
    });
    const a = inserted(await store.insertEntity(entityRow('tenant_a', repo.id, full, { creator: 'ou_x', source: 1 })));
    const b = inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content('Docker'))));
    expect(a).toEqual({ ...entityRow('tenant_a', repo.id, full, { creator: 'ou_x', source: 1 }), seq: expect.stringMatching(/^[1-9][0-9]*$/) });
    expect(Number(b.seq)).toBeGreaterThan(Number(a.seq));
    expect(await store.findEntity('tenant_a', a.seq)).toEqual(a);
    // null fullNames (never sent) stays null, an empty list stays empty.
    expect((await store.findEntity('tenant_a', b.seq))?.content.fullNames).toBeNull();
    expect(await store.findEntity('tenant_b', a.seq)).toBeUndefined();
    for (const seq of ['0', 'abc', '', '99999999999999999999', `0${a.seq}`]) expect(await store.findEntity('tenant_a', seq)).toBeUndefined();
    expect(await store.findEntityByOuterInfo('tenant_a', { provider: 'star', outerId: 'k8s' })).toEqual(a);
    expect(await store.findEntityByOuterInfo('tenant_b', { provider: 'star', outerId: 'k8s' })).toBeUndefined();
    expect(await store.findEntityByOuterInfo('tenant_a', { provider: 'star', outerId: 'K8S' })).toBeUndefined();
    expect(await derived(a.seq)).toEqual({
      terms: ['Kubernetes', 'Kubernetes container orchestration', 'K8s', 'kube', 'Kubernetes is a term', 'container orchestration'],
      images: ['boxbc1'],
      classifications: [],
    });
  });

  it('seqs are never reused: an entity made after a delete gets a new one', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const a = inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content('a'))));
    expect(await store.deleteEntity('tenant_a', a.seq)).toBe(true);
    const b = inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content('b'))));
    expect(Number(b.seq)).toBeGreaterThan(Number(a.seq));
  });

  it('outer_info is unique per tenant: taken on insert and on replace (nothing written), free again after a delete, reusable by another tenant', async () => {
    const store = stores.open();
    const repoA = await store.companyRepo('tenant_a');
    const repoB = await store.companyRepo('tenant_b');
    const other = await store.createRepo('tenant_a', 'other');
    const outer = { provider: 'crm', outerId: 'c_1' };
    const first = inserted(await store.insertEntity(entityRow('tenant_a', repoA.id, content('first', { outerInfo: outer }))));
    const version = await store.glossaryVersion('tenant_a');

    // Same tenant, even in another repo: taken, and neither the row nor the version moved.
    expect(await store.insertEntity(entityRow('tenant_a', other.id, content('dup', { outerInfo: outer })))).toBe('outer-info-taken');
    const second = inserted(await store.insertEntity(entityRow('tenant_a', repoA.id, content('second', { outerInfo: { provider: 'crm', outerId: 'c_2' } }))));
    const afterSecond = await store.glossaryVersion('tenant_a');
    expect(await store.replaceEntity('tenant_a', second.seq, content('second v2', { outerInfo: outer }), 'cli_b', t0 + 5)).toBe('outer-info-taken');
    expect(await store.findEntity('tenant_a', second.seq)).toEqual(second);
    expect((await derived(second.seq)).terms).toEqual(['second', 'second is a term']);
    expect(await store.glossaryVersion('tenant_a')).toBe(afterSecond);
    expect(afterSecond).toBe(version + 1);
    expect((await store.listEntities({ tenantKey: 'tenant_a', repoId: other.id, provider: null, afterSeq: null, limit: 10 })).length).toBe(0);

    // Keeping one's own outer_info on replace is fine; another tenant may use the same pair.
    expect(
      inserted(await store.replaceEntity('tenant_a', first.seq, content('first v2', { outerInfo: outer }), 'cli_b', t0 + 1)).content.mainKeys[0]?.key,
    ).toBe('first v2');
    inserted(await store.insertEntity(entityRow('tenant_b', repoB.id, content('b', { outerInfo: outer }))));
    // Dropping it on replace frees it; so does a delete.
    inserted(await store.replaceEntity('tenant_a', first.seq, content('first v3'), 'cli_b', t0 + 2));
    const third = inserted(await store.insertEntity(entityRow('tenant_a', repoA.id, content('third', { outerInfo: outer }))));
    expect(await store.deleteEntity('tenant_a', third.seq)).toBe(true);
    inserted(await store.insertEntity(entityRow('tenant_a', repoA.id, content('fourth', { outerInfo: outer }))));
  });

  it('outer_info: of 12 concurrent inserts with one pair on two stores, exactly one wins and the rest are told it is taken', async () => {
    const [one, two] = [stores.open(), stores.open()];
    const repo = await one.companyRepo('tenant_a');
    await two.companyRepo('tenant_a');
    const outer = { provider: 'crm', outerId: 'same' };
    const writes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).insertEntity(entityRow('tenant_a', repo.id, content(`e${i}`, { outerInfo: outer })))),
    );
    expect(writes.filter((w) => w !== 'outer-info-taken')).toHaveLength(1);
    expect(await stores.space.query('SELECT seq FROM entities')).toHaveLength(1);
  });

  it('replaceEntity replaces content, keys, images and classifications together; creator, create time, repo and source stay', async () => {
    const store = stores.open();
    const repo = await store.createRepo('tenant_a', 'r');
    const tech = await store.createClassification({ repoId: repo.id, name: 'tech', fatherId: null, i18nNames: [] });
    const db = await store.createClassification({ repoId: repo.id, name: 'db', fatherId: tech.id, i18nNames: [] });
    const ops = await store.createClassification({ repoId: repo.id, name: 'ops', fatherId: tech.id, i18nNames: [] });
    const before = inserted(
      await store.insertEntity(
        entityRow(
          'tenant_a',
          repo.id,
          content('Postgres', {
            aliases: [term('pg')],
            relatedMeta: relatedMeta({ images: [{ token: 'boxbc1' }, { token: 'boxbc2' }], classifications: [{ id: db.id }] }),
            outerInfo: { provider: 'crm', outerId: 'pg' },
          }),
          { creator: 'ou_creator', source: 2 },
        ),
      ),
    );
    const next = content('PostgreSQL', {
      aliases: [term('postgres'), term('psql')],
      relatedMeta: relatedMeta({ images: [{ token: 'boxbc3' }], classifications: [{ id: ops.id, fatherId: tech.id }] }),
    });
    const after = inserted(await store.replaceEntity('tenant_a', before.seq, next, 'cli_b', t0 + 60_000));
    expect(after).toEqual({ ...before, content: next, updater: 'cli_b', updatedAtMs: t0 + 60_000 });
    expect(await store.findEntity('tenant_a', before.seq)).toEqual(after);
    expect(await derived(before.seq)).toEqual({
      terms: ['PostgreSQL', 'postgres', 'psql', 'PostgreSQL is a term'],
      images: ['boxbc3'],
      classifications: [ops.id],
    });
    expect(await store.matchEntities('tenant_a', repo.id, 'pg')).toEqual([]);
    expect(await store.matchEntities('tenant_a', repo.id, 'psql')).toEqual([{ seq: before.seq, type: 2 }]);
    // The outer_info went with the old content.
    expect(await store.findEntityByOuterInfo('tenant_a', { provider: 'crm', outerId: 'pg' })).toBeUndefined();

    expect(await store.replaceEntity('tenant_b', before.seq, next, 'cli_b', t0)).toBe('missing');
    expect(await store.replaceEntity('tenant_a', '987654321', next, 'cli_b', t0)).toBe('missing');
    expect(await store.replaceEntity('tenant_a', 'enterprise_1', next, 'cli_b', t0)).toBe('missing');
  });

  it('deleteEntity: gone with its derived rows; a second delete, another tenant’s and an odd id say false', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    const e = inserted(
      await store.insertEntity(
        entityRow('tenant_a', repo.id, content('gone', { aliases: [term('g')], relatedMeta: relatedMeta({ images: [{ token: 'boxbc1' }] }) })),
      ),
    );
    expect(await store.deleteEntity('tenant_b', e.seq)).toBe(false);
    expect(await store.deleteEntity('tenant_a', e.seq)).toBe(true);
    expect(await store.deleteEntity('tenant_a', e.seq)).toBe(false);
    expect(await store.deleteEntity('tenant_a', 'x')).toBe(false);
    expect(await store.findEntity('tenant_a', e.seq)).toBeUndefined();
    expect(await derived(e.seq)).toEqual({ terms: [], images: [], classifications: [] });
  });

  it('version: 0 at first, one step per successful write of the tenant, none for a refused one; other tenants count apart', async () => {
    const store = stores.open();
    const repo = await store.companyRepo('tenant_a');
    expect(await store.glossaryVersion('tenant_a')).toBe(0);
    const e = inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content('a', { outerInfo: { provider: 'p1', outerId: 'o' } }))));
    expect(await store.glossaryVersion('tenant_a')).toBe(1);
    inserted(await store.replaceEntity('tenant_a', e.seq, content('a2', { outerInfo: { provider: 'p1', outerId: 'o' } }), 'u', t0));
    expect(await store.glossaryVersion('tenant_a')).toBe(2);
    expect(await store.insertEntity(entityRow('tenant_a', repo.id, content('b', { outerInfo: { provider: 'p1', outerId: 'o' } })))).toBe('outer-info-taken');
    expect(await store.replaceEntity('tenant_a', '987654321', content('x'), 'u', t0)).toBe('missing');
    expect(await store.deleteEntity('tenant_a', '987654321')).toBe(false);
    expect(await store.glossaryVersion('tenant_a')).toBe(2);
    expect(await store.deleteEntity('tenant_a', e.seq)).toBe(true);
    expect(await store.glossaryVersion('tenant_a')).toBe(3);
    expect(await store.glossaryVersion('tenant_b')).toBe(0);
  });

  it('highlightChangesSince: highlightable keys (searchable or not) of the company-wide repo; [] for deleted entities and other repos; only what changed', async () => {
    const store = stores.open();
    const company = await store.companyRepo('tenant_a');
    const other = await store.createRepo('tenant_a', 'other');
    const a = inserted(
      await store.insertEntity(
        entityRow(
          'tenant_a',
          company.id,
          content('飞书', {
            fullNames: [term('飞书办公套件'), term('hidden full', { highlight: false })],
            aliases: [term('Feishu'), term('unsearchable', { search: false }), term('Lark')],
          }),
        ),
      ),
    );
    const b = inserted(await store.insertEntity(entityRow('tenant_a', company.id, content(term('quiet', { highlight: false })))));
    const c = inserted(await store.insertEntity(entityRow('tenant_a', other.id, content('elsewhere'))));
    inserted(await store.insertEntity(entityRow('tenant_b', (await store.companyRepo('tenant_b')).id, content('tenant b'))));

    const all = await store.highlightChangesSince('tenant_a', 0);
    expect(all).toEqual({
      version: 3,
      changed: [
        { seq: a.seq, keys: ['飞书', '飞书办公套件', 'Feishu', 'unsearchable', 'Lark'] },
        { seq: b.seq, keys: [] },
        { seq: c.seq, keys: [] },
      ],
    });
    expect(await store.highlightChangesSince('tenant_a', 3)).toEqual({ version: 3, changed: [] });

    inserted(await store.replaceEntity('tenant_a', b.seq, content('loud'), 'u', t0));
    expect(await store.highlightChangesSince('tenant_a', 3)).toEqual({ version: 4, changed: [{ seq: b.seq, keys: ['loud'] }] });
    expect(await store.deleteEntity('tenant_a', a.seq)).toBe(true);
    const d = inserted(await store.insertEntity(entityRow('tenant_a', company.id, content('新词'))));
    expect(await store.highlightChangesSince('tenant_a', 4)).toEqual({
      version: 6,
      changed: [
        { seq: a.seq, keys: [] },
        { seq: d.seq, keys: ['新词'] },
      ],
    });
    // From 0 after all that: each entity once, with its keys now.
    expect((await store.highlightChangesSince('tenant_a', 0)).changed).toEqual([
      { seq: a.seq, keys: [] },
      { seq: b.seq, keys: ['loud'] },
      { seq: c.seq, keys: [] },
      { seq: d.seq, keys: ['新词'] },
    ]);
  });

  it('a reader applying deltas while two stores write concurrently ends with exactly the glossary as it is', async () => {
    const [one, two, reader] = [stores.open(), stores.open(), stores.open()];
    const repo = await one.companyRepo('tenant_a');
    const seqs: string[] = [];
    const writer = async (store: GlossaryStore, w: number) => {
      for (let i = 0; i < 30; i++) {
        const mine = seqs.filter((_, j) => j % 2 === w);
        if (i % 5 === 4 && mine.length > 0) await store.deleteEntity('tenant_a', mine[0]!).then(() => seqs.splice(seqs.indexOf(mine[0]!), 1));
        else if (i % 3 === 2 && mine.length > 0) await store.replaceEntity('tenant_a', mine.at(-1)!, content(`w${w}-r${i}`), 'u', t0 + i);
        else seqs.push(inserted(await store.insertEntity(entityRow('tenant_a', repo.id, content(`w${w}-${i}`)))).seq);
      }
    };
    const state = new Map<string, string[]>();
    let version = 0;
    let writing = true;
    const read = async () => {
      for (let polls = 0; polls < 10_000 && writing; polls++) {
        const delta = await reader.highlightChangesSince('tenant_a', version);
        expect(delta.version).toBeGreaterThanOrEqual(version);
        for (const { seq, keys } of delta.changed) state.set(seq, keys);
        version = delta.version;
      }
    };
    const reading = read();
    await Promise.all([writer(one, 0), writer(two, 1)]);
    writing = false;
    await reading;
    const last = await reader.highlightChangesSince('tenant_a', version);
    for (const { seq, keys } of last.changed) state.set(seq, keys);
    expect(last.version).toBe(60);
    const truth = await reader.highlightChangesSince('tenant_a', 0);
    expect(new Map(truth.changed.map((c) => [c.seq, c.keys]))).toEqual(state);
  });

  it('pageTokenKey: 32 bytes made once per database; concurrent first callers on two stores agree', async () => {
    const [one, two] = [stores.open(), stores.open()];
    const keys = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).pageTokenKey()));
    expect(keys[0]).toHaveLength(32);
    for (const k of keys) expect(k.equals(keys[0]!)).toBe(true);
    expect((await stores.open().pageTokenKey()).equals(keys[0]!)).toBe(true);
  });
}

describe('EntityStore contract: SQLite', () => entityStoreContract(sqliteGlossarySpace));
describeWithServices(['postgres'], 'EntityStore contract: PostgreSQL', () => entityStoreContract(postgresGlossarySpace));
