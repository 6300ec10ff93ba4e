import { ConfigError } from '../config/config.js';
import type { DraftService } from '../glossary/draft-service.js';
import type { GlossaryStore } from '../glossary/glossary-store.js';
import type { DraftState, RepoRecord } from '../glossary/model.js';
import { classificationJson, draftJson, repoJson } from '../glossary/wire/entity-json.js';
import type { MetaStore } from '../meta/meta-store.js';

/**
 * Repos, classifications and draft review: configured out of band, as on Feishu (the admin UI),
 * so here. They write the shared store, so a running server sees each change at once.
 */
export interface GlossaryCommandStores {
  meta: MetaStore;
  glossary: GlossaryStore;
  drafts: DraftService;
}

type Out = (line: string) => void;

const tenantShape = /^[\w-]{1,64}$/;
const idShape = /^[1-9][0-9]{0,18}$/;

function tenantOf(tenant: string): string {
  if (!tenantShape.test(tenant)) throw new ConfigError('--tenant must be 1-64 letters, digits, "_" or "-"');
  return tenant;
}

function nameOf(name: string, max: number): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || [...trimmed].length > max) throw new ConfigError(`--name must be 1-${max} characters`);
  return trimmed;
}

async function repoOf(glossary: GlossaryStore, tenantKey: string, repoId: string | undefined): Promise<RepoRecord> {
  if (repoId === undefined) return glossary.companyRepo(tenantKey);
  const repo = idShape.test(repoId) ? await glossary.findRepo(repoId) : undefined;
  if (!repo || repo.tenantKey !== tenantKey) throw new ConfigError(`no repo ${repoId} in tenant ${tenantKey}`);
  return repo;
}

export async function repoCreate(s: GlossaryCommandStores, opts: { tenant: string; name: string; json?: boolean }, out: Out): Promise<void> {
  const repo = await s.glossary.createRepo(tenantOf(opts.tenant), nameOf(opts.name, 100));
  out(opts.json ? JSON.stringify(repoJson(repo)) : `repo ${repo.id}  ${repo.name}`);
}

export async function repoGrant(s: GlossaryCommandStores, opts: { repoId: string; appId: string }, out: Out): Promise<void> {
  const repo = idShape.test(opts.repoId) ? await s.glossary.findRepo(opts.repoId) : undefined;
  if (!repo) throw new ConfigError(`no repo ${opts.repoId}`);
  const app = await s.meta.findApp(opts.appId);
  if (!app) throw new ConfigError(`no app ${opts.appId}`);
  if (app.tenantKey !== repo.tenantKey) throw new ConfigError(`app ${app.appId} is in tenant ${app.tenantKey}, repo ${repo.id} in ${repo.tenantKey}`);
  await s.glossary.grantRepo(repo.id, app.appId);
  out(`app ${app.appId} may now read and write repo ${repo.id}`);
}

export async function repoList(s: GlossaryCommandStores, opts: { tenant: string; json?: boolean }, out: Out): Promise<void> {
  const repos = await s.glossary.listRepos(tenantOf(opts.tenant), null);
  if (opts.json) return out(JSON.stringify(repos.map(repoJson)));
  for (const r of repos) out(`${r.id}  ${r.name}${r.companyWide ? '  (company-wide)' : ''}`);
}

export async function classificationCreate(
  s: GlossaryCommandStores,
  opts: { tenant: string; name: string; parent?: string; repoId?: string; json?: boolean },
  out: Out,
): Promise<void> {
  const repo = await repoOf(s.glossary, tenantOf(opts.tenant), opts.repoId);
  let fatherId: string | null = null;
  if (opts.parent !== undefined) {
    const [parent] = idShape.test(opts.parent) ? await s.glossary.findClassifications(repo.id, [opts.parent]) : [];
    if (!parent) throw new ConfigError(`no classification ${opts.parent} in repo ${repo.id}`);
    if (parent.fatherId !== null) throw new ConfigError(`classification ${parent.id} is second-level: classifications have two levels`);
    fatherId = parent.id;
  }
  const created = await s.glossary.createClassification({ repoId: repo.id, name: nameOf(opts.name, 20), fatherId, i18nNames: [] });
  out(opts.json ? JSON.stringify(classificationJson(created)) : `classification ${created.id}  ${created.name}`);
}

const states: readonly DraftState[] = ['pending', 'approved', 'rejected'];

export async function draftList(s: GlossaryCommandStores, opts: { tenant: string; state?: string; json?: boolean }, out: Out): Promise<void> {
  if (opts.state !== undefined && !states.includes(opts.state as DraftState)) throw new ConfigError('--state must be pending, approved or rejected');
  const drafts = await s.drafts.list(tenantOf(opts.tenant), (opts.state as DraftState | undefined) ?? null);
  const rows = drafts.map((d) => ({ state: d.state, ...draftJson(d) }));
  if (opts.json) return out(JSON.stringify(rows.map(({ draft_id, state, entity }) => ({ draft_id, state, entity }))));
  if (drafts.length === 0) return out('no drafts');
  for (const d of drafts) out(`${d.draftId}  ${d.state.padEnd(8)}  ${d.content.mainKeys[0]?.key ?? ''}`);
}

export async function draftReview(s: GlossaryCommandStores, draftId: string, decision: 'approved' | 'rejected', out: Out): Promise<void> {
  const { draft, entity } = await s.drafts.review(draftId, decision);
  out(entity ? `draft ${draft.draftId} ${decision}: entity enterprise_${entity.seq}` : `draft ${draft.draftId} ${decision}`);
}
