import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../fixtures/images.js';
import { gc } from '../../src/maintenance/gc.js';
import { companyRepoId, createEntity, entityData, expectInvalid, newRepo, newWriter, term } from '../helpers/lingo-entities.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { readAll } from '../helpers/streams.js';

/** Entity create, get, full-replace update and delete through the official Node SDK (spec §3–§6). */
describe('entities through the official Node SDK', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  const listIds = async (w: Awaited<ReturnType<typeof newWriter>>, repoId?: string) => {
    const res = await w.client.lingo.v1.entity.list({ params: { page_size: 100, ...(repoId !== undefined && { repo_id: repoId }) } });
    return (res.data?.entities ?? []).map((e) => e.id);
  };

  it('create without repo_id goes to the company-wide repo, with string Unix-second times and the app as creator', async () => {
    const w = await newWriter(server);
    const before = Math.floor(Date.now() / 1000);
    const res = await w.client.lingo.v1.entity.create({ data: entityData('Lingo') });
    const after = Math.floor(Date.now() / 1000);
    expect([res.code, res.msg]).toEqual([0, 'success']);
    const e = res.data!.entity!;
    expect(e.id).toMatch(/^enterprise_[1-9][0-9]*$/);
    for (const t of [e.create_time, e.update_time]) {
      expect(t).toMatch(/^[0-9]+$/);
      expect(Number(t)).toBeGreaterThanOrEqual(before);
      expect(Number(t)).toBeLessThanOrEqual(after);
    }
    expect([e.creator, e.updater, e.source]).toEqual([w.creds.app_id, w.creds.app_id, 4]);
    expect(e.statistics).toEqual({ like_count: 0, dislike_count: 0 });
    expect(e.main_keys).toEqual([term('Lingo')]);
    expect(await listIds(w)).toEqual([e.id]);
    expect(await listIds(w, await companyRepoId(server, w))).toEqual([e.id]);
  });

  it('create with the repo_id of a granted repo puts the entity there, not in the company-wide repo', async () => {
    const w = await newWriter(server);
    const repoId = await newRepo(server, w);
    const e = await createEntity(w, entityData('team word'), repoId);
    expect(await listIds(w, repoId)).toEqual([e.id]);
    expect(await listIds(w)).toEqual([]);
    // Entity ids are tenant-wide: get needs no repo_id.
    expect((await w.client.lingo.v1.entity.get({ path: { entity_id: e.id! } })).data?.entity?.main_keys).toEqual([term('team word')]);
  });

  it('create into a repo not granted to the app, unknown, or of another tenant: 400 2250001 on repo_id', async () => {
    const w = await newWriter(server);
    const other = await newWriter(server);
    const ungranted = await newRepo(server, w, { grant: false });
    const foreign = await newRepo(server, other);
    for (const repoId of [ungranted, foreign, '987654321987654321']) {
      const f = await sdkFailure(() => w.client.lingo.v1.entity.create({ data: entityData('x'), params: { repo_id: repoId } }));
      expectInvalid(f, ['repo_id']);
    }
    expect(await listIds(w)).toEqual([]);
  });

  it('get by id and by enterprise_0 + provider + outer_id return the same entity', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC', { outer_info: { provider: 'crm', outer_id: 'c_42' } }));
    const byId = await w.client.lingo.v1.entity.get({ path: { entity_id: e.id! } });
    const byPair = await w.client.lingo.v1.entity.get({ path: { entity_id: 'enterprise_0' }, params: { provider: 'crm', outer_id: 'c_42' } });
    expect(byId.data?.entity).toEqual(e);
    expect(byPair.data?.entity).toEqual(e);
    expect(e.outer_info).toEqual({ provider: 'crm', outer_id: 'c_42' });
  });

  it('enterprise_0 with only one of provider and outer_id, or with a pair that names nothing: 400', async () => {
    const w = await newWriter(server);
    await createEntity(w, entityData('KYC', { outer_info: { provider: 'crm', outer_id: 'c_42' } }));
    const get = (params: Record<string, string>) => () => w.client.lingo.v1.entity.get({ path: { entity_id: 'enterprise_0' }, params });
    expectInvalid(await sdkFailure(get({ provider: 'crm' })), ['outer_id']);
    expectInvalid(await sdkFailure(get({ outer_id: 'c_42' })), ['provider']);
    expectInvalid(await sdkFailure(get({})), ['provider']);
    expectInvalid(await sdkFailure(get({ provider: 'crm', outer_id: 'c_43' })), ['outer_id']);
  });

  it('get of an unknown id, a malformed id, or an entity of another tenant: 400 on entity_id', async () => {
    const w = await newWriter(server);
    const other = await newWriter(server);
    const foreign = await createEntity(other, entityData('theirs'));
    for (const id of ['enterprise_999999999', 'abc', foreign.id!]) {
      expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.get({ path: { entity_id: id } })), ['entity_id']);
    }
  });

  it('an entity of a repo not granted to the app does not exist for it: get, update, delete, abbreviations', async () => {
    const w = await newWriter(server);
    const outsider = await newWriter(server, { tenantKey: w.creds.tenant_key });
    const e = await createEntity(w, entityData('team only', { outer_info: { provider: 'crm', outer_id: 't1' } }), await newRepo(server, w));
    const v1 = outsider.client.lingo.v1.entity;
    expectInvalid(await sdkFailure(() => v1.get({ path: { entity_id: e.id! } })), ['entity_id']);
    expectInvalid(await sdkFailure(() => v1.get({ path: { entity_id: 'enterprise_0' }, params: { provider: 'crm', outer_id: 't1' } })), ['outer_id']);
    expectInvalid(await sdkFailure(() => v1.update({ path: { entity_id: e.id! }, data: entityData('x') })), ['entity_id']);
    expectInvalid(await sdkFailure(() => v1.delete({ path: { entity_id: e.id! } })), ['entity_id']);
    const abbreviation = entityData('short', { related_meta: { abbreviations: [{ id: e.id! }] } });
    expectInvalid(await sdkFailure(() => v1.create({ data: abbreviation })), ['related_meta.abbreviations[0].id']);
    // The app that sees it may relate to it.
    expect((await createEntity(w, abbreviation)).related_meta?.abbreviations).toEqual([{ id: e.id }]);
    expect((await w.client.lingo.v1.entity.get({ path: { entity_id: e.id! } })).data?.entity).toEqual(e);
  });

  it('abbreviations must name entities of the tenant', async () => {
    const w = await newWriter(server);
    const foreign = await createEntity(await newWriter(server), entityData('theirs'));
    const data = entityData('k', { related_meta: { abbreviations: [{ id: foreign.id! }, { id: 'enterprise_999999999' }] } });
    const f = await sdkFailure(() => w.client.lingo.v1.entity.create({ data }));
    expectInvalid(f, ['related_meta.abbreviations[0].id', 'related_meta.abbreviations[1].id']);
    // A malformed id is refused with the body's other shape errors, before any lookup.
    const malformed = entityData('k', { related_meta: { abbreviations: [{ id: 'KYC' }, { id: 'enterprise_0' }] } });
    expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.create({ data: malformed })), [
      'related_meta.abbreviations[0].id',
      'related_meta.abbreviations[1].id',
    ]);
  });

  it('a real entity id wins over provider + outer_id; a bad user_id_type is a 400', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC'));
    const got = await w.client.lingo.v1.entity.get({ path: { entity_id: e.id! }, params: { provider: 'nobody', outer_id: 'nothing' } });
    expect(got.data?.entity?.id).toBe(e.id);
    const f = await sdkFailure(() => w.client.lingo.v1.entity.get({ path: { entity_id: e.id! }, params: { user_id_type: 'email' as 'open_id' } }));
    expectInvalid(f, ['user_id_type']);
  });

  it('update replaces the whole entity: fields not sent are cleared, update_time and updater change, create_time and creator stay', async () => {
    const w = await newWriter(server);
    // Another app of the same tenant, so that the updater visibly changes.
    const editor = await newWriter(server, { tenantKey: w.creds.tenant_key });
    const created = await createEntity(
      w,
      entityData('KYC', {
        full_names: [term('Know Your Customer')],
        aliases: [term('kyc'), term('K.Y.C.')],
        related_meta: { links: [{ title: 'wiki', url: 'https://example.com/kyc' }], users: [{ id: 'ou_1', title: 'owner' }] },
        outer_info: { provider: 'crm', outer_id: 'c_1' },
        i18n_descs: [{ language: 2, description: 'know your customer' }],
      }),
    );
    // Times are whole seconds: wait for the next one so that update_time can differ.
    await new Promise((r) => setTimeout(r, 1100));
    const res = await editor.client.lingo.v1.entity.update({ path: { entity_id: created.id! }, data: { main_keys: [term('KYC2')], description: 'replaced' } });
    expect(res.code).toBe(0);
    const updated = res.data!.entity!;
    expect(updated.id).toBe(created.id);
    expect([updated.creator, updated.create_time]).toEqual([created.creator, created.create_time]);
    expect(updated.updater).toBe(editor.creds.app_id);
    expect(Number(updated.update_time)).toBeGreaterThan(Number(created.update_time));
    expect(updated.main_keys).toEqual([term('KYC2')]);
    expect(updated.description).toBe('replaced');
    expect(updated.aliases).toEqual([]);
    expect(updated.i18n_descs).toEqual([]);
    expect(updated).not.toHaveProperty('full_names');
    expect(updated).not.toHaveProperty('outer_info');
    expect(updated.related_meta?.links).toEqual([]);
    expect(updated.related_meta?.users).toEqual([]);
    // What get answers is what update answered; the old outer_info addresses nothing any more.
    expect((await w.client.lingo.v1.entity.get({ path: { entity_id: created.id! } })).data?.entity).toEqual(updated);
    const gone = await sdkFailure(() => w.client.lingo.v1.entity.get({ path: { entity_id: 'enterprise_0' }, params: { provider: 'crm', outer_id: 'c_1' } }));
    expectInvalid(gone, ['outer_id']);
  });

  it('update of an unknown entity or of another tenant: 400 on entity_id', async () => {
    const w = await newWriter(server);
    const foreign = await createEntity(await newWriter(server), entityData('theirs'));
    for (const id of ['enterprise_999999999', foreign.id!]) {
      const f = await sdkFailure(() => w.client.lingo.v1.entity.update({ path: { entity_id: id }, data: entityData('mine') }));
      expectInvalid(f, ['entity_id']);
    }
  });

  it('delete by id: data {}, then get, update and delete answer 400 on entity_id', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('ephemeral'));
    const res = await w.client.lingo.v1.entity.delete({ path: { entity_id: e.id! } });
    expect(res).toMatchObject({ code: 0, msg: 'success', data: {} });
    expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.get({ path: { entity_id: e.id! } })), ['entity_id']);
    expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.update({ path: { entity_id: e.id! }, data: entityData('x') })), ['entity_id']);
    expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.delete({ path: { entity_id: e.id! } })), ['entity_id']);
    expect(await listIds(w)).toEqual([]);
  });

  it('delete by enterprise_0 + provider + outer_id removes that entity only; one of the pair alone is a 400', async () => {
    const w = await newWriter(server);
    const keep = await createEntity(w, entityData('keep', { outer_info: { provider: 'crm', outer_id: 'keep' } }));
    const drop = await createEntity(w, entityData('drop', { outer_info: { provider: 'crm', outer_id: 'drop' } }));
    const del = (params: Record<string, string>) => () => w.client.lingo.v1.entity.delete({ path: { entity_id: 'enterprise_0' }, params });
    expectInvalid(await sdkFailure(del({ provider: 'crm' })), ['outer_id']);
    expectInvalid(await sdkFailure(del({ outer_id: 'drop' })), ['provider']);
    expect((await del({ provider: 'crm', outer_id: 'drop' })()).code).toBe(0);
    const f = await sdkFailure(() => w.client.lingo.v1.entity.get({ path: { entity_id: 'enterprise_0' }, params: { provider: 'crm', outer_id: 'drop' } }));
    expectInvalid(f, ['outer_id']);
    expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.get({ path: { entity_id: drop.id! } })), ['entity_id']);
    expect(await listIds(w)).toEqual([keep.id]);
    // Its outer_info is free again.
    await createEntity(w, entityData('again', { outer_info: { provider: 'crm', outer_id: 'drop' } }));
  });

  it('description only: rich_text is filled with the main key in bold and the text, HTML-escaped', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, { main_keys: [term('A&B')], description: 'x < y' });
    expect(e.description).toBe('x < y');
    expect(e.rich_text).toBe('<p><b>A&amp;B</b><span>x &lt; y</span></p>');
  });

  it('rich_text only: description is its text, tags stripped; given both, rich_text wins', async () => {
    const w = await newWriter(server);
    const onlyRich = await createEntity(w, { main_keys: [term('KYC')], rich_text: '<p><b>KYC</b> means <i>know</i> your customer</p>' });
    expect(onlyRich.rich_text).toBe('<p><b>KYC</b> means <i>know</i> your customer</p>');
    expect(onlyRich.description).toBe('KYC means know your customer');
    const both = await createEntity(w, { main_keys: [term('AML')], description: 'ignored', rich_text: '<p>anti money laundering</p>' });
    expect([both.description, both.rich_text]).toEqual(['anti money laundering', '<p>anti money laundering</p>']);
    // The same back-fill on update.
    const res = await w.client.lingo.v1.entity.update({
      path: { entity_id: both.id! },
      data: { main_keys: [term('AML')], rich_text: '<p>new <b>text</b></p>' },
    });
    expect(res.data?.entity?.description).toBe('new text');
  });

  it('full_names are echoed only when sent', async () => {
    const w = await newWriter(server);
    const without = await createEntity(w, entityData('plain'));
    expect(without).not.toHaveProperty('full_names');
    const withNames = await createEntity(w, entityData('KYC', { full_names: [term('Know Your Customer')] }));
    expect(withNames.full_names).toEqual([term('Know Your Customer')]);
    const empty = await createEntity(w, entityData('E', { full_names: [] }));
    expect(empty.full_names).toEqual([]);
    const got = await w.client.lingo.v1.entity.get({ path: { entity_id: withNames.id! } });
    expect(got.data?.entity?.full_names).toEqual([term('Know Your Customer')]);
    expect((await w.client.lingo.v1.entity.get({ path: { entity_id: without.id! } })).data?.entity).not.toHaveProperty('full_names');
  });
});

