import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classificationTree,
  companyRepoId,
  createEntity,
  entitiesPath,
  entityData,
  expectInvalid,
  newRepo,
  newWriter,
  term,
  type Writer,
} from '../helpers/lingo-entities.js';
import { request } from '../helpers/http.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** match (§8), search (§9) and highlight (§10) through the official Node SDK, each test on its own tenant. */
describe('match, search and highlight', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  const match = async (w: Writer, word: string, repoId?: string) =>
    (await w.client.lingo.v1.entity.match({ data: { word }, ...(repoId !== undefined && { params: { repo_id: repoId } }) })).data?.results;
  const searchIds = async (
    w: Writer,
    data: Parameters<Writer['client']['lingo']['v1']['entity']['search']>[0] extends infer P ? (P extends { data?: infer D } ? D : never) : never,
  ) => ((await w.client.lingo.v1.entity.search({ data, params: { page_size: 100 } })).data?.entities ?? []).map((e) => e.id);
  const highlight = async (w: Writer, text: string) => (await w.client.lingo.v1.entity.highlight({ data: { text } })).data?.phrases;

  describe('match', () => {
    it('is exact and case-sensitive on main keys (type 0), full names (1) and aliases (2)', async () => {
      const w = await newWriter(server);
      const e = await createEntity(w, entityData('KYC', { full_names: [term('Know Your Customer')], aliases: [term('kyc check')] }));
      expect(await match(w, 'KYC')).toEqual([{ entity_id: e.id, type: 0 }]);
      expect(await match(w, 'Know Your Customer')).toEqual([{ entity_id: e.id, type: 1 }]);
      expect(await match(w, 'kyc check')).toEqual([{ entity_id: e.id, type: 2 }]);
      for (const word of ['kyc', 'KYCM', 'KY', ' KYC', 'know your customer', 'KYC is a term']) expect(await match(w, word), word).toEqual([]);
    });

    it('leaves out keys with allow_search false', async () => {
      const w = await newWriter(server);
      const e = await createEntity(
        w,
        entityData('Hidden', { main_keys: [term('Hidden', { search: false })], aliases: [term('shown'), term('veiled', { search: false })] }),
      );
      expect(await match(w, 'Hidden')).toEqual([]);
      expect(await match(w, 'veiled')).toEqual([]);
      expect(await match(w, 'shown')).toEqual([{ entity_id: e.id, type: 2 }]);
    });

    it('returns every entity a word names, in creation order', async () => {
      const w = await newWriter(server);
      const a = await createEntity(w, entityData('API'));
      const b = await createEntity(w, entityData('Application Programming Interface', { aliases: [term('API')] }));
      const c = await createEntity(w, entityData('API'));
      expect(await match(w, 'API')).toEqual([
        { entity_id: a.id, type: 0 },
        { entity_id: b.id, type: 2 },
        { entity_id: c.id, type: 0 },
      ]);
    });

    it('looks in the company-wide repo unless given repo_id; word must be 1–100 characters', async () => {
      const w = await newWriter(server);
      const repoId = await newRepo(server, w);
      const e = await createEntity(w, entityData('teamword'), repoId);
      expect(await match(w, 'teamword')).toEqual([]);
      expect(await match(w, 'teamword', repoId)).toEqual([{ entity_id: e.id, type: 0 }]);
      expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.match({ data: { word: '' } })), ['word']);
      expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.match({ data: { word: 'x'.repeat(101) } })), ['word']);
    });
  });

  describe('search', () => {
    it('is a case-insensitive substring match, main-key hits first, then alias, then description', async () => {
      const w = await newWriter(server);
      // Created in the reverse of the expected order, so that creation order cannot pass for ranking.
      const byDescription = await createEntity(w, { main_keys: [term('alpha')], description: 'about the ledger' });
      const byI18n = await createEntity(w, { main_keys: [term('beta')], description: 'nothing', i18n_descs: [{ language: 2, description: 'General LEDGER' }] });
      const byAlias = await createEntity(w, { main_keys: [term('gamma')], aliases: [term('Ledger book')], description: 'nothing' });
      const byKey = await createEntity(w, { main_keys: [term('subledger')], description: 'nothing' });
      const none = await createEntity(w, { main_keys: [term('delta')], description: 'led by nobody' });
      expect(await searchIds(w, { query: 'LeDgEr' })).toEqual([byKey.id, byAlias.id, byDescription.id, byI18n.id]);
      expect(await searchIds(w, { query: 'led' })).toEqual([byKey.id, byAlias.id, byDescription.id, byI18n.id, none.id]);
      expect(await searchIds(w, { query: 'no such text' })).toEqual([]);
    });

    it('does not find an entity by a key with allow_search false', async () => {
      const w = await newWriter(server);
      await createEntity(w, { main_keys: [term('Secret', { search: false })], aliases: [term('covert', { search: false })], description: 'hush' });
      const open = await createEntity(w, { main_keys: [term('Open')], description: 'public' });
      expect(await searchIds(w, { query: 'secret' })).toEqual([]);
      expect(await searchIds(w, { query: 'covert' })).toEqual([]);
      expect(await searchIds(w, { query: 'open' })).toEqual([open.id]);
    });

    it('filters by classification_filter include and exclude (either level)', async () => {
      const w = await newWriter(server);
      const repoId = await companyRepoId(server, w);
      const finance = await classificationTree(server, repoId, 'Finance', ['Banking', 'Insurance']);
      const region = await classificationTree(server, repoId, 'Region', ['EMEA']);
      const banking = await createEntity(w, entityData('bank rate', { related_meta: { classifications: [{ id: finance.children[0]! }] } }));
      const insured = await createEntity(
        w,
        entityData('insured rate', { related_meta: { classifications: [{ id: finance.children[1]! }, { id: region.children[0]! }] } }),
      );
      const plain = await createEntity(w, entityData('plain rate'));
      expect(await searchIds(w, { query: 'rate', classification_filter: { include: [finance.children[0]!] } })).toEqual([banking.id]);
      expect(await searchIds(w, { query: 'rate', classification_filter: { include: [finance.parent] } })).toEqual([banking.id, insured.id]);
      expect(await searchIds(w, { query: 'rate', classification_filter: { exclude: [region.parent] } })).toEqual([banking.id, plain.id]);
      expect(await searchIds(w, { query: 'rate', classification_filter: { include: [finance.parent], exclude: [region.children[0]!] } })).toEqual([banking.id]);
    });

    it('filters by sources and creators; without a query, filters alone select', async () => {
      const w = await newWriter(server);
      const sibling = await newWriter(server, { tenantKey: w.creds.tenant_key });
      const mine = await createEntity(w, entityData('mine'));
      const theirs = await createEntity(sibling, entityData('theirs'));
      expect(await searchIds(w, {})).toEqual([mine.id, theirs.id]);
      expect(await searchIds(w, { sources: [4] })).toEqual([mine.id, theirs.id]);
      expect(await searchIds(w, { sources: [1, 2, 3] })).toEqual([]);
      expect(await searchIds(w, { creators: [sibling.creds.app_id] })).toEqual([theirs.id]);
      expect(await searchIds(w, { creators: [w.creds.app_id, sibling.creds.app_id] })).toEqual([mine.id, theirs.id]);
      expect(await searchIds(w, { query: 'THEIRS', creators: [w.creds.app_id] })).toEqual([]);
    });

    it('refuses a query of 101 characters and a source of 5 by field', async () => {
      const w = await newWriter(server);
      expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.search({ data: { query: 'x'.repeat(101) } })), ['query']);
      expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.search({ data: { sources: [5] } })), ['sources[0]']);
    });

    it('reads page_size, page_token and repo_id from the query only: in the body they are ignored (raw HTTP)', async () => {
      const w = await newWriter(server);
      const repoId = await newRepo(server, w);
      for (let i = 0; i < 25; i++) await createEntity(w, entityData(`word ${i}`));
      await createEntity(w, entityData('word in the team repo'), repoId);
      const res = await request(server.baseUrl, {
        method: 'POST',
        path: `${entitiesPath}/search`,
        headers: { Authorization: `Bearer ${w.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: 'word', page_size: 3, page_token: 'not-a-token', repo_id: repoId, user_id_type: 'bogus' }),
      });
      expect(res.status).toBe(200);
      const data = res.json().data;
      // The default page of 20 from the company-wide repo, the bogus token never read.
      expect(data.entities.map((e: { main_keys: { key: string }[] }) => e.main_keys[0]!.key)).toEqual(Array.from({ length: 20 }, (_, i) => `word ${i}`));
      expect(data.has_more).toBe(true);
    });
  });

  describe('highlight', () => {
    it('gives spans in code points, end exclusive, counting an emoji before a key as one', async () => {
      const w = await newWriter(server);
      const kyc = await createEntity(w, entityData('KYC'));
      const cn = await createEntity(w, entityData('飞书'));
      expect(await highlight(w, '😀KYC 和 飞书')).toEqual([
        { name: 'KYC', entity_ids: [kyc.id], span: { start: 1, end: 4 } },
        { name: '飞书', entity_ids: [cn.id], span: { start: 7, end: 9 } },
      ]);
    });

    it('highlights only keys with allow_highlight, of every kind', async () => {
      const w = await newWriter(server);
      const e = await createEntity(
        w,
        entityData('Main', {
          full_names: [term('FullName'), term('QuietName', { highlight: false })],
          aliases: [term('Alias'), term('Quiet', { highlight: false })],
        }),
      );
      await createEntity(w, entityData('Muted', { main_keys: [term('Muted', { highlight: false })] }));
      const phrases = await highlight(w, 'Main FullName Alias Quiet QuietName Muted');
      expect(phrases?.map((p) => [p.name, p.entity_ids])).toEqual([
        ['Main', [e.id]],
        ['FullName', [e.id]],
        ['Alias', [e.id]],
      ]);
    });

    it('highlights a key hidden from match and search (allow_search false) when it allows highlight', async () => {
      const w = await newWriter(server);
      const e = await createEntity(w, entityData('Unlisted', { main_keys: [term('Unlisted', { search: false })] }));
      expect(await match(w, 'Unlisted')).toEqual([]);
      expect(await highlight(w, 'an Unlisted word')).toEqual([{ name: 'Unlisted', entity_ids: [e.id], span: { start: 3, end: 11 } }]);
    });

    it('is leftmost-longest and non-overlapping', async () => {
      const w = await newWriter(server);
      const ny = await createEntity(w, entityData('New York'));
      const nyc = await createEntity(w, entityData('New York City'));
      await createEntity(w, entityData('York City Hall'));
      const hall = await createEntity(w, entityData('City Hall'));
      expect(await highlight(w, 'to New York City Hall')).toEqual([{ name: 'New York City', entity_ids: [nyc.id], span: { start: 3, end: 16 } }]);
      expect(await highlight(w, 'New York, City Hall')).toEqual([
        { name: 'New York', entity_ids: [ny.id], span: { start: 0, end: 8 } },
        { name: 'City Hall', entity_ids: [hall.id], span: { start: 10, end: 19 } },
      ]);
    });

    it('names every entity of a shared key in one phrase', async () => {
      const w = await newWriter(server);
      const a = await createEntity(w, entityData('API'));
      const b = await createEntity(w, entityData('Interface', { aliases: [term('API')] }));
      expect(await highlight(w, 'the API')).toEqual([{ name: 'API', entity_ids: [a.id, b.id], span: { start: 4, end: 7 } }]);
    });

    it('follows every write at once: created, renamed and deleted entities', async () => {
      const w = await newWriter(server);
      expect(await highlight(w, 'Ephemeral Renamed')).toEqual([]);
      const e = await createEntity(w, entityData('Ephemeral'));
      expect((await highlight(w, 'Ephemeral Renamed'))?.map((p) => p.name)).toEqual(['Ephemeral']);
      await w.client.lingo.v1.entity.update({ path: { entity_id: e.id! }, data: entityData('Renamed') });
      expect((await highlight(w, 'Ephemeral Renamed'))?.map((p) => p.name)).toEqual(['Renamed']);
      await w.client.lingo.v1.entity.delete({ path: { entity_id: e.id! } });
      expect(await highlight(w, 'Ephemeral Renamed')).toEqual([]);
    });

    it("only consults the caller's tenant and its company-wide repo", async () => {
      const w = await newWriter(server);
      const other = await newWriter(server);
      await createEntity(other, entityData('Foreign'));
      await createEntity(w, entityData('Teamword'), await newRepo(server, w));
      expect(await highlight(w, 'Foreign Teamword')).toEqual([]);
    });

    it('takes 1000 characters (code points) and refuses 1001 or none on text', async () => {
      const w = await newWriter(server);
      await createEntity(w, entityData('KYC'));
      const phrases = await highlight(w, '😀'.repeat(997) + 'KYC');
      expect(phrases).toEqual([expect.objectContaining({ name: 'KYC', span: { start: 997, end: 1000 } })]);
      expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.highlight({ data: { text: 'x'.repeat(1001) } })), ['text']);
      expectInvalid(await sdkFailure(() => w.client.lingo.v1.entity.highlight({ data: { text: '' } })), ['text']);
    });
  });
});
