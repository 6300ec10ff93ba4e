import type { DraftReview } from '../glossary-store.js';
import type { DraftRecord, DraftState, EntityContent, EntityRecord } from '../model.js';
import { addEntity, bumpVersion, overwriteEntity } from './entity-programs.js';
import { draftFromRow, type DraftRow } from './records.js';
import { all, idKey, one, Rollback, type Program } from './program.js';

export function* insertDraft(row: Omit<DraftRecord, 'draftId' | 'state' | 'entitySeq'>): Program<DraftRecord> {
  const created = yield* one<DraftRow>(
    `INSERT INTO drafts (tenant_key, repo_id, target_seq, content, state, creator, app_id, created_at_ms, updated_at_ms, entity_seq)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, NULL) RETURNING *`,
    row.tenantKey,
    idKey(row.repoId) ?? null,
    targetKey(row.targetSeq),
    JSON.stringify(row.content),
    row.creator,
    row.appId,
    row.createdAtMs,
    row.updatedAtMs,
  );
  return draftFromRow(created!);
}

export function* findDraft(draftId: string): Program<DraftRecord | undefined> {
  const id = idKey(draftId);
  if (id === undefined) return undefined;
  const row = yield* one<DraftRow>('SELECT * FROM drafts WHERE draft_id = ?', id);
  return row && draftFromRow(row);
}

/**
 * The state test is part of the UPDATE: on PostgreSQL a concurrent review holds the row, and the
 * UPDATE re-checks `state` once it commits, so an edit never lands on a reviewed draft.
 */
export function* updateDraft(
  draftId: string,
  content: EntityContent,
  targetSeq: string | null,
  updatedAtMs: number,
): Program<DraftRecord | 'missing' | 'reviewed'> {
  const id = idKey(draftId);
  if (id === undefined) return 'missing';
  const row = yield* one<DraftRow>(
    `UPDATE drafts SET content = ?, target_seq = ?, updated_at_ms = ? WHERE draft_id = ? AND state = 'pending' RETURNING *`,
    JSON.stringify(content),
    targetKey(targetSeq),
    updatedAtMs,
    id,
  );
  if (row) return draftFromRow(row);
  return (yield* findDraft(draftId)) ? 'reviewed' : 'missing';
}

/** Every draft of the tenant (in one state), oldest first. */
export function* listDrafts(tenantKey: string, state: DraftState | null): Program<DraftRecord[]> {
  const rows =
    state === null
      ? yield* all<DraftRow>('SELECT * FROM drafts WHERE tenant_key = ? ORDER BY draft_id', tenantKey)
      : yield* all<DraftRow>('SELECT * FROM drafts WHERE tenant_key = ? AND state = ? ORDER BY draft_id', tenantKey, state);
  return rows.map(draftFromRow);
}

/**
 * Claims the pending draft first (the same guarded UPDATE as updateDraft, so two reviewers never
 * both win), then, for an approval, bumps the version and writes the entity as a PUT would (or
 * creates it); any refusal after the claim rolls the whole review back and the draft stays
 * pending. The draft's updated time becomes the review time.
 */
export function* reviewDraft(draftId: string, decision: 'approved' | 'rejected', atMs: number): Program<DraftReview> {
  const id = idKey(draftId);
  if (id === undefined) return 'missing';
  const claimed = yield* one<DraftRow>(
    `UPDATE drafts SET state = ?, updated_at_ms = ? WHERE draft_id = ? AND state = 'pending' RETURNING *`,
    decision,
    atMs,
    id,
  );
  if (!claimed) return (yield* findDraft(draftId)) ? 'reviewed' : 'missing';
  const draft = draftFromRow(claimed);
  if (decision === 'rejected') return { draft, entity: null };

  const entity = yield* approve(draft, atMs);
  if (typeof entity === 'string') throw new Rollback(entity);
  const approved = yield* one<DraftRow>('UPDATE drafts SET entity_seq = ? WHERE draft_id = ? RETURNING *', Number(entity.seq), id);
  return { draft: draftFromRow(approved!), entity };
}

function* approve(draft: DraftRecord, atMs: number): Program<EntityRecord | 'target-missing' | 'outer-info-taken'> {
  const version = yield* bumpVersion(draft.tenantKey);
  let target: number | undefined;
  if (draft.targetSeq !== null) {
    target = idKey(draft.targetSeq);
    if (target === undefined) return 'target-missing';
  } else if (draft.content.outerInfo) {
    // The entity that took the outer_info since the draft was written, and whether the draft's
    // app may see its repo (company-wide, the draft's own, or granted), as at draft create.
    const owner = yield* one<{ seq: number | string; visible: number | string }>(
      `SELECT e.seq,
              CASE WHEN r.company_wide OR e.repo_id = ? OR EXISTS (SELECT 1 FROM repo_grants g WHERE g.repo_id = e.repo_id AND g.app_id = ?)
                   THEN 1 ELSE 0 END AS visible
         FROM entities e JOIN repos r ON r.id = e.repo_id
        WHERE e.tenant_key = ? AND e.outer_provider = ? AND e.outer_id = ?`,
      idKey(draft.repoId) ?? null,
      draft.appId,
      draft.tenantKey,
      draft.content.outerInfo.provider,
      draft.content.outerInfo.outerId,
    );
    // Never overwrite what the draft's author could not: refused like any taken outer_info.
    if (owner && Number(owner.visible) !== 1) return 'outer-info-taken';
    target = owner && Number(owner.seq);
  }
  if (target === undefined) {
    return yield* addEntity(
      {
        tenantKey: draft.tenantKey,
        repoId: draft.repoId,
        content: draft.content,
        creator: draft.creator,
        updater: draft.creator,
        createdAtMs: atMs,
        updatedAtMs: atMs,
        source: 4,
      },
      version,
    );
  }
  const written = yield* overwriteEntity(draft.tenantKey, target, draft.content, draft.creator, atMs, 4, version);
  return written === 'missing' ? 'target-missing' : written;
}

function targetKey(seq: string | null): number | null {
  // A target we cannot have stored is kept as an impossible seq, so that approval says 'target-missing'.
  return seq === null ? null : (idKey(seq) ?? 0);
}
