import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.js';
import { createEntity, entityData, entitiesPath, newWriter, writerScopes, type Writer } from '../helpers/lingo-entities.js';
import { request } from '../helpers/http.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';

const readScopes = ['baike:entity:exempt_review', 'baike:entity', 'baike:entity:readonly'];

/** Every read operation of the Node SDK on a tenant with entity `id`, each expected to answer code 0. */
function reads(client: lark.Client, id: string, opts?: ReturnType<typeof lark.withUserAccessToken>) {
  const v1 = client.lingo.v1;
  return {
    'entity.get': () => v1.entity.get({ path: { entity_id: id } }, opts),
    'entity.list': () => v1.entity.list({}, opts),
    'entity.match': () => v1.entity.match({ data: { word: 'KYC' } }, opts),
    'entity.search': () => v1.entity.search({ data: { query: 'KYC' } }, opts),
    'entity.highlight': () => v1.entity.highlight({ data: { text: 'KYC here' } }, opts),
    'repo.list': () => v1.repo.list({}, opts),
    'classification.list': () => v1.classification.list({}, opts),
  };
}

describe('token kinds and scopes of the entity operations (spec §0, §1.2)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('create, update and delete refuse a user token (even one with every scope): 400 99991668 user access token not support', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC'));
    const user = lark.withUserAccessToken(await server.userToken(w.creds, [...writerScopes, ...readScopes]));
    const v1 = w.client.lingo.v1.entity;
    const calls = {
      create: () => v1.create({ data: entityData('x') }, user),
      update: () => v1.update({ path: { entity_id: e.id! }, data: entityData('x') }, user),
      delete: () => v1.delete({ path: { entity_id: e.id! } }, user),
    };
    for (const [name, call] of Object.entries(calls)) {
      const f = await sdkFailure(call);
      expect([f.status, f.data.code, f.data.msg], name).toEqual([400, 99991668, 'user access token not support']);
    }
    // Nothing changed.
    expect((await v1.get({ path: { entity_id: e.id! } })).data?.entity).toEqual(e);
  });

  it('create and update need baike:entity:exempt_review: 99991672 with permission_violations', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC'));
    const plain = await newWriter(server, { scopes: ['baike:entity', 'baike:entity:exempt_delete'], tenantKey: w.creds.tenant_key });
    const violations = [{ type: 'action_scope_required', subject: 'baike:entity:exempt_review' }];
    const create = await sdkFailure(() => plain.client.lingo.v1.entity.create({ data: entityData('x') }));
    expect([create.status, create.data.code]).toEqual([400, 99991672]);
    expect(create.data.error?.permission_violations).toEqual(violations);
    const update = await sdkFailure(() => plain.client.lingo.v1.entity.update({ path: { entity_id: e.id! }, data: entityData('x') }));
    expect([update.status, update.data.code]).toEqual([400, 99991672]);
    expect(update.data.error?.permission_violations).toEqual(violations);
  });

  it('delete needs baike:entity:exempt_delete, and exempt_review does not stand in for it', async () => {
    const w = await newWriter(server, { scopes: ['baike:entity:exempt_review'] });
    const e = await createEntity(w, entityData('KYC'));
    const f = await sdkFailure(() => w.client.lingo.v1.entity.delete({ path: { entity_id: e.id! } }));
    expect([f.status, f.data.code]).toEqual([400, 99991672]);
    expect(f.data.error?.permission_violations).toEqual([{ type: 'action_scope_required', subject: 'baike:entity:exempt_delete' }]);
    const deleter = await newWriter(server, { scopes: ['baike:entity:exempt_delete'], tenantKey: w.creds.tenant_key });
    expect((await deleter.client.lingo.v1.entity.delete({ path: { entity_id: e.id! } })).code).toBe(0);
  });

  it('each of the three read scopes alone admits every read, with a tenant token and with a user token', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC'));
    for (const scope of readScopes) {
      const reader = await newWriter(server, { scopes: [scope], tenantKey: w.creds.tenant_key });
      const user = lark.withUserAccessToken(await server.userToken(reader.creds, [scope]));
      for (const opts of [undefined, user]) {
        for (const [name, call] of Object.entries(reads(reader.client, e.id!, opts))) {
          expect((await call()).code, `${name} with ${scope} (${opts ? 'user' : 'tenant'})`).toBe(0);
        }
      }
    }
  });

  it('reads refuse an app without a read scope (exempt_delete is not one): 99991672 listing the three', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC'));
    const deleter = await newWriter(server, { scopes: ['baike:entity:exempt_delete'], tenantKey: w.creds.tenant_key });
    for (const [name, call] of Object.entries(reads(deleter.client, e.id!))) {
      const f = await sdkFailure(call);
      expect([f.status, f.data.code], name).toEqual([400, 99991672]);
      expect(f.data.error?.permission_violations, name).toEqual(readScopes.map((subject) => ({ type: 'action_scope_required', subject })));
    }
  });

  it('a user token without a read scope: 99991679 with action_privilege_required', async () => {
    const w = await newWriter(server);
    const e = await createEntity(w, entityData('KYC'));
    const user = lark.withUserAccessToken(await server.userToken(w.creds, ['contact:user.base:readonly']));
    for (const [name, call] of Object.entries(reads(w.client, e.id!, user))) {
      const f = await sdkFailure(call);
      expect([f.status, f.data.code], name).toEqual([400, 99991679]);
      expect(f.data.error?.permission_violations, name).toEqual(readScopes.map((subject) => ({ type: 'action_privilege_required', subject })));
    }
  });

  it('a store app is refused entity writes with app_type_required', async () => {
    const creds = await server.newApp({ scopes: writerScopes, type: 'store' });
    const f = await sdkFailure(() => server.sdk(creds).lingo.v1.entity.create({ data: entityData('x') }));
    expect([f.status, f.data.code]).toEqual([400, 99991672]);
    expect(f.data.error?.permission_violations).toEqual([{ type: 'app_type_required', subject: 'self_built' }]);
  });
});

