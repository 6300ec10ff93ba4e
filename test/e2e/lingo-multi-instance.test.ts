import { afterAll, beforeAll, expect, it } from 'vitest';
import { entityData, runCliAsync, wireTerm } from '../helpers/lingo.js';
import { createTestSchema, type TestSchema } from '../helpers/postgres-schema.js';
import { describeWithServices } from '../helpers/services.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Two instances of the server on one PostgreSQL schema, each with its own in-memory highlight
// index and page-token checks: what a write or a page token from one must mean on the other.
// They run in this process (two apps, two HTTP servers, two pools) rather than as children, to
// keep the file fast; nothing is shared between them but the database. test/e2e/multi-instance.test.ts
// runs separate processes for the file API.
describeWithServices(['postgres'], 'Lingo on two instances sharing one PostgreSQL schema', () => {
  let schema: TestSchema;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    schema = await createTestSchema('lingo_mi_');
    // Files stay out of it (segmentBlobMaxBytes 0, one fs dir each): no test here uploads.
    a = await startServer({ postgresUrl: schema.url, segmentBlobMaxBytes: 0 });
    b = await startServer({ postgresUrl: schema.url, segmentBlobMaxBytes: 0 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await schema?.drop();
  });

  /** One app (created through A, so in the shared rows) and an SDK client on each instance. */
  async function clients() {
    const creds = await a.newApp({ scopes: ['baike:entity:exempt_review', 'baike:entity:exempt_delete'] });
    return { creds, onA: a.sdk(creds), onB: b.sdk(creds) };
  }

  it('an entity created on A is returned at once by get, match, search and highlight on B (B indexed before)', async () => {
    const { onA, onB } = await clients();
    // B builds its highlight index for the tenant first, so it has to catch up with A's write.
    expect((await onB.lingo.v1.entity.highlight({ data: { text: 'the Quokka smiles' } })).data!.phrases).toEqual([]);
    const created = (await onA.lingo.v1.entity.create({ data: entityData('Quokka', { aliases: [wireTerm('QK')] }) })).data!.entity!;

    expect((await onB.lingo.v1.entity.get({ path: { entity_id: created.id! } })).data!.entity).toEqual(created);
    expect((await onB.lingo.v1.entity.match({ data: { word: 'QK' } })).data!.results).toEqual([{ entity_id: created.id, type: 2 }]);
    expect((await onB.lingo.v1.entity.search({ data: { query: 'quok' } })).data!.entities!.map((e) => e.id)).toEqual([created.id]);
    expect((await onB.lingo.v1.entity.highlight({ data: { text: 'the Quokka smiles' } })).data!.phrases).toEqual([
      { name: 'Quokka', entity_ids: [created.id], span: { start: 4, end: 10 } },
    ]);
  });

  it("an update on B changes A's highlight at once; a delete on A removes it from B's", async () => {
    const { onA, onB } = await clients();
    const text = 'Wombat or Numbat?';
    const created = (await onA.lingo.v1.entity.create({ data: entityData('Wombat') })).data!.entity!;
    const id = created.id!;
    expect((await onA.lingo.v1.entity.highlight({ data: { text } })).data!.phrases).toEqual([{ name: 'Wombat', entity_ids: [id], span: { start: 0, end: 6 } }]);
    expect((await onB.lingo.v1.entity.highlight({ data: { text } })).data!.phrases).toEqual([{ name: 'Wombat', entity_ids: [id], span: { start: 0, end: 6 } }]);

    await onB.lingo.v1.entity.update({ path: { entity_id: id }, data: entityData('Numbat') });
    expect((await onA.lingo.v1.entity.highlight({ data: { text } })).data!.phrases).toEqual([
      { name: 'Numbat', entity_ids: [id], span: { start: 10, end: 16 } },
    ]);

    await onA.lingo.v1.entity.delete({ path: { entity_id: id } });
    expect((await onB.lingo.v1.entity.highlight({ data: { text } })).data!.phrases).toEqual([]);
    expect((await onB.lingo.v1.entity.match({ data: { word: 'Numbat' } })).data!.results).toEqual([]);
  });

  it('a draft written on A and approved with the CLI on the shared database is highlighted on both at once', async () => {
    const { onA, onB } = await clients();
    const text = 'a Dunnart appears';
    // Both build their index for the tenant before the approval, so both must catch up.
    for (const client of [onA, onB]) expect((await client.lingo.v1.entity.highlight({ data: { text } })).data!.phrases).toEqual([]);
    const draftId = (await onA.lingo.v1.draft.create({ data: entityData('Dunnart') })).data!.draft!.draft_id!;
    const approved = await runCliAsync(['draft', 'approve', draftId, '--meta', 'postgres', '--postgres-url', schema.url]);
    expect(approved.status, approved.stderr).toBe(0);
    const id = /entity (enterprise_\d+)/.exec(approved.stdout)?.[1];
    expect(id, approved.stdout).toBeDefined();
    for (const client of [onB, onA]) {
      expect((await client.lingo.v1.entity.highlight({ data: { text } })).data!.phrases).toEqual([
        { name: 'Dunnart', entity_ids: [id], span: { start: 2, end: 9 } },
      ]);
    }
  });

  it('page tokens from one instance continue on the other, for list and search', async () => {
    const { onA, onB } = await clients();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++)
      ids.push((await onA.lingo.v1.entity.create({ data: entityData(`Marsupial ${String(i).padStart(2, '0')}`) })).data!.entity!.id!);

    const listed: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const client = page % 2 === 0 ? onA : onB;
      const res = await client.lingo.v1.entity.list({ params: { page_size: 10, ...(token !== undefined && { page_token: token }) } });
      listed.push(...res.data!.entities!.map((e) => e.id!));
      token = res.data!.page_token;
      if (!res.data!.has_more) break;
    }
    expect(listed).toEqual(ids);
    expect(token).toBeUndefined();

    const first = await onB.lingo.v1.entity.search({ params: { page_size: 20 }, data: { query: 'marsupial' } });
    const rest = await onA.lingo.v1.entity.search({ params: { page_size: 20, page_token: first.data!.page_token! }, data: { query: 'marsupial' } });
    expect([...first.data!.entities!, ...rest.data!.entities!].map((e) => e.id)).toEqual(ids);
    expect(rest.data!.has_more).toBe(false);
  });

  it('concurrent first calls on both instances create one company-wide repo per fresh tenant', async () => {
    // Several fresh tenants at once: each is a race between the instances to create its repo.
    const tenants = await Promise.all(Array.from({ length: 4 }, () => clients()));
    const answers = await Promise.all(
      tenants.map(({ onA, onB }) => Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? onA : onB).lingo.v1.repo.list()))),
    );
    for (const perTenant of answers) {
      const [first] = perTenant;
      expect(first!.data!.items).toEqual([{ id: expect.stringMatching(/^[1-9][0-9]*$/), name: '全员词库' }]);
      expect(perTenant.map((r) => r.data!.items)).toEqual(perTenant.map(() => first!.data!.items));
    }
    expect(new Set(answers.map((perTenant) => perTenant[0]!.data!.items![0]!.id)).size).toBe(tenants.length);
  });

  it('concurrent first entity creates on both instances land in that one repo', async () => {
    const { creds, onA, onB } = await clients();
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? onA : onB).lingo.v1.entity.create({ data: entityData(`Bilby ${i}`) })),
    );
    const listed = (await onB.lingo.v1.entity.list({})).data!.entities!.map((e) => e.id);
    expect(listed.sort()).toEqual(created.map((r) => r.data!.entity!.id).sort());
    expect((await onA.lingo.v1.repo.list()).data!.items).toHaveLength(1);
    const rows = await schema.query('SELECT count(*)::int AS n FROM repos WHERE tenant_key = $1', [creds.tenant_key]);
    expect(rows).toEqual([{ n: 1 }]);
  });
});
