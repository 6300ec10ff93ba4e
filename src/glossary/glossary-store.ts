import type { ClassificationRecord, DraftRecord, DraftState, EntityContent, EntityRecord, EntitySource, OuterInfo, RepoRecord } from './model.js';

/**
 * Where the glossary lives: three small interfaces, each with its own contract suite
 * (test/contract/glossary-*.test.ts), implemented by one class per metadata backend
 * (SQLite, PostgreSQL) on the same database as apps, tokens and files. Expected outcomes are
 * values (`'missing'`, `'outer-info-taken'`); failures are thrown. Every write is one
 * transaction: an entity with its keys, images and outer_info is visible whole or not at all.
 */
export type GlossaryStore = RepoStore & EntityStore & DraftStore & ConsoleStore;

export interface RepoStore {
  /** The tenant's company-wide repo, created (once, whatever the concurrency) on first use. */
  companyRepo(tenantKey: string): Promise<RepoRecord>;
  createRepo(tenantKey: string, name: string): Promise<RepoRecord>;
  findRepo(repoId: string): Promise<RepoRecord | undefined>;
  /** Idempotent. */
  grantRepo(repoId: string, appId: string): Promise<void>;
  isRepoGranted(repoId: string, appId: string): Promise<boolean>;
  /** The company-wide repo first (created if need be), then the others by id; `appId`: only those granted to it. */
  listRepos(tenantKey: string, appId: string | null): Promise<RepoRecord[]>;

  createClassification(row: Omit<ClassificationRecord, 'id'>): Promise<ClassificationRecord>;
  /** By id ascending, both levels, after `afterId` (exclusive). */
  listClassifications(repoId: string, afterId: string | null, limit: number): Promise<ClassificationRecord[]>;
  /** Those of `ids` that exist in this repo. */
  findClassifications(repoId: string, ids: readonly string[]): Promise<ClassificationRecord[]>;
}

export type EntityWrite = EntityRecord | 'outer-info-taken';

export interface EntityListQuery {
  tenantKey: string;
  repoId: string;
  /** Only entities whose outer_info.provider equals this. */
  provider: string | null;
  afterSeq: string | null;
  limit: number;
}

export interface EntitySearchQuery {
  tenantKey: string;
  repoId: string;
  /** Case-insensitive substring (the store folds with String#toLowerCase); null: filters only. */
  query: string | null;
  /** Entities with any of these classification ids (either level); empty: no filter. */
  classificationInclude: readonly string[];
  /** Entities with none of these classification ids (either level). */
  classificationExclude: readonly string[];
  sources: readonly EntitySource[];
  creators: readonly string[];
}

/** 0 a main key matched, 1 an alias or full name, 2 only a description (or no query: 0). */
export type SearchRank = 0 | 1 | 2;

export interface SearchCursor {
  rank: SearchRank;
  seq: string;
}

/** 0 main key, 1 full name, 2 alias. */
export type MatchType = 0 | 1 | 2;

/** What changed for highlight since a version: each entity's highlightable keys now ([] once gone). */
export interface HighlightDelta {
  version: number;
  changed: { seq: string; keys: string[] }[];
}

export interface EntityStore {
  insertEntity(row: Omit<EntityRecord, 'seq'>): Promise<EntityWrite>;
  /** Full replace of the content; creator, create time and repo stay. */
  replaceEntity(tenantKey: string, seq: string, content: EntityContent, updater: string, updatedAtMs: number): Promise<EntityWrite | 'missing'>;
  deleteEntity(tenantKey: string, seq: string): Promise<boolean>;
  findEntity(tenantKey: string, seq: string): Promise<EntityRecord | undefined>;
  findEntityByOuterInfo(tenantKey: string, outer: OuterInfo): Promise<EntityRecord | undefined>;
  /** By seq ascending (creation order), after `afterSeq`. */
  listEntities(query: EntityListQuery): Promise<EntityRecord[]>;
  /** By (rank, seq) ascending, after `after`; keys with allow_search=false never match. */
  searchEntities(query: EntitySearchQuery, after: SearchCursor | null, limit: number): Promise<{ entity: EntityRecord; rank: SearchRank }[]>;
  /** Exact equality on main keys, full names and aliases with allow_search, in one repo; by seq. */
  matchEntities(tenantKey: string, repoId: string, word: string): Promise<{ seq: string; type: MatchType }[]>;
  /**
   * The tenant's glossary version: it grows with every entity write, and writes commit in version
   * order, so a reader that has applied every change up to v and sees v again is current.
   */
  glossaryVersion(tenantKey: string): Promise<number>;
  /**
   * Entities of the company-wide repo changed after `version`, each with its keys (main keys, full
   * names, aliases) that have allow_highlight (allow_search governs match and search, not
   * highlight: spec §10). From 0: the whole repo.
   */
  highlightChangesSince(tenantKey: string, version: number): Promise<HighlightDelta>;
  /**
   * 32 random bytes made once per database (the first caller's win) that sign page tokens, so that
   * every instance accepts the tokens of every other.
   */
  pageTokenKey(): Promise<Buffer>;
}

export type DraftReview =
  | { draft: DraftRecord; entity: EntityRecord | null }
  | 'missing'
  | 'reviewed'
  | 'outer-info-taken'
  /** An update draft whose entity was deleted meanwhile. */
  | 'target-missing';

export interface DraftStore {
  insertDraft(row: Omit<DraftRecord, 'draftId' | 'state' | 'entitySeq'>): Promise<DraftRecord>;
  findDraft(draftId: string): Promise<DraftRecord | undefined>;
  /** Only while pending. */
  updateDraft(draftId: string, content: EntityContent, targetSeq: string | null, updatedAtMs: number): Promise<DraftRecord | 'missing' | 'reviewed'>;
  listDrafts(tenantKey: string, state: DraftState | null): Promise<DraftRecord[]>;
  /**
   * Pending → approved or rejected, atomically with what approval does: overwrite the target
   * entity (targetSeq, else the one with the draft's outer_info) exactly as a PUT would, or
   * create a new one in the draft's repo; source 4, updater the draft's creator. An entity with
   * the draft's outer_info in a repo the draft's app may not see is 'outer-info-taken'.
   */
  reviewDraft(draftId: string, decision: 'approved' | 'rejected', atMs: number): Promise<DraftReview>;
}

/** A console sign-in token or session, by the SHA-256 of its secret (src/console/console-auth.ts). */
export interface ConsoleCredential {
  hash: string;
  kind: 'token' | 'session';
  tenantKey: string;
  expiresAtMs: number;
}

/** A file row as the console's gallery lists it. */
export interface ConsoleFileRow {
  fileToken: string;
  name: string;
  blobKey: string;
  sizeBytes: number;
  format: string;
  mime: string;
  width: number;
  height: number;
  createdAtMs: number;
}

/** The console's rows, in the glossary's database: its credentials, and the files table read per tenant. */
export interface ConsoleStore {
  /** Also deletes every credential expired at `nowMs`. */
  insertConsoleCredential(row: ConsoleCredential, nowMs: number): Promise<void>;
  findConsoleCredential(hash: string): Promise<ConsoleCredential | undefined>;
  deleteConsoleCredential(hash: string): Promise<void>;
  /** Newest first, strictly before `before`. */
  listTenantFiles(tenantKey: string, before: { createdAtMs: number; fileToken: string } | null, limit: number): Promise<ConsoleFileRow[]>;
}
