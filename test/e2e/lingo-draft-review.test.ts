import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedEntityId, entityData, glossaryCli, wireTerm } from '../helpers/lingo.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Draft review (spec §15): drafts written through the official SDK, approved or rejected with the
// CLI beside the running server (review has no open API); the server must see each review at once.
describe('drafts: review with the CLI, seen at once by the server', () => {
  let server: TestServer;
  let cli: ReturnType<typeof glossaryCli>;
  beforeAll(async () => {
    server = await startServer();
    cli = glossaryCli(server.dataDir);
  });
  afterAll(() => server.close());

  /** An app that may write entities directly (and so also drafts and reads). */
  const writer = async () => {
    const creds = await server.newApp({ scopes: ['baike:entity:exempt_review', 'baike:entity:exempt_delete'] });
    return { creds, client: server.sdk(creds) };
  };

  it('an update draft by id: approval overwrites the entity exactly as a PUT with the same body does', async () => {
    const { creds, client } = await writer();
    const original = entityData('Before', {
      aliases: [wireTerm('B4')],
      related_meta: { links: [{ title: 'home', url: 'https://example.com/before' }] },
    });
    const viaDraft = (await client.lingo.v1.entity.create({ data: original })).data!.entity!;
    const viaPut = (await client.lingo.v1.entity.create({ data: original })).data!.entity!;
    // No aliases, no related_meta: a full replace clears them.
    const replacement = entityData('After', { rich_text: '<p><b>After</b><span> replaces Before</span></p>' });

    const draft = (await client.lingo.v1.draft.create({ data: { ...replacement, id: viaDraft.id } })).data!.draft!;
    expect(draft.entity!.id).toBe(viaDraft.id);
    // Pending: the entity is untouched.
    expect((await client.lingo.v1.entity.get({ path: { entity_id: viaDraft.id! } })).data!.entity!.main_keys).toEqual([wireTerm('Before')]);

    expect(approvedEntityId(cli.approve(draft.draft_id!))).toBe(viaDraft.id);
    await client.lingo.v1.entity.update({ path: { entity_id: viaPut.id! }, data: replacement });
    const approved = (await client.lingo.v1.entity.get({ path: { entity_id: viaDraft.id! } })).data!.entity!;
    const put = (await client.lingo.v1.entity.get({ path: { entity_id: viaPut.id! } })).data!.entity!;
    const comparable = (e: typeof approved) => ({ ...e, id: undefined, create_time: undefined, update_time: undefined });
    expect(comparable(approved)).toEqual(comparable(put));
    expect(approved).toMatchObject({ aliases: [], description: 'After replaces Before', source: 4, creator: creds.app_id, updater: creds.app_id });
    expect(approved.related_meta!.links).toEqual([]);
    expect(approved.create_time).toBe(viaDraft.create_time);
    // The server sees the CLI's write at once: search and highlight find the new key, not the old.
    expect((await client.lingo.v1.entity.match({ data: { word: 'After' } })).data!.results).toEqual(
      expect.arrayContaining([{ entity_id: viaDraft.id, type: 0 }]),
    );
    expect((await client.lingo.v1.entity.match({ data: { word: 'Before' } })).data!.results).toEqual([]);
  });

  it('a draft with the outer_info of an existing entity targets it; approval overwrites it, creating no other', async () => {
    const { client } = await writer();
    const outer = { provider: 'crm', outer_id: 'acct_42' };
    const existing = (await client.lingo.v1.entity.create({ data: entityData('Old name', { outer_info: outer }) })).data!.entity!;
    const draft = (await client.lingo.v1.draft.create({ data: entityData('New name', { outer_info: outer }) })).data!.draft!;
    expect(draft.entity!.id).toBe(existing.id);
    expect(draft.entity!.outer_info).toEqual(outer);

    expect(approvedEntityId(cli.approve(draft.draft_id!))).toBe(existing.id);
    const byOuter = await client.lingo.v1.entity.get({ path: { entity_id: 'enterprise_0' }, params: { provider: 'crm', outer_id: 'acct_42' } });
    expect(byOuter.data!.entity).toMatchObject({ id: existing.id, main_keys: [wireTerm('New name')], outer_info: outer });
    expect((await client.lingo.v1.entity.list({})).data!.entities!.map((e) => e.id)).toEqual([existing.id]);
  });

  it('draft.update while pending changes the proposal; draft list --json shows it pending with that content', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity'] });
    const client = server.sdk(creds);
    const draftId = (await client.lingo.v1.draft.create({ data: entityData('First try') })).data!.draft!.draft_id!;
    const updated = await client.lingo.v1.draft.update({
      path: { draft_id: draftId },
      data: entityData('Second try', { aliases: [wireTerm('2nd')] }),
    });
    expect(updated.code).toBe(0);
    expect(updated.data!.draft).toMatchObject({ draft_id: draftId, entity: { main_keys: [wireTerm('Second try')], aliases: [wireTerm('2nd')] } });

    const rows = cli.draftList(creds.tenant_key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ draft_id: draftId, state: 'pending', entity: { main_keys: [wireTerm('Second try')] } });
    expect(Object.keys(rows[0]!).sort()).toEqual(['draft_id', 'entity', 'state']);
  });

  it('approve creates the entity, seen at once by get, list, search and highlight; the draft is locked (403 2250100); approving again → exit 1', async () => {
    const { creds, client } = await writer();
    const draftId = (await client.lingo.v1.draft.create({ data: entityData('Zephyrine', { aliases: [wireTerm('ZPH')] }) })).data!.draft!.draft_id!;
    const entityId = approvedEntityId(cli.approve(draftId));

    const got = (await client.lingo.v1.entity.get({ path: { entity_id: entityId } })).data!.entity!;
    expect(got).toMatchObject({ id: entityId, main_keys: [wireTerm('Zephyrine')], aliases: [wireTerm('ZPH')], source: 4, creator: creds.app_id });
    expect((await client.lingo.v1.entity.list({})).data!.entities!.map((e) => e.id)).toEqual([entityId]);
    expect((await client.lingo.v1.entity.search({ data: { query: 'zephyr' } })).data!.entities!.map((e) => e.id)).toEqual([entityId]);
    const phrases = (await client.lingo.v1.entity.highlight({ data: { text: 'say ZPH twice' } })).data!.phrases;
    expect(phrases).toEqual([{ name: 'ZPH', entity_ids: [entityId], span: { start: 4, end: 7 } }]);

    const f = await sdkFailure(() => client.lingo.v1.draft.update({ path: { draft_id: draftId }, data: entityData('too late') }));
    expect([f.status, f.data.code, f.data.msg]).toEqual([403, 2250100, 'draft has been reviewed and cannot be edited']);
    const rows = cli.draftList(creds.tenant_key, 'approved');
    expect(rows.map((r) => [r.draft_id, r.state, r.entity.id])).toEqual([[draftId, 'approved', entityId]]);

    const again = cli.approve(draftId);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`draft ${draftId} has already been reviewed`);
  });

  it('reject locks the draft (403 2250100) and creates nothing; approving it afterwards → exit 1', async () => {
    const { creds, client } = await writer();
    const draftId = (await client.lingo.v1.draft.create({ data: entityData('Rejectable') })).data!.draft!.draft_id!;
    const rejected = cli.reject(draftId);
    expect(rejected.status, rejected.stderr).toBe(0);
    expect(rejected.stdout).toContain(`draft ${draftId} rejected`);

    const f = await sdkFailure(() => client.lingo.v1.draft.update({ path: { draft_id: draftId }, data: entityData('Rejectable, again') }));
    expect([f.status, f.data.code, f.data.msg]).toEqual([403, 2250100, 'draft has been reviewed and cannot be edited']);
    expect((await client.lingo.v1.entity.list({})).data!.entities).toEqual([]);
    expect(cli.draftList(creds.tenant_key, 'pending')).toEqual([]);

    const approve = cli.approve(draftId);
    expect(approve.status).toBe(1);
    expect(approve.stderr).toContain('already been reviewed');
  });

  it('approving an update draft whose entity was deleted meanwhile → exit 1 with a message; the draft stays pending', async () => {
    const { client } = await writer();
    const doomed = (await client.lingo.v1.entity.create({ data: entityData('Doomed') })).data!.entity!;
    const draftId = (await client.lingo.v1.draft.create({ data: { ...entityData('Doomed, edited'), id: doomed.id } })).data!.draft!.draft_id!;
    await client.lingo.v1.entity.delete({ path: { entity_id: doomed.id! } });

    const r = cli.approve(draftId);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`draft ${draftId}: the entity it updates no longer exists`);
    expect((await client.lingo.v1.entity.list({})).data!.entities).toEqual([]);
    // Nothing happened: the draft can still be edited (or rejected).
    expect((await client.lingo.v1.draft.update({ path: { draft_id: draftId }, data: entityData('Doomed, again') })).code).toBe(0);
  });
});
