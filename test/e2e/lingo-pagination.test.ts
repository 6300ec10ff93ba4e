import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { content, entityRow } from '../helpers/glossary.js';
import { createEntity, entityData, entitiesPath, expectInvalid, newRepo, newWriter, term, type Writer } from '../helpers/lingo-entities.js';
import { request, type RawResponse } from '../helpers/http.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Pagination of list and search (spec §1.5): the SDK iterators, the last page, and page tokens. */
describe('pagination of entity.list and entity.search', () => {
  let server: TestServer;
  /** A writer whose granted repo holds 250 entities `term 0`…`term 249`, in that (creation) order. */
  let big: Writer;
  let bigRepo: string;
  let bigIds: string[];

  beforeAll(async () => {
    // Tier 3 off: the property test writes more than 100 entities a minute through the API.
    server = await startServer({ rateLimitWritesPerMinute: 0 });
    big = await newWriter(server);
    bigRepo = await newRepo(server, big);
    bigIds = [];
    // Seeded through the store: the subject here is reading, and 250 API creates would only be slower.
    for (let i = 0; i < 250; i++) {
      const row = await server.app.glossary.insertEntity(entityRow(big.creds.tenant_key, bigRepo, content(`term ${i}`)));
      if (typeof row === 'string') throw new Error(row);
      bigIds.push(`enterprise_${row.seq}`);
    }
  });
  afterAll(() => server.close());

  /** A raw GET or POST with the writer's tenant token. */
  const raw = (w: Writer, method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawResponse> =>
    request(server.baseUrl, {
      method,
      path,
      headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  for (const pageSize of [100, undefined]) {
    const label = pageSize === undefined ? 'the default page size (20)' : `page_size ${pageSize}`;

    it(`listWithIterator walks all 250 entities in creation order with ${label}`, async () => {
      const pages: number[] = [];
      const ids: string[] = [];
      const iterator = await big.client.lingo.v1.entity.listWithIterator({ params: { repo_id: bigRepo, ...(pageSize && { page_size: pageSize }) } });
      for await (const page of iterator) {
        pages.push(page?.entities?.length ?? 0);
        ids.push(...(page?.entities ?? []).map((e) => e.id!));
        if (pages.length > 50) break;
      }
      expect(ids).toEqual(bigIds);
      expect(pages).toEqual(pageSize === 100 ? [100, 100, 50] : [...Array<number>(12).fill(20), 10]);
    });

    it(`searchWithIterator walks all 250 matches with ${label}`, async () => {
      const ids: string[] = [];
      const iterator = await big.client.lingo.v1.entity.searchWithIterator({
        params: { repo_id: bigRepo, ...(pageSize && { page_size: pageSize }) },
        data: { query: 'TERM' },
      });
      let pages = 0;
      for await (const page of iterator) {
        ids.push(...(page?.entities ?? []).map((e) => e.id!));
        if (++pages > 50) break;
      }
      // Every hit is a main-key hit, so the order is the creation order.
      expect(ids).toEqual(bigIds);
    });
  }

  it('page_size above 100, zero, or not a number: 400 on page_size, for list and search', async () => {
    for (const size of ['101', '0', '-1', '1e2', 'abc']) {
      const list = await raw(big, 'GET', `${entitiesPath}?page_size=${size}`);
      expect([list.status, list.json().code, list.json().error.field_violations[0].field], size).toEqual([400, 2250001, 'page_size']);
      const search = await raw(big, 'POST', `${entitiesPath}/search?page_size=${size}`, {});
      expect([search.status, search.json().code, search.json().error.field_violations[0].field], size).toEqual([400, 2250001, 'page_size']);
    }
    const f = await sdkFailure(() => big.client.lingo.v1.entity.list({ params: { page_size: 101 } }));
    expectInvalid(f, ['page_size']);
  });

  it('the last page says has_more false and has no page_token key at all (raw HTTP)', async () => {
    const w = await newWriter(server);
    const empty = (await raw(w, 'GET', entitiesPath)).json();
    expect(empty.data).toEqual({ entities: [], has_more: false });
    for (let i = 0; i < 4; i++) await createEntity(w, entityData(`k${i}`));
    const first = (await raw(w, 'GET', `${entitiesPath}?page_size=2`)).json();
    expect(first.data.has_more).toBe(true);
    expect(first.data.page_token).toMatch(/^[A-Za-z0-9_-]+$/);
    const last = (await raw(w, 'GET', `${entitiesPath}?page_size=2&page_token=${first.data.page_token}`)).json();
    expect(last.data.entities).toHaveLength(2);
    expect(last.data.has_more).toBe(false);
    expect(Object.keys(last.data).sort()).toEqual(['entities', 'has_more']);
    const search = (await raw(w, 'POST', `${entitiesPath}/search?page_size=4`, { query: 'k' })).json();
    expect(search.data.entities).toHaveLength(4);
    expect(Object.keys(search.data).sort()).toEqual(['entities', 'has_more']);
  });

  it('a tampered, truncated or made-up page_token: 400 on page_token', async () => {
    const first = (await raw(big, 'GET', `${entitiesPath}?repo_id=${bigRepo}&page_size=5`)).json();
    const token: string = first.data.page_token;
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const middle = Math.floor(token.length / 2);
    const altered = token.slice(0, middle) + (token[middle] === 'x' ? 'y' : 'x') + token.slice(middle + 1);
    for (const bad of [flipped, altered, token.slice(0, -2), 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '0123456789abcdef', '%E2%9C%93']) {
      const res = await raw(big, 'GET', `${entitiesPath}?repo_id=${bigRepo}&page_size=5&page_token=${bad}`);
      expect([res.status, res.json().code, res.json().error.field_violations.map((v: { field: string }) => v.field)], bad).toEqual([
        400,
        2250001,
        ['page_token'],
      ]);
    }
    // The genuine token still works.
    const next = (await raw(big, 'GET', `${entitiesPath}?repo_id=${bigRepo}&page_size=5&page_token=${token}`)).json();
    expect(next.data.entities.map((e: { id: string }) => e.id)).toEqual(bigIds.slice(5, 10));
  });

  it('a page_token is refused by another listing: search, another repo, another provider or query, another tenant', async () => {
    const listToken: string = (await raw(big, 'GET', `${entitiesPath}?repo_id=${bigRepo}&page_size=5`)).json().data.page_token;
    const searchToken: string = (await raw(big, 'POST', `${entitiesPath}/search?repo_id=${bigRepo}&page_size=5`, { query: 'term' })).json().data.page_token;
    const stranger = await newWriter(server);
    const attempts: [string, Promise<RawResponse>][] = [
      ['list token on search', raw(big, 'POST', `${entitiesPath}/search?repo_id=${bigRepo}&page_size=5&page_token=${listToken}`, { query: 'term' })],
      ['list token on the company-wide repo', raw(big, 'GET', `${entitiesPath}?page_size=5&page_token=${listToken}`)],
      ['list token with a provider filter', raw(big, 'GET', `${entitiesPath}?repo_id=${bigRepo}&provider=crm&page_size=5&page_token=${listToken}`)],
      ['search token on list', raw(big, 'GET', `${entitiesPath}?repo_id=${bigRepo}&page_size=5&page_token=${searchToken}`)],
      [
        'search token with another query',
        raw(big, 'POST', `${entitiesPath}/search?repo_id=${bigRepo}&page_size=5&page_token=${searchToken}`, { query: 'ter' }),
      ],
      ['list token of another tenant', raw(stranger, 'GET', `${entitiesPath}?page_size=5&page_token=${listToken}`)],
    ];
    for (const [name, pending] of attempts) {
      const res = await pending;
      expect([res.status, res.json().code, res.json().error.field_violations[0].field], name).toEqual([400, 2250001, 'page_token']);
    }
    // A different page_size is the same listing: the token continues it.
    const res = await raw(big, 'GET', `${entitiesPath}?repo_id=${bigRepo}&page_size=7&page_token=${listToken}`);
    expect(res.json().data.entities.map((e: { id: string }) => e.id)).toEqual(bigIds.slice(5, 12));
  });

  it('list with provider returns only the entities of that provider', async () => {
    const w = await newWriter(server);
    const a = await createEntity(w, entityData('a', { outer_info: { provider: 'crm', outer_id: '1' } }));
    await createEntity(w, entityData('b', { outer_info: { provider: 'erp', outer_id: '1' } }));
    await createEntity(w, entityData('c'));
    const c = await createEntity(w, entityData('d', { outer_info: { provider: 'crm', outer_id: '2' } }));
    const res = await w.client.lingo.v1.entity.list({ params: { provider: 'crm' } });
    expect(res.data?.entities?.map((e) => e.id)).toEqual([a.id, c.id]);
  });

  /**
   * While a client pages through list or search, others insert and delete entities between its
   * pages. Every entity present from the first page to the last is seen exactly once, none is
   * seen twice, and every entity seen existed at some point of the walk. Search entities hit by
   * main key, alias or description in turn, so that its walk crosses ranks as well as seqs.
   */
  const shapes = [
    (n: number) => entityData(`hit${n}`),
    (n: number) => entityData(`x${n}`, { aliases: [term(`alias hit${n}`)] }),
    (n: number) => ({ main_keys: [term(`y${n}`)], description: `a hit, ${n}` }),
  ];
  for (const walk of ['list', 'search'] as const) {
    it(`property: ${walk} paged under concurrent inserts and deletes sees every lasting entity exactly once`, async () => {
      const between = fc.record({ inserts: fc.integer({ min: 0, max: 3 }), deletes: fc.array(fc.nat(), { maxLength: 3 }) });
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 15 }),
          fc.integer({ min: 1, max: 6 }),
          fc.array(between, { maxLength: 12 }),
          async (initial, pageSize, changes) => {
            const w = await newWriter(server);
            let counter = 0;
            const add = async () => {
              const n = counter++;
              return (await createEntity(w, shapes[n % shapes.length]!(n))).id!;
            };
            const page = async (token: string | undefined) => {
              const params = { page_size: pageSize, ...(token && { page_token: token }) };
              const res =
                walk === 'list' ? await w.client.lingo.v1.entity.list({ params }) : await w.client.lingo.v1.entity.search({ params, data: { query: 'HIT' } });
              return res.data;
            };
            const present = new Set<string>();
            for (let i = 0; i < initial; i++) present.add(await add());
            const lasting = new Set(present);
            const everExisted = new Set(present);
            const seen: string[] = [];
            let token: string | undefined;
            // Bounded: each page moves past at least one entity, and at most 15 + 12 × 3 ever exist.
            for (let p = 0; p < 100; p++) {
              const data = await page(token);
              seen.push(...(data?.entities ?? []).map((e) => e.id!));
              if (!data?.has_more) break;
              token = data.page_token;
              const change = changes[p];
              if (change === undefined) continue;
              for (let i = 0; i < change.inserts; i++) {
                const id = await add();
                present.add(id);
                everExisted.add(id);
              }
              for (const n of change.deletes) {
                const victims = [...present];
                if (victims.length === 0) break;
                const id = victims[n % victims.length]!;
                expect((await w.client.lingo.v1.entity.delete({ path: { entity_id: id } })).code).toBe(0);
                present.delete(id);
                lasting.delete(id);
              }
            }
            expect(new Set(seen).size).toBe(seen.length);
            for (const id of lasting) expect(seen).toContain(id);
            for (const id of seen) expect(everExisted.has(id)).toBe(true);
          },
        ),
        { numRuns: 15 },
      );
    });
  }

  it('search pages cross from main-key hits to alias hits to description hits without loss or repeat', async () => {
    const w = await newWriter(server);
    const ids: string[][] = [[], [], []];
    // Interleaved in creation order, so that seq order and rank order differ.
    for (let n = 0; n < 21; n++) ids[n % 3]!.push((await createEntity(w, shapes[n % 3]!(n))).id!);
    const seen: string[] = [];
    const iterator = await w.client.lingo.v1.entity.searchWithIterator({ params: { page_size: 4 }, data: { query: 'hit' } });
    let pages = 0;
    for await (const p of iterator) {
      seen.push(...(p?.entities ?? []).map((e) => e.id!));
      if (++pages > 20) break;
    }
    expect(seen).toEqual([...ids[0]!, ...ids[1]!, ...ids[2]!]);
  });
});
