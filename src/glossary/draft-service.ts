import type { Principal } from '../auth/tokens.js';
import { LingoError, invalidParam } from '../errors/lingo-error.js';
import type { EntityService } from './entity-service.js';
import { noEntity, outerInfoTaken } from './entity-service.js';
import type { DraftReview, GlossaryStore } from './glossary-store.js';
import type { DraftRecord, DraftState, EntityContent } from './model.js';
import { actorOf } from './repo-access.js';

/** What the CLI (and the console) is told when a review cannot happen. */
export class DraftReviewError extends Error {
  constructor(
    readonly reason: Exclude<DraftReview, { draft: DraftRecord }>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Drafts (§13–§15): requests to create or overwrite an entity that wait for review. Review has no
 * open API; the CLI and the console call `review`, and the API's next draft.update sees the result.
 */
export class DraftService {
  constructor(
    private readonly glossary: GlossaryStore,
    private readonly entities: EntityService,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `targetId`: the entity to overwrite once approved. Without it, an outer_info that names an
   * existing entity targets that entity; otherwise approval creates a new one (§13 Decision).
   */
  async create(principal: Principal, repoId: string | null, content: EntityContent, targetId: string | null): Promise<DraftRecord> {
    const repo = await this.entities.repos.resolve(principal, repoId);
    const checked = await this.entities.checkReferences(principal, repo, content);
    const targetSeq = await this.targetOf(principal, targetId, checked);
    const at = this.now();
    return this.glossary.insertDraft({
      tenantKey: principal.tenantKey,
      repoId: repo.id,
      targetSeq,
      content: checked,
      creator: actorOf(principal),
      appId: principal.app.appId,
      createdAtMs: at,
      updatedAtMs: at,
    });
  }

  /** The body has no outer_info (§14): the draft keeps the one it was created with. */
  async update(principal: Principal, draftId: string, content: EntityContent, targetId: string | null): Promise<DraftRecord> {
    if (!/^[1-9][0-9]{0,18}$/.test(draftId)) throw invalidParam('draft_id', 'must be a decimal draft id');
    const draft = await this.glossary.findDraft(draftId);
    if (!draft || draft.tenantKey !== principal.tenantKey) throw invalidParam('draft_id', `no draft ${draftId} in this tenant`);
    if (draft.state !== 'pending') throw new LingoError('draftReviewed');
    const repo = await this.entities.repos.resolve(principal, draft.repoId, 'draft_id');
    const checked = await this.entities.checkReferences(principal, repo, { ...content, outerInfo: draft.content.outerInfo });
    const targetSeq = targetId === null ? draft.targetSeq : await this.targetOf(principal, targetId, checked);
    const updated = await this.glossary.updateDraft(draftId, checked, targetSeq, this.now());
    if (updated === 'reviewed') throw new LingoError('draftReviewed');
    if (updated === 'missing') throw invalidParam('draft_id', `no draft ${draftId} in this tenant`);
    return updated;
  }

  list(tenantKey: string, state: DraftState | null): Promise<DraftRecord[]> {
    return this.glossary.listDrafts(tenantKey, state);
  }

  /** Approve or reject; throws DraftReviewError with the store's reason when it cannot. */
  async review(draftId: string, decision: 'approved' | 'rejected'): Promise<Extract<DraftReview, { draft: DraftRecord }>> {
    const result = await this.glossary.reviewDraft(draftId, decision, this.now());
    if (typeof result !== 'string') return result;
    const messages: Record<typeof result, string> = {
      missing: `no draft ${draftId}`,
      reviewed: `draft ${draftId} has already been reviewed`,
      'outer-info-taken': `draft ${draftId}: another entity already has its outer_info`,
      'target-missing': `draft ${draftId}: the entity it updates no longer exists`,
    };
    throw new DraftReviewError(result, messages[result]);
  }

  /**
   * An outer_info another entity has is refused as entity.create and update refuse it: otherwise
   * approval would overwrite an entity the author cannot see (in an ungranted repo) or fail.
   */
  private async targetOf(principal: Principal, targetId: string | null, content: EntityContent): Promise<string | null> {
    let target: string | null = null;
    if (targetId !== null) {
      try {
        target = (await this.entities.find(principal, { entityId: targetId, provider: null, outerId: null })).seq;
      } catch {
        throw noEntity('id', targetId);
      }
    }
    if (!content.outerInfo) return target;
    const owner = await this.glossary.findEntityByOuterInfo(principal.tenantKey, content.outerInfo);
    if (!owner) return target;
    const taken = target !== null ? owner.seq !== target : !(await this.entities.repos.visibleEntity(principal, owner));
    if (taken) throw outerInfoTaken(content.outerInfo);
    return owner.seq;
  }
}
