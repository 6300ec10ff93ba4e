import type { Principal } from '../auth/tokens.js';
import { invalidParam } from '../errors/lingo-error.js';
import type { GlossaryStore } from './glossary-store.js';
import type { EntityRecord, RepoRecord } from './model.js';

/**
 * Which repos a caller may touch. The company-wide repo is every app's; any other repo only once
 * granted to the calling app (`lingo-server repo grant`), whether the token is the app's or a
 * user's through that app (lingo-server has no user directory to decide a user's own visibility).
 * A repo the caller may not see is answered exactly like one that does not exist.
 */
export class RepoAccess {
  constructor(private readonly glossary: GlossaryStore) {}

  /** `repo_id` from the query (null: the company-wide repo). */
  async resolve(principal: Principal, repoId: string | null, field = 'repo_id'): Promise<RepoRecord> {
    if (repoId === null) return this.glossary.companyRepo(principal.tenantKey);
    const repo = await this.glossary.findRepo(repoId);
    if (repo && repo.tenantKey === principal.tenantKey && (await this.canSee(principal, repo))) return repo;
    throw invalidParam(field, `no repo ${repoId} is visible to this app`);
  }

  async canSee(principal: Principal, repo: RepoRecord): Promise<boolean> {
    return repo.companyWide || principal.console === true || this.glossary.isRepoGranted(repo.id, principal.app.appId);
  }

  /** The entity if it exists in the caller's tenant, in a repo the caller may see. */
  async visibleEntity(principal: Principal, entity: EntityRecord | undefined): Promise<EntityRecord | undefined> {
    if (!entity || entity.tenantKey !== principal.tenantKey) return undefined;
    const repo = await this.glossary.findRepo(entity.repoId);
    return repo && (await this.canSee(principal, repo)) ? entity : undefined;
  }
}

/** Who a write is recorded as: the user of a user token, else the app. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'user' && principal.userId ? principal.userId : principal.app.appId;
}
