import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityData, glossaryCli } from '../helpers/lingo.js';
import { sdkFailure } from '../helpers/sdk.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Repos and classifications (spec §11, §12, §17.5, §17.6): configured with the CLI beside the
// running server, read and used through the official SDK. CLI runs cost ~2 s each, so setup that
// is not the point of a test goes through the server's own glossary store, which is what the
// CLI commands call.
describe('repos: the company-wide repo, created and granted repos', () => {
  let server: TestServer;
  let cli: ReturnType<typeof glossaryCli>;
  beforeAll(async () => {
    server = await startServer();
    cli = glossaryCli(server.dataDir);
  });
  afterAll(() => server.close());

  it('repo.list in a fresh tenant: only the company-wide repo, with a decimal id', async () => {
    const client = server.sdk(await server.newApp({ scopes: ['baike:entity:readonly'] }));
    const res = await client.lingo.v1.repo.list();
    expect([res.code, res.msg]).toEqual([0, 'success']);
    expect(res.data!.items).toEqual([{ id: expect.stringMatching(/^[1-9][0-9]*$/), name: '全员词库' }]);
  });

  it('repo create --json → {id, name}; repo.list shows it only to the granted app, after the company-wide repo; repo list --json shows all', async () => {
    const granted = await server.newApp({ scopes: ['baike:entity'] });
    const colleague = await server.newApp({ scopes: ['baike:entity'], tenantKey: granted.tenant_key });
    const company = (await server.sdk(granted).lingo.v1.repo.list()).data!.items![0]!;

    const repo = cli.repoCreate(granted.tenant_key, 'Engineering');
    expect(Object.keys(repo).sort()).toEqual(['id', 'name']);
    expect(repo).toEqual({ id: expect.stringMatching(/^[1-9][0-9]*$/), name: 'Engineering' });
    expect((await server.sdk(granted).lingo.v1.repo.list()).data!.items).toEqual([company]);

    const grant = cli.repoGrant(repo.id, granted.app_id);
    expect(grant.status, grant.stderr).toBe(0);
    expect((await server.sdk(granted).lingo.v1.repo.list()).data!.items).toEqual([company, repo]);
    expect((await server.sdk(colleague).lingo.v1.repo.list()).data!.items).toEqual([company]);
    // The grant opens the repo to the granted app's other operations too, not the colleague's.
    expect((await server.sdk(granted).lingo.v1.entity.list({ params: { repo_id: repo.id } })).data!.entities).toEqual([]);
    const f = await sdkFailure(() => server.sdk(colleague).lingo.v1.entity.list({ params: { repo_id: repo.id } }));
    expect([f.status, f.data.code, f.data.error!.field_violations![0]!.field]).toEqual([400, 2250001, 'repo_id']);
    // The operator's view: every repo of the tenant, whoever is granted.
    expect(cli.repoList(granted.tenant_key)).toEqual([company, repo]);
  });

  it('an ungranted repo is a 400 2250001 on repo_id for create, list, search, match, classification.list and draft.create', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity:exempt_review'] });
    const client = server.sdk(creds);
    const repo = await server.app.glossary.createRepo(creds.tenant_key, 'secret');
    const params = { repo_id: repo.id };
    const calls = {
      'entity.create': () => client.lingo.v1.entity.create({ params, data: entityData('hidden') }),
      'entity.list': () => client.lingo.v1.entity.list({ params }),
      'entity.search': () => client.lingo.v1.entity.search({ params, data: { query: 'hidden' } }),
      'entity.match': () => client.lingo.v1.entity.match({ params, data: { word: 'hidden' } }),
      'classification.list': () => client.lingo.v1.classification.list({ params }),
      'draft.create': () => client.lingo.v1.draft.create({ params, data: entityData('hidden') }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const f = await sdkFailure(call);
      expect([f.status, f.data.code], name).toEqual([400, 2250001]);
      expect(
        f.data.error!.field_violations!.map((v) => v.field),
        name,
      ).toEqual(['repo_id']);
    }
  });

  it('once granted, the repo is usable with repo_id and keeps its entities apart from the company-wide repo', async () => {
    const creds = await server.newApp({ scopes: ['baike:entity:exempt_review'] });
    const client = server.sdk(creds);
    const repo = await server.app.glossary.createRepo(creds.tenant_key, 'team');
    await server.app.glossary.grantRepo(repo.id, creds.app_id);
    const params = { repo_id: repo.id };

    const created = (await client.lingo.v1.entity.create({ params, data: entityData('Teamword') })).data!.entity!;
    expect((await client.lingo.v1.entity.list({ params })).data!.entities!.map((e) => e.id)).toEqual([created.id]);
    expect((await client.lingo.v1.entity.search({ params, data: { query: 'teamword' } })).data!.entities!.map((e) => e.id)).toEqual([created.id]);
    expect((await client.lingo.v1.entity.match({ params, data: { word: 'Teamword' } })).data!.results).toEqual([{ entity_id: created.id, type: 0 }]);
    expect((await client.lingo.v1.classification.list({ params })).data!.items).toEqual([]);
    expect((await client.lingo.v1.draft.create({ params, data: entityData('Teamdraft') })).code).toBe(0);
    // Not in the company-wide repo, the default.
    expect((await client.lingo.v1.entity.list({})).data!.entities).toEqual([]);
    expect((await client.lingo.v1.entity.match({ data: { word: 'Teamword' } })).data!.results).toEqual([]);
  });

  it('repo grant of an app of another tenant → exit 2 with a message, and no grant', async () => {
    const owner = await server.newApp();
    const stranger = await server.newApp();
    const repo = await server.app.glossary.createRepo(owner.tenant_key, 'private');
    const r = cli.repoGrant(repo.id, stranger.app_id);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`app ${stranger.app_id} is in tenant ${stranger.tenant_key}, repo ${repo.id} in ${owner.tenant_key}`);
    expect(await server.app.glossary.isRepoGranted(repo.id, stranger.app_id)).toBe(false);
    const f = await sdkFailure(() => server.sdk(stranger).lingo.v1.entity.list({ params: { repo_id: repo.id } }));
    expect([f.status, f.data.code, f.data.error!.field_violations![0]!.field]).toEqual([400, 2250001, 'repo_id']);
  });
});