describe('an image referenced by an entity', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('uploads, is referenced, downloads, and still downloads after the entity is deleted and gc ran with no grace', async () => {
    const w = await newWriter(server);
    const bytes = await makeImage('png', 400, 320);
    const uploaded = await w.client.lingo.v1.file.upload({ data: { name: 'kyc.png', file: bytes } });
    const token = uploaded!.file_token!;
    const e = await createEntity(w, entityData('KYC', { related_meta: { images: [{ token }] } }));
    expect(e.related_meta?.images).toEqual([{ token }]);
    const download = async () => readAll((await w.client.lingo.v1.file.download({ path: { file_token: token } })).getReadableStream());
    expect((await download()).equals(bytes)).toBe(true);
    expect((await w.client.lingo.v1.entity.delete({ path: { entity_id: e.id! } })).code).toBe(0);
    expect((await download()).equals(bytes)).toBe(true);
    // gc reads rows from the database only: let the upload's journaled row reach it first, as
    // the default grace of an hour always does (with no grace, a row still on its way would not count).
    await server.app.files.flushed();
    const report = await gc(server.app.meta, server.app.blobs, 0);
    expect(report).toMatchObject({ blobsRemoved: 0, blobsKept: 1 });
    expect((await download()).equals(bytes)).toBe(true);
    // And the token can still be put in a new entity.
    await createEntity(w, entityData('KYC again', { related_meta: { images: [{ token }] } }));
  });

  it('can be referenced the moment its upload is answered (its row may still be on its way into the database)', async () => {
    const w = await newWriter(server);
    for (let i = 0; i < 3; i++) {
      const uploaded = await w.client.lingo.v1.file.upload({ data: { name: `n${i}.png`, file: await makeImage('png', 400 + i, 320) } });
      const e = await createEntity(w, entityData(`at once ${i}`, { related_meta: { images: [{ token: uploaded!.file_token! }] } }));
      expect(e.related_meta?.images).toEqual([{ token: uploaded!.file_token! }]);
    }
  });
});
