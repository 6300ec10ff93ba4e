import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import {
  classificationTree,
  companyRepoId,
  createEntity,
  entityData,
  expectInvalid,
  newWriter,
  term,
  type EntityData,
  type Writer,
} from '../helpers/lingo-entities.js';
import type { AxiosError } from 'axios';
import { sdkFailure, type Wire } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * Every validation rule of spec §3, one test each, through the official SDK: 400 2250001 naming
 * exactly the offending wire field, and nothing written.
 */
describe('entity body rules (spec §3)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  const create = (w: Writer, data: EntityData) => sdkFailure(() => w.client.lingo.v1.entity.create({ data }));

  /** The body is refused on `fields` and the tenant's company-wide repo stays empty. */
  async function refused(data: EntityData, fields: string[], w?: Writer): Promise<void> {
    const writer = w ?? (await newWriter(server));
    expectInvalid(await create(writer, data), fields);
    const list = await writer.client.lingo.v1.entity.list({ params: { page_size: 100 } });
    expect(list.data?.entities).toEqual([]);
  }

  const chars = (n: number, c = 'x') => c.repeat(n);

  it('main_keys empty', () => refused(entityData('k', { main_keys: [] }), ['main_keys']));
  it('main_keys with two items', () => refused(entityData('k', { main_keys: [term('a'), term('b')] }), ['main_keys']));
  it('11 aliases', () => refused(entityData('k', { aliases: Array.from({ length: 11 }, (_, i) => term(`a${i}`)) }), ['aliases']));
  it('description of 5001 characters', () => refused(entityData('k', { description: chars(5001) }), ['description']));
  it('rich_text of 5001 characters', () => refused(entityData('k', { rich_text: `<p>${chars(4994)}</p>` }), ['rich_text']));
  it('neither description nor rich_text', () => refused({ main_keys: [term('k')] }, ['description']));
  it('rich_text without a <p>', () => refused(entityData('k', { rich_text: '<b>bold</b> text' }), ['rich_text']));

  it('4 i18n_descs', () => {
    const i18n_descs = [1, 2, 3, 1].map((language) => ({ language, description: 'd' }));
    return refused(entityData('k', { i18n_descs }), ['i18n_descs']);
  });
  it('an i18n_descs language of 4', () => refused(entityData('k', { i18n_descs: [{ language: 4, description: 'd' }] }), ['i18n_descs[0].language']));

  it('provider of 1 character', () => refused(entityData('k', { outer_info: { provider: 'p', outer_id: 'o' } }), ['outer_info.provider']));
  it('provider of 33 characters', () => refused(entityData('k', { outer_info: { provider: chars(33), outer_id: 'o' } }), ['outer_info.provider']));
  it('outer_id of 65 characters', () => refused(entityData('k', { outer_info: { provider: 'pp', outer_id: chars(65) } }), ['outer_info.outer_id']));
  it('a "-" in provider', () => refused(entityData('k', { outer_info: { provider: 'my-crm', outer_id: 'o' } }), ['outer_info.provider']));
  it('a "-" in outer_id', () => refused(entityData('k', { outer_info: { provider: 'crm', outer_id: 'c-1' } }), ['outer_info.outer_id']));

  it('a doc url not matching the pattern', () =>
    refused(entityData('k', { related_meta: { docs: [{ title: 'd', url: 'javascript:alert(1)' }] } }), ['related_meta.docs[0].url']));
  it('a link url not matching the pattern', () =>
    refused(entityData('k', { related_meta: { links: [{ url: 'https://example.com/a b' }] } }), ['related_meta.links[0].url']));

  it('11 images', () => {
    const images = Array.from({ length: 11 }, () => ({ token: 'boxbc0000000000000000000000' }));
    return refused(entityData('k', { related_meta: { images } }), ['related_meta.images']);
  });
  it('an unknown image token', () =>
    refused(entityData('k', { related_meta: { images: [{ token: 'boxbc0000000000000000000000' }] } }), ['related_meta.images[0].token']));

  it('an image token uploaded by another tenant', async () => {
    const other = await newWriter(server);
    const uploaded = await other.client.lingo.v1.file.upload({ data: { name: 'theirs.png', file: await makeImage('png', 400, 400) } });
    const token = uploaded!.file_token!;
    // The owner may use it; a writer of another tenant may not.
    await createEntity(other, entityData('theirs', { related_meta: { images: [{ token }] } }));
    await refused(entityData('k', { related_meta: { images: [{ token }] } }), ['related_meta.images[0].token']);
  });

  it('a first-level classification', async () => {
    const w = await newWriter(server);
    const tree = await classificationTree(server, await companyRepoId(server, w), 'Finance', ['Banking']);
    await refused(entityData('k', { related_meta: { classifications: [{ id: tree.parent }] } }), ['related_meta.classifications[0].id'], w);
  });

  it('two second-level classifications under one parent', async () => {
    const w = await newWriter(server);
    const tree = await classificationTree(server, await companyRepoId(server, w), 'Finance', ['Banking', 'Insurance']);
    const classifications = tree.children.map((id) => ({ id }));
    await refused(entityData('k', { related_meta: { classifications } }), ['related_meta.classifications[1].id'], w);
  });

  it('a classification of another repo or that does not exist', async () => {
    const w = await newWriter(server);
    const elsewhere = await server.app.glossary.createRepo(w.creds.tenant_key, 'elsewhere');
    const tree = await classificationTree(server, elsewhere.id, 'Finance', ['Banking']);
    const classifications = [{ id: tree.children[0]! }, { id: '9999999999' }];
    await refused(entityData('k', { related_meta: { classifications } }), ['related_meta.classifications[0].id', 'related_meta.classifications[1].id'], w);
  });

  it('second-level classifications under different parents are kept, each with its father_id', async () => {
    const w = await newWriter(server);
    const repoId = await companyRepoId(server, w);
    const a = await classificationTree(server, repoId, 'Finance', ['Banking']);
    const b = await classificationTree(server, repoId, 'Region', ['EMEA']);
    const e = await createEntity(w, entityData('k', { related_meta: { classifications: [{ id: a.children[0]! }, { id: b.children[0]! }] } }));
    expect(e.related_meta?.classifications).toEqual([
      { id: a.children[0], father_id: a.parent },
      { id: b.children[0], father_id: b.parent },
    ]);
  });

  it('a duplicate outer_info in the same tenant, on create and on update; another tenant may use it', async () => {
    const w = await newWriter(server);
    const outer_info = { provider: 'crm', outer_id: 'c_1' };
    await createEntity(w, entityData('first', { outer_info }));
    // Another app of the same tenant shares the tenant's outer_info space.
    const sibling = await newWriter(server, { tenantKey: w.creds.tenant_key });
    expectInvalid(await create(sibling, entityData('second', { outer_info })), ['outer_info']);
    const other = await createEntity(w, entityData('other', { outer_info: { provider: 'crm', outer_id: 'c_2' } }));
    const f = await sdkFailure(() => w.client.lingo.v1.entity.update({ path: { entity_id: other.id! }, data: entityData('other', { outer_info }) }));
    expectInvalid(f, ['outer_info']);
    await createEntity(await newWriter(server), entityData('elsewhere', { outer_info }));
  });

  it('concurrent creates with one outer_info: exactly one wins, the others are 400 on outer_info', async () => {
    const w = await newWriter(server);
    const outer_info = { provider: 'crm', outer_id: 'race' };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        w.client.lingo.v1.entity.create({ data: entityData(`racer ${i}`, { outer_info }) }).then(
          (res) => `${res.code}`,
          (err: AxiosError<Wire>) =>
            `${err.response?.status} ${err.response?.data.code} ${err.response?.data.error?.field_violations?.map((v) => v.field).join()}`,
        ),
      ),
    );
    expect(outcomes.sort()).toEqual(['0', ...Array<string>(7).fill('400 2250001 outer_info')]);
    const list = await w.client.lingo.v1.entity.list({});
    expect(list.data?.entities).toHaveLength(1);
  });

  it('update keeps its own outer_info without calling it a duplicate', async () => {
    const w = await newWriter(server);
    const outer_info = { provider: 'crm', outer_id: 'c_1' };
    const e = await createEntity(w, entityData('first', { outer_info }));
    const res = await w.client.lingo.v1.entity.update({ path: { entity_id: e.id! }, data: entityData('renamed', { outer_info }) });
    expect(res.data?.entity?.outer_info).toEqual(outer_info);
  });

  it('every limit met exactly is accepted (characters are code points: 5000 emoji is 5000 characters)', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, {
      main_keys: [term('k')],
      aliases: Array.from({ length: 10 }, (_, i) => term(`a${i}`)),
      description: chars(5000, '😀'),
      i18n_descs: [1, 2, 3].map((language) => ({ language, description: 'd' })),
      outer_info: { provider: chars(32), outer_id: chars(64) },
    });
    expect(e.aliases).toHaveLength(10);
    const short = await createEntity(w, entityData('k2', { outer_info: { provider: 'pp', outer_id: 'o' } }));
    expect(short.outer_info).toEqual({ provider: 'pp', outer_id: 'o' });
  });

  it('the same rules on update, and a refused update changes nothing', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('k'));
    const f = await sdkFailure(() =>
      w.client.lingo.v1.entity.update({ path: { entity_id: e.id! }, data: entityData('k', { aliases: Array(11).fill(term('a')) }) }),
    );
    expectInvalid(f, ['aliases']);
    expect((await w.client.lingo.v1.entity.get({ path: { entity_id: e.id! } })).data?.entity).toEqual(e);
  });

  it('one 400 lists every violation of a body', async () => {
    const w = await newWriter(server);
    const f = await create(w, {
      main_keys: [],
      description: chars(5001),
      outer_info: { provider: 'p', outer_id: 'a-b' },
      i18n_descs: [{ language: 9 }],
    });
    expectInvalid(f, ['main_keys', 'description', 'outer_info.provider', 'outer_info.outer_id', 'i18n_descs[0].language']);
  });

  it('unknown and read-only body fields are ignored', async () => {
    const w = await newWriter(server);
    const data = {
      ...entityData('k'),
      id: 'enterprise_1',
      creator: 'ou_forged',
      create_time: '1',
      statistics: { like_count: 9, dislike_count: 9 },
      source: 1,
      repo_id: '123',
      whatever: { nested: [1, 2, 3] },
    } as EntityData;
    const e = await createEntity(w, data);
    expect(e.id).not.toBe('enterprise_1');
    expect([e.creator, e.source, e.statistics]).toEqual([w.creds.app_id, 4, { like_count: 0, dislike_count: 0 }]);
    expect(Number(e.create_time)).toBeGreaterThan(1);
    expect(e).not.toHaveProperty('whatever');
    // repo_id is read from the query only (lark-cli puts it in the body): the company-wide repo.
    const list = await w.client.lingo.v1.entity.list({ params: { page_size: 100 } });
    expect(list.data?.entities?.map((x) => x.id)).toEqual([e.id]);
  });
});