/** A clock the tests move, starting on a minute boundary, so that windows never straddle one by chance. */
function manualClock(): { now: () => number; advanceSeconds(s: number): void } {
  let ms = Date.UTC(2030, 0, 1, 12, 0, 0);
  return { now: () => ms, advanceSeconds: (s) => void (ms += s * 1000) };
}

describe('tier 3: 100 entity creates or updates per minute per app × tenant (spec §0)', () => {
  let server: TestServer;
  const clock = manualClock();
  beforeAll(async () => {
    server = await startServer(
      { rateLimitWritesPerMinute: 100, rateLimitPerSecond: 50, rateLimitPerMinute: 1000 },
      { limiter: new MemoryRateLimiter(clock.now) },
    );
  });
  afterAll(() => server.close());

  /** A raw create: quicker than the SDK for a hundred of them, and the headers are plain to read. */
  const rawCreate = (w: Writer, key: string) =>
    request(server.baseUrl, {
      method: 'POST',
      path: entitiesPath,
      headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(entityData(key)),
    });

  async function spendQuota(w: Writer, n: number): Promise<void> {
    for (let i = 0; i < n; i++) expect((await rawCreate(w, `k${i}`)).status).toBe(200);
  }

  it('the 101st create in a minute is 429 99991400 with the x-ogw-ratelimit headers; the next minute admits again', async () => {
    const w = await newWriter(server);
    await spendQuota(w, 100);
    const f = await sdkFailure(() => w.client.lingo.v1.entity.create({ data: entityData('one too many') }));
    expect([f.status, f.data.code, f.data.msg]).toEqual([429, 99991400, 'request trigger frequency limit']);
    expect(f.headers['x-ogw-ratelimit-limit']).toBe('100');
    expect(f.headers['x-ogw-ratelimit-reset']).toBe('60');
    expect(f.headers['retry-after']).toBe('60');
    const list = await w.client.lingo.v1.entity.list({ params: { page_size: 100 } });
    // Exactly the hundred admitted were written.
    expect([list.data?.entities?.length, list.data?.has_more]).toEqual([100, false]);
    clock.advanceSeconds(60);
    expect((await rawCreate(w, 'next minute')).status).toBe(200);
  });

  it('requests the gateway refuses (no token, user token, missing scope) cost no quota', async () => {
    const w = await newWriter(server);
    const user = await server.userToken(w.creds, writerScopes);
    const noScope = await server.tenantToken(await server.newApp({ scopes: ['baike:entity'], tenantKey: w.creds.tenant_key }));
    const refusals: [string | null, number][] = [
      [null, 99991661],
      [user, 99991668],
      [noScope, 99991672],
    ];
    for (let i = 0; i < 40; i++) {
      for (const [token, code] of refusals) {
        const res = await request(server.baseUrl, {
          method: 'POST',
          path: entitiesPath,
          headers: { ...(token !== null && { Authorization: `Bearer ${token}` }), 'Content-Type': 'application/json' },
          body: JSON.stringify(entityData('x')),
        });
        expect([res.status, res.json().code]).toEqual([400, code]);
      }
    }
    await spendQuota(w, 100);
    expect((await rawCreate(w, 'over')).status).toBe(429);
  });

  it('update has its own quota, another app of the tenant has its own, and tier-4 operations are unaffected', async () => {
    const w = await newWriter(server);
    clock.advanceSeconds(60);
    const e = await createEntity(w, entityData('KYC'));
    await spendQuota(w, 99);
    expect((await rawCreate(w, 'over')).status).toBe(429);
    const updated = await w.client.lingo.v1.entity.update({ path: { entity_id: e.id! }, data: entityData('KYC', { description: 'still allowed' }) });
    expect(updated.data?.entity?.description).toBe('still allowed');
    const sibling = await newWriter(server, { tenantKey: w.creds.tenant_key });
    expect((await rawCreate(sibling, 'sibling')).status).toBe(200);
    for (const [name, call] of Object.entries(reads(w.client, e.id!))) expect((await call()).code, name).toBe(0);
    expect((await w.client.lingo.v1.entity.delete({ path: { entity_id: e.id! } })).code).toBe(0);
  });
});
