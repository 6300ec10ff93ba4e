import type { ClassificationRecord, DraftRecord, DraftState, EntityContent, EntityRecord, EntitySource, Language, RepoRecord } from '../model.js';

/**
 * Rows as either driver returns them: integer ids and times are numbers from SQLite and strings
 * from PostgreSQL's bigint columns (ours stay far below 2^53), booleans 1/0 or true/false.
 */
type Integer = number | string;

export interface EntityRow {
  seq: Integer;
  tenant_key: string;
  repo_id: Integer;
  content: string;
  creator: string;
  updater: string;
  created_at_ms: Integer;
  updated_at_ms: Integer;
  source: Integer;
}

export interface DraftRow {
  draft_id: Integer;
  tenant_key: string;
  repo_id: Integer;
  target_seq: Integer | null;
  content: string;
  state: string;
  creator: string;
  app_id: string;
  created_at_ms: Integer;
  updated_at_ms: Integer;
  entity_seq: Integer | null;
}

export interface RepoRow {
  id: Integer;
  tenant_key: string;
  name: string;
  company_wide: number | boolean;
}

export interface ClassificationRow {
  id: Integer;
  repo_id: Integer;
  name: string;
  father_id: Integer | null;
  i18n_names: string;
}

export function entityFromRow(r: EntityRow): EntityRecord {
  return {
    seq: String(r.seq),
    tenantKey: r.tenant_key,
    repoId: String(r.repo_id),
    content: JSON.parse(r.content) as EntityContent,
    creator: r.creator,
    updater: r.updater,
    createdAtMs: Number(r.created_at_ms),
    updatedAtMs: Number(r.updated_at_ms),
    source: Number(r.source) as EntitySource,
  };
}

export function draftFromRow(r: DraftRow): DraftRecord {
  return {
    draftId: String(r.draft_id),
    tenantKey: r.tenant_key,
    repoId: String(r.repo_id),
    targetSeq: r.target_seq === null ? null : String(r.target_seq),
    content: JSON.parse(r.content) as EntityContent,
    state: r.state as DraftState,
    creator: r.creator,
    appId: r.app_id,
    createdAtMs: Number(r.created_at_ms),
    updatedAtMs: Number(r.updated_at_ms),
    entitySeq: r.entity_seq === null ? null : String(r.entity_seq),
  };
}

export function repoFromRow(r: RepoRow): RepoRecord {
  return { id: String(r.id), tenantKey: r.tenant_key, name: r.name, companyWide: r.company_wide === true || r.company_wide === 1 };
}

export function classificationFromRow(r: ClassificationRow): ClassificationRecord {
  return {
    id: String(r.id),
    repoId: String(r.repo_id),
    name: r.name,
    fatherId: r.father_id === null ? null : String(r.father_id),
    i18nNames: JSON.parse(r.i18n_names) as { language: Language; name: string }[],
  };
}
