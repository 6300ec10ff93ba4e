import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.js';
import { entityData, wireTerm, type DraftData } from '../helpers/lingo.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Drafts (spec §13, §14) through the official SDK: who may write them, what they answer, whose
// they are. Review (the CLI) is in lingo-draft-review.test.ts.
describe('drafts: create and update through the SDK', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  /** An app that may write entities directly (and so also drafts and reads). */
  const writer = async () => {
    const creds = await server.newApp({ scopes: ['baike:entity:exempt_review', 'baike:entity:exempt_delete'] });
    return { creds, client: server.sdk(creds) };
  };

  it('a new-entity draft with a tenant token (baike:entity): decimal draft_id, the entity without id, nothing created yet', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity'] });
    const client = server.sdk(creds);
    const res = await client.lingo.v1.draft.create({ data: entityData('Draftword', { aliases: [wireTerm('DW')] }) });
    expect([res.code, res.msg]).toEqual([0, 'success']);
    const draft = res.data!.draft!;
    expect(draft.draft_id).toMatch(/^[1-9][0-9]*$/);
    expect(draft.entity).not.toHaveProperty('id');
    expect(draft.entity!.main_keys).toEqual([wireTerm('Draftword')]);
    expect(draft.entity!.aliases).toEqual([wireTerm('DW')]);
    expect(draft.entity!.creator).toBe(creds.app_id);
    expect(draft.entity!.create_time).toMatch(/^[1-9][0-9]{9}$/);
    // A draft is a request, not an entity: nothing to read until it is approved.
    const listed = await client.lingo.v1.entity.list({});
    expect(listed.data!.entities).toEqual([]);
    expect((await client.lingo.v1.entity.match({ data: { word: 'Draftword' } })).data!.results).toEqual([]);
  });

  it('user tokens with baike:entity or baike:entity:exempt_review create and update drafts; the creator is the user', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity'] });
    const client = server.sdk(creds);
    for (const scope of ['baike:entity', 'baike:entity:exempt_review']) {
      const asUser = lark.withUserAccessToken(await server.userToken(creds, [scope]));
      const created = await client.lingo.v1.draft.create({ data: entityData(`user draft ${scope}`) }, asUser);
      expect(created.code, scope).toBe(0);
      expect(created.data!.draft!.entity!.creator).toBe('ou_test_user');
      const draftId = created.data!.draft!.draft_id!;
      const updated = await client.lingo.v1.draft.update({ path: { draft_id: draftId }, data: entityData(`edited ${scope}`) }, asUser);
      expect(updated.code, scope).toBe(0);
      expect(updated.data!.draft!.draft_id).toBe(draftId);
      expect(updated.data!.draft!.entity!.main_keys).toEqual([wireTerm(`edited ${scope}`)]);
    }
  });

  it('baike:entity:readonly is not enough: 99991672 for the app, 99991679 for a user, on create and update', async () => {
    const owner = await server.newApp({ scopes: ['baike:entity'] });
    const draftId = (await server.sdk(owner).lingo.v1.draft.create({ data: entityData('scoped') })).data!.draft!.draft_id!;
    const reader = await server.newApp({ scopes: ['baike:entity:readonly'] });
    const client = server.sdk(reader);
    const asUser = lark.withUserAccessToken(await server.userToken(reader, ['baike:entity:readonly']));
    const cases = [
      { who: 'app', code: 99991672, type: 'action_scope_required', call: () => client.lingo.v1.draft.create({ data: entityData('x') }) },
      {
        who: 'app',
        code: 99991672,
        type: 'action_scope_required',
        call: () => client.lingo.v1.draft.update({ path: { draft_id: draftId }, data: entityData('x') }),
      },
      { who: 'user', code: 99991679, type: 'action_privilege_required', call: () => client.lingo.v1.draft.create({ data: entityData('x') }, asUser) },
      {
        who: 'user',
        code: 99991679,
        type: 'action_privilege_required',
        call: () => client.lingo.v1.draft.update({ path: { draft_id: draftId }, data: entityData('x') }, asUser),
      },
    ];
    for (const c of cases) {
      const f = await sdkFailure(c.call);
      expect([f.status, f.data.code], c.who).toEqual([400, c.code]);
      const subjects = (f.data.error!.permission_violations as { type: string; subject: string }[]).map((v) => [v.type, v.subject]);
      expect(subjects.sort()).toEqual([
        [c.type, 'baike:entity'],
        [c.type, 'baike:entity:exempt_review'],
      ]);
    }
  });

  it('a draft naming an unknown entity id → 400 2250001 on id; a malformed one too', async () => {
    const { client } = await writer();
    for (const id of ['enterprise_987654321', 'not-an-entity']) {
      const f = await sdkFailure(() => client.lingo.v1.draft.create({ data: { ...entityData('ghost'), id } as DraftData }));
      expect([f.status, f.data.code], id).toEqual([400, 2250001]);
      expect(
        f.data.error!.field_violations!.map((v) => v.field),
        id,
      ).toEqual(['id']);
    }
  });

  it('a draft with the outer_info of an entity in a repo the app cannot see → 400 on outer_info, as entity.create answers', async () => {
    const owner = await writer();
    const repo = await server.app.glossary.createRepo(owner.creds.tenant_key, 'hidden');
    await server.app.glossary.grantRepo(repo.id, owner.creds.app_id);
    const outer = { provider: 'crm', outer_id: 'hidden_1' };
    await owner.client.lingo.v1.entity.create({ params: { repo_id: repo.id }, data: entityData('Hidden', { outer_info: outer }) });

    const colleague = server.sdk(await server.newApp({ scopes: ['baike:entity:exempt_review'], tenantKey: owner.creds.tenant_key }));
    const calls = {
      'entity.create': () => colleague.lingo.v1.entity.create({ data: entityData('Mine', { outer_info: outer }) }),
      'draft.create': () => colleague.lingo.v1.draft.create({ data: entityData('Mine', { outer_info: outer }) }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const f = await sdkFailure(call);
      expect([f.status, f.data.code], name).toEqual([400, 2250001]);
      expect(
        f.data.error!.field_violations!.map((v) => v.field),
        name,
      ).toEqual(['outer_info']);
    }
  });

  it('an update draft by id carrying the outer_info of another entity → 400 on outer_info, as entity.update answers', async () => {
    const { client } = await writer();
    const outer = { provider: 'crm', outer_id: 'other_1' };
    await client.lingo.v1.entity.create({ data: entityData('Other', { outer_info: outer }) });
    const target = (await client.lingo.v1.entity.create({ data: entityData('Target') })).data!.entity!;
    const calls = {
      'entity.update': () => client.lingo.v1.entity.update({ path: { entity_id: target.id! }, data: entityData('Target', { outer_info: outer }) }),
      'draft.create': () => client.lingo.v1.draft.create({ data: { ...entityData('Target', { outer_info: outer }), id: target.id } }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const f = await sdkFailure(call);
      expect([f.status, f.data.code], name).toEqual([400, 2250001]);
      expect(
        f.data.error!.field_violations!.map((v) => v.field),
        name,
      ).toEqual(['outer_info']);
    }
  });

  it('draft.update of a draft of another tenant, or of no draft → 400 2250001 on draft_id', async () => {
    const owner = await server.newApp({ scopes: ['baike:entity'] });
    const draftId = (await server.sdk(owner).lingo.v1.draft.create({ data: entityData('mine') })).data!.draft!.draft_id!;
    const stranger = server.sdk(await server.newApp({ scopes: ['baike:entity'] }));
    for (const id of [draftId, '999999999999', 'abc']) {
      const f = await sdkFailure(() => stranger.lingo.v1.draft.update({ path: { draft_id: id }, data: entityData('theirs') }));
      expect([f.status, f.data.code], id).toEqual([400, 2250001]);
      expect(
        f.data.error!.field_violations!.map((v) => v.field),
        id,
      ).toEqual(['draft_id']);
    }
  });
});

