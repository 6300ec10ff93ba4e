import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityData, glossaryCli, tenantKeyFor } from '../helpers/lingo.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Classifications (spec §11, §17.5): two levels per repo, created with the CLI (the open API
// has no write), listed and used through the official SDK. Bulk setup goes through the server's
// glossary store, which is what the CLI command calls, to spare a ~2 s process per row.
describe('classifications: two levels per repo', () => {
  let server: TestServer;
  let cli: ReturnType<typeof glossaryCli>;
  beforeAll(async () => {
    server = await startServer();
    cli = glossaryCli(server.dataDir);
  });
  afterAll(() => server.close());

  it('classification create: first level, second level with --parent (father_id), and in a granted repo with --repo-id', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity:readonly'] });
    const client = server.sdk(creds);
    const repo = await server.app.glossary.createRepo(creds.tenant_key, 'other');
    await server.app.glossary.grantRepo(repo.id, creds.app_id);
    const json = (r: { status: number; stdout: string; stderr: string }) => {
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { id: string; name: string; father_id?: string };
    };
    const [top, inRepo] = (
      await Promise.all([
        cli.runAsync(['classification', 'create', '--tenant', creds.tenant_key, '--name', 'Products', '--json']),
        cli.runAsync(['classification', 'create', '--tenant', creds.tenant_key, '--name', 'Elsewhere', '--repo-id', repo.id, '--json']),
      ])
    ).map(json);
    expect(top).toEqual({ id: expect.stringMatching(/^[1-9][0-9]*$/), name: 'Products' });
    expect(inRepo).toEqual({ id: expect.stringMatching(/^[1-9][0-9]*$/), name: 'Elsewhere' });
    const child = cli.classificationCreate(creds.tenant_key, 'Lingo', { parent: top!.id });
    expect(child).toEqual({ id: expect.stringMatching(/^[1-9][0-9]*$/), name: 'Lingo', father_id: top!.id });
    expect((await client.lingo.v1.classification.list({})).data!.items).toEqual([top, child]);

    expect((await client.lingo.v1.classification.list({ params: { repo_id: repo.id } })).data!.items).toEqual([inRepo]);
  });

  it('classification.list pages through both levels: page_size 20, has_more, and listWithIterator walks them all', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity'] });
    const client = server.sdk(creds);
    const repo = await server.app.glossary.companyRepo(creds.tenant_key);
    const expected: { id: string; name: string; father_id?: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const parent = await server.app.glossary.createClassification({ repoId: repo.id, name: `top ${i}`, fatherId: null, i18nNames: [] });
      expected.push({ id: parent.id, name: parent.name });
      for (let j = 0; j < 3; j++) {
        const c = await server.app.glossary.createClassification({ repoId: repo.id, name: `sub ${i}.${j}`, fatherId: parent.id, i18nNames: [] });
        expected.push({ id: c.id, name: c.name, father_id: parent.id });
      }
    }
    const first = await client.lingo.v1.classification.list({});
    expect(first.data!.items).toEqual(expected.slice(0, 20));
    expect(first.data!.has_more).toBe(true);
    expect(first.data!.page_token).toEqual(expect.any(String));

    const walked: unknown[] = [];
    let pages = 0;
    for await (const page of await client.lingo.v1.classification.listWithIterator({ params: { page_size: 7 } })) {
      expect(++pages).toBeLessThanOrEqual(10);
      walked.push(...(page?.items ?? []));
    }
    expect(pages).toBe(5);
    expect(walked).toEqual(expected);
  });

  it('an entity with a second-level classification gets its father_id; first-level, foreign or same-parent ones → 400; search filters by either level', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity:exempt_review'] });
    const client = server.sdk(creds);
    const repo = await server.app.glossary.companyRepo(creds.tenant_key);
    const make = (name: string, fatherId: string | null) => server.app.glossary.createClassification({ repoId: repo.id, name, fatherId, i18nNames: [] });
    const fruit = await make('fruit', null);
    const citrus = await make('citrus', fruit.id);
    const berry = await make('berry', fruit.id);

    const lemon = (await client.lingo.v1.entity.create({ data: entityData('lemon', { related_meta: { classifications: [{ id: citrus.id }] } }) })).data!
      .entity!;
    expect(lemon.related_meta!.classifications).toEqual([{ id: citrus.id, father_id: fruit.id }]);
    const got = await client.lingo.v1.entity.get({ path: { entity_id: lemon.id! } });
    expect(got.data!.entity!.related_meta!.classifications).toEqual([{ id: citrus.id, father_id: fruit.id }]);
    const cherry = (await client.lingo.v1.entity.create({ data: entityData('cherry', { related_meta: { classifications: [{ id: berry.id }] } }) })).data!
      .entity!;
    const plain = (await client.lingo.v1.entity.create({ data: entityData('fruitless') })).data!.entity!;

    // First-level, another repo's, and two under one parent: each refused, on its own index.
    const elsewhere = await server.app.glossary.createRepo(creds.tenant_key, 'elsewhere');
    const foreignTop = await server.app.glossary.createClassification({ repoId: elsewhere.id, name: 'other', fatherId: null, i18nNames: [] });
    const foreign = await server.app.glossary.createClassification({ repoId: elsewhere.id, name: 'other sub', fatherId: foreignTop.id, i18nNames: [] });
    const bad = [{ id: fruit.id }, { id: foreign.id }, { id: citrus.id }, { id: berry.id }];
    const f = await sdkFailure(() => client.lingo.v1.entity.create({ data: entityData('bad', { related_meta: { classifications: bad } }) }));
    expect([f.status, f.data.code]).toEqual([400, 2250001]);
    expect(f.data.error!.field_violations!.map((v) => v.field)).toEqual([
      'related_meta.classifications[0].id',
      'related_meta.classifications[1].id',
      'related_meta.classifications[3].id',
    ]);

    const search = async (filter: { include?: string[]; exclude?: string[] }) =>
      (await client.lingo.v1.entity.search({ data: { classification_filter: filter } })).data!.entities!.map((e) => e.id);
    expect(await search({ include: [citrus.id] })).toEqual([lemon.id]);
    expect(await search({ include: [fruit.id] })).toEqual([lemon.id, cherry.id]);
    expect(await search({ exclude: [berry.id] })).toEqual([lemon.id, plain.id]);
    expect(await search({ include: [fruit.id], exclude: [citrus.id] })).toEqual([cherry.id]);
  });

  it('a fresh tenant has no classifications: an empty first page without page_token', async () => {
    const client = server.sdk(await server.newApp({ scopes: ['baike:entity:readonly'], tenantKey: tenantKeyFor('empty') }));
    const res = await client.lingo.v1.classification.list({});
    expect(res.data).toEqual({ items: [], has_more: false });
  });
});
