import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glossaryCli } from '../helpers/lingo.js';
import type { CliResult } from '../helpers/serve-process.js';
import { startServer, type TestServer } from '../helpers/server.js';

// What the glossary commands (repo, classification, draft) answer to wrong arguments: exit 2, one
// line on stderr saying what is wrong, nothing written. The successful paths are covered where
// their effect is visible: test/e2e/lingo-repos.test.ts, lingo-classifications.test.ts and
// lingo-drafts.test.ts.
describe('glossary commands: wrong arguments → exit 2 with a message', () => {
  let server: TestServer;
  let cli: ReturnType<typeof glossaryCli>;
  beforeAll(async () => {
    server = await startServer();
    cli = glossaryCli(server.dataDir);
  });
  afterAll(() => server.close());

  /** Runs the cases side by side (each is its own process) and checks each one's exit and stderr. */
  async function expectRefusals(cases: { args: string[]; stderr: string | RegExp }[]): Promise<void> {
    const results: CliResult[] = [];
    // Two at a time: the machine's cores are shared, and each run is mostly a process start.
    for (let i = 0; i < cases.length; i += 2) results.push(...(await Promise.all(cases.slice(i, i + 2).map((c) => cli.runAsync(c.args)))));
    cases.forEach((c, i) => {
      const r = results[i]!;
      const what = c.args.join(' ');
      expect(r.status, `${what}\n${r.stderr}`).toBe(2);
      expect(r.stdout, what).toBe('');
      expect(r.stderr, what).toMatch(c.stderr);
      // One line, no stack: a wrong argument is not a crash.
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
    });
  }

  it('repo and draft commands: a malformed --tenant, an unknown app or repo, an unknown --state', async () => {
    const app = await server.newApp();
    const repo = await server.app.glossary.createRepo(app.tenant_key, 'r');
    await expectRefusals([
      { args: ['repo', 'create', '--tenant', 'bad tenant!', '--name', 'x', '--json'], stderr: /--tenant must be 1-64 letters/ },
      { args: ['repo', 'grant', '--repo-id', repo.id, '--app-id', 'cli_nosuchapp'], stderr: 'lingo-server: no app cli_nosuchapp' },
      { args: ['repo', 'grant', '--repo-id', '987654321', '--app-id', app.app_id], stderr: 'lingo-server: no repo 987654321' },
      { args: ['draft', 'list', '--tenant', app.tenant_key, '--state', 'done'], stderr: '--state must be pending, approved or rejected' },
    ]);
    expect((await server.app.glossary.listRepos(app.tenant_key, null)).map((r) => r.name)).toEqual(['全员词库', 'r']);
  });

  it('classification create: an unknown or second-level --parent, a --repo-id of another tenant, a name over 20', async () => {
    const app = await server.newApp();
    const other = await server.newApp();
    const company = await server.app.glossary.companyRepo(app.tenant_key);
    const foreignRepo = await server.app.glossary.createRepo(other.tenant_key, 'theirs');
    const top = await server.app.glossary.createClassification({ repoId: company.id, name: 'top', fatherId: null, i18nNames: [] });
    const sub = await server.app.glossary.createClassification({ repoId: company.id, name: 'sub', fatherId: top.id, i18nNames: [] });
    const create = (name: string, ...extra: string[]) => ['classification', 'create', '--tenant', app.tenant_key, '--name', name, ...extra, '--json'];
    await expectRefusals([
      { args: create('n', '--parent', '987654321'), stderr: `no classification 987654321 in repo ${company.id}` },
      { args: create('n', '--parent', sub.id), stderr: `classification ${sub.id} is second-level: classifications have two levels` },
      { args: create('n', '--repo-id', foreignRepo.id), stderr: `no repo ${foreignRepo.id} in tenant ${app.tenant_key}` },
      { args: create('二'.repeat(21)), stderr: '--name must be 1-20 characters' },
    ]);
    expect((await server.app.glossary.listClassifications(company.id, null, 100)).map((c) => c.id)).toEqual([top.id, sub.id]);
  });

  it('draft approve and reject of an unknown or malformed id → exit 2 with the id on stderr', async () => {
    await expectRefusals([
      { args: ['draft', 'approve', '987654321'], stderr: 'lingo-server: no draft 987654321' },
      { args: ['draft', 'reject', 'abc'], stderr: 'lingo-server: no draft abc' },
    ]);
  });
});