// Tier 3 (spec §0): 100 draft creates per minute per app × tenant. The limiter's clock is frozen
// at the start of a minute so that the burst cannot straddle two windows.
describe('drafts: the tier-3 limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    const frozen = Date.UTC(2030, 0, 1, 12, 0, 0);
    server = await startServer({ rateLimitWritesPerMinute: 100 }, { limiter: new MemoryRateLimiter(() => frozen) });
  });
  afterAll(() => server.close());

  it('the 101st draft.create in a minute → 429 99991400 with the x-ogw headers; draft.update counts apart', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity'] });
    const client = server.sdk(creds);
    let draftId = '';
    for (let i = 0; i < 100; i++) {
      const res = await client.lingo.v1.draft.create({ data: entityData(`burst ${i}`) });
      expect(res.code, `create ${i}`).toBe(0);
      draftId = res.data!.draft!.draft_id!;
    }
    const f = await sdkFailure(() => client.lingo.v1.draft.create({ data: entityData('one too many') }));
    expect([f.status, f.data.code]).toEqual([429, 99991400]);
    expect(f.headers['x-ogw-ratelimit-limit']).toBe('100');
    expect(f.headers['x-ogw-ratelimit-reset']).toBe('60');
    // Another operation and another app have their own counts.
    expect((await client.lingo.v1.draft.update({ path: { draft_id: draftId }, data: entityData('still editable') })).code).toBe(0);
    const other = server.sdk(await server.newApp({ scopes: ['baike:entity'], tenantKey: creds.tenant_key }));
    expect((await other.lingo.v1.draft.create({ data: entityData('another app') })).code).toBe(0);
  });
});
